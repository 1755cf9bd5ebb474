import MailAuditCore

/// Omnibus GitLab's `gitlab.rb` as statements. The file is Ruby that Omnibus evaluates; mailaudit
/// reads it as data and runs nothing: `gitlab_rails['smtp_port'] = 587` (also other top-level
/// settings such as `nginx[…]`, nested `['a']['b']`) and `external_url 'https://…'`, with literal
/// values — strings, symbols, numbers, true/false/nil, arrays and hashes of them, strings joined by
/// adjacency or `+`. Anything else (`ENV['X']`, `File.read(…)`, a method call, `#{…}`) is a
/// computed value with its span: unknown, never guessed. Statements inside a block (`if`, `case`,
/// `do … end`, a method body, a template's `{% if %}`) or under a modifier (`… if x`) are marked
/// conditional: whether they run depends on code.
struct GitLabSyntax {
    indirect enum Literal: Equatable {
        case string(String), symbol(String), integer(Int), float(Double), bool(Bool), null
        case array([Literal]), hash([Pair])
        /// `OpenSSL::SSL::VERIFY_NONE` and other constant paths: named, not evaluated.
        case constant(String)

        /// The text of a string or symbol (Omnibus treats `:login` and `'login'` alike).
        var text: String? {
            switch self {
            case .string(let s), .symbol(let s): return s
            default: return nil
            }
        }

        /// Ruby's truth: everything but `false` and `nil` is true (the string 'false' too).
        var isTruthy: Bool { self != .bool(false) && self != .null }
    }

    struct Pair: Equatable {
        var key: Literal
        var value: Literal
    }

    enum Value: Equatable {
        case literal(Literal)
        /// Computed by code: unknown. The source text, shortened, for messages.
        case computed(String)

        var literal: Literal? { if case .literal(let l) = self { return l }; return nil }
    }

    struct Statement {
        enum Kind: Equatable {
            /// `receiver['a']['b'] = value`; a key that is not a literal is nil. Other operators
            /// (`||=`, `+=`, `<<`, `.merge!(…)`) make the value computed.
            case assignment(receiver: String, keys: [String?])
            /// `external_url 'https://…'`: a method called at the top level with one literal argument.
            case call(String)
        }

        var kind: Kind
        var value: Value
        var valueSpan: SourceSpan
        /// `gitlab_rails['smtp_port']`, or the called method's name.
        var targetSpan: SourceSpan
        var conditional: Bool
    }

    /// How deep arrays and hashes may nest before a value is taken as computed (the stack is finite).
    static let nestingLimit = 64

    private(set) var statements: [Statement] = []
    private(set) var diagnostics = Diagnostics()
    private let file: SourceFile
    private let tokens: [RubyToken]
    private let bytes: [UInt8]

    init(_ file: SourceFile) {
        self.file = file
        let lexed = RubyLexer.tokens(of: file.text, path: file.path)
        tokens = lexed.tokens
        diagnostics.report(contentsOf: lexed.diagnostics)
        bytes = Array(file.text.utf8)
        split()
    }

    // MARK: Statements

    /// Operators that continue an expression on the next line when a line ends with them.
    private static let continuing: Set<String> = [
        "=", "+", "-", "*", "/", "%", "**", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "<<", ">>", "&",
        "^", ".", "&.", "::", "?", ":", "=>", ",", "(", "[", "{", "+=", "-=", "*=", "/=", "||=", "&&=",
        "|=", "&=", "<<=", "=~", "!~", "<=>", "===", "..", "...", "->", "!",
    ]

    private mutating func split() {
        var current: [Int] = []
        var brackets = 0
        var blocks = 0
        var templateBlocks = 0
        var k = 0
        func ends(at k: Int) -> Bool {
            guard brackets == 0, let last = current.last else { return false }
            if case .punct(let p) = tokens[last].kind, Self.continuing.contains(p) { return false }
            if case .identifier(let w) = tokens[last].kind, ["and", "or", "not"].contains(w) { return false }
            // A line that starts with `.name` or `&.name` continues the expression before it.
            var n = k + 1
            while n < tokens.count, tokens[n].isNewline { n += 1 }
            if n < tokens.count, tokens[n].isPunct(".") || tokens[n].isPunct("&.") { return false }
            return true
        }
        while k < tokens.count {
            let t = tokens[k]
            switch t.kind {
            case .template(let directive):
                if !current.isEmpty { statement(current, blocks: &blocks, outer: templateBlocks) }
                current = []
                brackets = 0
                switch directive {
                case .open: templateBlocks += 1
                case .close: templateBlocks = max(0, templateBlocks - 1)
                case .middle, .other: break
                }
            case .newline:
                if ends(at: k) { statement(current, blocks: &blocks, outer: templateBlocks); current = [] }
            case .punct(";") where brackets == 0:
                if !current.isEmpty { statement(current, blocks: &blocks, outer: templateBlocks) }
                current = []
            default:
                if case .punct(let p) = t.kind {
                    if p == "(" || p == "[" || p == "{" { brackets += 1 }
                    if p == ")" || p == "]" || p == "}" { brackets = max(0, brackets - 1) }
                }
                current.append(k)
            }
            k += 1
        }
        if !current.isEmpty { statement(current, blocks: &blocks, outer: templateBlocks) }
    }

    /// Reads one statement (token indices, newlines left out) and keeps track of `if … end` blocks.
    private mutating func statement(_ indices: [Int], blocks: inout Int, outer templateBlocks: Int) {
        let ts = indices.map { tokens[$0] }
        let inBlock = blocks > 0 || templateBlocks > 0
        var modifier = false
        var loopWithoutDo = false
        for (n, t) in ts.enumerated() {
            guard case .identifier(let word) = t.kind else { continue }
            if n > 0, ts[n - 1].isPunct(".") || ts[n - 1].isPunct("&.") || ts[n - 1].isPunct("::") { continue }
            let startsExpression = n == 0 || !ts[n - 1].endsValue
            switch word {
            case "if", "unless", "while", "until":
                if startsExpression {
                    blocks += 1
                    if word == "while" || word == "until" { loopWithoutDo = true }
                } else {
                    modifier = true
                }
            case "rescue":
                if !startsExpression { modifier = true }
            case "for":
                if startsExpression { blocks += 1; loopWithoutDo = true }
            case "case", "begin", "def", "class", "module":
                blocks += 1
            case "do":
                if loopWithoutDo { loopWithoutDo = false } else { blocks += 1 }
            case "end":
                blocks = max(0, blocks - 1)
            default: break
            }
        }
        let conditional = inBlock || modifier || blocks > 0
        if let own = assignment(ts, at: 0, conditional: conditional) ?? call(ts, conditional: conditional) {
            statements.append(own)
        }
        // Assignments further in (`x.each { a['k'] = 1 }`, `if c then a['k'] = 1 end`, `a['x'] = a['y'] = 1`)
        // run or not depending on code: their values are unknown.
        for n in ts.indices.dropFirst() {
            guard case .identifier = ts[n].kind, !ts[n - 1].isPunct("."), !ts[n - 1].isPunct("&."), !ts[n - 1].isPunct("::"),
                  let inner = innerAssignment(ts, at: n) else { continue }
            statements.append(inner)
        }
    }

    /// `name['k'] =` inside a statement: only simple keys, and the value is not read (so a statement
    /// full of them costs one look at each token).
    private func innerAssignment(_ ts: [RubyToken], at n: Int) -> Statement? {
        guard case .identifier(let receiver) = ts[n].kind, Self.isSettingName(receiver) else { return nil }
        var keys: [String?] = []
        var k = n + 1
        while k + 2 < ts.count, ts[k].isPunct("["), !ts[k].spaceBefore, ts[k + 2].isPunct("]"), case .literal(let key) = ts[k + 1].kind, let text = key.text {
            keys.append(text)
            k += 3
        }
        guard !keys.isEmpty, k < ts.count, case .punct(let op) = ts[k].kind, Self.isAssigning(op, next: k + 1 < ts.count ? ts[k + 1] : nil) else { return nil }
        let valueSpan = span(ts[k], ts[k])
        return Statement(kind: .assignment(receiver: receiver, keys: keys), value: .computed(source(of: valueSpan)), valueSpan: valueSpan, targetSpan: span(ts[n], ts[k - 1]), conditional: true)
    }

    /// Whether an operator after `name['k']` changes the setting: `=`, `||=`, `+=`, `<<`, or a
    /// method that changes the value in place (`.merge!(…)`, `.push(…)`).
    private static func isAssigning(_ op: String, next: RubyToken?) -> Bool {
        if op == "<<" { return true }
        if op == "." || op == "&." {
            guard case .identifier(let method)? = next?.kind else { return false }
            return method.hasSuffix("!") || ["store", "replace", "clear", "concat", "push", "update", "delete", "insert", "unshift", "prepend"].contains(method)
        }
        return op.hasSuffix("=") && !["==", "===", "!=", ">=", "<=", "=>"].contains(op)
    }

    /// `name['a'][:b] = value` starting at token `n`.
    private func assignment(_ ts: [RubyToken], at n: Int, conditional: Bool) -> Statement? {
        guard case .identifier(let receiver) = ts[n].kind, Self.isSettingName(receiver), n + 1 < ts.count, ts[n + 1].isPunct("["), !ts[n + 1].spaceBefore else { return nil }
        var keys: [String?] = []
        var k = n + 1
        while k < ts.count, ts[k].isPunct("["), !ts[k].spaceBefore {
            // One key: a literal string or symbol; anything else is a key computed by code.
            guard let close = matching(ts, from: k) else { return nil }
            if close == k + 2, case .literal(let key) = ts[k + 1].kind, let text = key.text { keys.append(text) } else { keys.append(nil) }
            k = close + 1
        }
        guard k < ts.count, case .punct(let op) = ts[k].kind, Self.isAssigning(op, next: k + 1 < ts.count ? ts[k + 1] : nil) else { return nil }
        let target = span(ts[n], ts[k - 1])
        // The value ends where a modifier (`if`, `unless`, …) starts, outside brackets.
        var end = ts.count
        var depth = 0
        var modifier = false
        for m in (k + 1)..<ts.count {
            if case .punct(let p) = ts[m].kind {
                if p == "(" || p == "[" || p == "{" { depth += 1 }
                if p == ")" || p == "]" || p == "}" { depth -= 1 }
            }
            if depth == 0, case .identifier(let w) = ts[m].kind, ["if", "unless", "while", "until", "rescue"].contains(w), m > k + 1, ts[m - 1].endsValue {
                end = m
                modifier = true
                break
            }
        }
        let valueTokens = Array(ts[(k + 1)..<end])
        guard let first = valueTokens.first, let last = valueTokens.last else {
            return Statement(kind: .assignment(receiver: receiver, keys: keys), value: .computed(""), valueSpan: span(ts[k], ts[k]), targetSpan: target, conditional: conditional || modifier)
        }
        let valueSpan = span(first, last)
        var value: Value = .computed(source(of: valueSpan))
        if op == "=", let literal = Self.literal(valueTokens[...], depth: 0) { value = .literal(literal) }
        return Statement(kind: .assignment(receiver: receiver, keys: keys), value: value, valueSpan: valueSpan, targetSpan: target, conditional: conditional || modifier)
    }

    /// `external_url 'https://…'` or `external_url('https://…')`: one literal argument.
    private func call(_ ts: [RubyToken], conditional: Bool) -> Statement? {
        guard ts.count >= 2, case .identifier(let name) = ts[0].kind, Self.isSettingName(name) else { return nil }
        var args = ts[1...]
        if ts[1].isPunct("("), !ts[1].spaceBefore, ts.last!.isPunct(")") { args = ts[2..<(ts.count - 1)] } else if !ts[1].spaceBefore { return nil }
        guard let first = args.first, let last = args.last else { return nil }
        if case .literal = first.kind {} else if case .computedLiteral = first.kind {} else { return nil }
        let valueSpan = span(first, last)
        let value: Value = Self.literal(args, depth: 0).map { .literal($0) } ?? .computed(source(of: valueSpan))
        return Statement(kind: .call(name), value: value, valueSpan: valueSpan, targetSpan: span(ts[0], ts[0]), conditional: conditional)
    }

    /// Names Omnibus settings go by: `gitlab_rails`, `nginx`, `external_url`, … (lower case, not keywords).
    private static func isSettingName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return false }
        return !RubyLexer.keywordsBeforeValues.contains(name) && !["end", "self", "puts", "require", "p", "raise"].contains(name)
            && name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// The index of the bracket that closes the one at `k`.
    private func matching(_ ts: [RubyToken], from k: Int) -> Int? { Self.closes(ts[...], open: k) }

    // MARK: Literal values

    /// The literal a run of tokens spells, or nil when it needs code.
    static func literal(_ ts: ArraySlice<RubyToken>, depth: Int) -> Literal? {
        guard depth < nestingLimit, let first = ts.first, let last = ts.last else { return nil }
        // ( literal )
        if first.isPunct("("), last.isPunct(")"), ts.count >= 3, closes(ts, open: ts.startIndex) == ts.endIndex - 1 {
            return literal(ts.dropFirst().dropLast(), depth: depth + 1)
        }
        if ts.count == 1 {
            if case .literal(let l) = first.kind { return l }
            return nil
        }
        // 'a' 'b' and 'a' + 'b': one string.
        if let joined = strings(ts) { return .string(joined) }
        // OpenSSL::SSL::VERIFY_PEER: a constant path, named.
        if let path = constantPath(ts) { return .constant(path) }
        if first.isPunct("["), last.isPunct("]"), closes(ts, open: ts.startIndex) == ts.endIndex - 1 {
            var items: [Literal] = []
            for element in elements(ts.dropFirst().dropLast()) {
                guard let item = literal(element, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return .array(items)
        }
        if first.isPunct("{"), last.isPunct("}"), closes(ts, open: ts.startIndex) == ts.endIndex - 1 {
            var pairs: [Pair] = []
            for element in elements(ts.dropFirst().dropLast()) {
                guard let head = element.first else { return nil }
                if case .label(let key) = head.kind {
                    guard let value = literal(element.dropFirst(), depth: depth + 1) else { return nil }
                    pairs.append(Pair(key: .symbol(key), value: value))
                    continue
                }
                guard let arrow = topLevel(element, "=>"),
                      let key = literal(element[element.startIndex..<arrow], depth: depth + 1),
                      let value = literal(element[(arrow + 1)...], depth: depth + 1) else { return nil }
                pairs.append(Pair(key: key, value: value))
            }
            return .hash(pairs)
        }
        return nil
    }

    /// Adjacent string literals, or string literals joined by `+`.
    private static func strings(_ ts: ArraySlice<RubyToken>) -> String? {
        var out = ""
        var expectString = true
        var plus = false
        for t in ts {
            if case .literal(.string(let s)) = t.kind {
                if !expectString && plus { return nil }
                out += s
                expectString = false
                plus = false
            } else if t.isPunct("+"), !expectString {
                expectString = true
                plus = true
            } else {
                return nil
            }
        }
        return expectString ? nil : out
    }

    private static func constantPath(_ ts: ArraySlice<RubyToken>) -> String? {
        var parts: [String] = []
        for (n, t) in ts.enumerated() {
            if n % 2 == 1 { guard t.isPunct("::") else { return nil }; continue }
            guard case .identifier(let name) = t.kind, let c = name.unicodeScalars.first, ("A"..."Z").contains(c) else { return nil }
            parts.append(name)
        }
        return parts.count >= 2 && ts.count % 2 == 1 ? parts.joined(separator: "::") : nil
    }

    private static func closes(_ ts: ArraySlice<RubyToken>, open: Int) -> Int? {
        var depth = 0
        for m in open..<ts.endIndex {
            if case .punct(let p) = ts[m].kind {
                if p == "(" || p == "[" || p == "{" { depth += 1 }
                if p == ")" || p == "]" || p == "}" {
                    depth -= 1
                    if depth == 0 { return m }
                }
            }
        }
        return nil
    }

    /// The comma-separated elements at the top level (a trailing comma allowed).
    private static func elements(_ ts: ArraySlice<RubyToken>) -> [ArraySlice<RubyToken>] {
        var out: [ArraySlice<RubyToken>] = []
        var depth = 0
        var start = ts.startIndex
        for m in ts.indices {
            if case .punct(let p) = ts[m].kind {
                if p == "(" || p == "[" || p == "{" { depth += 1 }
                if p == ")" || p == "]" || p == "}" { depth -= 1 }
                if p == ",", depth == 0 { out.append(ts[start..<m]); start = m + 1 }
            }
        }
        if start < ts.endIndex { out.append(ts[start..<ts.endIndex]) }
        return out
    }

    private static func topLevel(_ ts: ArraySlice<RubyToken>, _ op: String) -> Int? {
        var depth = 0
        for m in ts.indices {
            if case .punct(let p) = ts[m].kind {
                if p == "(" || p == "[" || p == "{" { depth += 1 }
                if p == ")" || p == "]" || p == "}" { depth -= 1 }
                if p == op, depth == 0 { return m }
            }
        }
        return nil
    }

    // MARK: Spans

    private func span(_ from: RubyToken, _ to: RubyToken) -> SourceSpan {
        SourceSpan(path: file.path, line: from.line, column: from.column, endLine: to.endLine, endColumn: to.endColumn)
    }

    /// The source a span covers, shortened for messages.
    private func source(of span: SourceSpan) -> String {
        let text = file.text(of: span) ?? ""
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}
