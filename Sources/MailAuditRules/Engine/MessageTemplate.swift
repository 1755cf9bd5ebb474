import Foundation
import MailAuditCore

/// Fills `{field}` placeholders; `{endpoint}` and `{identity}` describe the subject in words
/// (`endpointName`, when given, stands for the endpoint: the grouping step names it later).
public enum MessageTemplate {
    public static func render(_ template: String, subject: FieldSubject, endpoint: Endpoint?, identity: Identity?, endpointName: String? = nil) -> String {
        substitute(template) { name in
            name == "endpoint" && endpointName != nil ? endpointName! : value(name, subject: subject, endpoint: endpoint, identity: identity)
        }
    }

    /// A meta rule's message for one case (`Rule.messages`), its placeholders filled from `values`.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        substitute(template) { values[$0] ?? "{\($0)}" }
    }

    /// The `{name}` placeholders a template uses, in order.
    static func placeholders(in template: String) -> [String] {
        var names: [String] = []
        _ = substitute(template) { names.append($0); return "" }
        return names
    }

    /// The template with each `{name}` replaced; an unclosed `{` and what follows stay as written.
    static func substitute(_ template: String, _ value: (String) -> String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { return out + rest[open...] }
            out += value(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func value(_ name: String, subject: FieldSubject, endpoint: Endpoint?, identity: Identity?) -> String {
        switch name {
        case "endpoint": return endpoint?.descriptionForMessages ?? identity?.descriptionForMessages ?? "setup"
        case "identity": return identity?.descriptionForMessages ?? "identity"
        case "protocol", "port.protocol":
            guard let v = subject[name] else { return "unknown" }
            return MailProtocol(rawValue: v.description)?.displayName ?? v.description
        default:
            guard let v = subject[name] else { return "(not set)" }
            if case .list(let l) = v, l.isEmpty { return "none" }
            return v.description
        }
    }
}
