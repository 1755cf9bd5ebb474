import Foundation
import MailAuditCore
import MailAuditRules

/// `mailaudit explain` for a terminal: title, severity, summary, the rationale and the fix wrapped
/// to the width of a terminal, references, and the per-format fixes and examples of the formats asked
/// for (else which formats have them). The full Markdown page stays `RuleDocumentation.markdown`'s.
public enum RuleExplanation {
    public static let width = 80

    /// `formats`: show the fixes and examples of these format ids; empty lists which formats have some.
    /// `everyFix`: print every format's fix even so (SARIF's text help, which has no `--as`).
    public static func text(_ rule: Rule, formats: [String], everyFix: Bool = false) -> String {
        var out = "\(rule.id) \(rule.name)\n"
        out += "severity: \(rule.severity.rawValue) · scope: \(rule.scope.rawValue)"
        if !rule.tags.isEmpty { out += " · tags: \(rule.tags.joined(separator: ", "))" }
        out += "\n\n" + wrap(rule.summary, indent: "") + "\n"
        if !rule.rationale.trimmed.isEmpty { out += section("Why", wrap(rule.rationale, indent: "  ")) }
        if !rule.fix.isEmpty { out += section("Fix", fix(rule.fix, formats: formats, everyFix: everyFix)) }
        if !rule.references.isEmpty { out += section("References", rule.references.map { "  - \($0)" }.joined(separator: "\n")) }
        let documented = orderedFormats(rule)
        if formats.isEmpty {
            if !documented.isEmpty {
                out += section("Examples", wrap("in \(documented.joined(separator: ", ")); show them with --as FORMAT", indent: "  "))
            }
            return out
        }
        for format in formats {
            let examples = rule.examples.filter { $0.format == format }
            guard !examples.isEmpty else {
                let elsewhere = documented.isEmpty ? "it has none" : "it has some in \(documented.joined(separator: ", "))"
                out += section("Examples, \(format)", wrap("\(rule.id) has no \(format) example; \(elsewhere)", indent: "  "))
                continue
            }
            for e in examples {
                let label = e.expect == .finding ? "Reported, \(format)" : "Clean, \(format)"
                let body = e.config.replacingOccurrences(of: "↓", with: "").trimmed
                out += section(label, body.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }.joined(separator: "\n"))
            }
        }
        return out
    }

    /// The general fix, then each asked-for format's own, one per line. Without `--as`, the formats
    /// that have their own are named, as the examples are: with 27 formats the list is a page.
    static func fix(_ fix: RuleFix, formats: [String], everyFix: Bool) -> String {
        var out = wrap(fix.general, indent: "  ")
        // `dotenv/laravel` is one of dotenv's entries.
        let family = { (entry: (format: String, text: String)) in String(entry.format.prefix { $0 != "/" }) }
        if formats.isEmpty && !everyFix {
            var seen = Set<String>()
            let own = fix.byFormat.map(family).filter { seen.insert($0).inserted }
            if !own.isEmpty {
                out += (out.isEmpty ? "" : "\n") + wrap("each format's own fix, for \(own.joined(separator: ", ")): show it with --as FORMAT", indent: "  ")
            }
            return out
        }
        for entry in fix.byFormat where everyFix || formats.contains(family(entry)) {
            out += (out.isEmpty ? "" : "\n") + wrap("\(entry.format): \(entry.text)", indent: "  ")
        }
        return out
    }

    /// The formats a rule has examples in, in the order the rule file gives them.
    static func orderedFormats(_ rule: Rule) -> [String] {
        var seen = Set<String>()
        return rule.examples.map(\.format).filter { seen.insert($0).inserted }
    }

    static func section(_ title: String, _ body: String) -> String { "\n\(title):\n\(body)\n" }

    /// Paragraphs (blank-line separated) re-flowed to `width` columns; a line that starts a list
    /// item or is indented (code) is kept as written.
    static func wrap(_ text: String, indent: String) -> String {
        var lines: [String] = []
        var words: [Substring] = []
        func flush() {
            var line = indent
            for word in words {
                if line.count > indent.count, line.count + 1 + word.count > width {
                    lines.append(line)
                    line = indent
                }
                line += (line.count > indent.count ? " " : "") + word
            }
            if line.count > indent.count { lines.append(line) }
            words = []
        }
        for raw in text.trimmed.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                flush()
                if lines.last != "" { lines.append("") }
            } else if raw.hasPrefix(" ") || line.hasPrefix("- ") || line.hasPrefix("* ") {
                flush()
                lines.append(indent + raw)
            } else {
                words += line.split(separator: " ")
            }
        }
        flush()
        return lines.joined(separator: "\n")
    }
}
