import MailAuditCore

/// msmtp (`~/.msmtprc`, `$XDG_CONFIG_HOME/msmtp/config`, `/etc/msmtprc`), as msmtp 1.8 reads it
/// (src/conf.c; behaviour checked with `msmtp --pretend`, ORACLES.md §2):
///
/// - one `command argument` per line; `#` starts a comment only as the first non-blank character
///   (`tls on # x` is an error); an argument wholly enclosed in `"…"` loses its quotes, no escapes;
///   commands are case-sensitive; for on/off commands an empty argument means `on`.
/// - `defaults` sets values for the accounts defined after it; `account NAME : A, B` starts from the
///   current defaults, then copies what A and B set themselves (their own and inherited settings,
///   not their defaults); commands before the first `account`/`defaults` form the account `default`.
/// - TLS: `tls` is **off** by default; `tls on` uses STARTTLS (required: msmtp fails without it)
///   unless `tls_starttls off`, which means implicit TLS. The default port is 465 for implicit TLS,
///   else 25 (protocol smtp; lmtp has no default port). `tls_certcheck` is on by default and
///   `off` overrides `tls_fingerprint`.
/// - `auth` is off by default; `on` (or empty) lets msmtp choose a mechanism. `password` is an
///   inline secret; `passwordeval` runs a command; otherwise the key ring, `~/.netrc` or a prompt.
/// - A value msmtp rejects (an MA000: `tls on # x`, `port abc`) leaves its field unknown, never msmtp's default.
struct MsmtpFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "msmtp",
        what: "msmtp 1.8",
        names: [".msmtprc", "msmtprc", "config/msmtp/config"],
        program: .fixed("msmtp 1.8"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if name == ".msmtprc" || name == "msmtprc" { return true }
        if path.hasSuffix("msmtp/config") { return true }
        // Example and variant files: msmtprc-user.example, .msmtprc.work, work.msmtprc (not encrypted copies).
        let encrypted = [".gpg", ".asc", ".age", ".enc", ".pgp"].contains { name.hasSuffix($0) }
        if encrypted { return false }
        return name.hasPrefix("msmtprc.") || name.hasPrefix("msmtprc-") || name.hasPrefix(".msmtprc.") || name.hasSuffix(".msmtprc")
    }

    /// An `account` line next to msmtp's own commands, and nothing of mutt, fetchmail or isync.
    func matches(content: SourceFile) -> Bool {
        var account = false, msmtpCommand = false
        for line in content.lines.prefix(3000) {
            let t = line.drop { $0 == " " || $0 == "\t" }
            guard let first = t.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { continue }
            if first.hasPrefix("#") { continue }
            switch first {
            case "account", "defaults": account = true
            case "tls", "tls_starttls", "tls_trust_file", "passwordeval", "auth", "tls_certcheck", "logfile", "from": msmtpCommand = true
            case "set", "poll", "skip", "IMAPAccount", "IMAPStore", "Channel", "source", "[general]": return false
            default: continue
            }
        }
        return account && msmtpCommand
    }

    /// The lowest TLS version a `tls_priorities` string allows, when it says so.
    static func minimumTLSVersion(priorities: String) -> TLSVersion? { MsmtpMapper.minimumVersion(priorities: priorities) }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = MsmtpMapper(file: file, ports: context.ports)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

struct MsmtpMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    /// One command's value in an account; `value == nil` means an `eval` line may have set it (unknowable).
    struct Setting {
        var value: String?
        var span: SourceSpan
        /// Settings of the same command that this one overrode (a `defaults` block, an inherited account).
        var overridden: [SourceSpan] = []
        /// Written in `defaults` or in an account this one copies, not in the account's own block.
        var inherited = false
    }

    struct Account {
        var name: String
        var location: SourceSpan
        var settings: [String: Setting] = [:]
        /// What the account set itself or took from the accounts it names (what `account X : this` copies).
        var own: Set<String> = []
    }

    static let onOffCommands: Set<String> = ["tls", "tls_starttls", "tls_certcheck"]
    static let authValues = ["on", "off", "plain", "scram-sha-1", "scram-sha-256", "external", "gssapi", "cram-md5",
                             "digest-md5", "login", "ntlm", "oauthbearer", "xoauth2"]
    /// Every command msmtp 1.8 knows (plus `from_full_name` of 1.8.25 and the deprecated spellings it still accepts).
    static let knownCommands: Set<String> = [
        "account", "defaults", "host", "port", "timeout", "connect_timeout", "source_ip", "proxy_host", "proxy_port",
        "socket", "protocol", "domain", "auth", "user", "password", "passwordeval", "ntlmdomain", "tls", "tls_trust_file",
        "tls_crl_file", "tls_fingerprint", "tls_key_file", "tls_cert_file", "tls_certcheck", "tls_nocertcheck",
        "tls_starttls", "tls_nostarttls", "tls_force_sslv3", "tls_min_dh_prime_bits", "tls_priorities",
        "tls_host_override", "from", "from_full_name", "allow_from_override", "dsn_notify", "dsn_return",
        "set_from_header", "set_date_header", "set_msgid_header", "remove_bcc_headers", "undisclosed_recipients",
        "logfile", "logfile_time_format", "syslog", "aliases", "auto_from", "maildomain", "add_missing_from_header",
        "add_missing_date_header", "keepbcc", "eval",
    ]
    /// Commands an `eval` line can set that decide the model.
    static let modelCommands: Set<String> = ["host", "port", "protocol", "auth", "password", "passwordeval", "tls",
                                             "tls_starttls", "tls_certcheck", "tls_fingerprint", "tls_priorities",
                                             "tls_nocertcheck", "tls_nostarttls"]

    let file: SourceFile
    let ports: PortTable
    var setup: MailSetup
    var defaults = Account(name: "defaults", location: SourceSpan(path: "", line: 1, column: 1))
    var accounts: [Account] = []
    /// The index of the last account of each name, so that lookups do not search `accounts`.
    var accountIndex: [String: Int] = [:]
    /// The connections already reported (an endpoint without its account name and location).
    var connections: Set<Endpoint> = []
    /// Where commands go: nowhere yet, the defaults block, or an account (an index into `accounts`).
    enum Target { case start, defaults, account(Int) }
    var current = Target.start

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: MsmtpFormat.description.id)
    }

    mutating func read() {
        for item in KeywordLines.lex(file) {
            guard case .line(let line) = item else { continue }
            command(line)
        }
        for account in accounts { endpoint(for: account) }
    }

    mutating func command(_ line: KeywordLine) {
        let name = line.keyword
        guard Self.knownCommands.contains(name) else {
            let lower = name.lowercased()
            let hint = Self.knownCommands.contains(lower) ? " — commands are case-sensitive: write '\(lower)'" : Suggestion.phrase(for: name, in: Array(Self.knownCommands).sorted())
            diagnostics.report("unknown command '\(name)': msmtp refuses the file\(hint)", at: line.keywordSpan)
            return
        }
        if name == "defaults" { current = .defaults; return }
        if name == "account" { startAccount(line); return }
        if case .start = current {
            // Commands before any `account` or `defaults` make up the account `default` (msmtp 1.2 compatibility).
            accounts.append(Account(name: "default", location: line.span))
            accountIndex["default"] = accounts.count - 1
            current = .account(accounts.count - 1)
        }
        let (value, span, quoteProblem) = KeywordLines.wholeArgument(line, path: file.path)
        if let quoteProblem { diagnostics.report(quoteProblem) }
        if name == "password", !value.isEmpty { setup.secrets.append(span) }

        switch name {
        case "eval":
            evalLine(line, span: span)
            return
        case "tls_nocertcheck":
            store("tls_certcheck", Setting(value: "off", span: line.keywordSpan))
            return
        case "tls_nostarttls":
            store("tls_starttls", Setting(value: "off", span: line.keywordSpan))
            return
        default: break
        }
        var stored = value
        if Self.onOffCommands.contains(name) {
            if value.isEmpty { stored = "on" }
            guard stored == "on" || stored == "off" else {
                let trailing = value.contains("#") ? " (msmtp has no comments after a value: a `#` is a comment only at the start of a line)" : ""
                diagnostics.report("invalid argument '\(value)' for command \(name): msmtp accepts on or off\(trailing)", at: span)
                rejected(name, span)
                return
            }
        }
        switch name {
        case "host":
            if value.isEmpty { diagnostics.report("command host needs an argument", at: line.keywordSpan); return }
        case "port":
            if !value.isEmpty {
                guard let port = Int(value), (1...65535).contains(port) else {
                    diagnostics.report("invalid argument '\(value)' for command port: a port is a number from 1 to 65535", at: span)
                    rejected(name, span)
                    return
                }
            }
        case "tls_fingerprint":
            // SHA256, SHA1 or MD5: 32, 20 or 16 hex bytes separated by colons.
            let bytes = value.split(separator: ":", omittingEmptySubsequences: false)
            let wellFormed = [16, 20, 32].contains(bytes.count) && bytes.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
            guard value.isEmpty || wellFormed else {
                diagnostics.report("invalid argument '\(value)' for command tls_fingerprint: msmtp expects a SHA256 (or SHA1, MD5) fingerprint written as 01:23:45:…", at: span)
                rejected(name, span)
                return
            }
        case "protocol":
            guard value == "smtp" || value == "lmtp" || value.isEmpty else {
                diagnostics.report("invalid argument '\(value)' for command protocol: msmtp speaks smtp or lmtp\(value.lowercased() == "smtp" || value.lowercased() == "lmtp" ? " (lower case)" : "")", at: span)
                rejected(name, span)
                return
            }
        case "auth":
            guard value.isEmpty || Self.authValues.contains(value) else {
                let hint = Self.authValues.contains(value.lowercased()) ? " — methods are written in lower case: '\(value.lowercased())'" : Suggestion.phrase(for: value, in: Self.authValues)
                diagnostics.report("invalid argument '\(value)' for command auth: on, off or a method (\(Self.authValues.dropFirst(2).joined(separator: ", ")))\(hint)", at: span)
                rejected(name, span)
                return
            }
            if value.isEmpty { stored = "on" }
        default: break
        }
        store(name, Setting(value: stored, span: value.isEmpty ? line.keywordSpan : span))
    }

    /// msmtp refuses a value it cannot read (MA000); what the author meant is unknown, so the
    /// setting counts as unknowable, like one an `eval` line sets — never as msmtp's default.
    mutating func rejected(_ name: String, _ span: SourceSpan) {
        store(name, Setting(value: nil, span: span))
    }

    mutating func startAccount(_ line: KeywordLine) {
        let (text, _, _) = KeywordLines.wholeArgument(line, path: file.path)
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0].trimmingCharacters(in: [" ", "\t"])
        if name.isEmpty {
            diagnostics.report("command account needs a name", at: line.keywordSpan)
            return
        }
        if name.contains(",") {
            diagnostics.report("an account name must not contain ',' ('\(name)')", at: line.restSpan)
        }
        if accountIndex[name] != nil {
            diagnostics.report("account \(name) was already defined: msmtp refuses the file", at: line.restSpan)
        }
        var account = Account(name: name, location: line.span)
        account.settings = defaults.settings.mapValues { setting in
            var setting = setting
            setting.inherited = true
            return setting
        }
        if parts.count > 1 {
            for parent in parts[1].split(separator: ",").map({ $0.trimmingCharacters(in: [" ", "\t"]) }) where !parent.isEmpty {
                guard let source = accountIndex[parent].map({ accounts[$0] }) else {
                    diagnostics.report("account \(parent) not (yet) defined: `account \(name) : \(parent)` can only copy an account defined above it\(Suggestion.phrase(for: parent, in: accounts.map(\.name)))", at: line.restSpan)
                    continue
                }
                for key in source.own {
                    guard var setting = source.settings[key] else { continue }
                    if let previous = account.settings[key], previous.span != setting.span, !setting.overridden.contains(previous.span) {
                        setting.overridden.append(previous.span)
                    }
                    setting.inherited = true
                    account.settings[key] = setting
                    account.own.insert(key)
                }
            }
        }
        accounts.append(account)
        accountIndex[name] = accounts.count - 1
        current = .account(accounts.count - 1)
    }

    mutating func store(_ key: String, _ setting: Setting) {
        var setting = setting
        // Only the last few overridden settings are kept: a command repeated 100,000 times stays cheap.
        func overriding(_ previous: Setting?) {
            guard let previous else { return }
            setting.overridden = Array((previous.overridden + [previous.span]).suffix(Endpoint.relatedLimit))
        }
        switch current {
        case .start, .defaults:
            overriding(defaults.settings[key])
            defaults.settings[key] = setting
        case .account(let index):
            overriding(accounts[index].settings[key])
            accounts[index].settings[key] = setting
            accounts[index].own.insert(key)
        }
    }

    /// `eval CMD` replaces itself with CMD's output when msmtp starts. We never run it: commands it
    /// names become unknowable (`password` and `passwordeval` mean the password comes from a command).
    mutating func evalLine(_ line: KeywordLine, span: SourceSpan) {
        let words = Set(line.rest.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init))
        for command in Self.modelCommands where words.contains(command) {
            switch command {
            case "password", "passwordeval": store("passwordeval", Setting(value: "eval", span: span))
            case "tls_nocertcheck": store("tls_certcheck", Setting(value: nil, span: span))
            case "tls_nostarttls": store("tls_starttls", Setting(value: nil, span: span))
            default: store(command, Setting(value: nil, span: span))
            }
        }
    }

    mutating func endpoint(for account: Account) {
        let s = account.settings
        var e = Endpoint(role: .client, location: account.location)
        e.account = account.name
        e.direction = .outgoing
        func decide<T>(_ keyPath: WritableKeyPath<Endpoint, T>, _ value: T, _ field: Endpoint.Field, _ setting: Setting?) {
            e.set(keyPath, value, field: field, span: setting?.span)
            for span in setting?.overridden ?? [] { e.addRelated(span, for: field) }
            if setting?.inherited == true { e.inherited.insert(field) } else { e.inherited.remove(field) }
        }

        let proto = s["protocol"]
        if let proto, proto.value == nil {
            decide(\.protocol, nil, .protocol, proto)
        } else {
            decide(\.protocol, proto?.value == "lmtp" ? MailProtocol.lmtp : .smtp, .protocol, proto)
        }
        if let host = s["host"] { decide(\.host, host.value, .host, host) }

        // TLS mode: `tls` (default off) and `tls_starttls` (default on).
        let tlsSetting = s["tls"], starttlsSetting = s["tls_starttls"]
        let tlsOn: Bool? = tlsSetting.map { $0.value.map { $0 == "on" } } ?? false
        let starttlsOn: Bool? = starttlsSetting.map { $0.value.map { $0 == "on" } } ?? true
        switch (tlsOn, starttlsOn) {
        case (false, _):
            decide(\.tls, TLSMode.none, .tls, tlsSetting)
            decide(\.tlsRequired, false, .tlsRequired, tlsSetting)
        case (true, true):
            decide(\.tls, .starttls, .tls, tlsSetting)
            if let starttlsSetting { e.addRelated(starttlsSetting.span, for: .tls) }
            decide(\.tlsRequired, true, .tlsRequired, tlsSetting)
        case (true, false):
            decide(\.tls, .implicit, .tls, starttlsSetting)
            if let tlsSetting { e.addRelated(tlsSetting.span, for: .tls) }
            decide(\.tlsRequired, true, .tlsRequired, tlsSetting)
        case (true, nil):
            decide(\.tls, nil, .tls, starttlsSetting)
            decide(\.tlsRequired, true, .tlsRequired, tlsSetting)
        case (nil, _):
            decide(\.tls, nil, .tls, tlsSetting)
            decide(\.tlsRequired, nil, .tlsRequired, tlsSetting)
        }

        // Port: explicit, or 465 for implicit TLS and 25 otherwise (smtp); lmtp has none.
        if let port = s["port"], !(port.value?.isEmpty ?? false) {
            decide(\.port, port.value.flatMap { Int($0) }, .port, port)
        } else if e.protocol == .lmtp {
            diagnostics.report("account \(account.name) uses protocol lmtp without a port: msmtp has no default port for LMTP and stops with \"port not set\"", at: account.location)
        } else if let tls = e.tls {
            e.port = ports.port(service: tls == .implicit ? "submissions" : "smtp")
            e.portIsDefault = true
        }

        // Certificate checks: on by default; `tls_certcheck off` overrides a fingerprint.
        if e.tls != TLSMode.none {
            let certcheck = s["tls_certcheck"]
            if let certcheck, certcheck.value == nil {
                decide(\.verifyCertificate, nil, .verifyCertificate, certcheck)
            } else if certcheck?.value == "off" {
                decide(\.verifyCertificate, false, .verifyCertificate, certcheck)
            } else if let pin = s["tls_fingerprint"], pin.value?.isEmpty == false {
                decide(\.verifyCertificate, true, .verifyCertificate, pin)
            } else {
                decide(\.verifyCertificate, true, .verifyCertificate, certcheck)
            }
            if let priorities = s["tls_priorities"], let text = priorities.value, let version = Self.minimumVersion(priorities: text) {
                decide(\.minTLSVersion, version, .minTLSVersion, priorities)
            }
        }

        // Authentication and where the password comes from.
        let auth = s["auth"]
        let password = s["password"].flatMap { $0.value?.isEmpty == false || $0.value == nil ? $0 : nil }
        let passwordeval = s["passwordeval"].flatMap { $0.value?.isEmpty == false || $0.value == nil ? $0 : nil }
        switch auth?.value {
        case .none where auth != nil: decide(\.auth, nil, .auth, auth)
        case .none, "off": decide(\.auth, [], .auth, auth)
        case "on": decide(\.auth, ["password"], .auth, auth)
        case .some(let mechanism): decide(\.auth, [mechanism], .auth, auth)
        }
        if let password {
            decide(\.credential, password.value == nil ? nil : .inline, .credential, password)
        } else if let passwordeval {
            decide(\.credential, .command, .credential, passwordeval)
        } else if e.auth == [] {
            decide(\.credential, CredentialKind.none, .credential, auth)
        }
        // `account default : gmail` (or an account that only changes `from`) is the same connection,
        // decided by the same lines: it is reported once, under the first account's name.
        var connection = e
        connection.account = nil
        connection.inherited = []
        connection.location = SourceSpan(path: "", line: 1, column: 1)
        guard connections.insert(connection).inserted else { return }
        setup.endpoints.append(e)
    }

    /// The lowest TLS version a GnuTLS priority string (or a libtls `PROTOCOLS=` list) allows, when it
    /// says so: versions added with `+VERS-…`, or the library's range (TLS 1.0 to 1.3) minus the
    /// removed ones. Nil when the string leaves it to the library.
    static func minimumVersion(priorities text: String) -> TLSVersion? {
        let all: [TLSVersion] = [.ssl3, .tls10, .tls11, .tls12, .tls13]
        func version(_ token: Substring) -> TLSVersion? {
            let t = token.uppercased()
            switch t {
            case "SSL3.0": return .ssl3
            case "TLS1.0": return .tls10
            case "TLS1.1": return .tls11
            case "TLS1.2": return .tls12
            case "TLS1.3": return .tls13
            default: return nil
            }
        }
        let upper = text.uppercased()
        if let range = upper.range(of: "PROTOCOLS=") {
            // libtls: PROTOCOLS=TLSv1.2,TLSv1.3 (or secure/default/all/legacy).
            let list = upper[range.upperBound...].prefix { $0 != " " }
            let versions = list.split(separator: ",").compactMap { TLSVersion(loose: String($0)) }
            if list == "ALL" || list == "LEGACY" { return .tls10 }
            if list == "SECURE" || list == "DEFAULT" { return .tls12 }
            return versions.min()
        }
        var added: [TLSVersion] = []
        var removed = Set<TLSVersion>()
        var removedAll = false
        for item in upper.split(separator: ":") {
            guard item.hasPrefix("+VERS-") || item.hasPrefix("-VERS-") || item.hasPrefix("!VERS-") else { continue }
            let name = item.dropFirst(6)
            if name == "ALL" || name == "TLS-ALL" { if item.first != "+" { removedAll = true; removed = Set(all) }; continue }
            guard let v = version(name) else { continue }
            if item.first == "+" { added.append(v); removed.remove(v) } else { removed.insert(v); added.removeAll { $0 == v } }
        }
        if removedAll { return added.min() }
        if let lowestAdded = added.min(), lowestAdded < .tls12 { return lowestAdded }
        // Only removals: the library's default range without them, when the removals say where it starts.
        if removed.contains(.tls10), removed.contains(.tls11) {
            return all.filter { $0 >= .tls10 && !removed.contains($0) }.min()
        }
        return nil
    }
}
