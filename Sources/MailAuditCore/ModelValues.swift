import Foundation

/// The closed vocabularies of the model. Raw values are the JSON spellings.

public enum Role: String, Codable, Sendable, CaseIterable { case client, server }

public enum Direction: String, Codable, Sendable, CaseIterable { case incoming, outgoing, relay, webmail }

public enum MailProtocol: String, Codable, Sendable, CaseIterable {
    case smtp, imap, pop3, pop2, kpop, imap3, imsp, qmtp, rmcp, mailq, lmtp, managesieve, http, odmr, etrn

    /// How the protocol is written in messages.
    public var displayName: String {
        switch self {
        case .managesieve: return "ManageSieve"
        case .kpop: return "KPOP"
        default: return rawValue.uppercased()
        }
    }
}

public enum Transport: String, Codable, Sendable, CaseIterable { case tcp, udp }

public enum TLSMode: String, Codable, Sendable, CaseIterable { case none, starttls, implicit }

public enum TLSVersion: String, Codable, Sendable, CaseIterable, Comparable {
    case ssl2, ssl3, tls10 = "tls1.0", tls11 = "tls1.1", tls12 = "tls1.2", tls13 = "tls1.3"

    public static func < (a: TLSVersion, b: TLSVersion) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Reads the spellings config files use: `1.2`, `TLSv1.2`, `tlsv1_2`, `SSLv3`, `tls1.2`.
    public init?(loose text: String) {
        var t = String(text.lowercased().filter { $0 != " " && $0 != "\t" }.map { $0 == "_" ? "." : $0 })
        if t.hasPrefix("tlsv") || t.hasPrefix("sslv") { t.remove(at: t.index(t.startIndex, offsetBy: 3)) }
        if t.first?.isNumber == true { t = "tls" + t }
        if t == "tls1" { t = "tls1.0" }
        if t == "ssl2.0" { t = "ssl2" }
        if t == "ssl3.0" { t = "ssl3" }
        guard let v = TLSVersion(rawValue: t) else { return nil }
        self = v
    }
}

public enum CredentialKind: String, Codable, Sendable, CaseIterable { case none, inline, command, keyring, file }

public enum ContentEncryption: String, Codable, Sendable, CaseIterable {
    case always, opportunistic, perMessage = "per-message", never
}

public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case note, warning, error

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    public var rank: Int { switch self { case .note: 0; case .warning: 1; case .error: 2 } }
}
