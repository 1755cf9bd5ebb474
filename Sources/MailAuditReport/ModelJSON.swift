import MailAuditCore
import MailAuditRules

/// The model as JSON (DESIGN §3 field names): unknown values are `null`, never left out.
struct EndpointJSON: Encodable {
    let endpoint: Endpoint
    var withSources = false

    enum Key: String, CodingKey {
        case account, role, direction, `protocol`, transport, host, port, portIsDefault, tls, tlsRequired
        case verifyCertificate, minTLSVersion, auth, credential, allowsPlaintextAuth, authRequired, banner, allowsVRFY
        case selectiveTLS, location, sources, related
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        let e = endpoint
        try c.encode(e.account, forKey: .account)
        try c.encode(e.role.rawValue, forKey: .role)
        try c.encode(e.direction?.rawValue, forKey: .direction)
        try c.encode(e.protocol?.rawValue, forKey: .protocol)
        try c.encode(e.transport.rawValue, forKey: .transport)
        try c.encode(e.host, forKey: .host)
        try c.encode(e.port, forKey: .port)
        try c.encode(e.portIsDefault, forKey: .portIsDefault)
        try c.encode(e.tls?.rawValue, forKey: .tls)
        try c.encode(e.tlsRequired, forKey: .tlsRequired)
        try c.encode(e.verifyCertificate, forKey: .verifyCertificate)
        try c.encode(e.minTLSVersion?.rawValue, forKey: .minTLSVersion)
        try c.encode(e.auth, forKey: .auth)
        try c.encode(e.credential?.rawValue, forKey: .credential)
        try c.encode(e.allowsPlaintextAuth, forKey: .allowsPlaintextAuth)
        try c.encode(e.authRequired, forKey: .authRequired)
        try c.encode(e.banner, forKey: .banner)
        try c.encode(e.allowsVRFY, forKey: .allowsVRFY)
        try c.encode(e.selectiveTLS, forKey: .selectiveTLS)
        try c.encode(e.location, forKey: .location)
        if withSources {
            try c.encode(Dictionary(uniqueKeysWithValues: e.spans.map { ($0.key.rawValue, $0.value) }), forKey: .sources)
            if !e.related.isEmpty {
                try c.encode(Dictionary(uniqueKeysWithValues: e.related.map { ($0.key.rawValue, $0.value) }), forKey: .related)
            }
        }
    }
}

struct IdentityJSON: Encodable {
    let identity: Identity
    enum Key: String, CodingKey { case name, contentEncryption, location }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(identity.name, forKey: .name)
        try c.encode(identity.contentEncryption?.rawValue, forKey: .contentEncryption)
        try c.encode(identity.location, forKey: .location)
    }
}

/// `mailaudit model`: the normalized setups of the inputs.
public struct ModelReporter: Reporter {
    public init() {}

    struct Document: Encodable {
        let schemaVersion = 1
        let setups: [SetupJSON]
        let errors: [ErrorJSON]
    }

    struct SetupJSON: Encodable {
        let path: String
        let format: String
        let endpoints: [EndpointJSON]
        let identities: [IdentityJSON]
        let includedFiles: [String]
    }

    public func render(_ report: Report) -> String {
        let doc = Document(
            setups: report.result.setups.map {
                SetupJSON(path: $0.path, format: $0.format,
                          endpoints: $0.endpoints.map { EndpointJSON(endpoint: $0, withSources: true) },
                          identities: $0.identities.map(IdentityJSON.init), includedFiles: $0.includedFiles)
            },
            errors: report.result.problems.map(ErrorJSON.init))
        return JSONText.encode(doc)
    }
}

struct ErrorJSON: Encodable {
    let path: String
    let line: Int?
    let column: Int?
    let message: String
    init(_ p: ParseProblem) {
        path = p.path
        line = p.span?.line
        column = p.span?.column
        message = p.message
    }
    enum Key: String, CodingKey { case path, line, column, message, ruleId }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(path, forKey: .path)
        try c.encode(line, forKey: .line)
        try c.encode(column, forKey: .column)
        try c.encode(message, forKey: .message)
        try c.encode("MA000", forKey: .ruleId)
    }
}

import Foundation

enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else { return "{}\n" }
        return text + "\n"
    }
}
