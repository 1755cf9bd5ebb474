import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// One test per pinned release whose defaults differ, written from the programs' own release notes:
/// the current release is modelled unless `assume:` pins an older one, and a finding that rests on
/// the release's defaults names it.
@Suite struct ProgramVersionDefaultsTests {
    func pinned(_ program: String, _ version: String) -> ProgramVersions { ProgramVersions(assumed: [program: version]) }
    func ids(_ result: LintResult) -> Set<String> { Set(result.findings.map(\.ruleId)) }

    // MARK: fetchmail

    let poll = "poll imap.example.com proto IMAP user anna password secret\n"

    @Test func fetchmail65NegotiatesTLS12ByDefault() throws {
        // NEWS 6.5.0: "fetchmail by default only negotiates TLS v1.2 or higher"; `auto` is that default.
        let e = try #require(TestSupport.parse(poll, format: "fetchmail", path: ".fetchmailrc").endpoints.first)
        #expect(e.tls == .starttls && e.tlsRequired == true && e.verifyCertificate == true && e.minTLSVersion == .tls12)
        #expect(e.modelledVersions[.minTLSVersion] == "fetchmail 6.5")
        let autoSetup = TestSupport.parse(poll + "  sslproto 'auto'\n", format: "fetchmail", path: ".fetchmailrc")
        let auto = try #require(autoSetup.endpoints.first)
        #expect(autoSetup.problems.isEmpty && auto.minTLSVersion == .tls12)
        // 6.5 removed SSLv3: `ssl3` and `ssl3+` "behave as though --sslproto auto had been given".
        let ssl3 = try #require(TestSupport.parse(poll + "  sslproto ssl3+\n", format: "fetchmail", path: ".fetchmailrc").endpoints.first)
        #expect(ssl3.minTLSVersion == .tls12)
        #expect(!ids(TestSupport.lint(poll + "  sslproto 'auto'\n", format: "fetchmail", path: ".fetchmailrc")).contains("MA106"))
    }

    @Test func fetchmail64AcceptsTLS10WithAuto() throws {
        // README.SSL of 6.4: `auto` negotiates "TLSv1 or newer"; unset, the range is the TLS library's.
        let result = TestSupport.lint(poll + "  sslproto 'auto'\n", format: "fetchmail", path: ".fetchmailrc", versions: pinned("fetchmail", "6.4"))
        let ma106 = try #require(result.findings.first { $0.ruleId == "MA106" })
        #expect(ma106.message.hasSuffix("(modelled on fetchmail 6.4)"))
        #expect(!ids(TestSupport.lint(poll, format: "fetchmail", path: ".fetchmailrc", versions: pinned("fetchmail", "6.4.37"))).contains("MA106"))
        // Before 6.4.2 only `sslproto tls1` made STARTTLS mandatory once `no sslcertck` was given (commit 650519f8).
        let noCheck = poll + "  no sslcertck sslproto tls1.2+\n"
        #expect(TestSupport.parse(noCheck, format: "fetchmail", path: ".fetchmailrc").endpoints.first?.tlsRequired == true)
        let early = TestSupport.lint(noCheck, format: "fetchmail", path: ".fetchmailrc", versions: pinned("fetchmail", "6.4.1"))
        #expect(early.findings.contains { $0.ruleId == "MA104" && $0.message.hasSuffix("(modelled on fetchmail 6.4.1)") })
        // An explicit version is the file's, not the release's: no release named.
        let explicit = TestSupport.lint(poll + "  sslproto tls1+\n", format: "fetchmail", path: ".fetchmailrc")
        #expect(explicit.findings.contains { $0.ruleId == "MA106" && !$0.message.contains("modelled on") })
    }

    @Test func fetchmail63NeitherChecksCertificatesNorRequiresStarttls() throws {
        // NEWS 6.4.0: sslcertck became the default; before, STARTTLS was mandatory only with sslcertck,
        // sslfingerprint or `sslproto tls1` (commit 650519f8 on starttls.c).
        let old = TestSupport.lint(poll, format: "fetchmail", path: ".fetchmailrc", versions: pinned("fetchmail", "6.3.26"))
        let ma104 = try #require(old.findings.first { $0.ruleId == "MA104" })
        let ma105 = try #require(old.findings.first { $0.ruleId == "MA105" })
        // Nothing in the file decides either: each rests on 6.3.26's default and says so.
        #expect(ma104.message.hasSuffix("(tlsRequired is not set: the default of fetchmail 6.3.26)"))
        #expect(ma105.message.hasSuffix("(verifyCertificate is not set: the default of fetchmail 6.3.26)"))
        // What 6.3 needed to be safe, written out, is safe in every release.
        for fix in ["  sslcertck\n", "  sslcertck sslproto tls1\n"] {
            let result = TestSupport.lint(poll + fix, format: "fetchmail", path: ".fetchmailrc", versions: pinned("fetchmail", "6.3"))
            #expect(ids(result).isDisjoint(with: ["MA104", "MA105"]), "\(fix): \(result.findings.map(\.message))")
        }
        let tls1 = try #require(TestSupport.parse(poll + "  sslproto tls1\n", format: "fetchmail", path: ".fetchmailrc").endpoints.first)
        #expect(tls1.tlsRequired == true)
        // The current release checks certificates without being asked.
        #expect(ids(TestSupport.lint(poll, format: "fetchmail", path: ".fetchmailrc")).isDisjoint(with: ["MA104", "MA105"]))
    }

    // MARK: Postfix

    @Test func postfix311SendsWithOpportunisticTLSAtCompatibilityLevel311() throws {
        // Postfix 3.11 (HISTORY 20250623): smtp_tls_security_level defaults to "may" when
        // compatibility_level is 3.11 or higher; at lower levels it stays empty.
        func client(_ mainCf: String, _ versions: ProgramVersions = ProgramVersions()) throws -> Endpoint {
            let dir = try TestSupport.folder(["main.cf": mainCf])
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("main.cf").path
            var context = ParseContext(ports: TestSupport.ruleSet.ports)
            context.versions = versions
            let setup = FormatRegistry.builtIn.format(id: "postfix")!.parse(try SourceFile.load(path: path), context: context)
            return try #require(setup.endpoints.first { $0.role == .client })
        }
        let current = try client("compatibility_level = 3.11\n")
        #expect(current.tls == .starttls && current.tlsRequired == false && current.modelledVersions[.tls] == "Postfix 3.11")
        #expect(try client("compatibility_level = 3.12\n").tls == .starttls)
        #expect(try client("compatibility_level = 3.6\n").tls == TLSMode.none)
        #expect(try client("myhostname = mx.example.com\n").tls == TLSMode.none)           // level 0, the compiled-in default
        #expect(try client("compatibility_level = 3.11\nsmtp_tls_security_level =\n").tls == TLSMode.none)  // set explicitly
        let older = try client("compatibility_level = 3.11\n", pinned("postfix", "3.10"))
        #expect(older.tls == TLSMode.none && older.modelledVersions[.tls] == "Postfix 3.10")
        #expect(try client("compatibility_level = 3.6\n").modelledVersions[.tls] == nil)  // no release sends with TLS here
    }

    // MARK: Laravel

    let laravelEnv = """
    MAIL_MAILER=smtp
    MAIL_HOST=smtp.example.com
    MAIL_PORT=587
    MAIL_USERNAME=app@example.com
    MAIL_PASSWORD=${SMTP_PASSWORD}
    MAIL_ENCRYPTION=null

    """

    @Test func laravel9AndLaterStartTLSWhateverMailEncryptionSays() throws {
        // Laravel 9 upgrade guide: Symfony Mailer replaces SwiftMailer; it uses STARTTLS when the server
        // offers it, and MAIL_ENCRYPTION no longer switches it on or off.
        let result = TestSupport.lint(laravelEnv, format: "dotenv", path: ".env")
        let ma104 = try #require(result.findings.first { $0.ruleId == "MA104" })
        #expect(ma104.message.hasSuffix("(modelled on Laravel 13)"))
        #expect(ids(result).isDisjoint(with: ["MA102", "MA103"]))
    }

    @Test func laravel8DidWhatMailEncryptionSays() throws {
        // Laravel ≤ 8 (SwiftMailer): MAIL_ENCRYPTION=null is no TLS, `tls` required STARTTLS.
        let old = TestSupport.lint(laravelEnv, format: "dotenv", path: ".env", versions: pinned("laravel", "8"))
        let ma103 = try #require(old.findings.first { $0.ruleId == "MA103" })
        #expect(ma103.message.hasSuffix("(modelled on Laravel 8)"))
        #expect(ids(old).contains("MA102"))
        let tls = TestSupport.lint(laravelEnv.replacingOccurrences(of: "MAIL_ENCRYPTION=null", with: "MAIL_ENCRYPTION=tls"), format: "dotenv", path: ".env", versions: pinned("laravel", "8"))
        #expect(ids(tls).isDisjoint(with: ["MA102", "MA103", "MA104"]))
        // A Laravel ≤ 6 file (MAIL_DRIVER) says which mailer itself: no release is named.
        let driver = TestSupport.lint(laravelEnv.replacingOccurrences(of: "MAIL_MAILER", with: "MAIL_DRIVER"), format: "dotenv", path: ".env")
        #expect(driver.findings.contains { $0.ruleId == "MA103" && !$0.message.contains("modelled on") })
    }

    @Test func everyCatalogueEntryCanBePinned() {
        for (program, entry) in ProgramVersions.catalog {
            #expect(ProgramVersions.problem(program: program, version: entry.modelled) == nil)
            for change in entry.changes { #expect(ProgramVersions(assumed: [program: "0"]).isBefore(program, change.since)) }
        }
        #expect(ProgramVersions.problem(program: "dovecot", version: "2.3") != nil)  // the file says which Dovecot it is
    }
}
