import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// Loopback traffic never leaves the host: the model says so (`loopback`), and transport rules
/// stay quiet about it. Fixtures follow the programs' documented bind syntax.
@Suite struct LoopbackTests {
    func ids(_ text: String, _ format: String) -> Set<String> {
        Set(TestSupport.lint(text, format: format).findings.map(\.ruleId))
    }

    @Test func addressesThatAreLoopback() {
        for host in ["localhost", "LOCALHOST.", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "mail.localhost"] {
            #expect(LoopbackAddress.isLoopback(host: host) == true, "\(host)")
        }
        for host in ["128.0.0.1", "10.0.0.1", "::", "::2", "localhost.example.com", "127.0.0.256", "1127.0.0.1", "mail.example.com", "0.0.0.0"] {
            #expect(LoopbackAddress.isLoopback(host: host) == false, "\(host)")
        }
        #expect(LoopbackAddress.isLoopback(host: nil) == nil)
    }

    @Test func clientToLoopbackIsMarkedAndNotReported() throws {
        // ProtonMail Bridge: plain SMTP with a password, on loopback.
        let text = "account proton\nhost 127.0.0.1\nport 1025\nauth on\nuser a@proton.me\npasswordeval \"pass bridge\"\n"
        let e = try #require(TestSupport.parse(text, format: "msmtp").endpoints.first)
        #expect(e.loopback == true)
        #expect(ids(text, "msmtp").isDisjoint(with: ["MA102", "MA103", "MA301"]))
        // The same file toward a real host is reported.
        let remote = text.replacingOccurrences(of: "127.0.0.1", with: "smtp.example.com")
        #expect(TestSupport.parse(remote, format: "msmtp").endpoints.first?.loopback == false)
        #expect(ids(remote, "msmtp").isSuperset(of: ["MA102", "MA103"]))
    }

    @Test func postfixLoopbackServiceAndInterfaces() throws {
        // master.cf re-injection service bound to 127.0.0.1 (amavis, as in Postfix's FILTER_README).
        let setup = TestSupport.parse("127.0.0.1:10025 inet n - n - - smtpd\n  -o content_filter=\n", format: "postfix", path: "master.cf")
        let e = try #require(setup.endpoints.first { $0.role == .server })
        #expect(e.loopback == true && e.direction == .relay)
        // main.cf `inet_interfaces = loopback-only` binds every service to loopback (postconf(5)).
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailaudit-loopback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "inet_interfaces = loopback-only\n".write(to: dir.appendingPathComponent("main.cf"), atomically: true, encoding: .utf8)
        try "smtp inet n - y - - smtpd\n".write(to: dir.appendingPathComponent("master.cf"), atomically: true, encoding: .utf8)
        let file = try SourceFile.load(path: dir.appendingPathComponent("main.cf").path)
        let local = PostfixFormat().parse(file, context: ParseContext(ports: TestSupport.ruleSet.ports))
        let smtpd = try #require(local.endpoints.first { $0.role == .server })
        #expect(smtpd.loopback == true && smtpd.direction == .relay)
        #expect(smtpd.span(of: .loopback).line == 1)
    }

    @Test func dovecotListenOnlyOnLoopback() throws {
        let setup = TestSupport.parse("protocols = imap\nlisten = 127.0.0.1, ::1\nssl = no\n", format: "dovecot", path: "dovecot.conf")
        #expect(!setup.endpoints.isEmpty && setup.endpoints.allSatisfy { $0.loopback == true })
        let open = TestSupport.parse("protocols = imap\nssl = no\n", format: "dovecot", path: "dovecot.conf")
        #expect(open.endpoints.allSatisfy { $0.loopback == false })
    }

    @Test func eximLocalInterfaces() throws {
        let setup = TestSupport.parse("local_interfaces = <; 127.0.0.1.10025 ; 0.0.0.0.25\n", format: "exim", path: "exim4.conf")
        let handOff = try #require(setup.endpoints.first { $0.port == 10025 })
        #expect(handOff.loopback == true && handOff.direction == .relay)
        #expect(setup.endpoints.first { $0.port == 25 }?.loopback == false)
    }

    @Test func opensmtpdLoopbackListenersAndRelays() throws {
        // smtpd.conf(5): `listen on lo`, `listen on localhost port 10040` for a DKIM signer, relay to it.
        let text = """
        listen on lo port 10028 tag DKIM
        listen on localhost port 10040
        listen on egress port 25
        action "sign" relay host smtp://127.0.0.1:10041
        match from local for any action "sign"

        """
        let setup = TestSupport.parse(text, format: "opensmtpd", path: "smtpd.conf")
        let servers = setup.endpoints.filter { $0.role == .server }
        #expect(servers.map(\.loopback) == [true, true, false])
        #expect(servers.prefix(2).allSatisfy { $0.direction == .relay })
        #expect(setup.endpoints.first { $0.role == .client }?.loopback == true)
        #expect(ids(text, "opensmtpd").isDisjoint(with: ["MA102", "MA302"]) == false)  // egress:25 without TLS is still MA102
        let findings = TestSupport.lint(text, format: "opensmtpd").findings
        #expect(findings.allSatisfy { $0.endpoint?.loopback != true || !["MA102", "MA103", "MA104", "MA105", "MA106", "MA301", "MA302"].contains($0.ruleId) })
    }

    @Test func relayOnAHandOffPortIsNotOpportunisticTLS() {
        // MA104's exception is MTA-to-MTA relay, content-filter hand-offs on any port included.
        let yaml = """
        mailaudit: 1
        servers:
          - name: filter
            listeners:
              - { protocol: smtp, host: 10.0.0.5, port: 10025, direction: relay, tls: starttls, tls_required: false }
              - { protocol: smtp, host: 10.0.0.5, port: 587, direction: relay, tls: starttls, tls_required: false }

        """
        let findings = TestSupport.lint(yaml, format: "mailaudit-yaml").findings.filter { $0.ruleId == "MA104" }
        #expect(findings.map { $0.endpoint?.port } == [587])
    }

    @Test func modelOutputCarriesLoopback() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailaudit-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(".msmtprc")
        try "account local\nhost localhost\n\naccount remote\nhost smtp.example.com\n".write(to: path, atomically: true, encoding: .utf8)
        let run = try TestSupport.run(["model", path.path])
        #expect(run.stdout.contains("\"loopback\" : true") || run.stdout.contains("\"loopback\": true"))
        #expect(run.stdout.contains("\"loopback\" : false") || run.stdout.contains("\"loopback\": false"))
    }
}
