import MailAuditCore

/// Fills `{field}` placeholders; `{endpoint}` and `{identity}` describe the subject in words
/// (`endpointName`, when given, stands for the endpoint: the grouping step names it later).
public enum MessageTemplate {
    public static func render(_ template: String, subject: FieldSubject, endpoint: Endpoint?, identity: Identity?, endpointName: String? = nil) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            out += name == "endpoint" && endpointName != nil ? endpointName! : value(name, subject: subject, endpoint: endpoint, identity: identity)
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
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

import Foundation
