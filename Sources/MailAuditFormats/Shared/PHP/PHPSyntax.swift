import MailAuditCore

/// One statement of a PHP configuration file that writes data: an assignment to a variable or to
/// an array element (`$config['smtp_host'] = 'tls://mail.example.com:587';`), or a constant
/// (`define('WPMS_SMTP_HOST', 'smtp.example.com');`, `const X = 1;`).
struct PHPStatement: Equatable, Sendable {
    enum Target: Equatable, Sendable {
        /// `$name[k1][k2]… = value`; a nil key is `[]` (append) or a key computed by code.
        case variable(String, path: [PHPKey?])
        case constant(String)
    }

    var target: Target
    var value: PHPExpr
    /// The written target: `$config['smtp_host']`, or the constant's name.
    var targetSpan: SourceSpan
    /// Inside an `if`, a loop, a function, a class or a template's `{% if %}`: it may or may not run.
    var conditional: Bool
}

/// PHP source → the statements that write data, with spans (the grammar only; no meaning).
/// Everything else — calls, `include`, `echo`, control flow — is read over; control flow only
/// marks what it encloses as conditional. Linear in the tokens, and it never fails: a truncated
/// or broken file yields the statements read up to there.
struct PHPSyntax {
    private(set) var statements: [PHPStatement] = []
    /// Unterminated strings, comments and heredocs (PHP refuses such a file).
    private(set) var diagnostics = Diagnostics()

    private let t: [PHPToken]
    private let path: String
    private var p = 0
    /// How deeply arrays and parentheses nest in the expression being read: past `maxDepth` the rest
    /// is read over as unknown, so a hostile file cannot exhaust the stack (configurations nest 3 or 4 deep).
    private var depth = 0
    static let maxDepth = 64

    init(_ file: SourceFile) {
        let lexer = PHPLexer(file)
        t = lexer.tokens
        path = file.path
        diagnostics.report(contentsOf: lexer.diagnostics)
        parseFile()
    }

    private var atEnd: Bool { p >= t.count }

    private func tok(_ k: Int = 0) -> PHPToken? { p + k < t.count ? t[p + k] : nil }

    private func isOp(_ s: String, _ k: Int = 0) -> Bool { tok(k)?.isOp(s) ?? false }

    // MARK: - Statements

    private static let controlHeads: Set<String> = ["if", "elseif", "while", "for", "foreach", "switch", "catch", "declare"]
    private static let alternativeEnds: Set<String> = ["endif", "endwhile", "endfor", "endforeach", "endswitch", "enddeclare"]
    private static let compoundAssignments: Set<String> = [".=", "+=", "-=", "*=", "/=", "%=", "**=", "??=", "&=", "|=", "^=", "<<=", ">>="]

    private mutating func parseFile() {
        // Per open block: whether what is inside may not run (an `if` body), or is a function's or a
        // class's body, whose variables are not the file's and which runs only when called.
        enum Block { case plain, conditional, declaration }
        var blocks: [Block] = []
        // After `if (…)` or `else` without braces: the next statement alone is conditional.
        var pending = false
        while let token = tok() {
            let conditional = pending || blocks.contains { $0 != .plain } || token.templated
            declaration = blocks.contains(.declaration)
            switch token.kind {
            case .op(";"):
                p += 1
                pending = false
            case .op("{"):
                blocks.append(conditional ? .conditional : .plain)
                p += 1
                pending = false
            case .op("}"):
                if !blocks.isEmpty { blocks.removeLast() }
                p += 1
            case .name(let n):
                let word = n.lowercased()
                if Self.controlHeads.contains(word) {
                    p += 1
                    if isOp("(") { skipGroup() }
                    if isOp(":") { blocks.append(.conditional); p += 1; pending = false } else { pending = true }
                } else if word == "else" || word == "do" || word == "try" || word == "finally" {
                    p += 1
                    // `else:` continues an alternative-syntax block that is already open.
                    if isOp(":") { p += 1 } else { pending = true }
                } else if Self.alternativeEnds.contains(word) {
                    if !blocks.isEmpty { blocks.removeLast() }
                    p += 1
                    pending = false
                } else if word == "function" || word == "class" || word == "interface" || word == "trait" || word == "enum" {
                    // A declaration's body runs only when called: read to its `{` (or `;`) and open a conditional block.
                    p += 1
                    while let k = tok(), !k.isOp("{"), !k.isOp(";") {
                        if k.isOp("(") { skipGroup() } else { p += 1 }
                    }
                    if isOp("{") { blocks.append(.declaration); p += 1 } else { p += 1 }
                    pending = false
                } else if word == "define", isOp("(", 1) {
                    parseDefine(conditional: conditional)
                    pending = false
                } else if word == "const" {
                    parseConst(conditional: conditional)
                    pending = false
                } else {
                    skipStatement()
                    pending = false
                }
            case .variable:
                parseAssignment(conditional: conditional)
                pending = false
            default:
                skipStatement()
                pending = false
            }
        }
    }

    /// `$name[k]… = value;`, also chained (`$a['x'] = $a['y'] = [...]`) and compound (`.=`: unknown).
    private mutating func parseAssignment(conditional: Bool) {
        var targets: [(PHPStatement.Target, SourceSpan)] = []
        // readTarget stops at the operator; a target not followed by one is no assignment (`$x->call();`).
        while let target = readTarget() {
            if isOp("=") && !isOp("&", 1) {
                p += 1
                targets.append(target)
                continue
            }
            if let k = tok(), case .op(let o) = k.kind, Self.compoundAssignments.contains(o) {
                let start = k.span
                p += 1
                targets.append(target)
                let value = parseExpression()
                finishStatement()
                for (tg, span) in targets { add(tg, PHPExpr(.unknown, span: join(start, value.span)), span, conditional) }
                return
            }
            break
        }
        guard !targets.isEmpty else {
            skipStatement()
            return
        }
        let value = parseExpression()
        let complete = finishStatement()
        for (target, span) in targets {
            add(target, complete ? value : PHPExpr(.unknown, span: value.span), span, conditional)
        }
    }

    /// A variable with its `[key]` chain, when what follows is an assignment; otherwise nil and nothing consumed.
    private mutating func readTarget() -> (PHPStatement.Target, SourceSpan)? {
        guard let first = tok(), case .variable(let name) = first.kind else { return nil }
        let save = p
        p += 1
        var path: [PHPKey?] = []
        var last = first.span
        while isOp("[") {
            // An element path deeper than any array we read is not followed.
            guard path.count < Self.maxDepth else { p = save; return nil }
            p += 1
            if isOp("]") {
                path.append(nil)
            } else {
                let key = parseExpression()
                path.append(PHPKey(key.value))
            }
            guard let close = tok(), close.isOp("]") else { p = save; return nil }
            last = close.span
            p += 1
        }
        let isAssignment: Bool
        if let k = tok(), case .op(let o) = k.kind { isAssignment = o == "=" || Self.compoundAssignments.contains(o) } else { isAssignment = false }
        guard isAssignment else { p = save; return nil }
        return (.variable(name, path: path), join(first.span, last))
    }

    /// `define('NAME', value);` — a name computed by code defines nothing we can know.
    private mutating func parseDefine(conditional: Bool) {
        p += 2
        let name = parseExpression()
        guard isOp(",") else { skipStatement(); return }
        p += 1
        let value = parseExpression()
        // An optional third argument (case-insensitivity, removed in PHP 8) is read over.
        if isOp(",") { p += 1; _ = parseExpression() }
        guard isOp(")") else { skipStatement(); return }
        p += 1
        let complete = finishStatement()
        guard case .string(let constant) = name.value else { return }
        add(.constant(constant), complete ? value : PHPExpr(.unknown, span: value.span), name.span, conditional)
    }

    /// `const NAME = value, OTHER = value;` at the top level.
    private mutating func parseConst(conditional: Bool) {
        p += 1
        while let k = tok(), case .name(let name) = k.kind, isOp("=", 1) {
            p += 2
            let value = parseExpression()
            add(.constant(name), value, k.span, conditional)
            guard isOp(",") else { break }
            p += 1
        }
        finishStatement()
    }

    /// Inside a function's or class's body: nothing there is the file's own data.
    private var declaration = false

    private mutating func add(_ target: PHPStatement.Target, _ value: PHPExpr, _ span: SourceSpan, _ conditional: Bool) {
        if declaration { return }
        statements.append(PHPStatement(target: target, value: value, targetSpan: span, conditional: conditional))
    }

    /// After an expression: true when the statement ends there (`;`, `?>` or the end of the file);
    /// otherwise (`or die()`, a ternary's rest) reads over the rest and returns false.
    @discardableResult
    private mutating func finishStatement() -> Bool {
        if atEnd { return true }
        if isOp(";") { p += 1; return true }
        skipStatement()
        return false
    }

    /// Reads to the end of a statement: its `;` at depth 0 (consumed), or a `{`/`}` at depth 0 (not consumed).
    private mutating func skipStatement() {
        let start = p
        var depth = 0
        while let k = tok() {
            if depth == 0 {
                if k.isOp(";") { p += 1; return }
                if (k.isOp("{") || k.isOp("}")), p > start { return }
            }
            if k.isOp("(") || k.isOp("[") || k.isOp("{") { depth += 1 }
            if k.isOp(")") || k.isOp("]") || k.isOp("}") { depth = max(0, depth - 1) }
            p += 1
        }
    }

    /// Reads over a balanced `( … )` (or `[ … ]`), starting at the opening token.
    private mutating func skipGroup() {
        var depth = 0
        while let k = tok() {
            if k.isOp("(") || k.isOp("[") || k.isOp("{") { depth += 1 }
            if k.isOp(")") || k.isOp("]") || k.isOp("}") { depth -= 1 }
            p += 1
            if depth <= 0 { return }
        }
    }

    // MARK: - Expressions

    /// A literal, an array of them, or `.` concatenations of literals; anything else is unknown.
    /// Stops before `;`, `,`, `=>`, or a closing bracket of the enclosing construct.
    private mutating func parseExpression() -> PHPExpr {
        guard let first = tok() else { return PHPExpr(.unknown, span: lastSpan) }
        var parts = [parsePrimary()]
        while isOp(".") {
            p += 1
            parts.append(parsePrimary())
        }
        if !atExpressionEnd {
            skipExpression()
            return PHPExpr(.unknown, span: join(first.span, previousSpan(orElse: first.span)))
        }
        guard parts.count > 1 else { return parts[0] }
        var text = ""
        for part in parts {
            switch part.value {
            case .string(let s): text += s
            case .int(let i): text += String(i)
            case .bool(let b): text += b ? "1" : ""
            case .null: break
            default: return PHPExpr(.unknown, span: join(parts[0].span, parts[parts.count - 1].span))
            }
        }
        return PHPExpr(.string(text), span: join(parts[0].span, parts[parts.count - 1].span))
    }

    private var atExpressionEnd: Bool {
        guard let k = tok() else { return true }
        return k.isOp(";") || k.isOp(",") || k.isOp(")") || k.isOp("]") || k.isOp("}") || k.isOp("=>")
    }

    private var lastSpan: SourceSpan { t.last?.span ?? SourceSpan(path: path, line: 1, column: 1) }

    private func previousSpan(orElse fallback: SourceSpan) -> SourceSpan { p > 0 && p - 1 < t.count ? t[p - 1].span : fallback }

    private mutating func parsePrimary() -> PHPExpr {
        guard let k = tok() else { return PHPExpr(.unknown, span: lastSpan) }
        if depth >= Self.maxDepth {
            skipExpression()
            return PHPExpr(.unknown, span: join(k.span, previousSpan(orElse: k.span)))
        }
        depth += 1
        defer { depth -= 1 }
        switch k.kind {
        case .string(let s):
            p += 1
            return PHPExpr(s.map(PHPValue.string) ?? .unknown, span: k.span)
        case .number(let v):
            p += 1
            return PHPExpr(v, span: k.span)
        case .op("-") where numberFollows, .op("+") where numberFollows:
            p += 1
            let n = t[p]
            p += 1
            guard case .number(let v) = n.kind, k.isOp("-") else {
                if case .number(let v) = n.kind { return PHPExpr(v, span: join(k.span, n.span)) }
                return PHPExpr(.unknown, span: join(k.span, n.span))
            }
            switch v {
            case .int(let i): return PHPExpr(.int(-i), span: join(k.span, n.span))
            case .float(let d): return PHPExpr(.float(-d), span: join(k.span, n.span))
            default: return PHPExpr(.unknown, span: join(k.span, n.span))
            }
        case .name(let n) where !isOp("(", 1) && !isOp("::", 1):
            let word = (n.hasPrefix("\\") ? String(n.dropFirst()) : n).lowercased()
            switch word {
            case "true": p += 1; return PHPExpr(.bool(true), span: k.span)
            case "false": p += 1; return PHPExpr(.bool(false), span: k.span)
            case "null": p += 1; return PHPExpr(.null, span: k.span)
            default: break
            }
        case .name(let n) where n.lowercased() == "array" && isOp("(", 1):
            p += 1
            return parseArray(open: k, close: ")")
        case .op("["):
            return parseArray(open: k, close: "]")
        case .op("("):
            p += 1
            let inner = parseExpression()
            if let close = tok(), close.isOp(")") {
                p += 1
                return PHPExpr(inner.value, span: join(k.span, close.span))
            }
            return PHPExpr(.unknown, span: join(k.span, inner.span))
        default:
            break
        }
        // A variable, a call, a constant, an operator: computed by code.
        skipExpression()
        return PHPExpr(.unknown, span: join(k.span, previousSpan(orElse: k.span)))
    }

    private var numberFollows: Bool {
        if let n = tok(1), case .number = n.kind { return true }
        return false
    }

    /// `array( … )` or `[ … ]`, starting at the opening token: entries with explicit or implicit keys.
    private mutating func parseArray(open: PHPToken, close: String) -> PHPExpr {
        p += 1
        var entries: [PHPEntry] = []
        var next = 0
        while let k = tok(), !k.isOp(close) {
            if k.isOp(",") { p += 1; continue }
            if k.isOp(";") || k.isOp("}") { break }
            if k.isOp("...") {
                p += 1
                let spread = parseExpression()
                entries.append(PHPEntry(key: nil, keySpan: nil, value: PHPExpr(.unknown, span: join(k.span, spread.span))))
            } else {
                if k.isOp("&") { p += 1 }
                let first = parseExpression()
                if isOp("=>") {
                    p += 1
                    if isOp("&") { p += 1 }
                    let value = parseExpression()
                    let key = PHPKey(first.value)
                    if case .int(let i)? = key { next = max(next, i &+ 1) }
                    entries.append(PHPEntry(key: key, keySpan: first.span, value: value))
                } else {
                    entries.append(PHPEntry(key: .int(next), keySpan: nil, value: first))
                    next &+= 1
                }
            }
            // Anything but `,` or the end here (a missing comma) makes PHP refuse the file; read on.
            if let after = tok(), !after.isOp(","), !after.isOp(close) {
                if after.isOp(";") || after.isOp("}") { break }
                skipExpression()
                if let last = entries.indices.last { entries[last].value.value = .unknown }
                if let k2 = tok(), !k2.isOp(","), !k2.isOp(close) { p += 1 }
            }
        }
        guard let end = tok(), end.isOp(close) else {
            return PHPExpr(.unknown, span: join(open.span, previousSpan(orElse: open.span)))
        }
        p += 1
        return PHPExpr(.array(entries), span: join(open.span, end.span))
    }

    /// Reads over the rest of an expression: balanced brackets, up to `;`, `,`, `=>` or a closing
    /// bracket at depth 0 (not consumed).
    private mutating func skipExpression() {
        var depth = 0
        while let k = tok() {
            if depth == 0, k.isOp(";") || k.isOp(",") || k.isOp("=>") || k.isOp(")") || k.isOp("]") || k.isOp("}") { return }
            if k.isOp("(") || k.isOp("[") || k.isOp("{") { depth += 1 }
            if k.isOp(")") || k.isOp("]") || k.isOp("}") { depth -= 1 }
            p += 1
        }
    }

    private func join(_ a: SourceSpan, _ b: SourceSpan) -> SourceSpan {
        SourceSpan(path: a.path, line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn)
    }
}
