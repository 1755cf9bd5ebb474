import MailAuditCore
import MailAuditRules

/// `--format text` while the run goes on: each file's findings with their source lines as the
/// file completes (a fix is shown once per rule and file, within the file's part), the statistics
/// and the summary line last. `--max-findings` counts over the whole run.
struct TextReportStream: ReportStream {
    let reporter = TextReporter()
    var listed = 0

    mutating func begin(_ preface: Report, write: (String) -> Void) { part(preface, write: write) }

    mutating func part(_ part: Report, write: (String) -> Void) { write(body(part)) }

    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        let limit = listing(closing)
        write(closing.maskedText { masked in
            var totals = totals
            totals.baseline = masked.result.baseline ?? totals.baseline
            return reporter.body(masked, listing: Array(masked.activeFindings.prefix(limit))) + reporter.tail(totals, options: masked.options)
        })
    }

    private mutating func body(_ part: Report) -> String {
        let limit = listing(part)
        return part.maskedText { reporter.body($0, listing: Array($0.activeFindings.prefix(limit))) }
    }

    /// How many of the part's findings are listed: `--max-findings` less those listed before.
    private mutating func listing(_ part: Report) -> Int {
        let limit = part.options.maxFindings.map { max(0, $0 - listed) } ?? Int.max
        listed += min(limit, part.activeFindings.count)
        return limit
    }
}

/// `--format github` while the run goes on: each file's annotations as it completes (errors first
/// within the file), the cap per level over the whole run, the summary line last.
struct GitHubReportStream: ReportStream {
    var annotations = GitHubReporter.Annotations()

    mutating func begin(_ preface: Report, write: (String) -> Void) { part(preface, write: write) }

    mutating func part(_ part: Report, write: (String) -> Void) {
        write(part.maskedText { annotations.lines($0) })
    }

    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        write(closing.maskedText { annotations.lines($0) + annotations.closing(Wording.severities(totals)) })
    }
}

/// `--format jsonl`: each file's finding and error lines as it completes, the probe lines and the
/// summary line at the end.
struct JSONLinesReportStream: ReportStream {
    mutating func begin(_ preface: Report, write: (String) -> Void) { part(preface, write: write) }

    mutating func part(_ part: Report, write: (String) -> Void) {
        write(part.maskedText(JSONLinesReporter.lines))
    }

    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        write(closing.maskedText { JSONLinesReporter.lines($0) + JSONLinesReporter.summaryLine(totals.summary, baseline: $0.result.baseline) })
    }
}
