import Foundation
import MailAuditCore

/// Mail-server containers configured by env files: the listeners they open follow from a few
/// variables, so the env file is where a finding about them points.
extension DotenvParseState {
    /// One listener a container opens, before TLS is decided.
    struct Listener {
        var `protocol`: MailProtocol
        var service: String
        var auth: [String]
        var authRequired: Bool?
        var enabledBy: EnvEntry?
    }

    /// docker-mailserver `mailserver.env` (FORMATS.md §21). With `SSL_TYPE` set, Postfix offers
    /// STARTTLS on 25 (opportunistic, no AUTH there), requires it on 587 (`encrypt`), implicit TLS
    /// on 465, and Dovecot requires TLS (`ssl = required`) on 143/110/4190 with 993/995 implicit.
    /// With `SSL_TYPE` empty DMS switches TLS off everywhere and allows plaintext authentication:
    /// `smtpd_tls_security_level = none`, 465 without wrapper mode, Dovecot `ssl = no` and
    /// `disable_plaintext_auth = no` (DMS `_setup_ssl`, case ''). What Dovecot then does on its
    /// 993/995 listeners is not documented: their TLS is unknown.
    /// A listener a mail server image opens on a service's well-known port, its TLS switched on or
    /// off by one setting (`span`): implicit TLS on implicit-TLS ports, else STARTTLS, required
    /// except on port 25, where other MTAs deliver opportunistically. `tlsOn == nil`: unknown.
    func frontListener(_ l: Listener, port: Int, location: SourceSpan, account: String?, host: String?, tlsOn: Bool?, span: SourceSpan?) -> Endpoint {
        var e = Endpoint(role: .server, location: location)
        e.account = account
        e.host = host
        e.protocol = l.protocol
        e.port = port
        e.portIsDefault = true
        e.direction = ports.listenerDirection(protocol: l.protocol, port: port)
        e.auth = l.auth
        e.authRequired = l.authRequired
        switch tlsOn {
        case true?:
            if ports.entry(for: port)?.tls == .implicit {
                e.set(\.tls, .implicit, field: .tls, span: span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
            } else {
                e.set(\.tls, .starttls, field: .tls, span: span)
                e.set(\.tlsRequired, l.service != "smtp", field: .tlsRequired, span: span)
            }
            if !l.auth.isEmpty { e.set(\.allowsPlaintextAuth, false, field: .allowsPlaintextAuth, span: span) }
        case false?:
            e.set(\.tls, TLSMode.none, field: .tls, span: span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
            if !l.auth.isEmpty {
                e.set(\.allowsPlaintextAuth, true, field: .allowsPlaintextAuth, span: span)
                e.spans[.auth] = span
            }
        case nil:
            break
        }
        return e
    }

    mutating func dockerMailserver() {
        let byName = fileName == "mailserver.env"
        guard byName || Self.dmsKeys.filter(env.has).count >= 3 else { return }
        let account = "docker-mailserver"
        func flag(_ key: String, _ fallback: Bool) -> (Bool?, EnvEntry?) {
            guard let e = env.entry(key) else { return (fallback, nil) }
            guard let v = e.value?.trimmingCharacters(in: .whitespaces) else { return (nil, e) }
            switch v.lowercased() {
            case "": return (fallback, e)  // DMS reads an empty value as the default (`${VAR:=default}`)
            case "1", "true", "yes": return (true, e)
            case "0", "false", "no": return (false, e)
            default:
                diagnostics.report("\(key) must be 0 or 1, found '\(v)'", at: e.valueSpan)
                return (nil, e)
            }
        }
        let sslEntry = env.entry("SSL_TYPE")
        var tlsOn: Bool?
        if let sslEntry {
            if let v = sslEntry.value?.trimmingCharacters(in: .whitespaces).lowercased() {
                let known = ["letsencrypt", "custom", "manual", "self-signed", "snakeoil"]
                if v.isEmpty { tlsOn = false } else if known.contains(v) { tlsOn = true } else {
                    diagnostics.report("SSL_TYPE must be empty (no TLS) or one of \(known.joined(separator: ", ")), found '\(v)'\(Suggestion.phrase(for: v, in: known)): docker-mailserver refuses to start", at: sslEntry.valueSpan)
                }
            }
        } else {
            tlsOn = false  // unset is empty: TLS disabled
        }
        let tlsSpan = sslEntry?.valueSpan
        var minTLS: TLSVersion? = .tls12
        let levelEntry = env.entry("TLS_LEVEL")
        if let level = levelEntry?.value?.lowercased(), !level.isEmpty, level != "modern" {
            // `intermediate` only widens the ciphers in DMS ≥ 13 but allowed TLS 1.0/1.1 before: unknown.
            if level != "intermediate" { diagnostics.report("TLS_LEVEL must be empty, modern or intermediate, found '\(level)'", at: levelEntry!.valueSpan) }
            minTLS = nil
        }
        let host = env.entry("OVERRIDE_HOSTNAME")?.value.flatMap { $0.isEmpty ? nil : $0 }
        let (smtpOnly, _) = flag("SMTP_ONLY", false)
        let (imap, imapEntry) = flag("ENABLE_IMAP", true)
        let (pop3, pop3Entry) = flag("ENABLE_POP3", false)
        let (sieve, sieveEntry) = flag("ENABLE_MANAGESIEVE", false)
        let mechanisms = ["plain", "login"]
        var listeners: [Listener] = [
            Listener(protocol: .smtp, service: "smtp", auth: [], authRequired: false, enabledBy: nil),
            Listener(protocol: .smtp, service: "submission", auth: mechanisms, authRequired: true, enabledBy: nil),
            Listener(protocol: .smtp, service: "submissions", auth: mechanisms, authRequired: true, enabledBy: nil),
        ]
        if smtpOnly != true {
            if imap == true {
                listeners += [Listener(protocol: .imap, service: "imap", auth: mechanisms, enabledBy: imapEntry),
                              Listener(protocol: .imap, service: "imaps", auth: mechanisms, enabledBy: imapEntry)]
            }
            if pop3 == true {
                listeners += [Listener(protocol: .pop3, service: "pop3", auth: mechanisms, enabledBy: pop3Entry),
                              Listener(protocol: .pop3, service: "pop3s", auth: mechanisms, enabledBy: pop3Entry)]
            }
            if sieve == true {
                listeners.append(Listener(protocol: .managesieve, service: "managesieve", auth: mechanisms, enabledBy: sieveEntry))
            }
        }
        let location = sslEntry?.lineSpan ?? file.lineSpan(1)
        for l in listeners {
            guard let port = ports.port(service: l.service) else { continue }
            // Dovecot's imaps/pop3s listeners with `ssl = no`: what they do is unknown.
            let unknownTLS = tlsOn == false && ports.entry(for: port)?.tls == .implicit && l.protocol != .smtp
            var e = frontListener(l, port: port, location: l.enabledBy?.lineSpan ?? location, account: account, host: host,
                                  tlsOn: unknownTLS ? nil : tlsOn, span: tlsSpan)
            if unknownTLS { e.spans[.tls] = tlsSpan }
            if tlsOn == true {
                e.set(\.minTLSVersion, minTLS, field: .minTLSVersion, span: levelEntry.flatMap { $0.value?.isEmpty == false ? $0.valueSpan : nil })
            }
            setup.endpoints.append(e)
        }
        dmsRelay(account: account)
    }

    /// `DEFAULT_RELAY_HOST=[host]:port` or `RELAY_HOST` + `RELAY_PORT` (default 25): Postfix relays
    /// through it with `smtp_tls_security_level = encrypt` (DMS `_setup_postfix_relay_hosts`),
    /// which requires TLS but checks no certificate, and logs in with `RELAY_USER`/`RELAY_PASSWORD`.
    mutating func dmsRelay(account: String) {
        var hostEntry: EnvEntry?
        var host: String?
        var port: Int?
        var portSpan: SourceSpan?
        if let d = env.entry("DEFAULT_RELAY_HOST"), let v = d.value?.trimmingCharacters(in: .whitespaces), !v.isEmpty {
            hostEntry = d
            var h = Substring(v)
            if h.hasPrefix("["), let close = h.firstIndex(of: "]") {
                let after = h[h.index(after: close)...]
                if after.hasPrefix(":") { port = Int(after.dropFirst()); portSpan = d.valueSpan }
                h = h[h.index(after: h.startIndex)..<close]
            } else if let colon = h.lastIndex(of: ":") {
                port = Int(h[h.index(after: colon)...]); portSpan = d.valueSpan
                h = h[..<colon]
            }
            host = String(h)
        } else if let r = env.entry("RELAY_HOST"), let v = r.value?.trimmingCharacters(in: .whitespaces), !v.isEmpty {
            hostEntry = r
            host = v
            if let p = env.entry("RELAY_PORT"), let v = p.value, !v.isEmpty {
                if let n = self.port(v) { port = n; portSpan = p.valueSpan } else { diagnostics.report("RELAY_PORT must be a port number from 1 to 65535, found '\(v)'", at: p.valueSpan) }
            }
        }
        guard let hostEntry, let host else { return }
        var e = Endpoint(role: .client, location: hostEntry.lineSpan)
        e.account = account
        e.direction = .relay
        e.protocol = .smtp
        e.set(\.host, host, field: .host, span: hostEntry.valueSpan)
        if let port { e.set(\.port, port, field: .port, span: portSpan) } else {
            e.port = ports.port(service: "smtp")
            e.portIsDefault = true
        }
        e.tls = .starttls
        e.tlsRequired = true
        e.verifyCertificate = false
        if let pw = env.entry("RELAY_PASSWORD"), let v = pw.value, !v.isEmpty {
            e.set(\.credential, .inline, field: .credential, span: pw.valueSpan)
            setup.secrets.append(pw.valueSpan)
        }
        if let user = env.entry("RELAY_USER"), let v = user.value, !v.isEmpty {
            e.set(\.auth, ["password"], field: .auth, span: user.valueSpan)
        } else {
            e.auth = []
            if e.credential == nil { e.credential = CredentialKind.none }
        }
        setup.endpoints.append(e)
    }

    /// Mailu `.env` (`TLS_FLAVOR`): the front nginx listens on 25 (STARTTLS when TLS is on, never
    /// required, no AUTH), 143/110/587 (`starttls only` when TLS is on) and 465/993/995 (only
    /// with TLS). `notls` serves everything in clear text, authentication included. The web front
    /// (when `WEBMAIL` or `ADMIN` is on) redirects HTTP to HTTPS for `cert`/`letsencrypt`, serves
    /// plain HTTP next to HTTPS for `mail`/`mail-letsencrypt`, and only HTTP for `notls`
    /// (Mailu core/nginx/conf/nginx.conf).
    mutating func mailu() {
        guard let flavorEntry = env.entry("TLS_FLAVOR") else { return }
        let account = "mailu"
        let flavors = ["letsencrypt", "cert", "notls", "mail", "mail-letsencrypt"]
        var tlsOn: Bool?
        var flavor: String?
        if let v = flavorEntry.value?.trimmingCharacters(in: .whitespaces).lowercased() {
            if flavors.contains(v) { flavor = v; tlsOn = v != "notls" } else {
                diagnostics.report("TLS_FLAVOR must be one of \(flavors.joined(separator: ", ")), found '\(v)'\(Suggestion.phrase(for: v, in: flavors))", at: flavorEntry.valueSpan)
            }
        }
        let span = flavorEntry.valueSpan
        let host = env.entry("HOSTNAMES")?.value?.split(separator: ",").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        var listeners: [Listener] = [
            Listener(protocol: .smtp, service: "smtp", auth: [], authRequired: false),
            Listener(protocol: .imap, service: "imap", auth: ["plain"]),
            Listener(protocol: .pop3, service: "pop3", auth: ["plain"]),
            Listener(protocol: .smtp, service: "submission", auth: ["plain", "login"], authRequired: true),
        ]
        if tlsOn != false {
            listeners += [Listener(protocol: .smtp, service: "submissions", auth: ["plain", "login"], authRequired: true),
                          Listener(protocol: .imap, service: "imaps", auth: ["plain"]),
                          Listener(protocol: .pop3, service: "pop3s", auth: ["plain"])]
        }
        for l in listeners {
            guard let port = ports.port(service: l.service) else { continue }
            setup.endpoints.append(frontListener(l, port: port, location: flavorEntry.lineSpan, account: account, host: host, tlsOn: tlsOn, span: span))
        }
        // The web front, when it serves webmail or the admin interface.
        let webmail = env.entry("WEBMAIL")?.value?.lowercased()
        let admin = env.entry("ADMIN")?.value?.lowercased()
        let serves = (webmail.map { !$0.isEmpty && $0 != "none" } ?? false) || admin == "true"
        guard serves, let flavor else { return }
        var modes: [TLSMode] = []
        switch flavor {
        case "cert", "letsencrypt": modes = [.implicit]
        case "mail", "mail-letsencrypt": modes = [.none, .implicit]
        default: modes = [.none]
        }
        let webLocation = (env.entry("WEBMAIL") ?? env.entry("ADMIN"))?.lineSpan ?? flavorEntry.lineSpan
        for mode in modes {
            var e = Endpoint(role: .server, location: webLocation)
            e.account = account
            e.host = host
            e.protocol = .http
            e.direction = .webmail
            e.port = ports.defaultPort(for: .http, tls: mode, direction: .webmail)
            e.portIsDefault = true
            e.set(\.tls, mode, field: .tls, span: span)
            e.set(\.tlsRequired, mode == .implicit, field: .tlsRequired, span: span)
            setup.endpoints.append(e)
        }
    }
}
