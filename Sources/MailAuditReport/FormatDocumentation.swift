import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules

/// The format tables of `README.md` and `Examples/README.md`, derived from the formats'
/// descriptions; `scripts/generate-docs.sh` writes them between their markers and a test fails
/// while a committed table differs from what the descriptions say.
public enum FormatDocumentation {
    /// A generated block: `<!-- BEGIN generated: NAME … -->`, the text, `<!-- END generated: NAME -->`.
    public struct Block: Sendable {
        public let name: String
        public let text: String

        var begin: String { "<!-- BEGIN generated: \(name) — scripts/generate-docs.sh writes this table from the formats' descriptions; do not edit. -->" }
        var end: String { "<!-- END generated: \(name) -->" }
    }

    /// README.md's "Formats" table: id, what, the names a walk takes.
    public static func readmeTable(_ registry: FormatRegistry = .builtIn) -> Block {
        var out = "| id | what | names recognized (directory walks take only these; `--as` forces a format) |\n|---|---|---|\n"
        for d in registry.descriptions { out += "| `\(d.id)` | \(d.what) | \(d.namesColumn) |\n" }
        return Block(name: "formats", text: out)
    }

    /// Examples/README.md's index: each format, the release it models, and the example folders that
    /// hold its files (as a directory walk of `examples` detects them).
    public static func examplesTable(examples folder: String, registry: FormatRegistry = .builtIn) -> Block {
        // Absolute, so each file is shown relative to the examples folder (`postfix/main.cf`).
        let root = URL(fileURLWithPath: folder).standardizedFileURL.path
        let inputs = FileDiscovery(registry: registry, forcedFormat: nil, base: root).inputs(for: [root]).inputs
        var folders: [FormatID: [String]] = [:]
        for input in inputs {
            guard let id = input.format?.id, let top = input.displayPath.split(separator: "/").first.map(String.init) else { continue }
            if folders[id, default: []].contains(top) == false { folders[id, default: []].append(top) }
        }
        var out = "| format | models | examples |\n|---|---|---|\n"
        for d in registry.descriptions {
            let release: String
            switch d.program {
            case .fixed(let name): release = name
            case .pinnable(let pin): release = "\(pin.name) \(pin.modelled)"
            }
            let links = (folders[d.id] ?? []).sorted().map { "[`\($0)/`](\($0)/)" }.joined(separator: ", ")
            out += "| `\(d.id)` | \(release) | \(links.isEmpty ? "none yet" : links) |\n"
        }
        return Block(name: "formats", text: out)
    }

    /// `document` with the block's text between its markers; nil when the markers are missing.
    public static func splice(_ block: Block, into document: String) -> String? {
        guard let begin = document.range(of: block.begin), let end = document.range(of: block.end, range: begin.upperBound..<document.endIndex) else { return nil }
        return String(document[..<begin.upperBound]) + "\n" + block.text + String(document[end.lowerBound...])
    }
}
