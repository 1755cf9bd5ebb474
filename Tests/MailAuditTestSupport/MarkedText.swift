import MailAuditCore

/// Test text with its expected places written into it, as SwiftLint's rule examples and
/// swift-format's test support do: `↓` marks a position (where a finding must point), `«…»` a span
/// (what a parser must locate; spans may nest). The markers are taken out of `text`, and places are
/// counted in the text without them: lines and columns from 1, columns in Unicode scalars — the
/// columns the parsers report.
public struct MarkedText: Sendable {
    public struct Position: Hashable, Comparable, Sendable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) { self.line = line; self.column = column }
        public static func < (a: Position, b: Position) -> Bool { (a.line, a.column) < (b.line, b.column) }
        public var description: String { "\(line):\(column)" }
    }

    /// The text without its markers.
    public let text: String
    /// Every `↓`, in the order written.
    public let positions: [Position]
    /// Every `«…»`, in the order of their `«`: from the first marked character to the one after the last.
    public let ranges: [(start: Position, end: Position)]

    public init(_ marked: String) {
        var out = String.UnicodeScalarView()
        var positions: [Position] = []
        var starts: [Position?] = [], ends: [Position?] = [], open: [Int] = []
        var here = Position(line: 1, column: 1)
        for scalar in marked.unicodeScalars {
            switch scalar {
            case "↓": positions.append(here)
            case "«":
                open.append(starts.count)
                starts.append(here)
                ends.append(nil)
            case "»" where !open.isEmpty: ends[open.removeLast()] = here
            default:
                out.append(scalar)
                if scalar == "\n" { here = Position(line: here.line + 1, column: 1) } else { here.column += 1 }
            }
        }
        text = String(out)
        self.positions = positions
        // An unclosed `«` ends where the text ends, so the span compared is visibly wrong, not a crash.
        ranges = zip(starts, ends).map { ($0!, $1 ?? here) }
    }

    /// The n-th `«…»` as the span a parser reports for a file at `path`.
    public func span(_ index: Int = 0, path: String) -> SourceSpan? {
        guard ranges.indices.contains(index) else { return nil }
        let (start, end) = ranges[index]
        return SourceSpan(path: path, line: start.line, column: start.column, endLine: end.line, endColumn: end.column)
    }

    /// The marked spans as a parser at `path` reports them.
    public func spans(path: String) -> [SourceSpan] { ranges.indices.compactMap { span($0, path: path) } }
}
