import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// One finding per place (a setting several endpoints share is reported once, naming them all) and
/// at the cause (the setting of the endpoint's own block that makes it so, or the block itself when
/// a default decided).
@Suite struct FindingPlaceTests {
    /// A `defaults` password shared by three accounts, each adding only its host.
    static func sharedPassword(accounts: [String]) -> String {
        var text = """
        defaults
        auth on
        tls on
        user anna
        password Winter2024!

        """
        for name in accounts { text += "account \(name)\nhost smtp.\(name).example\nport 587\n\n" }
        return text
    }

    @Test func aSharedSettingIsOneFindingNamingEveryEndpoint() throws {
        let result = TestSupport.lint(Self.sharedPassword(accounts: ["office", "relay", "scanner"]), format: "msmtp", path: "msmtprc")
        let ma501 = result.findings.filter { $0.ruleId == "MA501" }
        #expect(ma501.count == 1)
        let finding = try #require(ma501.first)
        #expect(finding.span.line == 5)
        #expect(finding.endpoints.map(\.account) == ["office", "relay", "scanner"])
        #expect(finding.endpoint?.account == "office")
        #expect(finding.message.hasPrefix("accounts \"office\", \"relay\", \"scanner\": the password is written"))
    }

    @Test func aLongListOfEndpointsIsCountedPastTen() throws {
        let names = (1...25).map { "a\($0)" }
        let result = TestSupport.lint(Self.sharedPassword(accounts: names), format: "msmtp", path: "msmtprc")
        let ma501 = try #require(result.findings.first { $0.ruleId == "MA501" })
        #expect(ma501.endpoints.count == 25)
        #expect(ma501.message.hasPrefix("accounts \"a1\", \"a2\", \"a3\", \"a4\", \"a5\", \"a6\", \"a7\", \"a8\", \"a9\", \"a10\" and 15 more: "))
    }

    @Test func theFingerprintDoesNotDependOnTheOrderOfTheEndpoints() throws {
        func fingerprint(_ accounts: [String]) throws -> String {
            let result = TestSupport.lint(Self.sharedPassword(accounts: accounts), format: "msmtp", path: "msmtprc")
            return try #require(result.findings.first { $0.ruleId == "MA501" }).fingerprint
        }
        let forward = try fingerprint(["office", "relay", "scanner"])
        #expect(try fingerprint(["scanner", "office", "relay"]) == forward)
        #expect(try fingerprint(["office", "relay"]) != forward)
        // A baseline recorded before the reordering still covers the finding.
        let before = TestSupport.lint(Self.sharedPassword(accounts: ["office", "relay", "scanner"]), format: "msmtp", path: "msmtprc")
        var after = TestSupport.lint(Self.sharedPassword(accounts: ["relay", "scanner", "office"]), format: "msmtp", path: "msmtprc").findings
        let summary = Baseline(findings: before.findings).apply(to: &after, linted: ["msmtprc"])
        #expect(summary.stale.isEmpty)
        #expect(after.allSatisfy { $0.suppression?.kind == .baseline })
    }

    @Test func findingsWhoseWordsDifferStaySeparate() {
        // One setting makes two listeners plain text, but the facts differ (IMAP on 993, POP3 on 995).
        let ruleSet = TestSupport.ruleSet
        let tls = SourceSpan(path: "setup.yml", line: 3, column: 1, endLine: 3, endColumn: 9)
        var setup = MailSetup(path: "setup.yml", format: "mailaudit-yaml")
        for (line, port, proto) in [(5, 993, MailProtocol.imap), (6, 995, .pop3)] {
            var e = Endpoint(role: .server, location: SourceSpan(path: "setup.yml", line: line, column: 1))
            e.account = "mx"
            e.direction = .incoming
            e.protocol = proto
            e.port = port
            e.set(\.tls, TLSMode.none, field: .tls, span: tls)
            setup.endpoints.append(e)
        }
        let ma101 = RuleEngine(ruleSet: ruleSet).findings(for: setup).filter { $0.ruleId == "MA101" }
        #expect(ma101.count == 2)
        #expect(Set(ma101.map(\.span)) == [tls])
        #expect(ma101.allSatisfy { $0.endpoints.count == 1 })
        #expect(Set(ma101.map(\.fingerprint)).count == 2)
    }

    @Test func aSuppressionAtTheSharedLineSuppressesTheGroupedFinding() throws {
        let text = Self.sharedPassword(accounts: ["office", "relay"])
            .replacingOccurrences(of: "password Winter2024!", with: "# mailaudit: disable=MA501 reason=\"moving to passwordeval\"\npassword Winter2024!")
        let result = TestSupport.lint(text, format: "msmtp", path: "msmtprc")
        let ma501 = try #require(result.findings.first { $0.ruleId == "MA501" })
        #expect(ma501.suppression?.kind == .inline)
        #expect(ma501.endpoints.count == 2)
        #expect(!result.findings.contains { $0.ruleId == "MA001" })
    }

    @Test func postfixMainCfBannerIsOneFindingForEveryService() throws {
        let dir = try TestSupport.folder([
            "main.cf": "smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\nsmtpd_tls_security_level = may\n",
            "master.cf": "smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("main.cf").path
        var linter = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))
        linter.today = "2026-11-29"
        let result = linter.lint([LintInput(path: path, displayPath: path, format: PostfixFormat(), text: nil)])
        let ma701 = result.findings.filter { $0.ruleId == "MA701" }
        #expect(ma701.count == 1)
        #expect(ma701.first?.span.line == 1)
        #expect(ma701.first?.message.hasPrefix("servers \"smtp\", \"submission\": the greeting") == true)
    }

    // MARK: At the cause

    @Test func msmtpPointsAtTheAccountsOwnSettingAndRelatesTheDefaults() throws {
        let text = """
        defaults
        auth on
        password secret1

        account scanner
        host smtp.example.com
        port 587
        tls off

        """
        let result = TestSupport.lint(text, format: "msmtp", path: "msmtprc")
        let ma103 = try #require(result.findings.first { $0.ruleId == "MA103" })
        #expect(ma103.span.line == 8, "at `tls off` in the account, not at `auth on` in defaults")
        #expect(ma103.related.contains { $0.line == 2 })
    }

    @Test func fetchmailPointsAtThePollEntryRatherThanItsDefaults() throws {
        let text = """
        defaults
          proto IMAP
          auth any

        poll mail.oldisp.example
          user "bob" there with password "bob1975" is bob here
            sslproto ''

        """
        let result = TestSupport.lint(text, format: "fetchmail", path: "fetchmailrc")
        let ma103 = try #require(result.findings.first { $0.ruleId == "MA103" })
        #expect(ma103.span.line == 7, "at `sslproto ''` in the poll entry")
        #expect(ma103.related.contains { $0.line == 3 })
    }

    @Test func offlineimapDefaultSectionIsOneFindingAndPointsAtTheRepositorysOwnSetting() throws {
        let text = """
        [general]
        accounts = home, work

        [DEFAULT]
        remotepass = Winter2024
        auth_mechanisms = PLAIN

        [Account home]
        localrepository = home-local
        remoterepository = home-remote

        [Account work]
        localrepository = work-local
        remoterepository = work-remote

        [Repository home-remote]
        type = IMAP
        remotehost = imap.home.example

        [Repository work-remote]
        type = IMAP
        remotehost = imap.work.example
        ssl = no
        starttls = no

        """
        let result = TestSupport.lint(text, format: "offlineimap", path: ".offlineimaprc")
        let ma501 = result.findings.filter { $0.ruleId == "MA501" }
        #expect(ma501.count == 1)
        #expect(ma501.first?.span.line == 5)
        #expect(ma501.first?.endpoints.map(\.host) == ["imap.home.example", "imap.work.example"])
        // `auth_mechanisms` is shared; the work repository's own `starttls = no` is the cause.
        let ma103 = try #require(result.findings.first { $0.ruleId == "MA103" })
        #expect(ma103.span.line == 24)
        #expect(ma103.related.contains { $0.line == 6 })
    }

    @Test func thunderbirdDefaultBranchIsOneFindingForEveryServer() throws {
        let text = """
        user_pref("mail.server.default.socketType", 0);
        user_pref("mail.server.server1.type", "imap");
        user_pref("mail.server.server1.hostname", "imap.home.example");
        user_pref("mail.server.server2.type", "imap");
        user_pref("mail.server.server2.hostname", "imap.work.example");
        """
        let result = TestSupport.lint(text, format: "thunderbird", path: "prefs.js")
        let ma102 = result.findings.filter { $0.ruleId == "MA102" }
        #expect(ma102.count == 1)
        #expect(ma102.first?.span.line == 1)
        #expect(ma102.first?.endpoints.map(\.host) == ["imap.home.example", "imap.work.example"])
    }

    @Test func aDefaultPointsAtTheBlockAndNamesTheRelease() throws {
        let text = "account office\nhost smtp.example.com\nport 587\nauth on\npasswordeval pass mail\n"
        let result = TestSupport.lint(text, format: "msmtp", path: "msmtprc")
        let ma102 = try #require(result.findings.first { $0.ruleId == "MA102" })
        #expect(ma102.span.line == 1, "the account's block: nothing says `tls`")
        #expect(ma102.message.hasSuffix("(tls is not set: the default of msmtp 1.8)"))
        // Written, it is the setting and no default is named.
        let written = TestSupport.lint(text + "tls off\n", format: "msmtp", path: "msmtprc")
        let explicit = try #require(written.findings.first { $0.ruleId == "MA102" })
        #expect(explicit.span.line == 6)
        #expect(!explicit.message.contains("default of"))
    }

    @Test func everyFormatNamesTheReleaseItModels() {
        for id in FormatRegistry.builtIn.ids {
            let name = ProgramVersions().modelledProgram(format: id)
            #expect(name?.contains(where: \.isNumber) == true, "\(id) names no release")
        }
        #expect(ProgramVersions(assumed: ["mutt": "1.10"]).modelledProgram(format: "mutt") == "mutt 1.10")
    }
}
