import MailAuditCore

/// Finds, in any format's text, everything that could be a secret: the value after a key whose name
/// says secret (misspelled ones too), the password in a URL's user-info (`smtp://user:pa/s"s@host`),
/// a DSN query's `password=`, an XML `<Password>` element or a property list `<key>…Password</key>`.
/// Each parser knows its own secrets; this scan runs on every file a setup reads as well, so what a
/// parser could not read (a malformed line, an unterminated quote, a misspelled key) is masked too.
/// One pass over each line's UTF-8 bytes, so linear in the input: every delimiter it looks for is
/// ASCII, which no byte of a multi-byte scalar equals; columns are converted to scalars only for
/// the spans it makes. `notKeys` are words the format's parser read as something other than a
/// secret's name (fetchmail's `auth password`), by where they start.
enum SecretScanner {
    static func spans(in file: SourceFile, notKeys: [SourceSpan] = []) -> [SourceSpan] {
        var out: [SourceSpan] = []
        var notKeyColumns: [Int: Set<Int>] = [:]
        for key in notKeys where key.path == file.path { notKeyColumns[key.line, default: []].insert(key.column) }
        var text = file.text
        text.withUTF8 { bytes in
            let lines = LineTable(bytes)
            var names: [String: Bool] = [:]  // a file repeats its words: ask SecretName once per word
            for index in 0..<lines.count {
                var scan = LineScan(line: lines.line(index), lineNumber: index + 1, path: file.path, notKeyColumns: notKeyColumns[index + 1] ?? [])
                scan.run(names: &names)
                out += scan.spans
                if let column = scan.pendingPlistValue, let next = plistValue(after: index, from: column, lines: lines, path: file.path) {
                    out.append(next)
                }
            }
        }
        return out
    }

    /// `<key>IncomingPassword</key>` is followed by its value, on the same line or the next non-blank one.
    fileprivate static func plistValue(after index: Int, from offset: Int, lines: LineTable, path: String) -> SourceSpan? {
        var lineIndex = index
        var from = offset
        for _ in 0..<2 {
            guard lineIndex < lines.count else { return nil }
            let line = lines.line(lineIndex)
            if let open = line[min(from, line.count)...].firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
                guard line[open] == UInt8(ascii: "<"), let close = line[open...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
                let valueStart = close + 1
                let valueEnd = line[valueStart...].firstIndex(of: UInt8(ascii: "<")) ?? line.count
                guard valueEnd > valueStart else { return nil }
                var columns = ScalarColumns(line)
                return SourceSpan(path: path, line: lineIndex + 1, column: columns.column(valueStart), endLine: lineIndex + 1, endColumn: columns.column(valueEnd))
            }
            lineIndex += 1
            from = 0
        }
        return nil
    }
}

/// Where each line of a UTF-8 text starts and ends, split as `SourceFile` splits (`\n`, without a `\r` before it).
private struct LineTable {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Line n (0-based) is bytes[bounds[n].0 ..< bounds[n].1].
    private var bounds: [(Int, Int)] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            bounds.append((start, Self.endWithoutCR(bytes, start, index)))
            start = index + 1
        }
        bounds.append((start, Self.endWithoutCR(bytes, start, bytes.count)))
    }

    private static func endWithoutCR(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        end > start && bytes[end - 1] == UInt8(ascii: "\r") ? end - 1 : end
    }

    var count: Int { bounds.count }

    /// Line `index` (0-based) as its own buffer, indexed from 0.
    func line(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let (start, end) = bounds[index]
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}

/// 1-based scalar columns of byte offsets in one line. Offsets asked in increasing order cost one
/// pass over the line together (the scan asks them so); a smaller one starts again from the line's start.
private struct ScalarColumns {
    let line: UnsafeBufferPointer<UInt8>
    private var byte = 0
    private var scalars = 0

    init(_ line: UnsafeBufferPointer<UInt8>) { self.line = line }

    mutating func column(_ offset: Int) -> Int {
        if offset < byte { byte = 0; scalars = 0 }
        while byte < offset, byte < line.count {
            if line[byte] & 0xC0 != 0x80 { scalars += 1 }  // not a continuation byte: a scalar starts here
            byte += 1
        }
        return scalars + 1
    }
}

/// The scan of one line.
private struct LineScan {
    let line: UnsafeBufferPointer<UInt8>
    let lineNumber: Int
    let path: String
    var columns: ScalarColumns
    var spans: [SourceSpan] = []
    /// A property-list key that names a secret, whose value follows (byte offset after `</key>`).
    var pendingPlistValue: Int?
    /// 1-based columns where a word that only looks like a secret's name starts.
    let notKeyColumns: Set<Int>

    init(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, path: String, notKeyColumns: Set<Int>) {
        self.line = line
        self.lineNumber = lineNumber
        self.path = path
        self.columns = ScalarColumns(line)
        self.notKeyColumns = notKeyColumns
    }

    /// The length in bytes of the word scalar at `i`, 0 when none starts there (ASCII letters,
    /// digits, `_`, `-`, `.`, and any alphabetic scalar).
    func wordScalarLength(at i: Int) -> Int {
        let b = line[i]
        if b < 0x80 {
            let lower = b | 0x20
            let isWord = (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            return isWord ? 1 : 0
        }
        guard let (scalar, length) = decodeScalar(at: i) else { return 0 }
        return scalar.properties.isAlphabetic ? length : 0
    }

    /// The scalar whose first byte is at `i` (the text is valid UTF-8); nil on a continuation byte.
    func decodeScalar(at i: Int) -> (Unicode.Scalar, Int)? {
        let b = line[i]
        let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
        guard length > 0, i + length <= line.count else { return nil }
        var value = UInt32(b) & (0x7F >> UInt32(length))
        for k in 1..<length { value = value << 6 | UInt32(line[i + k] & 0x3F) }
        return Unicode.Scalar(value).map { ($0, length) }
    }

    static func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

    mutating func mask(_ start: Int, _ end: Int) {
        guard end > start else { return }
        let column = columns.column(start), endColumn = columns.column(end)
        spans.append(SourceSpan(path: path, line: lineNumber, column: column, endLine: lineNumber, endColumn: endColumn))
    }

    mutating func run(names: inout [String: Bool]) {
        var i = 0
        while i < line.count {
            if line[i] == UInt8(ascii: ":"), i + 2 < line.count, line[i + 1] == UInt8(ascii: "/"), line[i + 2] == UInt8(ascii: "/") {
                i = urlUserInfo(from: i + 3)
                continue
            }
            var end = i
            var step = wordScalarLength(at: i)
            guard step > 0 else { i += 1; continue }
            while step > 0 {
                end += step
                step = end < line.count ? wordScalarLength(at: end) : 0
            }
            if isSecret(line[i..<end], names: &names), notKeyColumns.isEmpty || !notKeyColumns.contains(columns.column(i)),
               let next = value(afterKeyAt: i, end: end) {
                i = next
                continue
            }
            i = end
        }
    }

    /// Whether a word names a secret. A word without a `p`, `s` or `t`, or longer than 80 bytes, never
    /// does (`SecretName.isSecret`'s own first test): those are passed without making a String.
    func isSecret(_ word: Slice<UnsafeBufferPointer<UInt8>>, names: inout [String: Bool]) -> Bool {
        guard word.count <= 80, word.contains(where: { $0 | 0x20 == UInt8(ascii: "p") || $0 | 0x20 == UInt8(ascii: "t") || $0 | 0x20 == UInt8(ascii: "s") })
        else { return false }
        let key = String(decoding: UnsafeBufferPointer(rebasing: word), as: UTF8.self)
        if let known = names[key] { return known }
        let secret = SecretName.isSecret(key)
        names[key] = secret
        return secret
    }

    /// `scheme://user:password@host`: the password is what lies between the first `:` and the last
    /// `@` before a blank, so a password holding `/`, `?` or a quote is masked whole.
    mutating func urlUserInfo(from start: Int) -> Int {
        var end = start
        while end < line.count, !Self.isBlank(line[end]) { end += 1 }
        guard let at = line[start..<end].lastIndex(of: UInt8(ascii: "@")),
              let colon = line[start..<at].firstIndex(of: UInt8(ascii: ":")) else { return start }
        mask(colon + 1, at)
        return at + 1
    }

    /// The value after a secret key, and where scanning goes on; nil when no value follows.
    mutating func value(afterKeyAt keyStart: Int, end keyEnd: Int) -> Int? {
        // The byte before the key: an ASCII delimiter, or a byte of a scalar that equals none of them.
        let before: UInt8? = keyStart > 0 ? line[keyStart - 1] : nil
        var i = keyEnd
        // XML element `<Password>…</Password>` or property list `<key>…Password</key>`.
        if before == UInt8(ascii: "<") {
            guard i < line.count, line[i] == UInt8(ascii: ">") else { return nil }
            let valueEnd = line[(i + 1)...].firstIndex(of: UInt8(ascii: "<")) ?? line.count
            mask(i + 1, valueEnd)
            return valueEnd
        }
        if before == UInt8(ascii: ">"), keyStart >= 5, line[(keyStart - 5)..<keyStart].elementsEqual("<key>".utf8),
           i + 1 < line.count, line[i] == UInt8(ascii: "<"), line[i + 1] == UInt8(ascii: "/") {
            let close = line[i...].firstIndex(of: UInt8(ascii: ">")).map { $0 + 1 } ?? line.count
            pendingPlistValue = close
            return close
        }
        let inQuery = before == UInt8(ascii: "?") || before == UInt8(ascii: "&") || before == UInt8(ascii: ";")
        // Closing quotes and brackets of the key (`'smtp_pass'] =`, `"x.password",`).
        while i < line.count, line[i] == UInt8(ascii: "\"") || line[i] == UInt8(ascii: "'") || line[i] == UInt8(ascii: "]") || line[i] == UInt8(ascii: "`") { i += 1 }
        let blankStart = i
        while i < line.count, Self.isBlank(line[i]) { i += 1 }
        var delimited = false
        if i < line.count, line[i] == UInt8(ascii: "=") || line[i] == UInt8(ascii: ":") || line[i] == UInt8(ascii: ",") {
            delimited = true
            i += 1
            if i < line.count, line[i] == UInt8(ascii: ">") { i += 1 }  // PHP `=>`
            while i < line.count, Self.isBlank(line[i]) { i += 1 }
        }
        guard i < line.count, delimited || i > blankStart else { return nil }
        let q = line[i]
        if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") || q == UInt8(ascii: "`") {
            var j = i + 1
            while j < line.count, line[j] != q {
                // A backslash escapes the next scalar; skipping its first byte is enough, as the
                // rest of a multi-byte scalar cannot be the quote.
                if line[j] == UInt8(ascii: "\\"), q == UInt8(ascii: "\"") { j += 1 }
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
            while j < line.count, line[j] != UInt8(ascii: "&"), line[j] != UInt8(ascii: "\""), line[j] != UInt8(ascii: "'"), !Self.isBlank(line[j]) { j += 1 }
            mask(i, j)
            return j
        }
        var end = line.count
        while end > i, Self.isBlank(line[end - 1]) { end -= 1 }
        mask(i, end)
        return end
    }
}
