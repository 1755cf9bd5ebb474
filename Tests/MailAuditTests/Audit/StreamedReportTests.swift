import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules
import MailAuditTestSupport
import Testing

/// A streamed report is the whole-run report: every streamable format over Examples/, written part
/// by part as the audit runs, equals the same format rendered from the collected run.
@Suite struct StreamedReportTests {
    /// Examples/ as `lint Examples/` discovers it.
    static func examples() -> FileDiscovery.Discovery {
        FileDiscovery(registry: .builtIn, forcedFormat: nil, base: TestSupport.repoRoot.path)
            .discover([TestSupport.repoRoot.appendingPathComponent("Examples").path])
    }

    static func streamed(_ format: OutputFormat, options: ReportOptions = ReportOptions()) -> String {
        var out = ""
        var fanOut = ReportFanOut(rules: TestSupport.ruleSet, outputs: [.init(stream: format.stream(), options: options, write: { out += $0 })])
        Auditor(linter: Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))).run(examples(), into: &fanOut)
        return out
    }

    static func whole(_ format: OutputFormat, options: ReportOptions = ReportOptions()) -> String {
        var collector = LintResultCollector()
        Auditor(linter: Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))).run(examples(), into: &collector)
        // The values masked with every secret of the run, as a streamed part's are with its own. Not
        // `render`'s last pass over the finished text: over a whole document it also masks the rule
        // pack's own text where it equals some file's secret (an example's `pass show mail/work`),
        // which a part's text is never masked with.
        return format.reporter.document(Report(result: collector.result.masked(), rules: TestSupport.ruleSet, options: options))
    }

    @Test(arguments: [OutputFormat.text, .json, .jsonl, .sarif])
    func aStreamedReportEqualsTheWholeRun(format: OutputFormat) {
        let streamed = Self.streamed(format)
        #expect(streamed.count > 1000, "Examples/ has findings")
        #expect(streamed == Self.whole(format))
    }

    @Test func textWithStatisticsAndALimitEqualsTheWholeRun() {
        var options = ReportOptions(statistics: true)
        options.maxFindings = 7
        let streamed = Self.streamed(.text, options: options)
        #expect(streamed.contains("findings by rule:"))
        #expect(streamed == Self.whole(.text, options: options))
    }

    /// GitHub annotations come file by file (errors first within each file); the whole run puts all
    /// errors first. The same annotations are shown either way, and the same closing lines.
    @Test func githubShowsTheSameAnnotations() {
        let streamed = Self.streamed(.github).split(separator: "\n"), whole = Self.whole(.github).split(separator: "\n")
        #expect(streamed.count > 10)
        #expect(streamed.sorted() == whole.sorted())
        #expect(streamed.last == whole.last)
    }
}
