import Foundation
import MailAuditCore

/// aerc `accounts.conf` (go-ini): one `[Account]` section per account, with `source` (incoming) and
/// `outgoing` URLs. Semantics of aerc 0.15 and later (the default; man aerc-imap(5), aerc-smtp(5)),
/// or of aerc 0.14 with `assume: { aerc: "0.14" }` (Debian bookworm, `commands/compose/send.go`):
///
/// - `imaps://` implicit TLS (993), `imap://` STARTTLS, required (143), `imap+insecure://` plain;
///   `imaps+insecure://` (newer aerc) skips the certificate check.
/// - `smtps://` implicit TLS (465). aerc ≥ 0.15: `smtp://` (587) uses STARTTLS and fails without
///   it; `smtp+insecure://` is plain text; `smtp-starttls` is gone. aerc 0.14: `smtp://` upgrades
///   with STARTTLS only when `smtp-starttls = yes` — compared with the literal `yes`, so `true` does
///   not switch it on — and then requires it; otherwise the session is plain text. (Checked with
///   aerc 0.14.0 against a local SMTP stub: `yes` sends STARTTLS; `true` sends MAIL FROM/DATA in
///   clear text to a server without STARTTLS.) Fields that differ carry the release modelled.
/// - `smtp+AUTH://` (and `smtp+insecure+AUTH://`): AUTH is `plain` (default), `login`, `none`,
///   `oauthbearer`, `xoauth2`.
/// - A password in the URL is written in the file; otherwise `source-cred-cmd` / `outgoing-cred-cmd`.
/// - `maildir://`, `notmuch://`, `mbox://`, `jmap://` sources and an `outgoing` that is a program
///   (`/usr/bin/msmtp`, `sendmail`) are local: no network endpoint.
/// - `pgp-opportunistic-encrypt = true`: content encryption is opportunistic (identity).
/// - Keys are case-sensitive. A key written with a Unicode dash (U+2010 HYPHEN, …) instead of `-` is a
///   different key to aerc, which ignores unknown keys silently and reads the file; so does mailaudit:
///   the setting stays unknown, never read as the ASCII key and never a parse error.
struct AercFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "aerc",
        what: "aerc ≥ 0.15 (`assume: { aerc: \"0.14\" }` for older)",
        names: ["accounts.conf"],
        commentMarkers: ["#", ";"],
        program: .pinnable(ProgramPin(key: "aerc", modelled: "0.15", changes: [
            .init(since: "0.15", what: "`smtp://` uses STARTTLS and requires it, `smtp+insecure://` is plain text; before, `smtp://` was plain text unless `smtp-starttls = yes`"),
        ])))

    func matches(fileName: String, path: String) -> Bool {
        fileName == "accounts.conf"
    }

    func matches(content: SourceFile) -> Bool {
        var section = false
        for line in content.lines.prefix(2000) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("[") { section = true; continue }
            guard section, t.hasPrefix("source"), let eq = t.firstIndex(of: "=") else { continue }
            let value = t[t.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if ["imap", "imaps", "maildir", "notmuch", "jmap", "mbox", "maildirpp"].contains(where: { value.hasPrefix($0 + "://") || value.hasPrefix($0 + "+") }) { return true }
        }
        return false
    }

    /// `accounts.conf` is a common name: in a walk, only a file with an `[account]` holding aerc's
    /// `source` or `outgoing` key (quoted or not) is aerc's.
    func confirms(content: SourceFile) -> Bool {
        var section = false
        for line in content.lines.prefix(2000) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("[") { section = true; continue }
            guard section, let eq = t.firstIndex(of: "=") else { continue }
            if ["source", "outgoing"].contains(t[..<eq].trimmingCharacters(in: .whitespaces)) { return true }
        }
        return false
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = AercMapper(file: file, ports: context.ports, versions: context.versions)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

struct AercMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let ports: PortTable
    let versions: ProgramVersions
    var setup: MailSetup

    init(file: SourceFile, ports: PortTable, versions: ProgramVersions) {
        self.versions = versions
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: AercFormat.description.id)
    }

    mutating func read() {
        let document = INILexer.lex(file, dialect: .goINI)
        diagnostics.report(contentsOf: document.diagnostics)
        // go-ini merges a section written twice; aerc 0.14 skips DEFAULT.
        var order: [String] = []
        var merged: [String: INISection] = [:]
        for s in document.sections where s.name != "DEFAULT" {
            if merged[s.name] == nil { order.append(s.name); merged[s.name] = s } else { merged[s.name]!.entries += s.entries }
        }
        for name in order { readAccount(merged[name]!) }
    }

    mutating func readAccount(_ a: INISection) {
        guard let source = a.last("source") else {
            diagnostics.report("[\(a.name)] has no `source`: aerc refuses the account (\"Expected source for account \(a.name)\")", at: a.headerSpan)
            return
        }
        if a.last("from") == nil {
            diagnostics.report("[\(a.name)] has no `from`: aerc refuses the account (\"Expected from for account \(a.name)\")", at: a.headerSpan)
        }
        readSource(a, source)
        if let outgoing = a.last("outgoing") { readOutgoing(a, outgoing) }
        if let pgp = a.last("pgp-opportunistic-encrypt"), let on = boolean(pgp), on {
            var identity = Identity(name: a.name, contentEncryption: .opportunistic, location: a.headerSpan)
            identity.spans["contentEncryption"] = pgp.valueSpan
            setup.identities.append(identity)
        }
    }

    /// go-ini `Key.Bool()`.
    mutating func boolean(_ e: INIEntry) -> Bool? {
        let v = e.value ?? ""
        if ["1", "t", "T", "true", "TRUE", "True", "YES", "yes", "Yes", "y", "ON", "on", "On"].contains(v) { return true }
        if ["0", "f", "F", "false", "FALSE", "False", "NO", "no", "No", "n", "OFF", "off", "Off"].contains(v) { return false }
        diagnostics.report("`\(e.rawKey)` must be true or false, found '\(v)'", at: e.valueSpan)
        return nil
    }

    /// The URL scheme, or nil when the value is not a URL (a program path for `outgoing`).
    func scheme(_ value: String) -> String? {
        guard let sep = value.range(of: "://") else { return nil }
        let s = value[..<sep.lowerBound]
        guard !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else { return nil }
        return s.lowercased()
    }

    /// Parses a URL as Go's url.Parse would accept it; reports what aerc would refuse.
    mutating func url(_ entry: INIEntry, _ text: String) -> MailURL? {
        guard let u = MailURL(text) else { return nil }
        let authority = text.components(separatedBy: "://").dropFirst().joined(separator: "://").split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? authority
        if !hostPort.hasPrefix("["), let colon = hostPort.lastIndex(of: ":") {
            let port = hostPort[hostPort.index(after: colon)...].prefix { $0 != "?" }
            if !port.isEmpty, Int(port) == nil || !(1...65535).contains(Int(port)!) {
                diagnostics.report("invalid port '\(port)' in the URL", at: entry.valueSpan)
                return nil
            }
        }
        if u.hasPassword { setup.secrets.append(passwordSpan(entry, u, text)) }
        return u
    }

    /// The span of the password inside the URL value, for masking and for MA501.
    func passwordSpan(_ entry: INIEntry, _ u: MailURL, _ text: String) -> SourceSpan {
        guard let range = u.passwordRange, entry.valueSpan.line == entry.valueSpan.endLine,
              entry.valueSpan.line <= file.lines.count else { return entry.valueSpan }
        let line = String(file.lines[entry.valueSpan.line - 1])
        let scalars = Array(line.unicodeScalars)
        let needle = Array(text.trimmingCharacters(in: .whitespaces).unicodeScalars)
        let start = entry.valueSpan.column - 1
        guard !needle.isEmpty, start < scalars.count else { return entry.valueSpan }
        for i in start...(max(start, scalars.count - needle.count)) where i + needle.count <= scalars.count && Array(scalars[i..<(i + needle.count)]) == needle {
            // `passwordRange.offset` counts Characters of the trimmed text; in URLs these are single scalars.
            return file.span(line: entry.valueSpan.line, column: i + 1 + range.offset, length: max(1, range.length))
        }
        return entry.valueSpan
    }

    mutating func readSource(_ a: INISection, _ source: INIEntry) {
        let text = source.value ?? ""
        guard let scheme = scheme(text) else {
            diagnostics.report("`source` must be a URL such as imaps://user@host or maildir://path, found '\(text)'", at: source.valueSpan)
            return
        }
        let parts = scheme.split(separator: "+", maxSplits: 1).map(String.init)
        let base = parts[0], modifier = parts.count > 1 ? parts[1] : nil
        if ["maildir", "maildirpp", "notmuch", "mbox", "jmap"].contains(base) { return }  // local or not IMAP: no endpoint
        guard base == "imap" || base == "imaps" else {
            diagnostics.report("unknown `source` scheme '\(scheme)'\(Suggestion.phrase(for: scheme, in: ["imap", "imaps", "imap+insecure", "imaps+oauthbearer", "imaps+xoauth2", "maildir", "notmuch"]))", at: source.valueSpan)
            return
        }
        guard let u = url(source, text) else { return }
        var e = Endpoint(role: .client, location: a.headerSpan)
        e.account = a.name
        e.direction = .incoming
        e.set(\.protocol, .imap, field: .protocol, span: source.valueSpan)
        e.set(\.host, u.host, field: .host, span: source.valueSpan)
        let insecure = modifier == "insecure"
        if base == "imaps" {
            e.set(\.tls, .implicit, field: .tls, span: source.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: source.valueSpan)
            e.set(\.verifyCertificate, !insecure, field: .verifyCertificate, span: insecure ? source.valueSpan : nil)
        } else if insecure {
            e.set(\.tls, TLSMode.none, field: .tls, span: source.valueSpan)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: source.valueSpan)
        } else {
            e.set(\.tls, .starttls, field: .tls, span: source.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: source.valueSpan)
            e.verifyCertificate = true
        }
        if let port = u.port { e.set(\.port, port, field: .port, span: source.valueSpan) } else {
            e.port = ports.port(service: base)
            e.portIsDefault = true
        }
        let mechanism = (modifier == nil || insecure) ? nil : modifier
        e.set(\.auth, mechanism.map { [$0] } ?? (u.user == nil ? [] : ["login"]), field: .auth, span: source.valueSpan)
        credential(&e, u, source, text, command: a.last("source-cred-cmd"))
        setup.endpoints.append(e)
    }

    mutating func credential(_ e: inout Endpoint, _ u: MailURL, _ entry: INIEntry, _ text: String, command: INIEntry?) {
        if u.hasPassword {
            e.set(\.credential, .inline, field: .credential, span: passwordSpan(entry, u, text))
        } else if let c = command, c.value?.isEmpty == false {
            e.set(\.credential, .command, field: .credential, span: c.valueSpan)
        } else if e.auth == [] {
            e.credential = CredentialKind.none
        }
    }

    mutating func readOutgoing(_ a: INISection, _ outgoing: INIEntry) {
        let text = outgoing.value ?? ""
        guard let scheme = scheme(text) else { return }  // a program such as /usr/bin/msmtp: no network endpoint
        let parts = scheme.split(separator: "+").map(String.init)
        let base = parts[0]
        let insecure = parts.dropFirst().contains("insecure")
        let modifier = parts.dropFirst().first { $0 != "insecure" } ?? (insecure ? "insecure" : nil)
        if base == "jmap" { return }
        guard base == "smtp" || base == "smtps" else {
            diagnostics.report("unknown `outgoing` scheme '\(scheme)'\(Suggestion.phrase(for: scheme, in: ["smtp", "smtps", "smtp+plain", "smtps+plain", "smtp+login", "smtps+login", "smtp+none"]))", at: outgoing.valueSpan)
            return
        }
        let mechanisms = ["plain", "login", "none", "oauthbearer", "xoauth2", "insecure"]
        if let modifier, !mechanisms.contains(modifier) {
            diagnostics.report("unknown authentication '\(modifier)' in `outgoing`: aerc knows plain, login, none, oauthbearer, xoauth2\(Suggestion.phrase(for: modifier, in: mechanisms))", at: outgoing.valueSpan)
            return
        }
        guard let u = url(outgoing, text) else { return }
        var e = Endpoint(role: .client, location: a.headerSpan)
        e.account = a.name
        e.direction = .outgoing
        e.set(\.protocol, .smtp, field: .protocol, span: outgoing.valueSpan)
        e.set(\.host, u.host, field: .host, span: outgoing.valueSpan)
        if base == "smtps" {
            e.set(\.tls, .implicit, field: .tls, span: outgoing.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: outgoing.valueSpan)
            e.verifyCertificate = true
        } else if insecure {
            e.set(\.tls, TLSMode.none, field: .tls, span: outgoing.valueSpan)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: outgoing.valueSpan)
        } else if !versions.isBefore("aerc", "0.15") {
            // aerc ≥ 0.15: `smtp://` is STARTTLS, and aerc gives up on a server that does not offer it.
            e.set(\.tls, .starttls, field: .tls, span: outgoing.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: outgoing.valueSpan)
            e.verifyCertificate = true
            e.modelledVersions[.tls] = versions.name("aerc")
            e.modelledVersions[.tlsRequired] = versions.name("aerc")
        } else if let starttls = a.last("smtp-starttls"), starttls.value == "yes" {
            e.set(\.tls, .starttls, field: .tls, span: starttls.valueSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: starttls.valueSpan)
            e.verifyCertificate = true
            e.modelledVersions[.tls] = versions.name("aerc")
        } else {
            // aerc 0.14: `smtp://` is plain text unless `smtp-starttls = yes` (exactly that word).
            let decided = a.last("smtp-starttls")?.valueSpan ?? outgoing.valueSpan
            e.set(\.tls, TLSMode.none, field: .tls, span: decided)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: decided)
            e.modelledVersions[.tls] = versions.name("aerc")
            e.modelledVersions[.tlsRequired] = versions.name("aerc")
        }
        if let port = u.port { e.set(\.port, port, field: .port, span: outgoing.valueSpan) } else {
            e.port = ports.port(service: base == "smtps" ? "submissions" : "submission")
            e.portIsDefault = true
        }
        let mechanism = (modifier == nil || modifier == "insecure") ? "plain" : modifier!
        if e.tls == TLSMode.none, e.modelledVersions[.tls] != nil { e.modelledVersions[.auth] = e.modelledVersions[.tls] }
        e.set(\.auth, mechanism == "none" ? [] : [mechanism], field: .auth, span: outgoing.valueSpan)
        credential(&e, u, outgoing, text, command: a.last("outgoing-cred-cmd"))
        setup.endpoints.append(e)
    }
}
