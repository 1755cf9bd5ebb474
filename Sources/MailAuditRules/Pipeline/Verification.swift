import MailAuditCore

/// What the verify stage (`lint --verify`) adds to a run: the probe findings of each setup, in the
/// order the setups were handed to it, and the observations for the report's `probes`.
public struct Verification: Sendable {
    public var findings: [[Finding]]
    public var probes: [ProbeObservation]

    public init(findings: [[Finding]], probes: [ProbeObservation]) {
        self.findings = findings
        self.probes = probes
    }
}
