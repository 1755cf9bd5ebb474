import MailAuditCore
import MailAuditRules

/// `--format jsonl`: one JSON object per line, `{"type":"finding",…}` (the fields of a JSON report's
/// finding), `{"type":"error",…}`, `{"type":"probe",…}` with `--verify`, and last
/// `{"type":"summary",…}`. `lint` streams it file by file (`JSONLinesStream`); this renders a
/// whole run at once (`--output`, `--report jsonl:FILE`, `--verify`).
public struct JSONLinesReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        Self.lines(report) + Self.summaryLine(ReportSummary(report.result), baseline: report.result.baseline)
    }

    /// The finding, error and probe lines of a report: a whole run, or one file of a stream.
    static func lines(_ report: Report) -> String {
        var out = ""
        for finding in report.result.findings { out += JSONReporter.finding(finding).line(type: "finding") }
        for problem in report.result.problems { out += ModelJSON.error(problem).line(type: "error") }
        for probe in report.result.probes ?? [] { out += ProbeJSON.json(probe).line(type: "probe") }
        return out
    }

    static func summaryLine(_ summary: ReportSummary, baseline: BaselineSummary?) -> String {
        guard case .object(var fields) = summary.json else { return "" }
        fields["tool"] = .object(["name": .string("mailaudit"), "version": .string(JSONReporter.toolVersion)])
        fields["schemaVersion"] = .int(1)
        if let baseline { fields["baseline"] = JSONReporter.baseline(baseline) }
        return JSONValue.object(fields).line(type: "summary")
    }
}

/// `--format jsonl` while a run goes on: each file's lines, masked, as soon as the file is done;
/// the summary line once the run is over. Holds only the counts, so memory stays flat.
///
/// A file's lines are masked with the secrets of that file and of the files it includes (every
/// string a finding or an error carries comes from those), through the same path as every
/// report. Unlike a report written at the end, they are not also masked with other files'
/// secrets: keeping every secret of a million files would grow with the run, and a shard of a
/// split run could not know them either.
public struct JSONLinesStream {
    let rules: RuleSet
    public private(set) var summary = ReportSummary()

    public init(rules: RuleSet) { self.rules = rules }

    /// The lines of one part of the run (a file, or problems found before the files).
    public mutating func lines(for part: LintResult) -> String {
        summary.add(part)
        return Report(result: part, rules: rules).maskedText(JSONLinesReporter.lines)
    }

    public func summaryLine(baseline: BaselineSummary?) -> String {
        var report = Report(result: LintResult(), rules: rules)
        report.result.baseline = baseline
        return report.maskedText { JSONLinesReporter.summaryLine(summary, baseline: $0.result.baseline) }
    }
}
