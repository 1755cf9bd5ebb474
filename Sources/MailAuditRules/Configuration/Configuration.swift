import Foundation
import MailAuditCore
import MailAuditFormats
import Yams

/// `.mailaudit.yml`: rules switched off or re-graded, extra rule paths, excluded
/// paths, the failure threshold, and an `ignore:` list for files that cannot carry comments.
public struct Configuration: Sendable {
    /// An `ignore:` entry: suppress `rule` in files matching `paths` (all files when empty) until a date.
    public struct Ignore: Sendable {
        public var rule: String
        public var paths: [String]
        public var reason: String?
        public var until: String?
        public var span: SourceSpan
    }

    /// The file it came from; nil when no configuration file was found.
    public var path: String?
    public var settings = RuleSettings()
    public var customRules: [String] = []
    public var exclude: [String] = []
    /// `fail_on:`; nil when the file does not say (the command line's default applies).
    public var failOn: FailOn?
    public var ignores: [Ignore] = []
    /// `assume:` — older program releases to model where defaults differ.
    public var versions = ProgramVersions()
    /// `root:`: a copy of a server's `/` that absolute include paths are read below (relative to this file).
    public var root: String?

    public init() {}

    public static let fileNames = [".mailaudit.yml", ".mailaudit.yaml"]

    /// The nearest configuration file, walking up from `directory` to the root.
    public static func find(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            for name in fileNames {
                let candidate = url.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    static let topKeys = ["rules", "exclude", "fail_on", "ignore", "assume", "root"]
    static let ignoreKeys = ["rule", "paths", "reason", "until"]

    /// Reads a configuration file; every problem carries its position. Relative paths in it are
    /// relative to the file's folder.
    public static func load(_ file: SourceFile, knownRules: Set<String>) throws(ParseProblem) -> Configuration {
        var config = Configuration()
        config.path = file.path
        let folder = file.path.folderPath
        func relative(_ p: String) -> String { p.hasPrefix("/") || folder.isEmpty ? p : (folder as NSString).appendingPathComponent(p) }
        func fail(_ message: String, _ node: Node) -> ParseProblem {
            ParseProblem("configuration: \(message)", path: file.path, span: node.span(in: file.path))
        }
        let budget = YAMLBudget(path: file.path)
        guard let root = try SafeYAML.document(file), !root.isNull else { return config }
        guard case .mapping = root else { throw fail("the configuration is a mapping (rules, exclude, fail_on, ignore)", root) }
        for (key, value) in try root.pairs(budget: budget) {
            let name = key.text ?? ""
            switch name {
            case "rules":
                guard case .mapping = value else { throw fail("`rules` maps rule ids to off, a severity or { severity: … }, plus custom: [paths]", value) }
                for (ruleKey, setting) in try value.pairs(budget: budget) {
                    let id = ruleKey.text ?? ""
                    if id == "custom" {
                        for item in try setting.items(budget: budget) {
                            guard let p = item.text else { throw fail("`custom` lists rule files or folders", item) }
                            config.customRules.append(relative(p))
                        }
                        continue
                    }
                    try applyRule(id, setting, key: ruleKey, to: &config, knownRules: knownRules, fail: fail, budget: budget)
                }
            case "exclude":
                for item in try value.items(budget: budget) {
                    guard let glob = item.text else { throw fail("`exclude` lists path globs", item) }
                    config.exclude.append(glob)
                }
            case "fail_on":
                guard let text = value.text, let failOn = FailOn(rawValue: text) else {
                    let names = FailOn.allCases.map(\.rawValue)
                    let found = value.text.map { "'\($0)'\(Suggestion.phrase(for: $0, in: names))" } ?? value.kindName
                    throw fail("fail_on must be \(names.dropLast().joined(separator: ", ")) or \(names.last ?? ""); found \(found)", value)
                }
                config.failOn = failOn
            case "ignore":
                for item in try value.items(budget: budget) {
                    guard case .mapping = item else { throw fail("each `ignore` entry is a mapping: { rule, paths, reason, until }", item) }
                    var fields: [String: Node] = [:]
                    for (k, v) in try item.pairs(budget: budget) {
                        let kn = k.text ?? ""
                        guard ignoreKeys.contains(kn) else { throw fail("unknown key '\(kn)' in an ignore entry\(Suggestion.phrase(for: kn, in: ignoreKeys))", k) }
                        fields[kn] = v
                    }
                    guard let ruleNode = fields["rule"], let rule = ruleNode.text else { throw fail("an ignore entry needs `rule:`", item) }
                    guard knownRules.contains(rule) else { throw fail("unknown rule '\(rule)'\(Suggestion.phrase(for: rule, in: Array(knownRules)))", ruleNode) }
                    let paths = try fields["paths"].map { n throws(ParseProblem) in try n.items(budget: budget).compactMap(\.text) } ?? []
                    if let until = fields["until"], !isDate(until.text ?? "") { throw fail("until must be a date YYYY-MM-DD", until) }
                    config.ignores.append(Ignore(rule: rule, paths: paths, reason: fields["reason"]?.text, until: fields["until"]?.text, span: item.span(in: file.path)))
                }
            case "assume":
                guard case .mapping = value else { throw fail("`assume` maps programs to the release to model: { aerc: \"0.14\" }", value) }
                for (programKey, versionNode) in try value.pairs(budget: budget) {
                    let program = programKey.text ?? ""
                    let version = versionNode.text ?? ""
                    if let problem = ProgramVersions.problem(program: program, version: version) {
                        throw fail(problem, version.isEmpty || ProgramVersions.catalog[program] != nil ? versionNode : programKey)
                    }
                    config.versions.assumed[program] = version
                }
            case "root":
                guard let text = value.text, !text.isEmpty else { throw fail("`root` is a folder: a copy of a server's / that absolute include paths are read below", value) }
                config.root = relative(text)
            default:
                throw fail("unknown key '\(name)'\(Suggestion.phrase(for: name, in: topKeys)) (keys: \(topKeys.joined(separator: ", ")))", key)
            }
        }
        return config
    }

    private static func applyRule(_ id: String, _ setting: Node, key: Node, to config: inout Configuration, knownRules: Set<String>,
                                  fail: (String, Node) -> ParseProblem, budget: YAMLBudget) throws(ParseProblem) {
        guard knownRules.contains(id) else { throw fail("unknown rule '\(id)'\(Suggestion.phrase(for: id, in: Array(knownRules)))", key) }
        if setting.boolValue == false || setting.text == "off" {
            config.settings.disabled.insert(id)
        } else if setting.boolValue == true || setting.text == "on" {
            config.settings.disabled.remove(id)
        } else if let text = setting.text, let severity = Severity(rawValue: text) {
            config.settings.severities[id] = severity
        } else if case .mapping = setting {
            for (k, v) in try setting.pairs(budget: budget) {
                guard k.text == "severity" else { throw fail("a rule setting takes `severity:` only; found '\(k.text ?? "")'", k) }
                guard let text = v.text, let severity = Severity(rawValue: text) else { throw fail("severity must be error, warning or note", v) }
                config.settings.severities[id] = severity
            }
        } else {
            throw fail("\(id): write off, on, error, warning, note or { severity: … }", setting)
        }
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2 && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
    }

    /// The effective configuration, as `lint --print-config` shows it.
    public func rendered(rules: [Rule]) -> String {
        var out = "# effective configuration" + (path.map { " (from \($0))" } ?? " (no .mailaudit.yml found; defaults)") + "\n"
        out += "fail_on: \((failOn ?? .warning).rawValue)\n"
        out += "rules:\n"
        for rule in rules {
            let state = settings.isEnabled(rule.id) ? settings.severity(for: rule).rawValue : "off"
            out += "  \(rule.id): \(state)\(state == rule.severity.rawValue ? "" : "   # default: \(rule.severity.rawValue)")\n"
        }
        if !customRules.isEmpty { out += "  custom: [\(customRules.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
        if !versions.assumed.isEmpty {
            out += "assume: { \(versions.assumed.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ")) }\n"
        }
        out += "exclude: [\(exclude.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        if let root { out += "root: \"\(root)\"\n" }
        if !ignores.isEmpty {
            out += "ignore:\n"
            for i in ignores {
                out += "  - { rule: \(i.rule), paths: [\(i.paths.map { "\"\($0)\"" }.joined(separator: ", "))]"
                if let r = i.reason { out += ", reason: \"\(r)\"" }
                if let u = i.until { out += ", until: \(u)" }
                out += " }\n"
            }
        }
        return out
    }
}
