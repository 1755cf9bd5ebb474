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

    /// The pack embedded in the binary (the files of `Rules/` at build time). Linting needs no
    /// examples, and they are most of the pack's text: without them start-up parses a fraction.
    public static func builtIn(examples: Bool = true) throws(ParseProblem) -> RuleSet {
        var rules: [Rule] = []
        var ports: PortTable?
        for (name, bytes) in EmbeddedRulePack.files {
            var file = try SourceFile.decode(Data(bytes), path: "Rules/\(name)")
            if name == "ports.yml" { ports = try PortTableLoader.load(file); continue }
            if !examples { file = RuleLoader.withoutExamples(file) }
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
