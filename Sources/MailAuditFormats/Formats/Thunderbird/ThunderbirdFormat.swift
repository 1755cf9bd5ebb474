import Foundation
import MailAuditCore

/// Thunderbird `prefs.js` / `user.js` (FORMATS §9): `user_pref("name", value);` statements.
/// Incoming servers (`mail.server.serverN.*`, only types imap and pop3 are mail endpoints),
/// outgoing servers (`mail.smtpserver.smtpN.*`), and identities (`mail.identity.idN.*`) for content
/// encryption. Absent prefs take `mail.server.default.*` / `mail.smtpserver.default.*` from the
/// file, else Thunderbird's built-in defaults (socketType/try_ssl 0 = no TLS, authMethod 3 =
/// cleartext password, port by protocol and socket type). A broken statement is reported and
/// the rest of the file is still read.
///
/// `user.js` and `prefs.js` are read on their own: Thunderbird copies `user.js` values into
/// `prefs.js` when it exits, so merging them would report the same setting twice.
struct ThunderbirdFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "thunderbird",
        what: "Thunderbird / Mozilla prefs (Thunderbird 140 ESR)",
        names: ["prefs.js", "user.js"],
        commentMarkers: ["//", "/*", "#"],
        fenceLanguage: "js",
        program: .fixed("Thunderbird 140"))

    /// `prefs.js` and `user.js` — but only when the file really holds prefs: both names are common
    /// in JavaScript projects, and a walk must not read `src/user.js` as a Thunderbird profile.
    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        guard name == "prefs.js" || name == "user.js" else { return false }
        // Unreadable or not a regular file (a FIFO named prefs.js): claim it, reading it says what is wrong.
        guard let bytes = FileReading.head(of: path, count: 65_536) else { return true }
        let head = String(decoding: bytes, as: UTF8.self)
        return head.contains("pref(") || head.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// Files whose lines call `user_pref(` / `pref(` (a profile's prefs under another name).
    func matches(content: SourceFile) -> Bool {
        content.lines.prefix(2000).contains { line in
            let t = line.drop { $0 == " " || $0 == "\t" }
            return t.hasPrefix("user_pref(") || t.hasPrefix("pref(\"") || t.hasPrefix("sticky_pref(")
        }
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        let setup = MailSetup(path: file.path, format: id)
        var lexer = PrefsSyntax(file: file)
        lexer.parse()
        var reader = ThunderbirdMapper(file: file, ports: context.ports, prefs: lexer.prefs, setup: setup, diagnostics: lexer.diagnostics)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

/// A pref value as prefs.js writes it.
enum PrefValue: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)

    var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        }
    }
}

/// One pref as the file sets it: the value that counts, where it is, the statement's start, and
/// earlier settings of the same pref that it overrides.
struct PrefEntry {
    var value: PrefValue
    var span: SourceSpan
    var statement: SourceSpan
    var overridden: [SourceSpan] = []
    var order: Int
}

/// The prefs of a file: `user_pref` beats `pref` (a default), and a later statement beats an earlier one.
struct PrefStore {
    var user: [String: PrefEntry] = [:]
    var defaults: [String: PrefEntry] = [:]

    subscript(name: String) -> PrefEntry? { user[name] ?? defaults[name] }
    var names: [String] { Array(Set(user.keys).union(defaults.keys)) }
}

/// The lexer and parser of prefs.js syntax (Firefox's libpref grammar): `pref`, `user_pref` and
/// `sticky_pref` calls with a string name and a string, integer or boolean value, optional
/// `locked`/`sticky` attributes, `//`, `#` and `/* */` comments. A statement with an error is not
/// applied; reading resumes after the next `;` or at the next line.
struct PrefsSyntax {
    let file: SourceFile
    let scalars: [Unicode.Scalar]
    var index = 0
    var line = 1
    var column = 1
    var prefs = PrefStore()
    var diagnostics = Diagnostics()
    var order = 0

    init(file: SourceFile) {
        self.file = file
        self.scalars = Array(file.text.unicodeScalars)
    }

    struct Failure: Error { var message: String; var line: Int; var column: Int }

    var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
    func peek(_ offset: Int) -> Unicode.Scalar? { index + offset < scalars.count ? scalars[index + offset] : nil }

    mutating func advance() {
        guard index < scalars.count else { return }
        if scalars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    /// Skips blanks and comments; an unterminated `/*` is an error that ends the file.
    mutating func skipTrivia() throws(Failure) {
        while let ch = current {
            if ch == " " || ch == "\t" || ch == "\n" || ch == "\r" || ch == "\u{FEFF}" || ch == "\u{0B}" || ch == "\u{0C}" {
                advance()
            } else if ch == "#" || (ch == "/" && peek(1) == "/") {
                while let c = current, c != "\n" { advance() }
            } else if ch == "/" && peek(1) == "*" {
                let (l, c) = (line, column)
                advance(); advance()
                while current != nil, !(current == "*" && peek(1) == "/") { advance() }
                guard current != nil else { throw Failure(message: "comment '/*' is not closed with '*/'", line: l, column: c) }
                advance(); advance()
            } else {
                return
            }
        }
    }

    mutating func parse() {
        while true {
            do {
                try skipTrivia()
            } catch {
                diagnostics.report(problem(error))
                return
            }
            guard current != nil else { return }
            let statementStart = (line, column)
            do {
                try statement(start: statementStart)
            } catch {
                diagnostics.report(problem(error))
                recover()
            }
        }
    }

    func problem(_ f: Failure) -> ParseProblem {
        ParseProblem(f.message + "; this statement is ignored", path: file.path, span: SourceSpan(path: file.path, line: f.line, column: f.column))
    }

    /// After an error: on to just past the next `;`, but not beyond the end of the line.
    mutating func recover() {
        while let ch = current, ch != "\n" {
            advance()
            if ch == ";" { return }
        }
    }

    mutating func statement(start: (Int, Int)) throws(Failure) {
        let (fl, fc) = (line, column)
        let function = identifier()
        guard ["pref", "user_pref", "sticky_pref"].contains(function) else {
            if function.isEmpty {
                throw Failure(message: "expected user_pref(\"name\", value); found '\(current.map(String.init) ?? "")'", line: fl, column: fc)
            }
            throw Failure(message: "expected pref, user_pref or sticky_pref, found '\(function)'\(Suggestion.phrase(for: function, in: ["user_pref", "pref", "sticky_pref"]))", line: fl, column: fc)
        }
        try expect("(", after: function)
        try skipTrivia()
        guard current == "\"" || current == "'" else { throw Failure(message: "expected the pref name as a quoted string", line: line, column: column) }
        let (name, _) = try string()
        try expect(",", after: "the pref name")
        try skipTrivia()
        let (vl, vc) = (line, column)
        let startIndex = index
        let value = try value()
        let valueSpan = SourceSpan(path: file.path, line: vl, column: vc, endLine: line, endColumn: line == vl ? vc + (index - startIndex) : column)
        try skipTrivia()
        while current == "," {
            advance()
            try skipTrivia()
            let (al, ac) = (line, column)
            let attribute = identifier()
            guard attribute == "locked" || attribute == "sticky" else {
                throw Failure(message: "expected ')' or the attribute locked or sticky, found '\(attribute.isEmpty ? current.map(String.init) ?? "end of file" : attribute)'", line: al, column: ac)
            }
            try skipTrivia()
        }
        try expect(")", after: "the value")
        try expect(";", after: "')'")
        let statement = SourceSpan(path: file.path, line: start.0, column: start.1, endLine: line, endColumn: column)
        order += 1
        var entry = PrefEntry(value: value, span: valueSpan, statement: statement, order: order)
        if function == "user_pref" {
            if let old = prefs.user[name] { entry.overridden = old.overridden + [old.span] }
            prefs.user[name] = entry
        } else {
            if let old = prefs.defaults[name] { entry.overridden = old.overridden + [old.span] }
            prefs.defaults[name] = entry
        }
    }

    mutating func identifier() -> String {
        var out = ""
        while let ch = current, ch.properties.isAlphabetic || ch == "_" || (("0"..."9").contains(ch) && !out.isEmpty) {
            out.unicodeScalars.append(ch)
            advance()
        }
        return out
    }

    mutating func expect(_ ch: Unicode.Scalar, after what: String) throws(Failure) {
        try skipTrivia()
        guard current == ch else {
            let found = current.map { $0 == "\n" ? "end of line" : "'\($0)'" } ?? "end of file"
            throw Failure(message: "expected '\(ch)' after \(what), found \(found)", line: line, column: column)
        }
        advance()
    }

    mutating func value() throws(Failure) -> PrefValue {
        let (l, c) = (line, column)
        guard let ch = current else { throw Failure(message: "expected a value, found end of file", line: l, column: c) }
        if ch == "\"" || ch == "'" { return .string(try string().0) }
        if ch == "-" || ch == "+" || ("0"..."9").contains(ch) {
            var text = ""
            if ch == "-" || ch == "+" { text.unicodeScalars.append(ch); advance() }
            while let d = current, ("0"..."9").contains(d) { text.unicodeScalars.append(d); advance() }
            guard let n = Int32(text) else {
                throw Failure(message: "'\(text)' is not an integer a pref can hold (32-bit)", line: l, column: c)
            }
            return .int(Int(n))
        }
        let word = identifier()
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default:
            throw Failure(message: "expected a value (a quoted string, an integer, true or false), found '\(word.isEmpty ? String(ch) : word)'", line: l, column: c)
        }
    }

    /// A quoted string with JavaScript escapes (`\"`, `\'`, `\\`, `\n`, `\r`, `\xNN`, `\uNNNN`).
    /// A line break before the closing quote is an error (prefs.js never writes one).
    mutating func string() throws(Failure) -> (String, SourceSpan) {
        let (l, c) = (line, column)
        let quote = current!
        advance()
        var out = String.UnicodeScalarView()
        var pendingHigh: UInt32?
        while true {
            guard let ch = current, ch != "\n" else {
                throw Failure(message: "string is not closed: \(String(quote)) expected before the end of the \(current == nil ? "file" : "line")", line: l, column: c)
            }
            if ch == quote { advance(); break }
            if ch == "\\" {
                let (el, ec) = (line, column)
                advance()
                guard let e = current, e != "\n" else { continue }
                advance()
                switch e {
                case "\"", "'", "\\": out.append(e)
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "x", "u":
                    let count = e == "x" ? 2 : 4
                    var hex = ""
                    for _ in 0..<count {
                        guard let h = current, h.properties.isASCIIHexDigit else {
                            throw Failure(message: "\\\(e) must be followed by \(count) hex digits", line: el, column: ec)
                        }
                        hex.unicodeScalars.append(h)
                        advance()
                    }
                    let code = UInt32(hex, radix: 16)!
                    if (0xD800...0xDBFF).contains(code) { pendingHigh = code; continue }
                    if (0xDC00...0xDFFF).contains(code), let high = pendingHigh {
                        let combined = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                        if let s = Unicode.Scalar(combined) { out.append(s) }
                        pendingHigh = nil
                        continue
                    }
                    guard let s = Unicode.Scalar(code) else {
                        throw Failure(message: "\\\(e)\(hex) is not a Unicode character", line: el, column: ec)
                    }
                    out.append(s)
                default:
                    throw Failure(message: "unknown escape '\\\(e)' in a string (prefs.js knows \\\" \\' \\\\ \\n \\r \\x \\u)", line: el, column: ec)
                }
                continue
            }
            out.append(ch)
            advance()
        }
        return (String(out), SourceSpan(path: file.path, line: l, column: c, endLine: line, endColumn: column))
    }
}

private struct ThunderbirdMapper {
    let file: SourceFile
    let ports: PortTable
    let prefs: PrefStore
    var setup: MailSetup
    var diagnostics: Diagnostics
    /// Every object (`mail.server.server1`, `mail.identity.id1`, …) with its first statement, found in one pass.
    let objects: [ObjectKey: (order: Int, statement: SourceSpan)]

    /// The prefs every server reads unless it sets its own (the `default` branches, the global
    /// minimum TLS version): a field they decide is inherited, so its finding is reported once, there.
    var shared: Set<SourceSpan> = []

    static func isShared(_ pref: String) -> Bool {
        pref.hasPrefix("mail.server.default.") || pref.hasPrefix("mail.smtpserver.default.") || pref.hasPrefix("mail.outgoingserver.default.")
            || pref == "security.tls.version.min" || pref == "security.tls.version.enable-deprecated"
    }

    struct ObjectKey: Hashable { var branch: String; var key: String }
    static let branches = ["mail.server", "mail.smtpserver", "mail.outgoingserver", "mail.identity", "mail.account"]

    init(file: SourceFile, ports: PortTable, prefs: PrefStore, setup: MailSetup, diagnostics: Diagnostics) {
        self.file = file
        self.ports = ports
        self.prefs = prefs
        self.setup = setup
        self.diagnostics = diagnostics
        var objects: [ObjectKey: (order: Int, statement: SourceSpan)] = [:]
        for (name, entry) in prefs.user.merging(prefs.defaults, uniquingKeysWith: { user, _ in user }) {
            // mail.<kind>.<key>.<field>: the branch is the first two parts.
            let parts = name.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "mail" else { continue }
            let branch = "mail.\(parts[1])"
            guard Self.branches.contains(branch), !parts[2].isEmpty, parts[2] != "default" else { continue }
            let key = ObjectKey(branch: branch, key: String(parts[2]))
            if let known = objects[key], known.order <= entry.order { continue }
            objects[key] = (entry.order, entry.statement)
        }
        self.objects = objects
    }

    /// socketType / try_ssl numbers (MailNewsTypes2.idl): TLS mode and whether TLS is required.
    static let socketTypes: [Int: (TLSMode, Bool, String)] = [
        0: (TLSMode.none, false, "plain"), 1: (.starttls, false, "trySTARTTLS, opportunistic"),
        2: (.starttls, true, "alwaysSTARTTLS"), 3: (.implicit, true, "SSL/TLS"),
    ]
    /// authMethod numbers (nsMsgAuthMethod) and the mechanisms they mean.
    static let authMethods: [Int: [String]] = [
        1: [], 2: ["login"], 3: ["plain"], 4: ["cram-md5"], 5: ["gssapi"], 6: ["ntlm"], 7: ["external"],
        8: ["cram-md5"], 9: ["password"], 10: ["oauth2"],
    ]
    static let builtInSocketType = 0
    static let builtInAuthMethod = 3

    /// The object keys under a prefix (`mail.server.` → server1, server2), in the order the file first names them.
    func keys(under prefix: String) -> [String] {
        let branch = String(prefix.dropLast())
        return objects.compactMap { $0.key.branch == branch ? ($0.key.key, $0.value.order) : nil }
            .sorted { $0.1 < $1.1 }.map(\.0)
    }

    func list(_ name: String) -> [String] {
        guard case .string(let s)? = prefs[name]?.value else { return [] }
        return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A per-object pref, else the `default` branch of the file.
    func pref(_ branch: String, _ key: String, _ field: String) -> PrefEntry? {
        prefs["\(branch).\(key).\(field)"] ?? prefs["\(branch).default.\(field)"]
    }

    mutating func int(_ entry: PrefEntry?, _ what: String) -> Int? {
        guard let entry else { return nil }
        switch entry.value {
        case .int(let i): return i
        case .string(let s) where Int(s) != nil: return Int(s)
        default:
            diagnostics.report("\(what) must be an integer, found \(entry.value.description)", at: entry.span)
            return nil
        }
    }

    func string(_ entry: PrefEntry?) -> String? {
        guard let entry, case .string(let s) = entry.value, !s.isEmpty else { return nil }
        return s
    }

    /// The block an object's findings point at when a default decided them: its first statement.
    func firstStatement(_ branch: String, _ key: String) -> SourceSpan {
        objects[ObjectKey(branch: branch, key: key)]?.statement ?? SourceSpan(path: file.path, line: 1, column: 1)
    }

    mutating func read() {
        let minTLS = globalMinTLS()
        shared = Set(prefs.names.filter(Self.isShared).compactMap { prefs[$0]?.span })
        // Account names: the server's name pref, else its account key.
        var accountOfServer: [String: String] = [:]
        var accountOfIdentity: [String: String] = [:]
        for account in keys(under: "mail.account.") {
            if let server = string(prefs["mail.account.\(account).server"]) { accountOfServer[server] = account }
            for identity in list("mail.account.\(account).identities") { accountOfIdentity[identity] = account }
        }
        var nameOfAccount: [String: String] = [:]
        for key in keys(under: "mail.server.") {
            let name = string(prefs["mail.server.\(key).name"]) ?? accountOfServer[key] ?? key
            if let account = accountOfServer[key] { nameOfAccount[account] = name }
            readIncoming(key, name: name, minTLS: minTLS)
        }
        // Outgoing servers, named by their description or the first account that sends through them.
        var accountOfSMTP: [String: String] = [:]
        let defaultSMTP = string(prefs["mail.smtp.defaultserver"])
        for identity in keys(under: "mail.identity.") {
            guard let smtp = string(prefs["mail.identity.\(identity).smtpServer"]) ?? defaultSMTP,
                  let account = accountOfIdentity[identity], accountOfSMTP[smtp] == nil else { continue }
            accountOfSMTP[smtp] = nameOfAccount[account] ?? account
        }
        for branch in ["mail.smtpserver", "mail.outgoingserver"] {
            var smtpKeys = keys(under: "\(branch).")
            for listed in list(branch == "mail.smtpserver" ? "mail.smtpservers" : "mail.outgoingservers") where !smtpKeys.contains(listed) {
                smtpKeys.append(listed)
            }
            for key in smtpKeys {
                let name = string(prefs["\(branch).\(key).description"]) ?? accountOfSMTP[key] ?? key
                readOutgoing(branch, key, name: name, minTLS: minTLS)
            }
        }
        for identity in keys(under: "mail.identity.") {
            readIdentity(identity)
        }
    }

    /// `security.tls.version.min` (1 TLS 1.0 … 4 TLS 1.3), or TLS 1.0 allowed by `…enable-deprecated`.
    mutating func globalMinTLS() -> (TLSVersion, SourceSpan)? {
        if let entry = prefs["security.tls.version.min"], let n = int(entry, "security.tls.version.min") {
            let versions: [Int: TLSVersion] = [0: .ssl3, 1: .tls10, 2: .tls11, 3: .tls12, 4: .tls13]
            if let v = versions[n] { return (v, entry.span) }
            diagnostics.report("security.tls.version.min must be 1 (TLS 1.0) to 4 (TLS 1.3), found \(n)", at: entry.span)
        }
        if let entry = prefs["security.tls.version.enable-deprecated"], entry.value == .bool(true) {
            return (.tls10, entry.span)
        }
        return nil
    }

    /// socketType (or try_ssl) into tls and tlsRequired; nil span when a built-in default decided.
    mutating func applySocketType(_ e: inout Endpoint, entry: PrefEntry?, pref: String, legacySSL: PrefEntry? = nil) {
        var number = Self.builtInSocketType
        var span: SourceSpan?
        if let entry, let n = int(entry, pref) {
            number = n
            span = entry.span
            for old in entry.overridden { e.addRelated(old, for: .tls) }
        } else if let legacySSL, legacySSL.value == .bool(true) {
            number = 3  // isSecure = true: SSL, from profiles older than socketType
            span = legacySSL.span
        }
        guard let (mode, required, _) = Self.socketTypes[number] else {
            if let span { diagnostics.report("\(pref) must be 0 (plain), 1 (STARTTLS if available), 2 (STARTTLS) or 3 (SSL/TLS), found \(number)", at: span) }
            return
        }
        e.set(\.tls, mode, field: .tls, span: span)
        e.set(\.tlsRequired, required, field: .tlsRequired, span: span)
        if mode != TLSMode.none { e.verifyCertificate = true }  // Thunderbird always checks; exceptions live in cert_override.txt
    }

    mutating func applyAuthMethod(_ e: inout Endpoint, entry: PrefEntry?, pref: String) {
        var number = Self.builtInAuthMethod
        var span: SourceSpan?
        if let entry, let n = int(entry, pref) { number = n; span = entry.span }
        guard let mechanisms = Self.authMethods[number] else {
            if let span { diagnostics.report("\(pref) must be a number from 1 (no authentication) to 10 (OAuth2), found \(number)", at: span) }
            return
        }
        e.set(\.auth, mechanisms, field: .auth, span: span)
        if mechanisms.isEmpty { e.credential = CredentialKind.none }
    }

    mutating func readIncoming(_ key: String, name: String, minTLS: (TLSVersion, SourceSpan)?) {
        let branch = "mail.server"
        guard let typeEntry = prefs["\(branch).\(key).type"], case .string(let type) = typeEntry.value else { return }
        let proto: MailProtocol
        switch type {
        case "imap": proto = .imap
        case "pop3": proto = .pop3
        case "none", "rss", "nntp", "movemail", "im", "exquilla", "owl", "ews", "graph": return  // not a mail server of the model
        default:
            diagnostics.report("mail.server.\(key).type '\(type)' is not a server type Thunderbird knows (imap, pop3, nntp, none, rss)\(Suggestion.phrase(for: type, in: ["imap", "pop3"]))", at: typeEntry.span)
            return
        }
        var e = Endpoint(role: .client, location: typeEntry.statement)
        e.account = name
        e.direction = .incoming
        e.set(\.protocol, proto, field: .protocol, span: typeEntry.span)
        readHost(&e, branch: branch, key: key, hostField: "hostname")
        applySocketType(&e, entry: pref(branch, key, "socketType"), pref: "mail.server.\(key).socketType",
                        legacySSL: prefs["\(branch).\(key).isSecure"])
        readPort(&e, branch: branch, key: key)
        applyAuthMethod(&e, entry: pref(branch, key, "authMethod"), pref: "mail.server.\(key).authMethod")
        if let (version, span) = minTLS, e.tls != TLSMode.none { e.set(\.minTLSVersion, version, field: .minTLSVersion, span: span) }
        e.markInherited(from: shared)
        setup.endpoints.append(e)
    }

    mutating func readOutgoing(_ branch: String, _ key: String, name: String, minTLS: (TLSVersion, SourceSpan)?) {
        let hostEntry = prefs["\(branch).\(key).hostname"]
        var e = Endpoint(role: .client, location: hostEntry?.statement ?? firstStatement(branch, key))
        e.account = name
        e.direction = .outgoing
        e.protocol = .smtp
        readHost(&e, branch: branch, key: key, hostField: "hostname")
        let socket = prefs["\(branch).\(key).try_ssl"] ?? prefs["\(branch).\(key).socketType"] ?? prefs["\(branch).default.try_ssl"]
        applySocketType(&e, entry: socket, pref: "\(branch).\(key).try_ssl")
        readPort(&e, branch: branch, key: key)
        applyAuthMethod(&e, entry: pref(branch, key, "authMethod"), pref: "\(branch).\(key).authMethod")
        if let (version, span) = minTLS, e.tls != TLSMode.none { e.set(\.minTLSVersion, version, field: .minTLSVersion, span: span) }
        e.markInherited(from: shared)
        setup.endpoints.append(e)
    }

    /// `hostname`, or `realhostname` when set (the host actually connected to after a rename).
    mutating func readHost(_ e: inout Endpoint, branch: String, key: String, hostField: String) {
        let host = prefs["\(branch).\(key).\(hostField)"]
        if let real = prefs["\(branch).\(key).realhostname"], let value = string(real) {
            e.set(\.host, value, field: .host, span: real.span)
            if let host { e.addRelated(host.span, for: .host) }
        } else if let host, let value = string(host) {
            e.set(\.host, value, field: .host, span: host.span)
            for old in host.overridden { e.addRelated(old, for: .host) }
        }
    }

    /// `port`; absent, 0 or -1 means the protocol's port for the socket type (IMAP 143/993,
    /// POP3 110/995, SMTP 587/465).
    mutating func readPort(_ e: inout Endpoint, branch: String, key: String) {
        if let entry = prefs["\(branch).\(key).port"] {
            // Not a number: reported, and the port is unknown rather than the default.
            guard let n = int(entry, "\(branch).\(key).port") else { e.spans[.port] = entry.span; return }
            if n > 0 {
                guard n <= 65535 else {
                    diagnostics.report("\(branch).\(key).port must be a port number from 1 to 65535, found \(n)", at: entry.span)
                    e.spans[.port] = entry.span
                    return
                }
                e.set(\.port, n, field: .port, span: entry.span)
                for old in entry.overridden { e.addRelated(old, for: .port) }
                return
            }
        }
        guard let proto = e.protocol, let tls = e.tls else { return }
        e.port = ports.defaultPort(for: proto, tls: tls, direction: e.direction)
        e.portIsDefault = e.port != nil
    }

    /// Content encryption of an identity: `encryptionpolicy` 2 is always; 0 (the default) with an
    /// OpenPGP key or S/MIME certificate set up is per-message (or opportunistic when
    /// `mail.e2ee.auto_enable` turns it on automatically); no key at all is never.
    mutating func readIdentity(_ key: String) {
        let branch = "mail.identity"
        let name = string(prefs["\(branch).\(key).useremail"]) ?? string(prefs["\(branch).\(key).fullName"]) ?? key
        var identity = Identity(name: name, contentEncryption: nil, location: firstStatement(branch, key))
        let policyEntry = pref(branch, key, "encryptionpolicy")
        let policy = int(policyEntry, "\(branch).\(key).encryptionpolicy") ?? 0
        let keyEntry = [prefs["\(branch).\(key).openpgp_key_id"], prefs["\(branch).\(key).encryption_cert_name"]]
            .compactMap { $0 }.first { string($0) != nil }
        switch policy {
        case 2:
            identity.contentEncryption = .always
            identity.spans["contentEncryption"] = policyEntry?.span
        case 1:
            identity.contentEncryption = .opportunistic  // legacy "encrypt if possible"
            identity.spans["contentEncryption"] = policyEntry?.span
        case 0:
            if let keyEntry {
                if let auto = prefs["mail.e2ee.auto_enable"], auto.value == .bool(true) {
                    identity.contentEncryption = .opportunistic
                    identity.spans["contentEncryption"] = auto.span
                } else {
                    identity.contentEncryption = .perMessage
                    identity.spans["contentEncryption"] = policyEntry?.span ?? keyEntry.span
                }
            } else {
                identity.contentEncryption = .never
                identity.spans["contentEncryption"] = policyEntry?.span
            }
        default:
            if let span = policyEntry?.span { diagnostics.report("\(branch).\(key).encryptionpolicy must be 0 (never) or 2 (require encryption), found \(policy)", at: span) }
        }
        setup.identities.append(identity)
    }
}
