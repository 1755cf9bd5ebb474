import MailAuditCore
import MailAuditRules

/// What a report's closing lines need of a whole run (counts, the statistics' tables, the
/// unreadable inputs, the baseline), added up part by part so a streamed report need not hold
/// the findings. The tables grow with the rules, formats and unreadable inputs, not with the files.
public struct ReportTotals: Sendable {
    public var summary = ReportSummary()
    var byRule: [String: (name: String, severity: Severity, count: Int)] = [:]
    var byFormat: [String: Int] = [:]
    var unreadablePaths = Set<String>()
    public internal(set) var baseline: BaselineSummary?

    public init() {}

    public init(_ result: LintResult) { add(result) }

    public mutating func add(_ result: LintResult) {
        summary.add(result)
        for f in result.activeFindings { byRule[f.ruleId, default: (f.ruleName, f.severity, 0)].count += 1 }
        for file in result.files { byFormat[file.format.rawValue, default: 0] += 1 }
        for problem in result.problems { unreadablePaths.insert(problem.path) }
        if let b = result.baseline { baseline = b }
    }

    var counts: SeverityCounts {
        var c = SeverityCounts([])
        c.error = summary.error
        c.warning = summary.warning
        c.note = summary.note
        return c
    }
}
