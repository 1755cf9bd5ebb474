import Foundation
import MailAuditCore

/// mailaudit's own YAML: accounts, servers with listeners, webmail URLs.
struct NativeYAMLFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "mailaudit-yaml",
        what: "mailaudit's own YAML (below), version 1",
        names: ["*.mailaudit.yml", "mailaudit.yml", "mail-setup.yml"],
        namesNote: "and any YAML with top-level `mailaudit: 1`",
        sniffed: ContentSniffing(suffixes: [".yml", ".yaml"]),
        fenceLanguage: "yaml",
        program: .fixed("mailaudit-yaml 1"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if name == ".mailaudit.yml" || name == ".mailaudit.yaml" { return false }  // the configuration file
        return name.hasSuffix(".mailaudit.yml") || name.hasSuffix(".mailaudit.yaml")
            || name == "mailaudit.yml" || name == "mailaudit.yaml" || name == "mail-setup.yml" || name == "mail-setup.yaml"
    }

    /// Any YAML whose top level says `mailaudit: 1`.
    func matches(content: SourceFile) -> Bool {
        content.lines.prefix(200).contains { $0.hasPrefix("mailaudit:") }
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = NativeYAMLMapper(file: file, ports: context.ports)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

/// The keys each block accepts; anything else is reported with a suggestion.
private enum NativeKeys {
    static let top = ["mailaudit", "accounts", "servers", "webmail"]
    static let account = ["name", "incoming", "outgoing", "content_encryption"]
    static let endpoint = ["protocol", "host", "port", "tls", "tls_required", "verify_certificate", "min_tls_version",
                           "auth", "password", "password_command", "password_file", "keyring", "transport", "direction",
                           "selective_tls"]
    static let listener = endpoint + ["name", "plaintext_auth", "require_auth", "banner", "vrfy"]
    static let server = ["name", "host", "listeners"]
    static let webmail = ["name", "url"]
}

private struct NativeYAMLMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let ports: PortTable
    let budget: YAMLBudget
    var setup: MailSetup

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.budget = YAMLBudget(path: file.path)
        self.setup = MailSetup(path: file.path, format: NativeYAMLFormat.description.id)
    }

    mutating func read() {
        do {
            // libyaml's events straight into a flat tape: no node tree (the format's hot path).
            guard let root = try YAMLTape(file).root(path: file.path), !root.isNull else {
                diagnostics.report("empty file: a mailaudit setup starts with `mailaudit: 1`", at: .start(of: file.path))
                return
            }
            guard root.isMapping else {
                diagnostics.report("a mailaudit setup is a mapping with `mailaudit: 1`, found \(root.kindName)", at: root.span(in: file.path))
                return
            }
            try readTop(root)
        } catch {
            diagnostics.report(error)
        }
    }

    /// Each key of a mapping with its value, unknown keys reported; returns the known ones by name.
    mutating func fields(of node: YAMLItem, allowed: [String], block: String) throws(ParseProblem) -> [String: (key: YAMLItem, value: YAMLItem)] {
        guard node.isMapping else {
            diagnostics.report("\(block) must be a mapping, found \(node.kindName)", at: node.span(in: file.path))
            return [:]
        }
        var result: [String: (key: YAMLItem, value: YAMLItem)] = [:]
        for (key, value) in try node.pairs(budget: budget) {
            guard let name = key.text else { diagnostics.report("keys in \(block) must be plain words", at: key.span(in: file.path)); continue }
            if allowed.contains(name) {
                result[name] = (key, value)
            } else {
                diagnostics.report("unknown key '\(name)' in \(block)\(Suggestion.phrase(for: name, in: allowed))", at: key.span(in: file.path))
            }
        }
        return result
    }

    mutating func readTop(_ root: YAMLItem) throws(ParseProblem) {
        let top = try fields(of: root, allowed: NativeKeys.top, block: "the top level")
        guard let version = top["mailaudit"] else {
            diagnostics.report("missing `mailaudit: 1` at the top level (the schema version)", at: root.span(in: file.path))
            return
        }
        guard version.value.text == "1" else {
            diagnostics.report("unsupported schema version '\(version.value.text ?? version.value.kindName)': this mailaudit reads `mailaudit: 1`", at: version.value.span(in: file.path))
            return
        }
        if let accounts = top["accounts"] {
            for item in try list(accounts.value, what: "accounts") { try readAccount(item) }
        }
        if let servers = top["servers"] {
            for item in try list(servers.value, what: "servers") { try readServer(item) }
        }
        if let webmail = top["webmail"] {
            for item in try list(webmail.value, what: "webmail") { try readWebmail(item) }
        }
    }

    mutating func list(_ node: YAMLItem, what: String) throws(ParseProblem) -> [YAMLItem] {
        if node.isNull { return [] }
        guard node.isSequence else {
            diagnostics.report("`\(what)` must be a list, found \(node.kindName)", at: node.span(in: file.path))
            return []
        }
        return try node.items(budget: budget)
    }

    mutating func readAccount(_ node: YAMLItem) throws(ParseProblem) {
        let f = try fields(of: node, allowed: NativeKeys.account, block: "an account")
        let name = f["name"]?.value.text
        for (key, direction) in [("incoming", Direction.incoming), ("outgoing", Direction.outgoing)] {
            guard let (keyNode, value) = f[key] else { continue }
            if value.isSequence {
                for item in try value.items(budget: budget) {
                    try readEndpoint(item, role: .client, direction: direction, account: name, location: item.span(in: file.path))
                }
            } else {
                try readEndpoint(value, role: .client, direction: direction, account: name, location: keyNode.span(in: file.path))
            }
        }
        if let (_, value) = f["content_encryption"] {
            let text = value.text ?? ""
            if let mode = ContentEncryption(rawValue: text.lowercased()) {
                var identity = Identity(name: name, contentEncryption: mode, location: node.span(in: file.path))
                identity.spans["contentEncryption"] = value.span(in: file.path)
                setup.identities.append(identity)
            } else {
                diagnostics.report("content_encryption must be one of always, opportunistic, per-message, never; found '\(text)'\(Suggestion.phrase(for: text, in: ContentEncryption.allCases.map(\.rawValue)))", at: value.span(in: file.path))
            }
        }
    }

    mutating func readServer(_ node: YAMLItem) throws(ParseProblem) {
        let f = try fields(of: node, allowed: NativeKeys.server, block: "a server")
        let name = f["name"]?.value.text
        let host = f["host"]?.value.text
        guard let listeners = f["listeners"] else {
            diagnostics.report("a server needs `listeners:`, the ports it listens on", at: node.span(in: file.path))
            return
        }
        for item in try list(listeners.value, what: "listeners") {
            try readEndpoint(item, role: .server, direction: nil, account: name, location: item.span(in: file.path), host: host)
        }
    }

    mutating func readWebmail(_ node: YAMLItem) throws(ParseProblem) {
        let f = try fields(of: node, allowed: NativeKeys.webmail, block: "a webmail entry")
        guard let (_, urlNode) = f["url"], let text = urlNode.text else {
            diagnostics.report("a webmail entry needs `url:`", at: node.span(in: file.path))
            return
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            diagnostics.report("webmail url must be an http:// or https:// URL, found '\(text)'", at: urlNode.span(in: file.path))
            return
        }
        let span = urlNode.span(in: file.path)
        var endpoint = Endpoint(role: .server, location: node.span(in: file.path))
        endpoint.account = f["name"]?.value.text ?? url.host
        endpoint.direction = .webmail
        endpoint.protocol = .http
        endpoint.host = url.host
        endpoint.tls = scheme == "https" ? .implicit : TLSMode.none
        endpoint.tlsRequired = scheme == "https"
        endpoint.port = url.port ?? ports.defaultPort(for: .http, tls: endpoint.tls, direction: .webmail)
        endpoint.portIsDefault = url.port == nil
        for field in [Endpoint.Field.host, .port, .tls, .tlsRequired, .protocol] { endpoint.spans[field] = span }
        setup.endpoints.append(endpoint)
    }

    mutating func readEndpoint(_ node: YAMLItem, role: Role, direction: Direction?, account: String?, location: SourceSpan, host: String? = nil) throws(ParseProblem) {
        let allowed = role == .server ? NativeKeys.listener : NativeKeys.endpoint
        let block = role == .server ? "a listener" : "an endpoint"
        let f = try fields(of: node, allowed: allowed, block: block)
        var e = Endpoint(role: role, location: location)
        e.account = account
        if role == .server, let name = f["name"]?.value.text { e.account = account.map { "\($0)/\(name)" } ?? name }
        func span(_ key: String) -> SourceSpan? { f[key]?.value.span(in: file.path) }
        func set(_ field: Endpoint.Field, from key: String) { if let s = span(key) { e.spans[field] = s } }

        guard let (_, protocolNode) = f["protocol"] else {
            diagnostics.report("\(block) needs `protocol:` (\(MailProtocol.allCases.map(\.rawValue).joined(separator: ", ")))", at: node.span(in: file.path))
            return
        }
        guard let p = enumValue(MailProtocol.self, protocolNode, key: "protocol") else { return }
        e.protocol = p
        set(.protocol, from: "protocol")

        if let v = f["direction"]?.value {
            guard let d = enumValue(Direction.self, v, key: "direction") else { return }
            e.direction = d
            set(.direction, from: "direction")
        } else {
            e.direction = direction
        }
        if let v = f["transport"]?.value, let t = enumValue(Transport.self, v, key: "transport") {
            e.transport = t
            set(.transport, from: "transport")
        }
        e.host = f["host"]?.value.text ?? host
        set(.host, from: "host")

        // tls: a port meant for encryption does not switch it on, so no setting means none.
        if let v = f["tls"]?.value {
            if v.boolValue == false {
                e.tls = TLSMode.none
            } else if v.boolValue == true {
                diagnostics.report("`tls: true` is ambiguous: write `tls: implicit` (TLS from the first byte) or `tls: starttls` (upgrade after connecting)", at: v.span(in: file.path))
                return
            } else if let t = enumValue(TLSMode.self, v, key: "tls") {
                e.tls = t
            } else {
                return
            }
            set(.tls, from: "tls")
        } else {
            e.tls = TLSMode.none
        }
        if e.direction == nil { e.direction = ports.listenerDirection(protocol: p, port: f["port"]?.value.intValue) }

        if let v = f["port"]?.value {
            guard let port = v.intValue, (1...65535).contains(port) else {
                diagnostics.report("port must be a number from 1 to 65535, found '\(v.text ?? v.kindName)'", at: v.span(in: file.path))
                return
            }
            e.port = port
            set(.port, from: "port")
        } else {
            e.port = ports.defaultPort(for: p, tls: e.tls, direction: e.direction)
            e.portIsDefault = true
        }
        if role == .server, f["direction"] == nil { e.direction = ports.listenerDirection(protocol: p, port: e.port) }

        e.tlsRequired = bool(f["tls_required"]?.value, key: "tls_required") ?? (e.tls != TLSMode.none)
        set(.tlsRequired, from: "tls_required")
        e.verifyCertificate = bool(f["verify_certificate"]?.value, key: "verify_certificate") ?? (e.tls == TLSMode.none ? nil : true)
        set(.verifyCertificate, from: "verify_certificate")
        if let v = f["min_tls_version"]?.value {
            if let version = v.text.flatMap(TLSVersion.init(loose:)) {
                e.minTLSVersion = version
                set(.minTLSVersion, from: "min_tls_version")
            } else {
                diagnostics.report("min_tls_version must be a TLS or SSL version such as \"1.2\" or \"tls1.3\", found '\(v.text ?? v.kindName)'", at: v.span(in: file.path))
            }
        }

        // Credentials: which kind is configured (never the secret itself).
        if let (_, v) = f["password"] {
            e.credential = .inline
            e.spans[.credential] = v.span(in: file.path)
            setup.secrets.append(v.span(in: file.path))
        } else if f["password_command"] != nil {
            e.credential = .command
            set(.credential, from: "password_command")
        } else if f["password_file"] != nil {
            e.credential = .file
            set(.credential, from: "password_file")
        } else if bool(f["keyring"]?.value, key: "keyring") == true {
            e.credential = .keyring
            set(.credential, from: "keyring")
        }
        if let v = f["auth"]?.value {
            if v.isNull || v.text?.lowercased() == "none" {
                e.auth = []
            } else {
                var mechanisms: [String] = []
                for item in try v.items(budget: budget) {
                    guard let text = item.text, !text.isEmpty else { diagnostics.report("auth lists mechanism names (plain, login, cram-md5, oauth2, …)", at: item.span(in: file.path)); continue }
                    mechanisms.append(text.lowercased())
                }
                e.auth = mechanisms
            }
            set(.auth, from: "auth")
        } else if e.credential != nil {
            e.auth = ["password"]
            e.spans[.auth] = e.spans[.credential]
        }
        if e.credential == nil, e.auth == [] { e.credential = CredentialKind.none }

        if let bannerNode = f["banner"]?.value { e.banner = bannerNode.text; set(.banner, from: "banner") }
        e.allowsVRFY = bool(f["vrfy"]?.value, key: "vrfy"); set(.allowsVRFY, from: "vrfy")
        e.authRequired = bool(f["require_auth"]?.value, key: "require_auth"); set(.authRequired, from: "require_auth")
        e.selectiveTLS = bool(f["selective_tls"]?.value, key: "selective_tls"); set(.selectiveTLS, from: "selective_tls")
        if role == .server {
            if let explicit = bool(f["plaintext_auth"]?.value, key: "plaintext_auth") {
                e.allowsPlaintextAuth = explicit
                set(.allowsPlaintextAuth, from: "plaintext_auth")
            } else if e.tls == TLSMode.none, let auth = e.auth, !auth.isEmpty {
                e.allowsPlaintextAuth = true
                e.spans[.allowsPlaintextAuth] = e.spans[.auth]
            }
        }
        setup.endpoints.append(e)
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type, _ node: YAMLItem, key: String) -> E? where E.RawValue == String {
        let text = node.text ?? ""
        if let value = E(rawValue: text.lowercased()) { return value }
        let names = E.allCases.map(\.rawValue)
        diagnostics.report("\(key) must be one of \(names.joined(separator: ", ")); found '\(node.text ?? node.kindName)'\(Suggestion.phrase(for: text, in: names))", at: node.span(in: file.path))
        return nil
    }

    mutating func bool(_ node: YAMLItem?, key: String) -> Bool? {
        guard let node else { return nil }
        if let b = node.boolValue { return b }
        diagnostics.report("\(key) must be true or false, found '\(node.text ?? node.kindName)'", at: node.span(in: file.path))
        return nil
    }
}
