import MailAuditCore
import MailAuditFormats
import MailAuditRules

/// The human format, concise like ruff's and rustc's: `path:line:col: severity: message [ID name]`,
/// the source line with a caret under the span, one `help:` line with the fix, a `note:` line per
/// other setting that contributed, and a summary line. Why a rule matters is `mailaudit explain`'s.
public struct TextReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        body(report, listing: report.listedFindings) + tail(ReportTotals(report.result), options: report.options)
    }

    /// The problems and `findings` of a report (a whole run, or one file of a stream) with their
    /// source lines, fixes and notes, in report order.
    func body(_ report: Report, listing findings: [Finding]) -> String {
        let paint = Paint(enabled: report.options.color)
        var out = ""
        // Order first, text after: holding every entry's text besides the output doubled the memory.
        let problems = report.result.problems, problemRule = report.rules.parseError
        var items: [(SourceSpan, Int, Int)] = []  // (position, problems before findings, index)
        for (index, problem) in problems.enumerated() {
            items.append((problem.span ?? SourceSpan(path: problem.path, line: 0, column: 0), 0, index))
        }
        for index in findings.indices { items.append((findings[index].span, 1, index)) }
        var fixes: [String: String] = [:]  // each rule's fix, shortened once rather than per finding
        var helped = Set<String>()  // the fixes already shown in the current file
        let excerpts = SourceExcerpts(report)
        items.sort { a, b in (a.0.path, a.0.line, a.0.column, a.1, a.2) < (b.0.path, b.0.line, b.0.column, b.1, b.2) }
        var position = 0
        while position < items.count {
            let (span, kind, index) = items[position]
            if position == 0 || items[position - 1].0.path != span.path { helped = [] }
            position += 1
            if kind == 0 {
                let problem = problems[index]
                out += "\(location(problem.path, problem.span)): \(paint.severity(problemRule.severity)): \(problem.message) [\(problemRule.id) \(problemRule.name)]\n"
                if let span = problem.span { out += excerpt(span, excerpts, paint: paint) }
                continue
            }
            // Findings at the same place (MA102 and MA103 on one `tls off`) share its source lines.
            var group = [findings[index]]
            while position < items.count, items[position].1 == 1, items[position].0 == span {
                group.append(findings[items[position].2])
                position += 1
            }
            for finding in group {
                out += "\(location(finding.span.path, finding.span)): \(paint.severity(finding.severity)): \(finding.message) [\(finding.ruleId) \(finding.ruleName)]\n"
            }
            out += excerpt(span, excerpts, paint: paint)
            guard !report.options.quiet else { continue }
            var noted = Set<SourceSpan>()
            for finding in group {
                // Under a shared source line, each help and note says which finding it belongs to.
                let label = group.count > 1 ? " (\(finding.ruleId))" : ""
                // A fix is shown once per file: the same advice ten lines below adds nothing.
                if let text = finding.fix, helped.insert(finding.ruleId + "\u{1F}" + text).inserted {
                    let fix = fixes[text] ?? Self.helpLine(text)
                    fixes[text] = fix
                    if !fix.isEmpty { out += "  \(paint.cyan("help"))\(label): \(fix)\n" }
                }
                out += notes(finding.related.filter { noted.insert($0).inserted }, label: label, excerpts, paint: paint)
            }
        }
        return out
    }

    /// What follows the findings: the statistics when asked for, the summary line.
    func tail(_ totals: ReportTotals, options: ReportOptions) -> String {
        var out = ""
        if options.statistics { out += statistics(totals) }
        if !options.quiet { out += summary(totals) + "\n" }
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

    /// The most `note:` lines one finding gets; the rest are counted.
    static let noteLimit = 3

    /// The other settings that contributed (an msmtp `defaults` line, a main.cf value), one short line each.
    func notes(_ related: [SourceSpan], label: String, _ excerpts: SourceExcerpts, paint: Paint) -> String {
        var out = ""
        for span in related.prefix(Self.noteLimit) {
            var line = "related setting at \(location(span.path, span))"
            if let text = excerpts.excerpt(span)?.text.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                line += ": \(text.count > 60 ? String(text.prefix(59)) + "…" : text)"
            }
            out += "  \(paint.cyan("note"))\(label): \(line)\n"
        }
        if related.count > Self.noteLimit {
            out += "  \(paint.cyan("note"))\(label): and \(Wording.count(related.count - Self.noteLimit, "other setting")) (all in the JSON and SARIF reports)\n"
        }
        return out
    }

    /// The fix as one line: its first paragraph with the line breaks collapsed, and when that is
    /// long, its first sentence (the rest is `mailaudit explain`'s).
    static func helpLine(_ text: String) -> String {
        let paragraph = text.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n").first ?? ""
        let line = paragraph.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        guard line.count > 160 else { return line }
        return firstSentence(line)
    }

    /// Up to the first `. ` outside backquotes (a `.` in `ssl = required.` or a host name does not end it).
    static func firstSentence(_ line: String) -> String {
        var inCode = false
        var previous: Character = " "
        for index in line.indices {
            let c = line[index]
            if c == "`" { inCode.toggle() }
            if !inCode, c == " ", previous == "." { return String(line[..<line.index(before: index)]) + "." }
            previous = c
        }
        return line
    }

    func summary(_ totals: ReportTotals) -> String {
        var text = Wording.severities(totals)
        let suppressed = totals.summary.suppressed
        if suppressed > 0 { text += " (\(suppressed) suppressed)" }
        if let unreadable = Wording.unreadable(totals) { text += "; \(unreadable) (MA000)" }
        if let baseline = totals.baseline {
            text += "\nbaseline: \(Wording.count(baseline.matched, "known finding")) not shown"
            if !baseline.stale.isEmpty {
                text += "; \(Wording.count(baseline.stale.count, "entry", "entries")) \(baseline.stale.count == 1 ? "matches" : "match") nothing any more (fixed? record the baseline again to tighten it):"
                for e in baseline.stale { text += "\n  \(e.path): \(e.ruleId) \(e.message) [\(e.fingerprint)]" }
            }
        }
        return text
    }

    func statistics(_ totals: ReportTotals) -> String {
        let byRule = totals.byRule, byFormat = totals.byFormat
        var out = "\nfindings by rule:\n"
        for (id, (name, severity, count)) in byRule.sorted(by: { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }) {
            out += "  \(String(count).leftPad(6))  \(id) \(name) (\(severity.rawValue))\n"
        }
        out += "files by format:\n"
        for (format, count) in byFormat.sorted(by: { $0.key < $1.key }) { out += "  \(String(count).leftPad(6))  \(format)\n" }
        // Files a walk passed over: not a mail configuration mailaudit reads (or not one it could confirm).
        out += "  \(String(totals.summary.skipped).leftPad(6))  skipped (not recognised)\n"
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
