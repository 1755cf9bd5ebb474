/// Where a value came from: a file and a 1-based, inclusive-start / exclusive-end range of
/// line and column (columns count Unicode scalars).
public struct SourceSpan: Codable, Hashable, Sendable, Comparable {
    public var path: String
    public var line: Int
    public var column: Int
    public var endLine: Int
    public var endColumn: Int

    public init(path: String, line: Int, column: Int, endLine: Int? = nil, endColumn: Int? = nil) {
        self.path = path
        self.line = max(1, line)
        self.column = max(1, column)
        self.endLine = max(self.line, endLine ?? line)
        self.endColumn = endColumn ?? (self.column + 1)
        if self.endLine == self.line, self.endColumn <= self.column { self.endColumn = self.column + 1 }
    }

    /// A span covering a whole line's content from `column` for `length` scalars.
    public static func at(_ path: String, line: Int, column: Int, length: Int) -> SourceSpan {
        SourceSpan(path: path, line: line, column: column, endLine: line, endColumn: column + max(1, length))
    }

    public static func < (a: SourceSpan, b: SourceSpan) -> Bool {
        (a.path, a.line, a.column) < (b.path, b.line, b.column)
    }
}
