import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct FetchmailTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "fetchmail", path: "fetchmailrc") }
    func span(_ line: Int, _ column: Int, _ end: Int) -> SourceSpan {
        SourceSpan(path: "fetchmailrc", line: line, column: column, endLine: line, endColumn: end)
    }

    @Test func detection() {
        let f = FetchmailFormat()
        #expect(f.matches(fileName: ".fetchmailrc", path: "/home/a/.fetchmailrc"))
        #expect(f.matches(fileName: "fetchmail.cf", path: "config/fetchmail.cf"))
        #expect(!f.matches(fileName: "fetchmail.conf.d", path: "x"))
        #expect(f.matches(content: SourceFile(path: "testrc", text: "set syslog\nset postmaster \"postmaster\"\npoll pop.example.net with proto POP3\n  user 'foo' there with password '*' is 'me' here\n")))
        #expect(!MuttFormat().matches(content: SourceFile(path: "testrc", text: "set syslog\nset bouncemail\nset no spambounce\nset properties \"\"\npoll pop.example.net with proto POP3\n")))
    }

    @Test func authPasswordIsAnAuthenticationType() throws {
        // `password` is a user keyword, but after `auth` it names the authentication type (fetchmail's grammar).
        let setup = parse("poll mail.example.com protocol imap auth password user \"a\" password \"x\" ssl\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.auth == ["password"] && e.credential == .inline && e.tls == .implicit)
    }

    @Test func defaultsOfAPlainPoll() throws {
        // No ssl, no sslproto: STARTTLS, required because sslcertck is on by default (since fetchmail 6.4),
        // and `sslproto auto` negotiates TLS 1.2 or newer (since 6.5).
        let setup = parse("poll imap.example.com proto IMAP user anna\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.protocol == .imap && e.host == "imap.example.com" && e.port == 143 && e.portIsDefault && e.direction == .incoming)
        #expect(e.tls == .starttls && e.tlsRequired == true && e.verifyCertificate == true && e.minTLSVersion == .tls12)
        #expect(e.auth == ["password"] && e.credential == nil && e.account == "anna@imap.example.com")
        #expect(e.location == span(1, 1, 22) && e.span(of: .tls) == e.location)
        #expect(e.span(of: .protocol) == span(1, 29, 33) && e.span(of: .host) == span(1, 6, 22))
    }

    @Test func tlsModes() throws {
        let setup = parse("""
        poll a.example proto POP3 user a ssl
        poll b.example proto POP3 user b no sslcertck
        poll c.example proto IMAP user c sslproto ''
        poll d.example proto IMAP user d sslproto tls1.2+ no sslcertck
        poll e.example proto IMAP user e no sslcertck sslfingerprint "AB:CD"
        poll f.example proto IMAP user f ssl sslproto TLS1+
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = setup.endpoints
        #expect(e[0].tls == .implicit && e[0].port == 995 && e[0].tlsRequired == true && e[0].span(of: .tls) == span(1, 34, 37))
        #expect(e[1].tls == .starttls && e[1].port == 110 && e[1].tlsRequired == false && e[1].verifyCertificate == false)
        #expect(e[1].span(of: .tlsRequired) == span(2, 34, 36))
        #expect(e[2].tls == TLSMode.none && e[2].tlsRequired == false && e[2].verifyCertificate == nil && e[2].span(of: .tls) == span(3, 43, 45))
        #expect(e[3].tls == .starttls && e[3].tlsRequired == true && e[3].verifyCertificate == false && e[3].minTLSVersion == .tls12)
        #expect(e[4].tlsRequired == true && e[4].verifyCertificate == true && e[4].span(of: .verifyCertificate).line == 5)
        #expect(e[5].tls == .implicit && e[5].port == 993 && e[5].minTLSVersion == .tls10 && e[5].span(of: .minTLSVersion) == span(6, 47, 52))
    }

    @Test func defaultsAndMultiplePolls() throws {
        let setup = parse("""
        defaults proto IMAP ssl
          user esr is esr here
        poll a.example password secret;
        poll b.example proto POP3 user bob sslproto TLS1.2+
        skip c.example via real.c.example service 1995:
          user carl there with password "x\\041y" is carl here
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = setup.endpoints
        #expect(e.count == 3)
        #expect(e[0].account == "esr@a.example" && e[0].protocol == .imap && e[0].tls == .implicit && e[0].credential == .inline)
        #expect(e[0].span(of: .protocol).line == 1 && e[0].span(of: .tls).line == 1)
        // User options of `defaults` apply unless the entry sets them.
        #expect(e[1].protocol == .pop3 && e[1].tls == .implicit && e[1].minTLSVersion == .tls12 && e[1].port == 995)
        #expect(e[2].host == "real.c.example" && e[2].port == 1995 && e[2].span(of: .host) == span(5, 20, 34))
        #expect(setup.secrets.count == 2 && setup.secrets.contains(span(3, 25, 31)))
    }

    @Test func servicesProtocolsAndAuth() throws {
        let setup = parse("""
        poll a.example proto IMAP service "imaps" user a ssl
        poll b.example proto KPOP user b
        poll c.example proto ETRN
        poll d.example proto APOP user d
        poll e.example proto IMAP auth cram-md5 user e
        poll f.example user f
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = setup.endpoints
        #expect(e[0].port == 993 && !e[0].portIsDefault)
        #expect(e[1].protocol == .kpop && e[1].port == 1109 && e[1].tls == TLSMode.none)
        #expect(e[2].protocol == .etrn && e[2].port == 25 && e[2].auth == [] && e[2].credential == CredentialKind.none)
        #expect(e[3].protocol == .pop3 && e[3].auth == ["apop"])
        #expect(e[4].auth == ["cram-md5"] && e[4].span(of: .auth) == span(5, 32, 40))
        // proto AUTO (the default) tries IMAP, then POP3: protocol and port are unknown.
        #expect(e[5].protocol == nil && e[5].port == nil && e[5].tls == .starttls)
    }

    @Test func syntaxErrorsAreReportedAndTheRestRead() throws {
        let setup = parse("""
        poll a.example user ann password x proto imap
        poll b.example proto IMAP user bob KEEP
        poll c.example proto Imap user c
        poll d.example proto IMAP service pop3 user d
        frobnicate
        poll e.example proto IMAP user e sslproto TLS12 ssl
        poll f.example proto IMAP user f password 'unterminated
        """)
        let at = setup.problems.map { ($0.span?.line ?? 0, $0.span?.column ?? 0, $0.message) }
        #expect(at.contains { $0.0 == 1 && $0.1 == 36 && $0.2.contains("server option after user options") }, "\(at)")
        #expect(at.contains { $0.0 == 2 && $0.1 == 36 && $0.2.contains("case-sensitive") }, "\(at)")
        #expect(at.contains { $0.0 == 3 && $0.1 == 22 && $0.2.contains("protocols are") }, "\(at)")
        #expect(at.contains { $0.0 == 4 && $0.1 == 35 && $0.2.contains("quote it") }, "\(at)")
        #expect(at.contains { $0.0 == 5 && $0.1 == 1 && $0.2.contains("frobnicate") }, "\(at)")
        #expect(at.contains { $0.0 == 6 && $0.1 == 43 && $0.2.contains("unknown sslproto") }, "\(at)")
        #expect(at.contains { $0.0 == 7 && $0.1 == 43 && $0.2.contains("unterminated string") }, "\(at)")
        // Every entry is still modelled.
        #expect(setup.endpoints.map(\.host) == ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"])
        #expect(setup.endpoints[4].tls == .implicit && setup.endpoints[4].minTLSVersion == .tls12)  // `auto`, as fetchmail 6.5 falls back to
    }

    @Test func lexer() throws {
        // Noise words and punctuation are ignored; strings span lines; escapes are decoded; `nokeep` is `no keep`.
        let setup = parse("set daemon 300 # poll every 5 minutes\npoll mail.example.com with protocol IMAP:\n  user 'ann' there has password \"a\\x41\\065\\tb\", is ann here;\n  options ssl, nokeep fetchall\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.tls == .implicit && e.credential == .inline && e.span(of: .credential) == span(3, 33, 47))
    }

    @Test func binaryInput() {
        let result = TestSupport.lint("poll a.example proto IMAP\u{0} user a\n", format: "fetchmail")
        #expect(result.problems.first?.span?.line == 1 && result.problems.first?.span?.column == 26)
    }

    @Test func suppression() {
        let result = TestSupport.lint("poll imap.example.com proto IMAP\n  # mailaudit: disable=MA501 reason=\"throw-away test box\"\n  user anna password secret ssl\n", format: "fetchmail")
        let f = result.findings.filter { $0.ruleId == "MA501" }
        #expect(f.count == 1 && f.first?.suppression != nil)
    }

    /// `auth password` is an authentication type: only the `password "…"` values are secrets, also
    /// for the scan that backs up the parser, so the rest of the line stays readable.
    @Test func authPasswordIsATypeAndOnlyPasswordValuesAreMasked() throws {
        let text = """
        defaults auth password
        poll mail.example.com proto IMAP auth password user "bob" there with password "bob1975" is bob here
        poll pop.example.com proto POP3 auth any user carl there with password "c4rl!" is carl here
        """
        let format = try #require(FormatRegistry.builtIn.format(id: "fetchmail"))
        let (setup, redactor) = format.read(SourceFile(path: "fetchmailrc", text: text), context: ParseContext(ports: TestSupport.ruleSet.ports))
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        // The parser's span and the scan's (quotes included) of each value, nothing before it.
        #expect(Set(setup.secrets) == [span(2, 80, 87), span(2, 79, 88), span(3, 73, 78), span(3, 72, 79)], "\(setup.secrets)")
        #expect(redactor.redact("user bob1975 is bob") == "user **** is bob")
        #expect(redactor.redactPieces("'user \"bob\" there with'", path: "fetchmailrc") == "'user \"bob\" there with'")
        // Without the parser's word for it, a word `password` still masks what follows it.
        #expect(SecretScanner.spans(in: SourceFile(path: "f", text: "auth password user bob")).count == 1)
    }
}
