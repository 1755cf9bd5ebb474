/// What one input says: its endpoints and identities, the spans of secrets it holds (so no output
/// prints them), its inline suppression comments, and the problems met while reading it.
public struct MailSetup: Sendable {
    public var path: String
    public var format: FormatID
    public var endpoints: [Endpoint] = []
    public var identities: [Identity] = []
    /// Every place a secret is written; reporters mask these.
    public var secrets: [SourceSpan] = []
    /// Words a secret scan would take for a secret's name that the format's grammar reads as
    /// something else (fetchmail's `auth password` names an authentication type): nothing after
    /// them is masked on their account.
    public var notSecretKeys: [SourceSpan] = []
    public var suppressions: [SuppressionComment] = []
    /// Problems that could not be read past (MA000). A setup may still hold what was read.
    public var problems: [ParseProblem] = []
    /// Other files that are part of this setup (includes, sourced files).
    public var includedFiles: [String] = []
    /// Includes named but not read (MA003).
    public var unfollowedIncludes: [UnfollowedInclude] = []
    /// The program and release whose defaults the parser models (`msmtp 1.8`): a finding that rests on
    /// a default names it.
    public var modelledProgram: String?

    public init(path: String, format: FormatID) {
        self.path = path
        self.format = format
    }
}

/// An input that could not be read or parsed, or a setting that makes no sense (MA000).
public struct ParseProblem: Error, Hashable, Sendable {
    public var message: String
    public var span: SourceSpan?
    public var path: String

    public init(_ message: String, path: String, span: SourceSpan? = nil) {
        self.message = message
        self.path = path
        self.span = span
    }
}

/// `mailaudit: disable=MA501,MA104 reason="…" until=2027-06-30` written in a comment.
public struct SuppressionComment: Hashable, Sendable {
    public enum Scope: String, Sendable { case nextLine, sameLine, file }
    public var ruleIds: [String]
    public var reason: String?
    public var until: String?
    public var scope: Scope
    /// The comment itself, for MA001/MA002.
    public var span: SourceSpan
    /// The line the suppression covers (unused for file scope).
    public var coveredLine: Int

    public init(ruleIds: [String], reason: String?, until: String?, scope: Scope, span: SourceSpan, coveredLine: Int) {
        self.ruleIds = ruleIds
        self.reason = reason
        self.until = until
        self.scope = scope
        self.span = span
        self.coveredLine = coveredLine
    }
}
