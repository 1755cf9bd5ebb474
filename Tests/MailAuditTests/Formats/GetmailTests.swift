import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct GetmailTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "getmail", path: "getmailrc") }

    @Test func retrieverTypesDecideProtocolTLSAndPort() throws {
        let cases: [(String, MailProtocol, TLSMode, Int)] = [
            ("SimplePOP3Retriever", .pop3, .none, 110), ("SimplePOP3SSLRetriever", .pop3, .implicit, 995),
            ("SimpleIMAPRetriever", .imap, .none, 143), ("MultidropIMAPSSLRetriever", .imap, .implicit, 993),
            ("BrokenUIDLPOP3SSLRetriever", .pop3, .implicit, 995), ("MultidropSDPSRetriever", .pop3, .none, 110),
        ]
        for (type, proto, tls, port) in cases {
            let setup = parse("[retriever]\ntype = \(type)\nserver = mail.example.com\nusername = a\n")
            #expect(setup.problems.isEmpty, "\(type): \(setup.problems)")
            let e = try #require(setup.endpoints.first)
            #expect(e.protocol == proto && e.tls == tls && e.port == port && e.portIsDefault, "\(type)")
            #expect(e.tlsRequired == (tls == .implicit) && e.verifyCertificate == (tls == .implicit ? false : nil), "\(type)")
            #expect(e.span(of: .tls) == SourceSpan(path: "getmailrc", line: 2, column: 8, endLine: 2, endColumn: 8 + type.count))
            // No ca_certs: the default points at the [retriever] block.
            if tls == .implicit { #expect(e.span(of: .verifyCertificate) == e.location && e.location.line == 1) }
            #expect(e.credential == nil)
        }
    }

    @Test func certificatesVersionsAndCredentials() throws {
        let setup = parse("""
        [retriever]
        type = SimpleIMAPSSLRetriever
        server = 192.0.2.7
        port = 10993
        username = a
        ca_certs = /etc/ssl/certs/ca-certificates.crt
        ssl_version = tlsv1
        password = hunter2
        use_cram_md5 = True
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "192.0.2.7" && e.port == 10993 && !e.portIsDefault && e.span(of: .port).line == 4)
        #expect(e.verifyCertificate == true && e.span(of: .verifyCertificate).line == 6)
        #expect(e.minTLSVersion == .tls10 && e.span(of: .minTLSVersion).column == 15)
        #expect(e.credential == .inline && e.auth == ["cram-md5"] && e.span(of: .auth).line == 9)
        #expect(setup.secrets == [SourceSpan(path: "getmailrc", line: 8, column: 12, endLine: 8, endColumn: 19)])

        let pinned = parse("[retriever]\ntype = SimplePOP3SSLRetriever\nserver = h\nusername = a\nssl_fingerprints = (\"ab:cd\",)\npassword_command = (\"pass\", \"mail\")\nuse_apop = yes\n")
        let p = try #require(pinned.endpoints.first)
        #expect(p.verifyCertificate == true && p.span(of: .verifyCertificate).line == 5 && p.credential == .command && p.auth == ["apop"])

        let netrc = parse("[retriever]\ntype = SimplePOP3Retriever\nserver = h\nusername = a\n[options]\nuse_netrc = true\n")
        #expect(netrc.endpoints.first?.credential == .file && netrc.endpoints.first?.auth == ["password"])
        #expect(netrc.endpoints.first?.span(of: .auth).line == 6)
    }

    @Test func errorsArePreciseAndTheRestIsRead() throws {
        let setup = parse("""
        [retriever]
        type = SimpleIMAPSSLRetriver
        server = h
        [retriever]
        type = SimplePOP3Retriever
        port = abc
        ssl_version = tls1.2
        [destination]
        type = Maildir
        type = MDA_external
        """)
        let at = setup.problems.map { "\($0.span!.line):\($0.span!.column)" }
        #expect(at == ["4:1", "10:1", "2:8", "4:1", "6:8"], "\(setup.problems.map(\.message))")
        #expect(setup.problems[2].message.contains("did you mean 'SimpleIMAPSSLRetriever'"))
        #expect(setup.problems[3].message.contains("server"))
        // The second retriever is still modelled (plain POP3); the rejected port is unknown, not the default.
        #expect(setup.endpoints.count == 1 && setup.endpoints[0].protocol == .pop3 && setup.endpoints[0].port == nil)
    }

    @Test func detection() throws {
        let f = GetmailFormat()
        #expect(f.matches(fileName: "getmailrc", path: "/home/a/.config/getmail/getmailrc"))
        #expect(f.matches(fileName: "work", path: "/home/a/.getmail/work"))
        #expect(f.matches(fileName: "imap-example.cf", path: "config-examples/getmail/imap-example.cf"))
        #expect(!f.matches(fileName: "oldmail-pop.example.com-110-a", path: "/home/a/.getmail/oldmail-pop.example.com-110-a"))
        #expect(f.matches(content: SourceFile(path: "x", text: "# rc\n[retriever]\ntype = SimpleIMAPSSLRetriever\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "[general]\naccounts = a\n")))
    }

    @Test func badInput() throws { try BadInputCheck.run(fileName: "getmailrc") }
}
