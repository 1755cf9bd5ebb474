/// The port knowledge of `Rules/ports.yml`. Loaded by MailAuditRules; Swift code
/// asks it instead of repeating port numbers.
public struct PortTable: Sendable, Equatable {
    public struct Entry: Sendable, Hashable {
        public var port: Int
        public var service: String
        public var `protocol`: MailProtocol
        public var also: [MailProtocol]
        public var tls: TLSMode
        public var status: String
        public var description: String

        public init(port: Int, service: String, protocol: MailProtocol, also: [MailProtocol], tls: TLSMode, status: String, description: String) {
            self.port = port
            self.service = service
            self.protocol = `protocol`
            self.also = also
            self.tls = tls
            self.status = status
            self.description = description
        }

        public func serves(_ p: MailProtocol) -> Bool { p == self.protocol || also.contains(p) }
    }

    /// The port used when no setting names one. `tls == nil` and `direction == nil` match any.
    public struct Default: Sendable, Hashable {
        public var `protocol`: MailProtocol
        public var direction: Direction?
        public var tls: TLSMode?
        public var port: Int

        public init(protocol: MailProtocol, direction: Direction?, tls: TLSMode?, port: Int) {
            self.protocol = `protocol`
            self.direction = direction
            self.tls = tls
            self.port = port
        }
    }

    public var entries: [Int: Entry]
    public var defaults: [Default]

    public init(entries: [Entry], defaults: [Default]) {
        self.entries = Dictionary(entries.map { ($0.port, $0) }, uniquingKeysWith: { a, _ in a })
        self.defaults = defaults
    }

    public func entry(for port: Int?) -> Entry? { port.flatMap { entries[$0] } }

    /// The well-known port of a service name (`submission` → 587).
    public func port(service: String) -> Int? {
        entries.values.filter { $0.service == service }.map(\.port).min()
    }

    /// The default port for a protocol, TLS mode and direction; the most specific rule wins.
    public func defaultPort(for p: MailProtocol, tls: TLSMode?, direction: Direction?) -> Int? {
        let candidates = defaults.filter {
            $0.protocol == p && ($0.tls == nil || $0.tls == tls) && ($0.direction == nil || $0.direction == direction)
        }
        return candidates.max { specificity($0) < specificity($1) }?.port
    }

    private func specificity(_ d: Default) -> Int { (d.direction != nil ? 2 : 0) + (d.tls != nil ? 1 : 0) }

    /// The direction a listener on `port` serves when nothing says otherwise.
    public func listenerDirection(protocol p: MailProtocol, port: Int?) -> Direction {
        switch p {
        case .smtp, .lmtp, .qmtp, .odmr, .etrn:
            return entry(for: port)?.service == "smtp" ? .relay : .outgoing
        case .http: return .webmail
        default: return .incoming
        }
    }
}
