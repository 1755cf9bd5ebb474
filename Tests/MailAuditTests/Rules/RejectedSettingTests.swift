import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditTestSupport
import Testing

/// A setting the program would reject is an MA000, and the field it would have set is unknown —
/// never the program's default, which is often the opposite of what the author wrote.
@Suite struct RejectedSettingTests {
    @Test func msmtpCommentAfterAValue() throws {
        // msmtp(1): "#" starts a comment only at the start of a line, so `tls on # …` is an invalid argument.
        let text = """
        account work
        host smtp.example.com
        port 587
        tls on   # use TLS
        tls_certcheck off
        auth on
        user ann
        passwordeval "pass mail"

        """
        let result = TestSupport.lint(text, format: "msmtp")
        #expect(result.problems.contains { $0.message.contains("invalid argument 'on   # use TLS' for command tls") })
        let e = try #require(TestSupport.parse(text, format: "msmtp").endpoints.first)
        #expect(e.tls == nil && e.tlsRequired == nil)
        let ids = Set(result.findings.map(\.ruleId))
        #expect(ids.isDisjoint(with: ["MA102", "MA103", "MA301"]))
        #expect(ids.contains("MA105"))  // the intended `tls_certcheck off` is still seen
    }

    @Test func msmtpOtherRejectedValues() throws {
        let e = try #require(TestSupport.parse("account a\nhost h.example\nport smtp\nauth PLAIN\n", format: "msmtp").endpoints.first)
        #expect(e.port == nil && e.auth == nil)
    }

    @Test func muttInvalidBoolean() throws {
        // mutt: `set ssl_force_tls = maybe` is "invalid value"; the variable is then unknown.
        let text = "set smtp_url = \"smtp://anna@smtp.example.com:587/\"\nset ssl_force_tls = maybe\n"
        let result = TestSupport.lint(text, format: "mutt")
        #expect(!result.problems.isEmpty)
        #expect(!result.findings.contains { $0.ruleId == "MA104" })
    }

    @Test func offlineimapInvalidBoolean() throws {
        // configparser's getboolean raises on `ssl = maybe`: offlineimap stops; the TLS mode is unknown.
        let text = """
        [general]
        accounts = a

        [Account a]
        localrepository = l
        remoterepository = r

        [Repository l]
        type = Maildir
        localfolders = ~/Mail

        [Repository r]
        type = IMAP
        remotehost = imap.example.com
        ssl = maybe
        remoteport = x143

        """
        let setup = TestSupport.parse(text, format: "offlineimap", path: ".offlineimaprc")
        #expect(setup.problems.count == 2)
        let e = try #require(setup.endpoints.first)
        #expect(e.tls == nil && e.port == nil)
    }

    @Test func rejectedPortsAreUnknownInEveryClientFormat() throws {
        // Each program refuses a port that is not a number; mailaudit must not substitute the default.
        let cases: [(format: String, path: String, text: String)] = [
            ("gitconfig", ".gitconfig", "[sendemail]\n\tsmtpServer = smtp.example.com\n\tsmtpServerPort = abc\n"),
            ("getmail", "getmailrc", "[retriever]\ntype = SimpleIMAPSSLRetriever\nserver = imap.example.com\nusername = a\nport = x993\n"),
            ("thunderbird", "prefs.js", """
            user_pref("mail.account.account1.server", "server1");
            user_pref("mail.server.server1.type", "imap");
            user_pref("mail.server.server1.hostname", "imap.example.com");
            user_pref("mail.server.server1.port", "abc");
            user_pref("mail.server.server1.socketType", 3);

            """),
        ]
        for c in cases {
            let setup = TestSupport.parse(c.text, format: c.format, path: c.path)
            #expect(!setup.problems.isEmpty, "\(c.format)")
            let e = try #require(setup.endpoints.first, "\(c.format)")
            #expect(e.port == nil && !e.portIsDefault, "\(c.format): \(String(describing: e.port))")
        }
    }
}
