import MailAuditCore

/// Nextcloud's `mail_*` settings → the SMTP connection its mailer makes, as Nextcloud 26 and later
/// build it (`lib/private/Mail/Mailer.php` on Symfony Mailer's `EsmtpTransport`):
/// - `mail_smtpmode` `smtp` (the default; any value but `sendmail`/`qmail`) sends over SMTP to
///   `mail_smtphost` (default 127.0.0.1) on `mail_smtpport` (default 25, read as an integer).
/// - `mail_smtpsecure` `ssl` is implicit TLS. Anything else (`tls`, empty) leaves TLS to Symfony:
///   implicit on port 465, otherwise STARTTLS when the server offers it and plain text when it does
///   not — opportunistic, whatever `tls` promises.
/// - `mail_smtpauth` (a PHP truth value, default false) logs in with `mail_smtpname`/`mail_smtppassword`.
/// - `mail_smtpstreamoptions` `ssl` `verify_peer`/`verify_peer_name` false or `allow_self_signed`
///   true switch certificate checks off; PHP checks them otherwise.
/// - `overwriteprotocol` `http` says the web interface is served over plain HTTP.
struct NextcloudMapper {
    static let program = "Nextcloud 31"
    static let mailKeys = ["mail_smtpmode", "mail_smtphost", "mail_smtpport", "mail_smtpsecure", "mail_smtpauth",
                           "mail_smtpname", "mail_smtppassword", "mail_smtpstreamoptions"]
    static let secretKeys = ["mail_smtppassword", "dbpassword", "secret", "passwordsalt", "updater.secret"]

    let settings: PHPSettings
    let file: SourceFile
    let ports: PortTable

    func map(into setup: inout MailSetup) {
        for name in Self.secretKeys {
            if let s = settings[name], case .string(let t) = s.value.value, !t.isEmpty { setup.secrets.append(s.value.span) }
        }
        smtpEndpoint(into: &setup)
        webEndpoint(into: &setup)
    }

    func smtpEndpoint(into setup: inout MailSetup) {
        let written = Self.mailKeys.compactMap { settings[$0] }
        guard let first = written.min(by: { $0.keySpan < $1.keySpan }) else { return }
        if let mode = settings["mail_smtpmode"], case .string(let m) = mode.value.value, m == "sendmail" || m == "qmail" { return }
        var e = Endpoint(role: .client, location: first.keySpan)
        e.account = "nextcloud"
        e.direction = .outgoing
        e.protocol = .smtp

        var host: String? = "127.0.0.1"
        if let h = settings["mail_smtphost"] {
            if let text = h.value.value.text, !text.isEmpty, TemplateSyntax.placeholder(in: text) == nil {
                e.set(\.host, text, field: .host, span: h.value.span)
            } else {
                e.spans[.host] = h.value.span
            }
            host = e.host
        } else {
            e.host = host
        }

        // getSystemValueInt: PHP's (int) cast of whatever is written.
        let portSetting = settings["mail_smtpport"]
        var port: Int? = 25
        if let portSetting {
            port = portSetting.value.value.integer
            if case .string(let t) = portSetting.value.value, TemplateSyntax.placeholder(in: t) != nil { port = nil }
        }
        let secure = settings["mail_smtpsecure"]
        let ssl: Bool? = secure.map { s in
            switch s.value.value {
            case .string(let t): return t == "ssl"
            case .unknown: return nil
            default: return false
            }
        } ?? false
        var implicit: Bool?
        if ssl == true {
            implicit = true
        } else if let port {
            // EsmtpTransport: port 465 is implicit TLS; port 0 becomes 465 with TLS unless the host is localhost.
            if port == 465 { implicit = true } else if port == 0 { implicit = host.map { $0 != "localhost" } } else { implicit = ssl == nil ? nil : false }
        }
        if let port, port != 0 {
            if portSetting != nil { e.set(\.port, port, field: .port, span: portSetting?.value.span) } else { e.port = port; e.portIsDefault = true }
        } else if port == 0, let implicit {
            e.port = implicit ? 465 : 25
            e.spans[.port] = portSetting?.value.span
        } else {
            e.spans[.port] = portSetting?.value.span
        }
        let tlsSpan = secure?.value.span ?? portSetting?.value.span
        switch implicit {
        case true?:
            e.set(\.tls, .implicit, field: .tls, span: ssl == true ? secure?.value.span : portSetting?.value.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: e.spans[.tls])
        case false?:
            e.set(\.tls, .starttls, field: .tls, span: tlsSpan)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: tlsSpan)
        case nil:
            e.spans[.tls] = tlsSpan
        }
        verification(&e)
        login(&e, into: &setup)
        setup.endpoints.append(e)
    }

    func verification(_ e: inout Endpoint) {
        guard e.tls != nil else { return }
        guard let options = settings["mail_smtpstreamoptions"] else {
            e.verifyCertificate = true
            return
        }
        guard case .array = options.value.value else {
            e.spans[.verifyCertificate] = options.value.span
            return
        }
        guard let ssl = options.value.value["ssl"] else {
            e.verifyCertificate = true
            return
        }
        let (verifies, span) = PHPStreamOptions.verifiesCertificate(ssl.value)
        e.verifyCertificate = verifies
        e.spans[.verifyCertificate] = span
    }

    func login(_ e: inout Endpoint, into setup: inout MailSetup) {
        let auth = settings["mail_smtpauth"]
        let name = settings["mail_smtpname"]
        let password = settings["mail_smtppassword"]
        switch auth?.value.value.truthy ?? false {
        case true:
            // Symfony logs in only with a user name (getSystemValueString: '' when not written).
            guard let user = name.map({ $0.value.value.text }) ?? "" else {
                e.spans[.auth] = name?.value.span ?? auth?.value.span
                return
            }
            if user.isEmpty {
                e.set(\.auth, [], field: .auth, span: name?.value.span)
                e.set(\.credential, CredentialKind.none, field: .credential, span: name?.value.span)
                return
            }
            e.set(\.auth, ["password"], field: .auth, span: auth?.value.span)
            if let password {
                switch password.value.value {
                case .string(let p) where !p.isEmpty && TemplateSyntax.placeholder(in: p) == nil:
                    e.set(\.credential, .inline, field: .credential, span: password.value.span)
                case .unknown:
                    e.spans[.credential] = password.value.span
                default:
                    break
                }
            }
        case false:
            e.set(\.auth, [], field: .auth, span: auth?.value.span)
            e.set(\.credential, CredentialKind.none, field: .credential, span: auth?.value.span)
        }
        if auth != nil, auth?.value.value.truthy == nil {
            e.auth = nil
            e.credential = nil
            e.spans[.auth] = auth?.value.span
        }
    }

    /// `overwriteprotocol`: the scheme Nextcloud writes into its own URLs, i.e. how it is served.
    func webEndpoint(into setup: inout MailSetup) {
        guard let proto = settings["overwriteprotocol"], case .string(let scheme) = proto.value.value else { return }
        let secure: Bool
        switch scheme.lowercased() {
        case "https": secure = true
        case "http": secure = false
        default: return
        }
        var e = Endpoint(role: .server, location: proto.keySpan)
        e.account = "nextcloud"
        e.direction = .webmail
        e.protocol = .http
        e.set(\.tls, secure ? .implicit : TLSMode.none, field: .tls, span: proto.value.span)
        var port: Int?
        if let h = settings["overwritehost"], case .string(let text) = h.value.value, !text.isEmpty {
            var host = Substring(text)
            if let colon = text.lastIndex(of: ":"), let p = Int(text[text.index(after: colon)...]) { port = p; host = text[..<colon] }
            e.set(\.host, String(host), field: .host, span: h.value.span)
        } else if let u = settings["overwrite.cli.url"], case .string(let url) = u.value.value, let r = url.range(of: "://") {
            let authority = url[r.upperBound...].prefix { $0 != "/" && $0 != "?" }
            let host = authority.split(separator: ":").first.map(String.init) ?? ""
            if !host.isEmpty, TemplateSyntax.placeholder(in: host) == nil { e.set(\.host, host, field: .host, span: u.value.span) }
        }
        if let port, (1...65535).contains(port) {
            e.set(\.port, port, field: .port, span: settings["overwritehost"]?.value.span)
        } else {
            e.port = ports.defaultPort(for: .http, tls: e.tls, direction: .webmail)
            e.portIsDefault = true
        }
        setup.endpoints.append(e)
    }
}
