import Foundation
import MailAuditCore
@testable import MailAuditProbe
import MailAuditRules
import MailAuditTestSupport
import Testing

/// The parts of the probe that need no network: target syntax, reply parsers, the ServerHello
/// reader, certificate names, and the observation → MA80x mapping.
@Suite struct ProbeUnitTests {
    let ports = TestSupport.ruleSet.ports

    @Test func targetsTakeProtocolAndModeFromArgumentOrPort() throws {
        let imaps = try ProbeTargetParser.parse("mail.example.com:993", ports: ports)
        #expect(imaps.protocol == .imap && imaps.expectedTLS == .implicit && imaps.claim == .port)
        let submission = try ProbeTargetParser.parse("mx.example.com:587", ports: ports)
        #expect(submission.protocol == .smtp && submission.expectedTLS == .starttls)
        let custom = try ProbeTargetParser.parse("127.0.0.1:10993/imaps", ports: ports)
        #expect(custom.protocol == .imap && custom.expectedTLS == .implicit && custom.claim == .argument)
        let auto = try ProbeTargetParser.parse("127.0.0.1:10143/imap", ports: ports)
        #expect(auto.expectedTLS == nil && auto.claim == .none)
        let v6 = try ProbeTargetParser.parse("[::1]:995", ports: ports)
        #expect(v6.host == "::1" && v6.protocol == .pop3 && v6.address == "[::1]:995")
        // 2525 is offered both ways: the port claims nothing.
        #expect(try ProbeTargetParser.parse("smtp.example.com:2525", ports: ports).expectedTLS == nil)
        let forced = try ProbeTargetParser.parse("127.0.0.1:2525", ports: ports, forcedTLS: .implicit)
        #expect(forced.expectedTLS == .implicit && forced.claim == .argument)
    }

    @Test func badTargetsSayWhatIsWrong() {
        for (text, phrase) in [("mail.example.com", "no port"), ("mail.example.com:99999", "not a port"),
                               ("mail.example.com:10000", "name the protocol"), ("h:25/smtq", "unknown protocol"), (":25", "no host")] {
            #expect(throws: ProbeTargetParser.Failure.self) { try ProbeTargetParser.parse(text, ports: ports) }
            do { _ = try ProbeTargetParser.parse(text, ports: ports) } catch { #expect(error.description.contains(phrase), "\(text): \(error)") }
        }
    }

    @Test func replyParsersFindTheEndAndRejectGarbage() throws {
        let smtp = Array("250-mx.example\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\nextra".utf8)
        let parsed = try #require(try Parsers.smtp.parse(smtp))
        #expect(parsed.lines == ["250-mx.example", "250-STARTTLS", "250 AUTH PLAIN"])
        #expect(parsed.consumed == smtp.count - 5)
        #expect(try Parsers.smtp.parse(Array("220-partial\r\n".utf8)) == nil)
        #expect(throws: ProbeFailure.self) { try Parsers.smtp.parse(Array("HTTP/1.1 400".utf8)) }
        #expect(throws: ProbeFailure.self) { try Parsers.imapGreeting.parse([0x16, 0x03, 0x01]) }
        #expect(throws: ProbeFailure.self) { try Parsers.pop3Line.parse(Array("* OK imap".utf8)) }
        let imap = try #require(try Parsers.imapTagged("a1").parse(Array("* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n".utf8)))
        #expect(imap.lines.count == 2)
        let capa = try #require(try Parsers.pop3MultiLine.parse(Array("USER\r\nSTLS\r\n.\r\n".utf8)))
        #expect(capa.lines == ["USER", "STLS"])
    }

    @Test func serverHelloGivesVersionAndCipher() throws {
        // A TLS 1.3 ServerHello: legacy version 1.2, supported_versions = 1.3, TLS_AES_256_GCM_SHA384.
        var body: [UInt8] = [0x03, 0x03] + Array(repeating: 0xAB, count: 32) + [0x00] + [0x13, 0x02] + [0x00]
        let ext: [UInt8] = [0x00, 0x2B, 0x00, 0x02, 0x03, 0x04]
        body += [0x00, UInt8(ext.count)] + ext
        let handshake: [UInt8] = [0x02, 0x00, 0x00, UInt8(body.count)] + body
        let record: [UInt8] = [0x16, 0x03, 0x03, 0x00, UInt8(handshake.count)] + handshake
        let hello = try #require(ServerHello.parse(record))
        #expect(hello.version == .tls13)
        #expect(TLSNames.cipher(hello.cipherSuite) == "TLS_AES_256_GCM_SHA384")
        #expect(ServerHello.parse(Array("* OK ready\r\n".utf8)) == nil)
        #expect(TLSNames.cipher(0xFFFF) == "0xFFFF")
    }

    @Test func certificateNamesFollowRFC6125() {
        let c = CertificateSummary(subject: "CN=mail.example.com", issuer: "CN=CA", dnsNames: ["mail.example.com", "*.example.org"],
                                   ipAddresses: ["127.0.0.1", "0:0:0:0:0:0:0:1"], commonName: "mail.example.com",
                                   notBefore: Date(), notAfter: Date())
        #expect(c.names("mail.example.com") && c.names("MAIL.example.com."))
        #expect(c.names("imap.example.org") && !c.names("a.b.example.org") && !c.names("example.org"))
        #expect(c.names("127.0.0.1") && c.names("::1") && !c.names("127.0.0.2"))
        #expect(!c.names("other.example.com"))
    }

    // MARK: observations → issues

    func result(_ mode: TLSMode?, _ proto: MailProtocol = .imap, configure: (inout ProbeResult) -> Void) -> ProbeResult {
        var r = ProbeResult(target: ProbeTarget(host: "mail.example.com", port: 10000, protocol: proto, expectedTLS: mode, claim: .configuration))
        r.connectedAddress = "192.0.2.1:10000"
        configure(&r)
        return r
    }

    func ids(_ r: ProbeResult) -> [String] { ProbeRules.evaluate(r).map(\.ruleId) }

    @Test func mappingCoversEveryProbeRule() {
        var unreachable = ProbeResult(target: ProbeTarget(host: "h", port: 993, protocol: .imap, expectedTLS: .implicit, claim: .port))
        unreachable.connectError = "connection refused (nothing listens on the port)"
        #expect(ids(unreachable) == ["MA806"])

        let plaintextOnImplicit = result(.implicit) {
            $0.implicitTLS = TLSAttempt()
            $0.implicitTLS?.error = "the server's reply is not TLS (wrong version number)"
            $0.implicitTLS?.plaintextReply = "\"* OK ready\""
        }
        #expect(ids(plaintextOnImplicit) == ["MA801"])
        #expect(ProbeRules.evaluate(plaintextOnImplicit)[0].message.contains("the configuration says implicit TLS"))

        let noStartTLS = result(.starttls, .smtp) {
            var p = PlaintextSession()
            p.greeting = "220 mx"
            p.capabilities = ["PIPELINING", "8BITMIME"]
            p.startTLSOffered = false
            $0.plaintext = p
        }
        #expect(ids(noStartTLS) == ["MA802"])
        #expect(ProbeRules.evaluate(noStartTLS)[0].message.contains("does not advertise STARTTLS (it lists: PIPELINING, 8BITMIME)"))

        let authBefore = result(.starttls, .pop3) {
            var p = PlaintextSession()
            p.greeting = "+OK"
            p.startTLSOffered = true
            p.plaintextLogin = "USER"
            $0.plaintext = p
            var s = TLSAttempt()
            s.succeeded = true
            s.version = .tls10
            $0.startTLS = s
        }
        #expect(ids(authBefore) == ["MA803", "MA805"])
        #expect(ProbeRules.evaluate(authBefore).last!.message.contains("the STLS upgrade negotiated TLS 1.0"))

        let badCert = result(.implicit) {
            var s = TLSAttempt()
            s.succeeded = true
            s.version = .tls13
            $0.implicitTLS = s
            $0.certificate = CertificateReport(subject: "CN=x", issuer: "CN=x", dnsNames: ["x"], ipAddresses: [], notBefore: Date(), notAfter: Date(),
                                               checkedName: "mail.example.com", verified: false, problems: ["does not name mail.example.com (it names x)"])
        }
        #expect(ids(badCert) == ["MA804"])

        let silent = result(.starttls, .smtp) {
            var p = PlaintextSession()
            p.error = "no complete SMTP greeting within 1 s (received nothing)"
            $0.plaintext = p
        }
        #expect(ids(silent) == ["MA806"])

        let fine = result(.implicit) {
            var s = TLSAttempt()
            s.succeeded = true
            s.version = .tls13
            $0.implicitTLS = s
        }
        #expect(ids(fine).isEmpty)
    }
}
