import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// Dovecot 2.3/2.4: listeners and their defaults, protocol and remote filters, includes, provenance, bad input.
@Suite struct DovecotTests {
    static func parse(_ text: String) -> MailSetup {
        TestSupport.parse(text, format: "dovecot", path: "dovecot.conf")
    }

    static func listener(_ s: MailSetup, _ name: String) -> Endpoint? { s.endpoints.first { $0.account == name } }

    /// Writes files into a fresh folder and parses `entry` with the real file reader (includes are followed).
    static func setup(_ files: [String: String], entry: String = "dovecot.conf") -> (MailSetup, URL) {
        let dir = TestSupport.temporaryDirectory()
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? text.write(to: url, atomically: true, encoding: .utf8)
        }
        let file = try! SourceFile.load(path: dir.appendingPathComponent(entry).path)
        return (DovecotFormat().parse(file, context: ParseContext(ports: TestSupport.ruleSet.ports)), dir)
    }

    @Test func builtInListenersAndDefaults() throws {
        let s = Self.parse("protocols = imap pop3 lmtp\n")
        #expect(s.problems.isEmpty)
        #expect(s.endpoints.map(\.account) == ["imap", "imaps", "pop3", "pop3s"])
        let imap = try #require(Self.listener(s, "imap"))
        #expect(imap.port == 143 && imap.portIsDefault && imap.role == .server && imap.direction == .incoming)
        #expect(imap.tls == .starttls)
        #expect(imap.tlsRequired == true)            // disable_plaintext_auth = yes with only `plain`
        #expect(imap.allowsPlaintextAuth == false)
        #expect(imap.auth == ["plain"])
        #expect(imap.minTLSVersion == .tls12)
        #expect(imap.banner == "Dovecot ready.")
        #expect(imap.location.line == 1)             // the protocols setting that enabled it
        let imaps = try #require(Self.listener(s, "imaps"))
        #expect(imaps.port == 993 && imaps.tls == .implicit && imaps.tlsRequired == true)
        #expect(Self.listener(s, "pop3s")?.port == 995)
    }

    @Test func sslNoClosesImplicitListeners() throws {
        let s = Self.parse("protocols = imap\nssl = no\n")
        #expect(s.endpoints.map(\.account) == ["imap"])        // Dovecot does not open 993 at all
        #expect(Self.listener(s, "imap")?.tls == TLSMode.none)
    }

    @Test func sslRequiredAndCleartextSettings() throws {
        let required = try #require(Self.listener(Self.parse("protocols = imap\nssl = required\ndisable_plaintext_auth = no\n"), "imap"))
        #expect(required.tlsRequired == true && required.allowsPlaintextAuth == false)
        #expect(required.spans[.tlsRequired]?.line == 2)

        let open = try #require(Self.listener(Self.parse("protocols = imap\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n"), "imap"))
        #expect(open.tlsRequired == false && open.allowsPlaintextAuth == true)
        #expect(open.spans[.auth]?.line == 3)
        #expect(open.related[.auth]?.contains { $0.line == 2 } == true)

        let v24 = Self.parse("dovecot_config_version = 2.4.0\nprotocols = imap\nauth_allow_cleartext = yes\n")
        #expect(v24.problems.isEmpty)
        #expect(Self.listener(v24, "imap")?.allowsPlaintextAuth == true)
        let mixed = Self.parse("dovecot_config_version = 2.4.0\nprotocols = imap\ndisable_plaintext_auth = no\n")
        #expect(mixed.problems.contains { $0.message.contains("auth_allow_cleartext") && $0.span?.line == 3 })
    }

    @Test func listenersPortsAndSSL() throws {
        let s = Self.parse("""
        protocols = imap
        service imap-login {
          inet_listener imap {
            port = 0
          }
          inet_listener imaps {
            port = 993
            ssl = yes
            address = 192.0.2.1
          }
          inet_listener proxy {
            port = 10143
          }
          inet_listener unused {
          }
        }
        """)
        #expect(s.problems.isEmpty)
        #expect(s.endpoints.map(\.account) == ["imaps", "proxy"])   // port 0 and no port: off
        let imaps = try #require(Self.listener(s, "imaps"))
        #expect(imaps.host == "192.0.2.1")
        #expect(imaps.spans[.port]?.line == 7 && imaps.spans[.port]?.column == 12)
        #expect(imaps.spans[.tls]?.line == 8)
        #expect(imaps.location.line == 6)
        #expect(Self.listener(s, "proxy")?.tls == .starttls)
    }

    @Test func protocolAndRemoteFilters() throws {
        let s = Self.parse("""
        protocols = imap sieve
        disable_plaintext_auth = yes
        remote 127.0.0.1 {
          disable_plaintext_auth = no
        }
        protocol sieve {
          ssl = no
        }
        """)
        let imap = try #require(Self.listener(s, "imap"))
        #expect(imap.tls == .starttls && imap.allowsPlaintextAuth == false)   // the remote block is not the global value
        let sieve = try #require(Self.listener(s, "sieve"))
        #expect(sieve.protocol == .managesieve && sieve.port == 4190)
        #expect(sieve.tls == TLSMode.none)
        #expect(sieve.spans[.tls]?.line == 7)
    }

    @Test func includesGlobsProvenanceAndSpans() throws {
        let (s, dir) = Self.setup([
            "dovecot.conf": "protocols = imap\nssl_min_protocol = TLSv1.2\n!include conf.d/*.conf\n!include_try local.conf\n",
            "conf.d/10-ssl.conf": "ssl_min_protocol = TLSv1\n",
            "conf.d/20-imap.conf": "protocol imap {\n  login_greeting = Ready.\n}\n",
        ])
        #expect(s.problems.isEmpty)
        #expect(s.includedFiles == ["conf.d/10-ssl.conf", "conf.d/20-imap.conf"].map { dir.appendingPathComponent($0).path })
        let imap = try #require(Self.listener(s, "imap"))
        #expect(imap.minTLSVersion == .tls10)
        let span = try #require(imap.spans[.minTLSVersion])
        #expect(span.path.hasSuffix("conf.d/10-ssl.conf") && span.line == 1 && span.column == 20)
        #expect(imap.related[.minTLSVersion]?.contains { $0.path.hasSuffix("dovecot.conf") && $0.line == 2 } == true)
        #expect(imap.banner == "Ready.")
    }

    @Test func includeLoopAndMissingIncludes() throws {
        let (s, _) = Self.setup([
            "dovecot.conf": "!include a.conf\n!include missing.conf\n!include_try optional.conf\nprotocols = imap\n",
            "a.conf": "!include dovecot.conf\nssl = required\n",
        ])
        #expect(s.problems.contains { $0.message.contains("include loop") && $0.path.hasSuffix("a.conf") })
        // A missing include is not a parse error but an include not followed (MA003), at its line.
        #expect(!s.problems.contains { $0.message.contains("missing.conf") })
        #expect(s.unfollowedIncludes.map(\.path) == ["missing.conf"] && s.unfollowedIncludes.first?.reason == .missing && s.unfollowedIncludes.first?.span.line == 2)
        #expect(!s.problems.contains { $0.message.contains("optional.conf") })
        #expect(Self.listener(s, "imap")?.tlsRequired == true)     // everything else still read
    }

    @Test func invalidIncludedFileIsAProblemNotALoss() throws {
        let dir = TestSupport.temporaryDirectory()
        try "protocols = imap\n!include bad.conf\nssl = required\n".write(to: dir.appendingPathComponent("dovecot.conf"), atomically: true, encoding: .utf8)
        try Data([0x73, 0x73, 0x6c, 0xc3, 0x28, 0x0a]).write(to: dir.appendingPathComponent("bad.conf"))
        let s = DovecotFormat().parse(try SourceFile.load(path: dir.appendingPathComponent("dovecot.conf").path), context: ParseContext(ports: TestSupport.ruleSet.ports))
        #expect(s.problems.contains { $0.message.contains("UTF-8") })
        #expect(Self.listener(s, "imap")?.tlsRequired == true)
    }

    @Test func unbalancedBraces() throws {
        let s = Self.parse("protocols = imap\n}\nservice imap-login {\n  inet_listener imaps {\n    port = 993\n")
        #expect(s.problems.contains { $0.message.contains("unexpected '}'") && $0.span?.line == 2 })
        #expect(s.problems.contains { $0.message.contains("missing '}'") && $0.span?.line == 3 })
        #expect(Self.listener(s, "imaps")?.spans[.port]?.line == 5)
    }

    @Test func commentsQuotesAndContinuations() throws {
        let s = Self.parse("protocols = imap # trailing\nlogin_greeting = \"Hi # there\" # c\nauth_mechanisms = plain \\\n  login\nbroken line\n")
        #expect(s.problems.count == 1 && s.problems[0].span?.line == 5)
        let imap = try #require(Self.listener(s, "imap"))
        #expect(imap.banner == "Hi # there")
        #expect(imap.auth == ["plain", "login"])
    }

    @Test func dovecot24BooleanProtocolList() throws {
        let s = Self.parse("dovecot_config_version = 2.4.0\nprotocols {\n  imap = yes\n  lmtp = yes\n}\n")
        #expect(s.endpoints.map(\.account) == ["imap", "imaps"])
        #expect(Self.listener(s, "imap")?.tlsRequired == true)   // auth_allow_cleartext = no by default
    }

    @Test func templatesDoNotCrashOrGuess() throws {
        let s = Self.parse("""
        protocols = imap pop3
        {% if SSL %}
        ssl = required
        {% endif %}
        login_greeting = {{ GREETING }}
        service imap-login {
          inet_listener imap {
            port = {{ IMAP_PORT }}
          }
        }
        """)
        #expect(s.problems.isEmpty)
        let imap = try #require(Self.listener(s, "imap"))
        #expect(imap.port == nil && imap.banner == nil && imap.tls == nil)
    }

    @Test func fragmentsOnlyModelWhatTheyWrite() {
        let fragment = TestSupport.parse("ssl_min_protocol = TLSv1.2\n", format: "dovecot", path: "conf.d/10-ssl.conf")
        #expect(fragment.endpoints.isEmpty && fragment.problems.isEmpty)
        let master = TestSupport.parse("service pop3-login {\n  inet_listener pop3 {\n  }\n}\n", format: "dovecot", path: "conf.d/10-master.conf")
        #expect(master.endpoints.map(\.account) == ["pop3"])
    }

    @Test func discoverySkipsIncludedConfD() throws {
        let dir = TestSupport.temporaryDirectory().appendingPathComponent("dovecot")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("conf.d"), withIntermediateDirectories: true)
        try "!include conf.d/*.conf\n".write(to: dir.appendingPathComponent("dovecot.conf"), atomically: true, encoding: .utf8)
        try "ssl = required\n".write(to: dir.appendingPathComponent("conf.d/10-ssl.conf"), atomically: true, encoding: .utf8)
        let discovery = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path)
        #expect(discovery.inputs(for: [dir.path]).inputs.map(\.displayPath) == ["dovecot.conf"])
        let explicit = discovery.inputs(for: [dir.appendingPathComponent("conf.d/10-ssl.conf").path]).inputs
        #expect(explicit.first?.format?.id == "dovecot")
    }

    /// Driver argument files are not dovecot.conf syntax; the check is written out by hand, so its cases are pinned here.
    @Test(arguments: [
        ("dovecot-sql.conf.ext", false), ("dovecot-ldap.conf", false), ("dovecot-oauth2.conf.ext", false), ("dovecot-dict.conf", false),
        ("dovecot-dict-sql.conf.ext", false), ("dovecot-dict-my_quota2.conf", false),
        ("dovecot.conf", true), ("dovecot-dict-.conf", true), ("dovecot-dict-Ä.conf", true), ("dovecot-sql.conf.ext.bak", false),
        ("dovecot-sqlite.conf", true), ("dovecot-sql.ext", false),
    ])
    func driverFilesAreNotDovecotConf(_ name: String, _ isDovecot: Bool) throws {
        let format = try #require(FormatRegistry.builtIn.format(id: "dovecot"))
        #expect(format.matches(fileName: name, path: "/etc/dovecot/\(name)") == isDovecot, "\(name)")
    }
}
