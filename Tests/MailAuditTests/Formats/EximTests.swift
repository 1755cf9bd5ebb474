import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct EximTests {
    func parse(_ text: String, path: String = "exim4.conf") -> MailSetup { TestSupport.parse(text, format: "exim", path: path) }
    func servers(_ s: MailSetup) -> [Endpoint] { s.endpoints.filter { $0.role == .server } }

    @Test func detection() {
        let f = EximFormat()
        #expect(f.matches(fileName: "exim4.conf", path: "/etc/exim4/exim4.conf"))
        #expect(f.matches(fileName: "configure", path: "/usr/exim/configure"))
        #expect(!f.matches(fileName: "configure", path: "project/configure"))
        #expect(f.matches(content: SourceFile(path: "C043", text: "domainlist local_domains = @\nbegin routers\ndnslookup:\n  driver = dnslookup\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "smtpd_banner = $myhostname\n")))
    }

    @Test func defaultsAreExim496s() {
        let s = parse("# empty\nprimary_hostname = mx.example.net\n")
        #expect(s.problems.isEmpty)
        let e = servers(s)
        #expect(e.count == 1)
        #expect(e[0].port == 25 && e[0].portIsDefault && e[0].direction == .relay)
        #expect(e[0].tls == .starttls && e[0].tlsRequired == false)  // tls_advertise_hosts = *
        #expect(e[0].banner == "$smtp_active_hostname ESMTP Exim $version_number $tod_full")
        #expect(e[0].spans[.banner] == nil)
        #expect(e[0].location.line == 2)  // defaults point at the main section's first line
        #expect(e[0].auth == [] && e[0].allowsPlaintextAuth == false && e[0].allowsVRFY == false)
    }

    @Test func portsImplicitTLSAndPositions() {
        let marked = MarkedText("daemon_smtp_ports = 25 : «submissions» : 587\ntls_on_connect_ports = «465»\nsmtp_banner = ↓\"$smtp_active_hostname ESMTP\"\n")
        let s = parse(marked.text)
        let e = servers(s)
        #expect(e.map(\.port) == [25, 465, 587])
        let implicit = e[1]
        #expect(implicit.tls == .implicit && implicit.tlsRequired == true && implicit.direction == .outgoing)
        #expect([implicit.spans[.port], implicit.spans[.tls]] == marked.spans(path: "exim4.conf"))
        #expect(e[2].tls == .starttls && e[2].tlsRequired == false)
        #expect(e[0].banner == "$smtp_active_hostname ESMTP")
        #expect(e[0].spans[.banner].map { MarkedText.Position(line: $0.line, column: $0.column) } == marked.positions.first)
    }

    @Test func noSTARTTLSWhenAdvertiseHostsIsEmpty() {
        let e = servers(parse("tls_advertise_hosts =\n"))
        #expect(e[0].tls == TLSMode.none)
        #expect(e[0].spans[.tls]?.column == 1)
    }

    @Test func plaintextAuthenticatorsBeforeTLS() {
        let marked = MarkedText("""
        daemon_smtp_ports = 587
        begin authenticators
        plain:
          driver = plaintext
          public_name = «PLAIN»
          server_condition = yes
        login:
          driver = plaintext
          public_name = LOGIN
          server_condition = yes
          server_advertise_condition = ${if eq{$tls_in_cipher}{}{}{*}}
        """)
        let text = marked.text
        let e = servers(parse(text))[0]
        #expect(e.auth == ["plain", "login"])
        #expect(e.allowsPlaintextAuth == true)
        #expect(e.spans[.auth] == marked.span(0, path: "exim4.conf"))
        let guarded = servers(parse(text.replacingOccurrences(of: "  public_name = PLAIN\n", with: "  public_name = PLAIN\n  server_advertise_condition = ${if def:tls_in_cipher}\n")))[0]
        #expect(guarded.allowsPlaintextAuth == false)
        let tlsOnly = servers(parse("auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}\n" + text))[0]
        #expect(tlsOnly.allowsPlaintextAuth == false)
        let nobody = servers(parse("auth_advertise_hosts =\n" + text))[0]
        #expect(nobody.auth == [] && nobody.allowsPlaintextAuth == false)
    }

    @Test func macrosConditionalsAndContinuations() {
        let marked = MarkedText("""
        TLS_PORTS = 465
        .ifdef TLS_PORTS
        tls_on_connect_ports = TLS_PORTS
        .else
        tls_on_connect_ports = 10465
        .endif
        .ifdef _HAVE_OPENSSL
        openssl_options = +no_tlsv1
        .endif
        daemon_smtp_ports = 25 : \\
        # a comment inside a continued line is skipped
            «TLS_PORTS»
        """)
        let s = parse(marked.text)
        #expect(s.problems.isEmpty)
        let e = servers(s)
        #expect(e.map(\.port) == [25, 465])
        #expect(e[1].tls == .implicit)
        // The port came from the macro in the continued line: the span covers the macro's name there.
        #expect(e[1].spans[.port] == marked.span(0, path: "exim4.conf"))
        #expect(e[1].minTLSVersion == nil)  // openssl_options skipped: Debian's build is GnuTLS
    }

    @Test func minimumTLSVersionFromPriorityString() {
        let e = servers(parse("tls_require_ciphers = NORMAL:-VERS-SSL3.0:-VERS-TLS1.0\n"))[0]
        #expect(e.minTLSVersion == .tls11)
        #expect(servers(parse("openssl_options = +no_sslv3 +no_tlsv1 +no_tlsv1_1\n"))[0].minTLSVersion == .tls12)
    }

    @Test func localInterfacesWithPorts() {
        let e = servers(parse("local_interfaces = <; 127.0.0.1.25 ; [::1]:587 ; 0.0.0.0\ndaemon_smtp_ports = 2525\n"))
        #expect(e.map(\.port) == [25, 587, 2525])
        #expect(e.map(\.host) == ["127.0.0.1", "::1", nil])
    }

    @Test func transports() {
        let marked = MarkedText("""
        begin transports
        remote_smtp:
          driver = smtp
        smarthost:
          driver = smtp
          hosts = smtp.example.net
          port = 587
          hosts_require_tls = *
          hosts_require_auth = *
        begin authenticators
        login:
          driver = plaintext
          public_name = LOGIN
          client_send = «: user : notsecret»
        """)
        let s = parse(marked.text)
        let clients = s.endpoints.filter { $0.role == .client }
        #expect(clients.map(\.account) == ["remote_smtp", "smarthost"])
        #expect(clients[0].tls == .starttls && clients[0].tlsRequired == false && clients[0].port == 25 && clients[0].verifyCertificate == nil)
        #expect(clients[1].host == "smtp.example.net" && clients[1].port == 587 && clients[1].tlsRequired == true)
        #expect(clients[1].verifyCertificate == false)
        #expect(clients[1].credential == .inline && clients[1].auth == ["login"])
        #expect(s.secrets == marked.spans(path: "exim4.conf"))
    }

    @Test func errorsKeepTheRestOfTheFile() {
        let text = """
        From: someone@example.com
        smtp_banner = "unterminated
        daemon_smtp_ports = 25 : 587
        daemon_smtp_ports = 2525
        .endif
        """
        let s = parse(text)
        #expect(s.problems.map { $0.span?.line } == [1, 2, 4, 5])
        #expect(s.problems[0].message.contains("malformed macro definition"))
        #expect(s.problems[1].message.contains("missing quote"))
        #expect(s.problems[2].message.contains("set for the second time"))
        #expect(servers(s).map(\.port) == [25, 587])
        let open = parse(".ifdef X\ndaemon_smtp_ports = 25\n")
        #expect(open.problems.first?.message.contains(".endif missing") == true)
    }

    @Test func includesLoopsMissingAndBadFiles() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("exim4.conf"), b = dir.appendingPathComponent("tls.conf")
        let bad = dir.appendingPathComponent("bad.conf"), big = dir.appendingPathComponent("big.conf")
        try ".include \(b.path)\ndaemon_smtp_ports = 25 : 465\n.include \(dir.path)/missing.conf\n.include_if_exists \(dir.path)/optional.conf\n.include \(bad.path)\n.include \(big.path)\n.include relative.conf\n".write(to: a, atomically: true, encoding: .utf8)
        try "tls_on_connect_ports = 465\n.include \(a.path)\n".write(to: b, atomically: true, encoding: .utf8)
        try Data([0x74, 0x6C, 0xFF, 0x0A]).write(to: bad)
        try Data(repeating: 0x23, count: SourceFile.sizeLimit + 10).write(to: big)
        let file = try SourceFile.load(path: a.path)
        let s = EximFormat().parse(file, context: ParseContext(ports: TestSupport.ruleSet.ports))
        let messages = s.problems.map(\.message)
        #expect(messages.count == 4)
        #expect(messages.contains { $0.contains("include loop") })
        // Missing: not followed (MA003), not a parse error; `.include_if_exists` of a missing file is silent, as in Exim.
        #expect(s.unfollowedIncludes.map(\.path) == ["\(dir.path)/missing.conf"] && s.unfollowedIncludes.first?.reason == .missing)
        #expect(messages.contains { $0.contains("bad.conf") && $0.contains("UTF-8") })
        #expect(messages.contains { $0.contains("big.conf") && $0.contains("MB") })
        #expect(messages.contains { $0.contains("absolute path") })
        #expect(s.includedFiles == [b.path])
        let e = servers(s)
        #expect(e.map(\.port) == [25, 465])
        #expect(e[1].tls == .implicit && e[1].spans[.tls]?.path == b.path)
    }

    @Test(.needsCorpus)
    func corpusFilesAreReadWithoutSurprises() throws {
        let base = try #require(TestSupport.corpus).appendingPathComponent("exim")
        let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String }.filter { !$0.hasSuffix("/") } ?? []
        #expect(files.count >= 5, "the Exim corpus files")
        for name in files {
            let url = base.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else { continue }
            let s = EximFormat().parse(try SourceFile.load(path: url.path), context: ParseContext(ports: TestSupport.ruleSet.ports))
            #expect(!servers(s).isEmpty, "\(name)")
            // Only C051 is refused by Exim itself (line 1 is a mail header).
            #expect(s.problems.isEmpty == !name.hasSuffix("C051"), "\(name): \(s.problems.map(\.message))")
        }
    }
}
