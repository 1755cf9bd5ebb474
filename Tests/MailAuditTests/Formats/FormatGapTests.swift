import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditTestSupport
import Testing

/// Grammar and model gaps found on real files: OpenSMTPD's whole `listen on` grammar (parse.y of
/// OpenSMTPD 7.x) and OfflineIMAP's IMAP-to-IMAP accounts.
@Suite struct FormatGapTests {
    @Test func opensmtpdListenOptionsFromParseY() throws {
        let text = """
        pki mx cert "/etc/ssl/mx.crt"
        pki mx key "/etc/ssl/private/mx.key"
        filter check_rdns phase connect match !rdns disconnect "550 no rDNS"
        listen on 0.0.0.0 port 25 tls pki mx filter { "check_rdns", "check_fcrdns" }
        listen on 0.0.0.0 port 465 smtps verify pki mx ciphers "HIGH" protocols "tlsv1.2,tlsv1.3" auth filter check_rdns
        listen on socket filter "check_rdns"
        action "relay" relay
        match from any for any action "relay"

        """
        let setup = TestSupport.parse(text, format: "opensmtpd", path: "smtpd.conf")
        #expect(setup.problems.isEmpty, "\(setup.problems.map(\.message))")
        let servers = setup.endpoints.filter { $0.role == .server }
        #expect(servers.map(\.port) == [25, 465])
        #expect(servers.first?.direction == .relay && servers.last?.direction == .outgoing)
    }

    @Test func opensmtpdHandOffPortWithoutAuthIsRelay() throws {
        let setup = TestSupport.parse("listen on 0.0.0.0 port 10026 tag FILTERED\naction \"r\" relay\nmatch tag FILTERED for any action \"r\"\n", format: "opensmtpd", path: "smtpd.conf")
        #expect(setup.endpoints.first { $0.role == .server }?.direction == .relay)
        // A submission port without auth stays submission, and is reported (MA302).
        let submission = TestSupport.lint("listen on 0.0.0.0 port 587\naction \"r\" relay\nmatch from any for any action \"r\"\n", format: "opensmtpd", path: "smtpd.conf")
        #expect(submission.findings.contains { $0.ruleId == "MA302" })
    }

    @Test func opensmtpdGreetingIsReportedLikeOtherServers() throws {
        let setup = TestSupport.parse("listen on 0.0.0.0 hostname mx.example.test\naction \"l\" mbox\nmatch from any for local action \"l\"\n", format: "opensmtpd", path: "smtpd.conf")
        #expect(setup.endpoints.first?.banner == "mx.example.test ESMTP OpenSMTPD")
    }

    let imapToIMAP = """
    [general]
    accounts = migrate

    [Account migrate]
    localrepository = new
    remoterepository = old

    [Repository new]
    type = IMAP
    remotehost = imap.new.example
    remoteuser = ann
    remotepasseval = get_pass("new")
    sslcacertfile = OS-DEFAULT

    [Repository old]
    type = IMAP
    remotehost = imap.old.example
    remoteuser = ann
    remotepass =
    sslcacertfile = OS-DEFAULT

    """

    @Test func offlineimapLocalIMAPRepositoryIsAnEndpoint() throws {
        // offlineimap.conf: a repository of type IMAP may be the local side ("IMAP to IMAP sync").
        let setup = TestSupport.parse(imapToIMAP, format: "offlineimap", path: ".offlineimaprc")
        #expect(setup.problems.isEmpty)
        #expect(Set(setup.endpoints.compactMap(\.host)) == ["imap.new.example", "imap.old.example"])
        let local = try #require(setup.endpoints.first { $0.host == "imap.new.example" })
        #expect(local.credential == .command && local.tls == .implicit)
    }

    @Test func offlineimapEmptyRemotepassIsNoWrittenPassword() throws {
        let setup = TestSupport.parse(imapToIMAP, format: "offlineimap", path: ".offlineimaprc")
        let old = try #require(setup.endpoints.first { $0.host == "imap.old.example" })
        #expect(old.credential != .inline)
        #expect(setup.secrets.isEmpty)
        #expect(!TestSupport.lint(imapToIMAP, format: "offlineimap", path: ".offlineimaprc").findings.contains { $0.ruleId == "MA501" })
    }
}
