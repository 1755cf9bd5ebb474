import Foundation
import MailAuditCore

/// The text of one input, split into lines once, with helpers to make spans into it.
public struct SourceFile: Sendable {
    /// Inputs larger than this are refused with MA000 rather than read (a 50 MB main.cf is a mistake, not a config).
    static let sizeLimit = 8 * 1024 * 1024

    public let path: String
    public let text: String
    public let lines: [Substring]

    public init(path: String, text: String) {
        self.path = path
        // A byte-order mark is not content: strip it so columns and parsers see the first real character.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.text = body
        self.lines = SourceFile.splitLines(body)
    }

    /// Lines without their `\n` or `\r\n`, found by scanning bytes ("\r\n" is one Character in Swift).
    static func splitLines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "\n") {
                var end = index
                if end > start, utf8[utf8.index(before: end)] == UInt8(ascii: "\r") { end = utf8.index(before: end) }
                lines.append(text[start..<end])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        var end = utf8.endIndex
        if end > start, utf8[utf8.index(before: end)] == UInt8(ascii: "\r") { end = utf8.index(before: end) }
        lines.append(text[start..<end])
        return lines
    }

    /// Whether the text holds `needle`, by bytes (Foundation's `contains` is slow on Linux).
    func contains(_ needle: String) -> Bool { text.containsBytes(needle) }

    /// Reads a file as UTF-8, refusing what is too large, binary or not UTF-8, with the position of the problem.
    /// Only regular files are read (`FileReading`): a FIFO or a device is refused, never waited on.
    public static func load(path: String, displayPath: String? = nil) throws(ParseProblem) -> SourceFile {
        let shown = displayPath ?? path
        // One open and one fstat: FileManager's existence and attribute calls cost more than small files do.
        let (fd, size) = try FileReading.openRegularFile(path, shown: shown)
        defer { close(fd) }
        if size > sizeLimit {
            throw ParseProblem("'\(shown)' is \(size / 1_048_576) MB, larger than the \(sizeLimit / 1_048_576) MB mailaudit reads; is it really a configuration file?", path: shown, span: SourceSpan(path: shown, line: 1, column: 1))
        }
        // Bounded too: a file can grow while it is read, and /proc files say size 0.
        return try decode(FileReading.readBounded(fd, shown: shown, sizeHint: size, limit: sizeLimit), path: shown)
    }

    /// Reads standard input in chunks, stopping as soon as it is larger than `sizeLimit`
    /// (`cat /dev/zero | mailaudit lint -` must not fill the memory).
    public static func loadStandardInput(displayPath: String) throws(ParseProblem) -> SourceFile {
        try decode(FileReading.readBounded(STDIN_FILENO, shown: displayPath, limit: sizeLimit), path: displayPath)
    }

    /// Decodes bytes, reporting the first NUL byte or invalid UTF-8 sequence by line and column.
    public static func decode(_ data: Data, path: String) throws(ParseProblem) -> SourceFile {
        if data.count > sizeLimit {
            // Reading stops just past the limit, so the size is not known: only that it is too large.
            throw ParseProblem("'\(path)' is larger than the \(sizeLimit / 1_048_576) MB mailaudit reads; is it really a configuration file?", path: path, span: SourceSpan(path: path, line: 1, column: 1))
        }
        if let text = String(validatingUTF8Data: data), !text.utf8.contains(0) {
            return SourceFile(path: path, text: text)
        }
        if let kind = BinaryInputKind.describe(data) {
            throw ParseProblem(kind, path: path, span: SourceSpan(path: path, line: 1, column: 1))
        }
        let (line, column, what) = firstBadByte(data)
        throw ParseProblem("\(what) at line \(line), column \(column): this is not a UTF-8 text file", path: path,
                           span: SourceSpan(path: path, line: line, column: column))
    }

    private static func firstBadByte(_ data: Data) -> (Int, Int, String) {
        var line = 1, column = 1
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            if byte == 0 { return (line, column, "binary data (a NUL byte)") }
            let length: Int
            switch byte {
            case 0..<0x80: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, column, "invalid UTF-8 byte 0x\(String(byte, radix: 16, uppercase: true))")
            }
            let end = index + length
            if end > data.endIndex || String(data: data[index..<end], encoding: .utf8) == nil {
                return (line, column, "invalid UTF-8 sequence starting with byte 0x\(String(byte, radix: 16, uppercase: true))")
            }
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
            index = end
        }
        return (line, column, "invalid UTF-8")
    }

    /// The span of `length` scalars at 1-based `line`/`column`.
    func span(line: Int, column: Int, length: Int) -> SourceSpan {
        .at(path, line: line, column: column, length: length)
    }

    /// The span of a whole line's content (without leading blanks).
    func lineSpan(_ line: Int) -> SourceSpan {
        guard line >= 1, line <= lines.count else { return SourceSpan(path: path, line: max(1, line), column: 1) }
        let text = lines[line - 1]
        let leading = text.prefix { $0 == " " || $0 == "\t" }.unicodeScalars.count
        let total = text.unicodeScalars.count
        return SourceSpan(path: path, line: line, column: leading + 1, endLine: line, endColumn: max(leading + 2, total + 1))
    }
}

extension StringProtocol {
    /// Byte-wise substring search without Foundation.
    func containsBytes(_ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard let first = n.first else { return true }
        let hay = Array(utf8)
        guard hay.count >= n.count else { return false }
        var i = 0
        let last = hay.count - n.count
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < n.count, hay[i + j] == n[j] { j += 1 }
                if j == n.count { return true }
            }
            i += 1
        }
        return false
    }
}

extension String {
    /// Strict UTF-8 decoding: nil instead of replacement characters.
    init?(validatingUTF8Data data: Data) {
        guard let s = String(data: data, encoding: .utf8) else { return nil }
        self = s
    }
}
