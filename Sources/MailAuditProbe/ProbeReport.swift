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

    // MARK: JSON

    /// The observations as a JSON array, indented to sit at `indent` inside another document.
    public static func json(_ results: [ProbeResult], indent: Int = 0, separator: String = ": ") -> String {
        var out = ""
        JSON.array(results.map(json)).write(into: &out, indent: indent, separator: separator)
        return out
    }

    static func json(_ r: ProbeResult) -> JSON {
        let t = r.target
        var fields: [String: JSON] = [
            "target": .string(t.address), "host": .string(t.host), "port": .int(t.port), "protocol": .string(t.protocol.rawValue),
            "expectedTLS": .optional(t.expectedTLS?.rawValue),
            "claim": .string({ switch t.claim { case .configuration: "configuration"; case .port: "port"; case .argument: "argument"; case .none: "none" } }()),
            "reachable": .bool(r.reachable), "address": .optional(r.connectedAddress), "connectError": .optional(r.connectError),
            "banner": .optional(r.banner), "observedTLS": .optional(r.observedTLS?.rawValue), "problem": .optional(r.protocolError),
            "elapsedMs": .int(Int((r.elapsed * 1000).rounded())),
        ]
        fields["implicitTLS"] = r.implicitTLS.map(json) ?? .null
        fields["startTLS"] = r.startTLS.map(json) ?? .null
        if let p = r.plaintext {
            fields["beforeTLS"] = .object([
                "greeting": .optional(p.greeting),
                "capabilities": p.capabilities.map { .array($0.map(JSON.string)) } ?? .null,
                "startTLSOffered": .optional(p.startTLSOffered),
                "authMechanisms": .array(p.authMechanisms.map(JSON.string)),
                "plaintextLogin": .optional(p.plaintextLogin),
                "loginDisabled": .optional(p.loginDisabled),
                "authOffered": .bool(p.authBeforeTLS != nil),
                "error": .optional(p.error),
            ])
        } else {
            fields["beforeTLS"] = .null
        }
        if let c = r.certificate {
            fields["certificate"] = .object([
                "subject": .string(c.subject), "issuer": .string(c.issuer),
                "dnsNames": .array(c.dnsNames.map(JSON.string)), "ipAddresses": .array(c.ipAddresses.map(JSON.string)),
                "notBefore": .string(iso(c.notBefore)), "notAfter": .string(iso(c.notAfter)),
                "checkedName": .string(c.checkedName), "verified": .bool(c.verified), "selfSigned": .bool(c.selfSigned),
                "problems": .array(c.problems.map(JSON.string)),
            ])
        } else {
            fields["certificate"] = .null
        }
        fields["issues"] = .array(ProbeRules.evaluate(r).map { .string($0.ruleId) })
        return .object(fields)
    }

    static func json(_ a: TLSAttempt) -> JSON {
        .object([
            "succeeded": .bool(a.succeeded), "version": .optional(a.version?.rawValue), "cipher": .optional(a.cipher),
            "error": .optional(a.error), "plaintextReply": .optional(a.plaintextReply),
            "capabilities": a.capabilities.map { .array($0.map(JSON.string)) } ?? .null,
            "authMechanisms": a.authMechanisms.map { .array($0.map(JSON.string)) } ?? .null,
        ])
    }

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }
}

/// A small JSON writer with the report's layout (sorted keys, two-space indentation).
enum JSON {
    case object([String: JSON])
    case array([JSON])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null

    static func optional(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }
    static func optional(_ b: Bool?) -> JSON { b.map(JSON.bool) ?? .null }

    func write(into out: inout String, indent: Int, separator: String = ": ") {
        let pad = String(repeating: " ", count: indent + 2)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): JSON.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (n, item) in items.enumerated() {
                out += pad
                item.write(into: &out, indent: indent + 2, separator: separator)
                out += n + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{\n"
            let keys = fields.keys.sorted()
            for (n, key) in keys.enumerated() {
                out += pad
                JSON.writeString(key, into: &out)
                out += separator
                fields[key]!.write(into: &out, indent: indent + 2, separator: separator)
                out += n + 1 < keys.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        out += "\""
    }
}
