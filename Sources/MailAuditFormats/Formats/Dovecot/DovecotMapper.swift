import Foundation
import MailAuditCore

extension DovecotParseState {
    // MARK: Model

    /// 2.4 when the file says so (`dovecot_config_version`) or uses 2.4-only names.
    var version: String {
        declares24 ? "2.4" : "2.3"
    }

    static func defaults(version: String) -> [String: String] {
        var d = ["ssl": "yes", "ssl_min_protocol": "TLSv1.2", "auth_mechanisms": "plain", "login_greeting": "Dovecot ready.", "listen": "*, ::"]
        if version == "2.4" { d["auth_allow_cleartext"] = "no" } else { d["disable_plaintext_auth"] = "yes" }
        return d
    }

    struct Effective: DecidingSetting {
        var value: String?
        var span: SourceSpan?
        var related: [SourceSpan] = []
        /// A global setting, shared by the listeners of every protocol rather than one `protocol X {}` block's.
        var inherited = false
        var explicit: Bool { span != nil }
    }

    /// The value a client of `proto` gets: `protocol proto {}` beats the global value, the last assignment wins.
    func effective(_ key: String, protocol proto: String) -> Effective {
        let global = assignments.filter { $0.key == key && $0.scope == .global }
        let scoped = assignments.filter {
            guard $0.key == key, case .protocols(let list) = $0.scope else { return false }
            return list.contains(proto) || list.contains { $0.hasPrefix("!") && $0 != "!" + proto }
        }
        guard let winner = scoped.last ?? global.last else {
            return Effective(value: Self.defaults(version: version)[key], span: nil)
        }
        let related = (global + scoped).map(\.span).filter { $0 != winner.span }
        return Effective(value: winner.value, span: winner.span, related: related, inherited: scoped.isEmpty)
    }

    struct Login {
        var service: String
        var protocolName: String
        var model: MailProtocol
        /// Built-in listeners: name, port, ssl.
        var builtIn: [(String, Int, Bool)]
    }

    func logins() -> [Login] {
        let port = { (service: String) in context.ports.port(service: service) ?? 0 }
        return [
            Login(service: "imap-login", protocolName: "imap", model: .imap, builtIn: [("imap", port("imap"), false), ("imaps", port("imaps"), true)]),
            Login(service: "pop3-login", protocolName: "pop3", model: .pop3, builtIn: [("pop3", port("pop3"), false), ("pop3s", port("pop3s"), true)]),
            Login(service: "submission-login", protocolName: "submission", model: .smtp, builtIn: [("submission", port("submission"), false)]),
            Login(service: "managesieve-login", protocolName: "sieve", model: .managesieve, builtIn: [("sieve", port("managesieve"), false)]),
        ]
    }

    mutating func buildEndpoints() {
        guard let root = rootFile else { return }
        let v = version
        setup.modelledProgram = "Dovecot \(v)"
        // Which protocols are on: the setting, or the default (empty on Debian, whose dovecot.conf adds them from protocols.d).
        let protocolsSetting = assignments.last { $0.key == "protocols" && $0.scope == .global }
        let protocols: [String]?
        let rootName = (root.path as NSString).lastPathComponent.lowercased()
        let isRoot = ["dovecot.conf", "dovecot.conf.in", "dovecot.conf.tpl"].contains(rootName)
            || assignments.contains { $0.key == "dovecot_config_version" }
        if let protocolsSetting {
            protocols = protocolsSetting.value.map { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
        } else if sawProtocolsInclude {
            protocols = []                               // Debian: the binary's default is empty, protocols.d adds them
        } else if isRoot {
            protocols = ["imap", "pop3", "lmtp"]         // upstream's compiled-in default
        } else {
            protocols = nil                              // a conf.d fragment: the dovecot.conf including it decides
        }
        // Where a listener nobody wrote is "defined": the setting that enabled its protocol, seen from the linted tree.
        var enabledBy = protocolsSetting?.span
        if let setting = protocolsSetting, setting.span.path.hasPrefix("/"), !root.path.hasPrefix("/") { enabledBy = setting.anchor }
        if v == "2.4" {
            for a in assignments where a.key == "disable_plaintext_auth" {
                diagnostics.report("disable_plaintext_auth is a Dovecot 2.3 name: 2.4 refuses to start with it; write `auth_allow_cleartext = \(a.value == "no" ? "yes" : "no")` (the inverse)", at: a.span)
            }
        } else {
            for a in assignments where a.key == "auth_allow_cleartext" {
                diagnostics.report("auth_allow_cleartext is a Dovecot 2.4 name, but this configuration is 2.3; write `disable_plaintext_auth = \(a.value == "yes" ? "no" : "yes")` (the inverse), or start the file with `dovecot_config_version = 2.4.0`", at: a.span)
            }
        }
        for login in logins() {
            let service = services.first { $0.name == login.service }
            guard let protocols else {
                // `protocols` is a template placeholder: each listener's existence is unknowable; model the written ones.
                if service != nil { addListeners(login, service: service, root: root, enabledBy: enabledBy, writtenOnly: true) }
                continue
            }
            guard protocols.contains(login.protocolName) else { continue }
            addListeners(login, service: service, root: root, enabledBy: enabledBy, writtenOnly: false)
        }
    }

    mutating func addListeners(_ login: Login, service: DovecotService?, root: SourceFile, enabledBy: SourceSpan?, writtenOnly: Bool) {
        var names = writtenOnly ? [] : login.builtIn.map(\.0)
        for l in service?.listeners ?? [] where !names.contains(l.name) { names.append(l.name) }
        for name in names {
            let written = service?.listeners.first { $0.name == name }
            let builtIn = login.builtIn.first { $0.0 == name }
            let location = written?.location ?? service?.location ?? enabledBy ?? SourceSpan(path: root.path, line: 1, column: 1)
            var e = Endpoint(role: .server, location: location)
            e.account = name
            e.protocol = login.model
            // Port: written, or the built-in listener's; a new listener without one has port 0 (off).
            var port: Int? = builtIn?.1 ?? 0
            if let p = written?.settings["port"] {
                guard let text = p.value else { port = nil; addEndpoint(e, login: login, written: written, builtIn: builtIn, port: nil, portSpan: p.span); continue }
                if let n = Int(text.trimmingCharacters(in: .whitespaces)), (0...65535).contains(n) { port = n } else {
                    diagnostics.report("port must be a number from 0 to 65535 (0 switches the listener off), found '\(text)'", at: p.span)
                    continue
                }
            }
            if port == 0 { continue }                        // listener switched off
            // With a global `ssl = no` the master does not open implicit-TLS listeners at all (verified:
            // connection refused on the imaps port), so they are no endpoint.
            let implicitListener = written?.settings["ssl"].map { $0.value?.lowercased() == "yes" } ?? (builtIn?.2 ?? false)
            let globalSSL = assignments.last { $0.key == "ssl" && $0.scope == .global }?.value?.lowercased() ?? "yes"
            if implicitListener, globalSSL == "no" { continue }
            addEndpoint(e, login: login, written: written, builtIn: builtIn, port: port, portSpan: written?.settings["port"]?.span)
        }
    }

    mutating func addEndpoint(_ base: Endpoint, login: Login, written: DovecotListener?, builtIn: (String, Int, Bool)?, port: Int?, portSpan: SourceSpan?) {
        var e = base
        let proto = login.protocolName
        func apply(_ field: Endpoint.Field, _ s: Effective) { e.decide(field, by: s) }
        e.port = port
        e.portIsDefault = portSpan == nil && port != nil
        if let portSpan { e.spans[.port] = portSpan }
        for r in written?.related["port"] ?? [] { e.addRelated(r, for: .port) }
        e.direction = port.map { context.ports.listenerDirection(protocol: login.model, port: $0) } ?? context.ports.listenerDirection(protocol: login.model, port: nil)
        // Address: the listener's, else `listen`, when it names one address.
        let address = written?.settings["address"]
        let listen = effective("listen", protocol: proto)
        for (candidate, span) in [(address?.value, address?.span), (listen.value, listen.span)] {
            guard let text = candidate?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
            let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            if parts.count == 1, !["*", "::", "[::]"].contains(parts[0]) { e.host = parts[0]; e.spans[.host] = span }
            // Bound only to loopback when every address is (`listen = 127.0.0.1, ::1`).
            if !parts.isEmpty, !parts.contains(where: { TemplateSyntax.placeholder(in: $0) != nil }) {
                e.loopback = parts.allSatisfy { LoopbackAddress.isLoopback(host: $0) == true }
                if let span { e.spans[.loopback] = span }
            }
            break
        }

        let ssl = effective("ssl", protocol: proto)
        let sslValue = ssl.value?.trimmingCharacters(in: .whitespaces).lowercased()
        if let v = sslValue, !["yes", "no", "required"].contains(v), let span = ssl.span {
            diagnostics.report("ssl must be yes, no or required; found '\(ssl.value!)'\(Suggestion.phrase(for: v, in: ["yes", "no", "required"]))", at: span)
        }
        let listenerSSL = written?.settings["ssl"]
        var implicit: Bool? = builtIn?.2 ?? false
        if let l = listenerSSL {
            switch l.value?.lowercased() {
            case "yes"?: implicit = true
            case "no"?: implicit = false
            case nil: implicit = nil
            case let other?:
                diagnostics.report("ssl must be yes or no in an inet_listener, found '\(other)'", at: l.span)
                implicit = nil
            }
        }
        switch (implicit, sslValue) {
        case (true?, "no"?):
            // `protocol x { ssl = no }` on an implicit-TLS listener the master still opens: the login process
            // has no TLS for it, so the port serves nobody; unknowable rather than a guess.
            break
        case (true?, _):
            e.tls = .implicit
            e.tlsRequired = true
            if let span = listenerSSL?.span { e.spans[.tls] = span; e.spans[.tlsRequired] = span }
        case (false?, "no"?):
            e.tls = TLSMode.none
            e.tlsRequired = false
            apply(.tls, ssl)
            apply(.tlsRequired, ssl)
        case (false?, "yes"?), (false?, "required"?):
            e.tls = .starttls
            if let span = listenerSSL?.span {
                // The listener's `ssl = no` is what keeps TLS from starting with the connection.
                e.spans[.tls] = span
                if let global = ssl.span { e.addRelated(global, for: .tls) }
            } else {
                apply(.tls, ssl)
            }
        default: break
        }

        // Authentication: mechanisms, and whether cleartext passwords are accepted before TLS.
        let mechanisms = effective("auth_mechanisms", protocol: proto)
        if let m = mechanisms.value {
            e.auth = m.lowercased().split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            apply(.auth, mechanisms)
        }
        let cleartextKey = version == "2.4" ? "auth_allow_cleartext" : "disable_plaintext_auth"
        let cleartextSetting = effective(cleartextKey, protocol: proto)
        var cleartextAllowed: Bool?
        if let v = cleartextSetting.value?.lowercased() {
            switch v {
            case "yes": cleartextAllowed = version == "2.4"
            case "no": cleartextAllowed = version != "2.4"
            default:
                if let span = cleartextSetting.span { diagnostics.report("\(cleartextKey) must be yes or no, found '\(v)'", at: span) }
            }
        }
        let plaintextMechanisms = e.auth.map { $0.contains("plain") || $0.contains("login") }
        let onlyPlaintext = e.auth.map { !$0.isEmpty && $0.allSatisfy { ["plain", "login"].contains($0) } }
        switch e.tls {
        case .implicit?:
            e.allowsPlaintextAuth = false
            e.spans[.allowsPlaintextAuth] = e.spans[.tls]
        case .some:
            if sslValue == "required" {
                // TLS before any authentication, plaintext mechanisms or not.
                e.allowsPlaintextAuth = false
                apply(.allowsPlaintextAuth, ssl)
                if e.tls == .starttls { e.tlsRequired = true; apply(.tlsRequired, ssl) }
            } else if let cleartextAllowed, let plaintextMechanisms {
                e.allowsPlaintextAuth = cleartextAllowed && plaintextMechanisms
                apply(.allowsPlaintextAuth, cleartextSetting)
                if cleartextAllowed, plaintextMechanisms, let span = cleartextSetting.span { e.addRelated(span, for: .auth) }
                if e.tls == .starttls, let onlyPlaintext {
                    // Nothing useful happens before STARTTLS when only plaintext mechanisms exist and they need TLS.
                    e.tlsRequired = !cleartextAllowed && onlyPlaintext
                    apply(.tlsRequired, cleartextSetting.explicit ? cleartextSetting : ssl)
                }
            }
        case nil: break
        }
        // IMAP, POP3, submission and ManageSieve serve nothing before login.
        e.authRequired = true

        if let tls = e.tls, tls != TLSMode.none {
            var floor = effective("ssl_min_protocol", protocol: proto)
            let legacy = effective("ssl_protocols", protocol: proto)
            if !floor.explicit, legacy.explicit, let text = legacy.value {
                // Pre-2.3 `ssl_protocols = !SSLv3 …`, which doveconf converts to ssl_min_protocol.
                e.minTLSVersion = PostfixMapper.minimumVersion(text.replacingOccurrences(of: " ", with: ","))
                floor = legacy
            } else if let text = floor.value {
                if text.uppercased() == "ANY" { e.minTLSVersion = .ssl3 }
                else if let version = TLSVersion(loose: text) { e.minTLSVersion = version }
                else if let span = floor.span {
                    diagnostics.report("ssl_min_protocol must be SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 or ANY; found '\(text)'", at: span)
                }
            }
            apply(.minTLSVersion, floor)
        }
        let greeting = effective("login_greeting", protocol: proto)
        e.banner = greeting.value
        apply(.banner, greeting)
        setup.endpoints.append(e)
    }
}
