import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules

/// `mailaudit-fuzz --write-seeds DIR [PATH ...]`: the starting inputs, one folder per format
/// (`DIR/<format>/`), each file prefixed with its format's selector byte. They come from the rule
/// examples (embedded in the binary) and from every file under the PATHs whose format the registry
/// can tell, as `mailaudit lint` would. Lives in the fuzz binary so seeds and selector always agree.
enum SeedWriter {
    static func write(to directory: URL, from paths: [String]) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        func save(_ text: Data, format: String, name: String) throws {
            guard let selector = FormatSelector.selectorByte(forFormat: format) else { return }
            let folder = directory.appendingPathComponent(format)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
            try (Data([selector]) + text).write(to: folder.appendingPathComponent(safeName))
            counts[format, default: 0] += 1
        }

        let rules = try RuleSet.builtIn(examples: true)
        for rule in rules.rules {
            for (index, example) in rule.examples.enumerated() {
                // The `↓` only marks where a rule example's finding is expected; it is not part of the file.
                let text = example.config.replacingOccurrences(of: "↓", with: "")
                try save(Data(text.utf8), format: example.format, name: "\(rule.id)-example-\(index + 1)")
            }
        }

        let registry = FormatRegistry.builtIn
        for root in paths {
            for path in files(under: root) {
                let fileName = (path as NSString).lastPathComponent
                guard let format = registry.detect(fileName: fileName, path: path, content: { try? SourceFile.load(path: path) }),
                      let data = FileManager.default.contents(atPath: path) else { continue }
                try save(data, format: format.id.rawValue, name: String(path.dropFirst(root.count)))
            }
        }
        return counts
    }

    /// Regular files under a folder (or the path itself), sorted; symbolic links are not followed.
    static func files(under root: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [root] }
        let base = root.hasSuffix("/") ? root : root + "/"
        let enumerator = FileManager.default.enumerator(atPath: root)
        var out: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let path = base + relative
            if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType, type == .typeRegular {
                out.append(path)
            }
        }
        return out.sorted()
    }
}
