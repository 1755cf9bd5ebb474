import MailAuditCore
import MailAuditRules

/// `--format jsonl`: one JSON object per line, `{"type":"finding",…}` (the fields of a JSON report's
/// finding), `{"type":"error",…}`, `{"type":"probe",…}` with `--verify`, and last
/// `{"type":"summary",…}`. `lint` streams it file by file (`JSONLinesReportStream`); this renders a
/// whole run at once.
public struct JSONLinesReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        Self.lines(report) + Self.summaryLine(ReportSummary(report.result), baseline: report.result.baseline)
    }

    /// The finding, error and probe lines of a report: a whole run, or one file of a stream.
    static func lines(_ report: Report) -> String {
        var out = ""
        for finding in report.result.findings { out += JSONReporter.finding(finding).line(type: "finding") }
        let rule = report.rules.parseError
        for problem in report.result.problems { out += ModelJSON.error(problem, rule: rule).line(type: "error") }
        for probe in report.result.probes ?? [] { out += ProbeJSON.json(probe).line(type: "probe") }
        return out
    }

    static func summaryLine(_ summary: ReportSummary, baseline: BaselineSummary?) -> String {
        guard case .object(var fields) = summary.json else { return "" }
        fields["tool"] = JSONReporter.tool
        fields["schemaVersion"] = .int(1)
        if let baseline { fields["baseline"] = JSONReporter.baseline(baseline) }
        return JSONValue.object(fields).line(type: "summary")
    }
}
