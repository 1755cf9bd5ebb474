import Foundation

/// What a probe observed at one endpoint. Only observations: turning them into
/// findings is `ProbeRules`' job.
public struct ProbeResult: Sendable {
    public var target: ProbeTarget
    /// The address connected to (`127.0.0.1:993`), once a connection was made.
    public var connectedAddress: String?
    /// nil when the connection was made; otherwise why not (refused, timed out, no such host).
    public var connectError: String?
    /// The server's greeting, printable and shortened (SMTP 220, IMAP `* OK`, POP3 `+OK`).
    public var banner: String?
    /// The session before TLS: a plaintext connection (STARTTLS ports, or a server that answered
    /// a TLS handshake in plaintext).
    public var plaintext: PlaintextSession?
    /// The TLS handshake right after connecting (implicit TLS), when tried.
    public var implicitTLS: TLSAttempt?
    /// The STARTTLS/STLS upgrade, when tried.
    public var startTLS: TLSAttempt?
    /// The server's certificate and whether it verified for `target.certificateName`.
    public var certificate: CertificateReport?
    /// The mode the server really speaks: `implicit` (handshake first), `starttls` (greeting
    /// first, upgrade offered and working), `none` (greeting first, no working upgrade).
    public var observedTLS: TLSMode?
    /// A reply that does not belong to the protocol, a reset, a timeout in the middle of the dialogue.
    public var protocolError: String?
    /// Wall time of the whole probe, in seconds.
    public var elapsed: Double = 0

    public init(target: ProbeTarget) { self.target = target }

    /// Whether a TCP connection was made.
    public var reachable: Bool { connectError == nil && connectedAddress != nil }

    /// The TLS session that worked, implicit or upgraded.
    public var tls: TLSAttempt? {
        if let t = implicitTLS, t.succeeded { return t }
        if let t = startTLS, t.succeeded { return t }
        return nil
    }
}

/// The plaintext part of a session: greeting and capabilities before any TLS.
public struct PlaintextSession: Sendable {
    public var greeting: String?
    /// Capability keywords as the server listed them (EHLO keywords, IMAP CAPABILITY atoms, POP3 CAPA lines).
    public var capabilities: [String]?
    /// STARTTLS (SMTP, IMAP, ManageSieve) or STLS (POP3) advertised.
    public var startTLSOffered: Bool?
    /// SASL mechanisms offered before TLS, lower case.
    public var authMechanisms: [String] = []
    /// The protocol's own plaintext login is offered: IMAP LOGIN without LOGINDISABLED, POP3 USER.
    public var plaintextLogin: String?
    /// IMAP `LOGINDISABLED` was announced.
    public var loginDisabled: Bool?
    /// Why the dialogue stopped early (a timeout, a reply that is not the protocol's).
    public var error: String?

    public init() {}

    /// Authentication offered before TLS, in words (`AUTH PLAIN LOGIN`, `LOGIN without LOGINDISABLED`); nil when none.
    public var authBeforeTLS: String? {
        var parts: [String] = []
        if !authMechanisms.isEmpty { parts.append("AUTH " + authMechanisms.map { $0.uppercased() }.joined(separator: " ")) }
        if let plaintextLogin { parts.append(plaintextLogin) }
        return parts.isEmpty ? nil : parts.joined(separator: " and ")
    }
}

/// One TLS handshake: implicit, or after STARTTLS.
public struct TLSAttempt: Sendable {
    public var succeeded = false
    /// The negotiated version.
    public var version: TLSVersion?
    /// The negotiated cipher suite, IANA name (`TLS_AES_256_GCM_SHA384`) or hex code.
    public var cipher: String?
    /// Why the handshake or the upgrade failed.
    public var error: String?
    /// Bytes the server sent instead of a TLS ServerHello, when they were text (`* OK … ready.`).
    public var plaintextReply: String?
    /// Capabilities and SASL mechanisms the server offers inside TLS.
    public var capabilities: [String]?
    public var authMechanisms: [String]?

    public init() {}
}

/// The server certificate, and what full verification said about it.
public struct CertificateReport: Sendable {
    public var subject: String
    public var issuer: String
    public var dnsNames: [String]
    public var ipAddresses: [String]
    public var notBefore: Date
    public var notAfter: Date
    /// The name checked against the certificate (the host clients connect to).
    public var checkedName: String
    /// Chain, validity dates and name all verified (trust store plus `--ca-file`).
    public var verified: Bool
    /// Why it did not verify, one phrase each (`expired on 2026-01-01`, `self-signed`, `does not name mail.example.com`).
    public var problems: [String]

    public var selfSigned: Bool { subject == issuer }

    public init(subject: String, issuer: String, dnsNames: [String], ipAddresses: [String], notBefore: Date, notAfter: Date,
                checkedName: String, verified: Bool, problems: [String]) {
        self.subject = subject
        self.issuer = issuer
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.checkedName = checkedName
        self.verified = verified
        self.problems = problems
    }
}
