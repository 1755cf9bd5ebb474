import MailAuditCore

/// isync / mbsync (`~/.mbsyncrc`, `mbsyncrc`, `$XDG_CONFIG_HOME/isyncrc`), as mbsync 1.4 reads it
/// (mbsync(1) 1.4.4; keywords checked with `mbsync -c FILE -l`, ORACLES.md §5):
///
/// - `Keyword args…` lines, keywords case-insensitive, `#` comment lines; arguments split at blanks,
///   `"` quoting and `\` escapes anywhere (shared lexer `KeywordLines`); a section (`IMAPAccount`,
///   `IMAPStore`, `MaildirStore`, `Channel`, `Group`) ends at a blank line;
/// - an `IMAPAccount` is a server; an `IMAPStore` names one with `Account` or holds the account
///   keywords itself (then it is the server);
/// - TLS: `SSLType` (1.5: `TLSType`) `None`/`STARTTLS`/`IMAPS`, default **STARTTLS, mandatory**
///   (`None` with a `Tunnel`); `Host imaps:name` still means IMAPS; the legacy `UseIMAPS yes` means
///   IMAPS, the `UseTLSv1*` switches pick the versions (TLS 1.0 unless switched off) and `RequireSSL no`
///   only matters when none is left (then no TLS); mixing them with `SSLType`/`SSLVersions` is an error.
///   Port: `Port`, else 993 for IMAPS and 143 otherwise;
/// - `SSLVersions` (also `SSLVersion`; 1.5 `TLSVersions`) lists the allowed versions; unset, the TLS
///   library decides (nil). `CertificateFile` adds trusted certificates (still verified);
///   `SystemCertificates no` with no `CertificateFile` leaves nothing to verify against;
/// - `Pass` is an inline password, `PassCmd` a command, `UseKeychain yes` the macOS keychain; otherwise
///   mbsync prompts. `AuthMechs` lists mechanisms (`*`, the default: any mechanism secure enough).
/// - Nothing is inherited: connection settings are written only in an `IMAPAccount` or `IMAPStore`
///   (mbsync refuses them outside a section; global options are Channel and Store behaviour), and
///   stores that name one `Account` share one endpoint rather than copies of it.
struct MbsyncFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "mbsync",
        what: "isync / mbsync 1.4",
        names: [".mbsyncrc", "mbsyncrc", "isyncrc"],
        program: .fixed("mbsync 1.4"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if [".mbsyncrc", "mbsyncrc", "isyncrc", ".isyncrc"].contains(name) { return true }
        if name.hasPrefix("mbsyncrc.") || name.hasPrefix(".mbsyncrc.") || name.hasSuffix(".mbsyncrc") { return true }
        return path.hasSuffix("isync/config") || path.hasSuffix("mbsync/config")
    }

    func matches(content: SourceFile) -> Bool {
        for line in content.lines.prefix(3000) {
            let t = line.drop { $0 == " " || $0 == "\t" }.lowercased()
            if t.hasPrefix("imapaccount ") || t.hasPrefix("imapstore ") || t.hasPrefix("maildirstore ") { return true }
        }
        return false
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = MbsyncMapper(file: file, ports: context.ports)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

struct MbsyncMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    struct Setting {
        var words: [KeywordToken]
        var keyword: KeywordLine
        var value: String { words.first?.text ?? "" }
        var span: SourceSpan { words.first?.span ?? keyword.keywordSpan }
        var lineSpan: SourceSpan { keyword.span }
    }

    struct Section {
        var kind: String
        var name: String
        var header: KeywordLine
        /// Settings by lower-cased keyword (the last one written wins).
        var settings: [String: Setting] = [:]
        var order: [String] = []
    }

    /// Keywords mbsync 1.4.4 accepts in IMAPAccount sections (and the isync 1.5 spellings).
    static let accountKeywords: Set<String> = [
        "authmech", "authmechs", "certificatefile", "cipherstring", "clientcertificate", "clientkey", "disableextension",
        "disableextensions", "host", "pass", "passcmd", "pipelinedepth", "port", "requirecram", "requiressl", "ssltype",
        "sslversion", "sslversions", "systemcertificates", "timeout", "tunnel", "useimaps", "usesslv2", "usesslv3",
        "usetlsv1", "usetlsv1.1", "usetlsv1.2", "usetlsv1.3", "user", "usercmd", "usekeychain", "tlstype", "tlsversions",
        "ipv4", "ipv6", "proxy",
    ]
    static let storeKeywords: Set<String> = accountKeywords.union([
        "account", "flatten", "mapinbox", "maxsize", "path", "pathdelimiter", "subscribedonly", "trash", "trashnewonly",
        "trashremotenew", "usenamespace", "infodelimiter",
    ])
    static let legacyTLS: Set<String> = ["requiressl", "useimaps", "usesslv2", "usesslv3", "usetlsv1", "usetlsv1.1", "usetlsv1.2", "usetlsv1.3"]
    static let sectionKinds: [String: String] = ["imapaccount": "IMAPAccount", "imapstore": "IMAPStore", "maildirstore": "MaildirStore",
                                                 "channel": "Channel", "group": "Group", "tunnelaccount": "TunnelAccount"]

    let file: SourceFile
    let ports: PortTable
    var setup: MailSetup
    var sections: [Section] = []

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: MbsyncFormat.description.id)
    }

    mutating func read() {
        var current: Section?
        var lastClosed: Section?
        func close() {
            if let c = current { sections.append(c); lastClosed = c }
            current = nil
        }
        for item in KeywordLines.lex(file) {
            guard case .line(let line) = item else { close(); continue }
            let keyword = line.keyword.lowercased()
            let (words, wordProblem) = KeywordLines.words(line, path: file.path)
            if let wordProblem { diagnostics.report(wordProblem) }
            // A password is masked wherever it is written, also where mbsync would not use it.
            if keyword == "pass", !line.rest.isEmpty { setup.secrets.append(line.restSpan) }
            let member = current?.kind == "Group" && (keyword == "channel" || keyword == "channels")
            if let kind = Self.sectionKinds[keyword], !member {
                if let c = current {
                    diagnostics.report("keyword '\(line.keyword)' is not recognized in \(c.kind) sections: a new section starts after a blank line", at: line.keywordSpan)
                    continue
                }
                guard let name = words.first, !name.text.isEmpty else {
                    diagnostics.report("\(kind) needs a name", at: line.keywordSpan)
                    continue
                }
                current = Section(kind: kind, name: name.text, header: line)
                continue
            }
            guard var c = current else {
                // Global options (Expunge, Create, …) are fine; a server keyword here lost its section.
                if Self.storeKeywords.contains(keyword) {
                    let why = lastClosed.map { " (the blank line before it ended \($0.kind) '\($0.name)')" } ?? ""
                    diagnostics.report("'\(line.keyword)' is not a recognized section-starting or global keyword\(why): mbsync refuses the file", at: line.keywordSpan)
                }
                continue
            }
            if c.kind == "IMAPAccount" || c.kind == "IMAPStore" {
                let allowed = c.kind == "IMAPAccount" ? Self.accountKeywords : Self.storeKeywords
                guard allowed.contains(keyword) else {
                    diagnostics.report("keyword '\(line.keyword)' is not recognized in \(c.kind) sections\(Suggestion.phrase(for: line.keyword, in: Self.displayNames(allowed)))", at: line.keywordSpan)
                    current = c
                    continue
                }
                if words.isEmpty, !["usekeychain"].contains(keyword) {
                    diagnostics.report("\(line.keyword) needs a value", at: line.keywordSpan)
                    current = c
                    continue
                }
            }
            c.settings[keyword] = Setting(words: words, keyword: line)
            c.order.append(keyword)
            current = c
        }
        close()
        model()
    }

    static func displayNames(_ keys: Set<String>) -> [String] {
        let names = ["AuthMechs", "CertificateFile", "CipherString", "ClientCertificate", "ClientKey", "Host", "Pass", "PassCmd",
                     "PipelineDepth", "Port", "SSLType", "SSLVersions", "SystemCertificates", "Timeout", "Tunnel", "User", "UserCmd",
                     "UseKeychain", "TLSType", "TLSVersions", "Account", "Path", "MaxSize", "MapInbox", "Trash", "UseNamespace",
                     "PathDelimiter", "Flatten", "SubscribedOnly"]
        return names.filter { keys.contains($0.lowercased()) }
    }

    mutating func model() {
        var accounts: [String: Section] = [:]
        for s in sections where s.kind == "IMAPAccount" {
            if accounts[s.name] != nil { diagnostics.report("IMAP account '\(s.name)' is defined twice", at: s.header.restSpan) }
            accounts[s.name] = s
            endpoint(for: s)
        }
        for s in sections where s.kind == "IMAPStore" {
            if let ref = s.settings["account"] {
                if accounts[ref.value] == nil {
                    diagnostics.report("unknown IMAP account '\(ref.value)'\(Suggestion.phrase(for: ref.value, in: Array(accounts.keys)))", at: ref.span)
                }
                if let extra = s.order.first(where: { Self.accountKeywords.contains($0) }) {
                    diagnostics.report("IMAP store '\(s.name)' has both Account and account-specific options (\(s.settings[extra]!.keyword.keyword)): mbsync refuses the file", at: s.settings[extra]!.keyword.keywordSpan)
                }
            } else {
                endpoint(for: s)
            }
        }
    }

    /// The deprecated keywords as isync 1.4 maps them (checked against mbsync 1.4.4 and a fake server):
    /// the versions are TLS 1.0 unless `UseTLSv1 no`, plus 1.1/1.2/1.3 only where `UseTLSv1.x yes`
    /// (`UseSSLv3` is no longer supported); with no version left, `RequireSSL no` means no TLS at all
    /// and anything else is an error; otherwise `UseIMAPS yes` means IMAPS and the rest STARTTLS, and
    /// `RequireSSL no` is ignored. OpenSSL stops at the first gap, so the lowest version is what counts.
    mutating func legacyTLS(_ s: [String: Setting], section: Section, span: SourceSpan) -> (tls: TLSMode?, minimum: TLSVersion?, span: SourceSpan) {
        var versions: [(TLSVersion, Setting?)] = []
        if s["usetlsv1"].flatMap({ bool($0) }) != false { versions.append((.tls10, s["usetlsv1"])) }
        for (key, version) in [("usetlsv1.1", TLSVersion.tls11), ("usetlsv1.2", .tls12), ("usetlsv1.3", .tls13)] where s[key].flatMap({ bool($0) }) == true {
            versions.append((version, s[key]))
        }
        let requireSSL = s["requiressl"].flatMap { bool($0) }
        guard let lowest = versions.first else {
            if requireSSL == false { return (TLSMode.none, nil, s["requiressl"]!.span) }
            diagnostics.report("\(section.kind) '\(section.name)' requires SSL but no SSL versions enabled (UseTLSv1 no without any UseTLSv1.x yes): mbsync refuses the file", at: s["usetlsv1"]?.keyword.keywordSpan ?? span)
            return (nil, nil, span)
        }
        let imaps = s["useimaps"].flatMap { bool($0) } == true
        let decidedBy = imaps ? s["useimaps"]!.span : span
        return (imaps ? .implicit : .starttls, lowest.0, lowest.1?.span ?? decidedBy)
    }

    func bool(_ s: Setting) -> Bool? {
        switch s.value.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: return nil
        }
    }

    mutating func endpoint(for section: Section) {
        let s = section.settings
        var e = Endpoint(role: .client, location: section.header.span)
        e.account = section.name
        e.direction = .incoming
        e.set(\.protocol, .imap, field: .protocol, span: nil)
        let tunnel = s["tunnel"]
        if s["host"] == nil && tunnel == nil {
            diagnostics.report("\(section.kind) '\(section.name)' has neither Tunnel nor Host", at: section.header.span)
        }
        // Host, with the deprecated `imaps:` / `imap:` / `imaps://` prefixes.
        var urlImplicit: Setting?
        if let host = s["host"] {
            var name = host.value
            var offset = 0
            for prefix in ["imaps://", "imap://", "imaps:", "imap:"] where name.lowercased().hasPrefix(prefix) {
                if prefix.hasPrefix("imaps") { urlImplicit = host }
                name = String(name.dropFirst(prefix.count))
                offset = prefix.count
                break
            }
            if name.hasSuffix("/") { name.removeLast() }
            let span = SourceSpan.at(file.path, line: host.span.line, column: host.span.column + (host.words.first?.quoted == true ? 0 : offset), length: name.unicodeScalars.count)
            e.set(\.host, name, field: .host, span: span)
        }

        // TLS mode: SSLType/TLSType, else the legacy keywords, else STARTTLS (None with a tunnel).
        let sslType = s["tlstype"] ?? s["ssltype"]
        let versionsSetting = s["tlsversions"] ?? s["sslversions"] ?? s["sslversion"]
        let legacyKeys = section.order.filter { Self.legacyTLS.contains($0) }
        var legacy: (tls: TLSMode?, minimum: TLSVersion?, span: SourceSpan)?
        if let first = legacyKeys.first {
            if let modern = sslType ?? versionsSetting {
                diagnostics.report("\(section.kind) '\(section.name)': the deprecated UseSSL*, UseTLS*, UseIMAPS and RequireSSL options are mutually exclusive with SSLType and SSLVersions (\(s[first]!.keyword.keyword) here, \(modern.keyword.keyword) on line \(modern.keyword.line))", at: s[first]!.keyword.keywordSpan)
            } else {
                legacy = legacyTLS(s, section: section, span: s[first]!.span)
            }
        }
        if let tunnel {
            // A command replaces the connection: whether it is encrypted is the command's business.
            e.set(\.tls, nil, field: .tls, span: tunnel.span)
            e.set(\.tlsRequired, nil, field: .tlsRequired, span: tunnel.span)
            if let sslType, sslType.value.lowercased() != "none" {
                e.set(\.tls, sslType.value.lowercased() == "imaps" ? .implicit : .starttls, field: .tls, span: sslType.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: sslType.span)
            }
        } else if let sslType {
            switch sslType.value.lowercased() {
            case "none":
                e.set(\.tls, TLSMode.none, field: .tls, span: sslType.span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: sslType.span)
            case "starttls":
                e.set(\.tls, .starttls, field: .tls, span: sslType.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: sslType.span)
            case "imaps":
                e.set(\.tls, .implicit, field: .tls, span: sslType.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: sslType.span)
            default:
                diagnostics.report("Invalid \(sslType.keyword.keyword) '\(sslType.value)': None, STARTTLS or IMAPS\(Suggestion.phrase(for: sslType.value, in: ["None", "STARTTLS", "IMAPS"]))", at: sslType.span)
            }
            if let urlImplicit, e.tls != .implicit { e.addRelated(urlImplicit.span, for: .tls) }
        } else if let legacy {
            e.set(\.tls, urlImplicit != nil && legacy.tls != nil ? .implicit : legacy.tls, field: .tls, span: legacy.span)
            e.set(\.tlsRequired, legacy.tls.map { $0 != .none }, field: .tlsRequired, span: legacy.span)
        } else if let urlImplicit {
            e.set(\.tls, .implicit, field: .tls, span: urlImplicit.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: urlImplicit.span)
        } else {
            // Default STARTTLS, mandatory since isync 1.2.
            e.set(\.tls, .starttls, field: .tls, span: nil)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: nil)
        }

        // Port.
        if let port = s["port"] {
            if let n = Int(port.value), (1...65535).contains(n) {
                e.set(\.port, n, field: .port, span: port.span)
            } else {
                diagnostics.report("Port must be a number from 1 to 65535, found '\(port.value)'", at: port.span)
            }
        } else if tunnel == nil, let tls = e.tls {
            e.port = ports.port(service: tls == .implicit ? "imaps" : "imap")
            e.portIsDefault = true
        }

        if let tls = e.tls, tls != .none {
            // Certificates: the system store (default) and CertificateFile; both off leaves nothing to trust.
            let system = s["systemcertificates"]
            if let system, bool(system) == false, s["certificatefile"] == nil {
                e.set(\.verifyCertificate, nil, field: .verifyCertificate, span: system.span)
            } else {
                e.set(\.verifyCertificate, true, field: .verifyCertificate, span: s["certificatefile"]?.span ?? system?.span)
            }
            // Versions: SSLVersions lists them; TLSVersions (1.5) may use +/- modifiers.
            if let versions = versionsSetting {
                var listed: [TLSVersion] = []
                var modifiers = false
                for word in versions.words {
                    var text = word.text
                    if text.hasPrefix("+") || text.hasPrefix("-") {
                        modifiers = true
                        if text.hasPrefix("-") { continue }
                        text.removeFirst()
                    }
                    if let v = TLSVersion(loose: text) { listed.append(v) } else {
                        diagnostics.report("unrecognized \(versions.keyword.keyword) version '\(word.text)'", at: word.span)
                    }
                }
                if let lowest = listed.min(), !modifiers || lowest < .tls12 {
                    e.set(\.minTLSVersion, lowest, field: .minTLSVersion, span: versions.span)
                }
            } else if let legacy, let minimum = legacy.minimum {
                e.set(\.minTLSVersion, minimum, field: .minTLSVersion, span: legacy.span)
            }
        }

        // Authentication and the password.
        if let mechs = s["authmechs"] ?? s["authmech"] {
            let list = mechs.words.map { $0.text.lowercased() }
            e.set(\.auth, list.contains("*") ? ["password"] : list, field: .auth, span: mechs.span)
        } else if let cram = s["requirecram"], bool(cram) == true {
            e.set(\.auth, ["cram-md5"], field: .auth, span: cram.span)
        } else {
            e.set(\.auth, ["password"], field: .auth, span: nil)
        }
        if let pass = s["pass"] {
            e.set(\.credential, .inline, field: .credential, span: pass.span)
        } else if let cmd = s["passcmd"] {
            e.set(\.credential, .command, field: .credential, span: cmd.span)
        } else if let keychain = s["usekeychain"], keychain.words.isEmpty || bool(keychain) == true {
            e.set(\.credential, .keyring, field: .credential, span: keychain.span)
        }
        setup.endpoints.append(e)
    }
}
