import MailAuditCore

/// One value of a SnappyMail domain file, by its key path (`["SMTP", "ssl", "verify_peer"]` in JSON,
/// `["smtp_secure"]` in INI), with where it is written.
struct SnappyMailStatement {
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
        case object
        case array([String])
        /// `${VAR}` (filled in from the environment by PHP) or a template placeholder: unknown.
        case unknown
    }

    var path: [String]
    var value: Value
    var keySpan: SourceSpan
    var valueSpan: SourceSpan
}

/// The two grammars of SnappyMail's and RainLoop's `domains/` files: JSON (SnappyMail 2.x) and PHP's
/// `parse_ini_file` (RainLoop and SnappyMail before 2.x). Bytes → statements with spans, nothing more.
enum SnappyMailSyntax {
    static let depthLimit = 64

    static func statements(_ file: SourceFile) -> (statements: [SnappyMailStatement], diagnostics: Diagnostics) {
        let first = file.text.unicodeScalars.first { !$0.properties.isWhitespace }
        if first == "{" || first == "[" {
            var parser = JSONStatements(file: file)
            parser.run()
            return (parser.statements, parser.diagnostics)
        }
        return phpINI(file)
    }

    // MARK: PHP parse_ini_file (INI_SCANNER_NORMAL)

    /// `key = value` lines; `;` (and `#` at the start of a line) comment; `[section]` headers do not
    /// matter (`parse_ini_file` without sections flattens them). A value is a `"…"` or `'…'` string or
    /// a bare word cut at `;`, where `true`/`on`/`yes` read as "1" and `false`/`off`/`no`/`none`/`null` as "".
    static func phpINI(_ file: SourceFile) -> ([SnappyMailStatement], Diagnostics) {
        var statements: [SnappyMailStatement] = []
        var diagnostics = Diagnostics()
        for (index, raw) in file.lines.enumerated() {
            let number = index + 1
            let scalars = Array(raw.unicodeScalars)
            guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { continue }
            if scalars[start] == ";" || scalars[start] == "#" || scalars[start] == "[" { continue }
            guard let eq = scalars[start...].firstIndex(of: "=") else {
                diagnostics.report("'\(String(raw).trimmingCharacters(in: .whitespaces))' is not `key = value`: PHP's parse_ini_file refuses the file", at: file.span(line: number, column: start + 1, length: scalars.count - start))
                continue
            }
            let keyEnd = scalars[start..<eq].lastIndex { !$0.properties.isWhitespace } ?? start
            let key = String(String.UnicodeScalarView(scalars[start...keyEnd]))
            let keySpan = file.span(line: number, column: start + 1, length: keyEnd - start + 1)
            var v = eq + 1
            while v < scalars.count, scalars[v] == " " || scalars[v] == "\t" { v += 1 }
            var text = ""
            var end = v
            var quoted = false
            if v < scalars.count, scalars[v] == "\"" || scalars[v] == "'" {
                let quote = scalars[v]
                var i = v + 1
                while i < scalars.count, scalars[i] != quote {
                    if quote == "\"", scalars[i] == "\\", i + 1 < scalars.count, scalars[i + 1] == "\"" || scalars[i + 1] == "\\" { i += 1 }
                    text.unicodeScalars.append(scalars[i])
                    i += 1
                }
                end = min(i + 1, scalars.count)
                quoted = true
            } else {
                var i = v
                while i < scalars.count, scalars[i] != ";" { i += 1 }
                let last = scalars[v..<i].lastIndex { !$0.properties.isWhitespace }
                if let last {
                    text = String(String.UnicodeScalarView(scalars[v...last]))
                    end = last + 1
                }
            }
            var value = SnappyMailStatement.Value.string(text)
            if !quoted {
                switch text.lowercased() {
                case "true", "on", "yes": value = .string("1")
                case "false", "off", "no", "none", "null": value = .string("")
                default: break
                }
            }
            if text.contains("${") || TemplateSyntax.placeholder(in: text) != nil { value = .unknown }
            let valueSpan = end > v ? file.span(line: number, column: v + 1, length: end - v) : file.span(line: number, column: eq + 1, length: 1)
            statements.append(SnappyMailStatement(path: [key], value: value, keySpan: keySpan, valueSpan: valueSpan))
        }
        return (statements, diagnostics)
    }
}

/// RFC 8259 JSON → one statement per member, objects included (their span is the key's), arrays of
/// strings kept as lists. Stops at the first error, as `json_decode` does.
private struct JSONStatements {
    let file: SourceFile
    let s: [Unicode.Scalar]
    /// The scalar index where each line starts, for spans.
    let lineStarts: [Int]
    var i = 0
    var statements: [SnappyMailStatement] = []
    var diagnostics = Diagnostics()

    init(file: SourceFile) {
        self.file = file
        self.s = Array(file.text.unicodeScalars)
        var starts = [0]
        for (index, c) in s.enumerated() where c == "\n" { starts.append(index + 1) }
        self.lineStarts = starts
    }

    struct Failure: Error {}

    func position(_ index: Int) -> (line: Int, column: Int) {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return (low + 1, index - lineStarts[low] + 1)
    }

    func span(_ from: Int, _ to: Int) -> SourceSpan {
        let a = position(from), b = position(max(from, to - 1))
        return SourceSpan(path: file.path, line: a.line, column: a.column, endLine: b.line, endColumn: b.column + 1)
    }

    mutating func fail(_ message: String) -> Failure {
        let p = position(min(i, max(0, s.count - 1)))
        diagnostics.report("invalid JSON: \(message): json_decode refuses the file", at: file.span(line: p.line, column: p.column, length: 1))
        return Failure()
    }

    mutating func skipSpace() {
        while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r" { i += 1 }
    }

    mutating func run() {
        do {
            skipSpace()
            guard i < s.count, s[i] == "{" else { throw fail("the top level is not an object") }
            try value(path: [], keySpan: span(0, 1), depth: 0)
            skipSpace()
            if i < s.count { throw fail("text after the end of the object") }
        } catch {}
    }

    /// Parses the value at `i` and records it under `path`.
    mutating func value(path: [String], keySpan: SourceSpan, depth: Int) throws {
        guard depth < SnappyMailSyntax.depthLimit else { throw fail("nested more than \(SnappyMailSyntax.depthLimit) levels deep") }
        skipSpace()
        guard i < s.count else { throw fail("unexpected end of the file") }
        let start = i
        switch s[i] {
        case "{":
            if !path.isEmpty { statements.append(SnappyMailStatement(path: path, value: .object, keySpan: keySpan, valueSpan: span(start, start + 1))) }
            i += 1
            skipSpace()
            if i < s.count, s[i] == "}" { i += 1; return }
            while true {
                skipSpace()
                guard i < s.count, s[i] == "\"" else { throw fail("expected a member name in quotes") }
                let keyStart = i
                let key = try string()
                let memberKeySpan = span(keyStart, i)
                skipSpace()
                guard i < s.count, s[i] == ":" else { throw fail("expected ':' after a member name") }
                i += 1
                try value(path: path + [key], keySpan: memberKeySpan, depth: depth + 1)
                skipSpace()
                guard i < s.count else { throw fail("unexpected end of the file in an object") }
                if s[i] == "," { i += 1; continue }
                if s[i] == "}" { i += 1; return }
                throw fail("expected ',' or '}'")
            }
        case "[":
            i += 1
            var items: [String] = []
            skipSpace()
            if i < s.count, s[i] == "]" { i += 1 } else {
                while true {
                    skipSpace()
                    if i < s.count, s[i] == "\"" { items.append(try string()) } else {
                        let before = statements.count
                        try value(path: path + ["[]"], keySpan: keySpan, depth: depth + 1)
                        statements.removeSubrange(before...)
                    }
                    skipSpace()
                    guard i < s.count else { throw fail("unexpected end of the file in an array") }
                    if s[i] == "," { i += 1; continue }
                    if s[i] == "]" { i += 1; break }
                    throw fail("expected ',' or ']'")
                }
            }
            statements.append(SnappyMailStatement(path: path, value: .array(items), keySpan: keySpan, valueSpan: span(start, i)))
        case "\"":
            let text = try string()
            let value: SnappyMailStatement.Value = text.contains("${") || TemplateSyntax.placeholder(in: text) != nil ? .unknown : .string(text)
            statements.append(SnappyMailStatement(path: path, value: value, keySpan: keySpan, valueSpan: span(start, i)))
        default:
            while i < s.count, !",}] \t\r\n".unicodeScalars.contains(s[i]) { i += 1 }
            let word = String(String.UnicodeScalarView(s[start..<i]))
            let value: SnappyMailStatement.Value
            switch word {
            case "true": value = .bool(true)
            case "false": value = .bool(false)
            case "null": value = .null
            default:
                guard Self.isNumber(word), let n = Double(word) else { i = start; throw fail("'\(word.prefix(20))' is not a JSON value") }
                value = .number(n)
            }
            statements.append(SnappyMailStatement(path: path, value: value, keySpan: keySpan, valueSpan: span(start, i)))
        }
    }

    static func isNumber(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first, first == "-" || ("0"..."9").contains(first) else { return false }
        return word.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || "-+.eE".unicodeScalars.contains($0) }
    }

    /// A string at `i` (on its opening quote), with JSON's escapes.
    mutating func string() throws -> String {
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            if c == "\"" { i += 1; return String(out) }
            if c.value < 0x20 { throw fail("a control character inside a string") }
            if c == "\\" {
                guard i + 1 < s.count else { break }
                let e = s[i + 1]
                i += 2
                switch e {
                case "\"", "\\", "/": out.append(e)
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    guard i + 4 <= s.count, let code = UInt32(String(String.UnicodeScalarView(s[i..<i + 4])), radix: 16) else { throw fail("a bad \\u escape") }
                    i += 4
                    out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: throw fail("an unknown escape '\\\(e)'")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("a string that is not closed")
    }
}
