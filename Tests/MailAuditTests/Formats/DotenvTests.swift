import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// The dotenv format: env-file syntax as the dotenv libraries read it, and the mail settings of
/// Laravel, Symfony, Django-style apps, docker-mailserver and Mailu mapped to the model.
@Suite struct DotenvTests {
    func parse(_ text: String, path: String = ".env") -> MailSetup {
        TestSupport.parse(text, format: "dotenv", path: path)
    }

    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    // MARK: syntax

    @Test func quotingExportCommentsAndReferences() throws {
        let setup = parse("""
        # comment line
          # indented comment
        export MAIL_MAILER=smtp
        APP_HOST=mail.example.com
        MAIL_HOST="${APP_HOST}"   # trailing comment
        MAIL_PORT = 587
        MAIL_USERNAME='literal ${APP_HOST} #kept'
        MAIL_PASSWORD="pa#ss \\"word\\""
        MAIL_ENCRYPTION=tls # comment after a blank
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "mail.example.com")
        #expect(at(e.spans[.host]) == "5:11")
        #expect(e.spans[.host]?.endColumn == 24)  // the quotes belong to the value
        #expect(e.related[.host]?.first.map(at) == "4:10")  // where ${APP_HOST} comes from
        #expect(e.port == 587 && at(e.spans[.port]) == "6:13")
        #expect(e.auth == ["password"] && e.credential == .inline)
        #expect(setup.secrets.map(at) == ["8:15"])
        #expect(e.tls == .starttls && e.tlsRequired == false && at(e.spans[.tlsRequired]) == "9:17")
        #expect(e.location.line == 3)
    }

    @Test func multiLineValuesEscapesAndUnknownReferences() throws {
        let env = parse("""
        A="first
        second"
        MAIL_MAILER=smtp
        MAIL_HOST=${SMTP_HOST}
        MAIL_PORT=${SMTP_PORT:-2525}
        EMPTY=
        BARE
        HASH=#not-a-value
        """)
        #expect(env.problems.isEmpty, "\(env.problems)")
        let e = try #require(env.endpoints.first)
        // SMTP_HOST is not defined in the file: the real environment decides, so the host is unknown.
        #expect(e.host == nil && at(e.spans[.host]) == "4:11")
        #expect(e.port == 2525)
    }

    @Test func brokenLinesAreReportedAndTheRestIsRead() throws {
        let setup = parse("""
        MAIL_MAILER=smtp
        this is not a setting
        =value
        MAIL_HOST="smtp.example.com" trailing
        MAIL_USERNAME='never closed
        MAIL_PORT=465
        """)
        let problems = setup.problems.map { "\(at($0.span)) \($0.message)" }
        #expect(problems.count == 4, "\(problems)")
        #expect(problems[0].hasPrefix("2:6 ") && problems[0].contains("expected `=` after 'this'"))
        #expect(problems[1].hasPrefix("3:1 ") && problems[1].contains("does not start with a variable name"))
        #expect(problems[2].hasPrefix("4:30 ") && problems[2].contains("after the closing quote"))
        #expect(problems[3].hasPrefix("5:15 ") && problems[3].contains("unterminated single quote"))
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && e.port == 465 && e.tls == .implicit)
    }

    @Test func binaryInvalidUTF8AndHugeInputsAreClearErrors() {
        #expect(throws: ParseProblem.self) { try SourceFile.decode(Data([0x41, 0x3D, 0x00, 0x0A]), path: ".env") }
        do {
            _ = try SourceFile.decode(Data("MAIL_HOST=a\nMAIL_PORT=\u{FF}".utf8.map { $0 } + [0xC3, 0x28]), path: ".env")
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.span?.line == 2, "\(error.message)")
            #expect(error.message.contains("UTF-8"))
        }
        do {
            _ = try SourceFile.decode(Data(count: SourceFile.sizeLimit + 1), path: ".env")
            Issue.record("a huge input was accepted")
        } catch {
            #expect(error.message.contains("MB"))
        }
        // A big but legal file is read in full (its time is ParserComplexityTests' and the benchmark's concern).
        var text = (0..<50_000).map { "VAR_\($0)=value \($0) # comment" }.joined(separator: "\n")
        text += "\nMAIL_MAILER=smtp\nMAIL_HOST=smtp.example.com\nMAIL_PORT=587\n"
        let setup = parse(text)
        #expect(setup.endpoints.first?.host == "smtp.example.com")
        // Many open quotes and unclosed `${`: Each quote closes at the next line's
        // opening quote (a multi-line value), which leaves text after it: one problem per pair.
        let broken = parse((0..<20_000).map { "K\($0)=\"open \($0) ${X" }.joined(separator: "\n"))
        #expect(broken.problems.count == 10_000)
        let unclosed = parse((0..<20_000).map { "K\($0)='open" }.joined(separator: "\n").replacingOccurrences(of: "'", with: "\"") + "\nMAIL_HOST=h")
        #expect(unclosed.problems.count == 10_000 && unclosed.endpoints.count == 1)
    }

    @Test func unreadableFileDoesNotCostTheOthers() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("MAIL_MAILER=smtp\nMAIL_HOST=sm".utf8 + [0xFF] + Data("tp.example.com\n".utf8)).write(to: dir.appendingPathComponent("bad.env"))
        try Data("MAIL_MAILER=smtp\nMAIL_HOST=smtp.example.com\nMAIL_PORT=587\nMAIL_USERNAME=app\n".utf8).write(to: dir.appendingPathComponent("good.env"))
        let run = try TestSupport.run(["lint", "--color", "never", "--format", "json", dir.path])
        #expect(run.status == 2, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let errors = try #require(json["errors"] as? [[String: Any]])
        #expect(errors.count == 1 && (errors.first?["line"] as? Int) == 2 && (errors.first?["column"] as? Int) == 13)
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.contains { ($0["ruleId"] as? String) == "MA104" && (($0["path"] as? String) ?? "").hasSuffix("good.env") })
    }

    @Test func filesWithoutMailSettingsAreNeitherFindingsNorErrors() {
        let result = TestSupport.lint("APP_NAME=Shop\nDB_HOST=127.0.0.1\n# MAILER_DSN=smtp://x\n", format: "dotenv", path: ".env")
        #expect(result.problems.isEmpty && result.findings.isEmpty)
        #expect(parse("APP_NAME=Shop\n").endpoints.isEmpty)
    }

    @Test func detection() {
        let f = DotenvFormat()
        for name in [".env", ".env.local", ".env.example", ".env.prod.local", "mailserver.env", "netbox.env", "prod.env", "parameters.yml.dist"] {
            #expect(f.matches(fileName: name, path: "x/\(name)"), "\(name)")
        }
        for name in [".envrc", ".env.php", "env", "environment.yml", "dotenv.js"] {
            #expect(!f.matches(fileName: name, path: "x/\(name)"), "\(name)")
        }
        #expect(f.matches(content: SourceFile(path: "x", text: "# app\nMAIL_HOST=a\nMAIL_PORT=587\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "[section]\nhost = a\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "APP=1\nDB=2\n")))
    }

    @Test func inlineSuppression() {
        let result = TestSupport.lint("""
        MAIL_MAILER=smtp
        MAIL_HOST=smtp.example.com
        MAIL_PORT=587
        MAIL_USERNAME=app
        MAIL_ENCRYPTION=tls # mailaudit: disable=MA104 reason="relay is on the LAN"
        """, format: "dotenv")
        let ma104 = result.findings.filter { $0.ruleId == "MA104" }
        #expect(ma104.count == 1 && ma104[0].suppression?.justification == "relay is on the LAN")
    }

    // MARK: Laravel

    @Test func laravelSymfonyMailerIsOpportunisticUnlessImplicit() throws {
        // MAIL_ENCRYPTION=null on 2525: Symfony Mailer still tries STARTTLS, without requiring it.
        let null = try #require(parse("MAIL_MAILER=smtp\nMAIL_HOST=smtp.mailtrap.io\nMAIL_PORT=2525\nMAIL_USERNAME=null\nMAIL_PASSWORD=null\nMAIL_ENCRYPTION=null\n").endpoints.first)
        #expect(null.tls == .starttls && null.tlsRequired == false && at(null.spans[.tlsRequired]) == "6:17")
        #expect(null.auth == [] && null.credential == CredentialKind.none)
        #expect(null.verifyCertificate == true)
        let ssl587 = try #require(parse("MAIL_MAILER=smtp\nMAIL_HOST=h\nMAIL_PORT=587\nMAIL_ENCRYPTION=ssl\n").endpoints.first)
        #expect(ssl587.tls == .starttls && ssl587.tlsRequired == false)
        let p465 = try #require(parse("MAIL_MAILER=smtp\nMAIL_HOST=h\nMAIL_PORT=465\nMAIL_ENCRYPTION=null\n").endpoints.first)
        #expect(p465.tls == .implicit && at(p465.spans[.tls]) == "3:11")
        let scheme = try #require(parse("MAIL_MAILER=smtp\nMAIL_SCHEME=smtps\nMAIL_HOST=h\n").endpoints.first)
        #expect(scheme.tls == .implicit && scheme.port == 2525 && scheme.portIsDefault && scheme.host == "h")
        let noPeer = try #require(parse("MAIL_MAILER=smtp\nMAIL_HOST=h\nMAIL_PORT=587\nMAIL_VERIFY_PEER=false\n").endpoints.first)
        #expect(noPeer.verifyCertificate == false && at(noPeer.spans[.verifyCertificate]) == "4:18")
    }

    @Test func laravelSwiftMailerAndDefaults() throws {
        // MAIL_DRIVER is Laravel ≤ 6: SwiftMailer does what MAIL_ENCRYPTION says.
        let none = try #require(parse("MAIL_DRIVER=smtp\nMAIL_HOST=mailtrap.io\nMAIL_PORT=2525\nMAIL_ENCRYPTION=null\n").endpoints.first)
        #expect(none.tls == TLSMode.none && at(none.spans[.tls]) == "4:17")
        let tls = try #require(parse("MAIL_DRIVER=smtp\nMAIL_HOST=h\nMAIL_PORT=587\nMAIL_ENCRYPTION=tls\n").endpoints.first)
        #expect(tls.tls == .starttls && tls.tlsRequired == true)
        let defaults = try #require(parse("MAIL_MAILER=smtp\n").endpoints.first)
        #expect(defaults.host == "smtp.mailgun.org" && defaults.port == 587 && defaults.portIsDefault)
        #expect(defaults.spans[.port] == nil && defaults.location.line == 1)
        // Mailers that do not speak SMTP from these settings.
        for mailer in ["log", "array", "sendmail", "ses", "postmark"] {
            #expect(parse("MAIL_MAILER=\(mailer)\nMAIL_HOST=h\nMAIL_PORT=25\n").endpoints.isEmpty, "\(mailer)")
        }
        let bad = parse("MAIL_MAILER=smtp\nMAIL_PORT=five\nMAIL_ENCRYPTION=tsl\n")
        #expect(bad.problems.map { at($0.span) } == ["2:11", "3:17"], "\(bad.problems)")
        let badSwift = parse("MAIL_DRIVER=smtp\nMAIL_ENCRYPTION=tsl\n")
        #expect(badSwift.problems.first?.message.contains("did you mean 'tls'") == true)
    }

    // MARK: Symfony

    func dsn(_ text: String) -> [Endpoint] { parse("MAILER_DSN=\(text)\n").endpoints }

    @Test func symfonyDSNDefaultsFollowEsmtpTransport() throws {
        let bare = try #require(dsn("smtp://user:pass@smtp.example.com").first)
        #expect(bare.port == 465 && bare.portIsDefault && bare.tls == .implicit && bare.auth == ["password"])
        let local = try #require(dsn("smtp://localhost").first)
        #expect(local.port == 25 && local.tls == .starttls && local.tlsRequired == false && local.auth == [])
        let p587 = try #require(dsn("smtp://h:587?verify_peer=0").first)
        #expect(p587.tls == .starttls && p587.tlsRequired == false && p587.verifyCertificate == false)
        let noAuto = try #require(dsn("smtp://h:2525?auto_tls=false").first)
        #expect(noAuto.tls == TLSMode.none)
        let noAutoNoPort = try #require(dsn("smtp://h?auto_tls=false").first)
        #expect(noAutoNoPort.tls == TLSMode.none && noAutoNoPort.port == 25)
        let required = try #require(dsn("smtp://h:587?require_tls=true").first)
        #expect(required.tls == .starttls && required.tlsRequired == true)
        let smtps = try #require(dsn("smtps://h:2465").first)
        #expect(smtps.tls == .implicit && smtps.port == 2465)
        #expect(dsn("null://null").isEmpty && dsn("sendmail://default").isEmpty && dsn("ses+api://KEY:SECRET@default").isEmpty)
        let pair = dsn("failover(smtp://a:587 smtps://b)")
        #expect(pair.map(\.host) == ["a", "b"])
        let gmail = try #require(dsn("gmail+smtp://me:app-password@default").first)
        #expect(gmail.host == nil && gmail.tls == nil && gmail.credential == .inline && gmail.account == "symfony (gmail)")
    }

    @Test func dsnPasswordsAreMaskedExactly() throws {
        let setup = parse("MAILER_DSN=smtp://app%40x:s3cr%3At@smtp.example.com:587\nMAILER_URL=smtp://h:25?encryption=tls&username=u&password=zz&auth_mode=login\n")
        #expect(setup.secrets.map { "\(at($0))-\($0.endColumn)" } == ["1:27-35", "2:59-61"])
        let url = try #require(setup.endpoints.last)
        #expect(url.tls == .starttls && url.tlsRequired == true && url.port == 25 && url.auth == ["login"])
        #expect(setup.problems.isEmpty)
    }

    @Test func swiftmailerURL() throws {
        let plain = try #require(parse("MAILER_URL=smtp://localhost\n").endpoints.first)
        #expect(plain.tls == TLSMode.none && plain.port == 25 && plain.portIsDefault)
        let ssl = try #require(parse("MAILER_URL=smtp://h?encryption=ssl\n").endpoints.first)
        #expect(ssl.tls == .implicit && ssl.port == 465)
        let gmail = try #require(parse("MAILER_URL=gmail://u:p@localhost\n").endpoints.first)
        #expect(gmail.host == "smtp.gmail.com" && gmail.tls == .implicit)
        #expect(parse("MAILER_URL=null://localhost\n").endpoints.isEmpty)
    }

    @Test func symfonyParametersYAML() throws {
        let setup = TestSupport.parse("parameters:\n    mailer_dsn: smtp://127.0.0.1\n    secret: x\n", format: "dotenv", path: "app/config/parameters.yml.dist")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "127.0.0.1" && e.port == 465 && e.tls == .implicit && at(e.spans[.host]) == "2:17")
        let swift = TestSupport.parse("parameters:\n    mailer_transport: smtp\n    mailer_host: mail.example.com\n    mailer_user: app\n    mailer_password: secret\n", format: "dotenv", path: "parameters.yml")
        let s = try #require(swift.endpoints.first)
        #expect(s.tls == TLSMode.none && s.port == 25 && s.credential == .inline && swift.secrets.count == 1)
        let broken = TestSupport.parse("parameters:\n  mailer_dsn: [unclosed\n", format: "dotenv", path: "parameters.yml")
        #expect(broken.problems.count == 1 && broken.problems[0].span != nil)
    }

    // MARK: Django-style variables

    @Test func djangoVariables() throws {
        let netbox = parse("EMAIL_SERVER=localhost\nEMAIL_PORT=25\nEMAIL_USERNAME=netbox\nEMAIL_PASSWORD=\n", path: "netbox.env")
        let n = try #require(netbox.endpoints.first)
        #expect(n.host == "localhost" && n.port == 25 && n.tls == TLSMode.none && n.spans[.tls] == nil && n.auth == [])
        let hc = try #require(parse("EMAIL_HOST=\nEMAIL_HOST_PASSWORD=\nEMAIL_HOST_USER=\nEMAIL_PORT=587\nEMAIL_USE_TLS=True\n").endpoints.first)
        #expect(hc.host == nil && hc.tls == .starttls && hc.tlsRequired == true && hc.verifyCertificate == nil)
        let both = parse("EMAIL_HOST=h\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=True\n")
        #expect(both.problems.count == 1 && at(both.problems[0].span) == "3:15" && both.endpoints.first?.tls == nil)
        let url = try #require(parse("EMAIL_URL=smtp+ssl://u:pw@smtp.example.com\n").endpoints.first)
        #expect(url.tls == .implicit && url.port == 465 && url.credential == .inline)
        let commented = parse("# EMAIL_HOST=email.example.com\n# EMAIL_USE_TLS=True\nFROM_EMAIL='x <x@example.com>'\n", path: "prod.env")
        #expect(commented.endpoints.isEmpty && commented.problems.isEmpty)
        #expect(parse("EMAIL_HOST=h\nEMAIL_USE_TLS=maybe\n").problems.first?.message.contains("True or False") == true)
    }

    // MARK: docker-mailserver and Mailu

    @Test func dockerMailserverWithoutTLS() throws {
        let setup = parse("ENABLE_IMAP=1\nENABLE_POP3=\nSSL_TYPE=\nRELAY_PORT=25\n", path: "mailserver.env")
        #expect(setup.problems.isEmpty)
        let byPort = Dictionary(uniqueKeysWithValues: setup.endpoints.map { ($0.port!, $0) })
        #expect(Set(byPort.keys) == [25, 587, 465, 143, 993])
        #expect(byPort[465]?.tls == TLSMode.none && at(byPort[465]?.spans[.tls]) == "3:10")
        #expect(byPort[587]?.allowsPlaintextAuth == true && byPort[587]?.authRequired == true)
        #expect(byPort[993]?.tls == nil)
        #expect(byPort[143]?.location.line == 1)  // ENABLE_IMAP opens it
        #expect(byPort.values.allSatisfy { $0.role == .server && $0.account == "docker-mailserver" })
    }

    @Test func dockerMailserverWithTLSAndRelay() throws {
        let setup = parse("OVERRIDE_HOSTNAME=mail.example.com\nSSL_TYPE=letsencrypt\nENABLE_POP3=1\nSMTP_ONLY=\nENABLE_MANAGESIEVE=1\nDEFAULT_RELAY_HOST=[relay.example.net]:587\nRELAY_USER=u\nRELAY_PASSWORD=p\n", path: "mailserver.env")
        let servers = setup.endpoints.filter { $0.role == .server }
        #expect(servers.count == 8 && servers.allSatisfy { $0.host == "mail.example.com" && $0.minTLSVersion == .tls12 })
        let p25 = try #require(servers.first { $0.port == 25 })
        #expect(p25.tls == .starttls && p25.tlsRequired == false && p25.direction == .relay)
        let p587 = try #require(servers.first { $0.port == 587 })
        #expect(p587.tls == .starttls && p587.tlsRequired == true && p587.allowsPlaintextAuth == false)
        #expect(servers.first { $0.port == 4190 }?.protocol == .managesieve)
        let relay = try #require(setup.endpoints.first { $0.role == .client })
        #expect(relay.host == "relay.example.net" && relay.port == 587 && relay.direction == .relay)
        #expect(relay.tlsRequired == true && relay.verifyCertificate == false && relay.credential == .inline)
        let smtpOnly = parse("SSL_TYPE=manual\nSMTP_ONLY=1\nENABLE_POP3=1\n", path: "mailserver.env")
        #expect(smtpOnly.endpoints.map(\.port) == [25, 587, 465])
        let bad = parse("SSL_TYPE=letsencrpyt\nENABLE_POP3=maybe\n", path: "mailserver.env")
        #expect(bad.problems.count == 2 && bad.problems[0].message.contains("did you mean 'letsencrypt'"))
    }

    @Test func mailu() throws {
        let cert = parse("HOSTNAMES=mail.example.com,alt.example.com\nTLS_FLAVOR=cert\nWEBMAIL=roundcube\n")
        let ports = cert.endpoints.compactMap(\.port).sorted()
        #expect(ports == [25, 110, 143, 443, 465, 587, 993, 995])
        #expect(cert.endpoints.allSatisfy { $0.host == "mail.example.com" })
        #expect(cert.endpoints.first { $0.port == 143 }?.tlsRequired == true)
        let notls = parse("TLS_FLAVOR=notls\nADMIN=true\n")
        #expect(notls.endpoints.compactMap(\.port).sorted() == [25, 80, 110, 143, 587])
        #expect(notls.endpoints.first { $0.port == 587 }?.allowsPlaintextAuth == true)
        let result = TestSupport.lint("TLS_FLAVOR=notls\nADMIN=true\n", format: "dotenv")
        #expect(result.findings.contains { $0.ruleId == "MA601" && $0.span.line == 1 && $0.span.column == 12 })
        #expect(parse("TLS_FLAVOR=mial\n").problems.first?.message.contains("did you mean 'mail'") == true)
    }
}
