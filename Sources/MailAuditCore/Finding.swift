/// One problem a rule found, located at the setting that causes it.
public struct Finding: Sendable {
    public var ruleId: String
    public var ruleName: String
    public var severity: Severity
    public var message: String
    public var span: SourceSpan
    public var format: String
    public var fix: String?
    public var endpoint: Endpoint?
    public var identity: Identity?
    /// Content-based key that survives unrelated edits (DESIGN §7).
    public var fingerprint: String
    /// Other settings that contributed (defaults blocks, overridden values).
    public var related: [SourceSpan]
    public var suppression: Suppression?

    public init(ruleId: String, ruleName: String, severity: Severity, message: String, span: SourceSpan,
                format: String, fix: String? = nil, endpoint: Endpoint? = nil, identity: Identity? = nil,
                fingerprint: String, related: [SourceSpan] = [], suppression: Suppression? = nil) {
        self.ruleId = ruleId
        self.ruleName = ruleName
        self.severity = severity
        self.message = message
        self.span = span
        self.format = format
        self.fix = fix
        self.endpoint = endpoint
        self.identity = identity
        self.fingerprint = fingerprint
        self.related = related
        self.suppression = suppression
    }

    /// Deterministic report order: path, line, column, rule id.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.span.path, a.span.line, a.span.column, a.ruleId) < (b.span.path, b.span.line, b.span.column, b.ruleId)
    }
}

/// Why a finding does not count: an inline comment, the configuration's ignore list, or a baseline.
public struct Suppression: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable { case inline, configuration, baseline }
    public var kind: Kind
    public var justification: String?

    public init(kind: Kind, justification: String?) {
        self.kind = kind
        self.justification = justification
    }
}
