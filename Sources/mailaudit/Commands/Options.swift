import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules

extension OutputFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

enum FailOn: String, CaseIterable, ExpressibleByArgument {
    case error, warning, note, never
    var threshold: Severity? { Severity(rawValue: rawValue) }
}

enum ColorChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, always, never

    /// `auto`: colour on a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb.
    func enabled(forStandardOutput: Bool) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            let env = ProcessInfo.processInfo.environment
            if let noColor = env["NO_COLOR"], !noColor.isEmpty { return false }
            if env["TERM"] == "dumb" { return false }
            return forStandardOutput && isatty(STDOUT_FILENO) == 1
        }
    }
}

/// Options every command that reads configurations shares.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("Force the input format.", valueName: "FORMAT"))
    var forcedFormat: String?

    @Option(name: .customLong("rules"), help: ArgumentHelp("Extra rule files or directories (repeatable).", valueName: "PATH"))
    var rulePaths: [String] = []

    func validate() throws {
        if let id = forcedFormat, FormatRegistry.builtIn.format(id: id) == nil {
            throw ValidationError("unknown format '\(id)'\(Suggestion.phrase(for: id, in: FormatRegistry.builtIn.ids)); formats: \(FormatRegistry.builtIn.ids.joined(separator: ", "))")
        }
    }

    /// The built-in pack plus `--rules`. A broken rule file stops the run with its position (exit 2).
    func ruleSet() throws -> RuleSet {
        switch loadRules() {
        case .success(let set): return set
        case .failure(let problem):
            let position = problem.span.map { ":\($0.line):\($0.column)" } ?? ""
            FileHandle.standardError.write(Data("\(problem.path)\(position): error: \(problem.message)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func loadRules() -> Result<RuleSet, ParseProblem> {
        Result { () throws(ParseProblem) -> RuleSet in
            var set = try RuleSet.builtIn()
            for path in rulePaths { try set.add(path: path) }
            return set
        }
    }

    /// The inputs: files and directories, or `-` for standard input (needs --as).
    func inputs(_ paths: [String]) throws -> (inputs: [LintInput], problems: [ParseProblem]) {
        let registry = FormatRegistry.builtIn
        let forced = forcedFormat.flatMap(registry.format(id:))
        let discovery = FileDiscovery(registry: registry, forcedFormat: forced)
        var files = paths.filter { $0 != "-" }
        if paths.isEmpty { files = ["."] }
        var (inputs, problems) = discovery.inputs(for: files)
        if paths.contains("-") {
            guard let forced else { throw ValidationError("reading standard input ('-') needs --as FORMAT") }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            inputs.append(LintInput(path: "-", displayPath: "<stdin>", format: forced, text: String(decoding: data, as: UTF8.self)))
        }
        return (inputs, problems)
    }
}

/// Writes a report: to a file atomically (temporary file, then rename), or to standard output.
enum ReportWriter {
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            FileHandle.standardError.write(Data("mailaudit: cannot write '\(path)': \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
    }
}
