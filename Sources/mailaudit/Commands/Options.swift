import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules

extension OutputFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// `--as FORMAT`: the registry's ids, so shell completions list them. Any text parses; an id the
/// registry does not know is refused by the command's `validate()`, with the nearest ids.
extension FormatID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { FormatRegistry.builtIn.ids.map(\.rawValue) }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
    public var defaultValueDescription: String { rawValue }

    /// "unknown format 'x' — did you mean …?; formats: …" (a usage error, exit 64).
    static func unknown(_ id: some StringProtocol) -> String {
        let known = allValueStrings
        return "unknown format '\(id)'\(Suggestion.phrase(for: String(id), in: known)); formats: \(known.joined(separator: ", "))"
    }
}

extension FailOn: ExpressibleByArgument {}

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

/// `--rules`: every command that uses the rule pack (`rules` and `explain` read no configurations).
struct RulePackOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("Extra rule files or directories (repeatable).", valueName: "PATH"))
    var rulePaths: [String] = []

    /// The built-in pack plus `--rules`. A broken rule file stops the run with its position (exit 2).
    func ruleSet(examples: Bool = true) throws -> RuleSet {
        let loaded = Result { () throws(ParseProblem) -> RuleSet in
            var set = try RuleSet.builtIn(examples: examples)
            for path in rulePaths { try set.add(path: path) }
            return set
        }
        switch loaded {
        case .success(let set): return set
        case .failure(let problem): throw InputOptions.stop(problem)
        }
    }
}

/// Options every command that reads configurations shares.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("Force the input format.", valueName: "FORMAT"))
    var forcedFormat: FormatID?

    @OptionGroup var pack: RulePackOptions

    @Option(name: .customLong("root"), help: ArgumentHelp("A copy of a server's / (say, a snapshot holding etc/dovecot): absolute include paths are read below it. Without it they are followed only inside the audited folder.", valueName: "DIR"))
    var root: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("Configuration file (default: the nearest .mailaudit.yml, walking up from the current folder).", valueName: "FILE"))
    var configPath: String?

    @OptionGroup(title: "Many machines") var selection: InputSelection

    func validate() throws {
        if let id = forcedFormat, FormatRegistry.builtIn.format(id: id) == nil {
            throw ValidationError(FormatID.unknown(id.rawValue))
        }
    }

    func ruleSet(examples: Bool = true) throws -> RuleSet { try pack.ruleSet(examples: examples) }

    /// Checks that need the commands' paths.
    func validate(paths: [String]) throws {
        if selection.listOnStandardInput, paths.contains("-") {
            throw ValidationError("standard input holds the --files-from list, so it cannot also be a file to lint ('-')")
        }
    }

    /// A rule or configuration file that cannot be read stops the run: `file:line:col: error: …`, exit 2.
    static func stop(_ problem: ParseProblem) -> ExitCode {
        let position = problem.span.map { ":\($0.line):\($0.column)" } ?? ""
        FileHandle.standardError.write(Data("\(problem.path)\(position): error: \(problem.message)\n".utf8))
        return ExitCode(2)
    }

    /// `--config FILE`, else the nearest `.mailaudit.yml`; none is fine.
    func configuration(knownRules: Set<String>) throws -> Configuration {
        let cwd = FileManager.default.currentDirectoryPath
        guard let path = configPath ?? Configuration.find(from: cwd) else { return Configuration() }
        let result = Result { () throws(ParseProblem) -> Configuration in
            let shown = FileDiscovery(registry: .builtIn, forcedFormat: nil).display(path)
            return try Configuration.load(try SourceFile.load(path: path, displayPath: shown), knownRules: knownRules)
        }
        switch result {
        case .success(var config):
            config.path = path
            config.customRules = config.customRules.map { $0.hasPrefix("/") ? $0 : (path.folderPath as NSString).appendingPathComponent($0) }
            return config
        case .failure(let problem): throw Self.stop(problem)
        }
    }

    /// The inputs: files and directories (and those `--files-from` lists), or `-` for standard input
    /// (needs --as); only `--shard`'s part of them.
    func inputs(_ paths: [String], exclude: [String] = [], excludeBase: String? = nil) throws -> FileDiscovery.Discovery {
        let registry = FormatRegistry.builtIn
        let forced = forcedFormat.flatMap(registry.format(id:))
        let discovery = FileDiscovery(registry: registry, forcedFormat: forced, exclude: exclude, excludeBase: excludeBase)
        var files = paths.filter { $0 != "-" }
        var listProblem: ParseProblem?
        switch selection.listedPaths() {
        case .success(let listed): files += listed
        case .failure(let problem): listProblem = problem
        }
        if paths.isEmpty, selection.filesFrom == nil { files = ["."] }
        var found = discovery.discover(files)
        if let listProblem { found.problems.append(listProblem) }
        if paths.contains("-") {
            guard let forced else { throw ValidationError("reading standard input ('-') needs --as FORMAT") }
            // Read with the same size cap as a file: `cat /dev/zero | mailaudit lint -` stops at the cap.
            do {
                let file = try SourceFile.loadStandardInput(displayPath: "<stdin>")
                found.inputs.append(LintInput(path: "-", displayPath: "<stdin>", format: forced, text: file.text))
            } catch {
                found.problems.append(error)
            }
        }
        return found.sharded(selection.parsedShard)
    }
}
