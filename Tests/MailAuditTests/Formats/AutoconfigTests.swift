import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

@Suite struct AutoconfigTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "autoconfig", path: "config-v1.1.xml") }

    /// `«…»` mark the POP3 server's spans: block, protocol, host, port, TLS; `↓` its authentication.
    static let sample = MarkedText("""
    <?xml version="1.0" encoding="UTF-8"?>
    <clientConfig version="1.1">
      <emailProvider id="example.test">
        <domain>example.test</domain>
        «<incomingServer type="«pop3»">»
          <hostname>«mail.example.test»</hostname><port>«110»</port>
          <socketType>«plain»</socketType>
          <authentication>↓password-cleartext</authentication>
          <username>%EMAILADDRESS%</username>
        </incomingServer>
        <incomingServer type="imap">
          <hostname>mail.example.test</hostname>
          <port>993</port>
          <socketType>SSL</socketType>
          <authentication>OAuth2</authentication>
          <authentication>password-cleartext</authentication>
        </incomingServer>
        <outgoingServer type="smtp">
          <hostname>mail.example.test</hostname><port>587</port>
          <socketType>STARTTLS</socketType>
          <authentication>password-encrypted</authentication>
          <username>%EMAILADDRESS%</username>
        </outgoingServer>
      </emailProvider>
    </clientConfig>
    """)

    @Test func everyServerWithPositions() throws {
        let setup = parse(Self.sample.text)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = setup.endpoints
        #expect(e.count == 3)
        let pop = e[0]
        #expect(pop.role == .client && pop.direction == .incoming && pop.protocol == .pop3 && pop.account == "example.test")
        #expect(pop.host == "mail.example.test" && pop.port == 110 && !pop.portIsDefault)
        #expect(pop.tls == TLSMode.none && pop.tlsRequired == false && pop.verifyCertificate == nil)
        #expect(pop.auth == ["plain"])
        let spans = Self.sample.spans(path: "config-v1.1.xml")
        #expect([pop.location, pop.span(of: .protocol), pop.span(of: .host), pop.span(of: .port), pop.span(of: .tls)] == spans)
        #expect(MarkedText.Position(line: pop.span(of: .auth).line, column: pop.span(of: .auth).column) == Self.sample.positions.first)
        let imap = e[1]
        #expect(imap.tls == .implicit && imap.tlsRequired == true && imap.verifyCertificate == true)
        #expect(imap.auth == ["oauth2", "plain"])
        // No default: verifyCertificate comes from Thunderbird's behaviour, so it points at the block.
        #expect(imap.span(of: .verifyCertificate) == imap.location)
        let smtp = e[2]
        #expect(smtp.direction == .outgoing && smtp.protocol == .smtp && smtp.tls == .starttls && smtp.tlsRequired == true)
        #expect(smtp.auth == ["cram-md5"])
    }

    @Test func findingsOnTheSample() {
        let result = TestSupport.lint(Self.sample.text, format: "autoconfig")
        let ids = Set(result.findings.map(\.ruleId))
        #expect(ids == ["MA102", "MA103", "MA203"])
        let ma102 = result.findings.first { $0.ruleId == "MA102" }
        #expect(ma102?.span.line == 7 && ma102?.span.column == 19)
    }

    @Test func placeholdersAreUnknownNotErrors() throws {
        let setup = parse("""
        <clientConfig version="1.1"><emailProvider id="%INFO/DOMAIN%">
          <incomingServer type="imap">
            <hostname>%SERVER/IMAP/HOST%</hostname>
            <port>%SERVER/IMAP/PORT%</port>
            <socketType>%SERVER/IMAP/SOCKET%</socketType>
            <authentication>password-cleartext</authentication>
          </incomingServer>
          <outgoingServer type="smtp">
            <hostname>smtp.%EMAILDOMAIN%</hostname><port>465</port><socketType>SSL</socketType>
            <authentication>password-cleartext</authentication>
          </outgoingServer>
        </emailProvider></clientConfig>
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == nil && e.port == nil && e.tls == nil && e.tlsRequired == nil && e.account == nil)
        #expect(setup.endpoints[1].host == "smtp.%EMAILDOMAIN%")
    }

    @Test func missingOrUnknownValuesAreReportedAndTheRestIsRead() throws {
        let setup = parse("""
        <clientConfig>
          <emailProvider id="x.test">
            <incomingServer type="imap">
              <hostname>imap.x.test</hostname>
              <port>993</port>
              <ssl>true</ssl>
              <authentication>password</authentication>
            </incomingServer>
            <incomingServer type="pop">
              <hostname>pop.x.test</hostname><port>995</port><socketType>SSL</socketType>
              <authentication>password-cleartext</authentication>
            </incomingServer>
            <incomingServer type="exchange">
              <hostname>outlook.x.test</hostname><port>443</port><socketType>SSL</socketType>
              <authentication>OAuth2</authentication>
            </incomingServer>
            <outgoingServer type="smtp">
              <hostname>smtp.x.test</hostname><port>99999</port><socketType>ssl</socketType>
              <authentication>password-cleartext</authentication>
            </outgoingServer>
          </emailProvider>
        </clientConfig>
        """)
        let messages = setup.problems.map(\.message)
        #expect(messages.contains { $0.contains("no <socketType>") && $0.contains("<ssl>true</ssl> is not an autoconfig element") })
        #expect(messages.contains { $0.contains("'password' is not an autoconfig value") && $0.contains("password-cleartext") })
        #expect(messages.contains { $0.contains("type=\"pop\"") && $0.contains("did you mean 'pop3'") })
        #expect(messages.contains { $0.contains("from 1 to 65535") && $0.contains("99999") })
        #expect(messages.contains { $0.contains("case-sensitive") && $0.contains("'SSL'") })
        #expect(!messages.contains { $0.contains("exchange") })
        #expect(setup.problems.allSatisfy { $0.span != nil })
        // The IMAP and SMTP servers are still endpoints, with what could be read.
        #expect(setup.endpoints.count == 2)
        #expect(setup.endpoints[0].tls == nil && setup.endpoints[0].port == 993 && setup.endpoints[0].auth == nil)
        #expect(setup.endpoints[1].port == nil && setup.endpoints[1].tls == nil && setup.endpoints[1].auth == ["plain"])
    }

    @Test func aServerThunderbirdSkipsIsNoErrorWhenAnotherOfItsDirectionIsReadable() throws {
        // readFromXML skips an incoming or outgoing server it cannot read and uses the first one it
        // can; it refuses the file only when none of a direction is readable.
        let setup = parse("""
        <clientConfig version="1.1">
          <emailProvider id="x.test">
            <incomingServer type="pop">
              <hostname>pop.x.test</hostname><port>995</port><socketType>SSL</socketType>
              <authentication>password-cleartext</authentication>
            </incomingServer>
            <incomingServer type="imap">
              <hostname>imap.x.test</hostname><port>993</port><socketType>SSL</socketType>
              <authentication>password-cleartext</authentication>
            </incomingServer>
            <incomingServer type="imap">
              <hostname>imap2.x.test</hostname><port>143</port><ssl>true</ssl>
              <authentication>password-cleartext</authentication>
            </incomingServer>
            <outgoingServer type="smtp">
              <hostname>smtp.x.test</hostname><port>465</port><socketType>SSL</socketType>
              <authentication>password</authentication>
            </outgoingServer>
          </emailProvider>
        </clientConfig>
        """)
        // The outgoing server is the only one of its direction: still an error.
        #expect(setup.problems.count == 1)
        #expect(setup.problems.first?.message.contains("'password' is not an autoconfig value") == true)
        // The skipped incoming servers are not endpoints; the readable one is.
        #expect(setup.endpoints.filter { $0.direction == .incoming }.map(\.host) == ["imap.x.test"])
        #expect(setup.endpoints.filter { $0.direction == .outgoing }.count == 1)
    }

    @Test func malformedXMLKeepsTheServersReadBeforeIt() throws {
        let setup = parse("""
        <clientConfig version="1.1">
          <emailProvider id="x.test">
            <outgoingServer type="smtp">
              <hostname>smtp.x.test</hostname><port>25</port><socketType>plain</socketType>
              <authentication>none</authentication>
            </outgoingServer>
            <incomingServer type="imap">
              <hostname>imap.x.test</hostname>
              <port><993/port>
        """)
        let error = try #require(setup.problems.first)
        #expect(error.span?.line == 9 && error.span?.column == 14)
        #expect(error.message.contains("not well-formed XML"))
        #expect(setup.endpoints.count == 1)
        #expect(setup.endpoints[0].port == 25 && setup.endpoints[0].auth == [] && setup.endpoints[0].credential == CredentialKind.none)
    }

    @Test func notAClientConfig() {
        let setup = parse("<Autodiscover/>")
        #expect(setup.problems.first?.message.contains("not <clientConfig>") == true)
        let empty = parse("<clientConfig version=\"1.1\"/>")
        #expect(empty.problems.first?.message.contains("no <emailProvider>") == true)
    }

    @Test func everyEmailProviderAndInlinePasswords() throws {
        let marked = MarkedText("""
        <clientConfig>
          <emailProvider id="a.test">
            <outgoingServer type="smtp"><hostname>a</hostname><port>465</port><socketType>SSL</socketType>
              <authentication>password-cleartext</authentication><password>«hunter2»</password></outgoingServer>
          </emailProvider>
          <emailProvider id="b.test">
            <outgoingServer type="smtp"><hostname>b</hostname><port>465</port><socketType>SSL</socketType>
              <authentication>password-cleartext</authentication></outgoingServer>
          </emailProvider>
        </clientConfig>
        """)
        let setup = parse(marked.text)
        #expect(setup.endpoints.map(\.account) == ["a.test", "b.test"])
        #expect(setup.endpoints[0].credential == .inline)
        #expect(setup.secrets == marked.spans(path: "config-v1.1.xml"))
    }

    @Test func inlineSuppressionInAnXMLComment() {
        let text = """
        <clientConfig version="1.1">
          <emailProvider id="x.test">
            <incomingServer type="imap">
              <hostname>imap.x.test</hostname>
              <port>143</port>
              <!-- mailaudit: disable=MA102 reason="internal network only" -->
              <socketType>plain</socketType>
              <authentication>GSSAPI</authentication>
            </incomingServer>
          </emailProvider>
        </clientConfig>
        """
        let result = TestSupport.lint(text, format: "autoconfig")
        let ma102 = result.findings.first { $0.ruleId == "MA102" }
        #expect(ma102?.suppression?.kind == .inline)
        #expect(ma102?.suppression?.justification == "internal network only")
        #expect(!result.findings.contains { $0.ruleId == "MA001" })
    }

    @Test func detection() {
        let format = AutoconfigFormat()
        #expect(format.matches(fileName: "config-v1.1.xml", path: "/srv/www/mail/config-v1.1.xml"))
        #expect(format.matches(fileName: "config-v1.1", path: "mail/config-v1.1"))
        #expect(!format.matches(fileName: "gmail.com.xml", path: "ispdb/gmail.com.xml"))
        #expect(format.matches(content: SourceFile(path: "gmail.com", text: "\u{FEFF}<!-- ISPDB -->\n<clientConfig>\n</clientConfig>")))
        #expect(!format.matches(content: SourceFile(path: "x.xml", text: "<plist version=\"1.0\"/>")))
        let registry = FormatRegistry.builtIn
        #expect(registry.detect(fileName: "t-online.de_pop_ssl", path: "removed/t-online.de_pop_ssl") {
            SourceFile(path: "x", text: "<clientConfig version=\"1.1\"></clientConfig>")
        }?.id == "autoconfig")
    }

    @Test func walksFindISPDBFilesByContent() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ispdb = dir.appendingPathComponent("autoconfig/removed")
        try FileManager.default.createDirectory(at: ispdb, withIntermediateDirectories: true)
        let xml = "<clientConfig><emailProvider id=\"x\"></emailProvider></clientConfig>"
        try xml.write(to: ispdb.appendingPathComponent("gmail.com"), atomically: true, encoding: .utf8)
        try xml.write(to: dir.appendingPathComponent("provider.xml"), atomically: true, encoding: .utf8)
        try "not xml".write(to: ispdb.appendingPathComponent("README"), atomically: true, encoding: .utf8)
        try xml.write(to: dir.appendingPathComponent("example.com"), atomically: true, encoding: .utf8)  // not in an autoconfig folder
        let discovery = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path)
        let found = discovery.inputs(for: [dir.path]).inputs.map(\.displayPath).sorted()
        #expect(found == ["autoconfig/removed/gmail.com", "provider.xml"])
    }

    @Test func badBytesAndHugeInputs() {
        #expect(throws: ParseProblem.self) { try SourceFile.decode(Data([0x3C, 0x61, 0x3E, 0xFF, 0x3C]), path: "x.xml") }
        do {
            _ = try SourceFile.decode(Data("<clientConfig>\n<a>é".utf8) + Data([0xC3]), path: "x.xml")
        } catch {
            #expect(error.span?.line == 2 && error.message.contains("UTF-8"))
        }
        let huge = Data(repeating: 0x20, count: SourceFile.sizeLimit + 1)
        #expect(throws: ParseProblem.self) { try SourceFile.decode(huge, path: "x.xml") }
    }

    /// The Examples report what Examples/README.md says they report.
    @Test func examplesReportWhatTheREADMESays() throws {
        let expected: [String: [String]] = [
            "autoconfig/insecure/config-v1.1.xml": ["MA101", "MA102", "MA102", "MA102", "MA103", "MA103", "MA203", "MA301", "MA501"],
            "autoconfig/secure/config-v1.1.xml": [],
        ]
        for (path, ids) in expected {
            let text = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("Examples/\(path)"), encoding: .utf8)
            let result = TestSupport.lint(text, format: "autoconfig", path: path)
            #expect(result.problems.isEmpty, "\(path): \(result.problems)")
            #expect(result.findings.map(\.ruleId).sorted() == ids, "\(path)")
        }
    }
}
