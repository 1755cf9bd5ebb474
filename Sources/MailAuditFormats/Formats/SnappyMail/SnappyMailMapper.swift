import MailAuditCore

/// A SnappyMail domain → its IMAP, SMTP and Sieve endpoints, as SnappyMail 2.38 loads it
/// (`RainLoop\Model\Domain::fromArray` / `fromIniArray`, `MailSo\Net\ConnectSettings`,
/// `MailSo\Net\SSLContext`, `ConnectionSecurityType`):
///
/// - JSON: `IMAP`, `SMTP`, `Sieve` objects with `host`, `port`, `type` (or `secure`), `ssl`
///   (`verify_peer`, `verify_peer_name`, `allow_self_signed`), `sasl`, and for SMTP `useAuth` and
///   `usePhpMail`, for Sieve `enabled`; or the flat keys of SnappyMail 2.0–2.2 (`imapHost`,
///   `imapSecure`, `smtpAuth`, `useSieve`, …). A domain without an IMAP host is not loaded.
/// - INI: `imap_host`, `imap_port`, `imap_secure` (`SSL`, `TLS` = STARTTLS, anything else none),
///   `smtp_*` (port 25 when absent), `smtp_auth`, `smtp_php_mail`, `sieve_use`, `sieve_*` (4190).
/// - Security type 0 is plain text; 1 implicit TLS; 2 STARTTLS, required (SnappyMail fails when the
///   server does not offer it); 9 (auto-detect, also when JSON gives no type) implicit TLS on 465,
///   993 and 995, otherwise STARTTLS when the server offers it.
/// - Certificates are verified unless `verify_peer` or `verify_peer_name` is false, or
///   `allow_self_signed` is true (a self-signed certificate can be made for any name). Where the
///   domain does not say, SnappyMail's `application.ini` `[ssl]` decides (default: verify).
/// - The webmail logs in with each user's own login and password: nothing secret is written here.
///   SMTP authenticates only with `useAuth` (`smtp_auth`); `usePhpMail` sends through PHP's `mail()`
///   (the local sendmail), not SMTP.
struct SnappyMailMapper {
    let statements: [SnappyMailStatement]
    let domain: String
    let file: SourceFile

    enum Service: String {
        case imap = "IMAP", smtp = "SMTP", sieve = "Sieve"
    }

    /// One service's settings as the domain file writes them.
    struct Server {
        var service: Service
        var location: SourceSpan
        var values: [String: SnappyMailStatement] = [:]
        /// JSON `type` when the file gives neither `type` nor `secure`: auto-detect.
        var defaultType: Int
        var defaultPort: Int?
    }

    func map(into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        var byPath: [[String]: SnappyMailStatement] = [:]
        for s in statements { byPath[s.path] = s }
        let servers: [Server]
        if let imap = byPath[["IMAP"]], imap.value == .object {
            servers = [Service.imap, .smtp, .sieve].compactMap { service in
                guard let block = byPath[[service.rawValue]] else { return nil }
                var server = Server(service: service, location: block.keySpan, defaultType: 9)
                for s in statements where s.path.count >= 2 && s.path[0] == service.rawValue {
                    server.values[s.path.dropFirst().joined(separator: ".")] = s
                }
                if let secure = server.values["secure"], server.values["type"] == nil { server.values["type"] = secure }
                return server
            }
        } else if byPath[["imapHost"]] != nil {
            servers = flat(byPath, keys: [
                (.imap, "imapHost", "imapPort", "imapSecure", nil),
                (.smtp, "smtpHost", "smtpPort", "smtpSecure", "smtpAuth"),
                (.sieve, "sieveHost", "sievePort", "sieveSecure", nil),
            ], enabled: "useSieve", phpMail: "smtpPhpMail")
        } else if byPath[["imap_host"]] != nil {
            servers = flat(byPath, keys: [
                (.imap, "imap_host", "imap_port", "imap_secure", nil),
                (.smtp, "smtp_host", "smtp_port", "smtp_secure", "smtp_auth"),
                (.sieve, "sieve_host", "sieve_port", "sieve_secure", nil),
            ], enabled: "sieve_use", phpMail: "smtp_php_mail")
        } else {
            return
        }
        // A domain without an IMAP host is not loaded.
        guard let imap = servers.first(where: { $0.service == .imap }), imap.values["host"].map(isEmpty) == false else { return }
        for server in servers { endpoint(server, into: &setup, diagnostics: &diagnostics) }
    }

    /// The flat keys of older files, gathered into the shape of the JSON objects.
    func flat(_ byPath: [[String]: SnappyMailStatement], keys: [(Service, String, String, String, String?)], enabled: String, phpMail: String) -> [Server] {
        let ini = keys[0].1 == "imap_host"
        return keys.compactMap { service, host, port, secure, auth in
            guard let hostStatement = byPath[[host]] else { return nil }
            var server = Server(service: service, location: hostStatement.keySpan, defaultType: 0,
                                defaultPort: ini ? [.smtp: 25, .sieve: 4190][service] : nil)
            server.values["host"] = hostStatement
            server.values["port"] = byPath[[port]]
            if let s = byPath[[secure]] {
                // INI: `SSL`, `TLS` (STARTTLS) or anything else (none), in any case.
                if ini, case .string(let t) = s.value {
                    var mapped = s
                    mapped.value = .number(t.uppercased() == "SSL" ? 1 : t.uppercased() == "TLS" ? 2 : 0)
                    server.values["type"] = mapped
                } else {
                    server.values["type"] = s
                }
            }
            if let auth { server.values["useAuth"] = byPath[[auth]] }
            if service == .smtp { server.values["usePhpMail"] = byPath[[phpMail]] }
            if service == .sieve { server.values["enabled"] = byPath[[enabled]] }
            return server
        }
    }

    func endpoint(_ server: Server, into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        let v = server.values
        if server.service == .sieve, v["enabled"].map(truthy) != true { return }
        if server.service == .smtp, v["usePhpMail"].map(truthy) == true { return }

        var e = Endpoint(role: .client, location: server.location)
        e.account = domain
        switch server.service {
        case .imap: e.direction = .incoming; e.protocol = .imap
        case .smtp: e.direction = .outgoing; e.protocol = .smtp
        case .sieve: e.protocol = .managesieve
        }

        if let host = v["host"] {
            if case .string(let h) = host.value, !h.trimmingCharacters(in: .whitespaces).isEmpty {
                e.set(\.host, h.trimmingCharacters(in: .whitespaces), field: .host, span: host.valueSpan)
            } else {
                e.spans[.host] = host.valueSpan
            }
        }

        var port: Int?
        if let p = v["port"] {
            if let n = integer(p) {
                if (1...65535).contains(n) {
                    e.set(\.port, n, field: .port, span: p.valueSpan)
                    port = n
                } else {
                    diagnostics.report("\(server.service.rawValue) port \(n) is not a port from 1 to 65535: SnappyMail cannot connect", at: p.valueSpan)
                }
            } else {
                e.spans[.port] = p.valueSpan
            }
        } else if let d = server.defaultPort {
            e.port = d
            e.portIsDefault = true
            port = d
        }

        let typeStatement = v["type"]
        let type: Int? = typeStatement.map(integer) ?? server.defaultType
        let typeSpan = typeStatement?.valueSpan
        switch type {
        case 0?:
            e.set(\.tls, TLSMode.none, field: .tls, span: typeSpan)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: typeSpan)
        case 1?:
            e.set(\.tls, .implicit, field: .tls, span: typeSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: typeSpan)
        case 2?:
            e.set(\.tls, .starttls, field: .tls, span: typeSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: typeSpan)
        case 9?:
            if let port, [465, 993, 995].contains(port) {
                e.set(\.tls, .implicit, field: .tls, span: typeSpan ?? v["port"]?.valueSpan)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: typeSpan ?? v["port"]?.valueSpan)
            } else if port != nil {
                e.set(\.tls, .starttls, field: .tls, span: typeSpan)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: typeSpan)
            }
        case let other?:
            diagnostics.report("\(server.service.rawValue) security type \(other) is none of 0 (none), 1 (SSL/TLS), 2 (STARTTLS), 9 (auto-detect): SnappyMail connects without TLS", at: typeSpan ?? .start(of: file.path))
            e.set(\.tls, TLSMode.none, field: .tls, span: typeSpan)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: typeSpan)
        case nil:
            e.spans[.tls] = typeSpan
        }

        if e.tls == .implicit || e.tls == .starttls { verify(&e, v) }

        // Authentication: each user's own login; the mechanisms the domain allows, or "a password".
        let sasl: [String]? = { if case .array(let m)? = v["sasl"]?.value, !m.isEmpty { return m.map { $0.lowercased() } }; return nil }()
        if server.service == .smtp, let useAuth = v["useAuth"], useAuth.value == .unknown {
            e.spans[.auth] = useAuth.valueSpan
        } else if server.service == .smtp, let useAuth = v["useAuth"], !truthy(useAuth) {
            e.set(\.auth, [], field: .auth, span: useAuth.valueSpan)
            e.set(\.credential, CredentialKind.none, field: .credential, span: useAuth.valueSpan)
        } else {
            e.set(\.auth, sasl ?? ["password"], field: .auth, span: v["sasl"]?.valueSpan ?? v["useAuth"]?.valueSpan)
        }
        setup.endpoints.append(e)
    }

    /// `ssl`: `verify_peer`, `verify_peer_name`, `allow_self_signed`; SnappyMail's defaults where absent.
    func verify(_ e: inout Endpoint, _ v: [String: SnappyMailStatement]) {
        for key in ["ssl.verify_peer", "ssl.verify_peer_name"] {
            if let s = v[key], !truthy(s) { return e.set(\.verifyCertificate, false, field: .verifyCertificate, span: s.valueSpan) }
        }
        if let s = v["ssl.allow_self_signed"], truthy(s) { return e.set(\.verifyCertificate, false, field: .verifyCertificate, span: s.valueSpan) }
        e.set(\.verifyCertificate, true, field: .verifyCertificate, span: v["ssl.verify_peer"]?.valueSpan)
    }

    /// PHP's truthiness of a value (`!empty()`, a bool property given the value).
    func truthy(_ s: SnappyMailStatement) -> Bool {
        switch s.value {
        case .bool(let b): return b
        case .number(let n): return n != 0
        case .string(let t): return !t.isEmpty && t != "0"
        case .array(let items): return !items.isEmpty
        case .object: return true
        case .null, .unknown: return false
        }
    }

    func isEmpty(_ s: SnappyMailStatement) -> Bool {
        if case .string(let t) = s.value { return t.trimmingCharacters(in: .whitespaces).isEmpty }
        if case .unknown = s.value { return false }
        return !truthy(s)
    }

    /// PHP's `(int)` of a value; nil when unknown.
    func integer(_ s: SnappyMailStatement) -> Int? {
        switch s.value {
        case .number(let n): return n.isFinite && abs(n) < 1e9 ? Int(n) : nil
        case .bool(let b): return b ? 1 : 0
        case .string(let t):
            // Leading digits, as PHP casts "143abc" to 143 and "" to 0.
            let trimmed = t.trimmingCharacters(in: .whitespaces)
            let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
            return Int(digits.prefix(9)) ?? 0
        case .null: return 0
        case .unknown, .object, .array: return nil
        }
    }
}
