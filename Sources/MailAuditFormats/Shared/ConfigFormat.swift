import MailAuditCore

/// One configuration format: how to recognize it and how to map it into the model.
/// Parsers map their format's settings and its defaults into a `MailSetup` and do nothing else.
public protocol ConfigFormat: Sendable {
    /// Everything about the format that is not parsing (id, names, comment syntax, modelled
    /// release, …), declared once beside the format's detection.
    static var description: FormatDescription { get }
    /// Whether a file name (last path component) and its path say this format.
    func matches(fileName: String, path: String) -> Bool
    /// Whether the content says this format, for files whose name says nothing.
    func matches(content: SourceFile) -> Bool
    /// In a directory walk, whether the content bears out what the name claimed. Names that other
    /// programs use too (`smtpd.conf` is also Cyrus SASL's, `accounts.conf` anyone's) need proof;
    /// names only this program uses are trusted.
    func confirms(content: SourceFile) -> Bool
    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup
}

extension ConfigFormat {
    func matches(content: SourceFile) -> Bool { false }
    func confirms(content: SourceFile) -> Bool { true }

    /// The format's description, reached from a value (`any ConfigFormat`).
    var formatDescription: FormatDescription { Self.description }
    /// The format's id (`--as`, JSON output, rule examples).
    public var id: FormatID { Self.description.id }
    /// The comment syntax inline suppressions are written in; empty for none.
    public var commentMarkers: [String] { Self.description.commentMarkers }
}
