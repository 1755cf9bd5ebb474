import Foundation
import MailAuditCore

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
/// GitHub shows at most 10 annotations of each level per step: the first of each level in report
/// order are shown (errors first within what is written at once: a file, when streaming), and what
/// does not fit is summarised in one notice (the full list goes to the job summary, see
/// `MarkdownReporter`).
public struct GitHubReporter: Reporter {
    public init() {}
    public static let annotationsPerLevel = 10

    public func document(_ report: Report) -> String {
        var annotations = Annotations()
        return annotations.lines(report) + annotations.closing(Wording.severities(report))
    }

    /// The annotations written so far, per level, so the cap holds over a whole streamed run.
    struct Annotations {
        var shown: [String: Int] = [:]
        var hidden: [String: Int] = [:]

        /// The annotations of a report (a whole run, or one file of a stream): its errors, then its
        /// findings by severity, each level up to the cap.
        mutating func lines(_ report: Report) -> String {
            var out = ""
            let rule = report.rules.parseError
            for p in report.result.problems {
                let line = p.span?.line ?? 1, col = p.span?.column ?? 1
                out += "::\(GitHubReporter.level(rule.severity)) file=\(property(p.path)),line=\(line),col=\(col),title=\(property("\(rule.id) \(rule.name)"))::\(data(p.message))\n"
            }
            let ordered = report.activeFindings.enumerated().sorted { a, b in
                a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
            }.map(\.element)
            for f in ordered {
                let level = GitHubReporter.level(f.severity)
                guard shown[level, default: 0] < GitHubReporter.annotationsPerLevel else { hidden[level, default: 0] += 1; continue }
                shown[level, default: 0] += 1
                let s = f.span
                out += "::\(level) file=\(property(s.path)),line=\(s.line),col=\(s.column),endLine=\(s.endLine),endColumn=\(s.endColumn),title=\(property("\(f.ruleId) \(f.ruleName)"))::\(data(f.message))\n"
            }
            return out
        }

        /// What did not fit, in one notice, and the summary line.
        func closing(_ severities: String) -> String {
            var out = ""
            let extra = hidden.values.reduce(0, +)
            if extra > 0 {
                let parts = ["error", "warning", "notice"].compactMap { l in hidden[l].map { Wording.count($0, l) } }
                out += "::notice title=mailaudit::\(data("\(parts.joined(separator: ", ")) more than GitHub shows as annotations; the job summary and the SARIF or JSON report list them all"))\n"
            }
            return out + "mailaudit: \(severities)\n"
        }
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "notice"
        }
    }
}

/// Escaping of workflow command data and properties (as @actions/core does it).
private func data(_ s: String) -> String {
    s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
}

private func property(_ s: String) -> String {
    data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
}
