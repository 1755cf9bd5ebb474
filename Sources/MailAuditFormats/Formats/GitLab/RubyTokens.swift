import MailAuditCore

/// One token of a Ruby file read as data.
struct RubyToken {
    enum Kind: Equatable {
        /// A name: a local or method name, a keyword, a constant, `@ivar`, `$gvar`.
        case identifier(String)
        /// `key:` in a hash or an argument list (also `"key":`).
        case label(String)
        case literal(GitLabSyntax.Literal)
        /// A literal whose value needs code: an interpolated string, a regular expression, a
        /// command in backquotes, a rational or imaginary number.
        case computedLiteral
        case punct(String)
        case newline
        /// A line that holds only a template directive (`{% if … %}`): the file is a Jinja template.
        case template(TemplateSyntax.Directive)
    }

    var kind: Kind
    /// Byte offsets of the token's text.
    var start: Int
    var end: Int
    var line: Int
    var column: Int
    var endLine: Int
    var endColumn: Int
    /// Whether blanks come right before the token (`a [1]` is a call with an array, `a[1]` an index).
    var spaceBefore: Bool

    var isNewline: Bool { kind == .newline }

    func isPunct(_ p: String) -> Bool { if case .punct(p) = kind { return true }; return false }

    func isIdentifier(_ name: String) -> Bool { if case .identifier(name) = kind { return true }; return false }

    /// Whether an expression may end with this token, so that what follows is an operator rather
    /// than the start of a literal (`a / b` divides, `puts /x/` passes a regular expression).
    var endsValue: Bool {
        switch kind {
        case .literal, .computedLiteral: return true
        case .identifier(let name): return !RubyLexer.keywordsBeforeValues.contains(name)
        case .punct(let p): return p == ")" || p == "]" || p == "}"
        case .label, .newline, .template: return false
        }
    }
}

/// Ruby's lexical grammar, as far as reading a configuration file as data needs it: strings of every
/// quoting with their escapes, heredocs, `%` literals, regular expressions, symbols, numbers,
/// comments and `=begin`/`=end`, `__END__`. Tokens carry 1-based lines and columns counted in
/// Unicode scalars. One pass over the bytes; interpolation nesting is capped so that hostile input
/// cannot exhaust the stack.
struct RubyLexer {
    /// Keywords after which an expression starts (so `/`, `%`, `<<`, `?` and `-1` begin literals there).
    static let keywordsBeforeValues: Set<String> = [
        "if", "unless", "while", "until", "and", "or", "not", "then", "else", "elsif", "when", "case",
        "in", "do", "begin", "rescue", "ensure", "return", "yield", "break", "next", "redo", "retry",
        "def", "class", "module", "super", "defined?",
    ]
    static let interpolationLimit = 32

    private let bytes: [UInt8]
    private let path: String
    private var i = 0
    private var line = 1
    private var column = 1
    private var spaceBefore = false
    private(set) var tokens: [RubyToken] = []
    private(set) var diagnostics = Diagnostics()
    private var pendingHeredocs: [(token: Int, terminator: [UInt8], indented: Bool, squiggly: Bool, raw: Bool)] = []

    init(text: String, path: String) {
        self.init(bytes: Array(text.utf8), path: path)
    }

    private init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    static func tokens(of text: String, path: String) -> (tokens: [RubyToken], diagnostics: Diagnostics) {
        var lexer = RubyLexer(text: text, path: path)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics)
    }

    // MARK: Positions

    private func peek(_ k: Int = 0) -> UInt8? { i + k < bytes.count ? bytes[i + k] : nil }

    private mutating func advance() {
        let b = bytes[i]
        i += 1
        if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
    }

    private mutating func advance(_ n: Int) { for _ in 0..<n where i < bytes.count { advance() } }

    private func span(line: Int, column: Int) -> SourceSpan {
        SourceSpan(path: path, line: line, column: column, endLine: self.line, endColumn: self.column)
    }

    private mutating func emit(_ kind: RubyToken.Kind, start: Int, line: Int, column: Int) {
        tokens.append(RubyToken(kind: kind, start: start, end: i, line: line, column: column, endLine: self.line, endColumn: self.column, spaceBefore: spaceBefore))
        spaceBefore = false
    }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0C || b == 0x0B }

    /// Whether a literal may start here: at the start of an expression rather than after a value.
    /// After a name and a blank, `name /x/` and `name %w(a)` pass literals; `name / x` divides.
    private func atValueStart() -> Bool {
        guard let last = tokens.last else { return true }
        if !last.endsValue { return true }
        if case .identifier = last.kind, spaceBefore, let next = peek(1), !Self.isBlank(next), next != 0x3D { return true }
        return false
    }

    private func text(_ from: Int, _ to: Int) -> String { String(decoding: bytes[from..<to], as: UTF8.self) }

    // MARK: The pass

    mutating func run() {
        var atLineStart = true
        while i < bytes.count {
            if atLineStart {
                atLineStart = false
                if lineStart() { continue }
            }
            let b = bytes[i]
            let start = i, l = line, c = column
            switch b {
            case 0x0A:
                advance()
                emit(.newline, start: start, line: l, column: c)
                heredocBodies()
                atLineStart = true
            case _ where Self.isBlank(b):
                advance()
                spaceBefore = true
            case 0x5C where peek(1) == 0x0A || (peek(1) == 0x0D && peek(2) == 0x0A):
                // `\` at the end of a line joins the next one.
                advance(peek(1) == 0x0D ? 3 : 2)
                spaceBefore = true
            case 0x23:  // `#` comment
                while let n = peek(), n != 0x0A { advance() }
            case 0x27, 0x22, 0x60:  // ' " `
                quoted(start: start, line: l, column: c)
            case _ where Self.isDigit(b):
                number(start: start, line: l, column: c)
            case _ where (b == 0x2D || b == 0x2B) && peek(1).map(Self.isDigit) == true && atValueStart():
                number(start: start, line: l, column: c)
            case 0x3A:
                colon(start: start, line: l, column: c)
            case 0x25 where atValueStart() && percentLiteral(start: start, line: l, column: c):
                break
            case 0x2F where atValueStart():
                regularExpression(start: start, line: l, column: c)
            case 0x3F where atValueStart() && characterLiteral(start: start, line: l, column: c):
                break
            case 0x3C where peek(1) == 0x3C && atValueStart() && heredocStart(start: start, line: l, column: c):
                break
            case 0x40, 0x24:  // @ivar, @@cvar, $gvar
                advance()
                if b == 0x40, peek() == 0x40 { advance() }
                if let n = peek(), Self.isIdentifierByte(n) {
                    while let n = peek(), Self.isIdentifierByte(n) { advance() }
                } else if b == 0x24, let n = peek(), n != 0x0A { advance() }
                emit(.identifier(text(start, i)), start: start, line: l, column: c)
            case _ where Self.isIdentifierStart(b):
                identifier(start: start, line: l, column: c)
            default:
                punctuation(start: start, line: l, column: c)
            }
        }
        if !pendingHeredocs.isEmpty { heredocBodies() }
    }

    /// `=begin` … `=end`, `__END__` and template directive lines, all only at the start of a line.
    /// Returns true when it consumed something.
    private mutating func lineStart() -> Bool {
        if starts(with: "=begin"), peek(6).map({ Self.isBlank($0) || $0 == 0x0A }) ?? true {
            let l = line, c = column
            while i < bytes.count {
                while let n = peek(), n != 0x0A { advance() }
                if i < bytes.count { advance() }
                if starts(with: "=end"), peek(4).map({ Self.isBlank($0) || $0 == 0x0A }) ?? true {
                    while let n = peek(), n != 0x0A { advance() }
                    return true
                }
            }
            diagnostics.report("=begin without =end: the comment runs to the end of the file", at: SourceSpan(path: path, line: l, column: c))
            return true
        }
        if starts(with: "__END__"), peek(7) == nil || peek(7) == 0x0A || (peek(7) == 0x0D && peek(8) == 0x0A) {
            i = bytes.count
            return true
        }
        var k = i
        while k < bytes.count, Self.isBlank(bytes[k]) { k += 1 }
        guard k + 1 < bytes.count, bytes[k] == 0x7B, bytes[k + 1] == 0x25 || bytes[k + 1] == 0x23 || bytes[k + 1] == 0x7B else { return false }
        var e = k
        while e < bytes.count, bytes[e] != 0x0A { e += 1 }
        let end = e > k && bytes[e - 1] == 0x0D ? e - 1 : e  // CRLF files
        guard let directive = TemplateSyntax.jinjaDirective(Substring(text(i, end))) else { return false }
        let start = i, l = line, c = column
        while i < e { advance() }
        emit(.template(directive), start: start, line: l, column: c)
        return true
    }

    private func starts(with prefix: StaticString) -> Bool {
        let p = prefix.utf8Start
        guard i + prefix.utf8CodeUnitCount <= bytes.count else { return false }
        for k in 0..<prefix.utf8CodeUnitCount where bytes[i + k] != p[k] { return false }
        return true
    }

    // MARK: Names and punctuation

    private mutating func identifier(start: Int, line l: Int, column c: Int) {
        while let n = peek(), Self.isIdentifierByte(n) { advance() }
        // `empty?`, `merge!` (not `a!=b`, not `a ?b`).
        if let n = peek(), n == 0x3F || n == 0x21, peek(1) != 0x3D, !(n == 0x3F && peek(1).map(Self.isIdentifierStart) == true) { advance() }
        let name = text(start, i)
        // `key:` is a label; `A::B` is a scope.
        if peek() == 0x3A, peek(1) != 0x3A, !(tokens.last?.isPunct("?") ?? false) {
            advance()
            emit(.label(name), start: start, line: l, column: c)
            return
        }
        switch name {
        case "true": emit(.literal(.bool(true)), start: start, line: l, column: c)
        case "false": emit(.literal(.bool(false)), start: start, line: l, column: c)
        case "nil": emit(.literal(.null), start: start, line: l, column: c)
        default: emit(.identifier(name), start: start, line: l, column: c)
        }
    }

    /// Operators of two or more characters, longest first, as bytes (compared in place, no copies).
    private static let operators: [[UInt8]] = [
        "**=", "<=>", "===", "...", "||=", "&&=", "<<=", ">>=",
        "==", "!=", ">=", "<=", "&&", "||", "<<", ">>", "**", "::", "..", "=>", "->", "+=", "-=", "*=",
        "/=", "%=", "|=", "&=", "^=", "=~", "!~", "&.",
    ].map { Array($0.utf8) }

    private static let symbolOperators: [[UInt8]] = [
        "[]=", "[]", "<=>", "===", "==", "=~", "!=", "!~", "<<", ">>", "<=", ">=", "**", "+@", "-@",
        "+", "-", "*", "/", "%", "<", ">", "!", "&", "|", "^", "~",
    ].map { Array($0.utf8) }

    /// The longest of `candidates` the input continues with at `i`.
    private func longest(_ candidates: [[UInt8]]) -> Int? {
        for op in candidates where i + op.count <= bytes.count {
            var k = 0
            while k < op.count, bytes[i + k] == op[k] { k += 1 }
            if k == op.count { return op.count }
        }
        return nil
    }

    private mutating func punctuation(start: Int, line l: Int, column c: Int) {
        advance(longest(Self.operators) ?? 1)
        emit(.punct(text(start, i)), start: start, line: l, column: c)
    }

    private mutating func colon(start: Int, line l: Int, column c: Int) {
        advance()
        guard let n = peek() else { emit(.punct(":"), start: start, line: l, column: c); return }
        if n == 0x3A { advance(); emit(.punct("::"), start: start, line: l, column: c); return }
        if n == 0x22 || n == 0x27 {
            // :"symbol"
            let value = quotedBody(quote: n, interpolating: n == 0x22, line: l, column: c)
            emit(value.map { .literal(.symbol($0)) } ?? .computedLiteral, start: start, line: l, column: c)
            return
        }
        if Self.isIdentifierStart(n) || n == 0x40 || n == 0x24 {
            let nameStart = i
            if n == 0x40 || n == 0x24 { advance() }
            while let b = peek(), Self.isIdentifierByte(b) { advance() }
            if let b = peek(), b == 0x3F || b == 0x21 || b == 0x3D, ![0x3D, 0x7E, 0x3E].contains(peek(1) ?? 0) { advance() }
            emit(.literal(.symbol(text(nameStart, i))), start: start, line: l, column: c)
            return
        }
        if !(tokens.last?.endsValue ?? false), let length = longest(Self.symbolOperators) {
            let opStart = i
            advance(length)
            emit(.literal(.symbol(text(opStart, i))), start: start, line: l, column: c)
            return
        }
        emit(.punct(":"), start: start, line: l, column: c)
    }

    // MARK: Numbers

    private mutating func number(start: Int, line l: Int, column c: Int) {
        var negative = false
        if bytes[i] == 0x2D || bytes[i] == 0x2B { negative = bytes[i] == 0x2D; advance() }
        var radix = 10
        var float = false
        if peek() == 0x30, let p = peek(1) {
            switch p | 0x20 {
            case 0x78: radix = 16; advance(2)
            case 0x62: radix = 2; advance(2)
            case 0x6F: radix = 8; advance(2)
            case 0x64: radix = 10; advance(2)
            default: if Self.isDigit(p) || p == 0x5F { radix = 8; advance() }
            }
        }
        let digitsStart = i
        while let n = peek(), Self.isDigit(n) || n == 0x5F || (radix == 16 && ((n | 0x20) >= 0x61 && (n | 0x20) <= 0x66)) { advance() }
        if radix == 10, peek() == 0x2E, peek(1).map(Self.isDigit) == true {
            float = true
            advance()
            while let n = peek(), Self.isDigit(n) || n == 0x5F { advance() }
        }
        if radix == 10, let e = peek(), e | 0x20 == 0x65, let n = peek(1), Self.isDigit(n) || ((n == 0x2B || n == 0x2D) && peek(2).map(Self.isDigit) == true) {
            float = true
            advance(2)
            while let n = peek(), Self.isDigit(n) || n == 0x5F { advance() }
        }
        let digits = text(digitsStart, i).filter { $0 != "_" }
        // 3r and 2i are Rational and Complex; 1.5e and friends are errors Ruby reports, not values.
        if let n = peek(), n == 0x72 || n == 0x69, !(peek(1).map(Self.isIdentifierByte) ?? false) {
            advance()
            emit(.computedLiteral, start: start, line: l, column: c)
            return
        }
        if float {
            emit(Double(digits).map { .literal(.float(negative ? -$0 : $0)) } ?? .computedLiteral, start: start, line: l, column: c)
        } else if digits.isEmpty {
            emit(radix == 8 ? .literal(.integer(0)) : .computedLiteral, start: start, line: l, column: c)
        } else if let v = Int(digits, radix: radix) {
            emit(.literal(.integer(negative ? -v : v)), start: start, line: l, column: c)
        } else {
            emit(.computedLiteral, start: start, line: l, column: c)  // a Bignum: not a setting anyone writes
        }
    }

    // MARK: Strings

    private mutating func quoted(start: Int, line l: Int, column c: Int) {
        let quote = bytes[i]
        let value = quotedBody(quote: quote, interpolating: quote != 0x27, line: l, column: c)
        if quote == 0x60 { emit(.computedLiteral, start: start, line: l, column: c); return }
        // "key": value in a hash.
        if let value, peek() == 0x3A, peek(1) != 0x3A, let last = tokens.last, last.isPunct("{") || last.isPunct(",") || last.isPunct("(") {
            advance()
            emit(.label(value), start: start, line: l, column: c)
            return
        }
        emit(value.map { .literal(.string($0)) } ?? .computedLiteral, start: start, line: l, column: c)
    }

    /// The text of a quoted string starting at its opening quote, escapes applied; nil when it
    /// interpolates code (`#{…}`, `#@name`) or does not end.
    private mutating func quotedBody(quote: UInt8, interpolating: Bool, line l: Int, column c: Int) -> String? {
        advance()
        return delimitedBody(open: quote, close: quote, interpolating: interpolating, raw: !interpolating, depth: 0, line: l, column: c, what: "string")
    }

    /// Reads up to the closing delimiter (bracket pairs nest), applying Ruby's escapes.
    private mutating func delimitedBody(open: UInt8, close: UInt8, interpolating: Bool, raw: Bool, depth: Int, line l: Int, column c: Int, what: String) -> String? {
        var out: [UInt8] = []
        var computed = false
        var nesting = 0
        while let b = peek() {
            if b == 0x5C, let n = peek(1) {
                if raw {
                    // Single quotes: only \\ and \' (the delimiter) are escapes.
                    if n == 0x5C || n == close || n == open { out.append(n) } else { out.append(b); out.append(n) }
                    advance(2)
                } else {
                    advance()
                    escape(into: &out)
                }
                continue
            }
            if open != close, b == open { nesting += 1 }
            if b == close {
                if nesting == 0 { advance(); return computed ? nil : String(decoding: out, as: UTF8.self) }
                nesting -= 1
            }
            if interpolating, b == 0x23, let n = peek(1), n == 0x7B || n == 0x40 || n == 0x24 {
                computed = true
                advance()
                if n == 0x7B {
                    advance()
                    if !skipInterpolation(depth: depth + 1) { return nil }
                }
                continue
            }
            out.append(b)
            advance()
        }
        diagnostics.report("unterminated \(what): the \(what) opened here does not end before the end of the file", at: SourceSpan(path: path, line: l, column: c))
        return nil
    }

    /// Skips `#{ … }` up to its closing brace, strings inside included. False at the end of the file
    /// or past the nesting limit (reported).
    private mutating func skipInterpolation(depth: Int) -> Bool {
        let l = line, c = column
        if depth > Self.interpolationLimit {
            diagnostics.report("interpolation nested more than \(Self.interpolationLimit) deep: the rest of the file is not read", at: SourceSpan(path: path, line: l, column: c))
            i = bytes.count
            return false
        }
        var braces = 0
        while let b = peek() {
            switch b {
            case 0x7B: braces += 1; advance()
            case 0x7D:
                advance()
                if braces == 0 { return true }
                braces -= 1
            case 0x22, 0x27, 0x60:
                let sl = line, sc = column
                advance()
                _ = delimitedBody(open: b, close: b, interpolating: b != 0x27, raw: b == 0x27, depth: depth, line: sl, column: sc, what: "string")
            case 0x5C: advance(2)
            default: advance()
            }
        }
        diagnostics.report("unterminated interpolation: `#{` is not closed before the end of the file", at: SourceSpan(path: path, line: l, column: c))
        return false
    }

    /// One escape after a backslash in a double-quoted string (the backslash is consumed).
    private mutating func escape(into out: inout [UInt8]) {
        guard let n = peek() else { return }
        advance()
        switch n {
        case 0x6E: out.append(0x0A)  // \n
        case 0x74: out.append(0x09)  // \t
        case 0x72: out.append(0x0D)  // \r
        case 0x73: out.append(0x20)  // \s
        case 0x65: out.append(0x1B)  // \e
        case 0x61: out.append(0x07)  // \a
        case 0x62: out.append(0x08)  // \b
        case 0x66: out.append(0x0C)  // \f
        case 0x76: out.append(0x0B)  // \v
        case 0x0A: break  // a backslash-newline joins the lines
        case 0x75:  // \uXXXX or \u{X Y}
            if peek() == 0x7B {
                advance()
                var hex: [UInt8] = []
                while let h = peek(), h != 0x7D, h != 0x0A {
                    advance()
                    if h == 0x20 || h == 0x09 { appendScalar(hex, into: &out); hex = [] } else { hex.append(h) }
                }
                appendScalar(hex, into: &out)
                if peek() == 0x7D { advance() }
            } else {
                var hex: [UInt8] = []
                while hex.count < 4, let h = peek(), Self.isHex(h) { hex.append(h); advance() }
                appendScalar(hex, into: &out)
            }
        case 0x78:  // \xHH
            var hex: [UInt8] = []
            while hex.count < 2, let h = peek(), Self.isHex(h) { hex.append(h); advance() }
            if let v = UInt8(String(decoding: hex, as: UTF8.self), radix: 16) { out.append(v) }
        case 0x30...0x37:  // \NNN octal
            var v = Int(n - 0x30)
            var count = 1
            while count < 3, let o = peek(), o >= 0x30, o <= 0x37 { v = v * 8 + Int(o - 0x30); advance(); count += 1 }
            out.append(UInt8(v & 0xFF))
        default: out.append(n)  // \\ \" \# and any other character stand for themselves
        }
    }

    private static func isHex(_ b: UInt8) -> Bool { isDigit(b) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66) }

    private func appendScalar(_ hex: [UInt8], into out: inout [UInt8]) {
        guard !hex.isEmpty, let v = UInt32(String(decoding: hex, as: UTF8.self), radix: 16), let s = Unicode.Scalar(v) else { return }
        out.append(contentsOf: Array(String(Character(s)).utf8))
    }

    /// `%q(…)`, `%Q[…]`, `%(…)`, `%w`, `%W`, `%i`, `%I`, `%s`, `%r`, `%x`. False when `%` is the operator.
    private mutating func percentLiteral(start: Int, line l: Int, column c: Int) -> Bool {
        guard let n = peek(1) else { return false }
        var type: UInt8 = 0x51  // Q
        var delimiterAt = 1
        if [0x71, 0x51, 0x77, 0x57, 0x69, 0x49, 0x73, 0x72, 0x78].contains(n) {
            type = n
            delimiterAt = 2
        }
        guard let open = peek(delimiterAt), !Self.isIdentifierByte(open), !Self.isBlank(open), open != 0x0A, open != 0x3D || delimiterAt == 2 else { return false }
        let close: UInt8
        switch open {
        case 0x28: close = 0x29
        case 0x5B: close = 0x5D
        case 0x7B: close = 0x7D
        case 0x3C: close = 0x3E
        default: close = open
        }
        advance(delimiterAt + 1)
        let interpolating = [0x51, 0x57, 0x49, 0x72, 0x78].contains(type)
        let body = delimitedBody(open: open, close: close, interpolating: interpolating, raw: !interpolating, depth: 0, line: l, column: c, what: "%-literal")
        if type == 0x72 {
            while let f = peek(), f >= 0x61, f <= 0x7A { advance() }
        }
        let kind: RubyToken.Kind
        switch (type, body) {
        case (_, nil), (0x72, _), (0x78, _): kind = .computedLiteral
        case (0x77, let b?), (0x57, let b?): kind = .literal(.array(Self.words(b).map { .string($0) }))
        case (0x69, let b?), (0x49, let b?): kind = .literal(.array(Self.words(b).map { .symbol($0) }))
        case (0x73, let b?): kind = .literal(.symbol(b))
        case (_, let b?): kind = .literal(.string(b))
        }
        emit(kind, start: start, line: l, column: c)
        return true
    }

    private static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init)
    }

    private mutating func regularExpression(start: Int, line l: Int, column c: Int) {
        advance()
        _ = delimitedBody(open: 0x2F, close: 0x2F, interpolating: true, raw: false, depth: 0, line: l, column: c, what: "regular expression")
        while let f = peek(), f >= 0x61, f <= 0x7A { advance() }
        emit(.computedLiteral, start: start, line: l, column: c)
    }

    /// `?a` is the string "a" (only where a value starts and one character stands alone).
    private mutating func characterLiteral(start: Int, line l: Int, column c: Int) -> Bool {
        guard let n = peek(1), !Self.isBlank(n), n != 0x0A else { return false }
        if n == 0x5C {
            guard peek(2) != nil else { return false }
            advance(2)
            var out: [UInt8] = []
            escape(into: &out)
            emit(.literal(.string(String(decoding: out, as: UTF8.self))), start: start, line: l, column: c)
            return true
        }
        // One scalar (its UTF-8 bytes), then something that cannot continue a name.
        var length = 1
        while 1 + length < bytes.count - i, bytes[i + 1 + length] & 0xC0 == 0x80 { length += 1 }
        if let after = peek(1 + length), Self.isIdentifierByte(after) { return false }
        advance()
        let from = i
        advance(length)
        emit(.literal(.string(text(from, i))), start: start, line: l, column: c)
        return true
    }

    // MARK: Heredocs

    /// `<<~EOS`, `<<-EOS`, `<<EOS`, with the name optionally quoted; the body follows the current line.
    private mutating func heredocStart(start: Int, line l: Int, column c: Int) -> Bool {
        var k = i + 2
        var squiggly = false, indented = false
        if k < bytes.count, bytes[k] == 0x7E { squiggly = true; indented = true; k += 1 } else if k < bytes.count, bytes[k] == 0x2D { indented = true; k += 1 }
        var quote: UInt8? = nil
        if k < bytes.count, [0x27, 0x22, 0x60].contains(bytes[k]) { quote = bytes[k]; k += 1 }
        let nameStart = k
        guard k < bytes.count, Self.isIdentifierStart(bytes[k]) else { return false }
        while k < bytes.count, Self.isIdentifierByte(bytes[k]) { k += 1 }
        let terminator = Array(bytes[nameStart..<k])
        if let q = quote {
            guard k < bytes.count, bytes[k] == q else { return false }
            k += 1
        } else if !squiggly, !indented, terminator.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) {
            // `a <<b` shifts; only `<<NAME` in capitals is taken for a bare heredoc.
            return false
        }
        while i < k { advance() }
        emit(quote == 0x60 ? .computedLiteral : .literal(.string("")), start: start, line: l, column: c)
        pendingHeredocs.append((tokens.count - 1, terminator, indented, squiggly, quote == 0x27))
        return true
    }

    /// Reads the bodies of the heredocs started on the line just ended, in order.
    private mutating func heredocBodies() {
        let pending = pendingHeredocs
        pendingHeredocs = []
        for h in pending {
            var body: [[UInt8]] = []
            var closed = false
            while i < bytes.count {
                let lineStart = i
                while let n = peek(), n != 0x0A { advance() }
                var content = Array(bytes[lineStart..<i])
                if i < bytes.count { advance() }
                if content.last == 0x0D { content.removeLast() }
                var candidate = content[...]
                if h.indented { candidate = candidate.drop { Self.isBlank($0) } }
                if Array(candidate) == h.terminator { closed = true; break }
                body.append(content)
            }
            let token = tokens[h.token]
            guard closed else {
                diagnostics.report("unterminated heredoc: no line '\(String(decoding: h.terminator, as: UTF8.self))' ends it", at: SourceSpan(path: path, line: token.line, column: token.column))
                tokens[h.token].kind = .computedLiteral
                continue
            }
            guard case .literal = token.kind else { continue }
            if h.squiggly {
                let indents = body.filter { !$0.allSatisfy(Self.isBlank) }.map { $0.prefix(while: Self.isBlank).count }
                let common = indents.min() ?? 0
                body = body.map { Array($0.dropFirst(min(common, $0.prefix(while: Self.isBlank).count))) }
            }
            let raw = body.map { $0 + [0x0A] }.joined()
            if h.raw {
                tokens[h.token].kind = .literal(.string(String(decoding: Array(raw), as: UTF8.self)))
            } else {
                tokens[h.token].kind = Self.decodeDoubleQuoted(Array(raw)).map { .literal(.string($0)) } ?? .computedLiteral
            }
        }
    }

    /// A heredoc body read like a double-quoted string; nil when it interpolates. The body is read up
    /// to a NUL added at its end, which no input holds (files with NUL bytes are refused before parsing).
    private static func decodeDoubleQuoted(_ body: [UInt8]) -> String? {
        var lexer = RubyLexer(bytes: body + [0], path: "")
        return lexer.delimitedBody(open: 0, close: 0, interpolating: true, raw: false, depth: 0, line: 1, column: 1, what: "heredoc")
    }
}
