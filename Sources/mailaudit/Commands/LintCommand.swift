import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules

struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lint", abstract: "Lint files and directories (default: .).")

    @Argument(help: "Files and directories to lint; '-' reads standard input (needs --as).")
    var paths: [String] = []

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (default: standard output).", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Also write another report in the same run (repeatable), e.g. sarif:mailaudit.sarif.", valueName: "FORMAT:PATH"))
    var reports: [ExtraReport] = []

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1 (default: the configuration's fail_on, else warning).")
    var failOn: FailOn?

    @OptionGroup var input: InputOptions

    @Option(help: "Colour in text output.")
    var color: ColorChoice = .auto

    @Flag(help: "Only findings: no fixes, no summary.")
    var quiet = false

    @Flag(help: "Counts per rule and format after the findings.")
    var statistics = false

    @Option(name: .customLong("max-findings"), help: "Show at most this many findings (the summary still counts all).")
    var maxFindings: Int?

    @Option(name: .customLong("sarif-category"), help: "SARIF automationDetails.id, to tell several uploads apart.")
    var sarifCategory = "mailaudit/"

    @Flag(name: .customLong("include-suppressed"), help: "Keep suppressed findings in SARIF (with their suppressions).")
    var includeSuppressed = false

    @Flag(name: .customLong("no-inline-suppressions"), help: "Ignore `mailaudit: disable=…` comments.")
    var noInlineSuppressions = false

    @Option(help: ArgumentHelp("Report only findings not recorded in this baseline (see `mailaudit baseline`).", valueName: "FILE"))
    var baseline: String?

    @Flag(name: .customLong("strict-baseline"), help: "Fail (exit 1) when baseline entries match nothing any more.")
    var strictBaseline = false

    @Flag(name: .customLong("print-config"), help: "Print the effective configuration and exit.")
    var printConfig = false

    @OptionGroup(title: "Live verification") var verify: VerifyOptions

    func validate() throws {
        if let maxFindings, maxFindings < 0 { throw ValidationError("--max-findings takes a number of 0 or more") }
        if strictBaseline, baseline == nil { throw ValidationError("--strict-baseline goes with --baseline FILE") }
        try input.validate(paths: paths)
        if paths.contains("-"), input.forcedFormat == nil { throw ValidationError("reading standard input ('-') needs --as FORMAT") }
        // `lint` is the default command, so a misspelled command arrives here as a path.
        if let first = paths.first, !first.contains("/"), !FileManager.default.fileExists(atPath: first),
           let command = Suggestion.closest(to: first, in: MailAudit.configuration.subcommands.compactMap { $0.configuration.commandName }) {
            throw ValidationError("'\(first)' is neither a command nor a file — did you mean the command '\(command)'?")
        }
    }

    func run() async throws {
        // SARIF carries each rule's documentation, examples included; other outputs need none.
        let documented: Set<OutputFormat> = [.sarif]
        let needsExamples = documented.contains(format) || reports.contains { documented.contains($0.format) }
        let setup = try LintSetup.make(input: input, examples: needsExamples)
        if printConfig {
            print(setup.configuration.rendered(rules: setup.rules.rules), terminator: "")
            return
        }
        var discovery = setup.discover(paths)
        var recorded: Baseline?
        if let baseline {
            switch Result(catching: { () throws(ParseProblem) in try Baseline.load(path: baseline) }) {
            case .success(let b): recorded = b
            case .failure(let problem): discovery.problems.append(problem)
            }
        }
        var linter = setup.linter(inlineSuppressions: !noInlineSuppressions)
        linter.keepSetups = showsInventory
        let progress = Progress(total: discovery.inputs.count)
        linter.progress = progress.tick
        let auditor = Auditor(linter: linter, baseline: recorded)

        // Every report consumes the same stream: each written as it comes, or at the end.
        var options = ReportOptions(color: format == .text && color.enabled(forStandardOutput: output == nil),
                                    sarifCategory: sarifCategory, includeSuppressed: includeSuppressed,
                                    quiet: quiet, statistics: statistics)
        options.maxFindings = maxFindings
        options.context = auditContext(setup)
        var plainOptions = options
        plainOptions.color = false
        var destinations = [try ReportDestination(path: output)]
        var outputs = [ReportFanOut.Output(stream: format.stream(), options: options, write: destinations[0].write)]
        for extra in reports {
            destinations.append(try ReportDestination(path: extra.path))
            outputs.append(.init(stream: extra.format.stream(), options: plainOptions, write: destinations[destinations.count - 1].write))
        }
        let jobSummary = try jobSummaryPath.map { try ReportDestination(path: $0, appending: true) }
        if let jobSummary { outputs.append(.init(stream: WholeDocumentStream(MarkdownReporter()), options: options, write: jobSummary.write)) }
        var fanOut = ReportFanOut(rules: setup.rules, outputs: outputs)

        do {
            if let stage = verify.stage(engine: RuleEngine(ruleSet: setup.rules, settings: setup.configuration.settings)) {
                try await auditor.run(discovery, verifyingWith: stage, into: &fanOut)
            } else {
                auditor.run(discovery, into: &fanOut)
            }
        } catch {
            for destination in destinations { destination.abandon() }
            throw error
        }
        progress.finish()
        for destination in destinations + [jobSummary].compactMap({ $0 }) { try destination.finish() }
        let totals = fanOut.totals
        // Whether any file was linted is known only at the end: a walk's candidates may all be passed over.
        if totals.summary.files == 0, totals.summary.parseErrors == 0 { LintSetup.nothingToLint(paths, skipped: totals.summary.skipped) }
        throw ExitCode(LintCommand.exitStatus(totals.summary, failOn: threshold(setup),
                                              staleBaseline: strictBaseline && !(totals.baseline?.stale.isEmpty ?? true)))
    }

    /// `--fail-on`, else the configuration's `fail_on`, else warning.
    func threshold(_ setup: LintSetup) -> FailOn {
        failOn ?? setup.configuration.failOn ?? .warning
    }

    /// 2 when an input could not be read; 1 when a finding reaches --fail-on, or `--strict-baseline`
    /// found stale entries; else 0. From the counts, so a streamed run decides as a whole one does.
    static func exitStatus(_ summary: ReportSummary, failOn: FailOn, staleBaseline: Bool) -> Int32 {
        if summary.parseErrors > 0 { return 2 }
        let reached: Int
        switch failOn.threshold {
        case .error?: reached = summary.error
        case .warning?: reached = summary.error + summary.warning
        case .note?: reached = summary.findings
        case nil: reached = 0
        }
        return reached > 0 || staleBaseline ? 1 : 0
    }
}

/// `--report FORMAT:PATH`.
struct ExtraReport: ExpressibleByArgument {
    var format: OutputFormat
    var path: String

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":"), let format = OutputFormat(rawValue: String(argument[..<colon])) else { return nil }
        let path = String(argument[argument.index(after: colon)...])
        guard !path.isEmpty else { return nil }
        self.format = format
        self.path = path
    }

    static var defaultCompletionKind: CompletionKind { .file() }
}

/// The rule set, configuration and inputs for one run: shared by `lint`, `baseline` and `model`.
struct LintSetup {
    var rules: RuleSet
    var configuration: Configuration
    var input: InputOptions

    static func make(input: InputOptions, examples: Bool = true) throws -> LintSetup {
        var rules = try input.ruleSet(examples: examples)
        let configuration = try input.configuration(knownRules: Set(rules.rules.map(\.id)))
        for path in configuration.customRules {
            do { try rules.add(path: path) } catch { throw InputOptions.stop(error) }
        }
        return LintSetup(rules: rules, configuration: configuration, input: input)
    }

    /// A whole run over the inputs, collected (`baseline`, `model`).
    func lint(paths: [String], inlineSuppressions: Bool, keepSetups: Bool = false) -> LintResult {
        var linter = linter(inlineSuppressions: inlineSuppressions)
        linter.keepSetups = keepSetups
        let found = discover(paths)
        let progress = Progress(total: found.inputs.count)
        linter.progress = progress.tick
        var collector = LintResultCollector()
        Auditor(linter: linter).run(found, into: &collector)
        progress.finish()
        let result = collector.result.masked()
        if result.files.isEmpty, result.problems.isEmpty { Self.nothingToLint(paths, skipped: result.skipped) }
        return result
    }

    /// A walk that found no file it knows is not an error (exit 0), but a user should not take the
    /// empty report for a clean one.
    static func nothingToLint(_ paths: [String], skipped: Int) {
        let folders = paths.isEmpty ? ["."] : paths
        let notice = "mailaudit: no files mailaudit knows in \(folders.joined(separator: ", ")); \(skipped) skipped\n"
        FileHandle.standardError.write(Data(notice.utf8))
    }

    /// The linter the configuration asks for.
    func linter(inlineSuppressions: Bool) -> Linter {
        var linter = Linter(engine: RuleEngine(ruleSet: rules, settings: configuration.settings))
        linter.inlineSuppressions = inlineSuppressions
        linter.ignores = configuration.ignores
        linter.versions = configuration.versions
        if let configFolder { linter.ignoreBase = configFolder }
        // `--root` wins over the configuration's `root:`.
        linter.root = (input.root ?? configuration.root).map { root -> String in
            let absolute = root.hasPrefix("/") ? root : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(root)
            return (absolute as NSString).standardizingPath
        }
        return linter
    }

    /// The folder of the configuration file: its `exclude:` and `ignore:` paths are relative to it.
    var configFolder: String? {
        configuration.path.map { path -> String in
            let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
            return (absolute.folderPath as NSString).standardizingPath
        }
    }

    /// The inputs to lint (this shard's part of them).
    func discover(_ paths: [String]) -> FileDiscovery.Discovery {
        do { return try input.inputs(paths, exclude: configuration.exclude, excludeBase: configFolder) } catch {
            return FileDiscovery.Discovery(problems: [ParseProblem("\(error)", path: "-")])
        }
    }
}

/// `N/M files` on a terminal's standard error while auditing many files; nothing on a pipe or in CI.
final class Progress: @unchecked Sendable {
    let total: Int
    let enabled: Bool
    private var done = 0
    private let lock = NSLock()

    init(total: Int) {
        self.total = total
        let env = ProcessInfo.processInfo.environment
        enabled = total > 300 && isatty(STDERR_FILENO) == 1 && env["CI"] == nil
    }

    func tick() {
        guard enabled else { return }
        lock.lock()
        done += 1
        let n = done
        lock.unlock()
        if n % 100 == 0 || n == total { FileHandle.standardError.write(Data("\rmailaudit: \(n)/\(total) files".utf8)) }
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
