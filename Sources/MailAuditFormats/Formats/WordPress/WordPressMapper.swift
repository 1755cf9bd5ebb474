import MailAuditCore

/// WP Mail SMTP's constants → the SMTP connection of its "Other SMTP" mailer (`Options::get_const_value`,
/// PHPMailer). The constants count only when `WPMS_ON` is exactly `true`; a setting without its
/// constant comes from the plugin's settings page (the database) and is unknown here:
/// - `WPMS_MAILER` `smtp` (or not set: the mailer is then chosen in the settings page, and the
///   constants describe its SMTP connection); any other mailer sends through an API or `mail()`.
/// - `WPMS_SSL` `ssl` is implicit TLS, `tls` STARTTLS that must succeed, `''` none — where
///   `WPMS_SMTP_AUTOTLS` true still starts TLS when the server offers it (opportunistic).
/// - `WPMS_SMTP_AUTH` (a PHP truth value) logs in with `WPMS_SMTP_USER`/`WPMS_SMTP_PASS`.
/// - PHPMailer checks certificates; nothing in the constants turns that off.
struct WordPressMapper {
    static let program = "WP Mail SMTP 4"
    static let smtpConstants = ["WPMS_SMTP_HOST", "WPMS_SMTP_PORT", "WPMS_SSL", "WPMS_SMTP_AUTOTLS", "WPMS_SMTP_AUTH",
                                "WPMS_SMTP_USER", "WPMS_SMTP_PASS"]
    static let secretConstants = ["WPMS_SMTP_PASS", "DB_PASSWORD", "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                                  "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]

    let constants: PHPSettings
    let file: SourceFile

    func map(into setup: inout MailSetup) {
        for name in Self.secretConstants {
            if let s = constants[name], case .string(let t) = s.value.value, !t.isEmpty { setup.secrets.append(s.value.span) }
        }
        guard let on = constants["WPMS_ON"], on.value.value == .bool(true) else { return }
        if let mailer = constants["WPMS_MAILER"], let name = mailer.value.value.text, !name.isEmpty, name != "smtp" { return }
        guard constants["WPMS_MAILER"]?.value.value.text == "smtp" || Self.smtpConstants.contains(where: { constants[$0] != nil }) else { return }

        var e = Endpoint(role: .client, location: on.keySpan)
        e.account = "WP Mail SMTP"
        e.direction = .outgoing
        e.protocol = .smtp
        /// A constant that counts: defined and (for most of them) truthy, as `is_const_defined` checks.
        func given(_ name: String, truthy: Bool = true) -> PHPSettings.Setting? {
            guard let c = constants[name] else { return nil }
            if truthy, c.value.value.truthy == false { return nil }
            return c
        }
        if let h = given("WPMS_SMTP_HOST") {
            if let text = h.value.value.text, TemplateSyntax.placeholder(in: text) == nil { e.set(\.host, text, field: .host, span: h.value.span) } else { e.spans[.host] = h.value.span }
        }
        if let p = given("WPMS_SMTP_PORT") {
            if let port = p.value.value.integer, (1...65535).contains(port) { e.set(\.port, port, field: .port, span: p.value.span) } else { e.spans[.port] = p.value.span }
        }
        let ssl = given("WPMS_SSL", truthy: false)
        let autoTLS = given("WPMS_SMTP_AUTOTLS", truthy: false)
        let encryption: String? = ssl.map { s in
            if case .string(let t) = s.value.value { return t.isEmpty ? "none" : t }
            return s.value.value == .null ? "none" : nil
        } ?? nil
        switch encryption {
        case "ssl"?:
            e.set(\.tls, .implicit, field: .tls, span: ssl?.value.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: ssl?.value.span)
        case "tls"?:
            e.set(\.tls, .starttls, field: .tls, span: ssl?.value.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: ssl?.value.span)
        case "none"?:
            switch autoTLS?.value.value.truthy {
            case true?:
                e.set(\.tls, .starttls, field: .tls, span: autoTLS?.value.span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: autoTLS?.value.span)
            case false?:
                e.set(\.tls, TLSMode.none, field: .tls, span: ssl?.value.span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: ssl?.value.span)
            case nil:
                e.spans[.tls] = autoTLS?.value.span ?? ssl?.value.span
            }
        default:
            e.spans[.tls] = ssl?.value.span
        }
        if e.tls == .starttls || e.tls == .implicit { e.verifyCertificate = true }

        let password = given("WPMS_SMTP_PASS")
        if let password, case .string(let p) = password.value.value, TemplateSyntax.placeholder(in: p) == nil {
            e.set(\.credential, .inline, field: .credential, span: password.value.span)
        }
        if let auth = given("WPMS_SMTP_AUTH", truthy: false) {
            switch auth.value.value.truthy {
            case true?: e.set(\.auth, ["password"], field: .auth, span: auth.value.span)
            case false?:
                e.set(\.auth, [], field: .auth, span: auth.value.span)
                if e.credential == nil { e.set(\.credential, CredentialKind.none, field: .credential, span: auth.value.span) }
            case nil: e.spans[.auth] = auth.value.span
            }
        }
        setup.endpoints.append(e)
    }
}
