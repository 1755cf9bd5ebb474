import MailAuditCore

/// A summary for pull-request comments and job summaries: counts, then a table of findings.
public struct MarkdownReporter: Reporter {
    public init() {}
    public static let rowLimit = 200

    public func document(_ report: Report) -> String {
        let c = report.counts
        var out = "## mailaudit\n\n"
        out += "| errors | warnings | notes | files | suppressed | unreadable |\n|---:|---:|---:|---:|---:|---:|\n"
        out += "| \(c.error) | \(c.warning) | \(c.note) | \(report.result.files.count) | \(report.result.findings.count - report.activeFindings.count) | \(report.unreadableFiles) |\n\n"
        if !report.result.problems.isEmpty {
            out += "### Could not be read\n\n"
            for p in report.result.problems {
                out += "- `\(p.path)\(p.span.map { ":\($0.line):\($0.column)" } ?? "")` \(cell(p.message))\n"
            }
            out += "\n"
        }
        let findings = report.activeFindings.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
        }.map(\.element)
        guard !findings.isEmpty else { return out + "No findings.\n" }
        var byRule: [String: Int] = [:]
        for f in findings { byRule["\(f.ruleId) \(f.ruleName)", default: 0] += 1 }
        out += "| rule | findings |\n|---|---:|\n"
        for (rule, n) in byRule.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) { out += "| \(rule) | \(n) |\n" }
        out += "\n| | location | rule | message |\n|---|---|---|---|\n"
        for f in findings.prefix(Self.rowLimit) {
            out += "| \(icon(f.severity)) | `\(f.span.path):\(f.span.line):\(f.span.column)` | \(f.ruleId) | \(cell(f.message)) |\n"
        }
        if findings.count > Self.rowLimit { out += "\n… and \(findings.count - Self.rowLimit) more (see the JSON or SARIF report).\n" }
        return out
    }

    func icon(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }

    func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

import Foundation
