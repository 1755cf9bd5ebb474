import MailAuditCore

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
