import Foundation
import MailAuditCore

/// The variables, once read, mapped to endpoints (mailbox URLs, `smtp_url`) and the sending identity.
extension MuttParseState {
    // MARK: - Model

    mutating func finish() -> MailSetup {
        let global = self
        var endpoints: [Endpoint] = []
        endpoints += global.endpoints()
        // Hooks: account-hooks refine matching endpoints; other hooks are alternative states.
        for hook in hooks where hook.kind != "account-hook" && hook.kind != "message-hook" {
            var branch = global
            branch.diagnostics = Diagnostics()
            branch.cryptEvidence = nil
            branch.hookBase = hook.line.path
            branch.runNested(hook.command, in: hook.line)
            diagnostics.report(contentsOf: branch.diagnostics.problems.filter { p in !diagnostics.problems.contains(p) })
            if ["send-hook", "send2-hook", "reply-hook"].contains(hook.kind),
               branch.isOn("crypt_autoencrypt") == true, global.isOn("crypt_autoencrypt") != true {
                let everyMessage = [".", ".*", "~A", "^", ""].contains(hook.pattern)
                if !everyMessage, selectiveEncryption == nil { selectiveEncryption = branch.vars["crypt_autoencrypt"]?.span ?? hook.span }
            }
            for e in branch.endpoints() where !endpoints.contains(where: { $0 == e }) {
                endpoints.append(e)
            }
        }
        setup.endpoints = endpoints
        identity()
        return setup.reporting(diagnostics)
    }

    /// One connection target found in the settings.
    struct Target {
        var url: MailURL
        var text: String
        var value: MuttValue
        var direction: Direction
    }

    func targets() -> [Target] {
        var out: [Target] = []
        func add(_ text: String?, _ value: MuttValue, direction: Direction) {
            guard let text, let url = MailURL(text) else { return }
            switch (url.protocol, direction) {
            case (.imap, .incoming), (.pop3, .incoming), (.smtp, .outgoing): break
            default: return
            }
            out.append(Target(url: url, text: text, value: value, direction: direction))
        }
        for name in ["folder", "spoolfile", "record", "postponed", "pop_host"] {
            let v = value(name)
            add(v.text.map(expandMailbox), v, direction: .incoming)
        }
        for m in mailboxes { add(m.value.text, m.value, direction: .incoming) }
        let smtp = value("smtp_url")
        add(smtp.text, smtp, direction: .outgoing)
        return out
    }

    func endpoints() -> [Endpoint] {
        var out: [Endpoint] = []
        // One endpoint per server and account; the setting that writes the URL out literally describes it best.
        var unique: [(key: String, target: Target)] = []
        for target in targets() {
            let url = target.url
            let key = "\(url.protocol)|\(url.tls == .implicit)|\(url.host ?? "")|\(url.port ?? 0)|\(url.user ?? "")"
            if let i = unique.firstIndex(where: { $0.key == key }) {
                if !unique[i].target.value.exact, target.value.exact { unique[i].target = target }
                continue
            }
            unique.append((key, target))
        }
        for (_, target) in unique {
            let url = target.url
            var state = self
            for hook in hooks where hook.kind == "account-hook" && Self.pattern(hook.pattern, matches: target.text, url: url) {
                state.hookBase = hook.line.path
                state.runNested(hook.command, in: hook.line)
            }
            if let e = state.endpoint(target) { out.append(e) }
        }
        return out
    }

    static func pattern(_ pattern: String, matches text: String, url: MailURL) -> Bool {
        let candidates = [text, "\(url.scheme)://\(url.user.map { $0 + "@" } ?? "")\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")/"]
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else {
            return candidates.contains { $0.contains(pattern) }
        }
        return candidates.contains { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
    }

    /// Span of a part of a URL value when the value is written column for column.
    func subSpan(_ v: MuttValue, text: String, offset: Int?, length: Int) -> SourceSpan? {
        guard let span = v.span, let offset, v.exact, span.line == span.endLine else { return v.span }
        let quoteShift = span.endColumn - span.column == text.unicodeScalars.count + 2 ? 1 : 0
        return SourceSpan(path: span.path, line: span.line, column: span.column + quoteShift + offset, endLine: span.line,
                          endColumn: span.column + quoteShift + offset + max(1, length))
    }

    func endpoint(_ target: Target) -> Endpoint? {
        let url = target.url, v = target.value
        var e = Endpoint(role: .client, location: v.commandSpan ?? v.span ?? SourceSpan(path: setup.path, line: 1, column: 1))
        e.direction = target.direction
        e.account = url.user.map { "\($0)@\(url.host ?? "")" } ?? url.host
        let scalars = Array(target.text.unicodeScalars)
        func offset(of part: String?) -> Int? {
            guard let part, !part.isEmpty else { return nil }
            let p = Array(part.unicodeScalars)
            guard p.count <= scalars.count else { return nil }
            // After "://" and any user info.
            let start = (target.text.range(of: "@").map { target.text.unicodeScalars.distance(from: target.text.unicodeScalars.startIndex, to: $0.upperBound) }) ?? (url.scheme.unicodeScalars.count + 3)
            var i = start
            while i + p.count <= scalars.count {
                if Array(scalars[i..<(i + p.count)]) == p { return i }
                i += 1
            }
            return nil
        }
        let lastAt = target.text.unicodeScalars.lastIndex(of: "@").map { target.text.unicodeScalars.distance(from: target.text.unicodeScalars.startIndex, to: $0) + 1 }
        let hostOffset: Int? = {
            guard let host = url.host else { return nil }
            let from = lastAt ?? (url.scheme.unicodeScalars.count + 3)
            let p = Array(host.unicodeScalars)
            var i = from
            while i + p.count <= scalars.count {
                if Array(scalars[i..<(i + p.count)]) == p { return i }
                i += 1
            }
            return offset(of: host)
        }()
        let schemeSpan = subSpan(v, text: target.text, offset: 0, length: url.scheme.unicodeScalars.count)
        e.set(\.protocol, url.protocol, field: .protocol, span: schemeSpan)
        if let host = url.host {
            e.set(\.host, host, field: .host, span: subSpan(v, text: target.text, offset: hostOffset, length: host.unicodeScalars.count))
        }
        // TLS: the scheme, then ssl_force_tls / ssl_starttls for the plain schemes; a tunnel replaces the socket.
        let tunnel = value("tunnel")
        if let command = tunnel.text, !command.isEmpty || tunnel.fromCommand {
            e.set(\.tls, nil, field: .tls, span: tunnel.span)
            e.set(\.tlsRequired, nil, field: .tlsRequired, span: tunnel.span)
        } else if url.tls == .implicit {
            e.set(\.tls, .implicit, field: .tls, span: schemeSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: schemeSpan)
        } else {
            let force = value("ssl_force_tls"), starttls = value("ssl_starttls")
            // Unset in the file, `ssl_force_tls` is the release's default (set since mutt 2.0).
            if force.span == nil { e.modelledVersions[.tlsRequired] = context.versions.name("mutt") }
            switch (isOn("ssl_force_tls"), text("ssl_starttls")?.lowercased()) {
            case (true, "no"):
                // mutt refuses the connection: it may not use STARTTLS but must not continue without TLS.
                e.set(\.tls, nil, field: .tls, span: starttls.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: force.span)
            case (true, _):
                e.set(\.tls, .starttls, field: .tls, span: schemeSpan)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: force.span)
                if let s = starttls.span { e.addRelated(s, for: .tls) }
            case (false, "no"):
                e.set(\.tls, TLSMode.none, field: .tls, span: starttls.span ?? schemeSpan)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: force.span)
                if let s = force.span { e.addRelated(s, for: .tls) }
            case (false, .some):
                e.set(\.tls, .starttls, field: .tls, span: schemeSpan)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: force.span)
                if let s = starttls.span { e.addRelated(s, for: .tls) }
            default:
                e.set(\.tls, nil, field: .tls, span: force.span)
            }
        }
        // Port: the URL's, or the scheme's default (smtp:// is 25, not 587).
        if let port = url.port {
            let text = String(port)
            let portOffset = hostOffset.map { $0 + (url.host?.unicodeScalars.count ?? 0) + 1 }
            e.set(\.port, port, field: .port, span: subSpan(v, text: target.text, offset: portOffset, length: text.count))
        } else {
            let service: String
            switch (url.protocol, url.tls == .implicit) {
            case (.imap, false): service = "imap"
            case (.imap, true): service = "imaps"
            case (.pop3, false): service = "pop3"
            case (.pop3, true): service = "pop3s"
            case (_, false): service = "smtp"
            case (_, true): service = "submissions"
            }
            e.port = context.ports.port(service: service)
            e.portIsDefault = true
        }
        if e.tls != nil, e.tls != TLSMode.none {
            let host = value("ssl_verify_host")
            if isOn("ssl_verify_host") == false {
                e.set(\.verifyCertificate, false, field: .verifyCertificate, span: host.span)
            } else {
                e.set(\.verifyCertificate, isOn("ssl_verify_host"), field: .verifyCertificate, span: host.span)
            }
            // The lowest protocol version switched on.
            for (name, version) in [("ssl_use_sslv3", TLSVersion.ssl3), ("ssl_use_tlsv1", .tls10), ("ssl_use_tlsv1_1", .tls11), ("ssl_use_tlsv1_2", .tls12), ("ssl_use_tlsv1_3", .tls13)] {
                if isOn(name) == true {
                    e.set(\.minTLSVersion, version, field: .minTLSVersion, span: value(name).span)
                    break
                }
            }
        }
        // Authentication and credentials per protocol.
        let prefix: String
        switch url.protocol {
        case .imap: prefix = "imap"
        case .pop3: prefix = "pop"
        default: prefix = "smtp"
        }
        let user = url.user ?? (text("\(prefix)_user").flatMap { $0.isEmpty ? nil : $0 })
        let authenticators = value("\(prefix)_authenticators")
        let mechanisms = (authenticators.text ?? "").lowercased().split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "," }).map(String.init)
        if url.protocol == .smtp && user == nil {
            // mutt authenticates to an SMTP server only when a user name is given.
            e.set(\.auth, [], field: .auth, span: nil)
            e.set(\.credential, CredentialKind.none, field: .credential, span: nil)
        } else {
            e.set(\.auth, mechanisms.isEmpty ? ["password"] : mechanisms, field: .auth, span: mechanisms.isEmpty ? nil : authenticators.span)
            let pass = value("\(prefix)_pass")
            let oauth = value("\(prefix)_oauth_refresh_command")
            if url.hasPassword {
                let offset = url.passwordRange?.offset
                e.set(\.credential, .inline, field: .credential, span: subSpan(v, text: target.text, offset: offset, length: url.passwordRange?.length ?? 1))
            } else if pass.fromCommand {
                e.set(\.credential, .command, field: .credential, span: pass.span)
            } else if let p = pass.text, !p.isEmpty {
                e.set(\.credential, .inline, field: .credential, span: pass.span)
            } else if mechanisms.contains(where: { $0 == "oauthbearer" || $0 == "xoauth2" }), oauth.fromCommand || !(oauth.text ?? "").isEmpty {
                e.set(\.credential, .command, field: .credential, span: oauth.span)
            }
        }
        return e
    }

    mutating func identity() {
        // Secrets: every password written in the files, and passwords inside URLs.
        let auto = value("crypt_autoencrypt"), opportunistic = value("crypt_opportunistic_encrypt")
        var mode: ContentEncryption?
        var span: SourceSpan?
        if isOn("crypt_autoencrypt") == true {
            mode = .always; span = auto.span
        } else if let selective = selectiveEncryption {
            mode = .perMessage; span = selective
        } else if isOn("crypt_opportunistic_encrypt") == true {
            mode = .opportunistic; span = opportunistic.span
        } else if cryptEvidence != nil {
            mode = .perMessage; span = auto.span
        }
        guard let mode else { return }
        let from = text("from").flatMap { $0.isEmpty ? nil : $0 }
        let location = cryptEvidence ?? span ?? SourceSpan(path: setup.path, line: 1, column: 1)
        var identity = Identity(name: from, contentEncryption: mode, location: location)
        if let span { identity.spans["contentEncryption"] = span }
        setup.identities.append(identity)
    }
}
