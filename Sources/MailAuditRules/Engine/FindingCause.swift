import MailAuditCore

/// Where an endpoint finding points, chosen from the model alone:
/// - at the rule's `at` field's setting when the endpoint's own block wrote it;
/// - when that setting is shared (a `defaults` block, main.cf under a master.cf service), at a setting
///   of the endpoint's own that takes part in the finding (msmtp `auth on` in `defaults` plus
///   `tls off` in the account: at `tls off`), the shared one then a related location; with none,
///   at the shared setting, which the grouping step then reports once for every endpoint;
/// - when nothing is written for the field (the program's default decided it), at the block that
///   defines the endpoint, and `defaulted` names the field so the message can say so.
struct FindingCause {
    var span: SourceSpan
    var related: [SourceSpan]
    var defaulted: Endpoint.Field?

    /// Fields that say which endpoint this is rather than how it is secured: never the cause to point at instead.
    static let describingFields: Set<Endpoint.Field> = [.account, .role, .direction, .protocol, .host, .port, .portIsDefault, .loopback]
    /// Fields the kind of block decides (a `pop3` listener speaks POP3): unwritten, they are no default.
    static let impliedByTheBlock: Set<Endpoint.Field> = [.account, .role, .direction, .protocol, .transport]

    init(at: String?, causes: [String], endpoint: Endpoint) {
        guard let field = at.flatMap(FieldCatalog.spanField(for:)) else {
            self.init(span: endpoint.location, related: [], defaulted: nil)
            return
        }
        guard let written = endpoint.writtenSpan(of: field) else {
            let isDefault = endpoint.value(of: field) != nil && !Self.impliedByTheBlock.contains(field)
            self.init(span: endpoint.location, related: [], defaulted: isDefault ? field : nil)
            return
        }
        var related = endpoint.related[field] ?? []
        var span = written
        if endpoint.inherited.contains(field),
           let own = causes.compactMap(FieldCatalog.spanField(for:)).first(where: { candidate in
               candidate != field && !Self.describingFields.contains(candidate) && !endpoint.inherited.contains(candidate)
                   && endpoint.writtenSpan(of: candidate) != nil
           }) {
            span = endpoint.writtenSpan(of: own)!
            related = [written] + related + (endpoint.related[own] ?? [])
        }
        var seen = Set<SourceSpan>()
        self.init(span: span, related: related.filter { $0 != span && seen.insert($0).inserted }, defaulted: nil)
    }

    private init(span: SourceSpan, related: [SourceSpan], defaulted: Endpoint.Field?) {
        self.span = span
        self.related = related
        self.defaulted = defaulted
    }
}
