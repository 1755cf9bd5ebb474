import Foundation
import MailAuditCore

/// One `KEY=value` line (or multi-line quoted value) of an env file.
struct EnvEntry: Sendable {
    var key: String
    var keySpan: SourceSpan
    /// The value after unquoting, escapes and `${VAR}` expansion. Nil when the line has no `=`
    /// (phpdotenv and python-dotenv read a bare `KEY` as null) or when the value refers to a
    /// variable the file does not define: then the real environment decides, and we do not guess.
    var value: String?
    /// The value as written, without its quotes.
    var raw: String
    /// `"` or `'` when the value is quoted.
    var quote: Unicode.Scalar?
    /// The written value, quotes included; an empty value is the position after `=`.
    var valueSpan: SourceSpan
    /// The whole setting, for endpoint locations.
    var lineSpan: SourceSpan
    /// The variables `${…}` names, and the spans of the entries that defined them.
    var references: [SourceSpan] = []
    /// Whether the value is exactly what is written (no escapes, no expansion): offsets into it are columns.
    var isVerbatim: Bool { value == raw }

    /// The span of `length` scalars starting `offset` scalars into the written value (inside its quotes).
    func span(offset: Int, length: Int) -> SourceSpan {
        let column = valueSpan.column + (quote == nil ? 0 : 1) + offset
        return SourceSpan.at(valueSpan.path, line: valueSpan.line, column: column, length: length)
    }
}

/// An env file as the dotenv libraries read it (vlucas/phpdotenv 5 for Laravel, symfony/dotenv,
/// python-dotenv, docker compose `env_file`). Where they agree this follows them; where they differ
/// the choice is written down here:
/// - `KEY=value`, blanks around `=`, an optional `export ` prefix, `#` comment lines;
/// - unquoted values end at a `#` that starts the value or follows a blank (phpdotenv; python-dotenv
///   keeps `KEY=#x` as `#x`), trailing blanks are trimmed, inner blanks are kept (phpdotenv refuses
///   them, compose and python-dotenv keep them);
/// - `"…"`: escapes `\n \r \t \f \v \" \\ \$ \'` and `${VAR}` expansion, may span lines;
///   `'…'`: literal, may span lines;
/// - `${VAR}` and `${VAR:-default}` / `${VAR-default}` expand in unquoted and double-quoted values from
///   variables defined earlier in the file; a variable the file does not define makes the value
///   unknown (nil): the real environment supplies it. `$VAR` without braces stays literal
///   (phpdotenv, python-dotenv);
/// - a later definition of the same key wins (phpdotenv's array-backed loader, symfony/dotenv,
///   python-dotenv, compose); the earlier ones stay in `entries`.
/// A line that no dotenv library reads (`foo bar`, `=x`, an unterminated quote) is a problem with
/// its position, and the rest of the file is still read.
struct EnvFile: Sendable {
    var entries: [EnvEntry] = []
    var diagnostics = Diagnostics()

    /// The effective definition of `key` (the last one).
    func entry(_ key: String) -> EnvEntry? { entries.last { $0.key == key } }

    /// Earlier definitions of `key` that a later one overrides.
    func overridden(_ key: String) -> [EnvEntry] { Array(entries.filter { $0.key == key }.dropLast()) }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    init(_ file: SourceFile) {
        var lexer = EnvLexer(file: file)
        lexer.run()
        entries = lexer.entries
        diagnostics = lexer.diagnostics
    }
}

private struct EnvLexer {
    let file: SourceFile
    let lines: [[Unicode.Scalar]]
    var entries: [EnvEntry] = []
    var diagnostics = Diagnostics()
    /// Values defined so far, for `${VAR}` (nil: defined, but unknown).
    var defined: [String: (value: String?, span: SourceSpan)] = [:]
    /// Where a scan for a closing quote of each kind reached the end of the file.
    var unclosedFrom: [Unicode.Scalar: (line: Int, column: Int)] = [:]

    init(file: SourceFile) {
        self.file = file
        self.lines = file.lines.map { Array($0.unicodeScalars) }
    }

    static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }
    static func isKeyStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && (c.properties.isAlphabetic)) }
    static func isKeyChar(_ c: Unicode.Scalar) -> Bool { isKeyStart(c) || c == "." || ("0"..."9").contains(c) }

    mutating func run() {
        var i = 0
        while i < lines.count { i = readLine(i) }
    }

    /// Reads the setting starting on line index `i`; returns the index of the next line to read.
    mutating func readLine(_ i: Int) -> Int {
        let s = lines[i]
        var c = 0
        while c < s.count, Self.isBlank(s[c]) { c += 1 }
        if c == s.count || s[c] == "#" { return i + 1 }
        let lineNumber = i + 1
        // `export KEY=…`
        if s.count - c > 7, String(String.UnicodeScalarView(s[c..<c + 6])) == "export", Self.isBlank(s[c + 6]) {
            c += 6
            while c < s.count, Self.isBlank(s[c]) { c += 1 }
        }
        let keyStart = c
        while c < s.count, Self.isKeyChar(s[c]) { c += 1 }
        let key = String(String.UnicodeScalarView(s[keyStart..<c]))
        guard !key.isEmpty, Self.isKeyStart(s[keyStart]) else {
            let text = String(String.UnicodeScalarView(s[keyStart...])).trimmingCharacters(in: .whitespaces)
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            diagnostics.report("not a `NAME=value` line: '\(shown)' does not start with a variable name (letters, digits, `_`, `.`; not a digit first)", at: file.span(line: lineNumber, column: keyStart + 1, length: max(1, s.count - keyStart)))
            return i + 1
        }
        let keySpan = file.span(line: lineNumber, column: keyStart + 1, length: key.unicodeScalars.count)
        var afterKey = c
        while afterKey < s.count, Self.isBlank(s[afterKey]) { afterKey += 1 }
        if afterKey == s.count {
            // A bare `KEY`: phpdotenv and python-dotenv read it as a variable without a value.
            define(EnvEntry(key: key, keySpan: keySpan, value: nil, raw: "", quote: nil,
                            valueSpan: file.span(line: lineNumber, column: s.count + 1, length: 1),
                            lineSpan: file.lineSpan(lineNumber)))
            return i + 1
        }
        guard s[afterKey] == "=" else {
            let rest = String(String.UnicodeScalarView(s[keyStart...])).trimmingCharacters(in: .whitespaces)
            let shown = rest.count > 40 ? String(rest.prefix(40)) + "…" : rest
            diagnostics.report("not a `NAME=value` line: expected `=` after '\(key)' in '\(shown)'", at: file.span(line: lineNumber, column: afterKey + 1, length: 1))
            return i + 1
        }
        c = afterKey + 1
        while c < s.count, Self.isBlank(s[c]) { c += 1 }
        if c < s.count, s[c] == "\"" || s[c] == "'" {
            return readQuoted(key: key, keySpan: keySpan, line: i, column: c)
        }
        // Unquoted: up to a `#` at the start or after a blank; trailing blanks trimmed.
        let valueStart = c
        var end = c
        while end < s.count {
            if s[end] == "#", end == valueStart || Self.isBlank(s[end - 1]) { break }
            end += 1
        }
        while end > valueStart, Self.isBlank(s[end - 1]) { end -= 1 }
        let raw = String(String.UnicodeScalarView(s[valueStart..<end]))
        let span = file.span(line: lineNumber, column: valueStart + 1, length: max(1, end - valueStart))
        var entry = EnvEntry(key: key, keySpan: keySpan, value: nil, raw: raw, quote: nil, valueSpan: span,
                             lineSpan: file.lineSpan(lineNumber))
        entry.value = expand(raw, entry: &entry, line: lineNumber, column: valueStart + 1)
        define(entry)
        return i + 1
    }

    /// A quoted value from line index `line`, column index `column` (the quote), possibly over several lines.
    mutating func readQuoted(key: String, keySpan: SourceSpan, line: Int, column: Int) -> Int {
        let quote = lines[line][column]
        // A scan for this quote already ran to the end of the file from an earlier point: it will
        // not find one now either (keeps a file of many unterminated quotes linear).
        if let failed = unclosedFrom[quote], (failed.line, failed.column) < (line, column) {
            diagnostics.report("unterminated \(quote == "\"" ? "double" : "single") quote: the value of \(key) opened here is never closed; the rest of the file was read as separate lines", at: file.span(line: line + 1, column: column + 1, length: 1))
            return line + 1
        }
        var raw: [Unicode.Scalar] = []
        var l = line
        var c = column + 1
        var closed: (line: Int, column: Int)?
        scan: while l < lines.count {
            let s = lines[l]
            while c < s.count {
                let ch = s[c]
                if quote == "\"", ch == "\\", c + 1 < s.count {
                    raw.append(ch); raw.append(s[c + 1]); c += 2
                    continue
                }
                if ch == quote { closed = (l, c); break scan }
                raw.append(ch)
                c += 1
            }
            l += 1
            c = 0
            if l < lines.count { raw.append("\n") }
        }
        let lineNumber = line + 1
        guard let closed else {
            unclosedFrom[quote] = (line, column)
            diagnostics.report("unterminated \(quote == "\"" ? "double" : "single") quote: the value of \(key) opened here is never closed; the rest of the file was read as separate lines", at: file.span(line: lineNumber, column: column + 1, length: 1))
            return line + 1
        }
        let valueSpan: SourceSpan
        if closed.line == line {
            valueSpan = file.span(line: lineNumber, column: column + 1, length: closed.column - column + 1)
        } else {
            valueSpan = SourceSpan(path: file.path, line: lineNumber, column: column + 1, endLine: closed.line + 1, endColumn: closed.column + 2)
        }
        // After the closing quote: blanks and an optional comment.
        let s = lines[closed.line]
        var c2 = closed.column + 1
        while c2 < s.count, Self.isBlank(s[c2]) { c2 += 1 }
        if c2 < s.count, s[c2] != "#" {
            diagnostics.report("unexpected text after the closing quote of \(key); dotenv libraries reject the line (phpdotenv) or drop the text", at: file.span(line: closed.line + 1, column: c2 + 1, length: s.count - c2))
        }
        let rawText = String(String.UnicodeScalarView(raw))
        var lineSpan = file.lineSpan(lineNumber)
        if closed.line != line { lineSpan = SourceSpan(path: file.path, line: lineNumber, column: lineSpan.column, endLine: valueSpan.endLine, endColumn: valueSpan.endColumn) }
        var entry = EnvEntry(key: key, keySpan: keySpan, value: nil, raw: rawText, quote: quote, valueSpan: valueSpan, lineSpan: lineSpan)
        if quote == "'" {
            entry.value = rawText
        } else {
            entry.value = expand(unescape(rawText), entry: &entry, line: lineNumber, column: column + 2)
        }
        define(entry)
        return closed.line + 1
    }

    /// Double-quote escapes; an unknown escape keeps its backslash (python-dotenv, phpdotenv).
    func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out = String.UnicodeScalarView()
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            if s[i] == "\\", i + 1 < s.count {
                switch s[i + 1] {
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "\"", "\\", "'": out.append(s[i + 1])
                // `\$` stays marked so that expansion leaves it alone; removed after expansion.
                case "$": out.append("\u{E000}")
                default: out.append(s[i]); out.append(s[i + 1])
                }
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Expands `${VAR}`, `${VAR:-default}`, `${VAR-default}`; nil when a variable is not defined in the file.
    mutating func expand(_ text: String, entry: inout EnvEntry, line: Int, column: Int) -> String? {
        guard text.contains("${") else { return text.replacingOccurrences(of: "\u{E000}", with: "$") }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var known = true
        var i = 0
        while i < s.count {
            if s[i] == "$", i + 1 < s.count, s[i + 1] == "{" {
                guard let close = s[(i + 2)...].firstIndex(of: "}") else {
                    // No closing brace anywhere after this point: the rest is literal.
                    out.append(contentsOf: s[i...].map { $0 == "\u{E000}" ? "$" : $0 })
                    break
                }
                let inner = String(String.UnicodeScalarView(s[(i + 2)..<close]))
                var name = inner
                var fallback: String?
                if let r = inner.range(of: ":-") ?? inner.range(of: "-") {
                    name = String(inner[..<r.lowerBound])
                    fallback = String(inner[r.upperBound...])
                }
                if let def = defined[name] {
                    entry.references.append(def.span)
                    if let v = def.value { out.append(contentsOf: v.unicodeScalars) } else if let fallback { out.append(contentsOf: fallback.unicodeScalars) } else { known = false }
                } else if let fallback {
                    out.append(contentsOf: fallback.unicodeScalars)
                } else {
                    known = false
                }
                i = close + 1
            } else {
                out.append(s[i] == "\u{E000}" ? "$" : s[i])
                i += 1
            }
        }
        return known ? String(out) : nil
    }

    mutating func define(_ entry: EnvEntry) {
        entries.append(entry)
        defined[entry.key] = (entry.value, entry.valueSpan)
    }
}
