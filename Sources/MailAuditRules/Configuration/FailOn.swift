import MailAuditCore

/// The lowest severity that fails a run (exit status 1): `--fail-on` and the configuration's `fail_on:`.
public enum FailOn: String, Sendable, CaseIterable {
    case error, warning, note, never

    /// The severity a finding must reach; nil for `never`.
    public var threshold: Severity? { Severity(rawValue: rawValue) }
}
