import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// Postfix main.cf + master.cf: syntax, defaults, `-o` overrides, provenance, spans and bad input.
@Suite struct PostfixTests {
    /// Writes the files into a fresh folder and parses `entry` (with the real file reader, so the sibling is read).
    static func setup(_ files: [String: String], entry: String = "main.cf") -> (MailSetup, URL) {
        let dir = TestSupport.temporaryDirectory()
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? text.write(to: url, atomically: true, encoding: .utf8)
        }
        let path = dir.appendingPathComponent(entry).path
        let file = try! SourceFile.load(path: path)
        return (PostfixFormat().parse(file, context: ParseContext(ports: TestSupport.ruleSet.ports)), dir)
    }

    static func server(_ s: MailSetup, _ account: String) -> Endpoint? {
        s.endpoints.first { $0.role == .server && $0.account == account }
    }

    static func client(_ s: MailSetup) -> Endpoint? { s.endpoints.first { $0.role == .client } }

    @Test func mainAloneGetsStockServicesAndDefaults() throws {
        let s = TestSupport.parse("myhostname = mx.example.com\n", format: "postfix", path: "main.cf")
        #expect(s.problems.isEmpty)
        let smtp = try #require(Self.server(s, "smtp"))
        #expect(smtp.port == 25)
        #expect(smtp.direction == .relay)
        #expect(smtp.tls == TLSMode.none)                      // empty security level, legacy booleans off
        #expect(smtp.banner == "$myhostname ESMTP $mail_name") // names the software
        #expect(smtp.allowsVRFY == true)                       // disable_vrfy_command = no
        #expect(smtp.auth == [])
        #expect(smtp.spans[.tls] == nil)                       // a default points at the block
        #expect(smtp.location.line == 1 && smtp.location.column == 1)
        let client = try #require(Self.client(s))
        #expect(client.port == 25 && client.portIsDefault)
        #expect(client.host == nil)
        #expect(client.tls == TLSMode.none)
        #expect(client.selectiveTLS == false)
    }

    @Test func continuationLinesCommentsAndValueSpans() throws {
        let text = """
        # comment
        smtpd_banner = mail.example.com
          # an indented comment inside the value

          ESMTP $mail_name
        smtpd_tls_security_level = may
        """
        let s = TestSupport.parse(text, format: "postfix", path: "main.cf")
        #expect(s.problems.isEmpty)
        let smtp = try #require(Self.server(s, "smtp"))
        #expect(smtp.banner == "mail.example.com ESMTP $mail_name")
        let banner = try #require(smtp.spans[.banner])
        #expect((banner.line, banner.column, banner.endLine) == (2, 16, 5))
        let tls = try #require(smtp.spans[.tls])
        #expect((tls.line, tls.column, tls.endColumn) == (6, 28, 31))
        #expect(smtp.tls == .starttls && smtp.tlsRequired == false)
    }

    @Test func masterOverrideWinsWithMainAsRelated() throws {
        let (s, dir) = Self.setup([
            "main.cf": "smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n",
            "master.cf": """
            smtp       inet  n       -       y       -       -       smtpd
            submission inet  n       -       y       -       -       smtpd
              -o smtpd_tls_security_level=encrypt
              -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }
            """,
        ])
        #expect(s.problems.isEmpty)
        #expect(s.includedFiles == [dir.appendingPathComponent("master.cf").path])
        let sub = try #require(Self.server(s, "submission"))
        #expect(sub.port == 587 && sub.direction == .outgoing)
        #expect(sub.tls == .starttls && sub.tlsRequired == true)
        let tlsSpan = try #require(sub.spans[.tls])
        #expect(tlsSpan.path.hasSuffix("master.cf") && tlsSpan.line == 3 && tlsSpan.column == 31)
        let related = try #require(sub.related[.tls])
        #expect(related.contains { $0.path.hasSuffix("main.cf") && $0.line == 1 })
        #expect(sub.authRequired == true)
        #expect(sub.spans[.authRequired]?.line == 4)
        #expect(sub.allowsPlaintextAuth == false)
        // port 25 keeps main.cf's opportunistic TLS and offers AUTH before STARTTLS
        let smtp = try #require(Self.server(s, "smtp"))
        #expect(smtp.tls == .starttls && smtp.tlsRequired == false)
        #expect(smtp.allowsPlaintextAuth == true)
        #expect(smtp.location.path.hasSuffix("master.cf") && smtp.location.line == 1)
    }

    @Test func masterAloneReadsMainBesideIt() throws {
        let (s, _) = Self.setup([
            "main.cf": "smtpd_tls_security_level = encrypt\n",
            "master.cf": "smtp inet n - y - - smtpd\n",
        ], entry: "master.cf")
        #expect(Self.server(s, "smtp")?.tlsRequired == true)
        #expect(s.includedFiles.count == 1)
    }

    @Test func aListenerWhoseAddressIsAnUnrenderedPlaceholderIsNotGuessed() throws {
        // iRedMail's master.cf: `PH_LOCAL_ADDRESS:PH_POSTFIX_MAIL_REINJECT_PORT` becomes 127.0.0.1:10025 when
        // installed; unrendered, where it listens (and so MA102) is unknown. A placeholder host with a real
        // port still listens there.
        let (s, dir) = Self.setup([
            "main.cf": "myhostname = PH_HOSTNAME\n",
            "master.cf": """
            smtp inet n - n - - smtpd
            PH_LOCAL_ADDRESS:PH_POSTFIX_MAIL_REINJECT_PORT inet n - n - - smtpd
              -o smtpd_tls_security_level=none
            PH_BIND_ADDRESS:2525 inet n - n - - smtpd
              -o smtpd_tls_security_level=none

            """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(s.problems.isEmpty, "\(s.problems)")
        #expect(s.endpoints.filter { $0.role == .server }.map(\.port) == [25, 2525])
        let result = TestSupport.lint(try String(contentsOf: dir.appendingPathComponent("master.cf"), encoding: .utf8), format: "postfix", path: dir.appendingPathComponent("master.cf").path)
        let unencrypted = result.findings.filter { $0.ruleId == "MA102" }.map(\.span.line)
        #expect(unencrypted.contains(5) && !unencrypted.contains(3), "\(unencrypted)")  // at the `-o` that switches TLS off
    }

    @Test func aListenerWithoutSaslOffAnySubmissionPortIsRelay() throws {
        // master.cf(5): a second smtpd (postscreen behind a proxy on 10025, a content filter's return port)
        // that offers no AUTH (smtpd_sasl_auth_enable = no, the default) takes mail like port 25 does.
        let (s, dir) = Self.setup([
            "main.cf": "smtpd_tls_security_level = may\n",
            "master.cf": """
            10025 inet n - n - 1 postscreen
            smtpd pass - - n - - smtpd
            2525 inet n - n - - smtpd
            10587 inet n - n - - smtpd
              -o smtpd_sasl_auth_enable=yes

            """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(Self.server(s, "10025")?.direction == .relay)
        #expect(Self.server(s, "2525")?.direction == .outgoing)   // a submission port: unauthenticated submission (MA302)
        #expect(Self.server(s, "10587")?.direction == .outgoing)  // offers AUTH: submission
    }

    @Test func port465WithAndWithoutWrapperMode() throws {
        let master = """
        smtps       inet n - y - - smtpd
        submissions inet n - y - - smtpd
          -o smtpd_tls_wrappermode=yes
        2525        inet n - y - - smtpd
        127.0.0.1:10025 inet n - n - - smtpd
        """
        let s = TestSupport.parse(master, format: "postfix", path: "master.cf")
        #expect(s.problems.isEmpty)
        let plain = try #require(Self.server(s, "smtps"))
        #expect(plain.port == 465 && plain.tls == TLSMode.none)    // plaintext on the implicit-TLS port
        let wrapped = try #require(Self.server(s, "submissions"))
        #expect(wrapped.port == 465 && wrapped.tls == .implicit && wrapped.tlsRequired == true)
        #expect(wrapped.spans[.tls]?.line == 3)
        #expect(Self.server(s, "2525")?.direction == .outgoing)
        let local = try #require(Self.server(s, "127.0.0.1:10025"))
        #expect(local.host == "127.0.0.1" && local.port == 10025 && local.direction == .relay)
        let findings = TestSupport.lint(master, format: "postfix", path: "master.cf").findings
        #expect(findings.contains { $0.ruleId == "MA101" && $0.span.line == 1 })
    }

    @Test func expansionLegacyBooleansAndProtocols() throws {
        let (s, _) = Self.setup([
            "main.cf": """
            smtpd_use_tls = yes
            sub_level = encrypt
            sub_protocols = >=TLSv1.2
            smtpd_tls_protocols = !SSLv2, !SSLv3
            """,
            "master.cf": """
            smtp inet n - y - - smtpd
            submission inet n - y - - smtpd
              -o smtpd_tls_security_level=$sub_level
              -o smtpd_tls_mandatory_protocols=${sub_protocols}
            """,
        ])
        let smtp = try #require(Self.server(s, "smtp"))
        #expect(smtp.tls == .starttls && smtp.tlsRequired == false)   // smtpd_use_tls = yes ⇒ may
        #expect(smtp.spans[.tls]?.line == 1)
        #expect(smtp.minTLSVersion == .tls10)
        let sub = try #require(Self.server(s, "submission"))
        #expect(sub.tlsRequired == true)
        #expect(sub.minTLSVersion == .tls12)
    }

    @Test func authOnlyMakesSubmissionTLSRequired() throws {
        let master = """
        submission inet n - y - - smtpd
          -o smtpd_tls_security_level=may
          -o smtpd_sasl_auth_enable=yes
          -o smtpd_tls_auth_only=yes
          -o smtpd_recipient_restrictions=permit_mynetworks,permit_sasl_authenticated,reject
        """
        let sub = try #require(Self.server(TestSupport.parse(master, format: "postfix", path: "master.cf"), "submission"))
        #expect(sub.tls == .starttls)
        #expect(sub.tlsRequired == true)          // Nothing useful happens before TLS
        #expect(sub.allowsPlaintextAuth == false)
        #expect(sub.authRequired == true)
    }

    @Test func clientRelayhostSaslAndSelectiveTLS() throws {
        let s = TestSupport.parse("""
        relayhost = [smtp.example.com]:submission
        smtp_tls_security_level = encrypt
        smtp_sasl_auth_enable = yes
        smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd
        smtp_tls_mandatory_protocols = >=TLSv1.2
        """, format: "postfix", path: "main.cf")
        let c = try #require(Self.client(s))
        #expect(c.host == "smtp.example.com" && c.port == 587 && !c.portIsDefault)
        #expect(c.direction == .outgoing)
        #expect(c.tls == .starttls && c.tlsRequired == true && c.verifyCertificate == false)
        #expect(c.credential == .file && c.spans[.credential]?.line == 4)
        #expect(c.minTLSVersion == .tls12)

        let selective = TestSupport.parse("smtp_tls_security_level = none\nsmtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n", format: "postfix", path: "main.cf")
        let sc = try #require(Self.client(selective))
        #expect(sc.selectiveTLS == true)
        #expect(sc.spans[.selectiveTLS]?.line == 2)
        #expect(TestSupport.lint("smtp_tls_security_level = none\nsmtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n", format: "postfix", path: "main.cf")
            .findings.contains { $0.ruleId == "MA401" })
    }

    @Test func brokenLinesAreReportedAndTheRestIsRead() throws {
        let s = TestSupport.parse("""
          leading = whitespace
        smtpd_banner $myhostname ESMTP
        smtpd_tls_security_level = may # comment
        disable_vrfy_command = yes
        """, format: "postfix", path: "main.cf")
        #expect(s.problems.count == 3)
        #expect(s.problems.contains { $0.span?.line == 1 && $0.message.contains("continuation") })
        #expect(s.problems.contains { $0.span?.line == 2 && $0.message.contains("missing '='") })
        #expect(s.problems.contains { $0.span?.line == 3 && $0.message.contains("no trailing comments") })
        #expect(Self.server(s, "smtp")?.allowsVRFY == false)     // read past the broken lines
    }

    @Test func unbalancedBraceInMasterCf() throws {
        let s = TestSupport.parse("""
        submission inet n - y - - smtpd
          -o { smtpd_banner = unterminated
        smtp inet n - y - - smtpd
        """, format: "postfix", path: "master.cf")
        #expect(s.problems.contains { $0.message.contains("unbalanced") && $0.span?.line == 2 })
        #expect(Self.server(s, "smtp") != nil)
    }

    @Test func invalidSiblingIsAProblemNotALoss() throws {
        let dir = TestSupport.temporaryDirectory()
        try "disable_vrfy_command = yes\n".write(to: dir.appendingPathComponent("main.cf"), atomically: true, encoding: .utf8)
        try Data([0x73, 0x6d, 0x74, 0x70, 0x20, 0xff, 0xfe, 0x0a]).write(to: dir.appendingPathComponent("master.cf"))
        let file = try SourceFile.load(path: dir.appendingPathComponent("main.cf").path)
        let s = PostfixFormat().parse(file, context: ParseContext(ports: TestSupport.ruleSet.ports))
        #expect(s.problems.contains { $0.message.contains("UTF-8") && $0.path.hasSuffix("master.cf") })
        #expect(Self.server(s, "smtp")?.allowsVRFY == false)
    }

    @Test func hugeMainCfIsRefused() throws {
        let dir = TestSupport.temporaryDirectory()
        let url = dir.appendingPathComponent("main.cf")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 50 * 1024 * 1024)        // sparse: 50 MB without writing them
        try handle.close()
        let result = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet)).lint([LintInput(path: url.path, displayPath: "main.cf", format: PostfixFormat())])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.message.contains("MB") == true)
    }

    @Test func masterCfIsNotLostWithAnUnreadableMainCf() throws {
        let dir = TestSupport.temporaryDirectory()
        try Data([0x61, 0x20, 0x3d, 0x20, 0xff, 0x0a]).write(to: dir.appendingPathComponent("main.cf"))
        try "submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n".write(to: dir.appendingPathComponent("master.cf"), atomically: true, encoding: .utf8)
        // Display paths are relative to the working directory, as on the command line (parsers read siblings by them).
        let inputs = FileDiscovery(registry: .builtIn, forcedFormat: nil).inputs(for: [dir.path]).inputs
        #expect(inputs.map { ($0.displayPath as NSString).lastPathComponent } == ["main.cf", "master.cf"])
        let result = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet)).lint(inputs)
        #expect(result.problems.contains { $0.path.hasSuffix("/main.cf") && $0.message.contains("UTF-8") })
        #expect(result.problems.contains { $0.path.hasSuffix("/master.cf") && $0.message.contains("cannot be read") })
        #expect(result.files.first { $0.path.hasSuffix("/master.cf") }?.endpoints == 1)
    }

    @Test func templatesGiveUnknownsNotGuesses() throws {
        let s = TestSupport.parse("""
        relayhost = {{ RELAYHOST }}
        smtp_tls_security_level = {{ OUTBOUND_TLS_LEVEL|default('dane') }}
        {% if RELAYUSER %}
        smtp_sasl_auth_enable = yes
        {% endif %}
        %{dovecot_enabled}smtpd_sasl_auth_enable = yes
        myhostname = PH_HOSTNAME
        {# a comment #}
        """, format: "postfix", path: "main.cf")
        #expect(s.problems.isEmpty)
        let c = try #require(Self.client(s))
        #expect(c.host == nil && c.port == nil && c.tls == nil && c.auth == nil)
        #expect(Self.server(s, "smtp")?.auth == nil)
    }

    @Test func discoveryTreatsTheDirectoryAsOneSetup() throws {
        let dir = TestSupport.temporaryDirectory()
        try "smtpd_tls_security_level = may\n".write(to: dir.appendingPathComponent("main.cf"), atomically: true, encoding: .utf8)
        try "smtp inet n - y - - smtpd\n".write(to: dir.appendingPathComponent("master.cf"), atomically: true, encoding: .utf8)
        let alone = dir.appendingPathComponent("alone")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
        try "smtp inet n - y - - smtpd\n".write(to: alone.appendingPathComponent("master.cf"), atomically: true, encoding: .utf8)
        let inputs = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path).inputs(for: [dir.path]).inputs
        #expect(inputs.map(\.displayPath).sorted() == ["alone/master.cf", "main.cf"])
        #expect(inputs.allSatisfy { $0.format?.id == "postfix" })
    }

    @Test func selfReferenceAndDoublingChainsGiveUnknowns() throws {
        var text = "smtpd_tls_security_level = $a0\n"
        for i in 0..<30 { text += "a\(i) = $a\(i + 1) $a\(i + 1)\n" }
        text += "smtpd_banner = $smtpd_banner x\n"
        let s = TestSupport.parse(text, format: "postfix", path: "main.cf")
        let smtp = try #require(Self.server(s, "smtp"))
        #expect(smtp.tls == nil)
    }

    @Test func fragmentsAreReadByContentNotWalked() throws {
        let dir = TestSupport.temporaryDirectory()
        try "content_filter = smtp-amavis:[127.0.0.1]:10024\n".write(to: dir.appendingPathComponent("main.cf.amavisd"), atomically: true, encoding: .utf8)
        let discovery = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path)
        #expect(discovery.inputs(for: [dir.path]).inputs.isEmpty)
        #expect(discovery.inputs(for: [dir.appendingPathComponent("main.cf.amavisd").path]).inputs.first?.format?.id == "postfix")
    }

    @Test func contentSniffing() {
        let postfix = PostfixFormat()
        #expect(postfix.matches(content: SourceFile(path: "x.cf", text: "127.0.0.1:10025 inet n - n - - smtpd\n  -o content_filter=\n")))
        #expect(postfix.matches(content: SourceFile(path: "x", text: "content_filter = smtp-amavis:[127.0.0.1]:10024\n")))
        #expect(!postfix.matches(content: SourceFile(path: "x", text: "[section]\nsmtp_host = a\n")))
        #expect(!postfix.matches(content: SourceFile(path: "x", text: "protocols = imap\nservice imap-login {\n}\n")))
    }
}
