import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct ThunderbirdTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "thunderbird", path: "prefs.js") }

    /// `«…»` mark server1's block, protocol and TLS setting.
    static let profile = MarkedText("""
    // Mozilla User Preferences
    user_pref("mail.accountmanager.accounts", "account1,account2");
    user_pref("mail.account.account1.server", "server1");
    user_pref("mail.account.account1.identities", "id1");
    user_pref("mail.account.account2.server", "server2");
    «user_pref("mail.server.server1.type", «"imap"»);»
    user_pref("mail.server.server1.name", "Work");
    user_pref("mail.server.server1.hostname", "imap.example.test");
    user_pref("mail.server.server1.socketType", «3»);
    user_pref("mail.server.server1.authMethod", 10);
    user_pref("mail.server.server2.type", "none");
    user_pref("mail.server.server2.hostname", "Local Folders");
    user_pref("mail.identity.id1.useremail", "ann@example.test");
    user_pref("mail.identity.id1.smtpServer", "smtp1");
    user_pref("mail.smtpservers", "smtp1");
    user_pref("mail.smtpserver.smtp1.hostname", "smtp.example.test");
    user_pref("mail.smtpserver.smtp1.try_ssl", 3);
    """)

    @Test func accountsServersAndIdentities() throws {
        let setup = parse(Self.profile.text)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        // server2 (Local Folders, type none) is not a mail endpoint.
        #expect(setup.endpoints.count == 2)
        let imap = setup.endpoints[0]
        #expect(imap.account == "Work" && imap.protocol == .imap && imap.direction == .incoming && imap.role == .client)
        #expect(imap.host == "imap.example.test" && imap.tls == .implicit && imap.tlsRequired == true && imap.verifyCertificate == true)
        #expect(imap.port == 993 && imap.portIsDefault && imap.auth == ["oauth2"])
        #expect([imap.location, imap.span(of: .protocol), imap.span(of: .tls)] == Self.profile.spans(path: "prefs.js"))
        #expect(imap.span(of: .port) == imap.location)
        let smtp = setup.endpoints[1]
        #expect(smtp.account == "Work" && smtp.protocol == .smtp && smtp.direction == .outgoing)
        #expect(smtp.port == 465 && smtp.portIsDefault && smtp.tls == .implicit && smtp.auth == ["plain"])
        #expect(smtp.span(of: .auth) == smtp.location && smtp.location.line == 16)
        #expect(setup.identities.count == 1)
        #expect(setup.identities[0].name == "ann@example.test" && setup.identities[0].contentEncryption == .never)
    }

    @Test func builtInAndFileDefaults() {
        let plain = parse("""
        user_pref("mail.server.server1.type", "pop3");
        user_pref("mail.server.server1.hostname", "pop.example.test");
        user_pref("mail.smtpserver.smtp1.hostname", "smtp.example.test");
        """)
        #expect(plain.endpoints[0].tls == TLSMode.none && plain.endpoints[0].port == 110 && plain.endpoints[0].auth == ["plain"])
        #expect(plain.endpoints[0].span(of: .tls) == plain.endpoints[0].location)
        #expect(plain.endpoints[1].tls == TLSMode.none && plain.endpoints[1].port == 587 && plain.endpoints[1].account == "smtp1")
        let ids = Set(TestSupport.lint("user_pref(\"mail.server.server1.type\", \"imap\");", format: "thunderbird").findings.map(\.ruleId))
        #expect(ids.isSuperset(of: ["MA102", "MA103"]))
        // The file's default branch applies to servers that do not say.
        let branch = parse("""
        user_pref("mail.server.default.socketType", 2);
        user_pref("mail.server.server1.type", "imap");
        user_pref("mail.smtpserver.default.try_ssl", 2);
        user_pref("mail.smtpserver.smtp1.hostname", "smtp.example.test");
        """)
        #expect(branch.endpoints[0].tls == .starttls && branch.endpoints[0].port == 143 && branch.endpoints[0].span(of: .tls).line == 1)
        #expect(branch.endpoints[1].tls == .starttls && branch.endpoints[1].port == 587 && branch.endpoints[1].span(of: .tls).line == 3)
        // What the default branch decides is inherited; what a server sets itself is not.
        #expect(branch.endpoints[0].inherited.contains(.tls) && branch.endpoints[1].inherited.contains(.tls))
        let own = parse("user_pref(\"mail.server.default.socketType\", 2);\nuser_pref(\"mail.server.server1.type\", \"imap\");\nuser_pref(\"mail.server.server1.socketType\", 3);\n")
        #expect(own.endpoints[0].tls == .implicit && own.endpoints[0].inherited.isEmpty)
    }

    @Test func syntaxCommentsEscapesAndOverrides() throws {
        let setup = parse("""
        # a hash comment
        /* a block
           comment */ user_pref("mail.server.server1.type",
                                "imap");  // trailing
        pref("mail.server.server1.hostname", "old.example.test");
        user_pref("mail.server.server1.hostname", 'h\\u00e9.example.test');
        user_pref("mail.server.server1.name", "Ann \\"A\\" \\\\ \\x41");
        user_pref("mail.server.server1.port", 143, locked);
        user_pref("mail.server.server1.port", -1);
        user_pref("mail.server.server1.port", 1143);
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "hé.example.test" && e.account == "Ann \"A\" \\ A")
        #expect(e.location.line == 3 && e.location.column == 15)
        #expect(e.span(of: .protocol).line == 4)
        // user_pref beats pref; the later statement wins; the earlier ones are related locations.
        #expect(e.port == 1143 && e.span(of: .port).line == 10)
        #expect(e.related[.port]?.map(\.line) == [8, 9])
    }

    @Test func brokenStatementsAreReportedAndTheRestIsRead() throws {
        let setup = parse("""
        user_pref("mail.server.server1.type", "imap");
        user_pref("mail.server.server1.hostname", "unterminated);
        user_pref("mail.server.server1.socketType" 3);
        user_pref("mail.server.server1.authMethod", yes);
        lockPref("mail.server.server1.port", 993);
        user_pref("mail.server.server1.port", 99999999999);
        user_pref("mail.server.server1.name", "bad \\q escape");
        user_pref("mail.server.server1.hostname", "imap.example.test")
        user_pref("mail.server.server1.socketType", 2);
        /* never closed
        user_pref("mail.server.server1.port", 1);
        """)
        let problems = setup.problems
        #expect(problems.map { $0.span?.line ?? 0 } == [2, 3, 4, 5, 6, 7, 9, 10])
        #expect(problems[0].message.contains("string is not closed") && problems[0].span?.column == 43)
        #expect(problems[1].message.contains("expected ','") && problems[1].span?.column == 44)
        #expect(problems[2].message.contains("expected a value") && problems[2].span?.column == 45)
        #expect(problems[3].message.contains("found 'lockPref'"))
        #expect(problems[4].message.contains("32-bit"))
        #expect(problems[5].message.contains("unknown escape"))
        #expect(problems[6].message.contains("expected ';'"))  // the statement on line 8 has no ';'
        #expect(problems[7].message.contains("not closed with '*/'"))
        // Line 8 lacks its ';': the error is reported where it was expected (line 9), and reading
        // resumes after the next ';'. Everything read before still counts.
        let e = try #require(setup.endpoints.first)
        #expect(e.protocol == .imap && e.host == nil && e.tls == TLSMode.none)
    }

    @Test func identitiesContentEncryption() {
        func encryption(_ lines: String) -> ContentEncryption? {
            parse("user_pref(\"mail.identity.id1.useremail\", \"a@example.test\");\n" + lines).identities.first?.contentEncryption
        }
        #expect(encryption("") == .never)
        #expect(encryption("user_pref(\"mail.identity.id1.encryptionpolicy\", 2);") == .always)
        #expect(encryption("user_pref(\"mail.identity.id1.encryptionpolicy\", 1);") == .opportunistic)
        #expect(encryption("user_pref(\"mail.identity.id1.openpgp_key_id\", \"ABCDEF0123456789\");") == .perMessage)
        #expect(encryption("user_pref(\"mail.identity.id1.encryption_cert_name\", \"Ann S/MIME\");") == .perMessage)
        #expect(encryption("user_pref(\"mail.identity.id1.openpgp_key_id\", \"ABCDEF0123456789\");\nuser_pref(\"mail.e2ee.auto_enable\", true);") == .opportunistic)
        #expect(encryption("user_pref(\"mail.identity.default.encryptionpolicy\", 2);") == .always)
        let setup = parse("user_pref(\"mail.identity.id1.openpgp_key_id\", \"ABCDEF0123456789\");")
        #expect(setup.identities[0].spans["contentEncryption"]?.column == 47)
    }

    @Test func tlsVersionsAndOtherServerTypes() {
        let setup = parse("""
        user_pref("security.tls.version.min", 1);
        user_pref("mail.server.server1.type", "imap");
        user_pref("mail.server.server1.socketType", 3);
        user_pref("mail.server.server1.realhostname", "new.example.test");
        user_pref("mail.server.server1.hostname", "old.example.test");
        user_pref("mail.server.server2.type", "rss");
        user_pref("mail.server.server3.type", "nntp");
        user_pref("mail.server.server4.type", "imapp");
        """)
        #expect(setup.endpoints.count == 1)
        #expect(setup.endpoints[0].minTLSVersion == .tls10 && setup.endpoints[0].span(of: .minTLSVersion).line == 1)
        #expect(setup.endpoints[0].host == "new.example.test" && setup.endpoints[0].related[.host]?.first?.line == 5)
        #expect(setup.problems.count == 1 && setup.problems[0].message.contains("did you mean 'imap'"))
        let deprecated = parse("user_pref(\"security.tls.version.enable-deprecated\", true);\nuser_pref(\"mail.server.server1.type\", \"imap\");\nuser_pref(\"mail.server.server1.socketType\", 2);")
        #expect(deprecated.endpoints[0].minTLSVersion == .tls10)
    }

    @Test func suppressionsInEveryCommentStyle() {
        let text = """
        user_pref("mail.server.server1.type", "imap");
        // mailaudit: disable=MA102 reason="test server"
        user_pref("mail.server.server1.socketType", 0);
        user_pref("mail.server.server1.authMethod", 3); /* mailaudit: disable=MA103 reason="lab" */
        """
        let result = TestSupport.lint(text, format: "thunderbird")
        #expect(result.findings.first { $0.ruleId == "MA102" }?.suppression?.justification == "test server")
        #expect(result.findings.first { $0.ruleId == "MA103" }?.suppression?.justification == "lab")
    }

    @Test func detection() throws {
        let format = ThunderbirdFormat()
        #expect(format.matches(fileName: "prefs.js", path: "/nonexistent/profile/prefs.js"))
        #expect(!format.matches(fileName: "main.js", path: "main.js"))
        #expect(format.matches(content: SourceFile(path: "prefs.js.bak", text: "// x\nuser_pref(\"a\", 1);\n")))
        #expect(!format.matches(content: SourceFile(path: "app.js", text: "const user = require('user');\n")))
        // A JavaScript module that happens to be called user.js is not a Thunderbird profile.
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let module = dir.appendingPathComponent("user.js")
        try "export function user() { return 1 }\n".write(to: module, atomically: true, encoding: .utf8)
        #expect(!format.matches(fileName: "user.js", path: module.path))
        try "user_pref(\"mail.server.server1.type\", \"imap\");\n".write(to: module, atomically: true, encoding: .utf8)
        #expect(format.matches(fileName: "user.js", path: module.path))
    }

    /// The Examples report what Examples/README.md says they report.
    @Test func examplesReportWhatTheREADMESays() throws {
        let expected: [String: [String]] = [
            // One MA106: `security.tls.version.min` is one setting for both servers.
            "thunderbird/insecure/prefs.js": ["MA101", "MA102", "MA103", "MA103", "MA104", "MA106", "MA203", "MA301", "MA302", "MA401"],
            "thunderbird/secure/prefs.js": [],
        ]
        for (path, ids) in expected {
            let text = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("Examples/\(path)"), encoding: .utf8)
            let result = TestSupport.lint(text, format: "thunderbird", path: path)
            #expect(result.problems.isEmpty, "\(path): \(result.problems)")
            #expect(result.findings.map(\.ruleId).sorted() == ids, "\(path)")
        }
    }
}
