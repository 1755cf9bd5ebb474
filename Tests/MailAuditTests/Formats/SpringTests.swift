import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// Spring Boot `spring.mail.*`: properties and YAML syntax, JavaMail's TLS decisions and defaults.
@Suite struct SpringTests {
    func properties(_ text: String, path: String = "application.properties") -> MailSetup {
        TestSupport.parse(text, format: "spring", path: path)
    }
    func yaml(_ text: String, path: String = "application.yml") -> MailSetup {
        TestSupport.parse(text, format: "spring", path: path)
    }
    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    @Test func propertiesSyntax() throws {
        let setup = properties("""
        # comment
        ! also a comment
        spring.mail.host = smtp.example.com
        spring.mail.port: 587
        spring.mail.username app\\u0040example.com
        spring.mail.properties.mail.smtp.starttls.enable=\\
            true
        spring.mail.properties[mail.smtp.starttls.required]=true
        spring.mail.password=s3cret
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && at(e.spans[.host]) == "3:20")
        #expect(e.port == 587 && at(e.spans[.port]) == "4:19")
        #expect(e.tls == .starttls && at(e.spans[.tls]) == "7:5")
        #expect(e.tlsRequired == true && at(e.spans[.tlsRequired]) == "8:53")
        #expect(e.auth == ["password"] && e.credential == .inline && setup.secrets.map(at) == ["9:22"])
        #expect(e.verifyCertificate == true && e.location.line == 3)
    }

    @Test func javaMailDefaults() throws {
        // No TLS property at all: JavaMail does not even try STARTTLS; the port is 25.
        let bare = try #require(properties("spring.mail.host=smtp.163.com\nspring.mail.username=u\nspring.mail.password=p\n").endpoints.first)
        #expect(bare.tls == TLSMode.none && bare.port == 25 && bare.portIsDefault && bare.auth == ["password"])
        let smtps = try #require(properties("spring.mail.host=h\nspring.mail.protocol=smtps\n").endpoints.first)
        #expect(smtps.tls == .implicit && smtps.port == 465 && at(smtps.spans[.tls]) == "2:22")
        let sslOn25 = try #require(properties("spring.mail.host=h\nspring.mail.properties.mail.smtp.ssl.enable=true\n").endpoints.first)
        #expect(sslOn25.tls == .implicit && sslOn25.port == 25)
        let opportunistic = try #require(properties("spring.mail.host=h\nspring.mail.port=587\nspring.mail.properties.mail.smtp.starttls.enable=true\n").endpoints.first)
        #expect(opportunistic.tls == .starttls && opportunistic.tlsRequired == false)
        let trust = try #require(properties("spring.mail.host=h\nspring.mail.properties.mail.smtp.ssl.enable=true\nspring.mail.properties.mail.smtp.ssl.trust=*\n").endpoints.first)
        #expect(trust.verifyCertificate == false && at(trust.spans[.verifyCertificate]) == "3:44")
        let trustOther = try #require(properties("spring.mail.host=h\nspring.mail.properties.mail.smtp.ssl.enable=true\nspring.mail.properties.mail.smtp.ssl.trust=other\n").endpoints.first)
        #expect(trustOther.verifyCertificate == true)
        let identity = try #require(properties("spring.mail.host=h\nspring.mail.properties.mail.smtp.ssl.enable=true\nspring.mail.properties.mail.smtp.ssl.checkserveridentity=false\nspring.mail.properties.mail.smtp.ssl.protocols=TLSv1 TLSv1.2\n").endpoints.first)
        #expect(identity.verifyCertificate == false && identity.minTLSVersion == .tls10)
        #expect(properties("spring.mail.port=25\nspring.mail.username=u\n").endpoints.isEmpty)
        let boot = try #require(properties("spring.mail.host=h\nspring.mail.ssl.enabled=true\n").endpoints.first)
        #expect(boot.tls == .implicit)
    }

    @Test func placeholders() throws {
        let e = try #require(properties("mail.relay=relay.example.com\nspring.mail.host=${mail.relay}\nspring.mail.port=${SMTP_PORT:587}\nspring.mail.password=${SMTP_PASSWORD}\nspring.mail.username=u\n").endpoints.first)
        #expect(e.host == "relay.example.com")
        #expect(e.port == nil && at(e.spans[.port]) == "3:18")
        #expect(e.credential == nil && e.auth == nil)
    }

    @Test func brokenPropertiesKeepReading() throws {
        let setup = properties("spring.mail.username=bad\\u00zz\nspring.mail.host=h\nspring.mail.port=twenty-five\n")
        let problems = setup.problems.map { "\(at($0.span)) \($0.message)" }
        #expect(problems.count == 2, "\(problems)")
        #expect(problems[0].hasPrefix("1:25 ") && problems[0].contains("\\uXXXX"))
        #expect(problems[1].hasPrefix("3:18 "))
        #expect(setup.endpoints.first?.host == "h")
    }

    @Test func yamlProfilesAndBracketKeys() throws {
        let setup = yaml("""
        spring:
          mail:
            host: smtp.example.com
            port: 465
            username: app
            password:
            properties:
              "[mail.smtp.ssl.enable]": true
        ---
        spring:
          config:
            activate:
              on-profile: dev
          mail:
            host: localhost
            port: 25
            properties:
              mail.smtp.ssl.enable: false
        ---
        spring:
          profiles: staging
          datasource:
            url: jdbc:h2:mem
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.endpoints.count == 2)
        let base = setup.endpoints[0]
        #expect(base.account == "spring.mail" && base.tls == .implicit && at(base.spans[.tls]) == "8:33")
        #expect(base.auth == [] && base.credential == CredentialKind.none)
        let dev = setup.endpoints[1]
        #expect(dev.account == "spring.mail (profile dev)" && dev.host == "localhost" && dev.port == 25 && dev.tls == TLSMode.none)
        #expect(at(dev.location) == "15:5")
    }

    @Test func fileNameProfileAndYAMLErrors() throws {
        let dev = yaml("spring:\n  mail:\n    host: localhost\n", path: "config/application-dev.yml")
        #expect(dev.endpoints.first?.account == "spring.mail (profile dev)")
        let broken = yaml("spring:\n  mail:\n    host: [unclosed\n")
        #expect(broken.problems.count == 1 && broken.problems.first?.span != nil)
        let alias = yaml("a: &x\n  b: 1\n*x : 2\n")
        #expect(alias.problems.first?.message.contains("alias") == true)
    }

    @Test func detectionAndSuppression() {
        let f = SpringFormat()
        #expect(f.matches(fileName: "application.properties", path: "a"))
        #expect(f.matches(fileName: "application-prod.yml", path: "a"))
        #expect(!f.matches(fileName: "compose.yaml", path: "a"))
        #expect(f.matches(content: SourceFile(path: "x.yml", text: "server:\n  port: 8080\nspring:\n  mail:\n    host: h\n")))
        #expect(!f.matches(content: SourceFile(path: "x.yml", text: "services:\n  mail:\n    image: x\n")))
        let result = TestSupport.lint("spring.mail.host=h\n# mailaudit: disable=MA102,MA301 reason=\"local relay\"\nspring.mail.port=25\n", format: "spring")
        #expect(result.findings.filter { $0.suppression == nil && $0.ruleId == "MA301" }.isEmpty)
    }
}
