/// One endpoint to probe: where to connect, which protocol to speak, and how TLS is supposed to
/// start there. `expectedTLS` is the claim the probe checks; nil means nothing claims
/// a mode, and the probe finds out which one the server speaks.
public struct ProbeTarget: Sendable, Hashable {
    /// Where the expectation came from, for messages ("the configuration says tls: implicit").
    public enum Claim: Sendable, Hashable {
        /// The setting of the endpoint (`tls: implicit`, msmtp `tls_starttls on`, …).
        case configuration
        /// The port table: the port is an implicit-TLS or STARTTLS port.
        case port
        /// The command line: `/imaps`, `/submissions`, `--tls implicit`.
        case argument
        /// Nothing said it; the probe detects the mode.
        case none
    }

    public var host: String
    public var port: Int
    public var `protocol`: MailProtocol
    public var expectedTLS: TLSMode?
    public var claim: Claim
    /// The name the certificate must carry (the host clients use); the host itself by default.
    public var certificateName: String

    public init(host: String, port: Int, protocol: MailProtocol, expectedTLS: TLSMode?, claim: Claim, certificateName: String? = nil) {
        self.host = host
        self.port = port
        self.protocol = `protocol`
        self.expectedTLS = expectedTLS
        self.claim = expectedTLS == nil ? .none : claim
        self.certificateName = certificateName ?? host
    }

    /// `HOST:PORT`, with brackets around an IPv6 address.
    public var address: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    /// `HOST:PORT/protocol`.
    public var label: String { "\(address)/\(self.protocol.rawValue)" }

    /// Protocols with a dialogue (greeting, capabilities, STARTTLS); the others get a TCP connect
    /// and, on implicit-TLS ports, a handshake.
    public var hasDialogue: Bool { [.smtp, .lmtp, .imap, .pop3, .managesieve].contains(self.protocol) }

    /// The TLS mode the port table gives a port, as a claim: an `alternative` port (2525, offered
    /// both ways) claims nothing.
    public static func portClaim(_ port: Int, ports: PortTable) -> TLSMode? {
        guard let entry = ports.entry(for: port), entry.status != "alternative" else { return nil }
        return entry.tls == .none ? nil : entry.tls
    }
}
