import MailAuditCore

/// Roundcube's settings → its IMAP and SMTP connections and, where the file names it, its own HTTP
/// side, with Roundcube 1.6's defaults (`config/defaults.inc.php`, `rcube_smtp::connect`,
/// `rcmail::login`, `rcube_utils::parse_host_uri`):
/// - `imap_host` (1.5 and older: `default_host`) `ssl://host` is implicit TLS (port 993), `tls://host`
///   STARTTLS that must succeed, a plain host no TLS at all (port 143); default `localhost:143`.
///   A list gives one connection per host. `default_port` is no longer read.
/// - `smtp_host` (older: `smtp_server`) the same with ports 465 and 587; default `localhost:587`.
///   `smtp_port` is no longer read. Roundcube logs in when user and password are both non-empty;
///   `%u`/`%p` are the webmail user's own login, not a written password.
/// - `imap_conn_options`/`smtp_conn_options` `ssl` (also per host): PHP verifies certificates unless
///   `verify_peer` or `verify_peer_name` is false or `allow_self_signed` true.
/// - `request_path` written as an `http://` URL says the webmail itself is served over HTTP unless
///   `force_https` redirects; without such a URL the file says nothing about the HTTP side.
struct RoundcubeMapper {
    static let program = "Roundcube 1.6"
    static let variables: Set<String> = ["config", "rcmail_config"]
    /// Keys that tell a Roundcube configuration from other PHP files named config.inc.php.
    static let signatureKeys: Set<String> = ["imap_host", "default_host", "smtp_host", "smtp_server", "smtp_user",
                                            "smtp_pass", "des_key", "db_dsnw", "imap_conn_options", "smtp_conn_options",
                                            "support_url", "product_name", "skin", "plugins", "default_port", "smtp_port"]

    let config: PHPSettings
    let defaults: PHPSettings?
    let file: SourceFile
    let ports: PortTable

    /// One effective setting: the value, where it is written (nil for a built-in default) and what it replaced.
    struct Value {
        var value: PHPValue
        var span: SourceSpan? = nil
        var keySpan: SourceSpan? = nil
    }

    /// A setting after Roundcube's merge: config.inc.php over defaults.inc.php, each file's old name
    /// read as the new one when the new one is not set in that file (`fix_legacy_props`), and a
    /// null value as not set (`isset`).
    func value(_ key: String, legacy: String? = nil) -> Value? {
        for settings in [config, defaults].compactMap({ $0 }) {
            let s = settings[key].flatMap { $0.value.value == .null ? nil : $0 } ?? legacy.flatMap { settings[$0] }.flatMap { $0.value.value == .null ? nil : $0 }
            if let s { return Value(value: s.value.value, span: s.value.span, keySpan: s.keySpan) }
        }
        return nil
    }

    var fileStart: SourceSpan { SourceSpan(path: file.path, line: 1, column: 1) }

    /// Where an endpoint is defined: its setting in this file, or the file's start for a default.
    func location(_ v: Value) -> SourceSpan { v.keySpan.flatMap { $0.path == file.path ? $0 : nil } ?? fileStart }

    func map(into setup: inout MailSetup) {
        for name in ["smtp_pass", "des_key"] {
            if let s = config[name], case .string(let t) = s.value.value, !t.isEmpty, t != "%p" { setup.secrets.append(s.value.span) }
        }
        imapEndpoints(into: &setup)
        smtpEndpoints(into: &setup)
        webmailEndpoint(into: &setup)
    }

    // MARK: - IMAP and SMTP

    /// The hosts a `*_host` setting names: a string, or a list (keys are hosts when they are strings).
    func hosts(_ v: Value) -> [(text: String?, span: SourceSpan?)] {
        switch v.value {
        case .string(let s): return s.isEmpty ? [] : [(s, v.span)]
        case .array(let entries):
            return entries.map { entry in
                if case .string(let k)? = entry.key { return (k, entry.keySpan) }
                if case .string(let s) = entry.value.value { return (s, entry.value.span) }
                return (nil, entry.value.span)
            }
        case .unknown: return [(nil, v.span)]
        default: return []
        }
    }

    func imapEndpoints(into setup: inout MailSetup) {
        let host = value("imap_host", legacy: "default_host") ?? Value(value: .string("localhost:143"))
        let authType = value("imap_auth_type")
        for (text, span) in hosts(host) {
            var e = Endpoint(role: .client, location: location(host))
            e.account = "roundcube"
            e.direction = .incoming
            e.protocol = .imap
            connect(&e, host: text, span: span, plainPort: 143, sslPort: 993, implicitSchemes: ["ssl", "imaps"])
            if let old = config["default_port"] { e.addRelated(old.keySpan, for: .port) }
            verification(&e, options: value("imap_conn_options"))
            // Roundcube logs in to IMAP with the user's own name and password.
            if case .string(let t)? = authType?.value, !t.isEmpty { e.set(\.auth, [t.lowercased()], field: .auth, span: authType?.span) } else { e.auth = ["password"] }
            setup.endpoints.append(e)
        }
    }

    func smtpEndpoints(into setup: inout MailSetup) {
        var host = value("smtp_host", legacy: "smtp_server") ?? Value(value: .string("localhost:587"))
        if case .string("") = host.value { host.value = .string("localhost") }
        var targets = hosts(host)
        // A map from IMAP host to SMTP host: one connection per SMTP host.
        if case .array(let entries) = host.value {
            targets = entries.map { entry in
                if case .string(let s) = entry.value.value { return (s.isEmpty ? "localhost" : s, entry.value.span) }
                return (nil, entry.value.span)
            }
        }
        for (text, span) in targets {
            var e = Endpoint(role: .client, location: location(host))
            e.account = "roundcube"
            e.direction = .outgoing
            e.protocol = .smtp
            connect(&e, host: text, span: span, plainPort: 587, sslPort: 465, implicitSchemes: ["ssl"])
            if let old = config["smtp_port"] { e.addRelated(old.keySpan, for: .port) }
            verification(&e, options: value("smtp_conn_options"))
            login(&e)
            setup.endpoints.append(e)
        }
    }

    /// Host, port and TLS from `[scheme://]host[:port]` as `rcube_utils::parse_host_uri` reads it.
    func connect(_ e: inout Endpoint, host text: String?, span: SourceSpan?, plainPort: Int, sslPort: Int, implicitSchemes: Set<String>) {
        // A template placeholder where the scheme would be may fill in any scheme, host and port.
        guard let text, text.contains("://") || TemplateSyntax.placeholder(in: text) == nil else {
            e.spans[.host] = span
            e.spans[.tls] = span
            e.spans[.port] = span
            return
        }
        var rest = Substring(text)
        var scheme: String?
        if let r = rest.range(of: "://") {
            scheme = rest[..<r.lowerBound].lowercased()
            rest = rest[r.upperBound...]
        }
        var name = rest.prefix { $0 != "/" && $0 != "?" }
        var port: Int?
        if name.hasPrefix("[") {
            if let close = name.firstIndex(of: "]") {
                let after = name[name.index(after: close)...]
                if after.hasPrefix(":") { port = Int(after.dropFirst()) }
                name = name[name.index(after: name.startIndex)..<close]
            }
        } else if let colon = name.lastIndex(of: ":"), name.firstIndex(of: ":") == colon, let p = Int(name[name.index(after: colon)...]) {
            port = p
            name = name[..<colon]
        }
        // Placeholders of a template, and Roundcube's %n/%t/%d/%s/%h/%z, are filled in at run time.
        let hostName = String(name)
        if !hostName.isEmpty, TemplateSyntax.placeholder(in: hostName) == nil, !hostName.contains("%") {
            e.set(\.host, hostName, field: .host, span: span)
        } else {
            e.spans[.host] = span
        }
        switch scheme {
        case nil:
            e.set(\.tls, TLSMode.none, field: .tls, span: span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
        case "tls"?:
            // rcube_smtp and rcube_imap_generic fail the connection when STARTTLS fails.
            e.set(\.tls, .starttls, field: .tls, span: span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
        case let s? where implicitSchemes.contains(s):
            e.set(\.tls, .implicit, field: .tls, span: span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
        default:
            e.spans[.tls] = span
        }
        if let port, (1...65535).contains(port) {
            e.set(\.port, port, field: .port, span: span)
            // Written in the built-in default (`localhost:587`), not in a file.
            e.portIsDefault = span == nil
        } else if let scheme, scheme != "tls", scheme == "ssl" || scheme.hasSuffix("s") {
            e.port = sslPort
            e.portIsDefault = true
        } else {
            e.port = plainPort
            e.portIsDefault = true
        }
    }

    /// Certificate checks from PHP's stream options (`['ssl' => ['verify_peer' => false]]`, also per host).
    func verification(_ e: inout Endpoint, options: Value?) {
        guard e.tls == .starttls || e.tls == .implicit else { return }
        guard let options, options.value != .null else {
            e.verifyCertificate = true
            return
        }
        guard case .array = options.value else {
            e.spans[.verifyCertificate] = options.span
            return
        }
        var ssl = options.value["ssl"]
        if let host = e.host, case .array(let entries) = options.value {
            for entry in entries {
                guard case .string(let pattern)? = entry.key, pattern != "ssl", Self.hostMatches(pattern, host) else { continue }
                ssl = entry.value.value["ssl"]
                break
            }
        }
        guard let ssl else {
            e.verifyCertificate = true
            return
        }
        let (verifies, span) = PHPStreamOptions.verifiesCertificate(ssl.value)
        e.verifyCertificate = verifies
        e.spans[.verifyCertificate] = span
    }

    /// `rcube_utils::parse_socket_options`: a host name key, `*` matching any run of characters.
    static func hostMatches(_ pattern: String, _ host: String) -> Bool {
        let parts = pattern.lowercased().split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        let h = host.lowercased()
        guard parts.count > 1 else { return parts[0] == h }
        guard h.hasPrefix(parts[0]), h.hasSuffix(parts[parts.count - 1]), h.count >= parts[0].count + parts[parts.count - 1].count else { return false }
        var rest = Substring(h.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count))
        for middle in parts.dropFirst().dropLast() {
            guard let r = rest.range(of: middle) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }

    /// SMTP login: Roundcube authenticates when user and password are both non-empty after `%u`/`%p`.
    func login(_ e: inout Endpoint) {
        let user = value("smtp_user") ?? Value(value: .string("%u"))
        let pass = value("smtp_pass") ?? Value(value: .string("%p"))
        let authType = value("smtp_auth_type")
        func empty(_ v: Value) -> Bool? {
            switch v.value {
            case .string(let s): return TemplateSyntax.placeholder(in: s) != nil ? nil : s.isEmpty
            case .null: return true
            case .bool(let b): return !b
            case .int: return false
            default: return nil
            }
        }
        if case .string(let p) = pass.value, !p.isEmpty, p != "%p", TemplateSyntax.placeholder(in: p) == nil {
            e.set(\.credential, .inline, field: .credential, span: pass.span)
        }
        switch (empty(user), empty(pass)) {
        case (false?, false?):
            if case .string(let t)? = authType?.value, !t.isEmpty {
                e.set(\.auth, [t.lowercased()], field: .auth, span: authType?.span)
            } else {
                e.set(\.auth, ["password"], field: .auth, span: pass.span)
            }
        case (true?, _), (_, true?):
            e.set(\.auth, [], field: .auth, span: empty(user) == true ? user.span : pass.span)
            if e.credential == nil { e.set(\.credential, CredentialKind.none, field: .credential, span: pass.span) }
        default:
            e.spans[.auth] = pass.span ?? user.span
        }
    }

    // MARK: - The webmail's own HTTP side

    func webmailEndpoint(into setup: inout MailSetup) {
        guard let path = value("request_path"), case .string(let text) = path.value else { return }
        let lower = text.lowercased()
        let secure: Bool
        if lower.hasPrefix("https://") { secure = true } else if lower.hasPrefix("http://") { secure = false } else { return }
        var e = Endpoint(role: .server, location: location(path))
        e.account = "roundcube"
        e.direction = .webmail
        e.protocol = .http
        let authority = text.dropFirst(secure ? 8 : 7).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host = authority
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasPrefix("[") || authority[..<colon].hasSuffix("]") {
            port = Int(authority[authority.index(after: colon)...])
            host = authority[..<colon]
        }
        if !host.isEmpty, TemplateSyntax.placeholder(in: host) == nil { e.set(\.host, String(host), field: .host, span: path.span) } else { e.spans[.host] = path.span }
        // force_https redirects every plain-HTTP request (true, or the port/host to redirect to).
        let force = value("force_https")
        if secure {
            e.set(\.tls, .implicit, field: .tls, span: path.span)
        } else if let force, force.value.truthy == true {
            e.set(\.tls, .implicit, field: .tls, span: force.span)
        } else if let force, force.value.truthy == nil {
            e.spans[.tls] = force.span
        } else {
            e.set(\.tls, TLSMode.none, field: .tls, span: path.span)
            if let f = force?.keySpan { e.addRelated(f, for: .tls) }
        }
        if let port, (1...65535).contains(port) {
            e.set(\.port, port, field: .port, span: path.span)
        } else {
            e.port = ports.defaultPort(for: .http, tls: secure ? .implicit : TLSMode.none, direction: .webmail)
            e.portIsDefault = true
        }
        setup.endpoints.append(e)
    }
}
