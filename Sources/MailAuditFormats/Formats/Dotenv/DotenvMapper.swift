import Foundation
import MailAuditCore
import Yams

/// Application mail settings (Laravel, Symfony, Django) mapped to client endpoints.
extension DotenvParseState {
    // MARK: Laravel

    /// Laravel's smtp mailer (FORMATS.md §17). `MAIL_DRIVER` without `MAIL_MAILER` is Laravel ≤ 6,
    /// where SwiftMailer did what `MAIL_ENCRYPTION` says (`tls` = STARTTLS, required; `ssl` =
    /// implicit; null = no TLS). Otherwise the file is read as Laravel ≥ 9, where Symfony Mailer
    /// decides: implicit TLS for `MAIL_SCHEME=smtps` or port 465, and on any other port STARTTLS
    /// *when the server offers it* — `MAIL_ENCRYPTION=tls` does not make it mandatory and
    /// `MAIL_ENCRYPTION=null` does not switch it off (FORMATS.md §18 and quirks §17/§18). So
    /// `MAIL_ENCRYPTION=null` on 2525/587 is modelled as opportunistic STARTTLS (MA104), not as no TLS.
    /// Laravel 7–8 used `MAIL_MAILER` with SwiftMailer; they are end of life and read as the current
    /// release unless `assume: { laravel: "8" }` pins one of them.
    mutating func laravel() {
        guard Self.laravelKeys.contains(where: env.has) else { return }
        let mailerEntry = env.entry("MAIL_MAILER") ?? env.entry("MAIL_DRIVER")
        let driverOnly = env.entry("MAIL_MAILER") == nil && env.entry("MAIL_DRIVER") != nil
        let swift = driverOnly || versions.isBefore("laravel", "9")
        // Which mailer reads MAIL_ENCRYPTION follows from the release, unless the file itself is from Laravel ≤ 6.
        let release: String? = driverOnly ? nil : versions.name("laravel")
        let mailer = (laravelValue(mailerEntry) ?? "smtp").lowercased()
        // log, array, sendmail, ses, postmark, mailgun, resend: nothing goes out over SMTP from these settings.
        guard ["smtp", "failover", "roundrobin"].contains(mailer) else { return }
        let location = mailerEntry?.lineSpan ?? firstLocation(Self.laravelKeys)

        if let urlEntry = env.entry("MAIL_URL"), let text = laravelValue(urlEntry), !text.isEmpty {
            SymfonyDSN.endpoints(text, entry: urlEntry, account: "laravel", location: location, ports: ports, reader: &self)
            return
        }

        var e = Endpoint(role: .client, location: location)
        e.account = "laravel"
        e.direction = .outgoing
        e.protocol = .smtp
        let schemeEntry = env.entry("MAIL_SCHEME")
        let scheme = laravelValue(schemeEntry)?.lowercased()

        if let h = env.entry("MAIL_HOST") {
            if let host = laravelValue(h), !host.isEmpty { e.set(\.host, host, field: .host, span: h.valueSpan) } else { e.spans[.host] = h.valueSpan }
            addRelated(&e, "MAIL_HOST", .host)
        } else if env.entry("MAIL_MAILER") != nil || swift {
            // The stock config/mail.php fallback: 127.0.0.1 in Laravel 11+, smtp.mailgun.org before.
            e.host = schemeEntry != nil ? "127.0.0.1" : "smtp.mailgun.org"
        }

        if let p = env.entry("MAIL_PORT") {
            if let value = laravelValue(p), let n = port(value) {
                e.set(\.port, n, field: .port, span: p.valueSpan)
            } else if let value = p.value, laravelValue(p) != nil, !value.isEmpty {
                diagnostics.report("MAIL_PORT must be a port number from 1 to 65535, found '\(value)'", at: p.valueSpan)
            } else {
                e.spans[.port] = p.valueSpan
            }
            addRelated(&e, "MAIL_PORT", .port)
        } else {
            // Stock fallback: 2525 in Laravel 11+ (the release that added MAIL_SCHEME), 587 before.
            e.port = ports.port(service: schemeEntry != nil ? "alt-submission" : "submission")
            e.portIsDefault = true
        }

        let encEntry = env.entry("MAIL_ENCRYPTION")
        let encryption = laravelValue(encEntry)?.lowercased()
        if let scheme, !["smtp", "smtps"].contains(scheme) {
            diagnostics.report("MAIL_SCHEME must be smtp or smtps, found '\(scheme)'\(Suggestion.phrase(for: scheme, in: ["smtp", "smtps"]))", at: schemeEntry!.valueSpan)
        }
        if swift {
            let span = encEntry?.valueSpan
            switch encryption {
            case "tls":
                e.set(\.tls, .starttls, field: .tls, span: span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
            case "ssl":
                e.set(\.tls, .implicit, field: .tls, span: span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
            case nil, "":
                e.set(\.tls, TLSMode.none, field: .tls, span: span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
            case let other?:
                diagnostics.report("MAIL_ENCRYPTION must be tls, ssl or null, found '\(other)'\(Suggestion.phrase(for: other, in: ["tls", "ssl", "null"]))", at: span!)
            }
        } else {
            let implicitPort = ports.port(service: "submissions")
            if scheme == "smtps" {
                e.set(\.tls, .implicit, field: .tls, span: schemeEntry?.valueSpan)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: schemeEntry?.valueSpan)
            } else if let p = e.port, p == implicitPort {
                // Symfony Mailer starts TLS on connect on port 465, whatever MAIL_ENCRYPTION says.
                let span = e.spans[.port]
                e.set(\.tls, .implicit, field: .tls, span: span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
            } else if e.port != nil || env.entry("MAIL_PORT") == nil {
                // STARTTLS when the server offers it; nothing in the stock config makes it mandatory.
                let span = encEntry?.valueSpan ?? schemeEntry?.valueSpan
                e.set(\.tls, .starttls, field: .tls, span: span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
            }
            if let encryption, !["tls", "ssl", "", "starttls"].contains(encryption) {
                diagnostics.report("MAIL_ENCRYPTION must be tls, ssl or null, found '\(encryption)'\(Suggestion.phrase(for: encryption, in: ["tls", "ssl", "null"]))", at: encEntry!.valueSpan)
            }
            addRelated(&e, "MAIL_ENCRYPTION", .tls)
        }
        if let release, e.tls != nil, swift || scheme != "smtps" {  // `MAIL_SCHEME=smtps` means implicit TLS in every release that has it
            e.modelledVersions[.tls] = release
            e.modelledVersions[.tlsRequired] = release
            if e.tls == TLSMode.none { e.modelledVersions[.auth] = release }
        }
        if e.tls != nil, e.tls != TLSMode.none {
            // MAIL_VERIFY_PEER is not in the stock config; apps that pass it on set Symfony's verify_peer.
            if let v = env.entry("MAIL_VERIFY_PEER"), let text = laravelValue(v)?.lowercased(), ["false", "0", "no", "off"].contains(text) {
                e.set(\.verifyCertificate, false, field: .verifyCertificate, span: v.valueSpan)
            } else {
                e.verifyCertificate = true
            }
        }

        // Symfony Mailer (and SwiftMailer) authenticate when a username is set.
        let userEntry = env.entry("MAIL_USERNAME")
        let user = laravelValue(userEntry)
        let passEntry = env.entry("MAIL_PASSWORD")
        if let passEntry, let pass = laravelValue(passEntry), !pass.isEmpty {
            e.set(\.credential, .inline, field: .credential, span: passEntry.valueSpan)
            setup.secrets.append(passEntry.valueSpan)
        } else if let passEntry, passEntry.value == nil, !passEntry.raw.isEmpty {
            // `${SMTP_PASSWORD}` from the real environment: not in the file.
            e.spans[.credential] = passEntry.valueSpan
        }
        if let user, !user.isEmpty {
            e.set(\.auth, ["password"], field: .auth, span: userEntry?.valueSpan)
        } else if userEntry?.value == nil, userEntry?.raw.isEmpty == false {
            e.spans[.auth] = userEntry?.valueSpan  // unknown: from the environment
        } else {
            e.set(\.auth, [], field: .auth, span: userEntry?.valueSpan)
            if e.credential == nil { e.set(\.credential, CredentialKind.none, field: .credential, span: passEntry?.valueSpan) }
        }
        setup.endpoints.append(e)
    }

    // MARK: Symfony

    /// `MAILER_DSN` (symfony/mailer, FORMATS.md §18).
    mutating func symfonyMailer() {
        guard let entry = env.entry("MAILER_DSN") else { return }
        guard let text = entry.value else { return }  // from the real environment
        SymfonyDSN.endpoints(text, entry: entry, account: "symfony", location: entry.lineSpan, ports: ports, reader: &self)
    }

    /// `MAILER_URL` (symfony/swiftmailer-bundle, Symfony ≤ 4): `smtp://host:port?encryption=tls&auth_mode=login&username=…&password=…`.
    mutating func swiftmailerURL() {
        guard let entry = env.entry("MAILER_URL"), let text = entry.value else { return }
        SwiftmailerURL.endpoint(text, entry: entry, ports: ports, reader: &self)
    }

    // MARK: Django

    /// Django's settings as env variables of the same names (FORMATS.md §19). Absent ones take
    /// Django's own defaults (localhost, 25, no TLS); an app's settings.py may choose other
    /// fallbacks, which an env file cannot show.
    mutating func djangoEnv() {
        guard Self.djangoKeys.contains(where: env.has) else { return }
        var mail = DjangoMail()
        let aliases: [(String, [String])] = [
            ("EMAIL_BACKEND", ["EMAIL_BACKEND"]),
            ("EMAIL_HOST", ["EMAIL_HOST", "EMAIL_SERVER"]), ("EMAIL_PORT", ["EMAIL_PORT"]),
            ("EMAIL_USE_TLS", ["EMAIL_USE_TLS"]), ("EMAIL_USE_SSL", ["EMAIL_USE_SSL"]),
            ("EMAIL_HOST_USER", ["EMAIL_HOST_USER", "EMAIL_USERNAME"]),
            ("EMAIL_HOST_PASSWORD", ["EMAIL_HOST_PASSWORD", "EMAIL_PASSWORD"]),
        ]
        for (setting, names) in aliases {
            guard let entry = names.compactMap({ env.entry($0) }).first else { continue }
            let value: DjangoMail.Value = entry.value.map { .text($0) } ?? .computed
            mail.settings[setting] = DjangoMail.Setting(value: value, span: entry.valueSpan,
                                                        overridden: env.overridden(entry.key).map(\.valueSpan))
        }
        if let urlEntry = env.entry("EMAIL_URL"), let text = urlEntry.value {
            guard applyEmailURL(text, entry: urlEntry, to: &mail) else { return }
        }
        guard mail.configuresMail else { return }
        let location = firstLocation(Self.djangoKeys)
        mail.endpoint(account: "django", location: location, ports: ports, path: file.path, into: &setup, diagnostics: &diagnostics)
        // django-environ's URL carries the password: mask that part only.
        if let urlEntry = env.entry("EMAIL_URL"), let text = urlEntry.value, setup.secrets.contains(urlEntry.valueSpan) {
            setup.secrets.removeAll { $0 == urlEntry.valueSpan }
            setup.secrets.append(secretSpan(in: urlEntry, text: text))
        }
    }

    /// django-environ `EMAIL_URL`: `smtp://` (plain), `smtp+tls://` (EMAIL_USE_TLS), `smtps://`/`smtp+ssl://` (EMAIL_USE_SSL);
    /// other backends (`consolemail://`, `filemail://`, `memorymail://`, `dummymail://`) send nothing.
    mutating func applyEmailURL(_ text: String, entry: EnvEntry, to mail: inout DjangoMail) -> Bool {
        guard let sep = text.range(of: "://") else {
            diagnostics.report("EMAIL_URL is not a URL such as smtp+tls://user:password@host:587", at: entry.valueSpan)
            return false
        }
        let scheme = text[..<sep.lowerBound].lowercased()
        var tls = false, ssl = false
        switch scheme {
        case "smtp": break
        case "smtp+tls": tls = true
        case "smtps", "smtp+ssl": ssl = true
        case "consolemail", "filemail", "memorymail", "dummymail": return false
        default:
            diagnostics.report("EMAIL_URL scheme '\(scheme)' is not one django-environ knows (smtp, smtp+tls, smtps, smtp+ssl)", at: entry.valueSpan)
            return false
        }
        guard let url = MailURL("smtp://" + text[sep.upperBound...]) else { return false }
        let span = entry.valueSpan
        mail.settings["EMAIL_HOST"] = .init(value: .text(url.host ?? ""), span: span)
        // No port in the URL: django-environ passes None and smtplib uses 25, or 465 for SMTP_SSL.
        if let p = url.port { mail.settings["EMAIL_PORT"] = .init(value: .int(p), span: span) } else if ssl, let p = ports.port(service: "submissions") { mail.settings["EMAIL_PORT"] = .init(value: .int(p), span: span) }
        mail.settings["EMAIL_USE_TLS"] = .init(value: .bool(tls), span: span)
        mail.settings["EMAIL_USE_SSL"] = .init(value: .bool(ssl), span: span)
        mail.settings["EMAIL_HOST_USER"] = .init(value: .text(url.user ?? ""), span: span)
        mail.settings["EMAIL_HOST_PASSWORD"] = .init(value: .text(url.hasPassword ? "set" : ""), span: span)
        return true
    }

    /// The span of a URL's password in an entry (the whole value when offsets are not columns).
    func secretSpan(in entry: EnvEntry, text: String) -> SourceSpan {
        guard entry.isVerbatim, let sep = text.range(of: "://"), let url = MailURL("smtp" + text[sep.lowerBound...]), let range = url.passwordRange else { return entry.valueSpan }
        let leading = text.prefix { $0 == " " || $0 == "\t" }.unicodeScalars.count
        let shift = text.trimmingCharacters(in: .whitespaces).distance(from: text.trimmingCharacters(in: .whitespaces).startIndex, to: text.trimmingCharacters(in: .whitespaces).range(of: "://")!.lowerBound) - 4
        return entry.span(offset: leading + shift + range.offset, length: range.length)
    }
}

/// Symfony Mailer DSNs (FORMATS.md §18; `EsmtpTransportFactory` and `EsmtpTransport` of Symfony 7.4 and 8.0, which share their features).
enum SymfonyDSN {
    /// Truthy like PHP's FILTER_VALIDATE_BOOL; nil for an empty option (Symfony ignores it).
    static func option(_ q: [String: String], _ name: String) -> Bool? {
        guard let v = q[name] else { return nil }
        if v.isEmpty { return nil }
        return ["1", "true", "on", "yes"].contains(v.lowercased())
    }

    static func endpoints(_ text: String, entry: EnvEntry, account: String, location: SourceSpan, ports: PortTable, reader: inout DotenvParseState) {
        let leading = text.prefix { $0 == " " || $0 == "\t" }.unicodeScalars.count
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return }
        // failover(dsn1 dsn2) / roundrobin(dsn1 dsn2)
        for wrapper in ["failover(", "roundrobin("] where trimmed.lowercased().hasPrefix(wrapper) && trimmed.hasSuffix(")") {
            let inner = trimmed.dropFirst(wrapper.count).dropLast()
            var offset = leading + wrapper.count
            for part in inner.split(separator: " ", omittingEmptySubsequences: false) {
                if !part.isEmpty {
                    one(String(part), offset: offset, entry: entry, account: account, location: location, ports: ports, reader: &reader)
                }
                offset += part.unicodeScalars.count + 1
            }
            return
        }
        one(trimmed, offset: leading, entry: entry, account: account, location: location, ports: ports, reader: &reader)
    }

    static func one(_ dsn: String, offset: Int, entry: EnvEntry, account: String, location: SourceSpan, ports: PortTable, reader: inout DotenvParseState) {
        guard let sep = dsn.range(of: "://") else {
            reader.diagnostics.report("\(entry.key) is not a DSN such as smtp://user:password@smtp.example.com:587", at: entry.valueSpan)
            return
        }
        let scheme = dsn[..<sep.lowerBound].lowercased()
        let parts = scheme.split(separator: "+").map(String.init)
        let base: String
        var provider: String?
        if ["smtp", "smtps"].contains(scheme) {
            base = scheme
        } else if parts.count == 2, ["smtp", "smtps"].contains(parts[1]) {
            base = parts[1]
            provider = parts[0]
        } else {
            // null://, sendmail://, native://, and provider HTTP APIs (ses+api, mailgun+https, postmark, …): no SMTP connection.
            return
        }
        let rewritten = base + dsn[sep.lowerBound...]
        guard let url = MailURL(rewritten) else {
            reader.diagnostics.report("\(entry.key): cannot read the DSN '\(dsn)'", at: entry.valueSpan)
            return
        }
        let span = entry.valueSpan
        var e = Endpoint(role: .client, location: location)
        e.account = provider.map { "\(account) (\($0))" } ?? account
        e.direction = .outgoing
        e.protocol = .smtp
        let host = url.host == "default" ? nil : url.host
        if let host { e.set(\.host, host, field: .host, span: span) }
        let q = url.query
        let autoTLS = option(q, "auto_tls") ?? true
        let requireTLS = option(q, "require_tls") ?? false
        let verifyPeer = option(q, "verify_peer") ?? true
        if provider == nil {
            guard host != nil else {
                reader.diagnostics.report("\(entry.key): the DSN names no host", at: span)
                return
            }
            let implicitPort = ports.port(service: "submissions")
            let plainPort = ports.port(service: "smtp")
            // EsmtpTransport: smtps → TLS; auto_tls=false (7.1+) → no TLS; else TLS on connect for port 465,
            // or when no port is given and the host is not literally `localhost` (then the port becomes 465).
            let tlsParameter: Bool? = base == "smtps" ? true : (autoTLS ? nil : false)
            let implicit = tlsParameter ?? (url.port == implicitPort || (url.port == nil && host != "localhost"))
            if let p = url.port {
                e.set(\.port, p, field: .port, span: span)
            } else {
                e.port = implicit ? implicitPort : plainPort
                e.portIsDefault = true
            }
            if implicit {
                e.set(\.tls, .implicit, field: .tls, span: span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
            } else if autoTLS {
                // STARTTLS when the server offers it; require_tls=true (7.3+) makes it mandatory.
                e.set(\.tls, .starttls, field: .tls, span: span)
                e.set(\.tlsRequired, requireTLS, field: .tlsRequired, span: span)
            } else {
                e.set(\.tls, TLSMode.none, field: .tls, span: span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
            }
        }
        // Provider transports (gmail+smtp, ses+smtp, …) fix host, port and TLS themselves: unknown here.
        if e.tls != TLSMode.none {
            e.set(\.verifyCertificate, verifyPeer, field: .verifyCertificate, span: option(q, "verify_peer") == nil ? nil : span)
        }
        if url.hasPassword {
            var secret = span
            if entry.isVerbatim, let range = url.passwordRange {
                // The rewritten scheme may be shorter than the written one.
                let shift = dsn.distance(from: dsn.startIndex, to: sep.lowerBound) - base.count
                secret = entry.span(offset: offset + shift + range.offset, length: range.length)
            }
            e.set(\.credential, .inline, field: .credential, span: secret)
            reader.setup.secrets.append(secret)
        }
        if let user = url.user, !user.isEmpty {
            e.set(\.auth, ["password"], field: .auth, span: span)
        } else {
            e.set(\.auth, [], field: .auth, span: span)
            if e.credential == nil { e.credential = CredentialKind.none }
        }
        reader.setup.endpoints.append(e)
    }
}

/// SwiftmailerBundle URLs (`MAILER_URL`, Symfony ≤ 4): encryption and credentials in the query.
/// SwiftMailer starts TLS only when told: `encryption=tls` is STARTTLS (failing without it),
/// `encryption=ssl` implicit TLS, nothing means plain text; the port defaults to 465 for ssl, else 25.
enum SwiftmailerURL {
    static func endpoint(_ text: String, entry: EnvEntry, ports: PortTable, reader: inout DotenvParseState) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return }
        guard let sep = trimmed.range(of: "://") else {
            reader.diagnostics.report("MAILER_URL is not a URL such as smtp://smtp.example.com:587?encryption=tls", at: entry.valueSpan)
            return
        }
        let scheme = trimmed[..<sep.lowerBound].lowercased()
        var encryption: String?
        var fixedHost: String?
        switch scheme {
        case "smtp": break
        case "gmail": fixedHost = "smtp.gmail.com"; encryption = "ssl"
        default: return  // null://, sendmail://, mail://: no SMTP connection
        }
        guard let url = MailURL("smtp" + trimmed[sep.lowerBound...]) else { return }
        let span = entry.valueSpan
        var e = Endpoint(role: .client, location: entry.lineSpan)
        e.account = "symfony"
        e.direction = .outgoing
        e.protocol = .smtp
        if let fixedHost { e.host = fixedHost } else if let h = url.host { e.set(\.host, h, field: .host, span: span) }
        if let enc = url.query["encryption"]?.lowercased(), !enc.isEmpty { encryption = enc }
        switch encryption {
        case "tls":
            e.set(\.tls, .starttls, field: .tls, span: span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
        case "ssl":
            e.set(\.tls, .implicit, field: .tls, span: span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
        case nil:
            e.set(\.tls, TLSMode.none, field: .tls, span: span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
        case let other?:
            reader.diagnostics.report("MAILER_URL: encryption must be tls or ssl, found '\(other)'", at: span)
        }
        if e.tls != nil, e.tls != TLSMode.none { e.verifyCertificate = true }
        if let p = url.port {
            e.set(\.port, p, field: .port, span: span)
        } else {
            e.port = ports.port(service: encryption == "ssl" ? "submissions" : "smtp")
            e.portIsDefault = true
        }
        let user = url.user ?? url.query["username"]
        let hasPassword = url.hasPassword || !(url.query["password"] ?? "").isEmpty
        if hasPassword {
            var secret = span
            if entry.isVerbatim {
                if let range = url.passwordRange {
                    let shift = trimmed.distance(from: trimmed.startIndex, to: sep.lowerBound) - 4
                    let leading = text.prefix { $0 == " " || $0 == "\t" }.unicodeScalars.count
                    secret = entry.span(offset: leading + shift + range.offset, length: range.length)
                } else if let r = text.range(of: "password=") {
                    let start = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: r.upperBound)
                    let length = text[r.upperBound...].prefix { $0 != "&" }.unicodeScalars.count
                    secret = entry.span(offset: start, length: length)
                }
            }
            e.set(\.credential, .inline, field: .credential, span: secret)
            reader.setup.secrets.append(secret)
        }
        if let user, !user.isEmpty {
            let mode = url.query["auth_mode"]?.lowercased()
            e.set(\.auth, [mode.flatMap { $0.isEmpty ? nil : $0 } ?? "password"], field: .auth, span: span)
        } else {
            e.set(\.auth, [], field: .auth, span: span)
            if e.credential == nil { e.credential = CredentialKind.none }
        }
        reader.setup.endpoints.append(e)
    }
}

/// Symfony ≤ 3 `app/config/parameters.yml`: `mailer_dsn` (symfony/mailer) or SwiftMailer's
/// `mailer_transport`, `mailer_host`, `mailer_port`, `mailer_encryption`, `mailer_user`, `mailer_password`.
enum SymfonyParameters {
    static func read(_ file: SourceFile, ports: PortTable, into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        let budget = YAMLBudget(path: file.path)
        let root: Node?
        do { root = try SafeYAML.document(file) } catch { diagnostics.report(error); return }
        guard let root, case .mapping = root else { return }
        var values: [String: (text: String?, span: SourceSpan, line: SourceSpan)] = [:]
        do {
            for (key, value) in try root.pairs(budget: budget) where key.text == "parameters" {
                for (k, v) in try value.pairs(budget: budget) {
                    guard let name = k.text, name.hasPrefix("mailer_") else { continue }
                    values[name] = (v.isNull ? nil : v.text, v.span(in: file.path), k.span(in: file.path))
                }
            }
        } catch {
            diagnostics.report(error)
            return
        }
        // Reuse the env readers: build the equivalent `MAILER_DSN=…` / `MAILER_URL=…` entries.
        var reader = DotenvParseState(file: SourceFile(path: file.path, text: ""), ports: ports, fileName: "parameters.yml")
        func entry(_ key: String, _ text: String, _ span: SourceSpan, _ line: SourceSpan) -> EnvEntry {
            EnvEntry(key: key, keySpan: line, value: text, raw: "", quote: nil, valueSpan: span, lineSpan: line)
        }
        if let dsn = values["mailer_dsn"], let text = dsn.text, !text.hasPrefix("%env(") {
            SymfonyDSN.endpoints(text, entry: entry("mailer_dsn", text, dsn.span, dsn.line), account: "symfony", location: dsn.line, ports: ports, reader: &reader)
        } else if let transport = values["mailer_transport"], let kind = transport.text?.lowercased(), kind == "smtp" || kind == "gmail" {
            var e = Endpoint(role: .client, location: transport.line)
            e.account = "symfony"
            e.direction = .outgoing
            e.protocol = .smtp
            let host = values["mailer_host"]
            if kind == "gmail" { e.host = "smtp.gmail.com" } else if let h = host?.text, !h.hasPrefix("%") { e.set(\.host, h, field: .host, span: host!.span) }
            let enc = kind == "gmail" ? "ssl" : values["mailer_encryption"]?.text?.lowercased()
            let encSpan = values["mailer_encryption"]?.span
            switch enc {
            case "tls": e.set(\.tls, .starttls, field: .tls, span: encSpan); e.set(\.tlsRequired, true, field: .tlsRequired, span: encSpan)
            case "ssl": e.set(\.tls, .implicit, field: .tls, span: encSpan); e.set(\.tlsRequired, true, field: .tlsRequired, span: encSpan)
            case nil, "": e.set(\.tls, TLSMode.none, field: .tls, span: encSpan); e.set(\.tlsRequired, false, field: .tlsRequired, span: encSpan)
            default: diagnostics.report(ParseProblem("mailer_encryption must be tls, ssl or null", path: file.path, span: encSpan))
            }
            if e.tls != nil, e.tls != TLSMode.none { e.verifyCertificate = true }
            if let p = values["mailer_port"], let n = p.text.flatMap({ Int($0) }) { e.set(\.port, n, field: .port, span: p.span) } else {
                e.port = ports.port(service: enc == "ssl" ? "submissions" : "smtp")
                e.portIsDefault = true
            }
            if let pw = values["mailer_password"], let t = pw.text, !t.isEmpty, !t.hasPrefix("%") {
                e.set(\.credential, .inline, field: .credential, span: pw.span)
                setup.secrets.append(pw.span)
            }
            if let u = values["mailer_user"]?.text, !u.isEmpty { e.set(\.auth, ["password"], field: .auth, span: values["mailer_user"]!.span) } else {
                e.set(\.auth, [], field: .auth, span: values["mailer_user"]?.span)
                if e.credential == nil { e.credential = CredentialKind.none }
            }
            setup.endpoints.append(e)
        }
        setup.endpoints += reader.setup.endpoints
        setup.secrets += reader.setup.secrets
        diagnostics.report(contentsOf: reader.diagnostics)
    }
}
