import Foundation
import MailAuditCore

/// OpenSMTPD's `smtpd.conf` (6.4+ grammar: `listen on`, `action`, `match`): its listeners and the
/// relays its `action … relay` lines connect to, with smtpd 6.8's defaults (smtpd.conf(5)).
/// Rules of the older grammars (`accept … deliver to`, `accept for any relay`, `map … { source … }`)
/// are reported as MA000 naming the obsolete syntax; their `listen on` lines are still read.
struct OpenSMTPDFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "opensmtpd",
        what: "OpenSMTPD 6.4 and later grammar (7.x `listen on` options), smtpd 6.8 defaults",
        names: ["smtpd.conf"],
        program: .fixed("OpenSMTPD 6.8"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        return name == "smtpd.conf" || name.hasSuffix(".smtpd.conf")
    }

    /// `listen on …` together with `action`/`match` (or the old `accept`) lines.
    func matches(content: SourceFile) -> Bool {
        var listen = false, rules = false
        for line in content.lines.prefix(2000) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("listen on ") { listen = true }
            if t.hasPrefix("match ") || t.hasPrefix("action ") || t.hasPrefix("accept ") { rules = true }
            if listen && rules { return true }
        }
        return false
    }

    /// `smtpd.conf` is also the Cyrus SASL file Postfix reads (`pwcheck_method: saslauthd`,
    /// `mech_list: plain login`): confirmed only by a statement of smtpd.conf(5) (of any version) and no
    /// `key: value` line.
    func confirms(content: SourceFile) -> Bool {
        var statement = false
        for line in content.lines.prefix(2000) {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard let first = t.split(whereSeparator: { $0 == " " || $0 == "\t" }).first, !first.hasPrefix("#") else { continue }
            if first.contains(":") { return false }  // `pwcheck_method: saslauthd`; no smtpd.conf statement starts so
            if OpenSMTPDParseState.statements.contains(String(first)) || OpenSMTPDParseState.obsolete[String(first)] != nil { statement = true }
        }
        return statement
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var parser = OpenSMTPDParseState(file: file, context: context)
        parser.read()
        return parser.setup.reporting(parser.diagnostics)
    }
}

struct SmtpdToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case word, quoted, symbol, newline }
    var kind: Kind
    var text: String
    var span: SourceSpan
}

/// The lexer of OpenSMTPD's parse.y: `#` comments to the end of the line, `\` + newline joins
/// lines, `"…"`/`'…'` strings (newlines allowed inside), `{ } < > , = ! ( )` as single tokens.
/// `$name` stays a word; the parser expands it (at the start of a token, never inside quotes).
struct SmtpdLexer {
    static let symbols: Set<Unicode.Scalar> = ["{", "}", "<", ">", ",", "=", "!", "(", ")"]

    static func tokens(_ file: SourceFile, diagnostics: inout Diagnostics) -> [SmtpdToken] {
        var out: [SmtpdToken] = []
        let path = file.path
        var lineIndex = 0
        var scalars: [Unicode.Scalar] = []
        var column = 0
        func loadLine() -> Bool {
            guard lineIndex < file.lines.count else { return false }
            scalars = Array(file.lines[lineIndex].unicodeScalars)
            column = 0
            lineIndex += 1
            return true
        }
        guard loadLine() else { return out }
        func newline() { out.append(SmtpdToken(kind: .newline, text: "\n", span: SourceSpan(path: path, line: lineIndex, column: scalars.count + 1))) }
        while true {
            if column >= scalars.count {
                newline()
                if !loadLine() { break }
                continue
            }
            let c = scalars[column]
            if c == " " || c == "\t" || c == "\u{0C}" || c == "\r" { column += 1; continue }
            if c == "\\", column == scalars.count - 1 {
                // continuation: the next line joins this one
                if !loadLine() { break }
                continue
            }
            if c == "#" { column = scalars.count; continue }
            let startLine = lineIndex, startColumn = column + 1
            if c == "\"" || c == "'" {
                var text = String.UnicodeScalarView()
                column += 1
                var closed = false
                var endLine = lineIndex, endColumn = column
                scan: while true {
                    while column < scalars.count {
                        let d = scalars[column]
                        if d == "\\", column + 1 < scalars.count, [c, " ", "\t"].contains(scalars[column + 1]) {
                            text.append(scalars[column + 1]); column += 2; continue
                        }
                        if d == c { column += 1; closed = true; endLine = lineIndex; endColumn = column + 1; break scan }
                        text.append(d)
                        column += 1
                    }
                    // the string goes on on the next line
                    if scalars.last == "\\", text.last == "\\" { text.removeLast() } else { text.append("\n") }
                    if !loadLine() { break scan }
                }
                let span = SourceSpan(path: path, line: startLine, column: startColumn, endLine: closed ? endLine : startLine, endColumn: closed ? endColumn : startColumn + 1)
                if !closed {
                    diagnostics.report("unterminated quoted string: the \(c == "\"" ? "double" : "single") quote opened here is never closed; smtpd refuses this file", at: span)
                    newline()
                    break
                }
                out.append(SmtpdToken(kind: .quoted, text: String(text), span: span))
                continue
            }
            if SmtpdLexer.symbols.contains(c) {
                out.append(SmtpdToken(kind: .symbol, text: String(c), span: SourceSpan(path: path, line: lineIndex, column: startColumn)))
                column += 1
                continue
            }
            var word = String.UnicodeScalarView()
            while column < scalars.count {
                let d = scalars[column]
                if d == " " || d == "\t" || d == "#" || d == "\"" || d == "'" || SmtpdLexer.symbols.contains(d) { break }
                if d == "\\", column == scalars.count - 1 { break }
                word.append(d)
                column += 1
            }
            let text = String(word)
            let span = SourceSpan(path: path, line: lineIndex, column: startColumn, endLine: lineIndex, endColumn: column + 1)
            out.append(SmtpdToken(kind: .word, text: text, span: span))
        }
        return out
    }
}

struct OpenSMTPDParseState {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let context: ParseContext
    var setup: MailSetup
    var macros: [String: [SmtpdToken]] = [:]
    var openFiles: [String] = []
    /// Names of the `action NAME relay …` lines, and the `match` rules, to decide what a listener serves.
    var relayActions: Set<String> = []
    var matchRules: [SmtpdMatchRule] = []
    static let maxIncludeDepth = 16

    static let statements: Set<String> = ["listen", "action", "match", "pki", "ca", "table", "smtp", "queue", "bounce", "srs",
                                          "filter", "proc", "proc-exec", "mda", "mta", "admd", "include"]
    /// Statements of the grammars before OpenSMTPD 6.4, and what replaced them.
    static let obsolete: [String: String] = [
        "accept": "this is OpenSMTPD's rule syntax from before 6.4 (`accept … deliver to …`, `accept … relay`), which smtpd 6.4 and later reject; write an `action NAME …` line and a `match … action NAME` line instead (e.g. `action \"relay\" relay` + `match from local for any action \"relay\"`)",
        "reject": "this is OpenSMTPD's rule syntax from before 6.4, which smtpd 6.4 and later reject; write `match … reject` instead",
        "map": "this is OpenSMTPD's table syntax from before 5.3 (`map NAME source …`), which current smtpd rejects; write `table NAME file:/path` (or `db:/path`) instead",
        "expire": "this is OpenSMTPD's syntax from before 6.4, which current smtpd rejects; use `queue ttl` instead",
        "certificate": "`certificate` is OpenSMTPD's syntax from before 5.4, which current smtpd rejects; use `pki NAME cert FILE` and `pki NAME key FILE`",
    ]

    init(file: SourceFile, context: ParseContext) {
        self.file = file
        self.context = context
        self.setup = MailSetup(path: file.path, format: OpenSMTPDFormat.description.id)
    }

    mutating func read() {
        read(file, depth: 0)
        directUnauthenticatedListeners()
    }

    /// A listener without `auth` on a submission port (587, 465, 2525) serves submission only when some
    /// `match` rule relays mail from clients that have not authenticated to any destination; otherwise it
    /// can only take mail for the server's own domains, like port 25: MTA-to-MTA relay, not submission.
    mutating func directUnauthenticatedListeners() {
        let relays = relayActions
        guard !matchRules.contains(where: { $0.relaysUnauthenticated(relayActions: relays) }) else { return }
        for i in setup.endpoints.indices where setup.endpoints[i].role == .server && setup.endpoints[i].direction == .outgoing
            && setup.endpoints[i].auth == [] {
            setup.endpoints[i].direction = .relay
        }
    }

    mutating func read(_ source: SourceFile, depth: Int) {
        openFiles.append(URL(fileURLWithPath: source.path).standardizedFileURL.path)
        defer { openFiles.removeLast() }
        let tokens = SmtpdLexer.tokens(source, diagnostics: &diagnostics)
        for raw in OpenSMTPDParseState.split(tokens) {
            // `$name` at the start of a token expands to the macro's value as defined so far.
            var statement: [SmtpdToken] = []
            for token in raw {
                guard token.kind == .word, token.text.hasPrefix("$"), token.text.count > 1 else { statement.append(token); continue }
                let name = String(token.text.dropFirst())
                if let value = macros[name] {
                    statement += value.map { SmtpdToken(kind: $0.kind, text: $0.text, span: token.span) }
                } else {
                    diagnostics.report("macro '\(name)' not defined; smtpd refuses this file", at: token.span)
                    statement.append(token)
                }
            }
            if OpenSMTPDParseState.isMacroDefinition(statement) {
                macros[statement[0].text] = OpenSMTPDParseState.macroValue(statement[2])
                continue
            }
            handle(statement, depth: depth)
        }
    }

    static func isMacroDefinition(_ s: [SmtpdToken]) -> Bool {
        s.count == 3 && s[0].kind == .word && s[1].kind == .symbol && s[1].text == "=" && !statements.contains(s[0].text) && obsolete[s[0].text] == nil
    }

    static func macroValue(_ token: SmtpdToken) -> [SmtpdToken] {
        // A quoted value is re-read as tokens when expanded (smtpd pushes the text back into the lexer).
        let words = token.text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        if words.isEmpty { return [SmtpdToken(kind: .quoted, text: "", span: token.span)] }
        return words.map { SmtpdToken(kind: .word, text: String($0), span: token.span) }
    }

    /// Statements: tokens up to a newline, except inside `{ … }` (tables may span lines).
    static func split(_ tokens: [SmtpdToken]) -> [[SmtpdToken]] {
        var out: [[SmtpdToken]] = []
        var current: [SmtpdToken] = []
        var depth = 0
        for token in tokens {
            if token.kind == .symbol, token.text == "{" { depth += 1 }
            if token.kind == .symbol, token.text == "}" { depth = max(0, depth - 1) }
            if token.kind == .newline {
                if depth == 0, !current.isEmpty { out.append(current); current = [] }
                continue
            }
            current.append(token)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    mutating func handle(_ s: [SmtpdToken], depth: Int) {
        guard let first = s.first else { return }
        if OpenSMTPDParseState.isMacroDefinition(s) { return }
        if first.kind != .word {
            diagnostics.report("syntax error: a statement starts with a keyword, found \"\(first.text)\"", at: first.span)
            return
        }
        switch first.text {
        case "include": include(s, depth: depth)
        case "listen": listen(s)
        case "action": action(s)
        case "match": matchRules.append(SmtpdMatchRule(s))
        case "pki" where s.count > 2 && s[2].text == "certificate":
            // `pki NAME certificate FILE` (before 6.4) is a syntax error for current smtpd.
            diagnostics.report("`pki … certificate` is OpenSMTPD's syntax from before 6.4, which current smtpd rejects; write `pki NAME cert FILE` and `pki NAME key FILE`", at: s[2].span)
        case "queue" where s.count > 2 && s[1].text == "encryption" && s[2].text == "key":
            // `queue encryption key KEY` (before 6.4); current smtpd takes `queue encryption [KEY]`.
            diagnostics.report("`queue encryption key …` is OpenSMTPD's syntax from before 6.4, which current smtpd rejects; write `queue encryption KEY`", at: s[2].span)
        default:
            if let why = OpenSMTPDParseState.obsolete[first.text] {
                var text = s.map { $0.kind == .quoted ? "\"\($0.text)\"" : $0.text }.joined(separator: " ")
                if text.count > 60 { text = String(text.prefix(57)) + "…" }
                diagnostics.report("`\(text)`: \(why)", at: first.span)
            } else if !OpenSMTPDParseState.statements.contains(first.text) {
                diagnostics.report("syntax error: unknown statement \"\(first.text)\"\(Suggestion.phrase(for: first.text, in: Array(OpenSMTPDParseState.statements)))", at: first.span)
            }
        }
    }

    mutating func include(_ s: [SmtpdToken], depth: Int) {
        guard s.count == 2, s[1].kind != .symbol else {
            diagnostics.report("syntax error: include takes one quoted path: include \"/etc/mail/other.conf\"", at: s[0].span)
            return
        }
        let path = s[1].text
        let resolved = path.hasPrefix("/") ? path : (file.path.folderPath as NSString).appendingPathComponent(path)
        let key = URL(fileURLWithPath: resolved).standardizedFileURL.path
        if openFiles.contains(key) {
            diagnostics.report("include loop: \(path) is already being read; not read again", at: s[1].span)
            return
        }
        if depth >= OpenSMTPDParseState.maxIncludeDepth {
            diagnostics.report("include nested more than \(OpenSMTPDParseState.maxIncludeDepth) deep; \(path) not read", at: s[1].span)
            return
        }
        do {
            switch try context.follow(path, from: file.path, at: s[1].span) {
            case .file(let included):
                if !setup.includedFiles.contains(included.path) { setup.includedFiles.append(included.path) }
                read(included, depth: depth + 1)
            case .notFollowed(let unfollowed): setup.unfollowedIncludes.append(unfollowed)
            case .limitReached: return
            }
        } catch {
            diagnostics.report("cannot include \(path): \(error.message)", at: s[1].span)
        }
    }

    func resolvePort(_ text: String) -> Int? {
        if let n = Int(text) { return (1...65535).contains(n) ? n : nil }
        switch text.lowercased() {
        case "smtps", "ssmtp", "urd": return context.ports.port(service: "submissions")
        default: return context.ports.port(service: text.lowercased())
        }
    }

    /// `<name>` at `i`: returns the index after it.
    func skipTable(_ s: [SmtpdToken], _ i: Int) -> Int? {
        guard i + 2 < s.count, s[i].text == "<", s[i + 2].text == ">" else { return nil }
        return i + 3
    }

    mutating func listen(_ s: [SmtpdToken]) {
        guard s.count >= 3, s[1].text == "on" else {
            diagnostics.report("syntax error: expected `listen on INTERFACE [options]`", at: s[0].span)
            return
        }
        let interface = s[2]
        if interface.text == "socket" { return }  // the local Unix socket: no network listener
        let location = SourceSpan(path: s[0].span.path, line: s[0].span.line, column: s[0].span.column,
                                  endLine: s.last!.span.endLine, endColumn: s.last!.span.endColumn)
        var e = Endpoint(role: .server, location: location)
        e.protocol = .smtp
        e.transport = .tcp
        if !["0.0.0.0", "::", "all", "*"].contains(interface.text) { e.set(\.host, interface.text, field: .host, span: interface.span) }
        // An address or host name says itself whether it is loopback; of interface names only the
        // loopback group `lo` (lo0, lo1, …) is; `all`, `egress` or `em0` reach the network.
        if LoopbackAddress.isLoopback(host: interface.text) != true {
            let name = interface.text.lowercased()
            e.loopback = name.hasPrefix("lo") && name.dropFirst(2).allSatisfy(\.isNumber)
        }
        var port: (Int, SourceSpan)?
        var smtps: SourceSpan?, tls: SourceSpan?, tlsRequire: SourceSpan?
        var auth: SourceSpan?, authOptional: SourceSpan?
        var greetingName: SmtpdToken?
        var i = 3
        if i < s.count, ["inet4", "inet6"].contains(s[i].text) { i += 1 }
        while i < s.count {
            let t = s[i]
            switch t.text {
            case "port":
                guard i + 1 < s.count, let p = resolvePort(s[i + 1].text) else {
                    diagnostics.report("invalid port: `port` needs a number from 1 to 65535 or a service name", at: i + 1 < s.count ? s[i + 1].span : t.span)
                    i += 2
                    continue
                }
                if port != nil { diagnostics.report("port already specified: a listener has one port", at: t.span) }
                port = (p, s[i + 1].span)
                i += 2
            case "smtps":
                smtps = t.span
                i += 1
                if i < s.count, s[i].text == "verify" { i += 1 }
            case "tls": tls = t.span; i += 1
            case "tls-require":
                tlsRequire = t.span
                i += 1
                if i < s.count, s[i].text == "verify" { i += 1 }
            case "auth", "auth-optional":
                if t.text == "auth" { auth = t.span } else { authOptional = t.span }
                i += 1
                if let next = skipTable(s, i) { i = next }
            case "filter":
                // `filter NAME`, or an inline chain `filter { "rdns", "fcrdns" }`.
                if i + 1 < s.count, s[i + 1].kind == .symbol, s[i + 1].text == "{" {
                    i += 2
                    while i < s.count, !(s[i].kind == .symbol && s[i].text == "}") { i += 1 }
                    i += 1
                } else {
                    i += 2
                }
            case "hostname":
                if i + 1 < s.count { greetingName = s[i + 1] }
                i += 2
            case "pki", "ca", "tag", "ciphers", "protocols":
                i += 2
            case "hostnames":
                i = skipTable(s, i + 1) ?? i + 2
            case "senders":
                i = skipTable(s, i + 1) ?? i + 2
                if i < s.count, s[i].text == "masquerade" { i += 1 }
            case "mask-src", "no-dsn", "proxy-v2", "received-auth":
                i += 1
            case "certificate":
                diagnostics.report(OpenSMTPDParseState.obsolete["certificate"]!, at: t.span)
                i += 2
            case "secure":
                diagnostics.report("`listen on … secure` is OpenSMTPD's syntax before 6.4; current smtpd rejects it: write one listener with `tls` (port 25 or 587) and one with `smtps` (port 465)", at: t.span)
                i += 1
            case "enable":
                diagnostics.report("`enable auth` is OpenSMTPD's syntax before 5.4; current smtpd rejects it: use `auth`", at: t.span)
                if i + 1 < s.count, s[i + 1].text == "auth" { auth = s[i + 1].span; i += 1 }
                i += 1
            default:
                diagnostics.report("syntax error: unknown listen option \"\(t.text)\"\(Suggestion.phrase(for: t.text, in: ["port", "smtps", "tls", "tls-require", "auth", "auth-optional", "pki", "ca", "ciphers", "protocols", "hostname", "hostnames", "filter", "tag", "senders", "mask-src", "no-dsn", "proxy-v2", "received-auth", "inet4", "inet6"]))", at: t.span)
                i += 1
            }
        }
        if smtps != nil, tls != nil || tlsRequire != nil {
            diagnostics.report("TLS mode already specified: smtps, tls and tls-require exclude each other", at: (tls ?? tlsRequire)!)
        }
        if auth != nil, authOptional != nil { diagnostics.report("auth already specified: auth and auth-optional exclude each other", at: authOptional!) }

        // Port: `port N`, else 465 with smtps, else 25.
        if let (p, span) = port {
            e.set(\.port, p, field: .port, span: span)
        } else {
            e.port = smtps != nil ? context.ports.port(service: "submissions") : context.ports.port(service: "smtp")
            e.portIsDefault = true
        }
        // Submission is a port meant for it or a listener that offers AUTH; any other listener
        // without `auth` is MTA-to-MTA relay or a hand-off (a filter's re-injection port). On a
        // submission port, the `match` rules decide (`directUnauthenticatedListeners`).
        let submissionPort = ["submission", "submissions", "alt-submission"].contains(context.ports.entry(for: e.port)?.service ?? "")
        e.direction = auth == nil && authOptional == nil && !submissionPort ? .relay : context.ports.listenerDirection(protocol: .smtp, port: e.port)

        if let span = smtps {
            e.set(\.tls, TLSMode.implicit, field: .tls, span: span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
        } else if let span = tlsRequire {
            e.set(\.tls, TLSMode.starttls, field: .tls, span: span)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
        } else if let span = tls {
            e.set(\.tls, TLSMode.starttls, field: .tls, span: span)
            // `auth` requires authentication before a transaction, and AUTH is only offered after
            // STARTTLS: nothing useful can happen without TLS.
            if let authSpan = auth { e.set(\.tlsRequired, true, field: .tlsRequired, span: authSpan) }
            else { e.set(\.tlsRequired, false, field: .tlsRequired, span: span) }
        } else {
            e.tls = TLSMode.none
            e.tlsRequired = false
        }
        if let span = auth ?? authOptional, e.tls == TLSMode.none {
            diagnostics.report("invalid listen option: auth requires tls/smtps (smtpd refuses this listener)", at: span)
        }
        // AUTH PLAIN and LOGIN, offered only once TLS is active.
        if let span = auth ?? authOptional {
            e.set(\.auth, ["plain", "login"], field: .auth, span: span)
            e.set(\.authRequired, auth != nil, field: .authRequired, span: span)
        } else {
            e.auth = []
            e.authRequired = false
        }
        e.allowsPlaintextAuth = false
        e.allowsVRFY = false  // smtpd has no VRFY command
        // The greeting is compiled in (smtp_session.c: "220 %s ESMTP OpenSMTPD"); only the name changes.
        let name = greetingName.flatMap { $0.kind == .symbol ? nil : $0.text } ?? "$hostname"
        e.banner = "\(name) ESMTP OpenSMTPD"
        e.directLoopbackListenerAsHandOff()
        setup.endpoints.append(e)
    }

    mutating func action(_ s: [SmtpdToken]) {
        guard s.count >= 3 else {
            diagnostics.report("syntax error: expected `action NAME METHOD [options]`", at: s[0].span)
            return
        }
        guard s[2].text == "relay" else { return }  // local delivery methods: no network endpoint
        relayActions.insert(s[1].text)
        let location = SourceSpan(path: s[0].span.path, line: s[0].span.line, column: s[0].span.column,
                                  endLine: s.last!.span.endLine, endColumn: s.last!.span.endColumn)
        var e = Endpoint(role: .client, location: location)
        e.account = s[1].text
        e.direction = .relay
        e.protocol = .smtp
        var url: (scheme: String, host: String, port: Int?, label: Bool, span: SourceSpan)?
        var tlsOption: SourceSpan?, noVerify: SourceSpan?, authTable: SourceSpan?
        var i = 3
        while i < s.count {
            let t = s[i]
            switch t.text {
            case "host":
                guard i + 1 < s.count else { diagnostics.report("syntax error: `host` needs a relay URL", at: t.span); i += 1; continue }
                url = parseRelayURL(s[i + 1])
                i += 2
            case "tls":
                tlsOption = t.span
                i += 1
                if i < s.count, s[i].text == "no-verify" { noVerify = s[i].span; i += 1 }
            case "auth":
                authTable = t.span
                i = skipTable(s, i + 1) ?? i + 2
            case "backup":
                i += 1
                if i < s.count, s[i].text == "mx" { i += 2 }
            case "helo", "pki", "ca", "mail-from":
                i += 2
            case "helo-src", "domain", "src":
                i = skipTable(s, i + 1) ?? i + 2
            case "srs":
                i += 1
            default:
                diagnostics.report("syntax error: unknown relay option \"\(t.text)\"\(Suggestion.phrase(for: t.text, in: ["host", "tls", "auth", "backup", "helo", "helo-src", "domain", "pki", "ca", "srs", "mail-from", "src"]))", at: t.span)
                i += 1
            }
        }
        if let url {
            e.set(\.host, url.host, field: .host, span: url.span)
            switch url.scheme {
            case "smtps":
                e.set(\.tls, TLSMode.implicit, field: .tls, span: url.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: url.span)
            case "smtp+tls":
                e.set(\.tls, TLSMode.starttls, field: .tls, span: url.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: url.span)
            case "smtp+notls":
                if tlsOption != nil {
                    // smtpd.conf(5) forbids `tls` with smtp+notls://, but smtpd accepts it: which one wins is not documented.
                    e.spans[.tls] = url.span
                } else {
                    e.set(\.tls, TLSMode.none, field: .tls, span: url.span)
                    e.set(\.tlsRequired, false, field: .tlsRequired, span: url.span)
                }
            case "lmtp":
                e.set(\.protocol, MailProtocol.lmtp, field: .protocol, span: url.span)
                e.set(\.tls, TLSMode.none, field: .tls, span: url.span)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: url.span)
            case "unknown":
                e.spans[.tls] = url.span
            default:
                e.set(\.tls, TLSMode.starttls, field: .tls, span: url.span)
                if let tlsOption { e.set(\.tlsRequired, true, field: .tlsRequired, span: tlsOption) }
                else { e.set(\.tlsRequired, false, field: .tlsRequired, span: url.span) }
            }
            if let p = url.port {
                e.set(\.port, p, field: .port, span: url.span)
            } else {
                e.port = url.scheme == "smtps" ? context.ports.port(service: "submissions") : (["lmtp", "unknown"].contains(url.scheme) ? nil : context.ports.port(service: "smtp"))
                e.portIsDefault = true
                if url.scheme == "lmtp" { diagnostics.report("invalid relay URL: lmtp:// needs a port", at: url.span) }
            }
        } else {
            // MX delivery: opportunistic STARTTLS on port 25, required with `tls`.
            e.port = context.ports.port(service: "smtp")
            e.portIsDefault = true
            e.tls = .starttls
            if let tlsOption { e.set(\.tlsRequired, true, field: .tlsRequired, span: tlsOption) } else { e.tlsRequired = false }
            if let authTable { diagnostics.report("auth may not be specified without host on a dispatcher: credentials are for a relay host", at: authTable) }
        }
        // Certificates are verified whenever TLS is mandatory, unless `tls no-verify`.
        if e.tlsRequired == true, e.tls != TLSMode.none {
            if let noVerify { e.set(\.verifyCertificate, false, field: .verifyCertificate, span: noVerify) }
            else { e.verifyCertificate = true; e.spans[.verifyCertificate] = tlsOption ?? url?.span }
        }
        if let authTable, url != nil {
            // The credentials table holds `label user:password` in clear text.
            e.set(\.auth, ["plain", "login"], field: .auth, span: authTable)
            e.set(\.credential, CredentialKind.file, field: .credential, span: authTable)
        } else {
            e.auth = []
            e.credential = CredentialKind.none
        }
        setup.endpoints.append(e)
    }

    /// `[proto://[label@]]host[:port]`.
    mutating func parseRelayURL(_ token: SmtpdToken) -> (scheme: String, host: String, port: Int?, label: Bool, span: SourceSpan)? {
        var text = token.text
        var scheme = "smtp"
        if let r = text.range(of: "://") {
            scheme = text[..<r.lowerBound].lowercased()
            text = String(text[r.upperBound...])
        }
        guard ["smtp", "smtp+tls", "smtp+notls", "smtps", "lmtp"].contains(scheme) else {
            // Schemes of older smtpd releases, which current smtpd no longer knows.
            let legacy = ["tls": "smtp+tls", "tls+auth": "smtp+tls", "smtps+auth": "smtps", "ssl": "smtps", "ssl+auth": "smtps", "secure": "smtps", "secure+auth": "smtps"]
            let hint = legacy[scheme].map { " — \"\(scheme)\" is a scheme of older OpenSMTPD releases that current smtpd rejects when it relays: write \($0)://" } ?? Suggestion.phrase(for: scheme, in: ["smtp", "smtp+tls", "smtp+notls", "smtps", "lmtp"])
            diagnostics.report("invalid relay URL scheme \"\(scheme)\": smtp, smtp+tls, smtp+notls, smtps or lmtp\(hint)", at: token.span)
            return relayURLParts(scheme: "unknown", text, token)
        }
        return relayURLParts(scheme: scheme, text, token)
    }

    mutating func relayURLParts(scheme: String, _ original: String, _ token: SmtpdToken) -> (scheme: String, host: String, port: Int?, label: Bool, span: SourceSpan)? {
        var text = original
        var label = false
        if let at = text.lastIndex(of: "@") { label = true; text = String(text[text.index(after: at)...]) }
        var port: Int?
        var host = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) }
        } else if let colon = text.lastIndex(of: ":"), text.filter({ $0 == ":" }).count == 1 {
            host = String(text[..<colon])
            guard let p = Int(text[text.index(after: colon)...]), (1...65535).contains(p) else {
                diagnostics.report("invalid relay URL: the port after ':' must be a number from 1 to 65535", at: token.span)
                return (scheme, host, nil, label, token.span)
            }
            port = p
        }
        return (scheme, host, port, label, token.span)
    }
}
