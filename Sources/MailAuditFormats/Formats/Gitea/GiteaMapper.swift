import MailAuditCore

/// Gitea's `[mailer]` → the SMTP endpoint it sends through, with Gitea's defaults and inferences
/// (`modules/setting/mailer.go` `loadMailerFrom`, `services/mailer/sender/smtp.go`; Forgejo reads the
/// same keys the same way):
///
/// - No endpoint unless `ENABLED` is true (default false), nor for `PROTOCOL = sendmail`, `dummy` or
///   `smtp+unix` (a local socket): those send nothing over the network.
/// - The old keys count only where the new one is absent: `MAILER_TYPE = sendmail` for `PROTOCOL`,
///   `HOST = host:port` for `SMTP_ADDR`/`SMTP_PORT` (an empty host is 127.0.0.1), `IS_TLS_ENABLED`
///   (true: `smtps`, false: `smtp+starttls`), `SKIP_VERIFY` for `FORCE_TRUST_SERVER_CERT`;
///   `smtp+startls` is read as `smtp+starttls`.
/// - An empty `SMTP_PORT` follows from the protocol (smtp 25, smtps 465, smtp+starttls 587); an empty
///   `PROTOCOL` from the port (25 smtp, 465 smtps, 587 smtp+starttls, any other port smtps, no port
///   smtps on 465), or `smtp+unix` when `SMTP_ADDR` holds a `/`.
/// - `smtp` is plain text (Gitea never tries STARTTLS on it); `smtps` is implicit TLS;
///   `smtp+starttls` upgrades only when the server offers STARTTLS and otherwise goes on in clear
///   text ("falling back to regular SMTP"), so TLS is not required. `FORCE_TRUST_SERVER_CERT = true`
///   switches certificate verification off.
/// - Gitea logs in when `USER` is set (CRAM-MD5, PLAIN, LOGIN or NTLM, as the server offers them).
/// - A `PROTOCOL` Gitea does not know is sent through its SMTP sender as plain `smtp`.
struct GiteaMapper {
    let mailer: INIAppSection
    let path: String

    static let protocols = ["smtp", "smtps", "smtp+starttls", "smtp+unix", "sendmail", "dummy"]

    /// A value the file decides or leaves open, with the setting that decided it.
    struct Decided {
        var value: String?
        var span: SourceSpan?
    }

    func map(into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        if let enabled = mailer["ENABLED"] {
            // A template's ENABLED (unknown) still describes the connection used when it is on.
            if enabled.mustBool(false) == false { return }
        } else {
            return
        }

        // PROTOCOL, or what the old keys say in its place.
        var proto = Decided(value: mailer["PROTOCOL"]?.value, span: mailer["PROTOCOL"]?.span)
        var protocolWritten = mailer.has("PROTOCOL")
        if !protocolWritten, let type = mailer["MAILER_TYPE"] {
            if type.value == "sendmail" { proto = Decided(value: "sendmail", span: type.span); protocolWritten = true }
            if type.value == nil { proto = Decided(value: nil, span: type.span); protocolWritten = true }
        }

        // SMTP_ADDR and SMTP_PORT, or HOST in their place.
        var addr = Decided(value: mailer["SMTP_ADDR"]?.value ?? (mailer.has("SMTP_ADDR") ? nil : ""), span: mailer["SMTP_ADDR"]?.span)
        var port = Decided(value: mailer["SMTP_PORT"]?.value ?? (mailer.has("SMTP_PORT") ? nil : ""), span: mailer["SMTP_PORT"]?.span)
        if !mailer.has("SMTP_ADDR"), let host = mailer["HOST"] {
            if let text = host.value {
                let h: String, p: String
                switch GoHostPort(text) {
                case .hostPort(let host, let port): (h, p) = (host, port)
                case .missingPort: (h, p) = (text, "")  // Gitea takes the whole value as the host
                case .invalid:
                    diagnostics.report("HOST '\(text)' is not host or host:port (an IPv6 address needs [brackets]): Gitea refuses to start", at: host.span)
                    return
                }
                addr = Decided(value: h.isEmpty ? "127.0.0.1" : h, span: host.span)
                if port.value == "" { port = Decided(value: p, span: p.isEmpty ? nil : host.span) }
            } else {
                addr = Decided(value: nil, span: host.span)
                if port.value == "" { port = Decided(value: nil, span: host.span) }
            }
        }

        if !protocolWritten, let tls = mailer["IS_TLS_ENABLED"] {
            switch tls.mustBool(false) {
            case true?: proto = Decided(value: "smtps", span: tls.span)
            case false?: proto = Decided(value: "smtp+starttls", span: tls.span)
            case nil: proto = Decided(value: nil, span: tls.span)
            }
            protocolWritten = true
        }
        if proto.value == "smtp+startls" { proto.value = "smtp+starttls" }
        if !protocolWritten { proto.value = "" }

        var portIsDefault = false
        if port.value == "" {
            switch proto.value {
            case "smtp": port.value = "25"; portIsDefault = true
            case "smtps": port.value = "465"; portIsDefault = true
            case "smtp+starttls": port.value = "587"; portIsDefault = true
            case nil: port.value = nil
            default: break
            }
        }
        if proto.value == "" {
            if let a = addr.value, a.contains("/") || a.contains("\\") {
                return  // smtp+unix: a local socket
            }
            switch port.value {
            case "25": proto = Decided(value: "smtp", span: port.span)
            case "465": proto = Decided(value: "smtps", span: port.span)
            case "587": proto = Decided(value: "smtp+starttls", span: port.span)
            case nil: proto = Decided(value: nil, span: port.span)
            default:
                // Gitea logs "unable to infer … assume using smtps".
                proto = Decided(value: "smtps", span: port.span)
                if port.value == "" { port.value = "465"; portIsDefault = true }
            }
        }
        if let p = proto.value, ["sendmail", "dummy", "smtp+unix"].contains(p) { return }

        var e = Endpoint(role: .client, location: mailer.header)
        e.account = "mailer"
        e.direction = .outgoing
        e.protocol = .smtp

        if let a = addr.value, !a.isEmpty { e.set(\.host, a, field: .host, span: addr.span) } else if let span = addr.span { e.spans[.host] = span }

        switch port.value {
        case let text? where !text.isEmpty:
            if let n = Int(text), (1...65535).contains(n) {
                e.set(\.port, n, field: .port, span: portIsDefault ? nil : port.span)
                e.portIsDefault = portIsDefault
            } else {
                diagnostics.report("SMTP port '\(text)' is not a number from 1 to 65535: Gitea cannot send mail", at: port.span ?? .start(of: path))
            }
        case "":
            diagnostics.report("no SMTP_PORT and PROTOCOL '\(proto.value ?? "")' implies none: Gitea cannot send mail (\"SMTP port is not configured\")", at: proto.span ?? mailer.header)
        default:
            if let span = port.span { e.spans[.port] = span }
        }

        let force = mailer["FORCE_TRUST_SERVER_CERT"] ?? (mailer.has("FORCE_TRUST_SERVER_CERT") ? nil : mailer["SKIP_VERIFY"])
        switch proto.value {
        case "smtps":
            e.set(\.tls, .implicit, field: .tls, span: proto.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: proto.span)
            verify(&e, force)
        case "smtp+starttls":
            e.set(\.tls, .starttls, field: .tls, span: proto.span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: proto.span)
            verify(&e, force)
        case "smtp":
            e.set(\.tls, TLSMode.none, field: .tls, span: proto.span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: proto.span)
        case let other?:
            diagnostics.report("PROTOCOL '\(other)' is not one Gitea knows (\(Self.protocols.joined(separator: ", "))): it sends through plain smtp without TLS", at: proto.span ?? .start(of: path))
            e.set(\.tls, TLSMode.none, field: .tls, span: proto.span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: proto.span)
        case nil:
            if let span = proto.span { e.spans[.tls] = span }
        }

        // USER set: Gitea logs in with USER and PASSWD.
        let user = mailer["USER"]
        let password = mailer["PASSWD"]
        switch user.map({ $0.value }) {
        case nil: e.set(\.auth, [], field: .auth, span: nil)
        case .some(nil): e.spans[.auth] = user?.span
        case .some(let u?): e.set(\.auth, u.isEmpty ? [] : ["password"], field: .auth, span: user?.span)
        }
        if let password {
            if let text = password.value {
                if !text.isEmpty { setup.secrets.append(password.span) }
                e.set(\.credential, text.isEmpty ? CredentialKind.none : .inline, field: .credential, span: password.span)
            } else {
                e.spans[.credential] = password.span
            }
        } else if e.auth == [] {
            e.set(\.credential, CredentialKind.none, field: .credential, span: nil)
        }
        setup.endpoints.append(e)
    }

    func verify(_ e: inout Endpoint, _ force: INIAppSetting?) {
        guard let force else { return e.set(\.verifyCertificate, true, field: .verifyCertificate, span: nil) }
        if let trust = force.mustBool(false) {
            e.set(\.verifyCertificate, !trust, field: .verifyCertificate, span: force.span)
        } else {
            e.spans[.verifyCertificate] = force.span
        }
    }
}
