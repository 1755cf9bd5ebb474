import MailAuditCore

/// One endpoint as a row of the audit's port table: each cell a short text and a tone. The words
/// carry the meaning on their own (black-and-white print, colour-blind readers); the tone only
/// colours them.
struct InventoryRow {
    struct Cell {
        var text: String
        var tone: Tone = .neutral
    }

    /// The most characters of a value shown in a cell (a banner, a long host list).
    static let cellLimit = 80

    let who, direction, proto, address, tls, certificate, minTLS, auth, password: Cell
    /// What `--verify` observed there; nil when the run did not probe.
    let verified: Cell?

    init(_ e: Endpoint, probes: [ProbeObservation]?) {
        let name = e.account.map { Self.cut($0) } ?? (e.role == .client ? "client" : "server")
        who = Cell(text: "\(name) (line \(e.location.line))")
        direction = Cell(text: e.direction.map { e.role == .server && $0 == .outgoing ? "submission" : $0.rawValue } ?? "not set")
        proto = Cell(text: (e.protocol?.displayName ?? "not set") + (e.transport == .udp ? " over UDP" : ""))
        address = Self.address(e)
        tls = Self.tls(e)
        certificate = Self.certificate(e)
        minTLS = Self.minTLS(e)
        auth = Self.auth(e)
        password = Self.password(e)
        verified = probes.map { Self.verified(e, $0) }
    }

    static func address(_ e: Endpoint) -> Cell {
        let port = e.port.map { String($0) + (e.portIsDefault ? " (default)" : "") } ?? "no port"
        var text: String
        switch e.role {
        case .client: text = cut(e.host ?? "(no host)") + ":" + port
        case .server: text = (e.host.map { cut($0) + ":" } ?? "port ") + port
        }
        if e.loopback == true { text += ", this machine only" }
        return Cell(text: text)
    }

    static func tls(_ e: Endpoint) -> Cell {
        switch e.tls {
        case .implicit?: return Cell(text: "implicit TLS", tone: .good)
        case .starttls?:
            switch e.tlsRequired {
            case true?: return Cell(text: "STARTTLS required", tone: .good)
            // Between mail servers on port 25, STARTTLS is optional by design.
            case false?: return Cell(text: "STARTTLS optional", tone: e.direction == .relay ? .neutral : .warn)
            case nil: return Cell(text: "STARTTLS")
            }
        case TLSMode.none?: return e.loopback == true ? Cell(text: "none (local)") : Cell(text: "none: not encrypted", tone: .bad)
        case nil: return Cell(text: "not set")
        }
    }

    static func certificate(_ e: Endpoint) -> Cell {
        if e.tls == TLSMode.none { return Cell(text: "no TLS") }
        switch e.verifyCertificate {
        case true?: return Cell(text: "verified", tone: .good)
        case false?: return Cell(text: "not verified", tone: .bad)
        case nil: return Cell(text: "program default")
        }
    }

    static func minTLS(_ e: Endpoint) -> Cell {
        guard let v = e.minTLSVersion else { return Cell(text: e.tls == TLSMode.none ? "no TLS" : "program default") }
        let text = v.rawValue.replacingOccurrences(of: "tls", with: "TLS ").replacingOccurrences(of: "ssl", with: "SSL ")
        return v < .tls12 ? Cell(text: text + ": too old", tone: .bad) : Cell(text: text, tone: .good)
    }

    static func auth(_ e: Endpoint) -> Cell {
        if e.role == .server {
            var parts: [String] = []
            if let required = e.authRequired { parts.append(required ? "required" : "not required") }
            if e.allowsPlaintextAuth == true { return Cell(text: (parts + ["offered before TLS"]).joined(separator: ", "), tone: .bad) }
            return Cell(text: parts.isEmpty ? "not set" : parts.joined(separator: ", "))
        }
        guard let methods = e.auth else { return Cell(text: "not set") }
        if methods.isEmpty { return Cell(text: "none") }
        if e.tls == TLSMode.none, e.loopback != true { return Cell(text: cut(methods.joined(separator: ", ")) + ", without TLS", tone: .bad) }
        return Cell(text: cut(methods.joined(separator: ", ")))
    }

    static func password(_ e: Endpoint) -> Cell {
        let line = e.writtenSpan(of: .credential).map { " (line \($0.line))" } ?? ""
        switch e.credential {
        case .inline?: return Cell(text: "written in the file" + line, tone: .warn)
        case .command?: return Cell(text: "from a command" + line, tone: .good)
        case .keyring?: return Cell(text: "system keyring", tone: .good)
        case .file?: return Cell(text: "separate file" + line)
        case CredentialKind.none?: return Cell(text: "none")
        case nil: return Cell(text: "not set")
        }
    }

    /// What the probe of this host and port saw, in a few words.
    static func verified(_ e: Endpoint, _ probes: [ProbeObservation]) -> Cell {
        guard let host = e.host?.lowercased(), let port = e.port,
              let o = probes.first(where: { $0.result.target.host.lowercased() == host && $0.result.target.port == port }) else {
            return Cell(text: "not probed")
        }
        let r = o.result
        guard r.reachable else { return Cell(text: "unreachable" + (r.connectError.map { ": " + cut($0) } ?? ""), tone: .warn) }
        var parts: [String] = []
        switch r.observedTLS {
        case .implicit?: parts.append("TLS handshake")
        case .starttls?: parts.append("STARTTLS offered")
        case TLSMode.none?: parts.append("no TLS")
        case nil: break
        }
        if let v = r.tls?.version { parts.append(v.rawValue.replacingOccurrences(of: "tls", with: "TLS ")) }
        if let auth = r.plaintext?.authBeforeTLS { parts.append(cut(auth) + " before TLS") }
        if let c = r.certificate { parts.append(c.verified ? "certificate valid" : "certificate: " + cut(c.problems.joined(separator: ", "))) }
        if let problem = r.protocolError { parts.append(cut(problem)) }
        let issues = o.issues.filter { $0 != "MA806" }
        return Cell(text: parts.isEmpty ? "connected" : parts.joined(separator: "; "), tone: issues.isEmpty ? .good : .bad)
    }

    static func cut(_ s: String) -> String {
        s.count > cellLimit ? String(s.prefix(cellLimit - 1)) + "…" : s
    }
}
