import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct MsmtpTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "msmtp", path: "msmtprc") }
    func endpoint(_ setup: MailSetup, _ account: String) -> Endpoint? { setup.endpoints.first { $0.account == account } }

    @Test func detection() {
        let f = MsmtpFormat()
        #expect(f.matches(fileName: ".msmtprc", path: "/home/a/.msmtprc"))
        #expect(f.matches(fileName: "config", path: "/home/a/.config/msmtp/config"))
        #expect(f.matches(fileName: "msmtprc-user.example", path: "doc/msmtprc-user.example"))
        #expect(!f.matches(fileName: ".msmtprc.gpg", path: ".msmtprc.gpg"))
        #expect(!f.matches(fileName: "config", path: "/home/a/.config/git/config"))
        #expect(f.matches(content: SourceFile(path: "x", text: "# mail\naccount work\nhost smtp.example.com\ntls on\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "set from = a@example.com\nset smtp_url = smtp://x\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "IMAPAccount work\nHost imap.example.com\n")))
    }

    @Test func defaultsWithoutTLS() throws {
        // msmtp's own defaults: tls off, port 25, auth off.
        let marked = MarkedText("«account plain»\nhost «smtp.example.com»\n")
        let setup = parse(marked.text)
        #expect(setup.problems.isEmpty)
        let e = try #require(setup.endpoints.first)
        #expect(e.account == "plain" && e.protocol == .smtp && e.direction == .outgoing && e.role == .client)
        #expect(e.tls == TLSMode.none && e.tlsRequired == false && e.port == 25 && e.portIsDefault)
        #expect(e.verifyCertificate == nil && e.auth == [] && e.credential == CredentialKind.none)
        // Defaults point at the account line.
        #expect(e.span(of: .tls) == e.location && [e.location, e.span(of: .host)] == marked.spans(path: "msmtprc"))
    }

    @Test func portDependsOnTLSAndStarttls() throws {
        let setup = parse("""
        account starttls
        host a.example
        tls on
        account implicit
        host b.example
        tls on
        tls_starttls off
        account legacy
        host c.example
        tls
        tls_nostarttls
        """)
        #expect(setup.problems.isEmpty)
        let s = try #require(endpoint(setup, "starttls"))
        #expect(s.tls == .starttls && s.tlsRequired == true && s.port == 25 && s.verifyCertificate == true)
        #expect(s.span(of: .tls).line == 3 && s.span(of: .tls).column == 5)
        let i = try #require(endpoint(setup, "implicit"))
        #expect(i.tls == .implicit && i.port == 465 && i.portIsDefault)
        #expect(i.span(of: .tls).line == 7 && i.span(of: .tls).column == 14)
        #expect(i.related[.tls]?.first?.line == 6)
        // An empty argument means on; tls_nostarttls is tls_starttls off.
        let l = try #require(endpoint(setup, "legacy"))
        #expect(l.tls == .implicit && l.port == 465)
    }

    @Test func defaultsAndInheritance() throws {
        let setup = parse("""
        defaults
        port 587
        tls on
        account work
        host smtp.example.com
        auth on
        user ann
        passwordeval "pass show work"
        defaults
        port 2525
        account legacy : work
        tls off
        account other : work
        account default : work
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let work = try #require(endpoint(setup, "work"))
        #expect(work.port == 587 && work.tls == .starttls && work.auth == ["password"] && work.credential == .command)
        #expect(work.span(of: .port).line == 2 && work.span(of: .credential).line == 8 && work.span(of: .credential).column == 14)
        // `legacy : work` takes the defaults current at its line (port 2525), then what work set itself.
        let legacy = try #require(endpoint(setup, "legacy"))
        #expect(legacy.host == "smtp.example.com" && legacy.port == 2525 && legacy.tls == TLSMode.none && legacy.tlsRequired == false)
        #expect(legacy.span(of: .tls).line == 12 && legacy.span(of: .port).line == 10)
        #expect(legacy.related[.tls]?.contains { $0.line == 3 } == true)
        #expect(legacy.related[.port]?.contains { $0.line == 2 } == true)
        // `other : work` gives the same connection as legacy's siblings: other has port 2525, so it differs from work;
        // `default : work` is decided by exactly the same lines as other and is reported once.
        #expect(endpoint(setup, "other")?.port == 2525)
        #expect(endpoint(setup, "default") == nil)
    }

    @Test func commandsBeforeFirstAccountFormTheDefaultAccount() throws {
        let setup = parse("host pre.example\ntls on\naccount one\nhost one.example\n")
        #expect(setup.problems.isEmpty)
        #expect(endpoint(setup, "default")?.tls == .starttls)
        // They are not defaults: account one keeps tls off.
        #expect(endpoint(setup, "one")?.tls == TLSMode.none)
        #expect(endpoint(setup, "default")?.location.line == 1)
    }

    @Test func certificatesVersionsAndCredentials() throws {
        let marked = MarkedText("""
        account a
        host a.example
        tls on
        tls_certcheck off
        tls_fingerprint ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab
        tls_priorities NORMAL:-VERS-TLS1.0:-VERS-TLS1.1
        password «"s3cret"»
        auth plain
        account b
        host b.example
        tls on
        tls_fingerprint ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab
        tls_priorities NORMAL:+VERS-TLS1.0
        tls_nocertcheck
        account c
        host c.example
        tls on
        tls_fingerprint ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab
        auth off
        """)
        let setup = parse(marked.text)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let a = try #require(endpoint(setup, "a"))
        #expect(a.verifyCertificate == false && a.span(of: .verifyCertificate).line == 4)
        #expect(a.minTLSVersion == .tls12 && a.auth == ["plain"] && a.credential == .inline)
        #expect(a.span(of: .credential) == marked.span(0, path: "msmtprc"))
        #expect(setup.secrets == marked.spans(path: "msmtprc"))
        let b = try #require(endpoint(setup, "b"))
        #expect(b.verifyCertificate == false && b.minTLSVersion == .tls10 && b.span(of: .verifyCertificate).line == 14)
        let c = try #require(endpoint(setup, "c"))
        #expect(c.verifyCertificate == true && c.span(of: .verifyCertificate).line == 18 && c.auth == [] && c.credential == CredentialKind.none)
    }

    @Test func priorityStrings() {
        #expect(MsmtpFormat.minimumTLSVersion(priorities: "NORMAL") == nil)
        #expect(MsmtpFormat.minimumTLSVersion(priorities: "NORMAL:-VERS-TLS1.0") == nil)
        #expect(MsmtpFormat.minimumTLSVersion(priorities: "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1") == .tls12)
        #expect(MsmtpFormat.minimumTLSVersion(priorities: "SECURE256:-VERS-ALL:+VERS-TLS1.3") == .tls13)
        #expect(MsmtpFormat.minimumTLSVersion(priorities: "NORMAL:+VERS-SSL3.0") == .ssl3)
        #expect(MsmtpFormat.minimumTLSVersion(priorities: "PROTOCOLS=TLSv1.2,TLSv1.3 CIPHERS=secure") == .tls12)
    }

    @Test func lmtpWithoutPort() throws {
        let setup = parse("account l\nhost localhost\nprotocol lmtp\n")
        #expect(setup.endpoints.first?.protocol == .lmtp && setup.endpoints.first?.port == nil)
        let p = try #require(setup.problems.first)
        #expect(p.message.contains("port not set") && p.span?.line == 1)
    }

    @Test func badLinesAreReportedAndTheRestIsRead() throws {
        let setup = parse("""
        account a
        host "smtp.example.com
        tls on # use TLS
        TLS on
        port 99999
        auth LOGIN
        account b : nosuch
        host b.example
        tls on
        """)
        let lines = setup.problems.compactMap { $0.span.map { ($0.line, $0.column) } }
        #expect(lines.contains { $0 == (2, 6) }, "unterminated quote: \(setup.problems)")
        #expect(setup.problems.contains { $0.message.contains("no comments after a value") && $0.span?.line == 3 && $0.span?.column == 5 })
        #expect(setup.problems.contains { $0.message.contains("case-sensitive") && $0.span?.line == 4 })
        #expect(setup.problems.contains { $0.span?.line == 5 && $0.message.contains("65535") })
        #expect(setup.problems.contains { $0.span?.line == 6 && $0.message.contains("'login'") })
        #expect(setup.problems.contains { $0.span?.line == 7 && $0.message.contains("not (yet) defined") })
        // The rest is still read: account a keeps its literal host, b is complete.
        #expect(endpoint(setup, "a")?.host == "\"smtp.example.com")
        #expect(endpoint(setup, "b")?.tls == .starttls)
    }

    @Test func duplicateAccount() {
        let setup = parse("account a\nhost h\naccount a\nhost i\n")
        #expect(setup.problems.contains { $0.message.contains("already defined") && $0.span?.line == 3 })
    }

    @Test func evalMakesValuesUnknowable() throws {
        let setup = parse("account a\nhost h\ntls on\neval echo tls_starttls off\neval echo password $(pass x)\nauth on\n")
        let e = try #require(setup.endpoints.first)
        #expect(e.tls == nil && e.port == nil && e.credential == .command)
    }

    @Test func binaryAndInvalidUTF8() {
        let binary = TestSupport.lint("account a\nhost h\u{0}x\n", format: "msmtp")
        #expect(binary.problems.first?.span?.line == 2 && binary.problems.first?.span?.column == 7)
        #expect(binary.problems.first?.message.contains("NUL") == true)
        do {
            _ = try SourceFile.decode(Data([0x61, 0x63, 0x63, 0x0A, 0x68, 0xFF, 0x0A]), path: "msmtprc")
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.span?.line == 2 && error.span?.column == 2)
        }
    }

    @Test func crlfAndBlanks() throws {
        let marked = MarkedText("account a\r\n\thost   «smtp.example.com»  \r\n  # comment\r\ntls\ton\r\n")
        let setup = parse(marked.text)
        #expect(setup.problems.isEmpty)
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && e.tls == .starttls)
        #expect(e.span(of: .host) == marked.span(0, path: "msmtprc"))
    }

    @Test func suppressionOnTheLineBefore() {
        let result = TestSupport.lint("account a\nhost smtp.example.com\nport 587\ntls on\nauth on\n# mailaudit: disable=MA501 reason=\"test account\"\npassword x\n", format: "msmtp")
        let ma501 = result.findings.filter { $0.ruleId == "MA501" }
        #expect(ma501.count == 1 && ma501.first?.suppression?.kind == .inline)
        #expect(result.secrets.isEmpty == false)
    }
}
