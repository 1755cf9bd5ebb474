import Foundation
import MailAuditCore

/// `probe --format text`: what each endpoint did, then the findings as `lint` shows them, then a
/// summary line that counts endpoints, not files, and says how long the probes took. The probes
/// finish together, so this is one document written at the end (`WholeDocumentStream`).
public struct ProbeTextReporter: Reporter {
    /// How the probe words its observations (the probe module's; this module knows no protocol).
    let observations: @Sendable ([ProbeObservation]) -> String
    let elapsed: TimeInterval

    public init(elapsed: TimeInterval, observations: @escaping @Sendable ([ProbeObservation]) -> String) {
        self.elapsed = elapsed
        self.observations = observations
    }

    public func document(_ report: Report) -> String {
        let findings = TextReporter().body(report, listing: report.listedFindings)
        guard !report.options.quiet else { return findings }
        let endpoints = Wording.count(report.result.probes?.count ?? 0, "endpoint")
        let summary = Wording.severities(report.counts, in: endpoints, joinedBy: "for") + " (probed in \(String(format: "%.1f", elapsed)) s)"
        return observations(report.result.probes ?? []) + findings + summary + "\n"
    }
}
