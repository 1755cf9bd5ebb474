import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// The fix a finding shows is written in the syntax of the file it is in, and for every triggering
/// example the rule file either applies that fix (and the finding must go away) or says why the
/// fix is not a mechanical edit.
@Suite struct RuleFixTests {
    /// Probe rules (MA801–MA806) are about what a server does when connected to; their fix is on the
    /// server, whatever format the client's file has, so one text serves every format.
    static func needsPerFormatFixes(_ rule: Rule) -> Bool { !rule.tags.contains("probe") }

    static let triggering: [RuleExampleTests.Case] = RuleExampleTests.cases.filter {
        $0.example.expect == .finding && needsPerFormatFixes($0.rule)
    }

    @Test func everyFormatAnExampleUsesHasItsOwnFix() {
        for rule in TestSupport.ruleSet.rules where Self.needsPerFormatFixes(rule) {
            for format in Set(rule.examples.map(\.format)).sorted() {
                #expect(rule.fix.hasEntry(for: format),
                        "\(rule.source): an example uses format '\(format)' but `fix:` has no `\(format):` entry; add one line in that format's syntax")
            }
        }
    }

    /// `help:` in text output is one line: the per-format entries say what to write; the why is in `rationale`.
    @Test func fixEntriesAreOneShortLine() {
        for rule in TestSupport.ruleSet.rules {
            for (format, text) in [("default", rule.fix.general)] + rule.fix.byFormat.map({ ($0.format, $0.text) }) {
                #expect(!text.contains("\n") && text.count <= 200,
                        "\(rule.source): fix for '\(format)' is \(text.count) characters or several lines; keep it one line and move the explanation to `rationale`")
            }
        }
    }

    @Test func everyTriggeringExampleSaysHowItIsFixed() {
        for c in Self.triggering {
            #expect(c.example.fix != nil, "\(c.rule.source), \(c.testDescription): add `edit:` (how the fix is applied) or `manual:` (why it is not a mechanical edit)")
        }
    }

    @Test("the fix applied to a triggering example removes the finding", arguments: triggering.filter {
        if case .edits = $0.example.fix { return true } else { return false }
    })
    func appliedFixRemovesTheFinding(_ c: RuleExampleTests.Case) throws {
        guard case .edits(let edits) = c.example.fix else { Issue.record("\(c.testDescription) has no edit"); return }
        let original = MarkedText(c.example.config).text
        var text = original
        for edit in edits {
            do { text = try edit.apply(to: text) } catch {
                Issue.record("\(c.rule.source), \(c.testDescription): edit does not apply (\(error)) to:\n\(text)")
                return
            }
        }
        let result = TestSupport.lint(text, format: c.example.format)
        #expect(result.problems.isEmpty, "\(c.testDescription): the fixed example does not parse: \(result.problems.map(\.message))\n\(text)")
        let left = result.findings.filter { $0.ruleId == c.rule.id }
        #expect(left.isEmpty, "\(c.testDescription): still \(c.rule.id) after the fix: \(left.map(\.message))\n\(text)")
        // The edit is the advice the user reads: it writes one of the snippets the format's fix
        // quotes, or takes one out ("drop `verify_peer=0`") — seen in the file as a whole
        // (`type = SimpleIMAPSSLRetriever` after a change of the class name) or in an edit
        // (`<true/>`, where the file has another one already).
        // The fix the finding shows: an env file's finding shows its program's entry (`dotenv/grafana`).
        let shown = TestSupport.lint(original, format: c.example.format).findings.first { $0.ruleId == c.rule.id }?.fix
        let advice = Self.snippets(shown ?? c.rule.fix.text(for: FormatID(c.example.format)))
        let before = Self.squeezed(original), after = Self.squeezed(text)
        #expect(advice.contains { snippet in
            Self.contains(after, snippet) != Self.contains(before, snippet) || edits.contains { Self.touches($0, snippet) }
        },
                "\(c.testDescription): the edit neither writes nor removes any snippet the fix quotes \(advice) — the fix shown and the fix tested differ")
    }

    /// Whether an edit writes the snippet, or replaces text holding it with text that does not.
    static func touches(_ edit: ExampleFix.Edit, _ snippet: String) -> Bool {
        if contains(squeezed(edit.written), snippet) { return true }
        guard case .replace(let old, let new) = edit else { return false }
        return contains(squeezed(old), snippet) && !contains(squeezed(new), snippet)
    }

    /// The examples whose fix cannot be applied as a text edit, with the reason; printed so a
    /// reviewer sees how much of the pack the edits prove.
    @Test func manualFixesAreListedWithAReason() {
        var manual: [String] = []
        for c in Self.triggering {
            if case .manual(let reason) = c.example.fix { manual.append("\(c.testDescription): \(reason)") }
        }
        print("Triggering examples whose fix is not a mechanical edit (\(manual.count) of \(Self.triggering.count)):\n  " + manual.joined(separator: "\n  "))
        #expect(manual.count * 2 < Self.triggering.count, "most fixes should be proven by an edit; \(manual.count) of \(Self.triggering.count) are manual")
    }

    /// The `code` spans of a fix, without whitespace or case, so `a = b` in the advice matches `a=b` in a file.
    static func snippets(_ fix: String) -> [String] {
        let parts = fix.components(separatedBy: "`")
        return stride(from: 1, to: parts.count, by: 2).map { squeezed(parts[$0]) }.filter { !$0.isEmpty }
    }

    /// `…` in a snippet stands for the part that differs from file to file (`user_pref("mail.server.….socketType", 3)`).
    static func contains(_ text: String, _ snippet: String) -> Bool {
        var rest = text[...]
        for part in snippet.components(separatedBy: "…") where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    static func squeezed(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }

    // Loading: a plain `fix:` still works for custom rules; a map is checked.
    static let head = "id: X1\nname: x\nseverity: error\nsummary: s\nwhen: {field: tls, equals: none}\nat: tls\nmessage: m\n"

    @Test func aPlainFixIsTheFixOfEveryFormat() throws {
        let rule = try RuleLoader.load(SourceFile(path: "x.yml", text: Self.head + "fix: \"use `tls: starttls`\"\n"))
        #expect(rule.fix.text(for: "msmtp") == "use `tls: starttls`" && rule.fix.byFormat.isEmpty)
    }

    @Test func aFindingShowsItsFormatsEntryElseTheDefault() throws {
        let rule = try RuleLoader.load(SourceFile(path: "x.yml", text: Self.head + "fix:\n  default: require TLS\n  msmtp: \"`tls on`\"\n"))
        #expect(rule.fix.text(for: "msmtp") == "`tls on`")
        #expect(rule.fix.text(for: "postfix") == "require TLS")
        // The engine hands a finding its file's entry: msmtp's, not the default.
        let pack = try #require(TestSupport.ruleSet.rules.first { $0.id == "MA102" }).fix
        let msmtp = TestSupport.lint("account a\nhost mail.example.com\nport 587\ntls off\n", format: "msmtp")
        #expect(pack.text(for: "msmtp") != pack.general)
        #expect(msmtp.findings.first { $0.ruleId == "MA102" }?.fix == pack.text(for: "msmtp"))
    }

    /// An env file configures one of several programs: its finding shows that program's entry, so a
    /// Laravel user does not read about docker-mailserver.
    @Test func anEnvFileFindingShowsItsProgramsEntry() throws {
        let rule = try RuleLoader.load(SourceFile(path: "x.yml", text: Self.head + "fix:\n  default: d\n  dotenv: both\n  dotenv/laravel: l\n"))
        #expect(rule.fix.text(for: "dotenv", program: "laravel") == "l")
        #expect(rule.fix.text(for: "dotenv", program: "mailu") == "both")
        #expect(rule.fix.text(for: "dotenv") == "both")
        let pack = try #require(TestSupport.ruleSet.rules.first { $0.id == "MA501" }).fix
        let laravel = TestSupport.lint("MAIL_MAILER=smtp\nMAIL_HOST=smtp.example.com\nMAIL_PORT=587\nMAIL_USERNAME=app\nMAIL_PASSWORD=Winter2024\n", format: "dotenv", path: ".env")
        let relay = TestSupport.lint("SSL_TYPE=letsencrypt\nRELAY_HOST=smtp.example.com\nRELAY_PORT=587\nRELAY_USER=app\nRELAY_PASSWORD=Winter2024\n", format: "dotenv", path: "mailserver.env")
        let laravelFix = try #require(laravel.findings.first { $0.ruleId == "MA501" }?.fix)
        let relayFix = try #require(relay.findings.first { $0.ruleId == "MA501" }?.fix)
        #expect(laravelFix == pack.text(for: "dotenv", program: "laravel") && laravelFix.contains("MAIL_PASSWORD") && !laravelFix.contains("docker-mailserver"))
        #expect(relayFix == pack.text(for: "dotenv", program: "docker-mailserver") && relayFix.contains("RELAY_PASSWORD"))
    }

    @Test(arguments: [
        ("fix:\n  default: d\n  msmpt: m\n", 10, "unknown format 'msmpt' — did you mean 'msmtp'?"),
        ("fix:\n  default: d\n  dotnev/laravel: m\n", 10, "unknown format 'dotnev/laravel'"),
        ("fix:\n  msmtp: m\n", 9, "needs a `default:`"),
        ("fix:\n  default: d\n  msmtp: [a]\n", 10, "the entry for 'msmtp' must be text"),
        ("fix: [a]\n", 8, "`fix` must be text or a map"),
        ("examples:\n  - expect: clean\n    format: msmtp\n    config: x\n    manual: because\n", 12, "belongs to a triggering example"),
        ("examples:\n  - expect: finding\n    format: msmtp\n    config: x\n    edit: { replace: a }\n", 12, "missing `with:`"),
        ("examples:\n  - expect: finding\n    format: msmtp\n    config: x\n    edit: { append: a, with: b }\n", 12, "either `append` or `replace`"),
        ("examples:\n  - expect: finding\n    format: msmtp\n    config: x\n    edit: { replace: a, with: b }\n    manual: m\n", 13, "not both"),
    ])
    func aBrokenFixNamesFileAndLine(_ tail: String, line: Int, message: String) {
        do {
            _ = try RuleLoader.load(SourceFile(path: "x.yml", text: Self.head + tail))
            Issue.record("loaded a rule with a broken fix: \(tail)")
        } catch {
            #expect(error.span?.path == "x.yml" && error.span?.line == line, "\(error.message) at \(String(describing: error.span))")
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func anEditReplacesExactlyOneOccurrence() throws {
        #expect(try ExampleFix.Edit.replace(old: "tls off", new: "tls on").apply(to: "tls off\n") == "tls on\n")
        #expect(try ExampleFix.Edit.append("tls on").apply(to: "host h") == "host h\ntls on\n")
        #expect(throws: ExampleFix.Edit.Failure.ambiguous("a")) { try ExampleFix.Edit.replace(old: "a", new: "b").apply(to: "a a") }
        #expect(throws: ExampleFix.Edit.Failure.notFound("c")) { try ExampleFix.Edit.replace(old: "c", new: "b").apply(to: "a") }
    }
}
