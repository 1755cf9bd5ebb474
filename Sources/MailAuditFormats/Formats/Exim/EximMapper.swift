import Foundation
import MailAuditCore

/// What an Exim host list or condition says about TLS, as far as it can be known without running it.
enum EximHostVerdict: Equatable {
    case nobody, everybody, onlyWithTLS, someHosts, unknown
}

/// Main options and drivers mapped to endpoints: the daemon's listeners and the smtp transports it relays through.
struct EximMapper {
    let syntax: EximSyntax
    let ports: PortTable
    var endpoints: [Endpoint] = []
    var secrets: [SourceSpan] = []
    var diagnostics = Diagnostics()

    init(syntax: EximSyntax, ports: PortTable) {
        self.syntax = syntax
        self.ports = ports
    }

    var main: [String: EximOption] { syntax.main }
    var topPath: String { syntax.file.path }

    /// A TCP port: a number or a service name (Debian's /etc/services names for the mail ports).
    func resolvePort(_ text: String) -> Int? {
        if let n = Int(text), (1...65535).contains(n) { return n }
        switch text.lowercased() {
        case "smtps", "ssmtp", "urd": return ports.port(service: "submissions")
        default: return ports.port(service: text.lowercased())
        }
    }

    static let tlsVariables = ["tls_in_cipher", "tls_cipher", "tls_in_ver", "tls_in_protocol", "tls_in_cipher_std", "tls_in_bits", "tls_bits", "tls_protocol"]

    /// A host list (`tls_advertise_hosts`, `auth_advertise_hosts`) evaluated for an arbitrary client.
    func hostVerdict(_ value: String?) -> EximHostVerdict {
        guard let value else { return .everybody }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .nobody }
        if EximMapper.tlsVariables.contains(where: { trimmed.contains("$" + $0) || trimmed.contains("def:" + $0) || trimmed.contains("${" + $0) }) { return .onlyWithTLS }
        if trimmed.contains("$") { return .unknown }
        var sawSpecific = false
        for item in EximResolver.splitList(Array(trimmed.unicodeScalars)) {
            let text = String(String.UnicodeScalarView(item.text))
            if text == "*" { return sawSpecific ? .everybody : .everybody }
            if text == "!*" { return sawSpecific ? .someHosts : .nobody }
            if text.hasPrefix("+") || text.hasPrefix("!+") { return .unknown }
            sawSpecific = true
        }
        return sawSpecific ? .someHosts : .nobody
    }

    /// A `server_advertise_condition`: unset advertises; an expansion that looks at the TLS cipher
    /// advertises only over TLS; "", "0", "no", "false" never.
    func conditionVerdict(_ value: String?) -> EximHostVerdict {
        guard let value else { return .everybody }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if ["", "0", "no", "false"].contains(trimmed.lowercased()) { return .nobody }
        if EximMapper.tlsVariables.contains(where: { trimmed.contains("$" + $0) || trimmed.contains("def:" + $0) || trimmed.contains("${" + $0) }) { return .onlyWithTLS }
        if trimmed.contains("$") { return .unknown }
        return .everybody
    }

    /// The lowest TLS version a GnuTLS priority string (`NORMAL:-VERS-TLS1.0:-VERS-TLS1.1`) or an
    /// OpenSSL `openssl_options` (`+no_tlsv1 +no_tlsv1_1`) leaves enabled; nil when it says nothing about versions.
    static func minimumVersion(gnutls text: String) -> TLSVersion? {
        let upper = text.uppercased()
        guard upper.contains("VERS-") else { return nil }
        let names: [(String, TLSVersion)] = [("SSL3.0", .ssl3), ("TLS1.0", .tls10), ("TLS1.1", .tls11), ("TLS1.2", .tls12), ("TLS1.3", .tls13)]
        var enabled: Set<TLSVersion> = [.tls10, .tls11, .tls12, .tls13]
        for token in upper.split(separator: ":") {
            let t = token.trimmingCharacters(in: .whitespaces)
            if t == "-VERS-ALL" || t == "-VERS-TLS-ALL" { enabled = []; continue }
            if t == "+VERS-ALL" || t == "+VERS-TLS-ALL" { enabled = [.tls10, .tls11, .tls12, .tls13]; continue }
            for (name, version) in names {
                if t == "-VERS-" + name { enabled.remove(version) }
                if t == "+VERS-" + name { enabled.insert(version) }
            }
        }
        return enabled.min()
    }

    static func minimumVersion(openssl text: String) -> TLSVersion? {
        let lower = text.lowercased()
        let flags: [(String, TLSVersion)] = [("no_sslv3", .ssl3), ("no_tlsv1", .tls10), ("no_tlsv1_1", .tls11), ("no_tlsv1_2", .tls12), ("no_tlsv1_3", .tls13)]
        var disabled: Set<TLSVersion> = [.ssl2]
        var said = false
        for token in lower.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            for (flag, version) in flags where token == "+" + flag || token == "-" + flag {
                said = true
                if token.hasPrefix("+") { disabled.insert(version) } else { disabled.remove(version) }
            }
        }
        guard said else { return nil }
        return TLSVersion.allCases.filter { !disabled.contains($0) && $0 != .ssl2 }.min()
    }

    func minTLS(ciphers: EximOption?, options: EximOption?) -> (TLSVersion, SourceSpan)? {
        if let ciphers, let value = ciphers.value, let v = EximMapper.minimumVersion(gnutls: value) { return (v, ciphers.valueSpan) }
        if let options, let value = options.value, let v = EximMapper.minimumVersion(openssl: value) { return (v, options.valueSpan) }
        return nil
    }

    struct Listener {
        var host: String?
        var port: Int
        var portSpan: SourceSpan?
        var location: SourceSpan
    }

    static let wildcardAddresses: Set<String> = ["0.0.0.0", "::", "::0", "0:0:0:0:0:0:0:0", "*"]

    /// `local_interfaces` items: `1.2.3.4`, `1.2.3.4.587`, `[::1]:465`, `::1.25`.
    static func splitInterface(_ item: String) -> (host: String, port: String?) {
        if item.hasPrefix("["), let close = item.firstIndex(of: "]") {
            let host = String(item[item.index(after: item.startIndex)..<close])
            let rest = item[item.index(after: close)...]
            if rest.hasPrefix(":") || rest.hasPrefix(".") { return (host, String(rest.dropFirst())) }
            return (host, nil)
        }
        let isIPv6 = item.contains(":")
        let dots = item.filter { $0 == "." }.count
        if let lastDot = item.lastIndex(of: "."), (isIPv6 || dots == 4) {
            let suffix = item[item.index(after: lastDot)...]
            if !suffix.isEmpty, suffix.allSatisfy(\.isNumber) { return (String(item[..<lastDot]), String(suffix)) }
        }
        return (item, nil)
    }

    mutating func buildListeners() {
        let portsOption = main["daemon_smtp_ports"]
        let location = portsOption?.line ?? syntax.firstMainLine ?? SourceSpan(path: topPath, line: 1, column: 1)
        var daemonPorts: [(port: Int, span: SourceSpan?)] = []
        if let portsOption {
            for item in syntax.resolver.listItems(portsOption) {
                if let port = resolvePort(item.text) {
                    daemonPorts.append((port, item.span))
                } else {
                    diagnostics.report("daemon_smtp_ports: \"\(item.text)\" is neither a port number nor a known service name; the Exim daemon will not start", at: item.span)
                }
            }
        } else {
            daemonPorts = [(ports.port(service: "smtp") ?? 25, nil)]
        }

        var listeners: [Listener] = []
        if let interfaces = main["local_interfaces"] {
            for item in syntax.resolver.listItems(interfaces) {
                let (address, portText) = EximMapper.splitInterface(item.text)
                let host = EximMapper.wildcardAddresses.contains(address) ? nil : address
                if let portText {
                    if let port = resolvePort(portText) {
                        listeners.append(Listener(host: host, port: port, portSpan: item.span, location: interfaces.line))
                    } else {
                        diagnostics.report("local_interfaces: \"\(portText)\" in \"\(item.text)\" is not a port", at: item.span)
                    }
                } else {
                    for p in daemonPorts { listeners.append(Listener(host: host, port: p.port, portSpan: p.span, location: location)) }
                }
            }
        } else {
            for p in daemonPorts { listeners.append(Listener(host: nil, port: p.port, portSpan: p.span, location: location)) }
        }
        var seen: Set<String> = []
        listeners = listeners.filter { seen.insert("\($0.host ?? "*"):\($0.port)").inserted }

        var onConnect: [Int: SourceSpan] = [:]
        if let option = main["tls_on_connect_ports"] {
            for item in syntax.resolver.listItems(option) {
                if let port = resolvePort(item.text) { onConnect[port] = item.span } else {
                    diagnostics.report("tls_on_connect_ports: \"\(item.text)\" is neither a port number nor a known service name", at: item.span)
                }
            }
        }

        let advertise = main["tls_advertise_hosts"]
        let tlsVerdict = hostVerdict(advertise?.value)
        let authHosts = main["auth_advertise_hosts"]
        let authVerdict = hostVerdict(authHosts?.value)
        let minTLS = minTLS(ciphers: main["tls_require_ciphers"], options: main["openssl_options"])
        let serverAuth = serverAuthenticators()

        for listener in listeners {
            var e = Endpoint(role: .server, location: listener.location)
            e.protocol = .smtp
            e.host = listener.host
            if listener.host == nil { e.loopback = false }   // every address
            e.set(\.port, listener.port, field: .port, span: listener.portSpan)
            e.portIsDefault = listener.portSpan == nil
            e.direction = ports.listenerDirection(protocol: .smtp, port: listener.port)
            e.transport = .tcp

            // TLS: implicit on tls_on_connect_ports, else STARTTLS as tls_advertise_hosts says (default `*`).
            if let span = onConnect[listener.port] {
                e.set(\.tls, TLSMode.implicit, field: .tls, span: span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
            } else {
                switch tlsVerdict {
                case .nobody:
                    e.set(\.tls, TLSMode.none, field: .tls, span: advertise?.valueSpan)
                    e.set(\.tlsRequired, false, field: .tlsRequired, span: advertise?.valueSpan)
                case .everybody:
                    e.set(\.tls, TLSMode.starttls, field: .tls, span: advertise?.valueSpan)
                    e.set(\.tlsRequired, false, field: .tlsRequired, span: advertise?.valueSpan)
                case .onlyWithTLS, .someHosts, .unknown:
                    e.tls = nil  // offered to some clients only, or decided at run time
                    if let advertise { e.spans[.tls] = advertise.valueSpan }
                }
            }
            if e.tls != TLSMode.none, let (version, span) = minTLS { e.set(\.minTLSVersion, version, field: .minTLSVersion, span: span) }

            applyAuth(&e, serverAuth: serverAuth, authHosts: authHosts, authVerdict: authVerdict)

            if let banner = main["smtp_banner"] {
                e.set(\.banner, banner.value ?? "", field: .banner, span: banner.valueSpan)
            } else {
                e.banner = EximSyntax.defaultBanner
            }
            // VRFY is refused unless acl_smtp_vrfy names an ACL that accepts it.
            if let vrfy = main["acl_smtp_vrfy"] {
                let value = (vrfy.value ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                if value.isEmpty || value == "deny" { e.set(\.allowsVRFY, false, field: .allowsVRFY, span: vrfy.valueSpan) }
                else if value == "accept" { e.set(\.allowsVRFY, true, field: .allowsVRFY, span: vrfy.valueSpan) }
                else { e.spans[.allowsVRFY] = vrfy.valueSpan }
            } else {
                e.allowsVRFY = false
            }
            e.directLoopbackListenerAsHandOff()
            endpoints.append(e)
        }
    }

    /// Authenticators that act as servers: those with a `server_…` option (Exim sets an
    /// authenticator up as a server from its server options).
    func serverAuthenticators() -> [(mechanism: String, span: SourceSpan, verdict: EximHostVerdict, conditionSpan: SourceSpan?)] {
        syntax.authenticators.compactMap { auth in
            guard auth.options.keys.contains(where: { $0.hasPrefix("server_") && $0 != "server_advertise_condition" }) else { return nil }
            let name = (auth.options["public_name"]?.value ?? auth.name).lowercased()
            let span = auth.options["public_name"]?.valueSpan ?? auth.header
            let condition = auth.options["server_advertise_condition"]
            return (name, span, conditionVerdict(condition?.value), condition?.valueSpan)
        }
    }

    static let plaintextMechanisms: Set<String> = ["plain", "login"]

    func applyAuth(_ e: inout Endpoint, serverAuth: [(mechanism: String, span: SourceSpan, verdict: EximHostVerdict, conditionSpan: SourceSpan?)],
                   authHosts: EximOption?, authVerdict: EximHostVerdict) {
        let implicit = e.tls == .implicit
        let tlsPossible = e.tls == .implicit || e.tls == .starttls
        if serverAuth.isEmpty {
            e.set(\.auth, [], field: .auth, span: nil)
            e.set(\.allowsPlaintextAuth, false, field: .allowsPlaintextAuth, span: nil)
            return
        }
        if authVerdict == .nobody {
            e.set(\.auth, [], field: .auth, span: authHosts?.valueSpan)
            e.set(\.allowsPlaintextAuth, false, field: .allowsPlaintextAuth, span: authHosts?.valueSpan)
            return
        }
        // Mechanisms this listener can offer at some point of a session.
        var offered: [(mechanism: String, span: SourceSpan, verdict: EximHostVerdict, conditionSpan: SourceSpan?)] = []
        for a in serverAuth where a.verdict != .nobody {
            if a.verdict == .onlyWithTLS, e.tls == TLSMode.none { continue }
            offered.append(a)
        }
        if authVerdict == .onlyWithTLS, e.tls == TLSMode.none { offered = [] }
        e.auth = offered.map(\.mechanism)
        e.spans[.auth] = offered.first?.span ?? authHosts?.valueSpan

        // allowsPlaintextAuth: a PLAIN or LOGIN authenticator advertised before TLS.
        if implicit {
            e.set(\.allowsPlaintextAuth, false, field: .allowsPlaintextAuth, span: main["tls_on_connect_ports"]?.valueSpan)
            return
        }
        let plaintext = offered.filter { EximMapper.plaintextMechanisms.contains($0.mechanism) }
        if plaintext.isEmpty {
            e.set(\.allowsPlaintextAuth, false, field: .allowsPlaintextAuth, span: nil)
            return
        }
        switch authVerdict {
        case .onlyWithTLS:
            e.set(\.allowsPlaintextAuth, false, field: .allowsPlaintextAuth, span: authHosts?.valueSpan)
            return
        case .someHosts, .unknown:
            e.allowsPlaintextAuth = nil
            return
        case .everybody, .nobody:
            break
        }
        if let open = plaintext.first(where: { $0.verdict == .everybody || $0.verdict == .someHosts }) {
            e.set(\.allowsPlaintextAuth, true, field: .allowsPlaintextAuth, span: open.conditionSpan ?? open.span)
            e.spans[.auth] = open.span
            if let hosts = authHosts { e.addRelated(hosts.valueSpan, for: .allowsPlaintextAuth) }
        } else if plaintext.contains(where: { $0.verdict == .unknown }) {
            e.allowsPlaintextAuth = nil
        } else {
            e.set(\.allowsPlaintextAuth, false, field: .allowsPlaintextAuth, span: plaintext.first?.conditionSpan)
            _ = tlsPossible
        }
    }

    // MARK: transports (outbound relay)

    mutating func buildTransports() {
        let clientAuth = syntax.authenticators.compactMap { auth -> (String, EximDriver)? in
            guard auth.options.keys.contains(where: { $0.hasPrefix("client_") && $0 != "client_condition" && $0 != "client_ignore_invalid_base64" }) else { return nil }
            return ((auth.options["public_name"]?.value ?? auth.name).lowercased(), auth)
        }
        for transport in syntax.transports where transport.driver?.lowercased() == "smtp" {
            var e = Endpoint(role: .client, location: transport.header)
            e.account = transport.name
            e.direction = .relay
            let o = transport.options
            let protocolText = o["protocol"]?.value?.lowercased() ?? "smtp"
            e.set(\.protocol, protocolText == "lmtp" ? MailProtocol.lmtp : .smtp, field: .protocol, span: o["protocol"]?.valueSpan)
            if let hosts = o["hosts"], let value = hosts.value, !value.contains("$") {
                let items = syntax.resolver.listItems(hosts)
                if items.count == 1 { e.set(\.host, items[0].text, field: .host, span: items[0].span) }
            }
            if protocolText == "smtps" {
                e.set(\.tls, TLSMode.implicit, field: .tls, span: o["protocol"]?.valueSpan)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: o["protocol"]?.valueSpan)
            } else if hostVerdict(o["hosts_avoid_tls"]?.value ?? "") == .everybody {
                e.set(\.tls, TLSMode.none, field: .tls, span: o["hosts_avoid_tls"]?.valueSpan)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: o["hosts_avoid_tls"]?.valueSpan)
            } else {
                e.tls = .starttls
                switch hostVerdict(o["hosts_require_tls"]?.value ?? "") {
                case .everybody: e.set(\.tlsRequired, true, field: .tlsRequired, span: o["hosts_require_tls"]?.valueSpan)
                case .nobody: e.set(\.tlsRequired, false, field: .tlsRequired, span: o["hosts_require_tls"]?.valueSpan)
                default: e.tlsRequired = nil; e.spans[.tlsRequired] = o["hosts_require_tls"]?.valueSpan
                }
            }
            if let portOption = o["port"], let value = portOption.value {
                if let port = resolvePort(value.trimmingCharacters(in: .whitespaces)) {
                    e.set(\.port, port, field: .port, span: portOption.valueSpan)
                } else if !value.contains("$") {
                    diagnostics.report("transport \(transport.name): port \"\(value)\" is neither a number nor a known service name", at: portOption.valueSpan)
                }
            } else {
                e.port = protocolText == "smtps" ? ports.port(service: "submissions") : (protocolText == "lmtp" ? nil : ports.port(service: "smtp"))
                e.portIsDefault = true
            }
            // Certificates: checked when tls_verify_hosts matches; tls_try_verify_hosts (default `*`) only logs a failure.
            if e.tls != TLSMode.none {
                switch hostVerdict(o["tls_verify_hosts"]?.value ?? "") {
                case .everybody: e.set(\.verifyCertificate, true, field: .verifyCertificate, span: o["tls_verify_hosts"]?.valueSpan)
                case .nobody:
                    // Opportunistic relay: an unverified certificate changes nothing an attacker could not strip anyway.
                    if e.tlsRequired == true { e.set(\.verifyCertificate, false, field: .verifyCertificate, span: o["tls_verify_hosts"]?.valueSpan ?? o["hosts_require_tls"]?.valueSpan) }
                default: e.spans[.verifyCertificate] = o["tls_verify_hosts"]?.valueSpan
                }
                if let (version, span) = minTLS(ciphers: o["tls_require_ciphers"], options: nil) { e.set(\.minTLSVersion, version, field: .minTLSVersion, span: span) }
            }
            // Authentication: only towards hosts in hosts_require_auth / hosts_try_auth.
            let authOption = o["hosts_require_auth"] ?? o["hosts_try_auth"]
            if let authOption, hostVerdict(authOption.value) != .nobody, !clientAuth.isEmpty {
                e.set(\.auth, clientAuth.map(\.0), field: .auth, span: authOption.valueSpan)
                e.credential = nil
                for (_, auth) in clientAuth {
                    for key in ["client_send", "client_secret", "client_password"] {
                        guard let option = auth.options[key], let value = option.value else { continue }
                        if value.contains("${run") { e.set(\.credential, CredentialKind.command, field: .credential, span: option.valueSpan) }
                        else if value.contains("${lookup") || value.contains("${readfile") { if e.credential == nil { e.set(\.credential, CredentialKind.file, field: .credential, span: option.valueSpan) } }
                        else if !value.contains("$") {
                            e.set(\.credential, CredentialKind.inline, field: .credential, span: option.valueSpan)
                            secrets.append(option.valueSpan)
                        }
                    }
                }
            } else {
                e.set(\.auth, [], field: .auth, span: authOption?.valueSpan)
                e.credential = CredentialKind.none
            }
            endpoints.append(e)
        }
    }
}
