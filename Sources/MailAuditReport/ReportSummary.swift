import MailAuditCore
import MailAuditRules

/// The counts a machine-readable report ends with (`summary` in JSON, the last line of JSON Lines),
/// added up over a whole run or over the files of a stream as they pass.
public struct ReportSummary: Sendable, Equatable {
    public var files = 0, findings = 0, error = 0, warning = 0, note = 0, suppressed = 0, parseErrors = 0, skipped = 0

    public init() {}

    public init(_ result: LintResult) { add(result) }

    public mutating func add(_ result: LintResult) {
        let active = result.activeFindings
        let counts = SeverityCounts(active)
        files += result.files.count
        findings += active.count
        error += counts.error
        warning += counts.warning
        note += counts.note
        suppressed += result.findings.count - active.count
        parseErrors += result.problems.count
        skipped += result.skipped
    }

    var json: JSONValue {
        .object(["files": .int(files), "findings": .int(findings), "error": .int(error), "warning": .int(warning), "note": .int(note),
                 "suppressed": .int(suppressed), "parseErrors": .int(parseErrors), "skipped": .int(skipped)])
    }
}
