/// One connection a setup describes: who connects where, on which port, with which encryption.
/// Every set field may carry the span of the setting that produced it; a field without one
/// came from a default and points at `location`, the block that defines the endpoint.
public struct Endpoint: Hashable, Sendable {
    public enum Field: String, CaseIterable, Codable, Sendable {
        case account, role, direction, `protocol`, transport, host, port, portIsDefault, tls, tlsRequired
        case verifyCertificate, minTLSVersion, auth, credential, allowsPlaintextAuth, authRequired
        case banner, allowsVRFY, selectiveTLS, loopback
    }

    public var account: String?
    public var role: Role
    public var direction: Direction?
    public var `protocol`: MailProtocol?
    public var transport: Transport = .tcp
    public var host: String?
    public var port: Int?
    public var portIsDefault: Bool = false
    public var tls: TLSMode?
    public var tlsRequired: Bool?
    public var verifyCertificate: Bool?
    public var minTLSVersion: TLSVersion?
    public var auth: [String]?
    public var credential: CredentialKind?
    public var allowsPlaintextAuth: Bool?
    public var authRequired: Bool?
    public var banner: String?
    public var allowsVRFY: Bool?
    public var selectiveTLS: Bool?
    /// Set by a parser when the host alone does not tell (several bind addresses, an interface name,
    /// a wildcard bind); otherwise `loopback` follows from `host`.
    public var declaredLoopback: Bool?

    /// True when the connection never leaves the machine: the host is `localhost`, 127.0.0.0/8 or
    /// `::1`, or a listener binds only to those. Null when neither the host nor the parser tells.
    public var loopback: Bool? {
        get { declaredLoopback ?? LoopbackAddress.isLoopback(host: host) }
        set { declaredLoopback = newValue }
    }

    public var location: SourceSpan
    /// The program whose settings define the endpoint, where one format serves several (an env file's
    /// `laravel`, `symfony`, `docker-mailserver`, …): a rule's fix for `FORMAT/PROGRAM` is then shown.
    public var program: String?
    /// The setting that decided each field.
    public var spans: [Field: SourceSpan] = [:]
    /// Fields whose value depends on the program's release, with the release modelled (`aerc 0.14`):
    /// a finding that rests on one names it.
    public var modelledVersions: [Field: String] = [:]
    /// Other settings that contributed to a field but lost (an msmtp `defaults` block, a main.cf value under a master.cf `-o`).
    public var related: [Field: [SourceSpan]] = [:]
    /// Fields decided by a setting this endpoint shares with others rather than one in its own block
    /// (an msmtp or fetchmail `defaults` block, OfflineIMAP's `[DEFAULT]`, Thunderbird's
    /// `mail.server.default.*`, main.cf under a master.cf service): a finding then prefers a setting
    /// of the endpoint's own that takes part in it.
    public var inherited: Set<Field> = []

    public init(role: Role, location: SourceSpan) {
        self.role = role
        self.location = location
    }

    /// Where a finding about `field` points: the setting itself, or the block when a default decided it.
    public func span(of field: Field) -> SourceSpan { writtenSpan(of: field) ?? location }

    /// The setting that decided `field`, or nil when nothing written did (the program's default).
    public func writtenSpan(of field: Field) -> SourceSpan? {
        if field == .loopback, spans[.loopback] == nil { return spans[.host] }
        return spans[field]
    }

    public func value(of field: Field) -> FieldValue? {
        switch field {
        case .account: return account.map(FieldValue.string)
        case .role: return .string(role.rawValue)
        case .direction: return direction.map { .string($0.rawValue) }
        case .protocol: return self.protocol.map { .string($0.rawValue) }
        case .transport: return .string(transport.rawValue)
        case .host: return host.map(FieldValue.string)
        case .port: return port.map(FieldValue.int)
        case .portIsDefault: return .bool(portIsDefault)
        case .tls: return tls.map { .string($0.rawValue) }
        case .tlsRequired: return tlsRequired.map(FieldValue.bool)
        case .verifyCertificate: return verifyCertificate.map(FieldValue.bool)
        case .minTLSVersion: return minTLSVersion.map { .string($0.rawValue) }
        case .auth: return auth.map(FieldValue.list)
        case .credential: return credential.map { .string($0.rawValue) }
        case .allowsPlaintextAuth: return allowsPlaintextAuth.map(FieldValue.bool)
        case .authRequired: return authRequired.map(FieldValue.bool)
        case .banner: return banner.map(FieldValue.string)
        case .allowsVRFY: return allowsVRFY.map(FieldValue.bool)
        case .selectiveTLS: return selectiveTLS.map(FieldValue.bool)
        case .loopback: return loopback.map(FieldValue.bool)
        }
    }

    /// Words that name the endpoint in a message: `account "office", incoming IMAP to mail.example.com:993`.
    public var descriptionForMessages: String { subjectForMessages + ", " + connectionForMessages }

    /// Who: `account "office"`, `server "submission"`, `client` or `server`.
    public var subjectForMessages: String {
        let name = account.map { "\"\($0)\"" }
        switch role {
        case .client: return name.map { "account \($0)" } ?? "client"
        case .server: return name.map { "server \($0)" } ?? "server"
        }
    }

    /// Which connection: `incoming IMAP to mail.example.com:993`, `submission SMTP listener on port 587`.
    public var connectionForMessages: String {
        var what: [String] = []
        if let direction { what.append(direction == .outgoing && role == .server ? "submission" : direction.rawValue) }
        what.append(self.protocol?.displayName ?? "mail")
        var text = what.joined(separator: " ")
        switch role {
        case .client:
            let target = (host ?? "(no host)") + (port.map { ":\($0)" } ?? "")
            text += " to \(target)"
        case .server:
            text += " listener" + (port.map { " on port \($0)" } ?? "")
        }
        return text
    }
}

/// Per sending identity: how message content is encrypted (MA401).
public struct Identity: Hashable, Sendable {
    public var name: String?
    public var contentEncryption: ContentEncryption?
    public var location: SourceSpan
    public var spans: [String: SourceSpan] = [:]

    public init(name: String?, contentEncryption: ContentEncryption?, location: SourceSpan) {
        self.name = name
        self.contentEncryption = contentEncryption
        self.location = location
    }

    public var descriptionForMessages: String { name.map { "identity \"\($0)\"" } ?? "identity" }
}

extension Endpoint {
    /// Sets a field and remembers the setting that decided it (nil span: a default, pointing at `location`).
    public mutating func set<T>(_ keyPath: WritableKeyPath<Endpoint, T>, _ value: T, field: Field, span: SourceSpan?) {
        self[keyPath: keyPath] = value
        if let span { spans[field] = span } else { spans[field] = nil }
    }

    /// How many related settings a field keeps: a value overridden thousands of times would otherwise
    /// copy thousands of locations into every endpoint and finding.
    public static let relatedLimit = 10

    /// Marks as inherited every field decided by one of `shared`, the settings of a block several
    /// endpoints read (a `defaults` block, an INI `[DEFAULT]` section).
    public mutating func markInherited(from shared: Set<SourceSpan>) {
        inherited = Set(spans.filter { shared.contains($0.value) }.keys)
    }

    /// Records a setting that contributed to `field` but was overridden (shown as a related location);
    /// past `relatedLimit` the earliest ones are dropped.
    public mutating func addRelated(_ span: SourceSpan, for field: Field) {
        related[field, default: []].append(span)
        if related[field]!.count > Self.relatedLimit { related[field]!.removeFirst() }
    }
}
