import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lint", abstract: "Lint files and directories (default: .).")

    @Argument(help: "Files and directories to lint; '-' reads standard input (needs --as).")
    var paths: [String] = []

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (default: standard output).", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1.")
    var failOn: FailOn = .warning

    @OptionGroup var input: InputOptions

    @Option(help: "Colour in text output.")
    var color: ColorChoice = .auto

    @Flag(help: "Only findings: no fixes, no summary.")
    var quiet = false

    @Flag(help: "Counts per rule and format after the findings.")
    var statistics = false

    @Option(name: .customLong("sarif-category"), help: "SARIF automationDetails.id, to tell several uploads apart.")
    var sarifCategory = "mailaudit/"

    @Flag(name: .customLong("include-suppressed"), help: "Keep suppressed findings in SARIF (with their suppressions).")
    var includeSuppressed = false

    @Flag(name: .customLong("no-inline-suppressions"), help: "Ignore `mailaudit: disable=…` comments.")
    var noInlineSuppressions = false

    func run() throws {
        let rules = try input.ruleSet()
        let (inputs, discoveryProblems) = try input.inputs(paths)
        var linter = Linter(engine: RuleEngine(ruleSet: rules))
        linter.inlineSuppressions = !noInlineSuppressions
        var result = linter.lint(inputs)
        result.problems = discoveryProblems + result.problems
        let options = ReportOptions(color: format == .text && color.enabled(forStandardOutput: output == nil),
                                    sarifCategory: sarifCategory, includeSuppressed: includeSuppressed,
                                    quiet: quiet, statistics: statistics)
        let report = Report(result: result, rules: rules, options: options)
        try ReportWriter.write(format.reporter.render(report), to: output)
        throw ExitCode(LintCommand.exitStatus(result, failOn: failOn))
    }

    /// 2 when an input could not be read; 1 when a finding reaches --fail-on; else 0.
    static func exitStatus(_ result: LintResult, failOn: FailOn) -> Int32 {
        if !result.problems.isEmpty { return 2 }
        guard let threshold = failOn.threshold else { return 0 }
        return result.activeFindings.contains { $0.severity >= threshold } ? 1 : 0
    }
}
