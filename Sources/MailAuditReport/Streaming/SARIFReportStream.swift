import MailAuditCore
import MailAuditRules

/// `--format sarif` while the run goes on: each file's results and notifications are written and
/// masked as it completes and spooled, results by severity (the log lists errors, then warnings,
/// then notes, each in report order); at the end the log is written with the spools as its arrays —
/// byte for byte what `SARIFReporter` writes for the whole run. Memory stays flat in the number of files.
struct SARIFReportStream: ReportStream {
    let reporter = SARIFReporter()
    let notifications = Spool()
    /// Error, warning and note results.
    let results = [Spool(), Spool(), Spool()]
    var ruleIndex: [String: Int]?

    /// Where the arrays' elements sit in the log: runs[0].invocations[0].toolExecutionNotifications, runs[0].results.
    static let notificationIndent = 12, resultIndent = 8

    mutating func begin(_ preface: Report, write: (String) -> Void) { part(preface, write: write) }

    mutating func part(_ part: Report, write: (String) -> Void) {
        let index = ruleIndex ?? reporter.ruleIndex(part.rules)
        ruleIndex = index
        let findings = part.options.includeSuppressed ? part.result.findings : part.activeFindings
        for (n, severity) in [Severity.error, .warning, .note].enumerated() {
            let count = findings.filter { $0.severity == severity }.count
            guard count > 0 else { continue }
            let text = part.maskedText { masked in
                let shown = masked.options.includeSuppressed ? masked.result.findings : masked.activeFindings
                return JSONReportStream.elements(shown.filter { $0.severity == severity }.map { reporter.result($0, ruleIndex: index[$0.ruleId]) },
                                                 indent: Self.resultIndent)
            }
            results[n].append(text, elements: count, separator: JSONReportStream.separator)
        }
        if !part.result.problems.isEmpty {
            let text = part.maskedText { JSONReportStream.elements($0.result.problems.map { [rule = $0.rules.parseError] p in reporter.notification(p, rule: rule) }, indent: Self.notificationIndent) }
            notifications.append(text, elements: part.result.problems.count, separator: JSONReportStream.separator)
        }
    }

    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        part(closing, write: write)
        reporter.log(closing, successful: totals.summary.parseErrors == 0, notifications: .spooled([notifications]), results: .spooled(results))
            .stream(framed: closing.redacted, write: write)
    }
}
