import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct NativeYAMLTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "mailaudit-yaml", path: "t.mailaudit.yml") }

    @Test func positionsPointAtValues() throws {
        let setup = parse("""
        mailaudit: 1
        accounts:
          - name: office
            incoming:
              protocol: imap
              host: mail.example.com
              port: 993
              tls: none
        """)
        #expect(setup.problems.isEmpty)
        let e = try #require(setup.endpoints.first)
        #expect(e.span(of: .tls) == SourceSpan(path: "t.mailaudit.yml", line: 8, column: 12, endLine: 8, endColumn: 16))
        #expect(e.span(of: .port).line == 7 && e.span(of: .port).column == 13)
        #expect(e.span(of: .host).column == 13)
        // Defaults point at the block that defines the endpoint: the `incoming` key.
        #expect(e.span(of: .verifyCertificate) == e.location)
        #expect(e.location.line == 4 && e.location.column == 5)
    }

    @Test func defaults() throws {
        let setup = parse("""
        mailaudit: 1
        accounts:
          - name: a
            incoming: { protocol: imap, tls: implicit }
            outgoing: { protocol: smtp, tls: starttls, auth: [login], password_command: "pass mail" }
        servers:
          - name: mx
            listeners:
              - { protocol: smtp, port: 25, tls: starttls, tls_required: false }
              - { protocol: smtp, port: 2525, tls: starttls }
              - { protocol: imap, tls: none, auth: [plain] }
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = setup.endpoints
        #expect(e.count == 5)
        #expect(e[0].port == 993 && e[0].portIsDefault && e[0].tlsRequired == true && e[0].verifyCertificate == true && e[0].direction == .incoming)
        #expect(e[0].auth == nil && e[0].credential == nil)
        #expect(e[1].port == 587 && e[1].credential == .command && e[1].auth == ["login"] && e[1].direction == .outgoing)
        #expect(e[2].direction == .relay && e[2].role == .server && e[2].tlsRequired == false && e[2].account == "mx")
        #expect(e[3].direction == .outgoing)
        #expect(e[4].port == 143 && e[4].allowsPlaintextAuth == true && e[4].direction == .incoming && e[4].verifyCertificate == nil)
    }

    @Test func missingTLSMeansNone() throws {
        // A port meant for encryption does not switch it on: the setting must say so.
        let setup = parse("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, port: 993}\n")
        #expect(setup.endpoints.first?.tls == TLSMode.none)
        #expect(setup.endpoints.first?.spans[.tls] == nil)
    }

    @Test func credentialsAndSecrets() throws {
        let setup = parse("mailaudit: 1\naccounts:\n  - name: a\n    outgoing: {protocol: smtp, tls: implicit, password: \"Zq8UniqueSecret\"}\n")
        let e = try #require(setup.endpoints.first)
        #expect(e.credential == .inline && e.auth == ["password"])
        #expect(setup.secrets.count == 1)
        #expect(setup.secrets.first?.column == 57)
        #expect(setup.secrets.first?.endColumn == 74)
        // The secret itself is not stored anywhere in the model.
        #expect(!"\(setup.endpoints)".contains("Zq8UniqueSecret"))
    }

    @Test func webmailAndIdentity() throws {
        let setup = parse("mailaudit: 1\naccounts:\n  - name: a\n    content_encryption: per-message\nwebmail:\n  - url: http://mail.example.org:8080/\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.identities.first?.contentEncryption == .perMessage)
        let w = try #require(setup.endpoints.first)
        #expect(w.direction == .webmail && w.tls == TLSMode.none && w.port == 8080 && w.host == "mail.example.org")
    }

    @Test(arguments: [
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {prot: imap}\n", 4, 16, "unknown key 'prot' in an endpoint — did you mean 'protocol'?"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, tls: true}\n", 4, 37, "`tls: true` is ambiguous"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {host: x}\n", 4, 15, "needs `protocol:`"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imapp}\n", 4, 26, "did you mean 'imap'?"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, port: 99999}\n", 4, 38, "port must be a number from 1 to 65535"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, tls: ssl}\n", 4, 37, "tls must be one of none, starttls, implicit"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, verify_certificate: maybe}\n", 4, 52, "verify_certificate must be true or false"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, min_tls_version: \"9\"}\n", 4, 49, "min_tls_version must be"),
        ("mailaudit: 2\n", 1, 12, "unsupported schema version '2'"),
        ("accounts: []\n", 1, 1, "missing `mailaudit: 1`"),
        ("mailaudit: 1\naccounts: {}\n", 2, 11, "`accounts` must be a list"),
        ("mailaudit: 1\nservers:\n  - name: mx\n", 3, 5, "needs `listeners:`"),
        ("mailaudit: 1\nacounts: []\n", 2, 1, "did you mean 'accounts'?"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap\n", 5, 1, "invalid YAML"),
        ("mailaudit: 1\naccounts:\n  - name: a\n    content_encryption: sometimes\n", 4, 25, "content_encryption must be one of"),
    ])
    func errorsHavePositions(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        let setup = parse(text)
        #expect(setup.problems.contains { $0.message.contains(message) }, "\(setup.problems.map(\.message))")
        let p = setup.problems.first { $0.message.contains(message) }
        #expect(p?.span?.line == line && p?.span?.column == column, "\(message): at \(String(describing: p?.span))")
    }

    @Test func oneBadEndpointDoesNotLoseTheOthers() {
        let setup = parse("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imapp}\n    outgoing: {protocol: smtp, port: 25}\n")
        #expect(setup.problems.count == 1)
        #expect(setup.endpoints.count == 1 && setup.endpoints[0].protocol == .smtp)
    }

    @Test func anchorsAndMergeKeysWork() throws {
        let setup = parse("""
        mailaudit: 1
        accounts:
          - name: a
            incoming: &secure { protocol: imap, host: mail.example.com, tls: implicit }
          - name: b
            incoming:
              <<: *secure
              host: other.example.com
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.endpoints.map(\.host) == ["mail.example.com", "other.example.com"])
        #expect(setup.endpoints.allSatisfy { $0.tls == .implicit && $0.port == 993 })
    }

    @Test func detection() {
        let f = NativeYAMLFormat()
        #expect(f.matches(fileName: "office.mailaudit.yml", path: "x/office.mailaudit.yml"))
        #expect(f.matches(fileName: "mail-setup.yml", path: "mail-setup.yml"))
        #expect(!f.matches(fileName: ".mailaudit.yml", path: ".mailaudit.yml"))
        #expect(f.matches(content: SourceFile(path: "x.yml", text: "# hi\nmailaudit: 1\n")))
        #expect(!f.matches(content: SourceFile(path: "x.yml", text: "spring:\n  mail: {}\n")))
    }
}

@Suite struct SafeYAMLTests {
    static let billionLaughs = """
    mailaudit: 1
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    accounts: *i
    """

    @Test func billionLaughsIsRejected() {
        let setup = TestSupport.parse(Self.billionLaughs, format: "mailaudit-yaml")
        #expect(!setup.problems.isEmpty)
        #expect(setup.problems.contains { $0.message.contains("expands to more than") || $0.message.contains("unknown key") })
    }

    @Test func walkingAliasedStructureHitsTheBudget() throws {
        let root = try #require(try SafeYAML.document(SourceFile(path: "b.yml", text: Self.billionLaughs)))
        do {
            _ = try root.flattened(budget: YAMLBudget(path: "b.yml"))
            Issue.record("expected the budget to stop the walk")
        } catch {
            #expect(error.message.contains("expands to more than"))
        }
    }

    @Test func aliasAsMappingKeyIsRejected() {
        let text = """
        mailaudit: 1
        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b {*a: 1, x: 2}
        c: {*b : 1}
        """
        let setup = TestSupport.parse(text, format: "mailaudit-yaml")
        let p = setup.problems.first
        #expect(p?.message.contains("used as a mapping key") == true)
        #expect(p?.span?.line == 3 && p?.span?.column == 8)
    }

    @Test func aliasValuesAndStarsInStringsAreFine() throws {
        let setup = TestSupport.parse("mailaudit: 1\n# a *comment: here\naccounts:\n  - name: \"*star: x\"\n    incoming: {protocol: imap, tls: implicit}\n", format: "mailaudit-yaml")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
    }

    @Test func byteOrderMarkIsStripped() {
        let setup = TestSupport.parse("\u{FEFF}mailaudit: 1\naccounts: []\n", format: "mailaudit-yaml")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
    }

    @Test func invalidBytesAndBinaryAreReportedWithPosition() {
        do {
            _ = try SourceFile.decode(Data("mailaudit: 1\nab\u{0}c\n".utf8), path: "bin")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("NUL byte") && error.span?.line == 2 && error.span?.column == 3)
        }
        do {
            _ = try SourceFile.decode(Data([0x61, 0x0A, 0x62, 0xFF, 0x0A]), path: "latin")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("0xFF") && error.span?.line == 2 && error.span?.column == 2)
        }
    }

    @Test func hugeInputIsRefused() {
        let big = Data(repeating: 0x61, count: SourceFile.sizeLimit + 1)
        do { _ = try SourceFile.decode(big, path: "big"); Issue.record("expected an error") } catch {
            #expect(error.message.contains("larger than"))
        }
    }
}
