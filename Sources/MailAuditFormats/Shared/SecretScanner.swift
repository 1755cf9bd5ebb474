import MailAuditCore

/// Finds, in any format's text, everything that could be a secret: the value after a key whose name
/// says secret (misspelled ones too), the password in a URL's user-info (`smtp://user:pa/s"s@host`),
/// a DSN query's `password=`, an XML `<Password>` element or a property list `<key>…Password</key>`.
/// Each parser knows its own secrets; this scan runs on every file a setup reads as well, so what a
/// parser could not read (a malformed line, an unterminated quote, a misspelled key) is masked too.
/// One pass over each line, so linear in the input. `notKeys` are words the format's parser read as
/// something other than a secret's name (fetchmail's `auth password`), by where they start.
public enum SecretScanner {
    public static func spans(in file: SourceFile, notKeys: [SourceSpan] = []) -> [SourceSpan] {
        var out: [SourceSpan] = []
        let lines = file.lines.map { Array($0.unicodeScalars) }
        var names: [String: Bool] = [:]  // a file repeats its words: ask SecretName once per word
        var notKeyColumns: [Int: Set<Int>] = [:]
        for key in notKeys where key.path == file.path { notKeyColumns[key.line, default: []].insert(key.column) }
        for (index, line) in lines.enumerated() {
            var scan = LineScan(line: line, lineNumber: index + 1, path: file.path, notKeyColumns: notKeyColumns[index + 1] ?? [])
            scan.run(names: &names)
            out += scan.spans
            if let column = scan.pendingPlistValue, let next = plistValue(after: index, column: column, lines: lines, path: file.path) {
                out.append(next)
            }
        }
        return out
    }

    /// `<key>IncomingPassword</key>` is followed by its value, on the same line or the next non-blank one.
    static func plistValue(after index: Int, column: Int, lines: [[Unicode.Scalar]], path: String) -> SourceSpan? {
        var lineIndex = index
        var from = column
        for _ in 0..<2 {
            guard lineIndex < lines.count else { return nil }
            let line = lines[lineIndex]
            if let open = line[min(from, line.count)...].firstIndex(where: { $0 != " " && $0 != "\t" }) {
                guard line[open] == "<", let close = line[open...].firstIndex(of: ">") else { return nil }
                let valueStart = close + 1
                let valueEnd = line[valueStart...].firstIndex(of: "<") ?? line.count
                guard valueEnd > valueStart else { return nil }
                return SourceSpan(path: path, line: lineIndex + 1, column: valueStart + 1, endLine: lineIndex + 1, endColumn: valueEnd + 1)
            }
            lineIndex += 1
            from = 0
        }
        return nil
    }
}

/// The scan of one line.
private struct LineScan {
    let line: [Unicode.Scalar]
    let lineNumber: Int
    let path: String
    var spans: [SourceSpan] = []
    /// A property-list key that names a secret, whose value follows (column after `</key>`).
    var pendingPlistValue: Int?
    /// 1-based columns where a word that only looks like a secret's name starts.
    let notKeyColumns: Set<Int>

    init(line: [Unicode.Scalar], lineNumber: Int, path: String, notKeyColumns: Set<Int>) {
        self.line = line
        self.lineNumber = lineNumber
        self.path = path
        self.notKeyColumns = notKeyColumns
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        guard s.isASCII else { return s.properties.isAlphabetic }
        return ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-" || s == "."
    }

    static func isBlank(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" }

    mutating func mask(_ start: Int, _ end: Int) {
        guard end > start else { return }
        spans.append(SourceSpan(path: path, line: lineNumber, column: start + 1, endLine: lineNumber, endColumn: end + 1))
    }

    mutating func run(names: inout [String: Bool]) {
        var i = 0
        while i < line.count {
            if line[i] == ":", i + 2 < line.count, line[i + 1] == "/", line[i + 2] == "/" {
                i = urlUserInfo(from: i + 3)
                continue
            }
            guard Self.isWordScalar(line[i]) else { i += 1; continue }
            var end = i
            while end < line.count, Self.isWordScalar(line[end]) { end += 1 }
            let word = String(String.UnicodeScalarView(line[i..<end]))
            let secret = names[word] ?? SecretName.isSecret(word)
            names[word] = secret
            if secret, !notKeyColumns.contains(i + 1) {
                if let next = value(afterKeyAt: i, end: end) { i = next; continue }
            }
            i = end
        }
    }

    /// `scheme://user:password@host`: the password is what lies between the first `:` and the last
    /// `@` before a blank, so a password holding `/`, `?` or a quote is masked whole.
    mutating func urlUserInfo(from start: Int) -> Int {
        var end = start
        while end < line.count, !Self.isBlank(line[end]) { end += 1 }
        guard let at = line[start..<end].lastIndex(of: "@"), let colon = line[start..<at].firstIndex(of: ":") else { return start }
        mask(colon + 1, at)
        return at + 1
    }

    /// The value after a secret key, and where scanning goes on; nil when no value follows.
    mutating func value(afterKeyAt keyStart: Int, end keyEnd: Int) -> Int? {
        let before: Unicode.Scalar? = keyStart > 0 ? line[keyStart - 1] : nil
        var i = keyEnd
        // XML element `<Password>…</Password>` or property list `<key>…Password</key>`.
        if before == "<" {
            guard i < line.count, line[i] == ">" else { return nil }
            let valueEnd = line[(i + 1)...].firstIndex(of: "<") ?? line.count
            mask(i + 1, valueEnd)
            return valueEnd
        }
        if before == ">", keyStart >= 5, line[(keyStart - 5)..<keyStart].elementsEqual("<key>".unicodeScalars),
           i + 1 < line.count, line[i] == "<", line[i + 1] == "/" {
            let close = line[i...].firstIndex(of: ">").map { $0 + 1 } ?? line.count
            pendingPlistValue = close
            return close
        }
        let inQuery = before == "?" || before == "&" || before == ";"
        // Closing quotes and brackets of the key (`'smtp_pass'] =`, `"x.password",`).
        while i < line.count, line[i] == "\"" || line[i] == "'" || line[i] == "]" || line[i] == "`" { i += 1 }
        let blankStart = i
        while i < line.count, Self.isBlank(line[i]) { i += 1 }
        var delimited = false
        if i < line.count, line[i] == "=" || line[i] == ":" || line[i] == "," {
            delimited = true
            i += 1
            if i < line.count, line[i] == ">" { i += 1 }  // PHP `=>`
            while i < line.count, Self.isBlank(line[i]) { i += 1 }
        }
        guard i < line.count, delimited || i > blankStart else { return nil }
        let q = line[i]
        if q == "\"" || q == "'" || q == "`" {
            var j = i + 1
            while j < line.count, line[j] != q {
                if line[j] == "\\", q == "\"" { j += 1 }
                j += 1
            }
            if j < line.count {
                mask(i + 1, j)
                return j + 1
            }
            mask(i, line.count)  // unterminated: the rest of the line may be the secret
            return line.count
        }
        if inQuery {
            var j = i
            while j < line.count, line[j] != "&", line[j] != "\"", line[j] != "'", !Self.isBlank(line[j]) { j += 1 }
            mask(i, j)
            return j
        }
        var end = line.count
        while end > i, Self.isBlank(line[end - 1]) { end -= 1 }
        mask(i, end)
        return end
    }
}
