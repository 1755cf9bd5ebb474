import Foundation
import MailAuditCore

/// git send-email settings in git config files (`.gitconfig`, `gitconfig`, `.git/config`,
/// `~/.config/git/config`): the `[sendemail]` section and identity sections `[sendemail "NAME"]`
/// (git 2.39 `git-send-email`):
///
/// - `smtpServer` that is an absolute path (`/usr/bin/msmtp`), or `sendmailCmd`, runs a local program:
///   git sends no SMTP itself and ignores `smtpEncryption`, so there is **no network endpoint** (the
///   program's own configuration, e.g. an msmtprc, is where the connection is decided). No
///   `smtpServer` at all means the local sendmail binary: no endpoint either.
/// - `smtpEncryption = ssl` is implicit TLS (default port 465), `tls` is STARTTLS and required (git
///   dies when the server does not offer it); anything else, or nothing, is plain SMTP on port 25.
/// - `smtpSslCertPath` set to the empty string disables certificate checks; otherwise they are on.
/// - Authentication happens only when `smtpUser` is set; `smtpAuth` lists the mechanisms (`none`
///   turns it off). `smtpPass` is a password in the file; otherwise git's credential helper (a
///   keyring, `store` = a plain file, `!cmd` = a command) or a prompt provides it.
/// - Identity sections override the plain section; `sendemail.identity` picks the default one.
/// - `[include] path = …` is followed (relative to the including file; `~/` and other absolute paths as the include policy says); a missing
///   include is ignored as git ignores it; an include loop is an error. `[includeIf …]` depends on the
///   repository git runs in and is not followed.
struct GitConfigFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "gitconfig",
        what: "git send-email's `[sendemail]` (git 2.39)",
        names: [".gitconfig", "gitconfig", ".git/config"],
        commentMarkers: ["#", ";"],
        program: .fixed("git send-email 2.39"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if name == ".gitconfig" || name == "gitconfig" || name.hasSuffix(".gitconfig") { return true }
        return name == "config" && (path.hasSuffix(".git/config") || path.hasSuffix("/git/config") || path == "git/config")
    }

    func matches(content: SourceFile) -> Bool {
        content.lines.prefix(5000).contains { line in
            let t = line.drop { $0 == " " || $0 == "\t" }.lowercased()
            return t.hasPrefix("[sendemail]") || t.hasPrefix("[sendemail \"")
        }
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = GitConfigMapper(file: file, context: context)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

struct GitConfigMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    struct Setting {
        var section: String
        var subsection: String?
        var entry: INIEntry
        var header: SourceSpan
    }

    let file: SourceFile
    let context: ParseContext
    var setup: MailSetup
    var settings: [Setting] = []
    /// The `credential.helper` settings, gathered once rather than searched for per endpoint.
    var credentialHelpers: [Setting] = []

    init(file: SourceFile, context: ParseContext) {
        self.file = file
        self.context = context
        self.setup = MailSetup(path: file.path, format: GitConfigFormat.description.id)
    }

    static let smtpKeys: Set<String> = ["smtpserver", "smtpserverport", "smtpencryption", "smtpsslcertpath", "smtpuser", "smtppass", "smtpauth", "sendmailcmd"]

    mutating func read() {
        collect(file, chain: [Self.canonical(file.path)], depth: 0)
        for s in settings {
            if s.section == "sendemail", s.entry.key == "smtppass", s.entry.value?.isEmpty == false { setup.secrets.append(s.entry.valueSpan) }
        }
        credentialHelpers = settings.filter { s in
            s.section == "credential" && s.entry.key == "helper" && !(s.entry.value ?? "").isEmpty
        }
        let base = settings.filter { $0.section == "sendemail" && $0.subsection == nil }
        let identityKey = base.last { $0.entry.key == "identity" && $0.entry.value != nil }
        // Each [sendemail "name"] section's settings, gathered in one pass (not one search per identity).
        var bySubsection: [String: [Setting]] = [:]
        var identities: [String] = []
        var isIdentity = Set<String>()
        for s in settings where s.section == "sendemail" {
            guard let sub = s.subsection else { continue }
            bySubsection[sub, default: []].append(s)
            if Self.smtpKeys.contains(s.entry.key), isIdentity.insert(sub).inserted { identities.append(sub) }
        }
        let chosen = identityKey?.entry.value
        if let chosen, let span = identityKey?.entry.valueSpan, bySubsection[chosen] == nil {
            diagnostics.report(ParseProblem("sendemail.identity is '\(chosen)' but there is no [sendemail \"\(chosen)\"] section, so the plain [sendemail] settings are used", path: file.path, span: span))
        }
        if let header = base.first?.header, !(chosen.map(identities.contains) ?? false) {
            endpoint(name: nil, location: header, values: base)
        }
        // `last` reads only the last valued entry of a key: a long [sendemail] is not copied into every identity.
        var seen = Set<String>()
        let latestBase = Array(base.reversed().filter { $0.entry.value != nil && seen.insert($0.entry.key).inserted }.reversed())
        for name in identities {
            let own = bySubsection[name]!
            endpoint(name: name, location: own[0].header, values: latestBase + own)
        }
    }

    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Lexes a file and records its settings in order, reading `[include] path` files where they appear.
    mutating func collect(_ source: SourceFile, chain: [String], depth: Int) {
        let document = INILexer.lex(source, dialect: .git)
        diagnostics.report(contentsOf: document.diagnostics)
        for section in document.sections {
            for entry in section.entries {
                settings.append(Setting(section: section.name, subsection: section.subsection, entry: entry, header: section.headerSpan))
                guard section.name == "include", section.subsection == nil, entry.key == "path", let value = entry.value, !value.isEmpty else { continue }
                include(value, from: source, span: entry.valueSpan, chain: chain, depth: depth)
            }
        }
    }

    mutating func include(_ value: String, from source: SourceFile, span: SourceSpan, chain: [String], depth: Int) {
        let located = context.includePolicy.locate(value, from: source.path)
        guard let path = located.path, located.reason == nil else {
            setup.unfollowedIncludes.append(UnfollowedInclude(path: value, resolved: located.path, reason: located.reason ?? .missing, span: span))
            return
        }
        guard !context.folders.isMissing(path) else { return }  // git ignores a missing include
        let key = Self.canonical(path)
        if chain.contains(key) {
            diagnostics.report("include loop: '\(value)' is already being read (\(chain.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")) → \((key as NSString).lastPathComponent)); git stops with \"exceeded maximum include depth\"", at: span)
            return
        }
        guard depth < 10 else {
            diagnostics.report("includes nest more than 10 levels deep; git stops with \"exceeded maximum include depth\"", at: span)
            return
        }
        do {
            switch try context.read(path, written: value, at: span) {
            case .file(let included):
                if !setup.includedFiles.contains(included.path) { setup.includedFiles.append(included.path) }
                collect(included, chain: chain + [key], depth: depth + 1)
            case .notFollowed, .limitReached: return
            }
        } catch {
            // At the `path =` line: that is where the setup says to read it.
            diagnostics.report("cannot include '\(value)': \(error.message)", at: span)
        }
    }

    func last(_ key: String, in values: [Setting]) -> INIEntry? {
        // Identity values come after the plain ones, so the last non-bare value wins as git send-email reads it.
        if let own = values.last(where: { $0.entry.key == key && $0.entry.value != nil && $0.subsection != nil }) { return own.entry }
        return values.last { $0.entry.key == key && $0.entry.value != nil }?.entry
    }

    mutating func endpoint(name: String?, location: SourceSpan, values: [Setting]) {
        // A local program instead of an SMTP server: no network endpoint (see the type's documentation).
        if last("sendmailcmd", in: values) != nil { return }
        guard let serverEntry = last("smtpserver", in: values) else { return }
        // A URL's user-info holds a password: the host is kept without it.
        let server = MailURL.withoutUserInfo((serverEntry.value ?? "").iniTrimmed())
        if server.hasPrefix("/") { return }

        var e = Endpoint(role: .client, location: location)
        e.account = name
        e.direction = .outgoing
        e.protocol = .smtp
        if server.isEmpty {
            diagnostics.report(ParseProblem("smtpServer is empty: git send-email cannot connect", path: file.path, span: serverEntry.valueSpan))
        } else {
            e.set(\.host, server, field: .host, span: serverEntry.valueSpan)
        }

        let encryptionEntry = last("smtpencryption", in: values)
        let encryption = encryptionEntry?.value ?? ""
        switch encryption {
        case "ssl":
            e.set(\.tls, .implicit, field: .tls, span: encryptionEntry?.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: encryptionEntry?.valueSpan)
        case "tls":
            e.set(\.tls, .starttls, field: .tls, span: encryptionEntry?.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: encryptionEntry?.valueSpan)
        default:
            // Anything but `ssl` or `tls` (git compares case-sensitively) is plain SMTP.
            e.set(\.tls, TLSMode.none, field: .tls, span: encryptionEntry?.valueSpan)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: encryptionEntry?.valueSpan)
        }
        if e.tls != TLSMode.none {
            if let certPath = last("smtpsslcertpath", in: values) {
                e.set(\.verifyCertificate, !(certPath.value ?? "").isEmpty, field: .verifyCertificate, span: certPath.valueSpan)
            } else {
                e.verifyCertificate = true
            }
        }

        if let p = last("smtpserverport", in: values) {
            let text = (p.value ?? "").iniTrimmed()
            let aliases = ["smtps": "submissions", "ssmtp": "submissions", "mail": "smtp"]
            if let port = Int(text), (1...65535).contains(port) {
                e.set(\.port, port, field: .port, span: p.valueSpan)
            } else if let port = context.ports.port(service: aliases[text.lowercased()] ?? text.lowercased()) {
                e.set(\.port, port, field: .port, span: p.valueSpan)
            } else {
                diagnostics.report(ParseProblem("smtpServerPort '\(text)' is neither a port number nor a known service name", path: file.path, span: p.valueSpan))
                e.spans[.port] = p.valueSpan  // rejected: unknown, not git's default
            }
        }
        if e.port == nil, e.spans[.port] == nil {
            e.port = context.ports.port(service: e.tls == .implicit ? "submissions" : "smtp")
            e.portIsDefault = true
        }

        if let user = last("smtpuser", in: values) {
            let authEntry = last("smtpauth", in: values)
            let mechanisms = (authEntry?.value ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
            if mechanisms == ["none"] {
                e.set(\.auth, [], field: .auth, span: authEntry?.valueSpan)
                e.set(\.credential, CredentialKind.none, field: .credential, span: authEntry?.valueSpan)
            } else {
                e.set(\.auth, mechanisms.isEmpty ? ["password"] : mechanisms, field: .auth, span: authEntry?.valueSpan ?? user.valueSpan)
                if let pass = last("smtppass", in: values) {
                    e.set(\.credential, .inline, field: .credential, span: pass.valueSpan)
                } else if let (kind, span) = credentialHelper(host: server) {
                    e.set(\.credential, kind, field: .credential, span: span)
                }
            }
        } else {
            e.auth = []
            e.credential = CredentialKind.none
        }
        setup.endpoints.append(e)
    }

    /// The credential helper git would ask for `smtp://HOST` (the last helper of a matching section).
    func credentialHelper(host: String) -> (CredentialKind, SourceSpan)? {
        let helper = credentialHelpers.last { s in
            guard let url = s.subsection else { return true }
            return url.hasPrefix("smtp") && (url.contains(host) || host.isEmpty)
        }
        guard let helper, let value = helper.entry.value else { return nil }
        let name = value.split(separator: " ").first.map(String.init) ?? value
        if name.hasPrefix("!") { return (.command, helper.entry.valueSpan) }
        switch (name as NSString).lastPathComponent.replacingOccurrences(of: "git-credential-", with: "") {
        case "store": return (.file, helper.entry.valueSpan)
        case "cache": return nil  // asks once, keeps the password in memory
        case "osxkeychain", "libsecret", "gnome-keyring", "manager", "manager-core", "wincred", "kwallet", "keepassxc":
            return (.keyring, helper.entry.valueSpan)
        default: return (.command, helper.entry.valueSpan)
        }
    }
}
