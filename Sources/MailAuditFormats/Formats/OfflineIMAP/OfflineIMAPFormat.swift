import Foundation
import MailAuditCore

/// OfflineIMAP (offlineimap3) `.offlineimaprc`: Python configparser with `%(name)s` interpolation.
/// One endpoint per IMAP or Gmail repository of an `[Account NAME]` — the remote one, and the local one
/// too when it is `type = IMAP` (IMAP-to-IMAP sync): both connect out with their own settings — with
/// the defaults of offlineimap3 (Debian 0.0~git20211018, `repository/IMAP.py`, `imapserver.py`):
///
/// - `ssl` defaults to yes (implicit TLS); port 993 with ssl, else 143; a Gmail repository defaults
///   to host imap.gmail.com and port 993 whatever `ssl` says.
/// - With `ssl = no`, `starttls` (default yes) upgrades only when the server advertises STARTTLS, so
///   it is opportunistic (`tlsRequired: false`); `starttls()` is called without CA certificates, so the
///   certificate is not checked (`verifyCertificate: false`).
/// - With ssl, the connection is refused unless `sslcacertfile` or `cert_fingerprint` is set, so the
///   certificate is always verified (or pinned).
/// - `ssl_version` (implicit TLS only) pins the protocol: `tls1` is TLS 1.0 exactly, `ssl3` SSLv3;
///   `tls_level` other than `tls_compat` requires `ssl_version`.
/// - Password: `remotepasseval` (command) → `remotepass` (inline) → `remotepassfile` (file) → netrc or a
///   prompt (unknown to us). An empty `remotepass =` writes no password.
/// - A value offlineimap rejects (`ssl = maybe`: configparser raises) leaves its field unknown.
/// - `preauthtunnel` / `transporttunnel` run a command instead of connecting: no network endpoint.
/// - A key in `[DEFAULT]` is read by every repository that does not set it: the fields it decides
///   are inherited, so a finding about them is reported once, at that key.
struct OfflineIMAPFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "offlineimap",
        what: "OfflineIMAP (offlineimap3 0.0~git20211018, Debian's)",
        names: [".offlineimaprc", "offlineimap.conf"],
        commentMarkers: ["#", ";"],
        program: .fixed("offlineimap3 0.0~git20211018"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if name.hasPrefix(".offlineimaprc") || name.hasPrefix("offlineimaprc") || name.hasPrefix("offlineimap.conf") || name.hasSuffix(".offlineimaprc") { return true }
        return name == "config" && path.hasSuffix("offlineimap/config")
    }

    func matches(content: SourceFile) -> Bool {
        var repository = false, account = false
        for line in content.lines.prefix(2000) {
            if line.hasPrefix("[Repository ") { repository = true }
            if line.hasPrefix("[Account ") { account = true }
            if repository && account { return true }
        }
        return false
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = OfflineIMAPMapper(file: file, ports: context.ports)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

struct OfflineIMAPMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let ports: PortTable
    var setup: MailSetup
    var document = INIDocument()
    /// The document's sections by name, so that each account and repository is not a search of the file.
    var sectionsByName: [String: [INISection]] = [:]
    var defaults: INISection?
    /// The settings of `[DEFAULT]`: every repository reads them, so a field they decide is inherited.
    var defaultSpans: Set<SourceSpan> = []

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: OfflineIMAPFormat.description.id)
    }

    /// A section as configparser sees it: a name written twice is one section (after the error strict mode reports).
    func section(_ name: String) -> INISection? {
        let all = sectionsByName[name] ?? []
        guard var merged = all.first else { return nil }
        for other in all.dropFirst() { merged.entries += other.entries }
        return merged
    }

    /// A key of a section, or of `[DEFAULT]` (configparser's `has_option`).
    func entry(_ section: INISection, _ key: String) -> INIEntry? { section.last(key) ?? defaults?.last(key) }

    mutating func read() {
        document = INILexer.lex(file, dialect: .pythonConfigParser)
        for s in document.sections { sectionsByName[s.name, default: []].append(s) }
        diagnostics.report(contentsOf: document.diagnostics)
        defaults = section("DEFAULT")
        defaultSpans = Set(defaults?.entries.map(\.valueSpan) ?? [])

        var accountNames: [String] = []
        var listed: [String: SourceSpan] = [:]
        if let general = section("general"), let accounts = entry(general, "accounts") {
            let text = interpolate(accounts, in: general) ?? ""
            for name in text.split(separator: ",").map({ $0.iniTrimmed() }) where !name.isEmpty {
                accountNames.append(name)
                listed[name] = accounts.valueSpan
            }
        } else if !document.sections.isEmpty {
            let at = section("general")?.headerSpan
            diagnostics.report("offlineimap needs `accounts = NAME, …` in [general]: without it there is nothing to synchronize", at: at ?? .start(of: file.path))
        }
        // Accounts not listed in [general] can still be run with `offlineimap -a NAME`.
        var seen = Set(accountNames)
        for s in document.sections where s.name.hasPrefix("Account ") {
            let name = String(s.name.dropFirst("Account ".count))
            if seen.insert(name).inserted { accountNames.append(name) }
        }
        seen = []
        for name in accountNames where seen.insert(name).inserted {
            guard let account = section("Account " + name) else {
                diagnostics.report("account '\(name)' is listed in `accounts` but there is no [Account \(name)] section", at: listed[name] ?? .start(of: file.path))
                continue
            }
            readAccount(name, account)
        }
    }

    mutating func readAccount(_ name: String, _ account: INISection) {
        guard let remote = entry(account, "remoterepository") else {
            diagnostics.report("[Account \(name)] has no `remoterepository`, so offlineimap cannot run it", at: account.headerSpan)
            return
        }
        let repositoryName = (interpolate(remote, in: account) ?? "").iniTrimmed()
        guard let repository = section("Repository " + repositoryName) else {
            diagnostics.report("`remoterepository = \(repositoryName)` names no [Repository \(repositoryName)] section", at: remote.valueSpan)
            return
        }
        guard let typeEntry = entry(repository, "type") else {
            diagnostics.report("[Repository \(repositoryName)] has no `type` (IMAP or Gmail for a remote repository)", at: repository.headerSpan)
            return
        }
        let type = (interpolate(typeEntry, in: repository) ?? "").iniTrimmed()
        guard type == "IMAP" || type == "Gmail" else {
            diagnostics.report("remote repository type '\(type)' is not supported: offlineimap accepts IMAP or Gmail here (the names are case-sensitive)\(Suggestion.phrase(for: type, in: ["IMAP", "Gmail"]))", at: typeEntry.valueSpan)
            return
        }
        readIMAPRepository(account: name, repository, gmail: type == "Gmail", typeSpan: typeEntry.valueSpan)
        readLocalIMAPRepository(account: name, account)
    }

    /// The local side is usually a Maildir; `type = IMAP` there syncs two servers, and the local
    /// server is read with the same `remote*` settings as any IMAP repository.
    mutating func readLocalIMAPRepository(account name: String, _ account: INISection) {
        guard let local = entry(account, "localrepository"),
              let repository = section("Repository " + (interpolate(local, in: account) ?? "").iniTrimmed()),
              let typeEntry = entry(repository, "type") else { return }
        let type = (interpolate(typeEntry, in: repository) ?? "").iniTrimmed()
        guard type == "IMAP" || type == "Gmail" else { return }
        readIMAPRepository(account: name, repository, gmail: type == "Gmail", typeSpan: typeEntry.valueSpan)
    }

    mutating func readIMAPRepository(account: String, _ r: INISection, gmail: Bool, typeSpan: SourceSpan) {
        // Secrets are masked wherever they are written, whichever one offlineimap would use.
        for key in ["remotepass", "oauth2_refresh_token", "oauth2_access_token", "oauth2_client_secret"] {
            if let e = entry(r, key), e.value?.isEmpty == false { setup.secrets.append(e.valueSpan) }
        }
        // A tunnel runs a local command instead of connecting (Gmail ignores preauthtunnel).
        if (!gmail && entry(r, "preauthtunnel") != nil) || entry(r, "transporttunnel") != nil {
            return
        }
        var e = Endpoint(role: .client, location: r.headerSpan)
        e.account = account
        e.direction = .incoming
        e.set(\.protocol, .imap, field: .protocol, span: typeSpan)

        if let h = entry(r, "remotehosteval") {
            e.set(\.host, nil, field: .host, span: h.valueSpan)  // a Python expression: unknowable here
        } else if let h = entry(r, "remotehost") {
            e.set(\.host, interpolate(h, in: r)?.iniTrimmed(), field: .host, span: h.valueSpan)
        } else if gmail {
            e.host = "imap.gmail.com"
        } else {
            diagnostics.report("[\(r.name)] has no `remotehost` (or `remotehosteval`), so offlineimap stops with \"No remote host\"", at: r.headerSpan)
        }

        // A value configparser rejects is unknown (nil), never the default it would have replaced.
        let sslEntry = entry(r, "ssl")
        var ssl: Bool? = true
        if let s = sslEntry { ssl = boolean(s, in: r) }
        let starttlsEntry = entry(r, "starttls")
        var starttls: Bool? = true
        if let s = starttlsEntry { starttls = boolean(s, in: r) }

        // Authentication mechanisms, validated as offlineimap does (upper case names only).
        let supported = ["GSSAPI", "XOAUTH2", "CRAM-MD5", "PLAIN", "LOGIN"]
        var mechanisms = supported
        let mechEntry = entry(r, "auth_mechanisms")
        if let m = mechEntry {
            let text = interpolate(m, in: r) ?? ""
            let names = text.split(whereSeparator: { $0 == "," }).map { $0.iniTrimmed() }.filter { !$0.isEmpty }
            var valid: [String] = []
            for n in names {
                if supported.contains(n) { valid.append(n) } else {
                    diagnostics.report("unknown authentication mechanism '\(n)': offlineimap accepts \(supported.joined(separator: ", ")) (upper case)\(Suggestion.phrase(for: n.uppercased(), in: supported))", at: m.valueSpan)
                }
            }
            mechanisms = valid
        }

        if ssl == nil {
            e.set(\.tls, nil, field: .tls, span: sslEntry?.valueSpan)
        } else if ssl == true {
            e.set(\.tls, .implicit, field: .tls, span: sslEntry?.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: sslEntry?.valueSpan)
            // Without a CA file or a fingerprint the connection is refused, so the certificate is always checked.
            let verifySpan = entry(r, "sslcacertfile")?.valueSpan ?? entry(r, "cert_fingerprint")?.valueSpan
            e.set(\.verifyCertificate, true, field: .verifyCertificate, span: verifySpan)
            readTLSVersion(&e, r)
        } else if starttls == nil {
            e.set(\.tls, nil, field: .tls, span: starttlsEntry?.valueSpan)
        } else if starttls == true && mechanisms != ["GSSAPI"] {
            // STARTTLS only when the server advertises it: opportunistic, and without certificate checks.
            let decided = sslEntry?.valueSpan
            e.set(\.tls, .starttls, field: .tls, span: decided)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: starttlsEntry?.valueSpan ?? decided)
            e.set(\.verifyCertificate, false, field: .verifyCertificate, span: decided)
        } else {
            e.set(\.tls, TLSMode.none, field: .tls, span: starttls == true ? mechEntry?.valueSpan : starttlsEntry?.valueSpan)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: e.spans[.tls])
        }

        if let p = entry(r, "remoteporteval") {
            e.set(\.port, nil, field: .port, span: p.valueSpan)
        } else if let p = entry(r, "remoteport") {
            let text = (interpolate(p, in: r) ?? "").iniTrimmed()
            if let port = Int(text), (1...65535).contains(port) {
                e.set(\.port, port, field: .port, span: p.valueSpan)
            } else {
                diagnostics.report("remoteport must be a port number, found '\(text)'", at: p.valueSpan)
            }
        }
        if e.port == nil && entry(r, "remoteporteval") == nil && entry(r, "remoteport") == nil, gmail || ssl != nil {
            e.port = ports.port(service: (ssl == true || gmail) ? "imaps" : "imap")
            e.portIsDefault = true
        }

        if let c = entry(r, "remotepasseval") {
            e.set(\.credential, .command, field: .credential, span: c.valueSpan)
        } else if let c = entry(r, "remotepass"), c.value?.iniTrimmed().isEmpty == false {
            _ = interpolate(c, in: r)  // a lone `%` makes offlineimap fail: report it
            e.set(\.credential, .inline, field: .credential, span: c.valueSpan)
        } else if let c = entry(r, "remotepassfile") {
            e.set(\.credential, .file, field: .credential, span: c.valueSpan)
        } else if let c = entry(r, "oauth2_refresh_token") ?? entry(r, "oauth2_access_token") {
            e.set(\.credential, .inline, field: .credential, span: c.valueSpan)
        } else if let c = entry(r, "oauth2_refresh_token_eval") ?? entry(r, "oauth2_access_token_eval") {
            e.set(\.credential, .command, field: .credential, span: c.valueSpan)
        }
        e.set(\.auth, mechanisms.map { $0.lowercased() }, field: .auth, span: mechEntry?.valueSpan ?? e.spans[.credential])
        e.markInherited(from: defaultSpans)
        setup.endpoints.append(e)
    }

    /// `ssl_version` and `tls_level` for implicit TLS (imaplib2 `ssl_wrap_socket`).
    mutating func readTLSVersion(_ e: inout Endpoint, _ r: INISection) {
        let levelEntry = entry(r, "tls_level")
        var level = "tls_compat"
        if let l = levelEntry { level = interpolate(l, in: r)?.iniTrimmed() ?? level }
        let allowed: [String: [String]] = [
            "tls_secure": ["tls1_1", "tls1_2"],
            "tls_no_ssl": ["tls1_1", "tls1_2", "tls1"],
            "tls_compat": ["tls1_1", "tls1_2", "tls1", "ssl23", "ssl3"],
        ]
        guard let versions = allowed[level] else {
            diagnostics.report("unknown tls_level '\(level)': offlineimap knows tls_secure, tls_no_ssl and tls_compat\(Suggestion.phrase(for: level, in: Array(allowed.keys)))", at: levelEntry?.valueSpan ?? .start(of: file.path))
            return
        }
        guard let versionEntry = entry(r, "ssl_version") else {
            if level != "tls_compat" {
                diagnostics.report("tls_level '\(level)' needs `ssl_version` set explicitly (offlineimap stops otherwise)", at: levelEntry?.valueSpan ?? .start(of: file.path))
            }
            return
        }
        let version = (interpolate(versionEntry, in: r) ?? "").iniTrimmed()
        guard versions.contains(version) else {
            diagnostics.report("ssl_version '\(version)' is not allowed with tls_level \(level) (allowed: \(versions.joined(separator: ", ")))", at: versionEntry.valueSpan)
            return
        }
        let minimum: TLSVersion? = ["tls1": .tls10, "tls1_1": .tls11, "tls1_2": .tls12, "ssl3": .ssl3][version]
        e.set(\.minTLSVersion, minimum, field: .minTLSVersion, span: versionEntry.valueSpan)
    }

    /// configparser `getboolean`; nil (and MA000) when the value is not a boolean.
    mutating func boolean(_ entry: INIEntry, in section: INISection) -> Bool? {
        let text = (interpolate(entry, in: section) ?? "").lowercased()
        if ["1", "yes", "true", "on"].contains(text) { return true }
        if ["0", "no", "false", "off"].contains(text) { return false }
        diagnostics.report("'\(entry.value ?? "")' is not a boolean for `\(entry.key)`: configparser accepts yes/no, true/false, on/off, 1/0", at: entry.valueSpan)
        return nil
    }

    /// configparser BasicInterpolation: `%%` is `%`, `%(name)s` is another key of the section (or
    /// [DEFAULT]); anything else after `%` makes the program fail, reported here.
    mutating func interpolate(_ entry: INIEntry, in section: INISection, depth: Int = 0) -> String? {
        guard let value = entry.value else { return nil }
        guard value.contains("%") else { return value }
        if depth > 10 {
            diagnostics.report("interpolation of `\(entry.key)` nests more than 10 levels (configparser stops: InterpolationDepthError)", at: entry.valueSpan)
            return nil
        }
        var out = ""
        var rest = Substring(value)
        while let percent = rest.firstIndex(of: "%") {
            out += rest[..<percent]
            let after = rest[rest.index(after: percent)...]
            if after.hasPrefix("%") {
                out += "%"
                rest = after.dropFirst()
            } else if after.hasPrefix("("), let close = after.firstIndex(of: ")"), after[after.index(after: close)...].hasPrefix("s") {
                let name = String(after[after.index(after: after.startIndex)..<close]).lowercased()
                guard let target = section.last(name) ?? defaults?.last(name) else {
                    diagnostics.report("`\(entry.key)` refers to %(\(name))s, but there is no `\(name)` in [\(section.name)] or [DEFAULT] (configparser: InterpolationMissingOptionError)", at: entry.valueSpan)
                    return nil
                }
                guard let resolved = interpolate(target, in: section, depth: depth + 1) else { return nil }
                out += resolved
                rest = after[after.index(close, offsetBy: 2)...]
            } else {
                diagnostics.report("a lone '%' in `\(entry.key)`: configparser reads %(name)s as a reference, so a literal percent sign must be written %% (InterpolationSyntaxError)", at: entry.valueSpan)
                return nil
            }
        }
        return out + rest
    }
}
