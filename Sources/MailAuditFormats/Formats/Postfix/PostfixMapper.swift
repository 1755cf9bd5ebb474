import Foundation
import MailAuditCore

extension PostfixReader {
    // MARK: Values

    mutating func bool(_ name: String, _ s: Setting) -> Bool? {
        guard let v = s.value?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        switch v {
        case "yes", "true": return true
        case "no", "false": return false
        default:
            report(name, s, expected: "yes or no")
            return nil
        }
    }

    mutating func report(_ name: String, _ s: Setting, expected: String, choices: [String] = []) {
        guard let span = s.span, let value = s.value else { return }
        var message = "\(name) must be \(expected); found '\(value)'"
        if value.contains(" #") || value.hasPrefix("#") {
            message += ": main.cf has no trailing comments, so the '#…' is part of the value"
        } else {
            message += Suggestion.phrase(for: value, in: choices)
        }
        setup.problems.append(ParseProblem(message, path: span.path, span: span))
    }

    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// The lowest TLS version a Postfix protocol list allows (`>=TLSv1.2`, `!SSLv2, !SSLv3`, `TLSv1.2 TLSv1.3`).
    /// SSLv2 and SSLv3 count only when named: the OpenSSL builds Postfix links with no longer speak them.
    static func minimumVersion(_ text: String) -> TLSVersion? {
        var all: [TLSVersion] = [.tls10, .tls11, .tls12, .tls13]
        if text.range(of: #"(^|[\s,:=])(SSLv3|sslv3)"#, options: .regularExpression) != nil { all.insert(.ssl3, at: 0) }
        var allowed = Set(all)
        var included: Set<TLSVersion> = []
        for token in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == ":" }) {
            var t = String(token)
            if t.hasPrefix(">=") {
                guard let v = TLSVersion(loose: String(t.dropFirst(2))) else { return nil }
                allowed = allowed.filter { $0 >= v }
            } else if t.hasPrefix("<=") {
                guard let v = TLSVersion(loose: String(t.dropFirst(2))) else { return nil }
                allowed = allowed.filter { $0 <= v }
            } else if t.hasPrefix("!") {
                t.removeFirst()
                guard let v = TLSVersion(loose: t) else { return nil }
                allowed.remove(v)
            } else {
                guard let v = TLSVersion(loose: t) else { return nil }
                included.insert(v)
            }
        }
        if !included.isEmpty { allowed.formIntersection(included) }
        return all.first { allowed.contains($0) }
    }

    /// `host`, `[host]`, `host:port`, `[host]:port`; the port as a number or a service name.
    func hostPort(_ text: String) -> (host: String?, port: Int?, portText: String?) {
        var rest = Substring(text)
        var host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return (String(rest), nil, nil) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            if rest.hasPrefix(":") { rest = rest.dropFirst() } else { return (String(host), nil, nil) }
        } else if let colon = rest.lastIndex(of: ":"), rest.filter({ $0 == ":" }).count == 1 {
            host = rest[..<colon]
            rest = rest[rest.index(after: colon)...]
        } else {
            return (String(rest), nil, nil)
        }
        let portText = String(rest)
        return (host.isEmpty ? nil : String(host), port(portText), portText)
    }

    /// A port number or a service name (`smtp`, `submission`, `submissions`/`smtps`).
    func port(_ text: String) -> Int? {
        if let n = Int(text), (1...65535).contains(n) { return n }
        let aliases = ["smtps": "submissions", "ssmtp": "submissions", "urd": "submissions"]
        return context.ports.port(service: aliases[text] ?? text)
    }

    // MARK: Endpoints

    mutating func buildEndpoints() {
        let file = mainFile ?? masterFile!
        let fallback = SourceSpan(path: file.path, line: 1, column: 1)
        if masterFile == nil {
            // Postfix's stock master.cf: an smtpd on port 25 and the smtp delivery client.
            serverEndpoint(account: "smtp", listen: "smtp", listenSpan: nil, location: fallback, settings: nil)
            clientEndpoint(service: nil, location: fallback)
            return
        }
        let pass = services.first { $0.type == "pass" && $0.command == "smtpd" }
        for service in services where service.type == "inet" {
            switch service.command {
            case "smtpd":
                serverEndpoint(account: service.name, listen: service.name, listenSpan: service.nameSpan, location: service.location, settings: service)
            case "postscreen":
                // postscreen answers first and hands clients to the `smtpd pass` service, whose settings then apply.
                serverEndpoint(account: service.name, listen: service.name, listenSpan: service.nameSpan, location: service.location, settings: pass ?? service)
            default: continue
            }
        }
        if let client = services.first(where: { $0.name == "smtp" && $0.type == "unix" && $0.command == "smtp" }) {
            clientEndpoint(service: client, location: client.location)
        } else if mainFile != nil {
            clientEndpoint(service: nil, location: fallback)
        }
    }

    mutating func serverEndpoint(account: String, listen: String, listenSpan: SourceSpan?, location: SourceSpan, settings service: PostfixService?) {
        var e = Endpoint(role: .server, location: location)
        e.account = account
        e.protocol = .smtp
        var host: String?
        var portText = listen
        if listen.contains(":") {
            let parsed = hostPort(listen)
            host = parsed.host
            portText = parsed.portText ?? ""
        }
        // iRedMail's `PH_LOCAL_ADDRESS:PH_POSTFIX_MAIL_REINJECT_PORT`, Jinja's `{{ ip }}:{{ port }}`: where the
        // listener will be, and so whether anything outside the host reaches it, is unknown until the template
        // is rendered (iRedMail renders a loopback re-injection port). No endpoint rather than a guessed one.
        if let host, TemplateSyntax.placeholder(in: host) != nil, TemplateSyntax.placeholder(in: portText) != nil { return }
        if let host, TemplateSyntax.placeholder(in: host) == nil, host != "*" { e.host = host }
        e.port = TemplateSyntax.placeholder(in: portText) == nil ? port(portText) : nil
        if e.port == nil, TemplateSyntax.placeholder(in: portText) == nil, let listenSpan, let file = masterFile {
            problem("cannot tell the port of service '\(listen)': '\(portText)' is neither a number nor a service name mailaudit knows (smtp, submission, submissions, smtps)", listenSpan, in: file)
        }
        if let listenSpan { e.spans[.port] = listenSpan }
        if e.host == nil, host == nil { boundInterfaces(&e) }
        e.direction = e.port.map { context.ports.listenerDirection(protocol: .smtp, port: $0) }

        let level = setting("smtpd_tls_security_level", service: service)
        let use = setting("smtpd_use_tls", service: service)
        let enforce = setting("smtpd_enforce_tls", service: service)
        let wrapper = setting("smtpd_tls_wrappermode", service: service)
        // The security level, or the legacy booleans when it is empty.
        var levelName: String?
        var levelSetting = level
        if let v = level.value?.trimmingCharacters(in: .whitespaces).lowercased() {
            if !v.isEmpty {
                if ["none", "may", "encrypt"].contains(v) { levelName = v } else {
                    report("smtpd_tls_security_level", level, expected: "none, may or encrypt", choices: ["none", "may", "encrypt"])
                }
                for legacy in [use, enforce] where legacy.isExplicit { levelSetting.related += [legacy.span!] }
            } else {
                let enforceOn = bool("smtpd_enforce_tls", enforce)
                let useOn = bool("smtpd_use_tls", use)
                if enforceOn == true { levelName = "encrypt"; levelSetting = enforce }
                else if useOn == true { levelName = "may"; levelSetting = use }
                else if enforceOn == false && useOn == false {
                    levelName = "none"
                    if !level.isExplicit { levelSetting = use.isExplicit ? use : (enforce.isExplicit ? enforce : level) }
                }
            }
        }
        let wrap = bool("smtpd_tls_wrappermode", wrapper)
        func setSpan(_ field: Endpoint.Field, _ s: Setting) {
            if let span = s.span { e.spans[field] = span } else { e.spans[field] = nil }
            for r in s.related { e.addRelated(r, for: field) }
            if s.inherited { e.inherited.insert(field) } else { e.inherited.remove(field) }
        }
        if wrap == true {
            // smtpd enforces TLS in wrapper mode whatever the level says (enforce_tls = wrappermode || …).
            e.tls = .implicit
            e.tlsRequired = true
            setSpan(.tls, wrapper)
            setSpan(.tlsRequired, wrapper)
            if levelSetting.isExplicit { e.addRelated(levelSetting.span!, for: .tls) }
        } else if wrap == false {
            switch levelName {
            case "none"?: e.tls = TLSMode.none; e.tlsRequired = false
            case "may"?: e.tls = .starttls; e.tlsRequired = false
            case "encrypt"?: e.tls = .starttls; e.tlsRequired = true
            default: break
            }
            if levelName != nil {
                setSpan(.tls, levelSetting)
                setSpan(.tlsRequired, levelSetting)
                if wrapper.isExplicit { e.addRelated(wrapper.span!, for: .tls) }
            }
        }
        let enforced = wrap == true || levelName == "encrypt"

        // Authentication.
        let sasl = setting("smtpd_sasl_auth_enable", service: service)
        let authOnly = setting("smtpd_tls_auth_only", service: service)
        let saslOn = bool("smtpd_sasl_auth_enable", sasl)
        let authOnlyOn = bool("smtpd_tls_auth_only", authOnly)
        let securityOptions = setting("smtpd_sasl_security_options", service: service)
        if let saslOn {
            e.auth = saslOn ? ["password"] : []
            setSpan(.auth, sasl)
            if saslOn, authOnly.isExplicit { e.addRelated(authOnly.span!, for: .auth) }
            if saslOn, levelSetting.isExplicit, !enforced { e.addRelated(levelSetting.span!, for: .auth) }
        }
        let noPlaintext = securityOptions.value.map { Self.list($0.lowercased()).contains("noplaintext") }
        switch (saslOn, e.tls) {
        case (false?, _):
            e.allowsPlaintextAuth = false
            setSpan(.allowsPlaintextAuth, sasl)
        case (true?, .implicit?):
            e.allowsPlaintextAuth = false
            setSpan(.allowsPlaintextAuth, wrapper)
        case (true?, .starttls?) where enforced:
            e.allowsPlaintextAuth = false
            setSpan(.allowsPlaintextAuth, levelSetting)
        case (true?, .starttls?):
            if authOnlyOn == true {
                e.allowsPlaintextAuth = false
                setSpan(.allowsPlaintextAuth, authOnly)
            } else if authOnlyOn == false, let noPlaintext {
                e.allowsPlaintextAuth = !noPlaintext
                setSpan(.allowsPlaintextAuth, noPlaintext ? securityOptions : (authOnly.isExplicit ? authOnly : sasl))
            }
        case (true?, TLSMode.none?):
            if let noPlaintext {
                e.allowsPlaintextAuth = !noPlaintext
                setSpan(.allowsPlaintextAuth, noPlaintext ? securityOptions : sasl)
            }
        default: break
        }

        // Does the service refuse clients that have not authenticated? (`permit_sasl_authenticated, reject`)
        var required: Bool? = false
        for name in ["smtpd_client_restrictions", "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions"] {
            let s = setting(name, service: service)
            guard let value = s.value else { required = required == true ? true : nil; continue }
            if Self.refusesUnauthenticated(Self.list(value.lowercased())) {
                required = true
                setSpan(.authRequired, s)
                break
            }
        }
        e.authRequired = required
        if e.authRequired == true, saslOn == true, authOnlyOn == true, e.tls == .starttls, e.tlsRequired == false {
            // Nothing useful happens before STARTTLS: no AUTH without TLS and no mail without AUTH.
            e.tlsRequired = true
            setSpan(.tlsRequired, authOnly)
        }

        // Greeting and VRFY.
        let banner = setting("smtpd_banner", service: service)
        if let raw = rawValue("smtpd_banner", service: service) {
            e.banner = raw.conditional ? nil : expand(raw.text, service: service, depth: 0, keepUnset: true)
        } else {
            e.banner = Self.defaults["smtpd_banner"]
        }
        setSpan(.banner, banner)
        let vrfy = setting("disable_vrfy_command", service: service)
        if let disabled = bool("disable_vrfy_command", vrfy) { e.allowsVRFY = !disabled }
        setSpan(.allowsVRFY, vrfy)

        // Protocol floor: the mandatory list where TLS is enforced, the opportunistic one otherwise.
        if let tls = e.tls, tls != TLSMode.none {
            let name = enforced ? "smtpd_tls_mandatory_protocols" : "smtpd_tls_protocols"
            let s = setting(name, service: service)
            if let value = s.value {
                if let v = Self.minimumVersion(value) { e.minTLSVersion = v } else {
                    report(name, s, expected: "a protocol list such as '>=TLSv1.2' or '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1'")
                }
            }
            setSpan(.minTLSVersion, s)
        }
        // As in OpenSMTPD: a listener that offers no AUTH on a port not meant for submission (mailcow's
        // postscreen on 10025 behind haproxy, a content filter's return port) is MTA-to-MTA relay or a
        // hand-off, not a submission service without authentication.
        if saslOn == false, e.direction == .outgoing,
           !["submission", "submissions", "alt-submission"].contains(context.ports.entry(for: e.port)?.service ?? "") {
            e.direction = .relay
        }
        e.directLoopbackListenerAsHandOff()
        setup.endpoints.append(e)
    }

    /// A restriction list that ends in `reject` and lets nobody through before that but authenticated
    /// clients (and the local networks, which a remote client is not part of): a remote client that has
    /// not authenticated can do nothing.
    static func refusesUnauthenticated(_ items: [String]) -> Bool {
        guard items.last == "reject" else { return false }
        let harmless: Set<String> = ["permit_sasl_authenticated", "permit_mynetworks", "permit_tls_clientcerts",
                                     "permit_tls_all_clientcerts", "reject", "warn_if_reject"]
        return items.dropLast().allSatisfy { harmless.contains($0) || $0.hasPrefix("reject_") || $0.hasPrefix("defer_") }
    }

    /// A service without an address listens on `inet_interfaces` (default `all`): loopback when
    /// every address there is (`loopback-only`, `localhost`, `127.0.0.1, [::1]`).
    func boundInterfaces(_ e: inout Endpoint) {
        let interfaces = setting("inet_interfaces", service: nil)
        guard let value = interfaces.value else { return }
        let items = Self.list(value).map { $0.lowercased() }
        guard !items.isEmpty, !items.contains(where: { TemplateSyntax.placeholder(in: $0) != nil }) else { return }
        let loopback = items.allSatisfy { $0 == "loopback-only" || LoopbackAddress.isLoopback(host: $0) == true }
        e.loopback = loopback
        if let span = interfaces.span { e.spans[.loopback] = span }
    }

    /// Postfix 3.11: with `compatibility_level` 3.11 or higher (what a new installation's main.cf says),
    /// an unset `smtp_tls_security_level` is `may`; at lower levels, and before 3.11, it is empty (no TLS).
    /// The `compatibility_level` setting when the release decides (3.11 or higher), nil when every release agrees.
    func compatibilityDecidingClientTLS(service: PostfixService?) -> Setting? {
        let compatibility = setting("compatibility_level", service: service)
        guard let value = compatibility.value?.trimmingCharacters(in: .whitespaces),
              ProgramVersions.isOlder(value, than: "3.11") == false else { return nil }
        return compatibility
    }

    mutating func clientEndpoint(service: PostfixService?, location: SourceSpan) {
        var e = Endpoint(role: .client, location: location)
        e.account = "smtp"
        e.protocol = .smtp
        func setSpan(_ field: Endpoint.Field, _ s: Setting) {
            if let span = s.span { e.spans[field] = span } else { e.spans[field] = nil }
            for r in s.related { e.addRelated(r, for: field) }
            if s.inherited { e.inherited.insert(field) } else { e.inherited.remove(field) }
        }
        let relay = setting("relayhost", service: service)
        var relayKnown = true
        if let value = relay.value {
            let first = Self.list(value).first ?? ""
            if !first.isEmpty {
                let parsed = hostPort(first)
                e.host = parsed.host
                if let text = parsed.portText {
                    e.port = port(text)
                    if e.port == nil, let span = relay.span {
                        setup.problems.append(ParseProblem("cannot tell the port of relayhost '\(first)': '\(text)' is neither a number nor a service name mailaudit knows", path: span.path, span: span))
                    }
                }
            }
        } else {
            relayKnown = false
        }
        setSpan(.host, relay)
        if e.port != nil { setSpan(.port, relay) } else if relayKnown {
            e.port = context.ports.defaultPort(for: .smtp, tls: nil, direction: .relay)
            e.portIsDefault = true
        }
        e.direction = e.port.map { context.ports.listenerDirection(protocol: .smtp, port: $0) }

        let level = setting("smtp_tls_security_level", service: service)
        let use = setting("smtp_use_tls", service: service)
        let enforce = setting("smtp_enforce_tls", service: service)
        let wrapper = setting("smtp_tls_wrappermode", service: service)
        let levels = ["none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure"]
        var levelName: String?
        var levelSetting = level
        if let v = level.value?.trimmingCharacters(in: .whitespaces).lowercased() {
            if !v.isEmpty {
                if levels.contains(v) { levelName = v } else {
                    report("smtp_tls_security_level", level, expected: levels.joined(separator: ", "), choices: levels)
                }
                for legacy in [use, enforce] where legacy.isExplicit { levelSetting.related += [legacy.span!] }
            } else {
                let enforceOn = bool("smtp_enforce_tls", enforce)
                let useOn = bool("smtp_use_tls", use)
                if enforceOn == true { levelName = "encrypt"; levelSetting = enforce }
                else if useOn == true { levelName = "may"; levelSetting = use }
                else if enforceOn == false && useOn == false {
                    levelName = "none"
                    if !level.isExplicit { levelSetting = use.isExplicit ? use : (enforce.isExplicit ? enforce : level) }
                    if !level.isExplicit, !use.isExplicit, !enforce.isExplicit, let compatibility = compatibilityDecidingClientTLS(service: service) {
                        if !context.versions.isBefore("postfix", "3.11") {
                            levelName = "may"
                            levelSetting = compatibility
                        }
                        e.modelledVersions[.tls] = context.versions.name("postfix")
                        e.modelledVersions[.tlsRequired] = context.versions.name("postfix")
                    }
                }
            }
        }
        let wrap = bool("smtp_tls_wrappermode", wrapper)
        if let levelName, let wrap {
            let mandatory = !["none", "may", "dane"].contains(levelName)
            if levelName == "none" {
                e.tls = TLSMode.none
            } else {
                e.tls = wrap ? .implicit : .starttls
            }
            e.tlsRequired = mandatory
            setSpan(.tls, wrap && levelName != "none" ? wrapper : levelSetting)
            setSpan(.tlsRequired, levelSetting)
            switch levelName {
            case "encrypt": e.verifyCertificate = false                       // TLS without checking who answers
            case "dane-only", "fingerprint", "verify", "secure": e.verifyCertificate = true
            default: e.verifyCertificate = nil                               // none/may: not applicable; dane: depends on DNS
            }
            if e.verifyCertificate != nil { setSpan(.verifyCertificate, levelSetting) }
            if levelName != "none" {
                let name = mandatory ? "smtp_tls_mandatory_protocols" : "smtp_tls_protocols"
                let s = setting(name, service: service)
                if let value = s.value {
                    if let v = Self.minimumVersion(value) { e.minTLSVersion = v } else {
                        report(name, s, expected: "a protocol list such as '>=TLSv1.2' or '!SSLv2, !SSLv3'")
                    }
                }
                setSpan(.minTLSVersion, s)
                if let release = e.modelledVersions[.tls] { e.modelledVersions[.minTLSVersion] = release }
            }
            // TLS switched on only for the destinations of a policy map, off for everyone else (MA401).
            let policy = setting("smtp_tls_policy_maps", service: service)
            if levelName != "none" {
                e.selectiveTLS = false
            } else if let maps = policy.value {
                e.selectiveTLS = !maps.trimmingCharacters(in: .whitespaces).isEmpty
                if e.selectiveTLS == true { setSpan(.selectiveTLS, policy); e.addRelated(levelSetting.span ?? location, for: .selectiveTLS) }
            }
        }
        let sasl = setting("smtp_sasl_auth_enable", service: service)
        if let on = bool("smtp_sasl_auth_enable", sasl) {
            e.auth = on ? ["password"] : []
            setSpan(.auth, sasl)
            if on {
                // The password map is a file of clear-text passwords next to main.cf (FORMATS §13.3).
                let maps = setting("smtp_sasl_password_maps", service: service)
                e.credential = .file
                setSpan(.credential, maps.isExplicit ? maps : sasl)
            } else {
                e.credential = CredentialKind.none
                setSpan(.credential, sasl)
            }
        }
        setup.endpoints.append(e)
    }
}
