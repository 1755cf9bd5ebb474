import MailAuditCore

/// One probe rule that fired: which rule, what the server really did, and which setting of the
/// endpoint it contradicts (for `lint --verify`).
public struct ProbeIssue: Sendable, Equatable {
    public var ruleId: String
    /// A sentence fragment that starts after the endpoint's description.
    public var message: String
    /// The endpoint field whose setting the finding points at; nil: the endpoint's block.
    public var anchor: Endpoint.Field?
}

/// The probe rules MA801–MA806: observations in, issues out. Rule text, severity and
/// documentation live in Rules/MA80x.yml like every other rule; this is only the "fires when".
public enum ProbeRules {
    public static let ids = ["MA801", "MA802", "MA803", "MA804", "MA805", "MA806"]

    public static func evaluate(_ r: ProbeResult) -> [ProbeIssue] {
        let t = r.target
        let at = r.connectedAddress ?? t.address
        let proto = t.protocol.displayName
        var issues: [ProbeIssue] = []

        // MA806: nothing to talk to.
        guard r.reachable else {
            return [ProbeIssue(ruleId: "MA806", message: "no connection: \(r.connectError ?? "unknown error")", anchor: .host)]
        }

        let claim = claimText(t)
        let plainFailure = r.plaintext?.error
        let greeted = r.plaintext?.greeting != nil

        switch t.expectedTLS {
        case .implicit:
            if r.implicitTLS?.succeeded != true {
                var text = "\(claim), but no TLS handshake completed: \(r.implicitTLS?.error ?? "no handshake")"
                if let reply = r.implicitTLS?.plaintextReply {
                    text += "; the server answered in plaintext: \(reply)"
                    if let plain = r.plaintext, plain.greeting != nil {
                        text += " — it speaks \(proto) without TLS here"
                        if plain.startTLSOffered == true { text += " (and offers \(startTLSWord(t)))" }
                    }
                }
                issues.append(ProbeIssue(ruleId: "MA801", message: text, anchor: .tls))
            }
        case .starttls:
            if r.observedTLS == .implicit, !greeted {
                issues.append(ProbeIssue(ruleId: "MA802", message: "\(claim), but the server sends no \(proto) greeting: it speaks implicit TLS on this port", anchor: .tls))
            } else if greeted, let plain = r.plaintext {
                if let error = plain.error {
                    issues.append(ProbeIssue(ruleId: "MA802", message: "\(claim), but the \(proto) dialogue broke off before \(startTLSWord(t)): \(error)", anchor: .tls))
                } else if plain.startTLSOffered == false {
                    let listed = plain.capabilities.map { $0.isEmpty ? " (it lists no extensions)" : " (it lists: \(shortList($0)))" } ?? ""
                    issues.append(ProbeIssue(ruleId: "MA802", message: "\(claim), but the server does not advertise \(startTLSWord(t))\(listed)", anchor: .tls))
                } else if let upgrade = r.startTLS, !upgrade.succeeded {
                    issues.append(ProbeIssue(ruleId: "MA802", message: "\(claim); the server offers \(startTLSWord(t)), but the upgrade failed: \(upgrade.error ?? "unknown error")", anchor: .tls))
                } else if r.startTLS == nil {
                    issues.append(ProbeIssue(ruleId: "MA802", message: "\(claim), but the server does not list its capabilities and refuses \(startTLSWord(t))", anchor: .tls))
                }
            } else if let plainFailure, !(r.plaintext?.error.map(isTimeout) ?? false) {
                issues.append(ProbeIssue(ruleId: "MA802", message: "\(claim), but the server does not speak \(proto): \(plainFailure)", anchor: .tls))
            }
        default:
            break
        }

        // MA806 also covers a connection that brings no greeting: a hung or overloaded server.
        if !greeted, t.hasDialogue, r.observedTLS == nil, r.tls == nil, t.expectedTLS != .implicit {
            if let failure = plainFailure ?? r.implicitTLS?.error, !issues.contains(where: { $0.ruleId == "MA802" }) {
                issues.append(ProbeIssue(ruleId: "MA806", message: "connected to \(at), but no \(proto) greeting came: \(failure)", anchor: .host))
            }
        }

        // MA803: authentication offered on the plaintext connection.
        if let plain = r.plaintext, let offered = plain.authBeforeTLS {
            issues.append(ProbeIssue(ruleId: "MA803", message: "the server offers authentication before TLS (\(offered)), so a client can send its password in clear text", anchor: .allowsPlaintextAuth))
        }

        // MA804 and MA805: the TLS session itself.
        if let cert = r.certificate, !cert.verified {
            let problems = cert.problems.isEmpty ? "it does not verify" : cert.problems.joined(separator: "; ")
            issues.append(ProbeIssue(ruleId: "MA804", message: "the server's certificate is not valid for \(cert.checkedName): \(problems)", anchor: .verifyCertificate))
        }
        if let tls = r.tls, let version = tls.version, version < .tls12 {
            let how = r.implicitTLS?.succeeded == true ? "the TLS handshake" : "the \(startTLSWord(t)) upgrade"
            issues.append(ProbeIssue(ruleId: "MA805", message: "\(how) negotiated \(TLSNames.display(version))\(tls.cipher.map { " (\($0))" } ?? ""), below TLS 1.2", anchor: .minTLSVersion))
        }
        return issues
    }

    static func isTimeout(_ text: String) -> Bool { text.hasPrefix("no complete") || text.hasPrefix("no TLS handshake within") }

    static func startTLSWord(_ t: ProbeTarget) -> String { t.protocol == .pop3 ? "STLS" : "STARTTLS" }

    static func shortList(_ items: [String]) -> String {
        let shown = items.prefix(8).joined(separator: ", ")
        return items.count > 8 ? shown + ", …" : shown
    }

    /// What claims the mode, in words.
    static func claimText(_ t: ProbeTarget) -> String {
        let mode = t.expectedTLS == .implicit ? "implicit TLS" : startTLSWord(t)
        switch t.claim {
        case .configuration: return "the configuration says \(mode)"
        case .port: return "port \(t.port) is the \(t.expectedTLS == .implicit ? "implicit-TLS" : "STARTTLS") port for \(t.protocol.displayName)"
        case .argument: return "\(mode) was asked for"
        case .none: return "\(mode) was expected"
        }
    }
}
