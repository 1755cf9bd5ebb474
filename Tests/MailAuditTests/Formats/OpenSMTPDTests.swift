import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct OpenSMTPDTests {
    func parse(_ text: String, path: String = "smtpd.conf") -> MailSetup { TestSupport.parse(text, format: "opensmtpd", path: path) }

    @Test func detection() {
        let f = OpenSMTPDFormat()
        #expect(f.matches(fileName: "smtpd.conf", path: "/etc/smtpd.conf"))
        #expect(!f.matches(fileName: "smtpd.conf.bak", path: "x"))
        #expect(f.matches(content: SourceFile(path: "x", text: "listen on lo0\nmatch from local for any action \"r\"\n")))
    }

    @Test func listenersAndDefaults() {
        let marked = MarkedText("""
        pki mx cert "/etc/ssl/mx.crt"
        pki mx key "/etc/ssl/mx.key"
        «listen on 0.0.0.0»
        listen on egress port 587 tls pki mx «auth»
        listen on egress smtps pki mx auth-optional <users>
        listen on egress port submission tls-require verify pki mx
        """)
        let s = parse(marked.text)
        #expect(s.problems.isEmpty)
        let e = s.endpoints
        #expect(e.count == 4)
        #expect(e[0].port == 25 && e[0].portIsDefault && e[0].host == nil && e[0].tls == TLSMode.none && e[0].direction == .relay)
        #expect(e[0].location == marked.span(0, path: "smtpd.conf"))
        #expect(e[1].port == 587 && e[1].tls == .starttls && e[1].tlsRequired == true && e[1].authRequired == true)
        #expect(e[1].spans[.tlsRequired] == marked.span(1, path: "smtpd.conf"))
        #expect(e[1].auth == ["plain", "login"] && e[1].allowsPlaintextAuth == false)
        #expect(e[2].port == 465 && e[2].portIsDefault && e[2].tls == .implicit && e[2].authRequired == false)
        #expect(e[3].port == 587 && e[3].tlsRequired == true && e[3].auth == [] && e[3].authRequired == false)
        #expect(e.allSatisfy { $0.banner == "$hostname ESMTP OpenSMTPD" && $0.allowsVRFY == false })
    }

    @Test func relayActions() {
        let text = """
        table creds file:/etc/mail/creds
        action "mx" relay
        action "strict" relay tls
        action "smart" relay host smtp+tls://bob@smtp.example.com:587 auth <creds>
        action "wrapped" relay host smtps://smtp.example.com tls no-verify
        action "plain" relay host smtp+notls://10.0.0.1
        action "local" maildir
        """
        let e = parse(text).endpoints
        #expect(e.map(\.account) == ["mx", "strict", "smart", "wrapped", "plain"])
        #expect(e[0].host == nil && e[0].port == 25 && e[0].tls == .starttls && e[0].tlsRequired == false && e[0].verifyCertificate == nil)
        #expect(e[1].tlsRequired == true && e[1].verifyCertificate == true)
        #expect(e[2].host == "smtp.example.com" && e[2].port == 587 && e[2].tlsRequired == true && e[2].credential == .file && e[2].auth == ["plain", "login"])
        #expect(e[3].tls == .implicit && e[3].port == 465 && e[3].verifyCertificate == false)
        #expect(e[3].spans[.verifyCertificate]?.column == 58)  // `no-verify`
        #expect(e[4].tls == TLSMode.none)
    }

    @Test func relaySchemesOfOlderReleasesNameTheCurrentOne() throws {
        // smtpd.conf(5) of older releases had tls+auth://, smtps+auth://, ssl://; current smtpd
        // knows smtp, smtp+tls, smtp+notls, smtps and lmtp only.
        let setup = parse("table secrets file:/etc/mail/secrets\naction \"out\" relay host tls+auth://label@mail.example.test:587 auth <secrets>\n")
        let p = try #require(setup.problems.first)
        #expect(setup.problems.count == 1 && p.span?.line == 2)
        #expect(p.message.contains("\"tls+auth\" is a scheme of older OpenSMTPD releases") && p.message.contains("write smtp+tls://"))
        #expect(setup.endpoints.first?.host == "mail.example.test" && setup.endpoints.first?.tls == nil)
    }

    @Test func macrosCommentsAndContinuations() {
        let marked = MarkedText("""
        lan_addr = "192.0.2.1"
        listen on «$lan_addr» \\
            port 587 tls # auth-optional
        listen on $undefined
        """)
        let s = parse(marked.text)
        #expect(s.endpoints.first?.host == "192.0.2.1")
        #expect(s.endpoints.first?.spans[.host] == marked.span(0, path: "smtpd.conf"))
        #expect(s.endpoints.first?.port == 587 && s.endpoints.first?.auth == [])
        #expect(s.problems.map(\.message) == ["macro 'undefined' not defined; smtpd refuses this file"])
    }

    @Test func obsoleteSyntaxIsNamedButListenersAreRead() {
        let s = parse("listen on lo0\nmap \"aliases\" { source db \"/etc/mail/aliases.db\" }\naccept for local deliver to mbox\naccept for all relay\n")
        #expect(s.endpoints.count == 1 && s.endpoints[0].host == "lo0")
        #expect(s.problems.map { $0.span?.line } == [2, 3, 4])
        #expect(s.problems[2].message.hasPrefix("`accept for all relay`: this is OpenSMTPD's rule syntax from before 6.4"))
    }

    /// smtpd.conf(5) of 6.4 and later: `pki NAME cert FILE`, `pki NAME key FILE`; `certificate` was the earlier keyword.
    @Test func pkiCertificateIsTheSyntaxBefore64() {
        let s = parse("pki mx.example.org certificate \"/etc/mail/mx.crt\" key \"/etc/mail/mx.key\"\npki mx.example.org cert \"/etc/mail/mx.crt\"\nlisten on lo0\n")
        #expect(s.problems.map { $0.span?.line } == [1])
        #expect(s.problems.first?.span?.column == 20)
        #expect(s.problems.first?.message.hasPrefix("`pki … certificate` is OpenSMTPD's syntax from before 6.4") == true)
        // Likewise `queue encryption key KEY`: 6.4 and later take `queue encryption [KEY]`.
        let queue = parse("queue encryption key 0123456789abcdef0123456789abcdef\nqueue encryption 0123456789abcdef0123456789abcdef\n")
        #expect(queue.problems.map { $0.span?.line } == [1])
        #expect(queue.problems.first?.message.hasPrefix("`queue encryption key …` is OpenSMTPD's syntax from before 6.4") == true)
    }

    @Test func errorsKeepTheRestOfTheFile() {
        let s = parse("listen on 127.0.0.1 port 2525 auth\nlisten on 127.0.0.1 bogus\nlisten on 127.0.0.1 \"unterminated\n")
        let byLine = Dictionary(grouping: s.problems) { $0.span?.line ?? 0 }.mapValues { $0.map(\.message).joined() }
        #expect(s.problems.count == 3)
        #expect(byLine[1]?.contains("auth requires tls/smtps") == true)
        #expect(byLine[2]?.contains("unknown listen option \"bogus\"") == true)
        #expect(byLine[3]?.contains("unterminated quoted string") == true)
        #expect(s.endpoints.count == 3)  // every listen line is still read
    }

    @Test func includesLoopsMissingAndBadFiles() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("smtpd.conf"), b = dir.appendingPathComponent("listeners.conf")
        let bad = dir.appendingPathComponent("bad.conf")
        try "include \"\(b.path)\"\ninclude \"\(dir.path)/missing.conf\"\ninclude \"\(bad.path)\"\nlisten on 127.0.0.1\n".write(to: a, atomically: true, encoding: .utf8)
        try "listen on 127.0.0.1 port 587 tls-require\ninclude \"\(a.path)\"\n".write(to: b, atomically: true, encoding: .utf8)
        try Data([0x6C, 0x69, 0x00, 0x0A]).write(to: bad)
        let s = OpenSMTPDFormat().parse(try SourceFile.load(path: a.path), context: ParseContext(ports: TestSupport.ruleSet.ports))
        let messages = s.problems.map(\.message)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("include loop") })
        // A missing include is a note (MA003) at its line, not a parse error.
        #expect(s.unfollowedIncludes.map(\.reason) == [.missing] && s.unfollowedIncludes.first?.span.line == 2)
        #expect(messages.contains { $0.contains("binary data") })
        #expect(s.endpoints.map(\.port) == [587, 25])
        #expect(s.endpoints[0].spans[.tls]?.path == b.path)
    }
    @Test func aSubmissionPortWithoutAuthServesWhatTheMatchRulesAllow() throws {
        // smtpd.conf(5): a listener without `auth` offers no AUTH; which mail it takes is up to the `match`
        // rules (`from` defaults to local, `for` to local). A 465 listener whose rules relay only for
        // authenticated sessions takes mail for the local domains, like port 25: an inbound MTA listener.
        let mx = """
        pki mx cert "/etc/ssl/mx.pem"
        pki mx key "/etc/ssl/private/mx.key"
        listen on all smtps pki mx
        listen on all port submission tls-require pki mx auth
        action "local_mail" maildir
        action "outbound" relay
        match from any for domain "example.com" action "local_mail"
        match from any auth for any action "outbound"
        match from local for any action "outbound"

        """
        let inbound = parse(mx).endpoints
        #expect(inbound.map(\.direction) == [.relay, .outgoing, .relay])
        #expect(!TestSupport.lint(mx, format: "opensmtpd", path: "smtpd.conf").findings.contains { $0.ruleId == "MA302" })
        // The same listener, when a rule relays for anyone who connects, is unauthenticated submission.
        let open = mx.replacingOccurrences(of: "match from any auth for any", with: "match from any for any")
        #expect(parse(open).endpoints.first?.direction == .outgoing)
        let ma302 = TestSupport.lint(open, format: "opensmtpd", path: "smtpd.conf").findings.filter { $0.ruleId == "MA302" }
        #expect(ma302.map(\.span.line) == [3])
        // `! from local` is every remote sender; `from src <lan>` trusts a network, as Postfix's mynetworks.
        for from in ["! from local", "from src <lan>"] {
            let text = mx.replacingOccurrences(of: "match from any auth for any", with: "match \(from) for any")
            #expect(parse("table lan { 192.168.0.0/24 }\n" + text).endpoints.first?.direction == .outgoing, "\(from)")
        }
        // `for domain …` with a relay action is a backup MX: still no submission.
        let backup = mx.replacingOccurrences(of: "match from any auth for any", with: "match from any for domain \"other.example\"")
        #expect(parse(backup).endpoints.first?.direction == .relay)
    }
}
