import MailAuditCore

/// fetchmail (`~/.fetchmailrc`, `fetchmailrc`, `/etc/fetchmailrc`), as fetchmail 6.5 reads it
/// (fetchmail(1) "THE RUN CONTROL FILE"; checked with 6.4.37's `fetchmail --configdump`, ORACLES.md §3;
/// `assume: { fetchmail: "6.4" }` or `"6.3"` models the older defaults, see `ProgramVersions`):
///
/// - a free-format token stream: keywords (case-insensitive), numbers, words, `"…"`/`'…'` strings
///   (escapes `\n \t \b \r`, `\nnn` decimal, `\0ooo` octal, `\xhh`; strings may span lines); `#` comments;
///   `: ; ,` are ignored, and so are the noise words `and with has wants options here there`;
/// - `poll|server|skip NAME` server options, then user descriptions (`user NAME [is LOCAL… here]` and
///   user options; user options without `user` describe the default user); server options after user
///   options are an error; `defaults` sets server and user options for the entries after it;
/// - TLS (verified with fetchmail 6.4.37 against a POP3 server without STLS): `ssl` is implicit TLS;
///   otherwise fetchmail tries STARTTLS, and fails without it when `sslcertck` (the default since
///   6.4), `sslfingerprint` or a non-empty `sslproto` is given; with `no sslcertck` and none of them
///   it carries on in clear text (opportunistic); `sslproto ''` switches STARTTLS off. `sslproto auto`
///   (the default) means TLS 1.2 or newer since 6.5, TLS 1.0 or newer in 6.4 (NEWS, README.SSL);
/// - default ports: POP3/APOP/RPOP/SDPS 110 (995 with `ssl`), IMAP 143 (993), KPOP 1109, POP2 109,
///   ETRN 25; protocol `auto` (the default) tries IMAP, then POP3: protocol and port unknown.
struct FetchmailFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "fetchmail",
        what: "fetchmail 6.5 (`assume: { fetchmail: \"6.4\" }` or `\"6.3\"` for older)",
        names: [".fetchmailrc", "fetchmailrc"],
        program: .pinnable(ProgramPin(key: "fetchmail", modelled: "6.5", changes: [
            .init(since: "6.4", what: "`sslcertck` is on by default, so certificates are verified and STARTTLS is required; before, neither unless `sslcertck`, `sslfingerprint` or `sslproto tls1` said so"),
            .init(since: "6.5", what: "`sslproto auto` (the default) negotiates TLS 1.2 or newer, and `ssl3`/`ssl3+` mean `auto`; before, `auto` accepted TLS 1.0"),
        ])))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        // docker-mailserver mounts its fetchmail configuration as `fetchmail.cf`.
        if name == ".fetchmailrc" || name == "fetchmailrc" || name == "fetchmail.cf" { return true }
        if name.hasPrefix(".fetchmailrc.") || name.hasPrefix("fetchmailrc.") || name.hasSuffix(".fetchmailrc") { return true }
        return false
    }

    /// A `poll`/`skip` entry with a protocol or user.
    func matches(content: SourceFile) -> Bool {
        var poll = false, user = false
        for line in content.lines.prefix(3000) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            if ["poll", "skip", "server", "defaults"].contains(first) { poll = true }
            if first == "set", words.count > 1, ["daemon", "postmaster", "bouncemail", "syslog", "logfile"].contains(words[1]) { poll = true }
            if words.contains(where: { ["proto", "protocol", "user", "username", "sslcertck", "fetchall", "mda"].contains($0) }) { user = true }
            if ["account", "imapaccount", "imapstore", "channel"].contains(first) { return false }
        }
        return poll && user
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = FetchmailMapper(file: file, ports: context.ports, versions: context.versions)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

struct FetchmailToken {
    enum Kind { case word, string, number }
    var text: String
    var kind: Kind
    var span: SourceSpan
    /// Keywords are case-sensitive (lower case): `KEEP` is a word, not a keyword (fetchmail 6.4.37).
    var lower: String { kind == .word ? text : "" }
}

/// The fetchmail rc-file lexer.
struct FetchmailLexer {
    var tokens: [FetchmailToken] = []
    var diagnostics = Diagnostics()

    init(_ file: SourceFile) {
        var line = 1, column = 1
        let s = Array(file.text.unicodeScalars)
        var i = 0
        func advance() {
            if s[i] == "\n" { line += 1; column = 1 } else if s[i] != "\r" || (i + 1 < s.count && s[i + 1] != "\n") { column += 1 }
            i += 1
        }
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" }
        while i < s.count {
            let c = s[i]
            if isSpace(c) || c == ";" || c == ":" || c == "," { advance(); continue }
            if c == "#" {
                while i < s.count, s[i] != "\n" { advance() }
                continue
            }
            let startLine = line, startColumn = column
            if c == "\"" || c == "'" {
                let quote = c
                advance()
                var text = String.UnicodeScalarView()
                var closed = false
                while i < s.count {
                    let d = s[i]
                    if d == quote { advance(); closed = true; break }
                    if d == "\\", i + 1 < s.count {
                        advance()
                        let e = s[i]
                        switch e {
                        case "n": text.append("\n"); advance()
                        case "t": text.append("\t"); advance()
                        case "b": text.append("\u{08}"); advance()
                        case "r": text.append("\r"); advance()
                        case "\n": advance()  // a trailing backslash joins lines
                        case "x", "X":
                            advance()
                            var digits = ""
                            while i < s.count, digits.count < 2, s[i].properties.isASCIIHexDigit { digits.unicodeScalars.append(s[i]); advance() }
                            if let v = UInt32(digits, radix: 16), let u = Unicode.Scalar(v) { text.append(u) }
                        case "0":
                            var digits = ""
                            while i < s.count, digits.count < 4, ("0"..."7").contains(s[i]) { digits.unicodeScalars.append(s[i]); advance() }
                            if let v = UInt32(digits, radix: 8), let u = Unicode.Scalar(v) { text.append(u) }
                        case "1"..."9":
                            var digits = ""
                            while i < s.count, digits.count < 3, ("0"..."9").contains(s[i]) { digits.unicodeScalars.append(s[i]); advance() }
                            if let v = UInt32(digits, radix: 10), let u = Unicode.Scalar(v) { text.append(u) }
                        default: text.append(e); advance()
                        }
                        continue
                    }
                    text.append(d)
                    advance()
                }
                let span = SourceSpan(path: file.path, line: startLine, column: startColumn, endLine: line, endColumn: column)
                if !closed {
                    diagnostics.report(ParseProblem("unterminated string: the \(quote == "\"" ? "double" : "single") quote opened here is never closed, so the rest of the file is read as one string",
                                                 path: file.path, span: SourceSpan(path: file.path, line: startLine, column: startColumn)))
                }
                tokens.append(FetchmailToken(text: String(text), kind: .string, span: span))
                continue
            }
            var text = String.UnicodeScalarView()
            while i < s.count, !isSpace(s[i]), s[i] != ";", s[i] != ":", s[i] != ",", s[i] != "#", s[i] != "\"", s[i] != "'" {
                text.append(s[i]); advance()
            }
            let word = String(text)
            let span = SourceSpan(path: file.path, line: startLine, column: startColumn, endLine: line, endColumn: column)
            let isNumber = !word.isEmpty && word.allSatisfy { $0.isASCII && $0.isNumber } || (word.count > 1 && (word.first == "-" || word.first == "+") && word.dropFirst().allSatisfy { $0.isASCII && $0.isNumber })
            tokens.append(FetchmailToken(text: word, kind: isNumber ? .number : .word, span: span))
        }
    }
}

struct FetchmailMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    /// A value and where it was written.
    struct Setting {
        var value: String
        var span: SourceSpan
        /// The keyword (for flags such as `ssl`, `no sslcertck`).
        var keywordSpan: SourceSpan
    }
    struct User {
        var remote: Setting?
        var options: [String: Setting] = [:]
    }
    struct Entry {
        var name: Setting?
        var location: SourceSpan
        var active: Bool
        var isDefaults: Bool
        var server: [String: Setting] = [:]
        var users: [User] = []
        /// Where the `defaults` this entry takes its unset options from wrote them.
        var fromDefaults: Set<SourceSpan> = []
    }

    enum Arity { case flag, one, list, envelope }

    static let serverOptions: [String: Arity] = [
        "via": .one, "proto": .one, "protocol": .one, "service": .one, "port": .one, "auth": .one, "authenticate": .one,
        "timeout": .one, "envelope": .envelope, "qvirtual": .one, "aka": .list, "localdomains": .list, "local": .list,
        "interface": .one, "monitor": .one, "plugin": .one, "plugout": .one, "dns": .flag, "checkalias": .flag,
        "uidl": .flag, "interval": .one, "tracepolls": .flag, "principal": .one, "esmtpname": .one,
        "esmtppassword": .one, "bad-header": .one, "retrieve-error": .one,
    ]
    static let userOptions: [String: Arity] = [
        "password": .one, "pass": .one, "folder": .list, "smtphost": .list, "smtphosts": .list, "fetchdomains": .list,
        "smtpaddress": .one, "smtpname": .one, "antispam": .list, "mda": .one, "bsmtp": .one, "lmtp": .flag,
        "preconnect": .one, "postconnect": .one, "keep": .flag, "flush": .flag, "limitflush": .flag, "fetchall": .flag,
        "rewrite": .flag, "stripcr": .flag, "forcecr": .flag, "pass8bits": .flag, "dropstatus": .flag,
        "dropdelivered": .flag, "mimedecode": .flag, "idle": .flag, "limit": .one, "warnings": .one, "batchlimit": .one,
        "fetchlimit": .one, "fetchsizelimit": .one, "fastuidl": .one, "expunge": .one, "properties": .one, "ssl": .flag,
        "sslkey": .one, "sslcert": .one, "sslproto": .one, "sslcertck": .flag, "sslcertfile": .one, "sslcertpath": .one,
        "sslcommonname": .one, "sslfingerprint": .one, "is": .list, "to": .list,
    ]
    static let noise: Set<String> = ["and", "with", "has", "wants", "options", "here", "there"]
    /// Flags fetchmail also accepts written as one word with `no` (`nokeep`).
    static let joinedNo: Set<String> = ["keep", "flush", "fetchall", "rewrite", "stripcr", "forcecr", "pass8bits", "dropstatus",
                                        "dropdelivered", "mimedecode", "idle", "limitflush"]
    static let statements: Set<String> = ["poll", "server", "skip", "defaults", "set"]
    static let protocols: [String: MailProtocol?] = [
        "auto": nil, "pop2": .pop2, "pop3": .pop3, "apop": .pop3, "rpop": .pop3, "kpop": .kpop, "sdps": .pop3,
        "imap": .imap, "imap-k4": .imap, "imap-gss": .imap, "etrn": .etrn, "odmr": .odmr,
    ]
    /// Words fetchmail's lexer turns into protocol tokens (all lower or all upper case) and authentication
    /// tokens (lower case): unquoted, they are a syntax error anywhere but after `proto` and `auth`.
    static let protocolWords: Set<String> = ["auto", "pop2", "pop3", "imap", "apop", "rpop", "kpop", "sdps", "etrn", "odmr"]
    static let authWords: Set<String> = ["password", "any", "cram-md5", "cram", "gssapi", "kerberos", "kerberos_v4", "kerberos_v5",
                                         "otp", "ntlm", "msn", "ssh", "external"]

    static func isProtocolWord(_ t: FetchmailToken) -> Bool {
        t.kind == .word && (t.text == t.text.lowercased() || t.text == t.text.uppercased()) && protocolWords.contains(t.text.lowercased())
    }

    static func isAuthWord(_ t: FetchmailToken) -> Bool { t.kind == .word && authWords.contains(t.text) }

    /// `sslproto` values and the lowest version each allows (nil: STARTTLS switched off).
    static let sslprotos: [String: TLSVersion?] = [
        "": nil, "auto": .tls10, "ssl23": .tls10, "ssl3": .ssl3, "ssl3+": .ssl3, "tls1": .tls10, "tls1+": .tls10,
        "tls1.1": .tls11, "tls1.1+": .tls11, "tls1.2": .tls12, "tls1.2+": .tls12, "tls1.3": .tls13, "tls1.3+": .tls13,
    ]

    /// The `sslproto` values whose meaning is the release's default negotiation: TLS 1.0 or newer in
    /// 6.4, TLS 1.2 or newer since 6.5 (which also reads the removed `ssl3`/`ssl3+` as `auto`), and
    /// SSLv3 or newer (SSLv23 without SSLv2) before 6.4, which knew only ssl2, ssl3, ssl23 and tls1.
    static let negotiated: Set<String> = ["auto", "ssl23", "ssl3", "ssl3+"]

    let file: SourceFile
    let ports: PortTable
    let versions: ProgramVersions
    var setup: MailSetup
    var tokens: [FetchmailToken] = []
    var index = 0
    var defaults: Entry?
    var entries: [Entry] = []

    init(file: SourceFile, ports: PortTable, versions: ProgramVersions = ProgramVersions()) {
        self.file = file
        self.ports = ports
        self.versions = versions
        self.setup = MailSetup(path: file.path, format: FetchmailFormat.description.id)
    }

    var atEnd: Bool { index >= tokens.count }
    var peek: FetchmailToken? { atEnd ? nil : tokens[index] }

    mutating func next() -> FetchmailToken? {
        guard !atEnd else { return nil }
        defer { index += 1 }
        return tokens[index]
    }

    func isKeyword(_ t: FetchmailToken) -> Bool {
        guard t.kind == .word else { return false }
        let w = t.lower
        return Self.statements.contains(w) || Self.serverOptions[w] != nil || Self.userOptions[w] != nil || Self.noise.contains(w)
            || w == "user" || w == "username" || w == "no"
    }

    mutating func read() {
        let lexer = FetchmailLexer(file)
        tokens = lexer.tokens
        diagnostics.report(contentsOf: lexer.diagnostics)
        while let t = peek {
            switch t.lower {
            case "set": index += 1; globalOption()
            case "defaults": index += 1; entry(start: t, active: true, isDefaults: true)
            case "poll", "server": index += 1; entry(start: t, active: true, isDefaults: false)
            case "skip": index += 1; entry(start: t, active: false, isDefaults: false)
            default:
                diagnostics.report("syntax error at '\(t.text)': a statement starts with poll, skip, defaults or set\(t.kind == .word ? Suggestion.phrase(for: t.text, in: Array(Self.statements)) : "")", at: t.span)
                index += 1
            }
        }
        for e in entries { endpoints(for: e) }
    }

    mutating func globalOption() {
        if peek?.lower == "no" { index += 1 }
        guard let name = next() else { return }
        // `set daemon 300`, `set postmaster "x"`, `set bouncemail`, `set logfile x`.
        let takesValue: Set<String> = ["daemon", "postmaster", "logfile", "idfile", "pidfile", "properties", "fetchmailhome"]
        if takesValue.contains(name.lower), let value = peek, !isKeyword(value) || value.kind != .word { index += 1 }
    }

    mutating func entry(start: FetchmailToken, active: Bool, isDefaults: Bool) {
        var e = Entry(location: start.span, active: active, isDefaults: isDefaults)
        if !isDefaults {
            guard let name = peek, !(name.kind == .word && isKeyword(name) && Self.statements.contains(name.lower)) else {
                diagnostics.report("\(start.text) needs a server name", at: start.span)
                return
            }
            index += 1
            e.name = Setting(value: name.text, span: name.span, keywordSpan: name.span)
            e.location = SourceSpan(path: file.path, line: start.span.line, column: start.span.column, endLine: name.span.endLine, endColumn: name.span.endColumn)
        }
        var inUsers = false
        var current: User?
        func finishUser() {
            if let u = current { e.users.append(u) }
            current = nil
        }
        while let t = peek {
            if t.kind == .word, ["poll", "server", "skip", "defaults", "set"].contains(t.lower) { break }
            index += 1
            var word = t.lower
            if t.kind != .word {
                diagnostics.report("syntax error at '\(t.text)': a value without a keyword", at: t.span)
                continue
            }
            if Self.noise.contains(word) { continue }
            var negated = false
            if word.hasPrefix("no"), Self.joinedNo.contains(String(word.dropFirst(2))) {
                negated = true
                word = String(word.dropFirst(2))
            } else if word != word.lowercased(), isKeyword(FetchmailToken(text: word.lowercased(), kind: .word, span: t.span)) {
                diagnostics.report("syntax error at '\(t.text)': fetchmail keywords are case-sensitive, write '\(word.lowercased())'", at: t.span)
                word = word.lowercased()
            }
            if word == "no" {
                guard let n = peek, n.kind == .word else { diagnostics.report("`no` must be followed by an option", at: t.span); continue }
                index += 1
                negated = true
                word = n.lower
            }
            if word == "user" || word == "username" {
                guard let name = next() else { diagnostics.report("`user` needs a name", at: t.span); break }
                finishUser()
                inUsers = true
                current = User(remote: Setting(value: name.text, span: name.span, keywordSpan: t.span))
                continue
            }
            if let arity = Self.serverOptions[word] {
                if inUsers {
                    diagnostics.report("server option after user options at '\(t.text)': fetchmail requires the server options (proto, via, service, auth, …) before the first user description", at: t.span)
                }
                if let value = argument(arity, keyword: t, negated: negated) { e.server[word == "protocol" ? "proto" : (word == "authenticate" ? "auth" : word)] = value }
                continue
            }
            if let arity = Self.userOptions[word] {
                inUsers = true
                if current == nil { current = User() }
                if let value = argument(arity, keyword: t, negated: negated) { current!.options[word == "pass" ? "password" : word] = value }
                continue
            }
            let all = Array(Self.serverOptions.keys) + Array(Self.userOptions.keys) + ["user", "poll", "skip", "defaults"]
            diagnostics.report("syntax error at '\(t.text)': not a fetchmail keyword\(Suggestion.phrase(for: t.text, in: all))", at: t.span)
        }
        finishUser()
        if isDefaults {
            // Later `defaults` add to the earlier ones.
            var merged = defaults ?? e
            if defaults != nil {
                merged.server.merge(e.server) { $1 }
                merged.users += e.users
                merged.location = e.location
            }
            defaults = merged
        } else {
            entries.append(apply(defaults: defaults, to: e))
        }
        // Secrets wherever they are written.
        for u in e.users {
            if let p = u.options["password"], !p.value.isEmpty { setup.secrets.append(p.span) }
        }
        if let p = e.server["esmtppassword"], !p.value.isEmpty { setup.secrets.append(p.span) }
    }

    /// Reads a keyword's argument(s); returns the setting (flags: "yes"/"no").
    mutating func argument(_ arity: Arity, keyword: FetchmailToken, negated: Bool) -> Setting? {
        switch arity {
        case .flag:
            return Setting(value: negated ? "no" : "yes", span: keyword.span, keywordSpan: keyword.span)
        case .one:
            if negated { return Setting(value: "", span: keyword.span, keywordSpan: keyword.span) }
            // `auth password` is valid: `password` is a keyword elsewhere but an authentication type here.
            let takesAuthType = keyword.lower == "auth" || keyword.lower == "authenticate"
            guard let v = peek, (takesAuthType && Self.isAuthWord(v)) || !(v.kind == .word && isKeyword(v)) else {
                diagnostics.report("`\(keyword.text)` needs a value", at: keyword.span)
                return nil
            }
            index += 1
            let word = keyword.lower
            if word == "proto" || word == "protocol" {
                if !Self.isProtocolWord(v) {
                    diagnostics.report("syntax error at '\(v.text)': protocols are \(Self.protocolWords.sorted().map { $0.uppercased() }.joined(separator: ", ")) (all upper or all lower case)\(Suggestion.phrase(for: v.text, in: Self.protocolWords.map { $0.uppercased() }))", at: v.span)
                    return nil
                }
            } else if word == "auth" || word == "authenticate" {
                if !Self.isAuthWord(v) {
                    diagnostics.report("syntax error at '\(v.text)': authentication types are \(Self.authWords.sorted().joined(separator: ", ")) (lower case)\(Suggestion.phrase(for: v.text, in: Array(Self.authWords)))", at: v.span)
                    return nil
                }
                // `auth password` names a type: what follows it (`user "bob" …`) is no password.
                if v.kind == .word { setup.notSecretKeys.append(v.span) }
            } else if Self.isProtocolWord(v) || Self.isAuthWord(v) {
                diagnostics.report("syntax error at '\(v.text)': fetchmail reads \(v.text) as a \(Self.isProtocolWord(v) ? "protocol" : "authentication") name here; quote it (\"\(v.text)\") to use it as a value", at: v.span)
                return nil
            }
            return Setting(value: v.text, span: v.span, keywordSpan: keyword.span)
        case .envelope:
            if negated { return Setting(value: "", span: keyword.span, keywordSpan: keyword.span) }
            if peek?.kind == .number { index += 1 }
            if let v = peek, v.kind != .word || !isKeyword(v) { index += 1; return Setting(value: v.text, span: v.span, keywordSpan: keyword.span) }
            return nil
        case .list:
            var values: [String] = []
            var span = keyword.span
            while let v = peek, v.kind != .word || !isKeyword(v) {
                index += 1
                if values.isEmpty { span = v.span }
                values.append(v.text)
            }
            return Setting(value: values.joined(separator: " "), span: span, keywordSpan: keyword.span)
        }
    }

    func apply(defaults: Entry?, to entry: Entry) -> Entry {
        guard let defaults else { return entry }
        var e = entry
        e.fromDefaults = Set(defaults.server.values.map(\.span) + defaults.users.flatMap { $0.options.values.map(\.span) + [$0.remote?.span].compactMap { $0 } })
        e.server = defaults.server.merging(entry.server) { $1 }
        let defaultUserOptions = defaults.users.reduce(into: [String: Setting]()) { $0.merge($1.options) { $1 } }
        if e.users.isEmpty {
            // No user description: the users of `defaults` (or fetchmail's default user).
            e.users = defaults.users.isEmpty ? [User(options: defaultUserOptions)] : defaults.users
        } else {
            e.users = e.users.map { u in
                var u = u
                if u.remote == nil, let remote = defaults.users.first(where: { $0.remote != nil })?.remote { u.remote = remote }
                u.options = defaultUserOptions.merging(u.options) { $1 }
                return u
            }
        }
        return e
    }

    mutating func endpoints(for entry: Entry) {
        let users = entry.users.isEmpty ? [User()] : entry.users
        for user in users {
            endpoint(entry, user)
        }
    }

    mutating func endpoint(_ entry: Entry, _ user: User) {
        let s = entry.server, u = user.options
        var e = Endpoint(role: .client, location: entry.location)
        e.direction = .incoming
        let pollname = entry.name?.value ?? ""
        e.account = user.remote.map { "\($0.value)@\(pollname)" } ?? pollname
        if let via = s["via"], !via.value.isEmpty {
            e.set(\.host, via.value, field: .host, span: via.span)
        } else if let name = entry.name {
            e.set(\.host, name.value, field: .host, span: name.span)
        }
        // Protocol (default auto: IMAP, then POP3, then POP2).
        var protocolName = "auto"
        if let p = s["proto"] {
            protocolName = p.value.lowercased()
            if Self.protocols[protocolName] == nil {
                diagnostics.report("unknown protocol '\(p.value)'\(Suggestion.phrase(for: p.value, in: Self.protocols.keys.map { $0.uppercased() }))", at: p.span)
                protocolName = "auto"
            }
        }
        let proto = Self.protocols[protocolName] ?? nil
        e.set(\.protocol, proto, field: .protocol, span: s["proto"]?.span)

        // TLS (fetchmail 6.4 and later unless pinned older: see `ProgramVersions`).
        let ssl = u["ssl"], sslproto = u["sslproto"], certck = u["sslcertck"], fingerprint = u["sslfingerprint"].flatMap { $0.value.isEmpty ? nil : $0 }
        let before64 = versions.isBefore("fetchmail", "6.4"), before65 = versions.isBefore("fetchmail", "6.5")
        let release = versions.name("fetchmail")
        var minimum: TLSVersion?
        var minimumByRelease = false
        if let sslproto {
            let key = sslproto.value.lowercased()
            if Self.negotiated.contains(key), !(before65 && key.hasPrefix("ssl3")) {
                minimum = before64 ? .ssl3 : (before65 ? .tls10 : .tls12)
                minimumByRelease = true
            } else if let known = Self.sslprotos[key] { minimum = known } else {
                diagnostics.report("unknown sslproto '\(sslproto.value)': fetchmail falls back to 'auto'; use tls1.2+ or tls1.3+\(Suggestion.phrase(for: sslproto.value, in: ["TLS1.2+", "TLS1.3+", "auto"]))", at: sslproto.span)
                minimum = before65 ? .tls10 : .tls12
                minimumByRelease = true
            }
        } else if !before65 {
            // 6.5 negotiates TLS 1.2 or newer itself; 6.4 leaves the range to the TLS library's configuration.
            minimum = .tls12
            minimumByRelease = true
        }
        // `sslcertck` is the default since 6.4; before, certificates were checked only when it was given.
        let certcheckOn = certck.map { $0.value != "no" } ?? !before64
        if ssl?.value == "yes" {
            e.set(\.tls, .implicit, field: .tls, span: ssl?.span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: ssl?.span)
            if let sslproto, sslproto.value.isEmpty { minimum = before65 ? .tls10 : .tls12 }  // `ssl` with sslproto '': fetchmail logs an error and uses auto
        } else if let sslproto, sslproto.value.isEmpty {
            e.set(\.tls, TLSMode.none, field: .tls, span: sslproto.span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: sslproto.span)
        } else if proto == .etrn || proto == .odmr || proto == .pop2 || proto == .kpop {
            // No STARTTLS in these protocols.
            e.set(\.tls, TLSMode.none, field: .tls, span: s["proto"]?.span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: s["proto"]?.span)
        } else {
            e.set(\.tls, .starttls, field: .tls, span: sslproto?.span)
            // What makes fetchmail give up on a server without STARTTLS: a certificate check (the default since
            // 6.4), a fingerprint, or an sslproto (before 6.4.2 only `tls1`; commit 650519f8, starttls.c).
            func protoRequires(onlyTLS1: Bool) -> Bool { sslproto.map { !onlyTLS1 || $0.value.lowercased() == "tls1" } ?? false }
            func requires(onlyTLS1: Bool, checkByDefault: Bool) -> Bool {
                protoRequires(onlyTLS1: onlyTLS1) || fingerprint != nil || (certck.map { $0.value != "no" } ?? checkByDefault)
            }
            let onlyTLS1 = versions.isBefore("fetchmail", "6.4.2")
            let requiredBy = (protoRequires(onlyTLS1: onlyTLS1) ? sslproto : nil) ?? fingerprint ?? (certcheckOn ? certck : nil)
            let required = requires(onlyTLS1: onlyTLS1, checkByDefault: !before64)
            e.set(\.tlsRequired, required, field: .tlsRequired, span: required ? requiredBy?.span : (certck ?? sslproto)?.span)
            if required != requires(onlyTLS1: true, checkByDefault: false) || required != requires(onlyTLS1: false, checkByDefault: true) {
                e.modelledVersions[.tlsRequired] = release
            }
        }
        if e.tls != TLSMode.none {
            if let fingerprint, !certcheckOn {
                e.set(\.verifyCertificate, true, field: .verifyCertificate, span: fingerprint.span)
            } else {
                e.set(\.verifyCertificate, certcheckOn, field: .verifyCertificate, span: certck?.span)
                if certck == nil, fingerprint == nil { e.modelledVersions[.verifyCertificate] = release }
            }
            if let minimum {
                e.set(\.minTLSVersion, minimum, field: .minTLSVersion, span: sslproto?.span)
                if minimumByRelease { e.modelledVersions[.minTLSVersion] = release }
            }
        }

        // Port: `service`/`port`, or the protocol's default.
        if let service = s["service"] ?? s["port"] {
            if let n = Int(service.value) {
                if (1...65535).contains(n) { e.set(\.port, n, field: .port, span: service.span) } else {
                    diagnostics.report("port \(service.value) is out of range (1–65535)", at: service.span)
                }
            } else if let n = Self.servicePort(service.value, ports: ports) {
                e.set(\.port, n, field: .port, span: service.span)
            } else {
                diagnostics.report("unknown service name '\(service.value)': it is not a port number and not a mail service in /etc/services", at: service.span)
            }
        } else if let proto {
            let implicit = e.tls == .implicit
            let service: String?
            switch proto {
            case .pop3: service = implicit ? "pop3s" : "pop3"
            case .imap: service = implicit ? "imaps" : "imap"
            case .kpop: service = "kpop"
            case .pop2: service = "pop2"
            case .etrn: service = "smtp"
            default: service = nil
            }
            // ODMR (366) is not in the port table: its port stays unknown.
            if let service { e.port = ports.port(service: service) }
            e.portIsDefault = e.port != nil
        }

        // Authentication and the password.
        let auth = s["auth"]?.value.lowercased() ?? "any"
        var mechanisms: [String]
        switch auth {
        case "any", "password": mechanisms = ["password"]
        case "kerberos", "kerberos_v4": mechanisms = ["kerberos_v4"]
        case "kerberos_v5", "gssapi": mechanisms = ["gssapi"]
        case "ssh", "external": mechanisms = auth == "ssh" ? [] : ["external"]
        default: mechanisms = [auth]
        }
        if s["auth"] == nil {
            switch protocolName {
            case "apop": mechanisms = ["apop"]
            case "rpop": mechanisms = ["rpop"]
            case "kpop": mechanisms = ["kerberos_v4"]
            case "etrn", "odmr": mechanisms = protocolName == "etrn" ? [] : ["password"]
            default: break
            }
        }
        e.set(\.auth, mechanisms, field: .auth, span: s["auth"]?.span)
        if let p = u["password"], !p.value.isEmpty {
            e.set(\.credential, .inline, field: .credential, span: p.span)
        } else if mechanisms.isEmpty {
            e.set(\.credential, CredentialKind.none, field: .credential, span: s["auth"]?.span)
        }
        e.markInherited(from: entry.fromDefaults)
        setup.endpoints.append(e)
    }

    /// A service name from /etc/services, for the mail services (aliases included).
    static func servicePort(_ name: String, ports: PortTable) -> Int? {
        let aliases = ["imap2": "imap", "pop-3": "pop3", "pop3s": "pop3s", "imaps": "imaps", "smtps": "submissions", "ssmtp": "submissions",
                       "pop-2": "pop2", "postoffice": "pop2", "mail": "smtp", "sieve": "managesieve"]
        let key = aliases[name.lowercased()] ?? name.lowercased()
        // Debian's /etc/services has no kpop or pop2 entry: fetchmail cannot resolve them.
        if key == "kpop" || key == "pop2" { return nil }
        return ports.port(service: key)
    }
}
