import Foundation
import MailAuditCore
import NIOSSL

typealias MailAuditCoreTLSVersion = MailAuditCore.TLSVersion

/// The fields of a TLS ServerHello that NIOSSL does not expose: the negotiated cipher suite (and
/// the version, as a cross-check). Read from the raw bytes the server sent first.
struct ServerHello: Equatable {
    var version: MailAuditCoreTLSVersion?
    var cipherSuite: UInt16

    /// Parses the first handshake message of the server's first records; nil when it is not a ServerHello.
    static func parse(_ bytes: [UInt8]) -> ServerHello? {
        // Concatenate the payloads of leading handshake records (type 22): a ServerHello may span records.
        var handshake: [UInt8] = []
        var i = 0
        while i + 5 <= bytes.count, bytes[i] == 22 {
            let length = Int(bytes[i + 3]) << 8 | Int(bytes[i + 4])
            let end = min(bytes.count, i + 5 + length)
            handshake += bytes[(i + 5)..<end]
            i += 5 + length
            if handshake.count >= 4, handshake.count >= 4 + (Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])) { break }
        }
        guard handshake.count >= 4, handshake[0] == 2 else { return nil }
        var p = 4
        func u8() -> Int? { guard p < handshake.count else { return nil }; defer { p += 1 }; return Int(handshake[p]) }
        func u16() -> Int? { guard p + 1 < handshake.count else { return nil }; defer { p += 2 }; return Int(handshake[p]) << 8 | Int(handshake[p + 1]) }
        guard let legacy = u16() else { return nil }
        p += 32  // random
        guard let sessionLength = u8() else { return nil }
        p += sessionLength
        guard let suite = u16(), u8() != nil else { return nil }
        var version = TLSNames.wireVersion(legacy)
        if let extensionsLength = u16() {
            let end = min(handshake.count, p + extensionsLength)
            while p + 4 <= end, let type = u16(), let length = u16() {
                if type == 0x002B, length == 2, let selected = u16() { version = TLSNames.wireVersion(selected) } else { p += length }
            }
        }
        return ServerHello(version: version, cipherSuite: UInt16(suite))
    }
}

/// Names of TLS versions and cipher suites.
enum TLSNames {
    static func version(_ v: NIOSSL.TLSVersion) -> MailAuditCoreTLSVersion? {
        switch v {
        case .tlsv1: return .tls10
        case .tlsv11: return .tls11
        case .tlsv12: return .tls12
        case .tlsv13: return .tls13
        }
    }

    static func wireVersion(_ v: Int) -> MailAuditCoreTLSVersion? {
        switch v {
        case 0x0200, 0x0002: return .ssl2
        case 0x0300: return .ssl3
        case 0x0301: return .tls10
        case 0x0302: return .tls11
        case 0x0303: return .tls12
        case 0x0304: return .tls13
        default: return nil
        }
    }

    /// How a version is written for people: `TLS 1.3`, `SSL 3`.
    static func display(_ v: MailAuditCoreTLSVersion) -> String {
        switch v {
        case .ssl2: return "SSL 2"
        case .ssl3: return "SSL 3"
        case .tls10: return "TLS 1.0"
        case .tls11: return "TLS 1.1"
        case .tls12: return "TLS 1.2"
        case .tls13: return "TLS 1.3"
        }
    }

    /// IANA names of the suites a client is likely to meet; others print as hex.
    static let suites: [UInt16: String] = [
        0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
        0x1304: "TLS_AES_128_CCM_SHA256", 0x1305: "TLS_AES_128_CCM_8_SHA256",
        0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA", 0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0005: "TLS_RSA_WITH_RC4_128_SHA", 0x0004: "TLS_RSA_WITH_RC4_128_MD5",
    ]

    static func cipher(_ code: UInt16) -> String {
        suites[code] ?? String(format: "0x%04X", code)
    }
}

/// The parts of the server certificate a report shows, taken on the event loop.
struct CertificateSummary: Sendable {
    var subject: String
    var issuer: String
    var dnsNames: [String]
    var ipAddresses: [String]
    var commonName: String?
    var notBefore: Date
    var notAfter: Date

    init(_ certificate: NIOSSLCertificate) {
        subject = Self.name(certificate.subjectName)
        issuer = Self.name(certificate.issuerName)
        commonName = certificate.subjectName.first { $0.type == .commonName }?.value
        var dns: [String] = [], ips: [String] = []
        for san in certificate._subjectAlternativeNames() {
            let bytes = san.contents.withUnsafeBufferPointer { Array($0) }
            switch san.nameType {
            case .dnsName: dns.append(String(decoding: bytes, as: UTF8.self))
            case .ipAddress: ips.append(Self.ip(bytes))
            default: break
            }
        }
        dnsNames = dns
        ipAddresses = ips
        notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
    }

    init(subject: String, issuer: String, dnsNames: [String], ipAddresses: [String], commonName: String?, notBefore: Date, notAfter: Date) {
        self.subject = subject
        self.issuer = issuer
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.commonName = commonName
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    static func name(_ parts: [SSLCertificateName]) -> String {
        parts.map { part -> String in
            let key: String
            switch part.type {
            case .commonName: key = "CN"
            case .organization: key = "O"
            case .organizationalUnit: key = "OU"
            case .country: key = "C"
            case .state: key = "ST"
            case .city: key = "L"
            case .emailAddress: key = "emailAddress"
            default: key = "?"
            }
            return "\(key)=\(part.value)"
        }.joined(separator: ", ")
    }

    static func ip(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes.count == 16 {
            return stride(from: 0, to: 16, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
        return bytes.map { String($0, radix: 16) }.joined(separator: ".")
    }

    /// Whether the certificate names `host` (RFC 6125: DNS names with a left-most wildcard label,
    /// IP addresses against IP entries; the common name only when there are no DNS names).
    func names(_ host: String) -> Bool {
        let wanted = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]."))
        if Self.isIPAddress(wanted) {
            return ipAddresses.contains { Self.normalizeIP($0) == Self.normalizeIP(wanted) }
        }
        let candidates = dnsNames.isEmpty ? (commonName.map { [$0] } ?? []) : dnsNames
        return candidates.contains { Self.match(pattern: $0.lowercased(), host: wanted) }
    }

    static func match(pattern: String, host: String) -> Bool {
        let pattern = pattern.hasSuffix(".") ? String(pattern.dropLast()) : pattern
        if pattern == host { return true }
        guard pattern.hasPrefix("*.") else { return false }
        let suffix = pattern.dropFirst(1)  // ".example.com"
        guard host.hasSuffix(suffix) else { return false }
        let label = host.dropLast(suffix.count)
        return !label.isEmpty && !label.contains(".")
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    static func normalizeIP(_ text: String) -> String {
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }.map { String(format: "%02x", $0) }.joined()
        }
        return text
    }
}

extension CertificateSummary {
    var selfSigned: Bool { subject == issuer }

    /// The names the certificate carries, for messages.
    var namesForMessages: String {
        let all = dnsNames + ipAddresses
        if all.isEmpty { return commonName.map { "CN=\($0)" } ?? "no names" }
        return all.joined(separator: ", ")
    }
}
