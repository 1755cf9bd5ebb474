import Foundation
import MailAuditCore

/// Maps resolved settings to endpoints: one server endpoint per smtpd (or postscreen) inet service, one
/// client endpoint for the `smtp` delivery transport, with Postfix's defaults where nothing is written.
struct PostfixMapper {
    typealias Setting = PostfixResolver.Setting
    let context: ParseContext
    let resolver: PostfixResolver
    let services: [PostfixService]
    var setup: MailSetup
    /// What could not be read past, the file pair's and the syntax's first; filed in the setup when the parse ends.
    var diagnostics: Diagnostics

    func setting(_ name: String, service: PostfixService?) -> Setting { resolver.setting(name, service: service) }

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
        diagnostics.report(message, at: span)
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

    /// The server endpoints of the inet services and the delivery client; without a master.cf, those of
    /// Postfix's stock one: an smtpd on port 25 and the smtp delivery client.
    mutating func mapEndpoints(hasMaster: Bool, hasMain: Bool, fallback: SourceSpan) {
        guard hasMaster else {
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
        } else if hasMain {
            clientEndpoint(service: nil, location: fallback)
        }
    }

    // MARK: Server (smtpd)

    /// One smtpd listener: where it listens, its TLS, its authentication, whom it refuses, what it tells
    /// clients, its protocol floor; each step reads the settings of `service` over main.cf.
    mutating func serverEndpoint(account: String, listen: String, listenSpan: SourceSpan?, location: SourceSpan, settings service: PostfixService?) {
        guard var e = listener(account: account, listen: listen, listenSpan: listenSpan, location: location) else { return }
        let tls = serverTLS(&e, service: service)
        let auth = serverAuthentication(&e, service: service, tls: tls)
        refusedUnauthenticated(&e, service: service, auth: auth)
        greeting(&e, service: service)
        // Protocol floor: the mandatory list where TLS is enforced, the opportunistic one otherwise.
        if let mode = e.tls, mode != TLSMode.none { protocolFloor(&e, side: .server, mandatory: tls.enforced, service: service) }
        // As in OpenSMTPD: a listener that offers no AUTH on a port not meant for submission (mailcow's
        // postscreen on 10025 behind haproxy, a content filter's return port) is MTA-to-MTA relay or a
        // hand-off, not a submission service without authentication.
        if auth.saslOn == false, e.direction == .outgoing,
           !["submission", "submissions", "alt-submission"].contains(context.ports.entry(for: e.port)?.service ?? "") {
            e.direction = .relay
        }
        e.directLoopbackListenerAsHandOff()
        setup.endpoints.append(e)
    }

    /// The endpoint of a master.cf service name (`smtp`, `587`, `127.0.0.1:10025`): its address, port and
    /// direction. Nil when both address and port are template placeholders.
    mutating func listener(account: String, listen: String, listenSpan: SourceSpan?, location: SourceSpan) -> Endpoint? {
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
        if let host, TemplateSyntax.placeholder(in: host) != nil, TemplateSyntax.placeholder(in: portText) != nil { return nil }
        if let host, TemplateSyntax.placeholder(in: host) == nil, host != "*" { e.host = host }
        e.port = TemplateSyntax.placeholder(in: portText) == nil ? port(portText) : nil
        if e.port == nil, TemplateSyntax.placeholder(in: portText) == nil, let listenSpan {
            diagnostics.report("cannot tell the port of service '\(listen)': '\(portText)' is neither a number nor a service name mailaudit knows (smtp, submission, submissions, smtps)", at: listenSpan)
        }
        if let listenSpan { e.spans[.port] = listenSpan }
        if e.host == nil, host == nil { boundInterfaces(&e) }
        e.direction = e.port.map { context.ports.listenerDirection(protocol: .smtp, port: $0) }
        return e
    }

    /// What smtpd's TLS settings decided: whether TLS is enforced, and the settings that said so.
    struct ServerTLS {
        var level: PostfixTLSLevel
        var enforced: Bool
    }

    /// smtpd's TLS: wrapper mode (implicit TLS, always enforced) or the security level.
    mutating func serverTLS(_ e: inout Endpoint, service: PostfixService?) -> ServerTLS {
        let level = tlsLevel(.server, service: service, endpoint: &e)
        let levelSetting = level.setting
        if level.wrap == true {
            // smtpd enforces TLS in wrapper mode whatever the level says (enforce_tls = wrappermode || …).
            e.tls = .implicit
            e.tlsRequired = true
            e.decide(.tls, by: level.wrapper)
            e.decide(.tlsRequired, by: level.wrapper)
            if let span = levelSetting.span { e.addRelated(span, for: .tls) }
        } else if level.wrap == false {
            switch level.name {
            case "none"?: e.tls = TLSMode.none; e.tlsRequired = false
            case "may"?: e.tls = .starttls; e.tlsRequired = false
            case "encrypt"?: e.tls = .starttls; e.tlsRequired = true
            default: break
            }
            if level.name != nil {
                e.decide(.tls, by: levelSetting)
                e.decide(.tlsRequired, by: levelSetting)
                if let span = level.wrapper.span { e.addRelated(span, for: .tls) }
            }
        }
        return ServerTLS(level: level, enforced: level.wrap == true || level.name == "encrypt")
    }

    /// What smtpd's SASL settings decided, for the steps after authentication.
    struct ServerAuthentication {
        var saslOn: Bool?
        var authOnly: Setting
        var authOnlyOn: Bool?
    }

    /// smtpd's AUTH: offered or not, and whether a password can cross the wire unencrypted.
    mutating func serverAuthentication(_ e: inout Endpoint, service: PostfixService?, tls: ServerTLS) -> ServerAuthentication {
        let levelSetting = tls.level.setting
        let sasl = setting("smtpd_sasl_auth_enable", service: service)
        let authOnly = setting("smtpd_tls_auth_only", service: service)
        let saslOn = bool("smtpd_sasl_auth_enable", sasl)
        let authOnlyOn = bool("smtpd_tls_auth_only", authOnly)
        let securityOptions = setting("smtpd_sasl_security_options", service: service)
        if let saslOn {
            e.auth = saslOn ? ["password"] : []
            e.decide(.auth, by: sasl)
            if saslOn, let span = authOnly.span { e.addRelated(span, for: .auth) }
            if saslOn, let span = levelSetting.span, !tls.enforced { e.addRelated(span, for: .auth) }
        }
        let noPlaintext = securityOptions.value.map { Self.list($0.lowercased()).contains("noplaintext") }
        switch (saslOn, e.tls) {
        case (false?, _):
            e.allowsPlaintextAuth = false
            e.decide(.allowsPlaintextAuth, by: sasl)
        case (true?, .implicit?):
            e.allowsPlaintextAuth = false
            e.decide(.allowsPlaintextAuth, by: tls.level.wrapper)
        case (true?, .starttls?) where tls.enforced:
            e.allowsPlaintextAuth = false
            e.decide(.allowsPlaintextAuth, by: levelSetting)
        case (true?, .starttls?):
            if authOnlyOn == true {
                e.allowsPlaintextAuth = false
                e.decide(.allowsPlaintextAuth, by: authOnly)
            } else if authOnlyOn == false, let noPlaintext {
                e.allowsPlaintextAuth = !noPlaintext
                e.decide(.allowsPlaintextAuth, by: noPlaintext ? securityOptions : (authOnly.isExplicit ? authOnly : sasl))
            }
        case (true?, TLSMode.none?):
            if let noPlaintext {
                e.allowsPlaintextAuth = !noPlaintext
                e.decide(.allowsPlaintextAuth, by: noPlaintext ? securityOptions : sasl)
            }
        default: break
        }
        return ServerAuthentication(saslOn: saslOn, authOnly: authOnly, authOnlyOn: authOnlyOn)
    }

    /// Does the service refuse clients that have not authenticated? (`permit_sasl_authenticated, reject`)
    mutating func refusedUnauthenticated(_ e: inout Endpoint, service: PostfixService?, auth: ServerAuthentication) {
        var required: Bool? = false
        for name in ["smtpd_client_restrictions", "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions"] {
            let s = setting(name, service: service)
            guard let value = s.value else { required = required == true ? true : nil; continue }
            if Self.refusesUnauthenticated(Self.list(value.lowercased())) {
                required = true
                e.decide(.authRequired, by: s)
                break
            }
        }
        e.authRequired = required
        if e.authRequired == true, auth.saslOn == true, auth.authOnlyOn == true, e.tls == .starttls, e.tlsRequired == false {
            // Nothing useful happens before STARTTLS: no AUTH without TLS and no mail without AUTH.
            e.tlsRequired = true
            e.decide(.tlsRequired, by: auth.authOnly)
        }
    }

    /// The greeting banner and VRFY.
    mutating func greeting(_ e: inout Endpoint, service: PostfixService?) {
        let banner = setting("smtpd_banner", service: service)
        if let raw = resolver.rawValue("smtpd_banner", service: service) {
            e.banner = raw.conditional ? nil : resolver.expand(raw.text, service: service, depth: 0, keepUnset: true)
        } else {
            e.banner = PostfixResolver.defaults["smtpd_banner"]
        }
        e.decide(.banner, by: banner)
        let vrfy = setting("disable_vrfy_command", service: service)
        if let disabled = bool("disable_vrfy_command", vrfy) { e.allowsVRFY = !disabled }
        e.decide(.allowsVRFY, by: vrfy)
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

    // MARK: TLS of either side

    /// The TLS security level of one side: `<side>_tls_security_level`, or when that is empty the legacy
    /// `<side>_enforce_tls` and `<side>_use_tls`; and wrapper mode. For the client, an unset level is
    /// `may` from Postfix 3.11 on when `compatibility_level` says 3.11 (recorded as release-dependent on `e`).
    mutating func tlsLevel(_ side: PostfixSide, service: PostfixService?, endpoint e: inout Endpoint) -> PostfixTLSLevel {
        let levelName = "\(side.prefix)_tls_security_level"
        let level = setting(levelName, service: service)
        let use = setting("\(side.prefix)_use_tls", service: service)
        let enforce = setting("\(side.prefix)_enforce_tls", service: service)
        let wrapper = setting("\(side.prefix)_tls_wrappermode", service: service)
        var result = PostfixTLSLevel(name: nil, setting: level, wrapper: wrapper, wrap: nil)
        if let v = level.value?.trimmingCharacters(in: .whitespaces).lowercased() {
            if !v.isEmpty {
                if side.levels.contains(v) { result.name = v } else {
                    report(levelName, level, expected: side.levelsExpected, choices: side.levels)
                }
                result.setting.related += [use, enforce].compactMap(\.span)
            } else {
                let enforceOn = bool("\(side.prefix)_enforce_tls", enforce)
                let useOn = bool("\(side.prefix)_use_tls", use)
                if enforceOn == true { result.name = "encrypt"; result.setting = enforce }
                else if useOn == true { result.name = "may"; result.setting = use }
                else if enforceOn == false && useOn == false {
                    result.name = "none"
                    if !level.isExplicit { result.setting = use.isExplicit ? use : (enforce.isExplicit ? enforce : level) }
                    // Only the client's default moved with compatibility_level 3.11; smtpd's stays empty.
                    if side == .client, !level.isExplicit, !use.isExplicit, !enforce.isExplicit,
                       let compatibility = resolver.compatibilityDecidingClientTLS(service: service) {
                        if !context.versions.isBefore("postfix", "3.11") {
                            result.name = "may"
                            result.setting = compatibility
                        }
                        e.modelledVersions[.tls] = context.versions.name("postfix")
                        e.modelledVersions[.tlsRequired] = context.versions.name("postfix")
                    }
                }
            }
        }
        result.wrap = bool("\(side.prefix)_tls_wrappermode", wrapper)
        return result
    }

    /// The lowest TLS version `<side>_tls_protocols` (or, where TLS is mandatory, `<side>_tls_mandatory_protocols`) allows.
    mutating func protocolFloor(_ e: inout Endpoint, side: PostfixSide, mandatory: Bool, service: PostfixService?) {
        let name = mandatory ? "\(side.prefix)_tls_mandatory_protocols" : "\(side.prefix)_tls_protocols"
        let s = setting(name, service: service)
        if let value = s.value {
            if let v = Self.minimumVersion(value) { e.minTLSVersion = v } else {
                report(name, s, expected: "a protocol list such as '>=TLSv1.2' or \(side.protocolExample)")
            }
        }
        e.decide(.minTLSVersion, by: s)
    }

    // MARK: Client (smtp)

    /// The `smtp` delivery client: toward `relayhost` (or MX hosts), its TLS level and SASL.
    mutating func clientEndpoint(service: PostfixService?, location: SourceSpan) {
        var e = Endpoint(role: .client, location: location)
        e.account = "smtp"
        e.protocol = .smtp
        relay(&e, service: service)
        let level = tlsLevel(.client, service: service, endpoint: &e)
        if let levelName = level.name, let wrap = level.wrap {
            clientTLS(&e, level: levelName, wrap: wrap, decidedBy: level, service: service, location: location)
        }
        let sasl = setting("smtp_sasl_auth_enable", service: service)
        if let on = bool("smtp_sasl_auth_enable", sasl) {
            e.auth = on ? ["password"] : []
            e.decide(.auth, by: sasl)
            if on {
                // The password map is a file of clear-text passwords next to main.cf (FORMATS §13.3).
                let maps = setting("smtp_sasl_password_maps", service: service)
                e.credential = .file
                e.decide(.credential, by: maps.isExplicit ? maps : sasl)
            } else {
                e.credential = CredentialKind.none
                e.decide(.credential, by: sasl)
            }
        }
        setup.endpoints.append(e)
    }

    /// `relayhost`: the host and port mail is handed to (port 25 unless written); unset, MX delivery.
    mutating func relay(_ e: inout Endpoint, service: PostfixService?) {
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
                        diagnostics.report("cannot tell the port of relayhost '\(first)': '\(text)' is neither a number nor a service name mailaudit knows", at: span)
                    }
                }
            }
        } else {
            relayKnown = false
        }
        e.decide(.host, by: relay)
        if e.port != nil { e.decide(.port, by: relay) } else if relayKnown {
            e.port = context.ports.defaultPort(for: .smtp, tls: nil, direction: .relay)
            e.portIsDefault = true
        }
        e.direction = e.port.map { context.ports.listenerDirection(protocol: .smtp, port: $0) }
    }

    /// What a known client level means: implicit or STARTTLS, mandatory or not, whether the certificate is
    /// checked, the protocol floor, and TLS only toward the destinations of a policy map.
    mutating func clientTLS(_ e: inout Endpoint, level levelName: String, wrap: Bool, decidedBy level: PostfixTLSLevel, service: PostfixService?, location: SourceSpan) {
        let levelSetting = level.setting
        let mandatory = !["none", "may", "dane"].contains(levelName)
        if levelName == "none" {
            e.tls = TLSMode.none
        } else {
            e.tls = wrap ? .implicit : .starttls
        }
        e.tlsRequired = mandatory
        e.decide(.tls, by: wrap && levelName != "none" ? level.wrapper : levelSetting)
        e.decide(.tlsRequired, by: levelSetting)
        switch levelName {
        case "encrypt": e.verifyCertificate = false                       // TLS without checking who answers
        case "dane-only", "fingerprint", "verify", "secure": e.verifyCertificate = true
        default: e.verifyCertificate = nil                               // none/may: not applicable; dane: depends on DNS
        }
        if e.verifyCertificate != nil { e.decide(.verifyCertificate, by: levelSetting) }
        if levelName != "none" {
            protocolFloor(&e, side: .client, mandatory: mandatory, service: service)
            if let release = e.modelledVersions[.tls] { e.modelledVersions[.minTLSVersion] = release }
        }
        // TLS switched on only for the destinations of a policy map, off for everyone else (MA401).
        let policy = setting("smtp_tls_policy_maps", service: service)
        if levelName != "none" {
            e.selectiveTLS = false
        } else if let maps = policy.value {
            e.selectiveTLS = !maps.trimmingCharacters(in: .whitespaces).isEmpty
            if e.selectiveTLS == true { e.decide(.selectiveTLS, by: policy); e.addRelated(levelSetting.span ?? location, for: .selectiveTLS) }
        }
    }
}

/// Which end of an SMTP connection a group of parameters configures: `smtpd_*` the server Postfix runs,
/// `smtp_*` the client it delivers with. Both spell their TLS level the same way under their own prefix.
enum PostfixSide {
    case server, client

    var prefix: String { self == .server ? "smtpd" : "smtp" }

    /// The security levels the side knows (smtpd only has three).
    var levels: [String] {
        switch self {
        case .server: ["none", "may", "encrypt"]
        case .client: ["none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure"]
        }
    }

    var levelsExpected: String { self == .server ? "none, may or encrypt" : levels.joined(separator: ", ") }

    /// An example of a protocol list that drops the old versions, for the message about one that is not a list.
    var protocolExample: String { self == .server ? "'!SSLv2, !SSLv3, !TLSv1, !TLSv1.1'" : "'!SSLv2, !SSLv3'" }
}

/// A side's TLS security level as the settings decide it.
struct PostfixTLSLevel {
    /// `none`, `may`, `encrypt`, …; nil when unknown (a placeholder) or not a level.
    var name: String?
    /// The setting that decided the level, with the ones that also spoke as related locations.
    var setting: PostfixResolver.Setting
    var wrapper: PostfixResolver.Setting
    /// Wrapper mode (implicit TLS); nil when unknown.
    var wrap: Bool?
}
