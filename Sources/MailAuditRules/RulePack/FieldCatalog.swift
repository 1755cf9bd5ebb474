import MailAuditCore

/// The fields a rule may name: model fields and the ones derived from the port table.
public enum FieldCatalog {
    public static let derivedEndpointFields = ["port.service", "port.protocol", "port.tls", "port.status", "port.protocolMatches", "authenticates"]
    public static let identityFields = ["name", "contentEncryption"]

    public static var endpointFields: [String] { Endpoint.Field.allCases.map(\.rawValue) + derivedEndpointFields }

    public static func fields(for scope: Rule.Scope) -> [String] {
        switch scope {
        case .endpoint, .setup: return endpointFields
        case .identity: return identityFields
        case .meta: return []
        }
    }

    /// The model field whose span a derived field points at (`port.tls` → `port`).
    public static func spanField(for name: String) -> Endpoint.Field? {
        if let field = Endpoint.Field(rawValue: name) { return field }
        if name.hasPrefix("port.") { return .port }
        if name == "authenticates" { return .auth }
        return nil
    }
}

/// What a condition sees of one endpoint or identity.
public struct FieldSubject: Sendable {
    let lookup: @Sendable (String) -> FieldValue?

    public init(_ lookup: @escaping @Sendable (String) -> FieldValue?) { self.lookup = lookup }

    public subscript(name: String) -> FieldValue? { lookup(name) }

    public static func endpoint(_ e: Endpoint, ports: PortTable) -> FieldSubject {
        FieldSubject { (name: String) -> FieldValue? in
            if let field = Endpoint.Field(rawValue: name) { return e.value(of: field) }
            let entry = ports.entry(for: e.port)
            switch name {
            case "port.service": return entry.map { .string($0.service) }
            case "port.protocol": return entry.map { .string($0.protocol.rawValue) }
            case "port.tls": return entry.map { .string($0.tls.rawValue) }
            case "port.status": return entry.map { .string($0.status) }
            case "port.protocolMatches":
                guard let entry, let p = e.protocol else { return nil }
                return .bool(entry.serves(p))
            case "authenticates":
                if let auth = e.auth { return .bool(!auth.isEmpty || [.inline, .command, .keyring, .file].contains(e.credential)) }
                if let credential = e.credential { return .bool(credential != .none) }
                return nil
            default: return nil
            }
        }
    }

    public static func identity(_ i: Identity) -> FieldSubject {
        FieldSubject { (name: String) -> FieldValue? in
            switch name {
            case "name": return i.name.map(FieldValue.string)
            case "contentEncryption": return i.contentEncryption.map { .string($0.rawValue) }
            default: return nil
            }
        }
    }
}
