import Foundation
import MailAuditCore
import MailAuditReport
import MailAuditTestSupport
import Testing

/// The text report reads like ruff's: a location line, the source line with a caret, one `help:`
/// line, short `note:` lines; no rationale, no repeated advice, and nothing about a secret's length.
@Suite struct ConciseTextTests {
    func text(_ input: String, format: String = "mailaudit-yaml", path: String = "t.mailaudit.yml", options: ReportOptions = ReportOptions()) -> String {
        let result = TestSupport.lint(input, format: format, path: path)
        return TextReporter().render(Report(result: result, rules: TestSupport.ruleSet, options: options))
    }

    static let twoAccounts = """
    mailaudit: 1
    accounts:
      - name: a
        incoming: {protocol: imap, host: a.example, port: 993, tls: none}
      - name: b
        incoming: {protocol: imap, host: b.example, port: 993, tls: none}
    """

    @Test func theFixIsOneHelpLineShownOncePerFile() {
        let out = text(Self.twoAccounts)
        let helps = out.split(separator: "\n").filter { $0.hasPrefix("  help: ") }
        // MA101 twice (one help) and MA102/MA103-type advice at most once per rule.
        #expect(out.components(separatedBy: "[MA101 ").count - 1 == 2)
        #expect(helps.count == Set(helps).count, "a help line repeats in one file:\n\(out)")
        #expect(helps.allSatisfy { $0.count < 260 }, "\(helps)")
        // No rationale paragraph: only location, source, caret, help and note lines, then the summary.
        for line in out.split(separator: "\n").dropLast() {
            #expect(line.hasPrefix("t.mailaudit.yml:") || line.hasPrefix("    ") || line.hasPrefix("  help: ") || line.hasPrefix("  note: "), "\(line)")
        }
        // Another file gets the help again.
        let second = text(Self.twoAccounts, path: "u.mailaudit.yml")
        #expect(second.contains("  help: "))
    }

    @Test func findingsAtOnePlaceShareTheirSourceLine() {
        // MA103 and MA501 both point at the inline password, MA101 at `none`: two excerpts, not three.
        let out = text("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h.example, port: 993, password: \"pw\", tls: none}\n")
        let headers = out.split(separator: "\n").filter { $0.hasPrefix("t.mailaudit.yml:4:") }
        #expect(headers.count == 3, "\(out)")
        #expect(out.components(separatedBy: "    4 |").count - 1 == 2, "the source line is repeated:\n\(out)")
        // Each finding keeps its help line, in the order of the headers, labelled with its rule
        // where findings share a source line.
        #expect(out.components(separatedBy: "  help").count - 1 == 3)
        #expect(out.contains("  help (MA103): ") && out.contains("  help (MA501): "), "\(out)")
    }

    @Test func relatedSettingsAreNoteLines() {
        // The account's `tls off` overrides the defaults' `tls on`, which the note names.
        let msmtp = "defaults\nauth on\ntls on\nport 587\n\naccount office\nhost smtp.example.com\ntls off\nuser ben\npasswordeval pass show mail\n"
        let out = text(msmtp, format: "msmtp", path: "msmtprc")
        #expect(out.contains(": related setting at msmtprc:3:5: tls on\n"), "\(out)")
    }

    @Test func quietKeepsOnlyTheFindings() {
        let out = text(Self.twoAccounts, options: ReportOptions(quiet: true))
        #expect(!out.contains("help:") && !out.contains(" in 1 file"))
        #expect(out.contains("[MA101 plaintext-on-implicit-tls-port]") && out.contains("^^^^"))
    }

    /// Masked, a secret is `****` under a caret of four columns, whatever its length; a caret after it
    /// on the same line still points at its own text.
    @Test func aSecretsLengthIsNeverDrawn() throws {
        for secret in ["x", "Zq8", "Zq8-a-much-longer-secret-than-four-characters"] {
            let input = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h.example, port: 993, password: \"\(secret)\", tls: none}\n"
            let out = text(input)
            #expect(!out.contains(secret) || secret == "x")
            let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (n, line) in lines.enumerated() where line.hasPrefix("    4 | ") {
                let source = Array(line.unicodeScalars), caret = Array(lines[n + 1].unicodeScalars)
                let start = try #require(caret.firstIndex(of: "^")), end = caret.lastIndex(of: "^")! + 1
                let marked = String(String.UnicodeScalarView(source[start..<min(end, source.count)]))
                #expect(marked == "****" || marked == "none", "caret under '\(marked)' for a secret of \(secret.count): \(line)")
            }
            #expect(out.contains("password: ****, tls: none}"))
        }
    }
}
