import Foundation
import MailAuditTestSupport
import Testing

/// `mailaudit explain` as a user meets it on a terminal.
@Suite struct ExplainTests {
    @Test func aTerminalPageNotRawMarkdown() throws {
        let run = try TestSupport.run(["explain", "MA104"])
        #expect(run.status == 0)
        let out = run.stdout
        #expect(out.hasPrefix("MA104 opportunistic-tls\nseverity: warning"))
        for heading in ["\nWhy:\n", "\nFix:\n", "\nReferences:\n", "\nExamples:\n"] { #expect(out.contains(heading), "\(heading)") }
        #expect(!out.contains("**") && !out.contains("```"))
        #expect(out.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.hasPrefix("    ") })
        #expect(out.split(separator: "\n").count < 60)
        // Without --as: which formats have examples, none shown.
        #expect(out.contains("show them with --as FORMAT") && !out.contains("Reported, "))
        #expect(try TestSupport.run(["explain", "opportunistic-tls"]).stdout == out)
    }

    @Test func asPicksTheExamplesOfAFormat() throws {
        let postfix = try TestSupport.run(["explain", "MA104", "--as", "postfix"])
        #expect(postfix.status == 0 && postfix.stdout.contains("Reported, postfix:") && postfix.stdout.contains("Clean, postfix:"))
        #expect(!postfix.stdout.contains(", dovecot:"))
        let none = try TestSupport.run(["explain", "MA104", "--as", "msmtp"])
        #expect(none.status == 0 && none.stdout.contains("MA104 has no msmtp example; it has some in"))
        let typo = try TestSupport.run(["explain", "MA104", "--as", "postfx"])
        #expect(typo.status == 64 && typo.stderr.contains("unknown format 'postfx' — did you mean 'postfix'?"))
    }

    @Test func markdownKeepsTheWholePage() throws {
        let run = try TestSupport.run(["explain", "MA104", "--format", "markdown"])
        #expect(run.status == 0 && run.stdout.hasPrefix("# MA104 opportunistic-tls") && run.stdout.contains("Use instead (clean), format `postfix`"))
        let one = try TestSupport.run(["explain", "MA104", "--format", "markdown", "--as", "postfix"]).stdout
        #expect(one.contains("format `postfix`") && !one.contains("format `dovecot`"))
    }

    @Test func anUnknownRuleNamesTheNearestOnes() throws {
        let id = try TestSupport.run(["explain", "MA108"])
        #expect(id.status == 64 && id.stderr.contains("no rule 'MA108' — did you mean MA107, MA106 or MA105?"))
        let name = try TestSupport.run(["explain", "password"])
        #expect(name.status == 64 && name.stderr.contains("did you mean plaintext-password-in-config?"))
        let nothing = try TestSupport.run(["explain", "MA999"])
        #expect(nothing.status == 64 && nothing.stderr.contains("no rule 'MA999'; `mailaudit rules` lists them"))
    }
}
