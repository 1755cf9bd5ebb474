import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// Gitea/Forgejo `app.ini`, Grafana `grafana.ini` and SnappyMail/RainLoop domain files: the
/// applications' defaults, their inferences, spans on values, templates, and which files a walk
/// takes for them.
@Suite struct WebAppFormatTests {
    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    // MARK: Gitea

    func gitea(_ mailer: String) -> MailSetup {
        TestSupport.parse("APP_NAME = Forge\nRUN_USER = git\n\n[mailer]\n" + mailer, format: "gitea", path: "app.ini")
    }

    @Test func giteaMapsTheMailerWithSpans() throws {
        let setup = gitea("ENABLED = true\nPROTOCOL = smtp+starttls\nSMTP_ADDR = mail.example.com\nSMTP_PORT = 587 ; submission\nFORCE_TRUST_SERVER_CERT = true\nUSER = forge\nPASSWD = `pa#ss;word`\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "mail.example.com" && at(e.spans[.host]) == "7:13")
        #expect(e.port == 587 && !e.portIsDefault && at(e.spans[.port]) == "8:13")
        #expect(e.tls == .starttls && e.tlsRequired == false && at(e.spans[.tls]) == "6:12")
        #expect(e.verifyCertificate == false && at(e.spans[.verifyCertificate]) == "9:27")
        #expect(e.auth == ["password"] && e.credential == .inline && setup.secrets.map(at) == ["11:10"])
        #expect(e.location.line == 4 && e.direction == .outgoing && e.protocol == .smtp)
    }

    @Test func giteaDefaultsAndInferences() throws {
        #expect(gitea("PROTOCOL = smtps\nSMTP_ADDR = h\n").endpoints.isEmpty, "ENABLED defaults to false")
        #expect(gitea("ENABLED = false\nPROTOCOL = smtps\n").endpoints.isEmpty)
        #expect(gitea("ENABLED = true\nPROTOCOL = sendmail\n").endpoints.isEmpty)
        #expect(gitea("ENABLED = true\nSMTP_ADDR = /run/smtp.sock\n").endpoints.isEmpty, "smtp+unix: a local socket")
        let smtps = try #require(gitea("ENABLED = true\nPROTOCOL = smtps\nSMTP_ADDR = h\n").endpoints.first)
        #expect(smtps.port == 465 && smtps.portIsDefault && smtps.verifyCertificate == true && smtps.spans[.verifyCertificate] == nil)
        #expect(smtps.auth == [] && smtps.credential == CredentialKind.none)
        let byPort = try #require(gitea("ENABLED = true\nSMTP_ADDR = h\nSMTP_PORT = 25\n").endpoints.first)
        #expect(byPort.tls == TLSMode.none && at(byPort.spans[.tls]) == "7:13", "PROTOCOL follows from the port")
        let other = try #require(gitea("ENABLED = true\nSMTP_ADDR = h\nSMTP_PORT = 2525\n").endpoints.first)
        #expect(other.tls == .implicit, "Gitea assumes smtps for a port it cannot infer from")
        let nothing = try #require(gitea("ENABLED = true\nSMTP_ADDR = h\n").endpoints.first)
        #expect(nothing.tls == .implicit && nothing.port == 465 && nothing.portIsDefault)
        let caseSensitive = try #require(gitea("ENABLED = true\nprotocol = smtp\nSMTP_ADDR = h\nSMTP_PORT = 465\n").endpoints.first)
        #expect(caseSensitive.tls == .implicit, "go-ini keys are case-sensitive: `protocol` is not PROTOCOL")
        let backslash = try #require(gitea("ENABLED = true\nPROTOCOL = smtps\nSMTP_ADDR = h\nPASSWD = abc\\\nUSER = u\n").endpoints.first)
        #expect(backslash.auth == ["password"], "Gitea reads a trailing backslash as part of the value, not a continuation")
    }

    @Test func giteaOldKeysCountOnlyWithoutTheNewOnes() throws {
        let old = try #require(gitea("ENABLED = true\nHOST = smtp.gmail.com:465\nIS_TLS_ENABLED = false\nSKIP_VERIFY = true\n").endpoints.first)
        #expect(old.host == "smtp.gmail.com" && old.port == 465 && at(old.spans[.port]) == "6:8")
        #expect(old.tls == .starttls && old.tlsRequired == false && at(old.spans[.tls]) == "7:18", "IS_TLS_ENABLED = false is smtp+starttls")
        #expect(old.verifyCertificate == false && at(old.spans[.verifyCertificate]) == "8:15")
        let new = try #require(gitea("ENABLED = true\nPROTOCOL = smtps\nIS_TLS_ENABLED = false\nSMTP_ADDR = a\nHOST = b:25\nFORCE_TRUST_SERVER_CERT = false\nSKIP_VERIFY = true\n").endpoints.first)
        #expect(new.host == "a" && new.port == 465 && new.tls == .implicit && new.verifyCertificate == true)
        let emptyHost = try #require(gitea("ENABLED = true\nHOST = :25\n").endpoints.first)
        #expect(emptyHost.host == "127.0.0.1" && emptyHost.loopback == true)
        let bad = gitea("ENABLED = true\nHOST = ::1:25\n")
        #expect(bad.endpoints.isEmpty && bad.problems.count == 1, "Gitea refuses to start on an IPv6 HOST without brackets")
        let unknown = gitea("ENABLED = true\nPROTOCOL = SMTPS\nSMTP_ADDR = h\nSMTP_PORT = 465\n")
        #expect(unknown.endpoints.first?.tls == TLSMode.none && unknown.problems.count == 1, "an unknown PROTOCOL is plain smtp")
    }

    @Test func giteaTemplatesAreUnknownNotBroken() throws {
        let setup = gitea("ENABLED = {{ mail_enabled }}\n{% if tls %}\nPROTOCOL = smtps\n{% endif %}\nSMTP_ADDR = {{ host }}\nSMTP_PORT = 465\n{{ extra_config }}\nPASSWD = {{ vault_password }}\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == nil && e.spans[.host] != nil && e.tls == nil && e.port == 465)
        #expect(e.credential == nil && setup.secrets.isEmpty)
    }

    // MARK: Grafana

    func grafana(_ smtp: String, path: String = "grafana.ini") -> MailSetup {
        TestSupport.parse("[paths]\ndata = /var/lib/grafana\n\n[smtp]\n" + smtp, format: "grafana", path: path)
    }

    @Test func grafanaMapsSMTPWithSpans() throws {
        let setup = grafana("enabled = true\nhost = smtp.example.com:587\nuser = alerts\npassword = \"\"\"#secret;\"\"\"\nskip_verify = true\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && e.port == 587 && at(e.spans[.port]) == "6:8")
        #expect(e.tls == .starttls && e.tlsRequired == false && e.spans[.tls] == nil, "OpportunisticStartTLS is the default")
        #expect(e.verifyCertificate == false && at(e.spans[.verifyCertificate]) == "9:15")
        #expect(e.auth == ["password"] && e.credential == .inline && setup.secrets.map(at) == ["8:12"])
    }

    @Test func grafanaDefaultsAndPolicies() throws {
        #expect(grafana("host = smtp.example.com:465\n").endpoints.isEmpty, "enabled defaults to false")
        let defaults = try #require(grafana("enabled = true\nhost =\n").endpoints.first)
        #expect(defaults.host == "localhost" && defaults.port == 25 && defaults.portIsDefault && defaults.loopback == true,
                "an empty value keeps defaults.ini's localhost:25")
        let implicit = try #require(grafana("enabled = true\nhost = smtp.example.com:465\nstartTLS_policy = NoStartTLS\n").endpoints.first)
        #expect(implicit.tls == .implicit && implicit.verifyCertificate == true, "port 465 is implicit TLS whatever the policy")
        let mandatory = try #require(grafana("enabled = true\nhost = h:587\nstartTLS_policy = MandatoryStartTLS\n").endpoints.first)
        #expect(mandatory.tls == .starttls && mandatory.tlsRequired == true && at(mandatory.spans[.tlsRequired]) == "7:19")
        let none = try #require(grafana("enabled = true\nhost = h:587\nstartTLS_policy = NoStartTLS\n").endpoints.first)
        #expect(none.tls == TLSMode.none && none.verifyCertificate == nil)
        let wrongCase = try #require(grafana("enabled = true\nhost = h:587\nstarttls_policy = MandatoryStartTLS\n").endpoints.first)
        #expect(wrongCase.tlsRequired == false, "keys are case-sensitive: `starttls_policy` is not read")
        let noPort = grafana("enabled = true\nhost = smtp.example.com\n")
        #expect(noPort.problems.count == 1 && noPort.endpoints.first?.port == nil)
        let env = try #require(grafana("enabled = true\nhost = ${SMTP_HOST}\npassword = $__file{/run/secrets/p}\n").endpoints.first)
        #expect(env.host == nil && env.port == nil && env.credential == nil)
    }

    @Test func grafanaTemplatesWithTagsOverSeveralLines() throws {
        let setup = TestSupport.parse("{#\nSPDX-License-Identifier: AGPL-3.0\n#}\n[smtp]\nenabled = {{\n  smtp_enabled | bool\n}}\n{% if smtp_tls\n   and smtp_port %}\nhost = smtp.example.com:465\n{% endif %}\n",
                                      format: "grafana", path: "grafana.ini.j2")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first, "an unknown `enabled` still describes the connection")
        #expect(e.host == nil && e.port == nil && e.spans[.host]?.line == 10, "a setting inside `{% if %}` is unknown")
    }

    @Test func grafanaEnvironmentVariablesOverrideOneKeyAtATime() throws {
        let setup = TestSupport.parse("GF_SMTP_ENABLED=true\nGF_SMTP_HOST=smtp.example.com:587\nGF_SMTP_USER=alerts\nGF_SMTP_PASSWORD=s3cret\nGF_SMTP_FROM_ADDRESS=alerts@example.com\n",
                                      format: "dotenv", path: ".env")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.program == "grafana" && e.host == "smtp.example.com" && e.port == 587 && at(e.spans[.port]) == "2:14")
        #expect(e.tls == nil && e.verifyCertificate == nil, "the policy and skip_verify are grafana.ini's, unknown here")
        #expect(e.auth == ["password"] && e.credential == .inline && setup.secrets.map(at) == ["4:18"])
        let file = try #require(TestSupport.parse("GF_SMTP_HOST=smtp.example.com:465\nGF_SMTP_PASSWORD__FILE=/run/secrets/p\nGF_SMTP_HOST_EMPTY=\n", format: "dotenv", path: ".env").endpoints.first)
        #expect(file.tls == .implicit && file.credential == .file && file.auth == nil, "GF_SMTP_ENABLED unset: grafana.ini decides, the connection is still described")
        #expect(TestSupport.parse("GF_SMTP_ENABLED=false\nGF_SMTP_HOST=h:25\n", format: "dotenv", path: ".env").endpoints.isEmpty)
        #expect(TestSupport.parse("GF_SMTP_HOST=\nGF_SECURITY_ADMIN_PASSWORD=x\n", format: "dotenv", path: ".env").endpoints.isEmpty, "an empty variable overrides nothing")
        let noPort = TestSupport.parse("GF_SMTP_ENABLED=true\nGF_SMTP_HOST=smtp.example.com\n", format: "dotenv", path: ".env")
        #expect(noPort.problems.map { at($0.span) } == ["2:14"], "a GF_SMTP_HOST without a port is reported in an env file as in grafana.ini")
    }

    // MARK: SnappyMail

    func snappy(_ text: String, name: String = "example.org.json") -> MailSetup {
        TestSupport.parse(text, format: "snappymail", path: "data/_data_/_default_/domains/" + name)
    }

    @Test func snappyMailJSONDomain() throws {
        let setup = snappy("""
        {
          "IMAP": { "host": "mail.example.org", "port": 143, "type": 0, "sasl": ["PLAIN", "LOGIN"] },
          "SMTP": { "host": "mail.example.org", "port": 587, "type": 9, "useAuth": false,
                    "ssl": { "verify_peer": false } },
          "Sieve": { "host": "mail.example.org", "port": 4190, "enabled": true, "ssl": { "allow_self_signed": true } }
        }
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let imap = try #require(setup.endpoints.first { $0.protocol == .imap })
        #expect(imap.account == "example.org" && imap.direction == .incoming && imap.host == "mail.example.org" && at(imap.spans[.host]) == "2:21")
        #expect(imap.tls == TLSMode.none && at(imap.spans[.tls]) == "2:62" && imap.auth == ["plain", "login"] && imap.credential == nil)
        let smtp = try #require(setup.endpoints.first { $0.protocol == .smtp })
        #expect(smtp.tls == .starttls && smtp.tlsRequired == false, "type 9 on 587: STARTTLS when offered")
        #expect(smtp.verifyCertificate == false && at(smtp.spans[.verifyCertificate]) == "4:37" && smtp.auth == [])
        let sieve = try #require(setup.endpoints.first { $0.protocol == .managesieve })
        #expect(sieve.tls == .starttls && sieve.tlsRequired == false && sieve.verifyCertificate == false, "no type: auto-detect; self-signed allowed")
    }

    @Test func snappyMailINIDomain() throws {
        let setup = snappy("imap_host = \"imap.example.org\"\nimap_port = 993\nimap_secure = SSL\nsmtp_host = smtp.example.org ; relay\nsmtp_secure = \"tls\"\nsmtp_auth = Off\nsieve_use = Off\n", name: "example.org.ini")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.endpoints.count == 2)
        let imap = try #require(setup.endpoints.first { $0.protocol == .imap })
        #expect(imap.tls == .implicit && imap.port == 993 && imap.verifyCertificate == true && imap.spans[.verifyCertificate] == nil)
        let smtp = try #require(setup.endpoints.first { $0.protocol == .smtp })
        #expect(smtp.host == "smtp.example.org" && smtp.port == 25 && smtp.portIsDefault && smtp.tls == .starttls && smtp.tlsRequired == true)
        #expect(smtp.auth == [] && at(smtp.spans[.auth]) == "6:13")
        #expect(snappy("imap_host = \"\"\nsmtp_host = h\n", name: "x.ini").endpoints.isEmpty, "a domain without an IMAP host is not loaded")
        #expect(snappy("{ \"IMAP\": { \"host\": \"h\", ", name: "x.json").problems.count == 1)
    }

    // MARK: Directory walks

    @Test func aServerTreeWalkTakesTheseFilesAndNoDecoy() throws {
        let gitea = "APP_NAME = Forge\nRUN_USER = git\n[server]\nDOMAIN = x\n[database]\nDB_TYPE = sqlite3\n[mailer]\nENABLED = true\nPROTOCOL = smtps\nSMTP_ADDR = mail.example.com\n"
        let grafana = "[paths]\ndata = /var/lib/grafana\n[grafana_net]\nurl = https://grafana.net\n[smtp]\nenabled = true\nhost = smtp.example.com:465\n"
        let domain = "{ \"IMAP\": { \"host\": \"h\", \"port\": 993, \"type\": 1 }, \"SMTP\": { \"host\": \"h\", \"port\": 465, \"type\": 1 }, \"Sieve\": { \"host\": \"h\", \"port\": 4190 } }\n"
        let dir = try TestSupport.folder([
            "etc/gitea/app.ini": gitea,
            "var/lib/forgejo/custom/conf/app.ini": gitea,
            "etc/grafana/grafana.ini": grafana,
            "srv/monitoring/grafana/conf/custom.ini": grafana,
            "var/www/snappymail/data/_data_/_default_/domains/example.org.json": domain,
            "var/www/rainloop/data/_data_/_default_/domains/example.net.ini": "imap_host = \"h\"\nimap_port = 993\nimap_secure = \"SSL\"\n",
            // Decoys: another program's app.ini, Gogs' app.ini, a custom.ini without [smtp] or Grafana's
            // sections, JSON and INI files outside a domains folder or outside a webmail's tree.
            "srv/other/app.ini": "[app]\nname = other\n[mailer]\nhost = x\n".replacingOccurrences(of: "[mailer]", with: "[mail]"),
            "srv/gogs/custom/conf/app.ini": "BRAND_NAME = Gogs\nRUN_USER = git\n[server]\nDOMAIN = x\n[database]\nTYPE = sqlite3\n",
            "etc/php/custom.ini": "[PHP]\nmemory_limit = 256M\n",
            "var/www/app/domains/example.org.json": domain,
            "var/www/snappymail/data/_data_/_default_/configs/application.ini": "[webmail]\ntitle = Mail\n",
            "srv/compose/config.json": "{ \"IMAP\": { \"host\": \"h\" } }\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let found = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path).discover([dir.path])
        var result = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet)).lint(found.inputs)
        result.skipped += found.skipped.count
        let read = Dictionary(uniqueKeysWithValues: result.files.map { ($0.path, $0.format) })
        #expect(read == [
            "etc/gitea/app.ini": "gitea",
            "var/lib/forgejo/custom/conf/app.ini": "gitea",
            "etc/grafana/grafana.ini": "grafana",
            "srv/monitoring/grafana/conf/custom.ini": "grafana",
            "var/www/snappymail/data/_data_/_default_/domains/example.org.json": "snappymail",
            "var/www/rainloop/data/_data_/_default_/domains/example.net.ini": "snappymail",
        ])
    }
}
