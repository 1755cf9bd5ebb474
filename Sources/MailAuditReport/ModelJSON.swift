import MailAuditCore
import MailAuditRules

/// The model as JSON (the model's field names): unknown values are `null`, never left out.
enum ModelJSON {
    static func span(_ s: SourceSpan) -> JSONValue {
        .object(["path": .string(s.path), "line": .int(s.line), "column": .int(s.column),
                 "endLine": .int(s.endLine), "endColumn": .int(s.endColumn)])
    }

    static func endpoint(_ e: Endpoint, withSources: Bool = false) -> JSONValue {
        var fields: [String: JSONValue] = [
            "account": .optional(e.account), "role": .string(e.role.rawValue), "direction": .optional(e.direction?.rawValue),
            "protocol": .optional(e.protocol?.rawValue), "transport": .string(e.transport.rawValue), "host": .optional(e.host),
            "port": .optional(e.port), "portIsDefault": .bool(e.portIsDefault), "tls": .optional(e.tls?.rawValue),
            "tlsRequired": .optional(e.tlsRequired), "verifyCertificate": .optional(e.verifyCertificate),
            "minTLSVersion": .optional(e.minTLSVersion?.rawValue), "auth": e.auth.map { .array($0.map(JSONValue.string)) } ?? .null,
            "credential": .optional(e.credential?.rawValue), "allowsPlaintextAuth": .optional(e.allowsPlaintextAuth),
            "authRequired": .optional(e.authRequired), "banner": .optional(e.banner), "allowsVRFY": .optional(e.allowsVRFY),
            "selectiveTLS": .optional(e.selectiveTLS), "loopback": .optional(e.loopback), "location": span(e.location),
        ]
        if withSources {
            fields["sources"] = .object(Dictionary(uniqueKeysWithValues: e.spans.map { ($0.key.rawValue, span($0.value)) }))
            if !e.related.isEmpty {
                fields["related"] = .object(Dictionary(uniqueKeysWithValues: e.related.map { ($0.key.rawValue, .array($0.value.map(span))) }))
            }
            // Which fields a shared block decided (a `defaults` block, `[DEFAULT]`, main.cf under a service).
            if !e.inherited.isEmpty {
                fields["inherited"] = .array(e.inherited.map(\.rawValue).sorted().map(JSONValue.string))
            }
        }
        return .object(fields)
    }

    static func identity(_ i: Identity) -> JSONValue {
        .object(["name": .optional(i.name), "contentEncryption": .optional(i.contentEncryption?.rawValue), "location": span(i.location)])
    }

    /// A problem met while reading, under its rule (`RuleSet.parseError`).
    static func error(_ p: ParseProblem, rule: Rule) -> JSONValue {
        .object(["path": .string(p.path), "line": .optional(p.span?.line), "column": .optional(p.span?.column),
                 "message": .string(p.message), "ruleId": .string(rule.id)])
    }
}

/// `mailaudit model`: the normalized setups of the inputs.
public struct ModelReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        let setups: [JSONValue] = report.result.setups.map { setup in
            .object([
                "path": .string(setup.path), "format": .string(setup.format.rawValue),
                "endpoints": .array(setup.endpoints.map { ModelJSON.endpoint($0, withSources: true) }),
                "identities": .array(setup.identities.map(ModelJSON.identity)),
                "includedFiles": .array(setup.includedFiles.map(JSONValue.string)),
            ])
        }
        return JSONValue.object(["schemaVersion": .int(1), "setups": .array(setups),
                                 "errors": .array(report.result.problems.map { ModelJSON.error($0, rule: report.rules.parseError) })]).rendered()
    }
}

