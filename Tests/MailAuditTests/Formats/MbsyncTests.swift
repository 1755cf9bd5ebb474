import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct MbsyncTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "mbsync", path: "mbsyncrc") }
    func endpoint(_ setup: MailSetup, _ account: String) -> Endpoint? { setup.endpoints.first { $0.account == account } }
    func span(_ line: Int, _ column: Int, _ end: Int) -> SourceSpan {
        SourceSpan(path: "mbsyncrc", line: line, column: column, endLine: line, endColumn: end)
    }

    @Test func detection() {
        let f = MbsyncFormat()
        #expect(f.matches(fileName: ".mbsyncrc", path: "/home/a/.mbsyncrc"))
        #expect(f.matches(fileName: "isyncrc", path: "/home/a/.config/isyncrc"))
        #expect(f.matches(fileName: "mbsyncrc.sample", path: "src/mbsyncrc.sample"))
        #expect(f.matches(content: SourceFile(path: "x", text: "# mail\nIMAPAccount work\nHost imap.example.com\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "account work\nhost smtp.example.com\n")))
    }

    @Test func accountAndStore() throws {
        // Default SSLType STARTTLS, mandatory; port 143; the store that names the account is not a second server.
        let setup = parse("""
        IMAPAccount work
        Host imap.example.com
        User ann
        PassCmd "pass show work"

        IMAPStore work-remote
        Account work
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.endpoints.count == 1)
        let e = try #require(endpoint(setup, "work"))
        #expect(e.protocol == .imap && e.direction == .incoming && e.host == "imap.example.com")
        #expect(e.tls == .starttls && e.tlsRequired == true && e.port == 143 && e.portIsDefault)
        #expect(e.verifyCertificate == true && e.minTLSVersion == nil && e.auth == ["password"] && e.credential == .command)
        #expect(e.location == span(1, 1, 17) && e.span(of: .tls) == e.location)
        #expect(e.span(of: .host) == span(2, 6, 22) && e.span(of: .credential) == span(4, 9, 25))
    }

    @Test func storeWithItsOwnServerAndTLSTypes() throws {
        let setup = parse("""
        IMAPStore none
        Host a.example
        SSLType None
        Pass "s3cr\\"et"

        IMAPStore imaps
        host b.example
        ssltype imaps
        SSLVersions TLSv1.1 TLSv1.2

        IMAPStore v15
        Host c.example
        TLSType IMAPS
        TLSVersions +1.3 -1.2

        IMAPAccount url
        Host imaps:d.example
        Port 1993
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let none = try #require(endpoint(setup, "none"))
        #expect(none.tls == TLSMode.none && none.tlsRequired == false && none.port == 143 && none.credential == .inline)
        #expect(none.span(of: .tls) == span(3, 9, 13) && setup.secrets == [span(4, 6, 16)])
        let imaps = try #require(endpoint(setup, "imaps"))
        #expect(imaps.tls == .implicit && imaps.port == 993 && imaps.minTLSVersion == .tls11 && imaps.span(of: .minTLSVersion) == span(9, 13, 20))
        let v15 = try #require(endpoint(setup, "v15"))
        #expect(v15.tls == .implicit && v15.minTLSVersion == nil)
        let url = try #require(endpoint(setup, "url"))
        #expect(url.tls == .implicit && url.host == "d.example" && url.port == 1993 && url.span(of: .host) == span(17, 12, 21))
    }

    @Test func legacyKeywordsAsMbsync14MapsThem() throws {
        let setup = parse("""
        IMAPAccount a
        Host a.example
        RequireSSL no

        IMAPAccount b
        Host b.example
        RequireSSL no
        UseTLSv1 no

        IMAPAccount c
        Host c.example
        UseIMAPS yes
        UseTLSv1.2 yes

        IMAPAccount d
        Host d.example
        UseTLSv1 no
        """)
        // `RequireSSL no` alone is ignored: STARTTLS, required, TLS 1.0 (the legacy default version).
        let a = try #require(endpoint(setup, "a"))
        #expect(a.tls == .starttls && a.tlsRequired == true && a.minTLSVersion == .tls10)
        // No version left and RequireSSL no: no TLS at all.
        let b = try #require(endpoint(setup, "b"))
        #expect(b.tls == TLSMode.none && b.tlsRequired == false && b.span(of: .tls).line == 7)
        let c = try #require(endpoint(setup, "c"))
        #expect(c.tls == .implicit && c.port == 993 && c.minTLSVersion == .tls10)
        // No version left and SSL still required: mbsync refuses the file.
        #expect(setup.problems.contains { $0.message.contains("no SSL versions enabled") && $0.span?.line == 17 })
        #expect(endpoint(setup, "d")?.tls == nil)
    }

    @Test func tunnelAuthAndKeychain() throws {
        let setup = parse("""
        IMAPStore remote
        Tunnel "ssh -q host.example /usr/sbin/imapd"

        IMAPAccount mac
        Host e.example
        UseKeychain yes
        AuthMechs XOAUTH2

        IMAPAccount cram
        Host f.example
        RequireCRAM yes
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let remote = try #require(endpoint(setup, "remote"))
        #expect(remote.tls == nil && remote.port == nil && remote.host == nil)
        let mac = try #require(endpoint(setup, "mac"))
        #expect(mac.credential == .keyring && mac.auth == ["xoauth2"])
        #expect(endpoint(setup, "cram")?.auth == ["cram-md5"])
    }

    @Test func errorsAreReportedAndTheRestRead() throws {
        let setup = parse("""
        IMAPAccount a
        Host a.example
        SSLTyp IMAPS
        IMAPStore s
        Account a

        IMAPAccount b
        Host "b.example
        SSLType TLS

        IMAPAccount c
        Host c.example
        UseIMAPS yes
        SSLType IMAPS

        IMAPStore d
        Account nosuch

        IMAPAccount e
        Host e.example

        SSLType IMAPS
        """)
        let at = setup.problems.map { ($0.span?.line ?? 0, $0.span?.column ?? 0, $0.message) }
        #expect(at.contains { $0.0 == 3 && $0.1 == 1 && $0.2.contains("did you mean 'SSLType'") }, "\(at)")
        #expect(at.contains { $0.0 == 4 && $0.2.contains("not recognized in IMAPAccount sections") }, "\(at)")
        #expect(at.contains { $0.0 == 8 && $0.1 == 6 && $0.2.contains("missing closing quote") }, "\(at)")
        #expect(at.contains { $0.0 == 9 && $0.1 == 9 && $0.2.contains("Invalid SSLType") }, "\(at)")
        #expect(at.contains { $0.0 == 13 && $0.2.contains("mutually exclusive") }, "\(at)")
        #expect(at.contains { $0.0 == 17 && $0.1 == 9 && $0.2.contains("unknown IMAP account 'nosuch'") }, "\(at)")
        #expect(at.contains { $0.0 == 22 && $0.2.contains("ended IMAPAccount 'e'") }, "\(at)")
        // The rest is still read.
        #expect(endpoint(setup, "a")?.tls == .starttls)
        #expect(endpoint(setup, "e")?.tls == .starttls)
    }

    @Test func binaryAndCRLF() throws {
        let binary = TestSupport.lint("IMAPAccount a\nHost a\u{0}.example\n", format: "mbsync")
        #expect(binary.problems.first?.span?.line == 2 && binary.problems.first?.span?.column == 7)
        let crlf = parse("IMAPAccount a\r\nHost a.example\r\nSSLType IMAPS\r\n\r\nIMAPAccount b\r\nHost b.example\r\n")
        #expect(crlf.problems.isEmpty && crlf.endpoints.count == 2 && crlf.endpoints[0].tls == .implicit)
    }

    @Test func suppression() {
        let result = TestSupport.lint("IMAPAccount a\nHost a.example\n# mailaudit: disable=MA501 reason=\"test account\"\nPass secret\n", format: "mbsync")
        let f = result.findings.filter { $0.ruleId == "MA501" }
        #expect(f.count == 1 && f.first?.suppression != nil)
    }
}
