/// One problem a rule found, located at the setting that causes it.
public struct Finding: Sendable {
    public var ruleId: String
    public var ruleName: String
    public var severity: Severity
    public var message: String
    public var span: SourceSpan
    public var format: FormatID
    public var fix: String?
    /// The endpoint (or identity) the finding is about: the first of `endpoints`. Kept in a box:
    /// findings are copied when sorted, filtered and reported, and inline the two made every copy
    /// several hundred bytes.
    public var endpoint: Endpoint? {
        get { endpoints.first }
        set { endpoints = newValue.map { [$0] } ?? [] }
    }
    /// Every endpoint the finding is about: one setting shared by several endpoints (an msmtp
    /// `defaults` block, a main.cf value under several master.cf services) is one finding.
    public var endpoints: [Endpoint] {
        get { endpointsBox?.value ?? [] }
        set { endpointsBox = newValue.isEmpty ? nil : Box(newValue) }
    }
    public var identity: Identity? {
        get { identityBox?.value }
        set { identityBox = newValue.map(Box.init) }
    }
    private var endpointsBox: Box<[Endpoint]>?
    private var identityBox: Box<Identity>?
    /// Content-based key that survives unrelated edits.
    public var fingerprint: String
    /// Other settings that contributed (defaults blocks, overridden values).
    public var related: [SourceSpan]
    public var suppression: Suppression?

    public init(ruleId: String, ruleName: String, severity: Severity, message: String, span: SourceSpan,
                format: FormatID, fix: String? = nil, endpoint: Endpoint? = nil, identity: Identity? = nil,
                fingerprint: String, related: [SourceSpan] = [], suppression: Suppression? = nil) {
        self.ruleId = ruleId
        self.ruleName = ruleName
        self.severity = severity
        self.message = message
        self.span = span
        self.format = format
        self.fix = fix
        self.endpointsBox = endpoint.map { Box([$0]) }
        self.identityBox = identity.map(Box.init)
        self.fingerprint = fingerprint
        self.related = related
        self.suppression = suppression
    }

    /// Deterministic report order: path, line, column, rule id.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.span.path, a.span.line, a.span.column, a.ruleId) < (b.span.path, b.span.line, b.span.column, b.ruleId)
    }
}

/// An immutable value on the heap, shared by the copies of what holds it.
private final class Box<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
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
