import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// The current upstream release is modelled by default; `assume:` pins an older one, and a
/// finding that rests on release-specific behaviour names the release.
@Suite struct ProgramVersionTests {
    let account = """
    [Work]
    source = imaps://ann@imap.example.com
    source-cred-cmd = pass show mail/work
    from = Ann <ann@example.com>
    outgoing = smtp://ann@smtp.example.com
    outgoing-cred-cmd = pass show mail/work

    """

    @Test func aercCurrentReadsSmtpAsRequiredStarttls() throws {
        // aerc-smtp(5) since 0.15: smtp:// is "SMTP with STARTTLS", smtp+insecure:// "without STARTTLS".
        let e = try #require(TestSupport.parse(account, format: "aerc", path: "accounts.conf").endpoints.first { $0.direction == .outgoing })
        #expect(e.tls == .starttls && e.tlsRequired == true && e.port == 587)
        let result = TestSupport.lint(account, format: "aerc", path: "accounts.conf")
        #expect(result.findings.isEmpty)
        let insecure = account.replacingOccurrences(of: "smtp://", with: "smtp+insecure+login://")
        let plain = try #require(TestSupport.parse(insecure, format: "aerc", path: "accounts.conf").endpoints.first { $0.direction == .outgoing })
        #expect(plain.tls == TLSMode.none && plain.auth == ["login"])
    }

    @Test func aercPinnedTo014NamesTheRelease() throws {
        let result = TestSupport.lint(account, format: "aerc", path: "accounts.conf", versions: ProgramVersions(assumed: ["aerc": "0.14"]))
        let ma103 = try #require(result.findings.first { $0.ruleId == "MA103" })
        #expect(ma103.message.hasSuffix("(modelled on aerc 0.14)"))
        #expect(result.findings.contains { $0.ruleId == "MA102" })
        // `smtp-starttls = yes` switches STARTTLS on in 0.14.
        let withStarttls = TestSupport.lint(account + "smtp-starttls = yes\n", format: "aerc", path: "accounts.conf", versions: ProgramVersions(assumed: ["aerc": "0.14.0"]))
        #expect(withStarttls.findings.isEmpty)
        // A finding that does not rest on the release says nothing about it.
        let insecure = TestSupport.lint(account.replacingOccurrences(of: "smtp://", with: "smtp+insecure://"), format: "aerc", path: "accounts.conf")
        #expect(insecure.findings.contains { $0.ruleId == "MA103" && !$0.message.contains("modelled on") })
    }

    @Test func muttBefore20LeavesSslForceTlsUnset() throws {
        // mutt 2.0 changed `ssl_force_tls` to default yes (UPDATING); before, STARTTLS was opportunistic.
        let text = "set smtp_url = \"smtp://anna@smtp.example.com:587/\"\n"
        #expect(!TestSupport.lint(text, format: "mutt").findings.contains { $0.ruleId == "MA104" })
        let old = TestSupport.lint(text, format: "mutt", versions: ProgramVersions(assumed: ["mutt": "1.10"]))
        let ma104 = try #require(old.findings.first { $0.ruleId == "MA104" })
        // Nothing sets `ssl_force_tls`: the finding rests on mutt 1.10's default and says so.
        #expect(ma104.message.hasSuffix("(tlsRequired is not set: the default of mutt 1.10)"))
    }

    @Test func versionOrder() {
        let v = ProgramVersions(assumed: ["aerc": "0.14.2"])
        #expect(v.isBefore("aerc", "0.15"))
        #expect(!ProgramVersions(assumed: ["aerc": "0.15"]).isBefore("aerc", "0.15"))
        #expect(!ProgramVersions(assumed: ["aerc": "0.20.1"]).isBefore("aerc", "0.15"))
        #expect(!ProgramVersions().isBefore("aerc", "0.15"))
        #expect(ProgramVersions.problem(program: "aerk", version: "0.14")?.contains("did you mean 'aerc'") == true)
        #expect(ProgramVersions.problem(program: "aerc", version: "latest") != nil)
    }

    @Test func configurationAssume() throws {
        let file = SourceFile(path: "/tmp/.mailaudit.yml", text: "assume:\n  aerc: \"0.14\"\n")
        let config = try Configuration.load(file, knownRules: ["MA101"])
        #expect(config.versions.assumed == ["aerc": "0.14"])
        #expect(config.rendered(rules: []).contains("assume: { aerc: \"0.14\" }"))
        #expect(throws: ParseProblem.self) { try Configuration.load(SourceFile(path: "/tmp/.mailaudit.yml", text: "assume:\n  aerk: \"0.14\"\n"), knownRules: []) }
        #expect(throws: ParseProblem.self) { try Configuration.load(SourceFile(path: "/tmp/.mailaudit.yml", text: "assume: 0.14\n"), knownRules: []) }
    }

    @Test func assumeThroughTheCommandLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailaudit-assume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try account.write(to: dir.appendingPathComponent("accounts.conf"), atomically: true, encoding: .utf8)
        #expect(try TestSupport.run(["lint", "accounts.conf"], cwd: dir).status == 0)
        try "assume: { aerc: \"0.14\" }\n".write(to: dir.appendingPathComponent(".mailaudit.yml"), atomically: true, encoding: .utf8)
        let pinned = try TestSupport.run(["lint", "accounts.conf"], cwd: dir)
        #expect(pinned.status == 1 && pinned.stdout.contains("modelled on aerc 0.14"))
    }
}
