import MailAuditCore

/// Grafana's `[smtp]` settings, from `grafana.ini` or from `GF_SMTP_*` environment variables: the
/// key (as in `[smtp]`), its value (nil: not known here) and where it is written.
struct GrafanaSMTPSettings {
    struct Setting {
        var value: String?
        var span: SourceSpan
        /// How the file names it (`host`, `GF_SMTP_HOST`), for messages.
        var name: String
    }

    static let keys = ["enabled", "host", "user", "password", "skip_verify", "startTLS_policy"]

    /// Where defaults point: the `[smtp]` header, or the first variable.
    var header: SourceSpan
    var values: [String: Setting] = [:]
    /// Environment variables override `grafana.ini` one key at a time: a key they leave out is
    /// whatever that file says, unknown here, not Grafana's default.
    var absentIsUnknown = false
    /// `GF_SMTP_PASSWORD__FILE`: the password is read from that file.
    var passwordFile: SourceSpan?
}

/// Grafana's `[smtp]` → the SMTP endpoint it sends through (`pkg/setting/setting_smtp.go`,
/// `pkg/services/notifications/smtp.go`, which dials with go-mail's `gomail.v2`):
///
/// - No endpoint unless `enabled` is true (default false).
/// - `host` is `host:port` (default `localhost:25`); without a port Grafana cannot send.
/// - Port 465 is implicit TLS (go-mail's `SSL: port == 465`). Any other port starts in clear text and
///   upgrades by `startTLS_policy`: `MandatoryStartTLS` (TLS required), `NoStartTLS` (never), and
///   anything else, the default `OpportunisticStartTLS` included, only when the server offers it.
/// - `skip_verify = true` switches certificate verification off.
/// - Grafana logs in when `user` is set.
struct GrafanaMapper {
    let settings: GrafanaSMTPSettings
    let path: String

    func map(into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        let s = settings.values
        let unknownIfAbsent = settings.absentIsUnknown
        // A template's `enabled` (unknown) still describes the connection used when it is on.
        if let enabled = s["enabled"] {
            if let text = enabled.value, (INIAppSetting.goBool(text) ?? false) == false { return }
        } else if !unknownIfAbsent {
            return
        }

        var e = Endpoint(role: .client, location: settings.header)
        e.account = "smtp"
        e.direction = .outgoing
        e.protocol = .smtp

        var port: Int?
        if let host = s["host"] {
            if let text = host.value {
                if case .hostPort(let h, let p) = GoHostPort(text), let n = Int(p), (1...65535).contains(n) {
                    if !h.isEmpty { e.set(\.host, h, field: .host, span: host.span) } else { e.spans[.host] = host.span }
                    e.set(\.port, n, field: .port, span: host.span)
                    port = n
                } else {
                    diagnostics.report("\(host.name) '\(text)' is not host:port: Grafana cannot send mail (it needs the port, as in smtp.example.com:587)", at: host.span)
                    e.spans[.host] = host.span
                    e.spans[.port] = host.span
                }
            } else {
                e.spans[.host] = host.span
                e.spans[.port] = host.span
            }
        } else if !unknownIfAbsent {
            e.host = "localhost"
            e.port = 25
            e.portIsDefault = true
            port = 25
        }

        let policy = s["startTLS_policy"]
        if port == 465 {
            e.set(\.tls, .implicit, field: .tls, span: s["host"]?.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: s["host"]?.span)
        } else if policy == nil, unknownIfAbsent {
            // The policy is grafana.ini's: unknown.
        } else if port != nil || policy?.value == "NoStartTLS" {
            switch policy.map({ $0.value }) {
            case .some("NoStartTLS"):
                e.set(\.tls, TLSMode.none, field: .tls, span: policy?.span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: policy?.span)
            case .some("MandatoryStartTLS"):
                e.set(\.tls, .starttls, field: .tls, span: policy?.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: policy?.span)
            case .some(nil):
                e.spans[.tls] = policy?.span
                e.spans[.tlsRequired] = policy?.span
            default:
                e.set(\.tls, .starttls, field: .tls, span: policy?.span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: policy?.span)
            }
        }
        if e.tls == .implicit || e.tls == .starttls {
            if let skip = s["skip_verify"] {
                if let text = skip.value {
                    e.set(\.verifyCertificate, !(INIAppSetting.goBool(text) ?? false), field: .verifyCertificate, span: skip.span)
                } else {
                    e.spans[.verifyCertificate] = skip.span
                }
            } else if !unknownIfAbsent {
                e.set(\.verifyCertificate, true, field: .verifyCertificate, span: nil)
            }
        }

        let user = s["user"], password = s["password"]
        switch user.map({ $0.value }) {
        case nil: if !unknownIfAbsent { e.set(\.auth, [], field: .auth, span: nil) }
        case .some(nil): e.spans[.auth] = user?.span
        case .some(let u?): e.set(\.auth, u.isEmpty ? [] : ["password"], field: .auth, span: user?.span)
        }
        if let password {
            if password.value != nil {
                setup.secrets.append(password.span)
                e.set(\.credential, .inline, field: .credential, span: password.span)
            } else {
                e.spans[.credential] = password.span
            }
        } else if let file = settings.passwordFile {
            e.set(\.credential, .file, field: .credential, span: file)
        } else if !unknownIfAbsent {
            e.set(\.credential, CredentialKind.none, field: .credential, span: nil)
        }
        setup.endpoints.append(e)
    }
}
