import MailAuditCore

/// A format's resolved setting as a mapper sees it: where it is written (nil: the program's default), the
/// settings it overrode or that also spoke, and whether it sits in a block several endpoints share.
protocol DecidingSetting {
    var span: SourceSpan? { get }
    var related: [SourceSpan] { get }
    var inherited: Bool { get }
}

extension Endpoint {
    /// Records that `setting` decided `field`: its span (none for a default, so findings point at the
    /// endpoint), the other settings as related locations, and whether the field is inherited.
    mutating func decide(_ field: Field, by setting: some DecidingSetting) {
        spans[field] = setting.span
        for span in setting.related { addRelated(span, for: field) }
        if setting.inherited { inherited.insert(field) } else { inherited.remove(field) }
    }
}
