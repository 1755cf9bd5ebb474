import MailAuditCore

/// What a parser gets besides the file: the port table (port knowledge is data, DESIGN §1) and a
/// way to read other files that belong to the setup (includes, sourced files).
public struct ParseContext: Sendable {
    public var ports: PortTable
    /// Reads another file by its path, as `SourceFile.load` does; tests substitute it.
    public var readFile: @Sendable (String) throws(ParseProblem) -> SourceFile

    public init(ports: PortTable, readFile: @escaping @Sendable (String) throws(ParseProblem) -> SourceFile = { path throws(ParseProblem) in try SourceFile.load(path: path) }) {
        self.ports = ports
        self.readFile = readFile
    }
}

/// One configuration format: how to recognize it and how to map it into the model.
/// Parsers map their format's settings and its defaults into a `MailSetup` and do nothing else.
public protocol ConfigFormat: Sendable {
    /// The id of DESIGN §5 (`--as`, JSON output, rule examples).
    var id: String { get }
    /// Whether a file name (last path component) and its path say this format.
    func matches(fileName: String, path: String) -> Bool
    /// Whether the content says this format, for files whose name says nothing.
    func matches(content: SourceFile) -> Bool
    /// The comment syntax inline suppressions are written in (`#`, `//`, `<!--`, …); empty for none.
    var commentMarkers: [String] { get }
    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup
}

extension ConfigFormat {
    public func matches(content: SourceFile) -> Bool { false }
    public var commentMarkers: [String] { ["#"] }
}
