import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRulePack

/// The rules in force and the port table they read: the built-in pack plus any user rule files.
public struct RuleSet: Sendable {
    public var rules: [Rule]
    public var ports: PortTable

    public init(rules: [Rule], ports: PortTable) {
        self.rules = rules.sorted { $0.id < $1.id }
        self.ports = ports
    }

    /// The built-in pack. Linting needs no examples, and they are most of the pack's text: without
    /// them the pack is the table compiled from `Rules/` at build time, and start-up parses no YAML.
    public static func builtIn(examples: Bool = true) throws(ParseProblem) -> RuleSet {
        examples ? try embeddedYAML() : compiled
    }

    /// The pack compiled into Swift literals (`CompiledRulePack.swift`), examples left out.
    public static var compiled: RuleSet { RuleSet(rules: CompiledRulePack.rules(), ports: CompiledRulePack.ports()) }

    /// The pack parsed from the YAML files of `Rules/` embedded in the binary, examples included.
    public static func embeddedYAML() throws(ParseProblem) -> RuleSet {
        var rules: [Rule] = []
        var ports: PortTable?
        for (name, bytes) in EmbeddedRulePack.files {
            let file = try SourceFile.decode(Data(bytes), path: "Rules/\(name)")
            if name == "ports.yml" { ports = try PortTableLoader.load(file); continue }
            rules.append(try RuleLoader.load(file))
        }
        guard let ports else { throw ParseProblem("the built-in pack has no ports.yml", path: "Rules/ports.yml") }
        return RuleSet(rules: rules, ports: ports)
    }

    /// Adds rule files from a file or a directory (its `*.yml`/`*.yaml`, not recursive into hidden folders).
    /// A rule with the id of an existing one replaces it.
    public mutating func add(path: String) throws(ParseProblem) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ParseProblem("--rules: no such file or directory '\(path)'", path: path)
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { ($0.hasSuffix(".yml") || $0.hasSuffix(".yaml")) && !$0.hasPrefix(".") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
        for file in files {
            let rule = try RuleLoader.load(try SourceFile.load(path: file))
            rules.removeAll { $0.id == rule.id }
            rules.append(rule)
        }
        rules.sort { $0.id < $1.id }
    }

    public func rule(idOrName: String) -> Rule? {
        rules.first { $0.id.caseInsensitiveCompare(idOrName) == .orderedSame || $0.name == idOrName }
    }
}
