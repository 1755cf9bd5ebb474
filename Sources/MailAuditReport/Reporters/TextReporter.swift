import MailAuditCore
import MailAuditFormats
import MailAuditRules

/// The human format: `path:line:col: severity: message [ID name]`, the source line with a caret
/// under the span, the fix, and a summary line.
public struct TextReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        let paint = Paint(enabled: report.options.color)
        var out = ""
        // Order first, text after: holding every entry's text besides the output doubled the memory.
        let problems = report.result.problems, findings = report.listedFindings
        var items: [(SourceSpan, Int, Int)] = []  // (position, problems before findings, index)
        for (index, problem) in problems.enumerated() {
            items.append((problem.span ?? SourceSpan(path: problem.path, line: 0, column: 0), 0, index))
        }
        for index in findings.indices { items.append((findings[index].span, 1, index)) }
        var fixes: [String: String] = [:]  // each rule's fix, shortened once rather than per finding
        let excerpts = SourceExcerpts(report)
        items.sort { a, b in (a.0.path, a.0.line, a.0.column, a.1, a.2) < (b.0.path, b.0.line, b.0.column, b.1, b.2) }
        for (_, kind, index) in items {
            if kind == 0 {
                let problem = problems[index]
                out += "\(location(problem.path, problem.span)): \(paint.red("error")): \(problem.message) [MA000 parse-error]\n"
                if let span = problem.span { out += excerpt(span, excerpts, paint: paint) }
                continue
            }
            let finding = findings[index]
            out += "\(location(finding.span.path, finding.span)): \(paint.severity(finding.severity)): \(finding.message) [\(finding.ruleId) \(finding.ruleName)]\n"
            out += excerpt(finding.span, excerpts, paint: paint)
            if !report.options.quiet, let text = finding.fix {
                let fix = fixes[text] ?? firstParagraph(text)
                fixes[text] = fix
                if !fix.isEmpty { out += "  \(paint.cyan("fix")): \(fix)\n" }
            }
        }
        if report.options.statistics { out += statistics(report) }
        if !report.options.quiet { out += summary(report) + "\n" }
        return out
    }

    func location(_ path: String, _ span: SourceSpan?) -> String {
        guard let span else { return path }
        return "\(path):\(span.line):\(span.column)"
    }

    /// The source line with `^^^` under the span.
    func excerpt(_ span: SourceSpan, _ excerpts: SourceExcerpts, paint: Paint) -> String {
        guard let excerpt = excerpts.excerpt(span) else { return "" }
        let number = String(span.line)
        let gutter = String(repeating: " ", count: number.count)
        return "    \(number) | \(excerpt.text)\n    \(gutter) | \(excerpt.caretIndent)\(paint.red(String(repeating: "^", count: excerpt.caretCount)))\n"
    }

    func firstParagraph(_ text: String) -> String {
        let paragraph = text.components(separatedBy: "\n\n").first ?? text
        return paragraph.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    func summary(_ report: Report) -> String {
        let c = report.counts
        func n(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        var text = "\(n(c.error, "error")), \(n(c.warning, "warning")), \(n(c.note, "note")) in \(n(report.result.files.count, "file"))"
        let suppressed = report.result.findings.count - report.activeFindings.count
        if suppressed > 0 { text += " (\(suppressed) suppressed)" }
        if !report.result.problems.isEmpty {
            text += "; \(report.result.problems.count) could not be read (MA000)"
        }
        if let baseline = report.result.baseline {
            text += "\nbaseline: \(baseline.matched) known finding\(baseline.matched == 1 ? "" : "s") not shown"
            if !baseline.stale.isEmpty {
                text += "; \(baseline.stale.count) entr\(baseline.stale.count == 1 ? "y matches" : "ies match") nothing any more (fixed? record the baseline again to tighten it):"
                for e in baseline.stale { text += "\n  \(e.path): \(e.ruleId) \(e.message) [\(e.fingerprint)]" }
            }
        }
        return text
    }

    func statistics(_ report: Report) -> String {
        var byRule: [String: (String, Severity, Int)] = [:]
        for f in report.activeFindings { byRule[f.ruleId, default: (f.ruleName, f.severity, 0)].2 += 1 }
        var byFormat: [String: Int] = [:]
        for f in report.result.files { byFormat[f.format, default: 0] += 1 }
        var out = "\nfindings by rule:\n"
        for (id, (name, severity, count)) in byRule.sorted(by: { $0.value.2 != $1.value.2 ? $0.value.2 > $1.value.2 : $0.key < $1.key }) {
            out += "  \(String(count).leftPad(6))  \(id) \(name) (\(severity.rawValue))\n"
        }
        out += "files by format:\n"
        for (format, count) in byFormat.sorted(by: { $0.key < $1.key }) { out += "  \(String(count).leftPad(6))  \(format)\n" }
        // Files a walk passed over: not a mail configuration mailaudit reads (or not one it could confirm).
        out += "  \(String(report.result.skipped).leftPad(6))  skipped (not recognised)\n"
        return out + "\n"
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// ANSI colours, only when asked for.
struct Paint {
    let enabled: Bool
    func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func red(_ s: String) -> String { wrap(s, "1;31") }
    func yellow(_ s: String) -> String { wrap(s, "1;33") }
    func cyan(_ s: String) -> String { wrap(s, "36") }
    func severity(_ s: Severity) -> String {
        switch s {
        case .error: return red("error")
        case .warning: return yellow("warning")
        case .note: return cyan("note")
        }
    }
}
