import MailAuditCore
import MailAuditRules

/// The audit for pull-request comments and job summaries, in GitHub-flavoured Markdown: the
/// verdict per setup, each setup's endpoints and its findings by severity. It stays within
/// GitHub's comment limit; what does not fit is counted at the end.
public struct MarkdownReporter: Reporter {
    public init() {}

    /// GitHub refuses longer comments (it counts UTF-16 units; so does this).
    public static let characterLimit = 65_536
    /// Kept free for the note that says what was left out.
    static let noteReserve = 600

    public func document(_ report: Report) -> String {
        let view = AuditView(report)
        var page = Page(limit: Self.characterLimit - Self.noteReserve)
        page.add(header(report, view))
        page.add("### Verdict per setup\n\n| setup | format | endpoints | verdict | errors | warnings | notes |\n|---|---|---:|---|---:|---:|---:|\n")
        // Clean setups are counted, not listed: a comment has room for what needs work.
        let clean = view.setups.filter { $0.verdict == .clean }.count
        for setup in view.setups where setup.verdict != .clean {
            let c = setup.counts
            if page.add("| \(MarkdownText.escaped(setup.path)) | \(MarkdownText.escaped(setup.format.rawValue)) | \(setup.endpointCount) | **\(setup.verdict.words)** | \(c.error) | \(c.warning) | \(c.note) |\n") {
                page.setupRows += 1
            }
        }
        if view.setups.isEmpty { page.add("| (nothing audited) | | 0 | | 0 | 0 | 0 |\n") }
        page.add(clean == 0 ? "\n" : "\n\(clean == view.setups.count ? "All \(Wording.count(clean, "setup"))" : Wording.count(clean, "more setup")) with no findings.\n\n")
        if !view.byRule.isEmpty {
            page.add("### Findings by rule\n\n| rule | severity | findings |\n|---|---|---:|\n")
            for row in view.byRule { page.add("| \(MarkdownText.escaped(row.id)) \(MarkdownText.escaped(row.name)) | \(row.severity.rawValue) | \(row.count) |\n") }
            page.add("\n")
        }
        let excerpts = SourceExcerpts(report)
        for setup in view.setups where setup.hasDetails {
            page.add(section(setup, probes: report.result.probes))
            if !setup.problems.isEmpty { page.add("**Could not be read**\n\n") }
            for problem in setup.problems {
                if page.add(self.problem(problem, rule: report.rules.parseError, excerpts)) { page.findings += 1 }
            }
            for severity in Severity.allCases.reversed() {
                let findings = setup.findings.filter { $0.severity == severity }
                guard !findings.isEmpty else { continue }
                // The heading goes in with the first finding: never a heading with nothing under it.
                var heading = "\n**\(Wording.count(findings.count, severity.rawValue))**\n\n"
                for finding in findings {
                    if page.add(heading + self.finding(finding, in: setup.path, excerpts)) { page.findings += 1 }
                    heading = ""
                }
            }
            page.add("\n")
        }
        let listed = view.setups.reduce(0) { $0 + $1.findings.count + $1.problems.count }
        var out = page.text
        if page.full {
            out += "\n> **Truncated** to stay within GitHub's \(Self.characterLimit)-character limit: "
            out += "\(page.setupRows) of \(Wording.count(view.setups.count - clean, "setup")) with findings in the verdict table, "
            out += "\(page.findings) of \(Wording.count(listed, "finding")) shown; \(listed - page.findings) left out. "
            out += "The HTML or JSON report (`--report html:audit.html`) has them all.\n"
        } else if view.leftOut > 0 {
            out += "\n\(Wording.count(view.leftOut, "more finding")) not listed (`--max-findings`).\n"
        }
        return out
    }

    /// What is on the page so far; once one piece does not fit, nothing more is added.
    struct Page {
        let limit: Int
        var text = ""
        var length = 0
        var full = false
        var setupRows = 0, findings = 0

        @discardableResult
        mutating func add(_ piece: String) -> Bool {
            guard !full else { return false }
            let size = piece.utf16.count
            guard length + size <= limit else { full = true; return false }
            text += piece
            length += size
            return true
        }
    }

    func header(_ report: Report, _ view: AuditView) -> String {
        var out = "## Mail configuration audit\n\n"
        out += "**\(Wording.severities(report))**\(Wording.unreadable(report).map { "; \($0)" } ?? "")"
        out += " · \(Wording.count(view.setups.count, "setup")), \(Wording.count(view.endpointCount, "endpoint"))"
        let suppressed = ReportSummary(report.result).suppressed
        if suppressed > 0 { out += " · \(suppressed) suppressed" }
        out += "\n\n"
        var facts: [String] = []
        if let context = report.options.context {
            facts.append("audited: " + context.paths.map(MarkdownText.escaped).joined(separator: ", "))
            facts.append("generated \(context.generatedText)")
        }
        facts.append("mailaudit \(MailAuditVersion.current)")
        facts.append("rules: " + MarkdownText.escaped(RulePackIdentity.describe(report.rules)))
        if let context = report.options.context { facts += context.resultOptions.map(MarkdownText.escaped) }
        return out + facts.joined(separator: " · ") + "\n\n"
    }

    func section(_ setup: AuditView.Setup, probes: [ProbeObservation]?) -> String {
        var out = "### \(MarkdownText.escaped(setup.path)): \(setup.verdict.words)\n\n"
        out += "Format \(MarkdownText.escaped(setup.format.rawValue)) · \(Wording.count(setup.endpointCount, "endpoint"))\n\n"
        guard !setup.endpoints.isEmpty else { return out }
        out += "| account or server | direction | protocol | host and port | encryption | certificate check | minimum TLS | authentication | password |"
        out += probes == nil ? "\n" : " server, as probed |\n"
        out += "|" + String(repeating: "---|", count: probes == nil ? 9 : 10) + "\n"
        for endpoint in setup.endpoints.prefix(HTMLReporter.inventoryLimit) {
            let row = InventoryRow(endpoint, probes: probes)
            var cells = [row.who, row.direction, row.proto, row.address, row.tls, row.certificate, row.minTLS, row.auth, row.password]
            if let verified = row.verified { cells.append(verified) }
            out += "| " + cells.map { MarkdownText.escaped($0.text) }.joined(separator: " | ") + " |\n"
        }
        if setup.endpoints.count > HTMLReporter.inventoryLimit {
            out += "\n\(Wording.count(setup.endpoints.count - HTMLReporter.inventoryLimit, "more endpoint")) not listed.\n"
        }
        return out + "\n"
    }

    /// One list item: what and where, the message, the source line, the fix, the endpoints.
    /// The path is said only when it is not the setup's own (an included file): the heading names it.
    func finding(_ f: Finding, in setupPath: String, _ excerpts: SourceExcerpts) -> String {
        let place = (f.span.path == setupPath ? "line " : f.span.path + ":") + "\(f.span.line):\(f.span.column)"
        var lines = ["- **\(f.severity.rawValue)** \(MarkdownText.escaped(f.ruleId)) \(MarkdownText.escaped(f.ruleName)) at \(MarkdownText.escaped(place))",
                     "  " + MarkdownText.escaped(f.message)]
        if let source = excerpt(f.span, excerpts) { lines.append("  " + source) }
        if let fix = f.fix.map(TextReporter.helpLine), !fix.isEmpty { lines.append("  **Fix:** " + MarkdownText.inline(fix)) }
        // Said once: most messages already name every account they affect.
        let named = f.endpoints.allSatisfy { e in e.account.map { f.message.contains("\"\($0)\"") } ?? false }
        if f.endpoints.count > 1, !named {
            let named = f.endpoints.prefix(HTMLReporter.affectsLimit).map { MarkdownText.escaped($0.subjectForMessages) }
            let more = f.endpoints.count > HTMLReporter.affectsLimit ? " and \(f.endpoints.count - HTMLReporter.affectsLimit) more" : ""
            lines.append("  **Affects:** \(named.joined(separator: ", "))\(more)")
        }
        // Two spaces: a line break inside the item.
        return lines.joined(separator: "  \n") + "\n"
    }

    func problem(_ p: ParseProblem, rule: Rule, _ excerpts: SourceExcerpts) -> String {
        let location = p.span.map { "\(p.path):\($0.line):\($0.column)" } ?? p.path
        var lines = ["- **\(rule.severity.rawValue)** \(rule.id) \(rule.name) at \(MarkdownText.escaped(location))", "  " + MarkdownText.escaped(p.message)]
        if let source = p.span.flatMap({ excerpt($0, excerpts) }) { lines.append("  " + source) }
        return lines.joined(separator: "  \n") + "\n"
    }

    /// The line with its number, as code (secrets are already `****`).
    func excerpt(_ span: SourceSpan, _ excerpts: SourceExcerpts) -> String? {
        guard let e = excerpts.excerpt(span) else { return nil }
        let text = e.text.trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : MarkdownText.code("\(span.line) | \(text)")
    }
}
