import Foundation
import MailAuditCore

/// The `probes` array of the JSON report (`probe`, `lint --verify`): what was observed at each endpoint.
enum ProbeJSON {
    static func json(_ o: ProbeObservation) -> JSONValue {
        let r = o.result
        let t = r.target
        var fields: [String: JSONValue] = [
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
                "capabilities": p.capabilities.map { .array($0.map(JSONValue.string)) } ?? .null,
                "startTLSOffered": .optional(p.startTLSOffered),
                "authMechanisms": .array(p.authMechanisms.map(JSONValue.string)),
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
                "dnsNames": .array(c.dnsNames.map(JSONValue.string)), "ipAddresses": .array(c.ipAddresses.map(JSONValue.string)),
                "notBefore": .string(iso(c.notBefore)), "notAfter": .string(iso(c.notAfter)),
                "checkedName": .string(c.checkedName), "verified": .bool(c.verified), "selfSigned": .bool(c.selfSigned),
                "problems": .array(c.problems.map(JSONValue.string)),
            ])
        } else {
            fields["certificate"] = .null
        }
        fields["issues"] = .array(o.issues.map(JSONValue.string))
        return .object(fields)
    }

    static func json(_ a: TLSAttempt) -> JSONValue {
        .object([
            "succeeded": .bool(a.succeeded), "version": .optional(a.version?.rawValue), "cipher": .optional(a.cipher),
            "error": .optional(a.error), "plaintextReply": .optional(a.plaintextReply),
            "capabilities": a.capabilities.map { .array($0.map(JSONValue.string)) } ?? .null,
            "authMechanisms": a.authMechanisms.map { .array($0.map(JSONValue.string)) } ?? .null,
        ])
    }

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }
}
