import MailAuditCore

/// One configuration format: how to recognize it and how to map it into the model.
/// Parsers map their format's settings and its defaults into a `MailSetup` and do nothing else.
public protocol ConfigFormat: Sendable {
    /// The format's id (`--as`, JSON output, rule examples).
    var id: String { get }
    /// Whether a file name (last path component) and its path say this format.
    func matches(fileName: String, path: String) -> Bool
    /// Whether the content says this format, for files whose name says nothing.
    func matches(content: SourceFile) -> Bool
    /// In a directory walk, whether the content bears out what the name claimed. Names that other
    /// programs use too (`smtpd.conf` is also Cyrus SASL's, `accounts.conf` anyone's) need proof;
    /// names only this program uses are trusted.
    func confirms(content: SourceFile) -> Bool
    /// The comment syntax inline suppressions are written in (`#`, `//`, `<!--`, …); empty for none.
    var commentMarkers: [String] { get }
    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup
}

extension ConfigFormat {
    public func matches(content: SourceFile) -> Bool { false }
    public func confirms(content: SourceFile) -> Bool { true }
    public var commentMarkers: [String] { ["#"] }
}
