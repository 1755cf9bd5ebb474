import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// Django settings.py: literal top-level assignments of EMAIL_*; anything computed is unknown.
@Suite struct DjangoTests {
    func parse(_ text: String, path: String = "settings.py") -> MailSetup {
        TestSupport.parse(text, format: "django", path: path)
    }
    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    @Test func literalAssignments() throws {
        let setup = parse("""
        \"\"\"Settings.
        EMAIL_HOST = "inside a docstring"
        \"\"\"
        import os
        EMAIL_HOST = 'smtp.' "example.com"  # adjacent literals
        EMAIL_PORT: int = 587
        EMAIL_USE_TLS = True
        EMAIL_HOST_USER = "app"
        EMAIL_HOST_PASSWORD = r"s3cr\\et"
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && at(e.spans[.host]) == "5:14")
        #expect(e.port == 587 && at(e.spans[.port]) == "6:19")
        #expect(e.tls == .starttls && e.tlsRequired == true && at(e.spans[.tls]) == "7:17")
        #expect(e.verifyCertificate == nil)  // Django < 4.2 does not verify, 4.2+ does: unknown
        #expect(e.auth == ["password"] && e.credential == .inline && setup.secrets.map(at) == ["9:23"])
        #expect(e.account == "django" && e.location.line == 5)
    }

    @Test func defaultsAndComputedValues() throws {
        let d = try #require(parse("EMAIL_HOST = 'mail.example.com'\n").endpoints.first)
        #expect(d.port == 25 && d.portIsDefault && d.tls == TLSMode.none && d.spans[.tls] == nil && d.auth == [])
        let computed = try #require(parse("""
        import os
        EMAIL_HOST = os.environ["EMAIL_HOST"]
        EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
        EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL")
        EMAIL_HOST_USER = "app"
        EMAIL_HOST_PASSWORD = os.environ["SMTP_PASSWORD"]
        """).endpoints.first)
        #expect(computed.host == nil && at(computed.spans[.host]) == "2:14")
        #expect(computed.port == nil && computed.tls == nil && computed.auth == nil && computed.credential == nil)
        // An assignment inside a block depends on code.
        let conditional = try #require(parse("EMAIL_USE_TLS = False\nif DEBUG:\n    EMAIL_USE_TLS = True\nEMAIL_HOST = 'h'\n").endpoints.first)
        #expect(conditional.tls == nil)
        #expect(parse("EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'\nEMAIL_HOST = 'h'\n").endpoints.isEmpty)
        #expect(parse("DEBUG = True\n").endpoints.isEmpty)
        let fstring = try #require(parse("DOMAIN = 'x'\nEMAIL_HOST = f'smtp.{DOMAIN}'\n").endpoints.first)
        #expect(fstring.host == nil)
    }

    @Test func errorsKeepReading() throws {
        let both = parse("EMAIL_HOST = 'h'\nEMAIL_USE_TLS = True\nEMAIL_USE_SSL = True\n")
        #expect(both.problems.count == 1 && at(both.problems[0].span) == "3:17" && both.endpoints.first?.tls == nil)
        let broken = parse("EMAIL_HOST = 'unterminated\nEMAIL_PORT = 465\nEMAIL_USE_SSL = True\nX = [1,\n 2]\nEMAIL_HOST_USER = 'u'\n")
        #expect(broken.problems.count == 1 && at(broken.problems[0].span) == "1:14", "\(broken.problems)")
        let e = try #require(broken.endpoints.first)
        #expect(e.port == 465 && e.tls == .implicit && e.auth == [])
        let triple = parse("X = '''never closed\nEMAIL_HOST = 'h'\n")
        #expect(triple.problems.first?.message.contains("triple-quoted") == true)
        let badPort = parse("EMAIL_HOST = 'h'\nEMAIL_PORT = 'abc'\n")
        #expect(badPort.problems.map { at($0.span) } == ["2:14"])
    }

    @Test func detectionAndSuppression() {
        let f = DjangoFormat()
        #expect(f.matches(fileName: "settings.py", path: "proj/settings.py"))
        #expect(f.matches(fileName: "production.py", path: "proj/settings/production.py"))
        #expect(!f.matches(fileName: "views.py", path: "proj/views.py"))
        #expect(f.matches(content: SourceFile(path: "x.py", text: "import os\nEMAIL_HOST = 'h'\n")))
        #expect(!f.matches(content: SourceFile(path: "x.py", text: "def f():\n    EMAIL_HOST = 1\n")))
        let result = TestSupport.lint("EMAIL_HOST = 'h'\nEMAIL_PORT = 25  # mailaudit: disable=MA301 reason=\"local MTA\"\n", format: "django")
        #expect(result.findings.contains { $0.ruleId == "MA301" && $0.suppression != nil })
    }
}
