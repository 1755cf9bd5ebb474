import Foundation
import MailAuditCore

/// What `mailaudit probe` shows besides findings: the observations per endpoint, as text and JSON.
public enum ProbeReport {
    // MARK: text

    public static func text(_ results: [ProbeResult]) -> String {
        results.map(text).joined()
    }

    static func text(_ r: ProbeResult) -> String {
        let t = r.target
        var out = "\(t.label)"
        switch t.expectedTLS {
        case .implicit: out += " (implicit TLS expected)"
        case .starttls: out += " (\(ProbeRules.startTLSWord(t)) expected)"
        case .some(.none): out += " (no TLS expected)"
        case nil: out += ""
        }
        out += "\n"
        func line(_ key: String, _ value: String) { out += "  \(key.padding(toLength: 13, withPad: " ", startingAt: 0)) \(value)\n" }
        guard r.reachable else {
            line("connection", r.connectError ?? "failed")
            return out + "\n"
        }
        line("connection", "\(r.connectedAddress ?? t.address) (probe took \(String(format: "%.0f", r.elapsed * 1000)) ms)")
        if let banner = r.banner { line("banner", banner) }
        if let tls = r.implicitTLS {
            line("implicit TLS", tls.succeeded ? describe(tls) : "failed: \(tls.error ?? "?")" + (tls.plaintextReply.map { "; plaintext reply \($0)" } ?? ""))
        }
        if let plain = r.plaintext {
            var parts: [String] = []
            if let offered = plain.startTLSOffered { parts.append("\(ProbeRules.startTLSWord(t)) \(offered ? "offered" : "not offered")") }
            if plain.loginDisabled == true { parts.append("LOGINDISABLED") }
            parts.append(plain.authBeforeTLS.map { "authentication offered: \($0)" } ?? "no authentication offered")
            if let error = plain.error { parts = ["\(error)"] }
            line("before TLS", parts.joined(separator: "; "))
        }
        if let tls = r.startTLS {
            line(ProbeRules.startTLSWord(t), tls.succeeded ? describe(tls) : "failed: \(tls.error ?? "?")")
        }
        if let tls = r.tls, let mechanisms = tls.authMechanisms {
            line("after TLS", mechanisms.isEmpty ? "no authentication mechanisms offered" : "AUTH " + mechanisms.map { $0.uppercased() }.joined(separator: " "))
        }
        if let c = r.certificate {
            var text = "\(c.subject); names \(([c.dnsNames, c.ipAddresses].flatMap { $0 }).joined(separator: ", ")); valid \(day(c.notBefore)) to \(day(c.notAfter))"
            text += c.verified ? "; verified for \(c.checkedName)" : "; NOT valid for \(c.checkedName): \(c.problems.joined(separator: "; "))"
            line("certificate", text)
        }
        if let error = r.protocolError, r.plaintext?.error != error { line("problem", error) }
        return out + "\n"
    }

    static func describe(_ tls: TLSAttempt) -> String {
        [tls.version.map(TLSNames.display), tls.cipher].compactMap { $0 }.joined(separator: ", ")
    }

    static func day(_ d: Date) -> String { Prober.day(d) }
}
