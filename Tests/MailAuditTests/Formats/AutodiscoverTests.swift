import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct AutodiscoverTests {
    func parse(_ text: String, path: String = "autodiscover.xml") -> MailSetup { TestSupport.parse(text, format: "autodiscover", path: path) }

    func response(_ protocols: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
          <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
            <Account>
              <AccountType>email</AccountType>
              <Action>settings</Action>
        \(protocols)
            </Account>
          </Response>
        </Autodiscover>
        """
    }

    @Test func protocolsWithPositionsAndDefaults() throws {
        let setup = parse(response("""
              <Protocol>
                <Type>IMAP</Type>
                <Server>mail.example.test</Server>
                <Port>993</Port>
              </Protocol>
              <Protocol>
                <Type>POP3</Type>
                <Server>mail.example.test</Server>
                <Port>110</Port>
                <SSL>off</SSL>
                <SPA>off</SPA>
              </Protocol>
              <Protocol>
                <Type>SMTP</Type>
                <Server>mail.example.test</Server>
                <Port>587</Port>
                <SSL>on</SSL>
                <Encryption>TLS</Encryption>
                <AuthRequired>off</AuthRequired>
              </Protocol>
              <Protocol><Type>EXCH</Type><Server>ex.example.test</Server></Protocol>
        """))
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.endpoints.count == 3)
        let imap = setup.endpoints[0]
        // SSL absent means on; on the implicit-TLS port that is implicit TLS. SPA absent means on (NTLM).
        #expect(imap.protocol == .imap && imap.direction == .incoming && imap.role == .client)
        #expect(imap.host == "mail.example.test" && imap.port == 993 && imap.tls == .implicit && imap.tlsRequired == true)
        #expect(imap.span(of: .tls) == imap.location && imap.auth == ["ntlm"])
        #expect(imap.location == SourceSpan(path: "autodiscover.xml", line: 7, column: 7, endLine: 7, endColumn: 17))
        #expect(imap.span(of: .port) == SourceSpan(path: "autodiscover.xml", line: 10, column: 15, endLine: 10, endColumn: 18))
        let pop = setup.endpoints[1]
        #expect(pop.tls == TLSMode.none && pop.tlsRequired == false && pop.auth == ["password"])
        #expect(pop.span(of: .tls).line == 16 && pop.span(of: .tls).column == 14)
        let smtp = setup.endpoints[2]
        #expect(smtp.direction == .outgoing && smtp.tls == .starttls && smtp.tlsRequired == true && smtp.auth == [])
        #expect(smtp.span(of: .tls).line == 24)
        #expect(smtp.related[.tls]?.first?.line == 23)
    }

    @Test func sslOnPicksTheModeFromThePortAndBadValuesAreReported() {
        let setup = parse(response("""
              <Protocol><Type>SMTP</Type><Server>s</Server><Port>587</Port><SSL>on</SSL></Protocol>
              <Protocol><Type>SMTP</Type><Server>s</Server><Port>465</Port><SSL>on</SSL></Protocol>
              <Protocol><Type>IMAP</Type><Server>i</Server><Port>993</Port><SSL>SSL</SSL></Protocol>
              <Protocol><Type>IMAP</Type><Server>i</Server><Port>143</Port><Encryption>Auto</Encryption></Protocol>
              <Protocol><Type>IMAPS</Type><Server>i</Server></Protocol>
        """))
        #expect(setup.endpoints.map(\.tls) == [.starttls, .implicit, nil, nil])
        #expect(setup.endpoints[3].tlsRequired == false)
        let messages = setup.problems.map(\.message)
        #expect(messages.contains { $0.contains("IMAPS") && $0.contains("did you mean") })
    }

    @Test func sslValuesOtherThanOnOrOffLeaveTheModeUnknownWithoutAnError() {
        // Clients read such a response (Thunderbird takes anything but `off` as on): no parse
        // error, and the TLS mode is neither on nor off in the model.
        let setup = parse(response("""
              <Protocol><Type>IMAP</Type><Server>i</Server><Port>993</Port><SSL>SSL</SSL></Protocol>
              <Protocol><Type>SMTP</Type><Server>s</Server><Port>587</Port><SSL>TLS</SSL></Protocol>
        """))
        #expect(setup.problems.isEmpty)
        #expect(setup.endpoints.map(\.tls) == [nil, nil])
        #expect(setup.endpoints.map(\.tlsRequired) == [nil, nil])
        #expect(setup.endpoints[1].spans[.tls] != nil)
    }

    @Test func emptyResponseWithOnlyACommentIsClean() {
        let setup = parse("<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n<!-- pwned -->\n</Autodiscover>\n")
        #expect(setup.problems.isEmpty && setup.endpoints.isEmpty)
    }

    @Test func requestsAndOtherDocumentsAreNotResponses() {
        let request = parse("<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>a@b</EMailAddress></Request></Autodiscover>")
        #expect(request.problems.first?.message.contains("request, not a response") == true)
        #expect(parse("<clientConfig/>").problems.first?.message.contains("not <Autodiscover>") == true)
        let broken = parse("<Autodiscover>\n  <Response>\n    <Account>\n</Autodiscover>\n")
        #expect(broken.problems.first?.span?.line == 4)
    }

    @Test func jsonAutodiscoverGetsAPreciseError() {
        let v2 = parse("{\"Protocol\":\"AutodiscoverV1\",\"Url\":\"https://autodiscover.example.test/Autodiscover/Autodiscover.xml\"}", path: "autodiscover.json")
        #expect(v2.problems.count == 1)
        #expect(v2.problems[0].message.contains("Autodiscover v2 JSON") && v2.problems[0].message.contains("https://autodiscover.example.test"))
        let other = parse("{\n  \"server\": {\"imap\": {\"host\": \"h\", \"port\": 993}}\n}\n", path: "autodiscover.json")
        #expect(other.problems.first?.message.contains("JSON Autodiscover is not supported") == true)
        let broken = parse("{ \"Protocol\": ", path: "autodiscover.json")
        #expect(broken.problems.first?.message.contains("not valid JSON") == true)
    }

    @Test func inlineSuppression() {
        let text = response("""
              <Protocol>
                <Type>IMAP</Type>
                <Server>mail.example.test</Server>
                <Port>143</Port>
                <SSL>off</SSL> <!-- mailaudit: disable=MA102 reason="lab only" -->
                <SPA>on</SPA>
              </Protocol>
        """)
        let result = TestSupport.lint(text, format: "autodiscover")
        #expect(result.findings.first { $0.ruleId == "MA102" }?.suppression?.justification == "lab only")
    }

    @Test func detection() {
        let format = AutodiscoverFormat()
        #expect(format.matches(fileName: "Autodiscover.xml", path: "Autodiscover/Autodiscover.xml"))
        #expect(format.matches(fileName: "autodiscover.json", path: "autodiscover/autodiscover.json"))
        #expect(format.matches(content: SourceFile(path: "x.xml", text: response(""))))
        #expect(!format.matches(content: SourceFile(path: "x.xml", text: "<clientConfig/>")))
    }

    /// The Examples report what Examples/README.md says they report.
    @Test func examplesReportWhatTheREADMESays() throws {
        let expected: [String: [String]] = [
            "autodiscover/insecure/autodiscover.xml": ["MA101", "MA102", "MA103", "MA103", "MA107", "MA203", "MA302"],
            "autodiscover/secure/autodiscover.xml": [],
        ]
        for (path, ids) in expected {
            let text = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("Examples/\(path)"), encoding: .utf8)
            let result = TestSupport.lint(text, format: "autodiscover", path: path)
            #expect(result.problems.isEmpty, "\(path): \(result.problems)")
            #expect(result.findings.map(\.ruleId).sorted() == ids, "\(path)")
        }
    }
}
