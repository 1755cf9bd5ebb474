import MailAuditCore

/// `gitlab.rb` statements → the connections GitLab makes, with the defaults of Omnibus GitLab 18.6
/// (the Rails mailer: mail 2.8.1 with GitLab's STARTTLS patch, over Ruby's Net::SMTP; mail_room
/// over Net::IMAP).
///
/// - Outgoing mail: without `gitlab_rails['smtp_enable'] = true`, GitLab hands mail to the local
///   `sendmail` (Postfix or whatever provides it): no network connection of its own, so no endpoint;
///   the local MTA's configuration is audited on its own. With it, Omnibus passes every `smtp_*`
///   setting that is not nil to the mailer, whose defaults fill the rest: `localhost`, port 25 (also
///   with `smtp_tls`), STARTTLS when the server offers it (`enable_starttls_auto` unset means
///   `:auto`: opportunistic), certificates verified (OpenSSL's VERIFY_PEER), a login only when a user
///   name or password is set (mechanism `plain` unless `smtp_authentication` says otherwise).
///   `smtp_pool` only reuses connections; `smtp_domain` is the HELO name; `smtp_ca_*` choose trust
///   anchors: none of them changes what is modelled.
/// - Incoming mail (`incoming_email_*`, `service_desk_email_*`): mail_room reads a mailbox over IMAP
///   when the feature is enabled with an address and the inbox method is IMAP (the default): port
///   143 without TLS unless `*_ssl` (implicit TLS) or `*_start_tls` (STARTTLS, which Net::IMAP
///   requires once asked for); certificates verified; LOGIN with the account's password.
/// - `external_url 'http://…'` is GitLab's own web interface, not a webmail: not modelled.
struct GitLabMapper {
    typealias Literal = GitLabSyntax.Literal

    /// One setting after all statements: its last value, where it was written, and what it overrode.
    struct Setting {
        /// nil: computed by code, or assigned where code decides whether it runs.
        var value: Literal?
        /// The code of a computed value (`File.read('/run/secrets/smtp')`), shortened.
        var code: String?
        var span: SourceSpan
        var target: SourceSpan
        var overridden: [SourceSpan] = []
    }

    let settings: [String: Setting]
    let ports: PortTable

    /// The `gitlab_rails['…']` settings: the last assignment wins; an assignment under a condition
    /// (or computed) makes the setting unknown until an unconditional literal one follows.
    init(statements: [GitLabSyntax.Statement], ports: PortTable) {
        var settings: [String: Setting] = [:]
        for s in statements {
            guard case .assignment("gitlab_rails", let keys) = s.kind, keys.count == 1, let key = keys[0] else { continue }
            var value = s.conditional ? nil : s.value.literal
            // A template placeholder left in a string (`'{{ smtp_host }}'`) is not the value GitLab gets.
            if let text = value?.text, TemplateSyntax.placeholder(in: text) != nil { value = nil }
            var code: String? = nil
            if case .computed(let text) = s.value, !s.conditional { code = text }
            var setting = Setting(value: value, code: code, span: s.valueSpan, target: s.targetSpan)
            // The latest few only: a setting assigned thousands of times must not copy them all each time.
            if let earlier = settings[key] { setting.overridden = Array((earlier.overridden + [earlier.span]).suffix(Endpoint.relatedLimit)) }
            settings[key] = setting
        }
        self.settings = settings
        self.ports = ports
    }

    func map(into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        if let e = smtp(into: &setup, diagnostics: &diagnostics) { setup.endpoints.append(e) }
        for mailbox in ["incoming_email", "service_desk_email"] {
            if let e = imap(mailbox, into: &setup, diagnostics: &diagnostics) { setup.endpoints.append(e) }
        }
    }

    // MARK: Outgoing mail

    func smtp(into setup: inout MailSetup, diagnostics: inout Diagnostics) -> Endpoint? {
        guard let enable = settings["smtp_enable"] else { return nil }
        if let v = enable.value, !v.isTruthy { return nil }
        var e = Endpoint(role: .client, location: enable.target)
        e.account = "gitlab_rails"
        e.direction = .outgoing
        e.protocol = .smtp
        related(["smtp_address", "smtp_port", "smtp_tls", "smtp_ssl", "smtp_enable_starttls_auto", "smtp_openssl_verify_mode", "smtp_user_name", "smtp_password", "smtp_authentication"], in: &e)

        switch settings["smtp_address"] {
        case nil: e.host = "localhost"
        case let s?:
            if let host = s.value?.text, !host.isEmpty { e.set(\.host, host, field: .host, span: s.span) } else { e.spans[.host] = s.span }
        }

        port(settings["smtp_port"], name: "smtp_port", default: ports.port(service: "smtp"), into: &e, diagnostics: &diagnostics)

        // mail 2.8 with GitLab's patch: `tls`/`ssl` mean implicit TLS and exclude STARTTLS; otherwise
        // `enable_starttls_auto` false turns STARTTLS off, and true or unset means "if offered".
        let tlsSetting = [settings["smtp_tls"], settings["smtp_ssl"]].compactMap { $0 }
        let implicit: Bool? = tlsSetting.contains { $0.value == nil } ? nil : tlsSetting.contains { $0.value?.isTruthy == true }
        let implicitSpan = tlsSetting.first { $0.value?.isTruthy ?? true }?.span ?? tlsSetting.first?.span
        let auto = settings["smtp_enable_starttls_auto"]
        let autoKnown = auto.map { $0.value != nil } ?? true
        let autoOn = auto?.value?.isTruthy
        if implicit == nil || !autoKnown {
            e.spans[.tls] = implicit == nil ? implicitSpan : auto?.span
        } else if implicit == true {
            if autoOn == true {
                diagnostics.report("smtp_tls (implicit TLS) and smtp_enable_starttls_auto are both true: GitLab's mailer refuses to send (':enable_starttls and :tls are mutually exclusive'); set smtp_enable_starttls_auto = false for port 465, or smtp_tls = false for STARTTLS", at: auto?.span ?? implicitSpan ?? .start(of: setup.path))
                e.spans[.tls] = auto?.span
            } else {
                e.set(\.tls, .implicit, field: .tls, span: implicitSpan)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: implicitSpan)
            }
        } else if autoOn == false {
            e.set(\.tls, TLSMode.none, field: .tls, span: auto?.span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: auto?.span)
        } else {
            // Net::SMTP's enable_starttls_auto: STARTTLS when the server offers it, plain text otherwise.
            e.set(\.tls, .starttls, field: .tls, span: auto?.span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: auto?.span)
        }

        if e.tls != TLSMode.none { verification(settings["smtp_openssl_verify_mode"], into: &e, diagnostics: &diagnostics) }

        // Net::SMTP logs in when a user name or a password is given; the mechanism defaults to PLAIN.
        let user = settings["smtp_user_name"], password = settings["smtp_password"]
        let userGiven = given(user), passwordGiven = given(password)
        if userGiven == false, passwordGiven == false {
            e.set(\.auth, [], field: .auth, span: user?.span ?? password?.span)
        } else if userGiven == true || passwordGiven == true {
            switch settings["smtp_authentication"] {
            case nil: e.set(\.auth, ["plain"], field: .auth, span: user?.span ?? password?.span)
            case let s?:
                if let mechanism = s.value?.text, !mechanism.isEmpty { e.set(\.auth, [Self.mechanism(mechanism)], field: .auth, span: s.span) } else { e.spans[.auth] = s.span }
            }
        } else {
            e.spans[.auth] = user?.span ?? password?.span
        }
        credential(password, userGiven: userGiven, into: &e, setup: &setup)
        return e
    }

    /// Whether a user name or password reaches Net::SMTP: not nil (an empty string does).
    private func given(_ s: Setting?) -> Bool? {
        guard let s else { return false }
        guard let v = s.value else { return nil }
        return v != .null
    }

    static func mechanism(_ name: String) -> String {
        switch name.lowercased() {
        case "xoauth2", "oauth2": return "oauth2"
        case let other: return other.replacingOccurrences(of: "_", with: "-")
        }
    }

    // MARK: Incoming mail

    /// mail_room's IMAP connection for `incoming_email` or `service_desk_email`.
    func imap(_ mailbox: String, into setup: inout MailSetup, diagnostics: inout Diagnostics) -> Endpoint? {
        guard let enabled = settings["\(mailbox)_enabled"] else { return nil }
        if let v = enabled.value, !v.isTruthy { return nil }
        // Enabled needs an address too; Microsoft Graph instead of IMAP makes no IMAP connection.
        if let address = settings["\(mailbox)_address"] {
            if let v = address.value, v == .null || v.text == "" { return nil }
        } else {
            return nil
        }
        if let method = settings["\(mailbox)_inbox_method"]?.value?.text, method != "imap" { return nil }
        var e = Endpoint(role: .client, location: enabled.target)
        e.account = mailbox
        // mail_room reads these settings, not the Rails mailer: a rule's fix names its settings.
        e.program = "mail_room"
        e.direction = .incoming
        e.protocol = .imap
        related(["host", "port", "ssl", "start_tls", "email", "password"].map { "\(mailbox)_\($0)" }, in: &e)

        if let s = settings["\(mailbox)_host"] {
            if let host = s.value?.text, !host.isEmpty { e.set(\.host, host, field: .host, span: s.span) } else { e.spans[.host] = s.span }
        }
        port(settings["\(mailbox)_port"], name: "\(mailbox)_port", default: ports.port(service: "imap"), into: &e, diagnostics: &diagnostics)

        let ssl = settings["\(mailbox)_ssl"], startTLS = settings["\(mailbox)_start_tls"]
        let sslOn: Bool? = ssl.map { $0.value.map { $0.isTruthy } } ?? false
        let startOn: Bool? = startTLS.map { $0.value.map { $0.isTruthy } } ?? false
        switch (sslOn, startOn) {
        case (true?, _):
            e.set(\.tls, .implicit, field: .tls, span: ssl?.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: ssl?.span)
        case (false?, true?):
            e.set(\.tls, .starttls, field: .tls, span: startTLS?.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: startTLS?.span)
        case (false?, false?):
            let span = ssl?.span ?? startTLS?.span
            e.set(\.tls, TLSMode.none, field: .tls, span: span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
        default:
            e.spans[.tls] = ssl?.span ?? startTLS?.span
        }
        if e.tls == .implicit || e.tls == .starttls { e.verifyCertificate = true }

        // mail_room always logs in (IMAP LOGIN) with `*_email` and `*_password`.
        e.set(\.auth, ["password"], field: .auth, span: settings["\(mailbox)_email"]?.span)
        // Without a password here, mail_room takes it from GitLab's encrypted credentials, or fails: unknown.
        credential(settings["\(mailbox)_password"], userGiven: nil, into: &e, setup: &setup)
        return e
    }

    // MARK: Shared settings

    private func port(_ s: Setting?, name: String, default port: Int?, into e: inout Endpoint, diagnostics: inout Diagnostics) {
        guard let s else {
            e.port = port
            e.portIsDefault = true
            return
        }
        switch s.value {
        case nil: e.spans[.port] = s.span
        case .integer(let p)? where (1...65535).contains(p): e.set(\.port, p, field: .port, span: s.span)
        case .string(let t)? where Int(t).map({ (1...65535).contains($0) }) == true: e.set(\.port, Int(t) ?? 0, field: .port, span: s.span)
        default:
            diagnostics.report("\(name) must be a port number from 1 to 65535", at: s.span)
        }
    }

    /// `smtp_openssl_verify_mode`: a name ('none', 'peer', …), OpenSSL's constant or its number. Only
    /// VERIFY_PEER checks a server's certificate: the other flags (`client_once`,
    /// `fail_if_no_peer_cert`) are for servers, and OpenSSL ignores them in a client.
    private func verification(_ s: Setting?, into e: inout Endpoint, diagnostics: inout Diagnostics) {
        guard let s else { e.verifyCertificate = true; return }
        let mode: Int?
        switch s.value {
        case nil: mode = nil
        case .integer(let n)?: mode = n
        case .constant(let c)? where c.hasPrefix("OpenSSL::SSL::VERIFY_"): mode = Self.verifyModes[String(c.dropFirst("OpenSSL::SSL::VERIFY_".count)).lowercased()]
        case .string(let t)?:
            mode = Self.verifyModes[t.lowercased()]
            if mode == nil {
                diagnostics.report("smtp_openssl_verify_mode '\(t)' is not an OpenSSL verify mode (none, peer, client_once, fail_if_no_peer_cert): GitLab fails to send mail with it", at: s.span)
            }
        case .symbol(let t)?:
            // The mailer turns only strings into OpenSSL's constants; a symbol fails when TLS starts.
            mode = nil
            diagnostics.report("smtp_openssl_verify_mode :\(t) is a symbol: GitLab's mailer takes a string ('\(t)') and fails to send mail with a symbol", at: s.span)
        default: mode = nil
        }
        if let mode { e.set(\.verifyCertificate, mode & 1 == 1, field: .verifyCertificate, span: s.span) } else { e.spans[.verifyCertificate] = s.span }
    }

    static let verifyModes = ["none": 0, "peer": 1, "fail_if_no_peer_cert": 2, "client_once": 4]

    /// A password written in the file is inline; `File.read('/run/secrets/…')` reads a file; absent
    /// with a user name, it may come from GitLab's encrypted credentials: unknown.
    private func credential(_ password: Setting?, userGiven: Bool?, into e: inout Endpoint, setup: inout MailSetup) {
        guard let password else {
            if userGiven == false { e.set(\.credential, CredentialKind.none, field: .credential, span: nil) }
            return
        }
        switch password.value {
        case .string(let t)? where !t.isEmpty:
            e.set(\.credential, .inline, field: .credential, span: password.span)
            setup.secrets.append(Self.unquoted(password.span, length: t.unicodeScalars.count))
        case .null?, .string?:
            e.set(\.credential, CredentialKind.none, field: .credential, span: password.span)
        case nil where password.code?.hasPrefix("File.read(") == true:
            e.set(\.credential, .file, field: .credential, span: password.span)
        default:
            e.spans[.credential] = password.span
        }
    }

    /// A secret's span without its quotes, when the literal is one plain quoted string on one line:
    /// every output masks a secret's text wherever it appears, and with its quotes a word such as
    /// "password" would look like one (and mask the word in every message).
    static func unquoted(_ span: SourceSpan, length: Int) -> SourceSpan {
        guard span.line == span.endLine, span.endColumn - span.column == length + 2 else { return span }
        return SourceSpan(path: span.path, line: span.line, column: span.column + 1, endLine: span.line, endColumn: span.endColumn - 1)
    }

    /// Earlier assignments of the settings that decided the endpoint, as related locations.
    private func related(_ names: [String], in e: inout Endpoint) {
        let fields: [String: Endpoint.Field] = ["address": .host, "host": .host, "port": .port, "tls": .tls, "ssl": .tls, "start_tls": .tls, "enable_starttls_auto": .tls,
                                                "openssl_verify_mode": .verifyCertificate, "user_name": .auth, "email": .auth, "authentication": .auth, "password": .credential]
        for name in names {
            guard let s = settings[name], let suffix = fields.first(where: { name.hasSuffix("_" + $0.key) })?.value else { continue }
            for span in s.overridden { e.addRelated(span, for: suffix) }
        }
    }
}
