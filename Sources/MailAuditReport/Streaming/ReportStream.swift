import MailAuditCore
import MailAuditRules

/// A report written while the audit runs: `begin` with what was known before any file, `part`
/// per file as it completes, `end` with the run's end and its totals. Each call writes its text
/// through `write` as soon as it has it; every string is masked with the secrets of the part it
/// comes from (`Report.maskedText`), so nothing unmasked leaves the program.
public protocol ReportStream {
    mutating func begin(_ preface: Report, write: (String) -> Void)
    mutating func part(_ part: Report, write: (String) -> Void)
    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void)
}

/// A format that is one document built from the whole run (junit, markdown, html, and the
/// probe's reports): the stream collected, rendered at the end. Memory grows with the run.
public struct WholeDocumentStream: ReportStream {
    let reporter: any Reporter
    var collected = LintResultCollector()

    public init(_ reporter: any Reporter) { self.reporter = reporter }

    public mutating func begin(_ preface: Report, write: (String) -> Void) { collected.begin(preface.result) }
    public mutating func part(_ part: Report, write: (String) -> Void) {
        // Of each setup (kept when a report shows the inventory), only what the inventory shows.
        var result = part.result
        result.setups = result.setups.map(\.forInventory)
        collected.part(result)
    }
    public mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        collected.end(closing.result)
        write(reporter.render(Report(result: collected.result, rules: closing.rules, options: closing.options)))
    }
}

extension OutputFormat {
    /// How this format is written while a run goes on. text, github, jsonl print each file as it
    /// completes; json and sarif stream their arrays; the other document formats collect the run.
    public func stream() -> any ReportStream {
        switch self {
        case .text: return TextReportStream()
        case .github: return GitHubReportStream()
        case .jsonl: return JSONLinesReportStream()
        case .json: return JSONReportStream()
        case .sarif: return SARIFReportStream()
        case .junit, .markdown, .html: return WholeDocumentStream(reporter)
        }
    }
}

/// Feeds one audit to several reports at once (`--format` and each `--report`), each with its
/// own options and writer, and adds up the totals the exit status and the closing lines need.
public struct ReportFanOut: AuditConsumer {
    public struct Output {
        var stream: any ReportStream
        let options: ReportOptions
        let write: (String) -> Void

        public init(stream: any ReportStream, options: ReportOptions, write: @escaping (String) -> Void) {
            self.stream = stream
            self.options = options
            self.write = write
        }
    }

    let rules: RuleSet
    var outputs: [Output]
    public private(set) var totals = ReportTotals()

    public init(rules: RuleSet, outputs: [Output]) {
        self.rules = rules
        self.outputs = outputs
    }

    public mutating func begin(_ preface: LintResult) {
        totals.add(preface)
        for n in outputs.indices { outputs[n].stream.begin(report(preface, n), write: outputs[n].write) }
    }

    public mutating func part(_ part: LintResult) {
        totals.add(part)
        for n in outputs.indices { outputs[n].stream.part(report(part, n), write: outputs[n].write) }
    }

    public mutating func end(_ closing: LintResult) {
        totals.add(closing)
        for n in outputs.indices { outputs[n].stream.end(report(closing, n), totals: totals, write: outputs[n].write) }
    }

    private func report(_ result: LintResult, _ n: Int) -> Report { Report(result: result, rules: rules, options: outputs[n].options) }
}
