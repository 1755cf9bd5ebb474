import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules
import MailAuditTestSupport
import Testing

/// The audit reports (`--format html`, `--format markdown`): what they contain, and that no value
/// from a configuration can break them or leak a secret.
@Suite struct AuditReportTests {
    /// Hostile values in every place a report prints one: account name, host, a comment line.
    static let hostile = """
    defaults
    auth on
    password Xy7HostileSecret

    account <script>alert("x")</script>&amp;|`pipe`|
    host "mail.example.com'><img src=http://evil.example/x>"
    port 25
    tls off
    from a@example.com

    account second|account
    host smtp.example.com
    port 587
    tls on
    tls_starttls on
    tls_certcheck off
    """

    func report(_ files: [(path: String, text: String)], format: FormatID = "msmtp", context: AuditContext? = nil) -> Report {
        var linter = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))
        linter.keepSetups = true
        linter.today = "2026-11-29"
        let registry = FormatRegistry.builtIn
        let inputs = files.map { LintInput(path: $0.path, displayPath: $0.path, format: registry.format(id: format), text: $0.text) }
        var options = ReportOptions()
        options.context = context
        return Report(result: linter.lint(inputs), rules: TestSupport.ruleSet, options: options)
    }

    var context: AuditContext {
        var c = AuditContext(paths: ["customer/"], generatedAt: Date(timeIntervalSince1970: 1_796_000_000), failOn: "warning")
        c.disabledRules = ["MA203"]
        return c
    }

    @Test func htmlIsSelfContainedWithAStrictPolicyAndNoScript() {
        let html = HTMLReporter().render(report([("msmtprc", Self.hostile)], context: context))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:"))
        #expect(!html.lowercased().contains("<script"))
        // Escaped text may say `src=`; an attribute would be `src="`.
        for resource in ["src=\"", "srcset=", "<link", "@import", "url(", "<iframe", "<object", "<embed", "<img"] {
            #expect(!html.lowercased().contains(resource), "the page loads something: \(resource)")
        }
        #expect(html.contains("@media print") && html.contains("size:A4") && html.contains("thead{display:table-header-group}"))
    }

    @Test func everyValueIsEscapedAndTheSecretMasked() {
        let html = HTMLReporter().render(report([("msmtprc", Self.hostile)], context: context))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;|`pipe`|"), "\(html)")
        #expect(html.contains("&lt;img src=http://evil.example/x&gt;"))
        #expect(!html.contains("<img") && !html.contains("'><"))
        #expect(!html.contains("Xy7HostileSecret") && html.contains("****"))
        let markdown = MarkdownReporter().render(report([("msmtprc", Self.hostile)], context: context))
        #expect(!markdown.contains("Xy7HostileSecret"))
        #expect(!markdown.contains("<script") && !markdown.contains("<img"))
        // Every table row keeps its columns: a pipe in a value is escaped.
        for line in markdown.split(separator: "\n") where line.hasPrefix("| ") && line.contains("second") {
            let unescaped = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            #expect(unescaped == 10 || unescaped == 8, "a value split the row: \(line)")
        }
        #expect(markdown.contains("second\\|account"))
        #expect(markdown.contains("\\`pipe\\`"))
    }

    @Test func headerVerdictInventoryFindingsAndRulePages() {
        let r = report([("a/msmtprc", Self.hostile), ("b/msmtprc", "account ok\nhost smtp.example.com\nport 465\ntls on\ntls_starttls off\nauth on\npasswordeval pass mail\n")],
                       context: context)
        let html = HTMLReporter().render(r)
        // Header: what, when, versions, options.
        #expect(html.contains("<code>customer/</code>") && html.contains("2026-11-30 ") && html.contains("UTC"))
        #expect(html.contains("disabled rules: MA203") && html.contains("fail on: warning") && html.contains("digest "))
        // Verdict first, worst first: the setup with errors comes before the clean one.
        let verdicts = html.range(of: "Verdict per setup")!.upperBound
        let bad = html.range(of: "a/msmtprc", range: verdicts..<html.endIndex)!, good = html.range(of: "b/msmtprc", range: verdicts..<html.endIndex)!
        #expect(bad.lowerBound < good.lowerBound)
        #expect(html.contains(">errors: fix before use<") && html.contains(">no findings<"))
        // The inventory, in words.
        #expect(html.contains("none: not encrypted") && html.contains("not verified") && html.contains("implicit TLS") && html.contains("from a command (line 7)"))
        // Every finding exactly once, with its fix and a link to its rule's page at the end.
        let findings = r.activeFindings
        #expect(html.components(separatedBy: "<article class=\"finding ").count - 1 == findings.count)
        for f in findings { #expect(html.contains("id=\"rule-\(f.ruleId)\""), "no page for \(f.ruleId)") }
        #expect(html.contains("<p><b>Fix:</b> "))
        #expect(html.contains("<mark>"))
        // The chart, inline.
        #expect(html.contains("<svg role=\"img\"") && html.contains("Findings by rule"))
    }

    @Test func aSharedSettingIsOneFindingNamingEveryEndpoint() {
        let text = "defaults\nport 25\ntls off\n\naccount one\nhost a.example.com\n\naccount two\nhost b.example.com\n"
        let r = report([("msmtprc", text)])
        let html = HTMLReporter().render(r)
        #expect(html.contains("Affects 2 endpoints:"), "\(html)")
    }

    @Test func markdownStaysWithinGitHubsLimitAndCountsWhatItLeftOut() {
        // 600 setups with findings: far more than one comment holds.
        let files = (0..<600).map { ("host\($0)/msmtprc", "account a\($0)\nhost mail\($0).example.com\nport 25\ntls off\nauth on\npassword secret\($0)x\n") }
        let r = report(files)
        let markdown = MarkdownReporter().render(r)
        #expect(markdown.utf16.count <= MarkdownReporter.characterLimit)
        #expect(markdown.contains("**Truncated** to stay within GitHub's 65536-character limit"))
        #expect(markdown.contains("of 600 setups with findings in the verdict table"))
        #expect(markdown.contains("left out"))
        // A small report is whole.
        let small = MarkdownReporter().render(report([("msmtprc", Self.hostile)]))
        #expect(!small.contains("Truncated") && small.contains("### Verdict per setup") && small.contains("| account or server |"))
    }

    @Test func everyPrintedPageSaysWhatWasAuditedAndWhenWithAPathThatCannotBreakTheStyle() {
        var hostile = context
        hostile.paths = ["customer\"}</style><script>x()</script>/"]
        let html = HTMLReporter().render(report([("msmtprc", Self.hostile)], context: hostile))
        let style = html.components(separatedBy: "<style>")[1].components(separatedBy: "</style>")[0]
        #expect(style.contains("@top-left{content:\"Mail configuration audit \\b7  customer\\22 \\7d \\3c /style\\3e \\3c script\\3e x()\\3c /script\\3e / \\b7  2026-11-30 00:53 UTC\"}"))
        #expect(style.contains("@bottom-right{content:\"page \" counter(page) \" of \" counter(pages)}"))
        #expect(!style.contains("</") && !html.lowercased().contains("<script"))
    }

    @Test func sourceDateEpochFixesTheTime() {
        #expect(AuditContext.now(environment: ["SOURCE_DATE_EPOCH": "0"]) == Date(timeIntervalSince1970: 0))
        let now = AuditContext.now(environment: ["SOURCE_DATE_EPOCH": "yesterday"])
        #expect(abs(now.timeIntervalSinceNow) < 60)
    }

    @Test func withVerifyTheInventoryShowsWhatTheServerDid() {
        var r = report([("msmtprc", "account a\nhost mail.example.com\nport 465\ntls on\ntls_starttls off\n")])
        var probe = ProbeResult(target: ProbeTarget(host: "mail.example.com", port: 465, protocol: .smtp, expectedTLS: .implicit, claim: .configuration))
        probe.connectedAddress = "192.0.2.1:465"
        probe.observedTLS = TLSMode.none
        var plain = PlaintextSession()
        plain.authMechanisms = ["plain"]
        probe.plaintext = plain
        r.result.probes = [ProbeObservation(result: probe, issues: ["MA801", "MA803"])]
        let html = HTMLReporter().render(r)
        #expect(html.contains("<th>Server, as probed</th>"))
        #expect(html.contains("<td class=\"tone-bad wrap\">no TLS; AUTH PLAIN before TLS</td>"), "\(html)")
    }
}
