import MailAuditCore

/// One token of PHP code, with its span.
struct PHPToken {
    enum Kind: Equatable {
        /// `$name`.
        case variable(String)
        /// An identifier or keyword, namespaced names included (`\OC\Memcache\APCu`).
        case name(String)
        /// A string literal's value; nil when it interpolates variables or is a heredoc or backtick command.
        case string(String?)
        case number(PHPValue)
        /// Punctuation and operators; `?>` becomes `;`, as PHP reads it.
        case op(String)
    }

    var kind: Kind
    var span: SourceSpan
    /// Inside a Jinja `{% if %}`/`{% for %}` block of a template: may not be in the rendered file.
    var templated: Bool

    func isOp(_ s: String) -> Bool { kind == .op(s) }

    /// A keyword, case-insensitively (`TRUE`, `Array`, `ENDIF`).
    func isName(_ s: String) -> Bool {
        if case .name(let n) = kind { return n.lowercased() == s }
        return false
    }
}

/// PHP's lexical rules, enough to read configuration files: inline text outside `<?php … ?>`,
/// comments (`//`, `#`, `/* */`), strings with PHP's escapes, heredocs, numbers, names and
/// operators. One pass over the scalars: linear, and a truncated file ends its last token.
struct PHPLexer {
    private(set) var tokens: [PHPToken] = []
    private(set) var diagnostics = Diagnostics()

    private let s: [Unicode.Scalar]
    private let path: String
    private var i = 0
    private var line = 1
    private var column = 1
    /// Lines that are a Jinja directive (`{% if x %}`), skipped like comments, and the Jinja block depth per line.
    private var directiveLines: Set<Int> = []
    private var templateDepth: [Int] = []

    static let operators: [String] = [
        "<<=", ">>=", "**=", "...", "<=>", "===", "!==", "??=", "?->",
        "=>", "==", "!=", "<>", "<=", ">=", "&&", "||", "??", "->", "::", "++", "--", "+=", "-=", "*=",
        "/=", ".=", "%=", "&=", "|=", "^=", "<<", ">>", "**",
    ].sorted { $0.unicodeScalars.count > $1.unicodeScalars.count }

    init(_ file: SourceFile) {
        s = Array(file.text.unicodeScalars)
        path = file.path
        var depth = 0
        for (n, text) in file.lines.enumerated() {
            switch TemplateSyntax.jinjaDirective(text) {
            case .open?: directiveLines.insert(n + 1); templateDepth.append(depth); depth += 1
            case .close?: directiveLines.insert(n + 1); depth = max(0, depth - 1); templateDepth.append(depth)
            case .middle?, .other?: directiveLines.insert(n + 1); templateDepth.append(depth)
            case nil: templateDepth.append(depth)
            }
        }
        lexInlineText()
        while i < s.count { lexCode() }
    }

    // MARK: - Scanning

    /// Whether a token began on the current line (a Jinja directive must stand alone on its line).
    private var tokenOnLine = false

    private func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    private mutating func advance() {
        if s[i] == "\n" { line += 1; column = 1; tokenOnLine = false } else { column += 1 }
        i += 1
    }

    private mutating func advance(_ n: Int) { for _ in 0..<n where i < s.count { advance() } }

    private func startsWith(_ text: String, caseInsensitive: Bool = false) -> Bool {
        var k = i
        for c in text.unicodeScalars {
            guard k < s.count else { return false }
            let a = caseInsensitive ? Self.lower(s[k]) : s[k]
            if a != c { return false }
            k += 1
        }
        return true
    }

    private static func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c
    }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c.value >= 0x80
    }

    private static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }

    private func span(from start: (line: Int, column: Int)) -> SourceSpan {
        SourceSpan(path: path, line: start.line, column: start.column, endLine: line, endColumn: column)
    }

    private mutating func emit(_ kind: PHPToken.Kind, from start: (line: Int, column: Int)) {
        let depth = start.line - 1 < templateDepth.count ? templateDepth[start.line - 1] : 0
        tokens.append(PHPToken(kind: kind, span: span(from: start), templated: depth > 0))
        tokenOnLine = true
    }

    /// Text outside PHP tags is output, not code: skip to the next `<?php` or `<?=`.
    private mutating func lexInlineText() {
        while i < s.count {
            if startsWith("<?php", caseInsensitive: true), peek(5).map({ $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) ?? true {
                advance(5)
                return
            }
            if startsWith("<?=") {
                let start = (line, column)
                advance(3)
                emit(.name("echo"), from: start)
                return
            }
            advance()
        }
    }

    private mutating func lexCode() {
        let c = s[i]
        if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" || c == "\u{0B}" { advance(); return }
        // A Jinja directive line of a template is not PHP: skip it whole.
        if !tokenOnLine, directiveLines.contains(line) {
            while i < s.count, s[i] != "\n" { advance() }
            return
        }
        let start = (line, column)
        if startsWith("?>") {
            advance(2)
            if peek() == "\n" { advance() } else if peek() == "\r", peek(1) == "\n" { advance(2) }
            emit(.op(";"), from: start)
            lexInlineText()
            return
        }
        if c == "#" || startsWith("//") {
            // A line comment ends at the line end or at `?>`.
            while i < s.count, s[i] != "\n", !startsWith("?>") { advance() }
            return
        }
        if startsWith("/*") {
            advance(2)
            while i < s.count, !startsWith("*/") { advance() }
            if i < s.count { advance(2) } else { diagnostics.report("unterminated comment: the /* opened here does not end", at: span(start)) }
            return
        }
        if c == "$", let n = peek(1), Self.isNameStart(n) {
            advance()
            emit(.variable(readName()), from: start)
            return
        }
        if Self.isNameStart(c) || (c == "\\" && peek(1).map(Self.isNameStart) == true) {
            var name = ""
            while i < s.count, Self.isNameChar(s[i]) || (s[i] == "\\" && peek(1).map(Self.isNameStart) == true) {
                name.unicodeScalars.append(s[i])
                advance()
            }
            emit(.name(name), from: start)
            return
        }
        if ("0"..."9").contains(c) || (c == "." && peek(1).map { ("0"..."9").contains($0) } == true) {
            emit(.number(readNumber()), from: start)
            return
        }
        if c == "'" { emit(.string(readSingleQuoted(start)), from: start); return }
        if c == "\"" { emit(.string(readDoubleQuoted(start)), from: start); return }
        if c == "`" {
            advance()
            while i < s.count, s[i] != "`" { if s[i] == "\\" { advance() }; if i < s.count { advance() } }
            if i < s.count { advance() } else { diagnostics.report("unterminated backtick command", at: span(start)) }
            emit(.string(nil), from: start)
            return
        }
        if startsWith("<<<") {
            readHeredoc(start)
            return
        }
        for op in Self.operators where startsWith(op) {
            advance(op.unicodeScalars.count)
            emit(.op(op), from: start)
            return
        }
        advance()
        emit(.op(String(c)), from: start)
    }

    /// Where a token that does not end began: PHP's error points there.
    private func span(_ start: (line: Int, column: Int)) -> SourceSpan {
        SourceSpan(path: path, line: start.line, column: start.column)
    }

    private mutating func readName() -> String {
        var name = ""
        while i < s.count, Self.isNameChar(s[i]) {
            name.unicodeScalars.append(s[i])
            advance()
        }
        return name
    }

    /// Decimal, hexadecimal, octal and binary integers (with `_` separators) and floats.
    private mutating func readNumber() -> PHPValue {
        var text = ""
        while i < s.count, Self.isNameChar(s[i]) || s[i] == "." || ((s[i] == "+" || s[i] == "-") && (text.last == "e" || text.last == "E") && !text.lowercased().hasPrefix("0x")) {
            text.unicodeScalars.append(s[i])
            advance()
        }
        let t = text.replacingOccurrences(of: "_", with: "").lowercased()
        if t.hasPrefix("0x") { return Int(t.dropFirst(2), radix: 16).map(PHPValue.int) ?? .unknown }
        if t.hasPrefix("0b") { return Int(t.dropFirst(2), radix: 2).map(PHPValue.int) ?? .unknown }
        if t.hasPrefix("0o") { return Int(t.dropFirst(2), radix: 8).map(PHPValue.int) ?? .unknown }
        if t.contains(".") || t.contains("e") { return Double(t).map(PHPValue.float) ?? .unknown }
        if t.count > 1, t.hasPrefix("0") { return Int(t.dropFirst(), radix: 8).map(PHPValue.int) ?? .unknown }
        return Int(t).map(PHPValue.int) ?? (Double(t).map(PHPValue.float) ?? .unknown)
    }

    /// `'…'`: only `\\` and `\'` are escapes.
    private mutating func readSingleQuoted(_ start: (line: Int, column: Int)) -> String? {
        advance()
        var out = String.UnicodeScalarView()
        while i < s.count, s[i] != "'" {
            if s[i] == "\\", let n = peek(1), n == "\\" || n == "'" {
                out.append(n)
                advance(2)
                continue
            }
            out.append(s[i])
            advance()
        }
        if i < s.count { advance() } else { diagnostics.report("unterminated string: the single-quoted string opened here does not end", at: span(start)) }
        return String(out)
    }

    /// `"…"` with PHP's escapes; `$name` or `{$` inside interpolates: the value is unknown.
    private mutating func readDoubleQuoted(_ start: (line: Int, column: Int)) -> String? {
        advance()
        var out = String.UnicodeScalarView()
        var interpolated = false
        while i < s.count, s[i] != "\"" {
            let c = s[i]
            if c == "$", let n = peek(1), Self.isNameStart(n) || n == "{" { interpolated = true }
            if c == "{", peek(1) == "$" { interpolated = true }
            if c == "\\", let n = peek(1) {
                advance(2)
                switch n {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "v": out.append("\u{0B}")
                case "e": out.append("\u{1B}")
                case "f": out.append("\u{0C}")
                case "\\", "$", "\"": out.append(n)
                case "0"..."7":
                    var value = n.value - 48
                    var k = 0
                    while k < 2, let d = peek(), ("0"..."7").contains(d) { value = value * 8 + d.value - 48; advance(); k += 1 }
                    out.append(Unicode.Scalar(value & 0xFF) ?? "?")
                case "x" where peek().map(Self.isHex) == true:
                    var value: UInt32 = 0
                    var k = 0
                    while k < 2, let d = peek(), Self.isHex(d) { value = value * 16 + Self.hexValue(d); advance(); k += 1 }
                    out.append(Unicode.Scalar(value) ?? "?")
                case "u" where peek() == "{":
                    var value: UInt32 = 0
                    var k = 0
                    advance()
                    while let d = peek(), Self.isHex(d), k < 8 { value = value &* 16 &+ Self.hexValue(d); advance(); k += 1 }
                    if peek() == "}" { advance() }
                    out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                default:
                    out.append("\\")
                    out.append(n)
                }
                continue
            }
            out.append(c)
            advance()
        }
        if i < s.count { advance() } else { diagnostics.report("unterminated string: the double-quoted string opened here does not end", at: span(start)) }
        return interpolated ? nil : String(out)
    }

    private static func isHex(_ c: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c)
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt32 {
        if ("0"..."9").contains(c) { return c.value - 48 }
        if ("a"..."f").contains(c) { return c.value - 87 }
        return c.value - 55
    }

    /// `<<<ID` … `ID` (heredoc, interpolating) and `<<<'ID'` (nowdoc): read over, value unknown.
    private mutating func readHeredoc(_ start: (line: Int, column: Int)) {
        advance(3)
        while peek() == " " || peek() == "\t" { advance() }
        let quote = peek() == "'" || peek() == "\""
        if quote { advance() }
        let id = readName()
        if quote, peek() == "'" || peek() == "\"" { advance() }
        guard !id.isEmpty else { emit(.op("<<<"), from: start); return }
        // The body ends at a line whose first non-blank text is the identifier, not followed by a name character.
        while i < s.count {
            while i < s.count, s[i] != "\n" { advance() }
            guard i < s.count else { break }
            advance()
            while peek() == " " || peek() == "\t" { advance() }
            if startsWith(id), !(peek(id.unicodeScalars.count).map(Self.isNameChar) ?? false) {
                advance(id.unicodeScalars.count)
                emit(.string(nil), from: start)
                return
            }
        }
        diagnostics.report("unterminated heredoc: <<<\(id) has no closing \(id) line", at: span(start))
        emit(.string(nil), from: start)
    }
}
