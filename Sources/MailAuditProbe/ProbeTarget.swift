import MailAuditCore

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

/// Reads `HOST:PORT[/PROTOCOL]` arguments of `mailaudit probe`.
public enum ProbeTargetParser {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Names accepted after the slash besides the protocols: service names that fix the TLS mode.
    static let serviceNames: [String: (MailProtocol, TLSMode)] = [
        "smtps": (.smtp, .implicit), "submissions": (.smtp, .implicit), "submission": (.smtp, .starttls),
        "imaps": (.imap, .implicit), "pop3s": (.pop3, .implicit), "pops": (.pop3, .implicit),
        "https": (.http, .implicit), "sieve": (.managesieve, .starttls),
    ]

    /// Parses one argument. The protocol comes from the argument or the port table; the TLS
    /// expectation from a service name (`/imaps`), `forcedTLS`, or the port table.
    public static func parse(_ text: String, ports: PortTable, forcedTLS: TLSMode? = nil) throws(Failure) -> ProbeTarget {
        var rest = Substring(text)
        var protocolName: String?
        if let slash = rest.lastIndex(of: "/"), !rest[slash...].contains("]") {
            protocolName = rest[rest.index(after: slash)...].lowercased()
            rest = rest[..<slash]
        }
        let host: String
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Failure(description: "'\(text)': unclosed '[' in an IPv6 address") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { throw Failure(description: "'\(text)': expected HOST:PORT[/PROTOCOL], e.g. mail.example.com:993/imap") }
            portText = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw Failure(description: "'\(text)': no port; expected HOST:PORT[/PROTOCOL], e.g. mail.example.com:993/imap")
            }
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { throw Failure(description: "'\(text)': no host before the port") }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw Failure(description: "'\(text)': '\(portText)' is not a port number (1–65535)")
        }
        var proto: MailProtocol?
        var tls: TLSMode? = forcedTLS
        var claim: ProbeTarget.Claim = forcedTLS == nil ? .none : .argument
        if let name = protocolName {
            if let p = MailProtocol(rawValue: name) {
                proto = p
            } else if let (p, mode) = serviceNames[name] {
                proto = p
                if tls == nil { tls = mode; claim = .argument }
            } else {
                let known = (MailProtocol.allCases.map(\.rawValue) + serviceNames.keys.sorted())
                throw Failure(description: "'\(text)': unknown protocol '\(name)'; use one of \(known.joined(separator: ", "))")
            }
        }
        let entry = ports.entry(for: port)
        if proto == nil { proto = entry?.protocol }
        guard let proto else {
            throw Failure(description: "'\(text)': port \(port) is not a well-known mail port; name the protocol, e.g. \(text)/imap")
        }
        if tls == nil, entry?.serves(proto) == true, let mode = ProbeTarget.portClaim(port, ports: ports) {
            tls = mode
            claim = .port
        }
        return ProbeTarget(host: host, port: port, protocol: proto, expectedTLS: tls, claim: claim)
    }
}
