import MailAuditCore

/// The INI-like syntaxes mail programs read, each with its own rules for comments, continuation
/// lines, quoting and sections. One lexer serves them all; a dialect says which rules apply.
///
/// - `pythonConfigParser`: Python's `configparser` (OfflineIMAP, getmail): `key = value` or
///   `key: value`, `#`/`;` comments on their own line only, a line indented deeper than its key
///   continues the value, keys lower-cased, `[DEFAULT]` kept as a section for the caller.
/// - `goINI`: go-ini as aerc loads it (`KeyValueDelimiters: "="`): `#`/`;` start a comment anywhere
///   in an unquoted value, a value wrapped in `"…"`, `'…'` or `` `…` `` loses its quotes, `"""` opens a
///   multi-line value, a trailing `\` continues the value, keys keep their case.
/// - `git`: git-config(1): `[section]`, `[section "sub"]` (escapes `\"` `\\`), deprecated
///   `[section.sub]`, names lower-cased, `"…"` quoting with `\" \\ \n \t \b`, `#`/`;` comments outside
///   quotes, a trailing `\` continues the line, a key without `=` is boolean true, and a key may follow
///   a section header on the same line.
/// - `giteaINI`: go-ini as Gitea and Forgejo load `app.ini` (`IgnoreContinuation: true`, the default
///   delimiters `=` and `:`): like `goINI`, but a trailing `\` is part of the value.
/// - `grafanaINI`: go-ini with its default options (`ini.Load`), as Grafana reads `defaults.ini` and
///   `grafana.ini`: like `goINI` with `:` as a second delimiter.
struct INIDialect: Sendable {
    /// How a value goes on over the next line; `none`: it does not.
    enum Continuation: Sendable { case indentation, backslash, none }
    enum ValueSyntax: Sendable { case plain, goINI, git }

    var name: String
    var delimiters: [Unicode.Scalar]
    var continuation: Continuation
    var valueSyntax: ValueSyntax
    var lowercaseKeys: Bool
    /// Python `strict`: a section or a key written twice is an error of the program.
    var strictDuplicates: Bool
    /// Keys before the first section: go-ini puts them in `DEFAULT`; Python refuses the file.
    var keysBeforeSection: Bool

    static let pythonConfigParser = INIDialect(
        name: "Python configparser", delimiters: ["=", ":"], continuation: .indentation, valueSyntax: .plain,
        lowercaseKeys: true, strictDuplicates: true, keysBeforeSection: false)
    static let goINI = INIDialect(
        name: "go-ini", delimiters: ["="], continuation: .backslash, valueSyntax: .goINI,
        lowercaseKeys: false, strictDuplicates: false, keysBeforeSection: true)
    static let giteaINI = INIDialect(
        name: "go-ini", delimiters: ["=", ":"], continuation: .none, valueSyntax: .goINI,
        lowercaseKeys: false, strictDuplicates: false, keysBeforeSection: true)
    static let grafanaINI = INIDialect(
        name: "go-ini", delimiters: ["=", ":"], continuation: .backslash, valueSyntax: .goINI,
        lowercaseKeys: false, strictDuplicates: false, keysBeforeSection: true)
    static let git = INIDialect(
        name: "git config", delimiters: ["="], continuation: .backslash, valueSyntax: .git,
        lowercaseKeys: true, strictDuplicates: false, keysBeforeSection: false)
}

/// One `key = value` setting.
struct INIEntry: Sendable {
    /// The key as the program compares it (lower-cased where the dialect does so).
    var key: String
    var rawKey: String
    var keySpan: SourceSpan
    /// The value after quotes, escapes and continuation lines are applied; nil for a git key written without `=`.
    var value: String?
    /// The value as written (quotes included, across continuation lines); for an empty value, the
    /// place right after the delimiter; for a bare git key, the key.
    var valueSpan: SourceSpan
    var line: Int
}

/// One `[section]` with its settings in file order.
struct INISection: Sendable {
    /// The section name (git: lower-cased, without the subsection).
    var name: String
    /// git `[section "sub"]` (case kept) or `[section.sub]` (lower-cased); nil otherwise.
    var subsection: String?
    /// The whole `[…]` header; for keys before any section, the first of them.
    var headerSpan: SourceSpan
    /// The name inside the brackets.
    var nameSpan: SourceSpan
    var entries: [INIEntry] = []
    var line: Int

    /// The last setting of `key` (the one programs use when a key is repeated).
    func last(_ key: String) -> INIEntry? { entries.last { $0.key == key } }
    func all(_ key: String) -> [INIEntry] { entries.filter { $0.key == key } }
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
}

/// A lexed file: sections in file order (a name written twice appears twice) and the lines that could not be read.
struct INIDocument: Sendable {
    var sections: [INISection] = []
    var diagnostics = Diagnostics()

    func sections(named name: String) -> [INISection] { sections.filter { $0.name == name } }
}

enum INILexer {
    static func lex(_ file: SourceFile, dialect: INIDialect) -> INIDocument {
        switch dialect.valueSyntax {
        case .git:
            var lexer = GitConfigLexer(file: file, dialect: dialect)
            lexer.run()
            return lexer.document
        default:
            var lexer = LineINILexer(file: file, dialect: dialect)
            lexer.run()
            return lexer.document
        }
    }
}

// MARK: - Line-oriented dialects (Python configparser, go-ini)

private struct LineINILexer {
    let file: SourceFile
    let dialect: INIDialect
    let lines: [[Unicode.Scalar]]
    var document = INIDocument()
    var current: Int?  // index into document.sections
    var seenSections: Set<String> = []
    var seenKeys: Set<String> = []
    var reportedMissingHeader = false
    var reportedDuplicates: Set<String> = []

    init(file: SourceFile, dialect: INIDialect) {
        self.file = file
        self.dialect = dialect
        self.lines = file.lines.map { Array($0.unicodeScalars) }
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    func firstNonSpace(_ l: [Unicode.Scalar]) -> Int? { l.firstIndex { !Self.isSpace($0) } }
    func lastNonSpace(_ l: [Unicode.Scalar]) -> Int? { l.lastIndex { !Self.isSpace($0) } }

    mutating func run() {
        switch dialect.valueSyntax {
        case .goINI: runGoINI()
        default: runPython()
        }
    }

    // Python configparser (3.11 `_read`), with its continuation and comment rules.
    mutating func runPython() {
        var indentLevel = 0
        var openValue: (section: Int, entry: Int, pendingBlank: Int)? = nil
        for (index, l) in lines.enumerated() {
            let lineNo = index + 1
            guard let first = firstNonSpace(l) else {
                if openValue != nil { openValue!.pendingBlank += 1 }
                continue
            }
            if l[first] == "#" || l[first] == ";" { continue }  // full-line comment, even inside a value
            let last = lastNonSpace(l)!
            if var open = openValue, first > indentLevel {
                // A continuation line: appended to the value with a newline, blank lines kept.
                var entry = document.sections[open.section].entries[open.entry]
                entry.value = (entry.value ?? "") + String(repeating: "\n", count: open.pendingBlank + 1) + String(String.UnicodeScalarView(l[first...last]))
                entry.valueSpan = SourceSpan(path: file.path, line: entry.valueSpan.line, column: entry.valueSpan.column, endLine: lineNo, endColumn: last + 2)
                document.sections[open.section].entries[open.entry] = entry
                open.pendingBlank = 0
                openValue = open
                continue
            }
            openValue = nil
            indentLevel = first
            if l[first] == "[", let close = l.lastIndex(of: "]"), close > first + 1 {
                openSection(l, open: first, close: close, line: lineNo)
                continue
            }
            guard let sectionIndex = current else {
                if !reportedMissingHeader {
                    document.diagnostics.report("\(dialect.name): this line comes before any [section] header, so the program refuses the file", at: file.span(line: lineNo, column: first + 1, length: last - first + 1))
                    reportedMissingHeader = true
                }
                continue
            }
            // `option <delimiter> value`: the option ends at the first delimiter.
            guard let delim = l[first...].firstIndex(where: { dialect.delimiters.contains($0) }) else {
                document.diagnostics.report("\(dialect.name): '\(String(String.UnicodeScalarView(l[first...last])))' is neither a [section] nor a `key = value` line", at: file.span(line: lineNo, column: first + 1, length: last - first + 1))
                continue
            }
            let keyEnd = l[first..<delim].lastIndex { !Self.isSpace($0) }
            guard let keyEnd else {
                document.diagnostics.report("\(dialect.name): a `\(l[delim])` without a key name", at: file.span(line: lineNo, column: delim + 1, length: 1))
                continue
            }
            let rawKey = String(String.UnicodeScalarView(l[first...keyEnd]))
            let key = dialect.lowercaseKeys ? rawKey.lowercased() : rawKey
            var valueStart = delim + 1
            while valueStart < l.count, Self.isSpace(l[valueStart]) { valueStart += 1 }
            let value: String
            let valueSpan: SourceSpan
            if valueStart < l.count {
                value = String(String.UnicodeScalarView(l[valueStart...last]))
                valueSpan = SourceSpan(path: file.path, line: lineNo, column: valueStart + 1, endLine: lineNo, endColumn: last + 2)
            } else {
                value = ""
                valueSpan = file.span(line: lineNo, column: delim + 2, length: 1)
            }
            let sectionName = document.sections[sectionIndex].name
            if dialect.strictDuplicates, !seenKeys.insert(key).inserted {
                document.diagnostics.report("\(dialect.name): key '\(key)' is written twice in [\(sectionName)]; the program refuses the file (DuplicateOptionError)", at: file.span(line: lineNo, column: first + 1, length: keyEnd - first + 1))
            }
            let entry = INIEntry(key: key, rawKey: rawKey, keySpan: file.span(line: lineNo, column: first + 1, length: keyEnd - first + 1),
                                 value: value, valueSpan: valueSpan, line: lineNo)
            document.sections[sectionIndex].entries.append(entry)
            openValue = (sectionIndex, document.sections[sectionIndex].entries.count - 1, 0)
        }
    }

    mutating func openSection(_ l: [Unicode.Scalar], open: Int, close: Int, line: Int) {
        let inner = l[(open + 1)..<close]
        let name = dialect.valueSyntax == .goINI
            ? String(String.UnicodeScalarView(inner)).iniTrimmed()
            : String(String.UnicodeScalarView(inner))
        let header = SourceSpan(path: file.path, line: line, column: open + 1, endLine: line, endColumn: close + 2)
        let nameSpan = file.span(line: line, column: open + 2, length: max(1, close - open - 1))
        seenKeys = []  // duplicate keys are reported within one occurrence of a section
        if dialect.strictDuplicates, name != "DEFAULT", !seenSections.insert(name).inserted, reportedDuplicates.insert(name).inserted {
            document.diagnostics.report("\(dialect.name): section [\(name)] is written twice; the program refuses the file (DuplicateSectionError)", at: file.span(line: line, column: open + 1, length: close - open + 1))
        }
        document.sections.append(INISection(name: name, subsection: nil, headerSpan: header, nameSpan: nameSpan, line: line))
        current = document.sections.count - 1
    }

    // go-ini (v1.6x `parser.parse` / `readValue`).
    mutating func runGoINI() {
        var index = 0
        while index < lines.count {
            let l = lines[index]
            let lineNo = index + 1
            index += 1
            guard let first = firstNonSpace(l) else { continue }
            if l[first] == "#" || l[first] == ";" { continue }
            let last = lastNonSpace(l)!
            if l[first] == "[" {
                guard let close = l.lastIndex(of: "]"), close > first else {
                    document.diagnostics.report("\(dialect.name): unclosed section header: no ']' on this line", at: file.span(line: lineNo, column: first + 1, length: last - first + 1))
                    continue
                }
                openSection(l, open: first, close: close, line: lineNo)
                continue
            }
            guard let delim = l[first...].firstIndex(where: { dialect.delimiters.contains($0) }) else {
                // The line is not quoted: it may be a password on a line of its own.
                document.diagnostics.report("\(dialect.name): this line has no '=': not a `key = value` line", at: file.span(line: lineNo, column: first + 1, length: last - first + 1))
                continue
            }
            guard let keyEnd = l[first..<delim].lastIndex(where: { !Self.isSpace($0) }) else {
                document.diagnostics.report("\(dialect.name): a '=' without a key name", at: file.span(line: lineNo, column: delim + 1, length: 1))
                continue
            }
            var rawKey = String(String.UnicodeScalarView(l[first...keyEnd]))
            if rawKey.count >= 2, let q = rawKey.first, q == "\"" || q == "`", rawKey.last == q { rawKey = String(rawKey.dropFirst().dropLast()) }
            let key = dialect.lowercaseKeys ? rawKey.lowercased() : rawKey
            if current == nil {
                // Keys before any section belong to go-ini's DEFAULT section.
                let span = file.span(line: lineNo, column: first + 1, length: keyEnd - first + 1)
                document.sections.append(INISection(name: "DEFAULT", subsection: nil, headerSpan: span, nameSpan: span, line: lineNo))
                current = document.sections.count - 1
            }
            let (value, span, consumed) = goValue(l, from: delim + 1, line: lineNo, lineIndex: index - 1)
            index += consumed
            let entry = INIEntry(key: key, rawKey: rawKey, keySpan: file.span(line: lineNo, column: first + 1, length: keyEnd - first + 1),
                                 value: value, valueSpan: span, line: lineNo)
            document.sections[current!].entries.append(entry)
        }
    }

    /// A go-ini value starting at `start` of line `lineIndex`; returns the value, its span and how many further lines it used.
    mutating func goValue(_ l: [Unicode.Scalar], from start: Int, line lineNo: Int, lineIndex: Int) -> (String, SourceSpan, Int) {
        var s = start
        while s < l.count, Self.isSpace(l[s]) { s += 1 }
        guard s < l.count else { return ("", file.span(line: lineNo, column: start + 1, length: 1), 0) }
        let last = lastNonSpace(l)!
        let text = String(String.UnicodeScalarView(l[s...last]))
        func spanTo(_ endLine: Int, _ endColumn: Int) -> SourceSpan {
            SourceSpan(path: file.path, line: lineNo, column: s + 1, endLine: endLine, endColumn: endColumn)
        }
        // Quoted values: `"""…"""` (may span lines) and `` `…` `` (may span lines).
        for quote in ["\"\"\"", "`"] where text.hasPrefix(quote) && (quote == "`" || text.count > 3) {
            let body = String(text.dropFirst(quote.count))
            if let close = body.range(of: quote, options: .backwards) {
                return (String(body[..<close.lowerBound]), spanTo(lineNo, last + 2), 0)
            }
            var value = body
            var offset = 1
            while lineIndex + offset < lines.count {
                let next = String(String.UnicodeScalarView(lines[lineIndex + offset]))
                if let close = next.range(of: quote) {
                    value += "\n" + next[..<close.upperBound].dropLast(quote.count)
                    let endCol = next[..<close.upperBound].unicodeScalars.count + 1
                    return (value, spanTo(lineNo + offset, endCol), offset)
                }
                value += "\n" + next
                offset += 1
            }
            document.diagnostics.report("\(dialect.name): the value opened with \(quote) is never closed", at: file.span(line: lineNo, column: s + 1, length: quote.count))
            return (value, spanTo(lineNo, last + 2), offset - 1)
        }
        // A trailing backslash continues the value on the next line(s), trimmed and joined without a separator.
        if dialect.continuation == .backslash, text.hasSuffix("\\") {
            var value = String(text.dropLast())
            var offset = 1
            var endLine = lineNo, endCol = last + 2
            while lineIndex + offset < lines.count {
                let nextScalars = lines[lineIndex + offset]
                guard let f = firstNonSpace(nextScalars), let e = lastNonSpace(nextScalars) else { offset += 1; break }
                let next = String(String.UnicodeScalarView(nextScalars[f...e]))
                endLine = lineNo + offset; endCol = e + 2
                offset += 1
                if next.hasSuffix("\\") { value += next.dropLast(); continue }
                value += next
                break
            }
            return (value, spanTo(endLine, endCol), offset - 1)
        }
        var value = text
        var valueEnd = last
        if let hash = l[s...last].firstIndex(where: { $0 == "#" || $0 == ";" }) {
            // An inline comment: go-ini cuts the value at the first `#` or `;`, wherever it is.
            if let e = l[s..<hash].lastIndex(where: { !Self.isSpace($0) }) {
                value = String(String.UnicodeScalarView(l[s...e]))
                valueEnd = e
            } else {
                return ("", file.span(line: lineNo, column: s + 1, length: 1), 0)
            }
        }
        for q in ["\"", "'"] where value.count >= 2 && value.hasPrefix(q) && value.hasSuffix(q) && value.components(separatedBy: q).count == 3 {
            value = String(value.dropFirst().dropLast())
        }
        return (value, spanTo(lineNo, valueEnd + 2), 0)
    }
}

// MARK: - git config (config.c `git_parse_source`)

private struct GitConfigLexer {
    let file: SourceFile
    let dialect: INIDialect
    let lines: [[Unicode.Scalar]]
    var document = INIDocument()
    var current: Int?
    // Cursor: the next character is lines[line][col]; col == count means the line end ("\n").
    var line = 0
    var col = 0

    init(file: SourceFile, dialect: INIDialect) {
        self.file = file
        self.dialect = dialect
        self.lines = file.lines.map { Array($0.unicodeScalars) }
    }

    /// 1-based position of the character last returned by `next()` (a line end is one past the line's last character).
    var lastLine = 1
    var lastColumn = 1
    var lastPosition: (line: Int, column: Int) { (lastLine, lastColumn) }

    /// The next character, "\n" at each line end; nil at the end of the file.
    mutating func next() -> Unicode.Scalar? {
        guard line < lines.count else { return nil }
        lastLine = line + 1
        lastColumn = col + 1
        if col < lines[line].count {
            defer { col += 1 }
            return lines[line][col]
        }
        line += 1
        col = 0
        return "\n"
    }

    func peek() -> Unicode.Scalar? {
        guard line < lines.count else { return nil }
        return col < lines[line].count ? lines[line][col] : "\n"
    }

    /// After an error git stops reading the file; we go on after the broken line (1-based `brokenLine`),
    /// so one bad line does not hide the rest.
    mutating func resume(after brokenLine: Int) {
        if line < brokenLine { line = brokenLine; col = 0 }
    }

    static func isKeyChar(_ c: Unicode.Scalar) -> Bool {
        (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c))) || c == "-"
    }

    mutating func run() {
        while let c = next() {
            if c == "\n" || c == " " || c == "\t" || c == "\u{0B}" || c == "\u{0C}" { continue }
            if c == "#" || c == ";" {
                while let d = next(), d != "\n" {}
                continue
            }
            let (l, column) = lastPosition
            if c == "[" {
                if !sectionHeader(line: l, column: column) { resume(after: lastLine) }
                continue
            }
            if c.isASCII, c.properties.isAlphabetic {
                if !keyValue(first: c, line: l, column: column) { resume(after: lastLine) }
                continue
            }
            document.diagnostics.report("git config: bad config line \(l): '\(c)' cannot start a line (a key starts with a letter, a section with '[')", at: file.span(line: l, column: column, length: 1))
            resume(after: l)
        }
    }

    mutating func sectionHeader(line l: Int, column: Int) -> Bool {
        var name = ""
        var subsection: String? = nil
        var closed = false
        while let c = next() {
            if c == "]" { closed = true; break }
            if c == " " || c == "\t" {
                // `[section "subsection"]`
                var d = next()
                while d == " " || d == "\t" { d = next() }
                guard d == "\"" else {
                    document.diagnostics.report("git config: bad section header: expected '\"' to open the subsection name", at: file.span(line: lastPosition.line, column: lastPosition.column, length: 1))
                    return false
                }
                var sub = ""
                while true {
                    guard let e = next(), e != "\n" else {
                        document.diagnostics.report("git config: bad section header: the subsection name is not closed with '\"'", at: file.span(line: l, column: column, length: 1))
                        return false
                    }
                    if e == "\"" { break }
                    if e == "\\" {
                        guard let f = next(), f != "\n" else {
                            document.diagnostics.report("git config: bad section header: '\\' at the end of the line", at: file.span(line: l, column: column, length: 1))
                            return false
                        }
                        sub.unicodeScalars.append(f)
                        continue
                    }
                    sub.unicodeScalars.append(e)
                }
                guard next() == "]" else {
                    document.diagnostics.report("git config: bad section header: expected ']' after the subsection name", at: file.span(line: lastPosition.line, column: lastPosition.column, length: 1))
                    return false
                }
                subsection = sub
                closed = true
                break
            }
            guard Self.isKeyChar(c) || c == "." else {
                document.diagnostics.report("git config: bad section header: '\(c == "\n" ? "end of line" : String(c))' is not allowed in a section name", at: file.span(line: lastPosition.line, column: lastPosition.column, length: 1))
                return false
            }
            name.unicodeScalars.append(c)
        }
        guard closed else {
            document.diagnostics.report("git config: bad section header: no ']' before the end of the file", at: file.span(line: l, column: column, length: 1))
            return false
        }
        guard !name.isEmpty else {
            document.diagnostics.report("git config: empty section name", at: file.span(line: l, column: column, length: 1))
            return false
        }
        let endColumn = lastPosition.column + 1
        var section = name.lowercased()
        if subsection == nil, let dot = section.firstIndex(of: ".") {
            // Deprecated `[section.subsection]`: the subsection is lower-cased too.
            subsection = String(section[section.index(after: dot)...])
            section = String(section[..<dot])
        }
        let header = SourceSpan(path: file.path, line: l, column: column, endLine: l, endColumn: endColumn)
        document.sections.append(INISection(name: section, subsection: subsection, headerSpan: header,
                                            nameSpan: file.span(line: l, column: column + 1, length: name.unicodeScalars.count), line: l))
        current = document.sections.count - 1
        return true
    }

    mutating func keyValue(first: Unicode.Scalar, line l: Int, column: Int) -> Bool {
        var rawKey = String(first)
        while let c = peek(), Self.isKeyChar(c) { rawKey.unicodeScalars.append(c); _ = next() }
        let keySpan = file.span(line: l, column: column, length: rawKey.unicodeScalars.count)
        guard let sectionIndex = current else {
            document.diagnostics.report("git config: key '\(rawKey)' comes before any [section] header", at: file.span(line: l, column: column, length: rawKey.unicodeScalars.count))
            return false
        }
        while peek() == " " || peek() == "\t" { _ = next() }
        var value: String? = nil
        var valueSpan = keySpan
        if peek() == "\n" || peek() == nil {
            _ = next()
        } else if peek() == "=" {
            _ = next()
            let startLine = line + 1, startCol = col + 1
            guard let (v, span) = parseValue(startLine: startLine, startColumn: startCol) else {
                resume(after: lastLine)
                return true
            }
            value = v
            valueSpan = span
        } else {
            _ = next()
            let (pl, pc) = lastPosition
            document.diagnostics.report("git config: bad config line \(l): expected '=' or the end of the line after key '\(rawKey)'", at: file.span(line: pl, column: pc, length: 1))
            return false
        }
        let key = rawKey.lowercased()
        document.sections[sectionIndex].entries.append(INIEntry(key: key, rawKey: rawKey, keySpan: keySpan, value: value, valueSpan: valueSpan, line: l))
        return true
    }

    /// config.c `parse_value`: returns nil (and reports) on an unterminated quote or an unknown escape.
    mutating func parseValue(startLine: Int, startColumn: Int) -> (String, SourceSpan)? {
        var value = ""
        var quote = false, comment = false
        var spaces = 0
        var firstPos: (Int, Int)? = nil
        var lastPos: (Int, Int) = (startLine, startColumn)
        var quoteOpen: (Int, Int) = (startLine, startColumn)
        while true {
            guard let c = next() else {
                if quote { break }
                return finish(value, firstPos, lastPos, startLine, startColumn)
            }
            if c == "\n" {
                if quote { break }
                return finish(value, firstPos, lastPos, startLine, startColumn)
            }
            if comment { continue }
            let pos = lastPosition
            if (c == " " || c == "\t" || c == "\u{0B}" || c == "\u{0C}" || c == "\r") && !quote {
                if !value.isEmpty { spaces += 1 }
                continue
            }
            if !quote && (c == ";" || c == "#") { comment = true; continue }
            if firstPos == nil { firstPos = (pos.line, pos.column) }
            value += String(repeating: " ", count: spaces)
            spaces = 0
            lastPos = (pos.line, pos.column + 1)
            if c == "\\" {
                guard let e = next() else { break }
                switch e {
                case "\n": continue
                case "t": value += "\t"
                case "b": value += "\u{8}"
                case "n": value += "\n"
                case "\\", "\"": value.unicodeScalars.append(e)
                default:
                    document.diagnostics.report("git config: bad config line \(pos.line): unknown escape '\\\(e)' (git knows \\\\ \\\" \\n \\t \\b)", at: file.span(line: pos.line, column: pos.column, length: 2))
                    while let d = next(), d != "\n" {}
                    return nil
                }
                lastPos = (lastLine, lastColumn + 1)
                continue
            }
            if c == "\"" {
                quote.toggle()
                if quote { quoteOpen = (pos.line, pos.column) }
                continue
            }
            value.unicodeScalars.append(c)
        }
        document.diagnostics.report("git config: bad config line \(quoteOpen.0): the quote opened here is not closed before the end of the line", at: file.span(line: quoteOpen.0, column: quoteOpen.1, length: 1))
        return nil
    }

    func finish(_ value: String, _ first: (Int, Int)?, _ last: (Int, Int), _ startLine: Int, _ startColumn: Int) -> (String, SourceSpan)? {
        guard let first else { return (value, file.span(line: startLine, column: startColumn, length: 1)) }
        return (value, SourceSpan(path: file.path, line: first.0, column: first.1, endLine: last.0, endColumn: last.1))
    }
}

extension StringProtocol {
    /// The text without leading and trailing Unicode whitespace (Python `str.strip()`, Go `strings.TrimSpace`).
    func iniTrimmed() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let f = scalars.first, f.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
