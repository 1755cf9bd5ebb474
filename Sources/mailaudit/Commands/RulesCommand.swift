import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditReport
import MailAuditRules
import MailAuditFormats

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "List the rule pack.")

    enum Format: String, CaseIterable, ExpressibleByArgument { case text, json, markdown }

    @Option(help: "Output format (markdown writes the rules page, docs/rules.md).")
    var format: Format = .text

    @OptionGroup var pack: RulePackOptions

    func run() throws {
        // Only the rules page shows the examples.
        let rules = try pack.ruleSet(examples: format == .markdown).rules
        switch format {
        case .text:
            let width = rules.map(\.name.count).max() ?? 0
            var out = ""
            for r in rules {
                out += "\(r.id)  \(r.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(r.summary.trimmingCharacters(in: .whitespacesAndNewlines))\n"
            }
            print(out, terminator: "")
        case .json:
            print(RuleListJSON.document(rules), terminator: "")
        case .markdown:
            print(RuleDocumentation.rulesPage(rules), terminator: "")
        }
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Print a rule's rationale, fix, references and examples.")

    enum Format: String, CaseIterable, ExpressibleByArgument { case text, markdown }

    @Argument(help: "A rule id (MA101) or name (plaintext-on-implicit-tls-port).")
    var rule: String

    @Option(name: .customLong("as"), help: ArgumentHelp("Show the fix and the examples for this input format (repeatable); without it, text lists the formats that have them.", valueName: "FORMAT"))
    var formats: [String] = []

    @Option(help: "Output format (markdown: the rule's whole page, as in docs/rules.md).")
    var format: Format = .text

    @OptionGroup var pack: RulePackOptions

    func validate() throws {
        for id in formats where FormatRegistry.builtIn.format(id: FormatID(id)) == nil {
            throw ValidationError(FormatID.unknown(id))
        }
    }

    func run() throws {
        let set = try pack.ruleSet()
        guard var found = set.rule(idOrName: rule) else {
            throw ValidationError("no rule '\(rule)'\(Self.nearest(rule, in: set.rules)); `mailaudit rules` lists them")
        }
        switch format {
        case .text:
            print(RuleExplanation.text(found, formats: formats), terminator: "")
        case .markdown:
            if !formats.isEmpty { found.examples = found.examples.filter { formats.contains($0.format) } }
            print(RuleDocumentation.markdown(found, headingLevel: 1), terminator: "")
        }
    }

    /// " — did you mean MA107, MA106 or MA105?": the ids and names nearest to what was typed; among
    /// ids equally near in spelling, the numerically nearest first (MA108 is likelier MA107 than MA101).
    static func nearest(_ typed: String, in rules: [Rule]) -> String {
        let number = Int(typed.drop { !$0.isNumber })
        func gap(_ id: String) -> Int { number.flatMap { n in Int(id.drop { !$0.isNumber }).map { abs($0 - n) } } ?? Int.max }
        let ids = rules.map(\.id).enumerated().sorted { (gap($0.element), $0.offset) < (gap($1.element), $1.offset) }.map(\.element)
        let found = Suggestion.nearest(to: typed, in: ids + rules.map(\.name), limit: 3)
        guard !found.isEmpty else { return "" }
        let listed = found.count == 1 ? found[0] : found.dropLast().joined(separator: ", ") + " or " + found.last!
        return " — did you mean \(listed)?"
    }
}

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Print the normalized model of the inputs as JSON.")

    @Argument(help: "Files and directories.")
    var paths: [String] = []

    @OptionGroup var input: InputOptions

    func validate() throws { try input.validate(paths: paths) }

    func run() throws {
        let setup = try LintSetup.make(input: input, examples: false)
        let result = setup.lint(paths: paths, inlineSuppressions: true, keepSetups: true)
        print(ModelReporter().render(Report(result: result, rules: setup.rules)), terminator: "")
        if !result.problems.isEmpty { throw ExitCode(2) }
    }
}

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record the current findings, so `lint --baseline FILE` reports only new ones.")

    @Argument(help: "Files and directories, as for lint.")
    var paths: [String] = []

    @Option(help: ArgumentHelp("Where to write the baseline.", valueName: "FILE"))
    var output: String

    @OptionGroup var input: InputOptions

    func validate() throws { try input.validate(paths: paths) }

    func run() throws {
        let setup = try LintSetup.make(input: input, examples: false)
        let result = setup.lint(paths: paths, inlineSuppressions: true)
        let baseline = Baseline(findings: result.findings)
        try ReportWriter.write(result.redactor.redact(baseline.rendered(), inDocument: true), to: output)
        FileHandle.standardError.write(Data("mailaudit: recorded \(Wording.count(baseline.entries.count, "finding")) in \(output)\n".utf8))
        let rule = setup.rules.parseError
        for p in result.problems {
            FileHandle.standardError.write(Data("\(p.path)\(p.span.map { ":\($0.line):\($0.column)" } ?? ""): \(rule.severity.rawValue): \(p.message) [\(rule.id) \(rule.name)]\n".utf8))
        }
        if !result.problems.isEmpty { throw ExitCode(2) }
    }
}
