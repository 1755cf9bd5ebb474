import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules

/// What the CLI does with one file given with `--as FORMAT`: decode the bytes, parse, run the rule
/// pack and inline suppressions (the `Linter`), then render the reports. Everything is thrown away:
/// the fuzzer looks only for crashes, hangs and memory growth.
struct FuzzedLint: Sendable {
    /// The name the input goes by, as standard input does in the CLI (nothing is read by that name).
    static let displayPath = "<stdin>"
    /// A fixed "today" so `until=` dates, and with them a reproducer's behaviour, do not depend on the day.
    static let today = "2026-11-29"
    static let reportFormats: [OutputFormat] = [.text, .json, .sarif]

    let rules: RuleSet

    init() throws(ParseProblem) {
        rules = try RuleSet.builtIn(examples: false)
    }

    func run(_ bytes: Data, format: any ConfigFormat) {
        // Decoding is the first thing the CLI does with a file's bytes; what fails here is an MA000.
        guard let file = try? SourceFile.decode(bytes, path: Self.displayPath) else { return }
        var linter = Linter(engine: RuleEngine(ruleSet: rules))
        linter.today = Self.today
        let result = linter.lint([LintInput(path: Self.displayPath, displayPath: Self.displayPath, format: format, text: file.text)])
        let report = Report(result: result, rules: rules)
        for output in Self.reportFormats { _ = output.reporter.render(report) }
    }
}
