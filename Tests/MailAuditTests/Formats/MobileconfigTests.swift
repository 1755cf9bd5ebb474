import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct MobileconfigTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "mobileconfig", path: "mail.mobileconfig") }

    /// A profile around one com.apple.mail.managed payload's keys.
    func profile(_ keys: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <plist version="1.0">
        <dict>
        \t<key>PayloadContent</key>
        \t<array>
        \t\t<dict>
        \t\t\t<key>PayloadType</key>
        \t\t\t<string>com.apple.mail.managed</string>
        \(keys)
        \t\t</dict>
        \t</array>
        \t<key>PayloadType</key>
        \t<string>Configuration</string>
        </dict>
        </plist>
        """
    }

    @Test func payloadKeysWithPositions() throws {
        let setup = parse(profile("""
        \t\t\t<key>EmailAccountType</key>
        \t\t\t<string>EmailTypeIMAP</string>
        \t\t\t<key>EmailAddress</key>
        \t\t\t<string>ann@example.test</string>
        \t\t\t<key>IncomingMailServerHostName</key>
        \t\t\t<string>imap.example.test</string>
        \t\t\t<key>IncomingMailServerPortNumber</key>
        \t\t\t<integer>993</integer>
        \t\t\t<key>IncomingMailServerUseSSL</key>
        \t\t\t<false/>
        \t\t\t<key>IncomingMailServerAuthentication</key>
        \t\t\t<string>EmailAuthPassword</string>
        \t\t\t<key>IncomingPassword</key>
        \t\t\t<string>s3cret</string>
        \t\t\t<key>OutgoingMailServerHostName</key>
        \t\t\t<string>smtp.example.test</string>
        \t\t\t<key>OutgoingMailServerPortNumber</key>
        \t\t\t<integer>25</integer>
        \t\t\t<key>OutgoingPasswordSameAsIncomingPassword</key>
        \t\t\t<true/>
        """))
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.endpoints.count == 2)
        let incoming = setup.endpoints[0]
        #expect(incoming.account == "ann@example.test" && incoming.protocol == .imap && incoming.direction == .incoming)
        #expect(incoming.host == "imap.example.test" && incoming.port == 993 && incoming.tls == TLSMode.none && incoming.tlsRequired == false)
        #expect(incoming.auth == ["plain"] && incoming.credential == .inline)
        #expect(incoming.span(of: .port) == SourceSpan(path: "mail.mobileconfig", line: 17, column: 13, endLine: 17, endColumn: 16))
        #expect(incoming.span(of: .tls) == SourceSpan(path: "mail.mobileconfig", line: 19, column: 4, endLine: 19, endColumn: 12))
        #expect(setup.secrets == [SourceSpan(path: "mail.mobileconfig", line: 23, column: 12, endLine: 23, endColumn: 18)])
        #expect(incoming.location.line == 7)
        // Outgoing: UseSSL absent means no TLS (pointing at the payload); the password is the incoming one.
        let outgoing = setup.endpoints[1]
        #expect(outgoing.protocol == .smtp && outgoing.port == 25 && outgoing.tls == TLSMode.none)
        #expect(outgoing.span(of: .tls) == outgoing.location)
        #expect(outgoing.credential == .inline && outgoing.span(of: .credential).line == 29)
        let ids = Set(TestSupport.lint(profile(""), format: "mobileconfig").findings.map(\.ruleId))
        #expect(ids.contains("MA102"))
    }

    @Test func useSSLPicksTheModeFromThePort() {
        let setup = parse(profile("""
        \t\t\t<key>EmailAccountType</key><string>EmailTypePOP</string>
        \t\t\t<key>IncomingMailServerHostName</key><string>pop.example.test</string>
        \t\t\t<key>IncomingMailServerUseSSL</key><true/>
        \t\t\t<key>OutgoingMailServerHostName</key><string>smtp.example.test</string>
        \t\t\t<key>OutgoingMailServerPortNumber</key><integer>587</integer>
        \t\t\t<key>OutgoingMailServerUseSSL</key><true/>
        \t\t\t<key>OutgoingMailServerAuthentication</key><string>EmailAuthNone</string>
        """))
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let pop = setup.endpoints[0]
        #expect(pop.protocol == .pop3 && pop.tls == .implicit && pop.port == 995 && pop.portIsDefault && pop.verifyCertificate == true)
        let smtp = setup.endpoints[1]
        #expect(smtp.tls == .starttls && smtp.tlsRequired == true && smtp.auth == [] && smtp.credential == CredentialKind.none)
    }

    @Test func smimeContentEncryption() {
        func encryption(_ keys: String) -> ContentEncryption? {
            parse(profile("\t\t\t<key>EmailAccountType</key><string>EmailTypeIMAP</string>\n" + keys)).identities.first?.contentEncryption
        }
        #expect(encryption("") == .never)
        #expect(encryption("<key>SMIMEEncryptByDefault</key><true/><key>SMIMEEnablePerMessageSwitch</key><true/>") == .always)
        #expect(encryption("<key>SMIMEEncryptionEnabled</key><true/>") == .always)
        #expect(encryption("<key>SMIMEEncryptByDefault</key><false/><key>SMIMEEnablePerMessageSwitch</key><true/>") == .perMessage)
        #expect(encryption("<key>SMIMEEncryptionCertificateUUID</key><string>A-B</string>") == .perMessage)
        #expect(encryption("<key>SMIMEEnabled</key><true/>") == .perMessage)
        let setup = parse(profile("\t\t\t<key>EmailAccountType</key><string>EmailTypeIMAP</string>\n\t\t\t<key>SMIMEEnablePerMessageSwitch</key><true/>"))
        #expect(setup.identities.first?.spans["contentEncryption"]?.line == 11)
    }

    @Test func malformedPlistsAreReported() {
        let setup = parse(profile("""
        \t\t\t<key>EmailAccountType</key>
        \t\t\t<key>OutgoingMailServerPortNumber</key><string>587</string>
        \t\t\t<key>OutgoingMailServerUseSSL</key><string>yes</string>
        """))
        let messages = setup.problems.map(\.message)
        #expect(messages.contains { $0.contains("<key>EmailAccountType</key> has no value") })
        #expect(messages.contains { $0.contains("PortNumber must be an <integer>") })
        #expect(messages.contains { $0.contains("UseSSL must be <true/> or <false/>") })
        #expect(parse("<plist version=\"1.0\"><array/></plist>").problems.first?.message.contains("is a <dict>") == true)
        let broken = parse("<plist>\n<dict>\n<key>PayloadContent</key>\n<array>\n</dict>\n</plist>\n")
        #expect(broken.problems.first?.span?.line == 5)
    }

    @Test func profilesWithoutMailPayloadsAreEmpty() {
        let setup = parse("""
        <plist version="1.0"><dict><key>PayloadContent</key><array><dict>
        <key>PayloadType</key><string>com.apple.eas.account</string><key>Host</key><string>eas.example.test</string>
        </dict></array></dict></plist>
        """)
        #expect(setup.problems.isEmpty && setup.endpoints.isEmpty && setup.identities.isEmpty)
    }

    func decodeError(_ data: Data) -> String? {
        do {
            _ = try SourceFile.decode(data, path: "profile.mobileconfig")
            return nil
        } catch {
            return error.message
        }
    }

    @Test func signedAndBinaryProfilesSaySo() throws {
        var signed = Data([0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02, 0xA0, 0x80])
        signed += Data("<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>PayloadContent</key></dict></plist>".utf8)
        signed += Data([0x00, 0x00, 0xA0, 0x82])
        #expect(decodeError(signed)?.contains("signed configuration profile") == true)
        var binary = Data("bplist00".utf8)
        binary += Data([0xD1, 0x01, 0x02, 0x51, 0x61, 0x51, 0x62, 0x08, 0x0B, 0x00, 0x00])
        #expect(decodeError(binary)?.contains("binary property list") == true)
        #expect(parse("bplist00").problems.first?.message.contains("binary property list") == true)
    }

    @Test func detection() {
        let format = MobileconfigFormat()
        #expect(format.matches(fileName: "Mail.mobileconfig", path: "x/Mail.mobileconfig"))
        #expect(!format.matches(fileName: "ios-profile.xml", path: "conf/ios-profile.xml"))
        #expect(format.matches(content: SourceFile(path: "ios-profile.xml", text: profile(""))))
        #expect(!format.matches(content: SourceFile(path: "Info.plist", text: "<plist version=\"1.0\"><dict><key>CFBundleName</key><string>x</string></dict></plist>")))
    }

    /// The Examples report what Examples/README.md says they report.
    @Test func examplesReportWhatTheREADMESays() throws {
        let expected: [String: [String]] = [
            "mobileconfig/insecure.mobileconfig": ["MA101", "MA102", "MA103", "MA103", "MA203", "MA301", "MA401", "MA501", "MA501"],
            "mobileconfig/secure.mobileconfig": [],
        ]
        for (path, ids) in expected {
            let text = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("Examples/\(path)"), encoding: .utf8)
            let result = TestSupport.lint(text, format: "mobileconfig", path: path)
            #expect(result.problems.isEmpty, "\(path): \(result.problems)")
            #expect(result.findings.map(\.ruleId).sorted() == ids, "\(path)")
        }
    }
}
