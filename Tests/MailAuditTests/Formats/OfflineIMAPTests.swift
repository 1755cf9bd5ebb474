import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct OfflineIMAPTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "offlineimap", path: ".offlineimaprc") }

    static func config(_ repository: String, type: String = "IMAP") -> String {
        "[general]\naccounts = main\n\n[Account main]\nlocalrepository = local\nremoterepository = remote\n\n[Repository remote]\ntype = \(type)\n" + repository
    }

    @Test func defaultsAreImplicitTLSWithVerification() throws {
        let marked = MarkedText(Self.config("remotehost = «imap.example.com»\nremoteuser = ann\n"))
        let setup = parse(marked.text)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.account == "main" && e.host == "imap.example.com" && e.protocol == .imap && e.direction == .incoming)
        #expect(e.tls == .implicit && e.tlsRequired == true && e.verifyCertificate == true && e.port == 993 && e.portIsDefault)
        #expect(e.auth == ["gssapi", "xoauth2", "cram-md5", "plain", "login"] && e.credential == nil && e.minTLSVersion == nil)
        // Defaults point at the [Repository remote] header.
        #expect(e.span(of: .tls) == SourceSpan(path: ".offlineimaprc", line: 8, column: 1, endLine: 8, endColumn: 20))
        #expect(e.span(of: .host) == marked.span(0, path: ".offlineimaprc"))
    }

    @Test func sslOffIsOpportunisticSTARTTLSWithoutCertificateChecks() throws {
        let e = try #require(parse(Self.config("remotehost = h\nssl = no\nsslcacertfile = OS-DEFAULT\n")).endpoints.first)
        #expect(e.tls == .starttls && e.tlsRequired == false && e.verifyCertificate == false && e.port == 143 && e.portIsDefault)
        #expect(e.span(of: .tls).line == 11 && e.span(of: .tls).column == 7)
        let plain = try #require(parse(Self.config("remotehost = h\nssl = false\nstarttls = off\nremoteport = 1143\n")).endpoints.first)
        #expect(plain.tls == TLSMode.none && plain.tlsRequired == false && plain.verifyCertificate == nil && plain.port == 1143 && !plain.portIsDefault)
        #expect(plain.span(of: .tls).line == 12)
        // GSSAPI alone never triggers STARTTLS.
        let gss = try #require(parse(Self.config("remotehost = h\nssl = no\nauth_mechanisms = GSSAPI\n")).endpoints.first)
        #expect(gss.tls == TLSMode.none && gss.auth == ["gssapi"])
    }

    @Test func gmailDefaultsAndSslTrue() throws {
        let e = try #require(parse(Self.config("remoteuser = me@gmail.com\nssl=true\n", type: "Gmail")).endpoints.first)
        #expect(e.host == "imap.gmail.com" && e.port == 993 && e.tls == .implicit && e.span(of: .tls).line == 11)
        // Gmail keeps port 993 even with ssl = no (GmailRepository.getport).
        let off = try #require(parse(Self.config("ssl = no\n", type: "Gmail")).endpoints.first)
        #expect(off.port == 993 && off.tls == .starttls)
    }

    @Test func passwordSourcesAndSecrets() throws {
        let marked = MarkedText(Self.config("remotehost = h\nremotepass = «s3cr%%et»\n"))
        let inline = parse(marked.text)
        let e = try #require(inline.endpoints.first)
        #expect(e.credential == .inline && inline.problems.isEmpty)
        #expect(inline.secrets == marked.spans(path: ".offlineimaprc"))
        #expect(e.span(of: .credential) == inline.secrets[0] && e.span(of: .auth) == inline.secrets[0])
        #expect(parse(Self.config("remotehost = h\nremotepasseval = get_pass()\nremotepass = x\n")).endpoints.first?.credential == .command)
        #expect(parse(Self.config("remotehost = h\nremotepassfile = ~/.pw\n")).endpoints.first?.credential == .file)
        // A lone % makes configparser fail; reported without echoing the secret.
        let bad = parse(Self.config("remotehost = h\nremotepass = 100%sure\n"))
        #expect(bad.problems.count == 1 && bad.problems[0].message.contains("%%") && !bad.problems[0].message.contains("sure"))
        #expect(bad.problems[0].span?.line == 11 && bad.problems[0].span?.column == 14)
    }

    @Test func interpolationAndDefaultSection() throws {
        let setup = parse("[DEFAULT]\ndomain = example.com\n" + Self.config("remotehost = imap.%(domain)s\nremoteport = %(port)s\nport = 10993\n"))
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.endpoints.first?.host == "imap.example.com" && setup.endpoints.first?.port == 10993)
    }

    @Test func fieldsDecidedByDefaultSectionAreInherited() throws {
        let setup = parse("[DEFAULT]\nssl = no\nremotepass = shared\n" + Self.config("remotehost = h\nstarttls = no\n"))
        let e = try #require(setup.endpoints.first)
        #expect(e.credential == .inline && e.span(of: .credential).line == 3)
        #expect(e.inherited == [.credential, .auth], "ssl = no is shared, but starttls = no in the repository decides tls")
        #expect(!e.inherited.contains(.tls) && e.span(of: .tls).line == 14)
        // Nothing from [DEFAULT]: nothing inherited, also for a value interpolated from it.
        let own = try #require(parse("[DEFAULT]\ndomain = example.com\n" + Self.config("remotehost = imap.%(domain)s\n")).endpoints.first)
        #expect(own.inherited.isEmpty)
    }

    @Test func tlsVersions() throws {
        let v = try #require(parse(Self.config("remotehost = h\nssl_version = tls1\n")).endpoints.first)
        #expect(v.minTLSVersion == .tls10 && v.span(of: .minTLSVersion).line == 11)
        #expect(parse(Self.config("remotehost = h\ntls_level = tls_secure\nssl_version = tls1_2\n")).endpoints.first?.minTLSVersion == .tls12)
        let missing = parse(Self.config("remotehost = h\ntls_level = tls_secure\n"))
        #expect(missing.problems.first?.message.contains("needs `ssl_version`") == true && missing.problems.first?.span?.line == 11)
        let wrong = parse(Self.config("remotehost = h\ntls_level = tls_secure\nssl_version = tls1\n"))
        #expect(wrong.problems.first?.span?.line == 12)
    }

    @Test func structuralErrorsArePrecise() throws {
        let typo = parse(Self.config("remotehost = h\n", type: "imap"))
        #expect(typo.problems.first?.message.contains("did you mean 'IMAP'") == true && typo.problems.first?.span?.line == 9 && typo.problems.first?.span?.column == 8)
        let noRepo = parse("[general]\naccounts = a, b\n[Account a]\nremoterepository = nowhere\n")
        #expect(noRepo.problems.map { $0.span?.line ?? 0 } == [4, 2])
        let tunnel = parse(Self.config("preauthtunnel = ssh host /usr/lib/dovecot/imap\n"))
        #expect(tunnel.endpoints.isEmpty && tunnel.problems.isEmpty)
        let noHost = parse(Self.config("remoteuser = a\n"))
        #expect(noHost.problems.first?.message.contains("remotehost") == true)
        let bool = parse(Self.config("remotehost = h\nssl = maybe\n"))
        // configparser rejects `maybe`: the TLS mode is unknown, not the default (implicit TLS).
        #expect(bool.problems.first?.span?.line == 11 && bool.endpoints.first?.tls == nil)
    }

    @Test func aBrokenLineDoesNotHideTheRest() throws {
        let setup = parse(Self.config("remotehost = h\nthis is not a setting\nssl = no\n"))
        #expect(setup.problems.count == 1 && setup.problems[0].span?.line == 11)
        #expect(setup.endpoints.first?.tls == .starttls)
    }

    @Test func detection() throws {
        let f = OfflineIMAPFormat()
        #expect(f.matches(fileName: ".offlineimaprc", path: "/home/a/.offlineimaprc"))
        #expect(f.matches(fileName: "offlineimap.conf.minimal", path: "x/offlineimap.conf.minimal"))
        #expect(f.matches(fileName: "config", path: "/home/a/.config/offlineimap/config"))
        #expect(!f.matches(fileName: "config", path: "/home/a/.config/git/config"))
        #expect(f.matches(content: SourceFile(path: "x", text: Self.config(""))))
        #expect(!f.matches(content: SourceFile(path: "x", text: "[retriever]\ntype = SimplePOP3Retriever\n")))
    }

    @Test func badInput() throws { try BadInputCheck.run(fileName: ".offlineimaprc") }

    @Test func inlineSuppression() throws {
        let result = TestSupport.lint(Self.config("remotehost = h\n# mailaudit: disable=MA501 reason=\"test account\"\nremotepass = x\n"), format: "offlineimap")
        #expect(result.findings.first { $0.ruleId == "MA501" }?.suppression != nil)
    }
}
