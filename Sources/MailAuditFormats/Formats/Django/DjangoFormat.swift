import Foundation
import MailAuditCore

/// Django `EMAIL_*` settings in `settings.py` (FORMATS.md §19): simple top-level assignments of
/// literal values. A value computed by code (`os.environ[…]`, `env(…)`, an f-string, a name) is
/// set but unknown: the model says null, it does not guess. The same settings in env files
/// (`EMAIL_HOST=…`) are read by the dotenv format through `DjangoMail`.
struct DjangoFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "django",
        what: "Django 5.2 `EMAIL_*` literal assignments",
        names: ["settings.py", "settings/*.py"],
        fenceLanguage: "python",
        program: .fixed("Django 5.2"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if name == "settings.py" { return true }
        // A `settings/` package: settings/base.py, settings/production.py, …
        guard name.hasSuffix(".py") else { return false }
        let parent = (path.folderPath as NSString).lastPathComponent.lowercased()
        return parent == "settings"
    }

    /// Python with a top-level `EMAIL_HOST`/`EMAIL_BACKEND`/… assignment.
    func matches(content: SourceFile) -> Bool {
        content.lines.prefix(2000).contains { line in
            guard line.hasPrefix("EMAIL_") else { return false }
            let name = line.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
            return DjangoMail.settingNames.contains(String(name)) && line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).hasPrefix("=")
        }
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: id)
        let module = PythonAssignments(file)
        var diagnostics = module.diagnostics
        var mail = DjangoMail()
        var location: SourceSpan?
        for name in DjangoMail.settingNames {
            guard let a = module.assignments.last(where: { $0.name == name }) else { continue }
            let value: DjangoMail.Value
            switch a.value {
            case .some(.string(let s)): value = .text(s)
            case .some(.int(let i)): value = .int(i)
            case .some(.bool(let b)): value = .bool(b)
            case .some(.none): value = .none
            case nil: value = .computed
            }
            mail.settings[name] = DjangoMail.Setting(value: value, span: a.valueSpan, overridden: module.assignments.filter { $0.name == name }.dropLast().map(\.valueSpan))
            if location == nil || a.line < location!.line { location = a.statementSpan }
        }
        guard mail.configuresMail, let location else { return setup.reporting(diagnostics) }
        mail.endpoint(account: "django", location: location, ports: context.ports, path: file.path, into: &setup, diagnostics: &diagnostics)
        return setup.reporting(diagnostics)
    }
}

/// Django's SMTP backend (`django.core.mail.backends.smtp.EmailBackend`), whatever the source of
/// its settings: Python literals or env variables of the same names (netbox-docker, healthchecks,
/// wger, …; django-environ's `EMAIL_URL`).
struct DjangoMail {
    enum Value: Equatable {
        case text(String), int(Int), bool(Bool), none
        /// Written, but computed by code or by the environment: unknown.
        case computed
    }

    struct Setting {
        var value: Value
        var span: SourceSpan
        var overridden: [SourceSpan] = []
    }

    static let settingNames = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
                               "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_SSL_CERTFILE", "EMAIL_SSL_KEYFILE"]
    /// The names that say an SMTP connection is configured (EMAIL_BACKEND alone may name a non-SMTP backend).
    static let connectionNames = ["EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"]

    var settings: [String: Setting] = [:]

    var configuresMail: Bool {
        if DjangoMail.connectionNames.contains(where: { settings[$0] != nil }) { return true }
        if case .text(let b)? = settings["EMAIL_BACKEND"]?.value { return b.hasSuffix("smtp.EmailBackend") }
        return false
    }

    /// The endpoint Django's SMTP backend connects to, with Django's defaults
    /// (`django.conf.global_settings`: localhost, port 25, no TLS, no login) for what is not set.
    func endpoint(account: String?, location: SourceSpan, ports: PortTable, path: String, into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        // console, file, locmem and dummy backends send nothing; a custom backend is not modelled.
        if let backend = settings["EMAIL_BACKEND"], case .text(let b) = backend.value, !b.hasSuffix("smtp.EmailBackend") { return }
        var e = Endpoint(role: .client, location: location)
        e.account = account
        e.direction = .outgoing
        e.protocol = .smtp
        func related(_ name: String, _ field: Endpoint.Field) {
            for span in settings[name]?.overridden ?? [] { e.addRelated(span, for: field) }
        }

        switch settings["EMAIL_HOST"] {
        case nil: e.host = "localhost"
        case .some(let s):
            if case .text(let h) = s.value, !h.isEmpty { e.set(\.host, h, field: .host, span: s.span) } else { e.spans[.host] = s.span }
            related("EMAIL_HOST", .host)
        }

        let useTLS = flag("EMAIL_USE_TLS", into: &setup, diagnostics: &diagnostics, path: path)
        let useSSL = flag("EMAIL_USE_SSL", into: &setup, diagnostics: &diagnostics, path: path)
        let tlsSpan = settings["EMAIL_USE_TLS"]?.span
        let sslSpan = settings["EMAIL_USE_SSL"]?.span
        related("EMAIL_USE_TLS", .tls)
        related("EMAIL_USE_SSL", .tls)
        if useTLS == true, useSSL == true {
            diagnostics.report(ParseProblem("EMAIL_USE_TLS and EMAIL_USE_SSL are both true: Django refuses to send (ValueError: they are mutually exclusive); set only one", path: path, span: sslSpan ?? tlsSpan))
        } else if useSSL == true {
            e.set(\.tls, .implicit, field: .tls, span: sslSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: sslSpan)
        } else if useTLS == true {
            // smtplib's starttls() raises when the server does not offer STARTTLS: required.
            e.set(\.tls, .starttls, field: .tls, span: tlsSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: tlsSpan)
        } else if useTLS == false, useSSL == false {
            let span = tlsSpan ?? sslSpan
            e.set(\.tls, TLSMode.none, field: .tls, span: span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
        }
        // Django before 4.0 started TLS without an SSL context (no certificate check); 4.0 and later
        // verify. The version is not in the settings, so verification stays unknown.

        switch settings["EMAIL_PORT"] {
        case nil:
            e.port = ports.port(service: "smtp")
            e.portIsDefault = true
        case .some(let s):
            switch s.value {
            case .int(let p) where (1...65535).contains(p): e.set(\.port, p, field: .port, span: s.span)
            case .text(let t) where Int(t).map({ (1...65535).contains($0) }) == true: e.set(\.port, Int(t)!, field: .port, span: s.span)
            case .computed: e.spans[.port] = s.span
            case .text(let t) where t.isEmpty: e.spans[.port] = s.span
            default:
                diagnostics.report(ParseProblem("EMAIL_PORT must be a port number from 1 to 65535", path: path, span: s.span))
            }
            related("EMAIL_PORT", .port)
        }

        // Django logs in only when both user and password are non-empty.
        let user = settings["EMAIL_HOST_USER"]
        let password = settings["EMAIL_HOST_PASSWORD"]
        func isEmpty(_ s: Setting?) -> Bool? {
            guard let s else { return true }
            switch s.value {
            case .text(let t): return t.isEmpty
            case .none: return true
            case .computed: return nil
            case .int, .bool: return false
            }
        }
        if let password, case .text(let t) = password.value, !t.isEmpty {
            e.set(\.credential, .inline, field: .credential, span: password.span)
            setup.secrets.append(password.span)
        }
        switch (isEmpty(user), isEmpty(password)) {
        case (false, false):
            e.set(\.auth, ["password"], field: .auth, span: password?.span)
        case (true, _), (_, true):
            e.set(\.auth, [], field: .auth, span: (isEmpty(user) == true ? user?.span : password?.span))
            if e.credential == nil { e.set(\.credential, CredentialKind.none, field: .credential, span: password?.span) }
        default:
            break
        }
        setup.endpoints.append(e)
    }

    /// A Django boolean: a Python bool, or in env files `True`/`False` and the spellings env helpers accept.
    func flag(_ name: String, into setup: inout MailSetup, diagnostics: inout Diagnostics, path: String) -> Bool? {
        guard let s = settings[name] else { return false }
        switch s.value {
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .none: return false
        case .computed: return nil
        case .text(let t):
            switch t.lowercased() {
            case "true", "1", "yes", "on", "y", "t": return true
            case "false", "0", "no", "off", "n", "f", "": return false
            default:
                diagnostics.report(ParseProblem("\(name) must be True or False, found '\(t)'", path: path, span: s.span))
                return nil
            }
        }
    }
}

/// The top-level assignments of a Python module, with literal values where the right-hand side is
/// a literal. Enough of Python's lexical rules to find statement starts: comments, strings of all
/// four quotings with prefixes, brackets and `\` continuations that join lines.
struct PythonAssignments {
    enum Literal: Equatable { case string(String), int(Int), bool(Bool), none }

    struct Assignment {
        var name: String
        var line: Int
        /// nil: computed by code.
        var value: Literal?
        var valueSpan: SourceSpan
        var statementSpan: SourceSpan
    }

    var assignments: [Assignment] = []
    var diagnostics = Diagnostics()

    init(_ file: SourceFile) {
        let lines = file.lines.map { Array($0.unicodeScalars) }
        var i = 0
        while i < lines.count {
            let start = i
            // Collect one logical line: until brackets close, strings end and no `\` continues.
            var tokens: [PyToken] = []
            var depth = 0
            var l = i
            var c = 0
            var openString: (quote: [Unicode.Scalar], line: Int, column: Int, text: [Unicode.Scalar], prefix: String)?
            logical: while l < lines.count {
                let s = lines[l]
                var explicitJoin = false
                while c < s.count {
                    if var str = openString {
                        // Inside a (triple-quoted) string continued from an earlier line.
                        // A backslash always takes the next character along (also in raw strings, for the quote).
                        if s[c] == "\\", c + 1 < s.count { str.text.append(s[c]); str.text.append(s[c + 1]); c += 2; openString = str; continue }
                        if Self.matches(s, c, str.quote) {
                            c += str.quote.count
                            tokens.append(.string(Self.decode(str.text, prefix: str.prefix), line: str.line, column: str.column, endLine: l, endColumn: c, prefix: str.prefix))
                            openString = nil
                            continue
                        }
                        str.text.append(s[c]); c += 1; openString = str
                        continue
                    }
                    let ch = s[c]
                    if ch == " " || ch == "\t" || ch == "\u{0C}" { c += 1; continue }
                    if ch == "#" { c = s.count; break }
                    if ch == "\\", c == s.count - 1 { explicitJoin = true; c += 1; break }
                    // String literal, with an optional prefix (r, b, u, f and combinations).
                    var p = c
                    while p < s.count, p - c < 2, "rRbBuUfF".unicodeScalars.contains(s[p]) { p += 1 }
                    if p < s.count, s[p] == "\"" || s[p] == "'" {
                        let prefix = String(String.UnicodeScalarView(s[c..<p])).lowercased()
                        let q = s[p]
                        let triple = p + 2 < s.count && s[p + 1] == q && s[p + 2] == q
                        let quote: [Unicode.Scalar] = triple ? [q, q, q] : [q]
                        openString = (quote, l, c, [], prefix)
                        c = p + quote.count
                        if !triple {
                            // A single-quoted string must end on its line (or continue with `\`).
                            var text: [Unicode.Scalar] = []
                            var closed = false
                            while c < s.count {
                                if s[c] == "\\", c + 1 < s.count { text.append(s[c]); text.append(s[c + 1]); c += 2; continue }
                                if s[c] == q { closed = true; c += 1; break }
                                text.append(s[c]); c += 1
                            }
                            if closed {
                                tokens.append(.string(Self.decode(text, prefix: prefix), line: l, column: openString!.column, endLine: l, endColumn: c, prefix: prefix))
                                openString = nil
                            } else if s.last == "\\" {
                                openString!.text = text
                            } else {
                                diagnostics.report(ParseProblem("unterminated string: the \(q == "\"" ? "double" : "single")-quoted string opened here does not end on its line", path: file.path, span: file.span(line: l + 1, column: openString!.column + 1, length: 1)))
                                openString = nil
                                tokens.append(.other)
                            }
                        }
                        continue
                    }
                    if "([{".unicodeScalars.contains(ch) { depth += 1; tokens.append(.punct(ch)); c += 1; continue }
                    if ")]}".unicodeScalars.contains(ch) { depth = max(0, depth - 1); tokens.append(.punct(ch)); c += 1; continue }
                    if ch.properties.isXIDStart || ch == "_" {
                        var e = c + 1
                        while e < s.count, s[e].properties.isXIDContinue { e += 1 }
                        tokens.append(.name(String(String.UnicodeScalarView(s[c..<e])), line: l, column: c, end: e))
                        c = e
                        continue
                    }
                    if ("0"..."9").contains(ch) {
                        var e = c + 1
                        while e < s.count, s[e].properties.isXIDContinue || s[e] == "." { e += 1 }
                        tokens.append(.number(String(String.UnicodeScalarView(s[c..<e])), line: l, column: c, end: e))
                        c = e
                        continue
                    }
                    tokens.append(.punct(ch))
                    c += 1
                }
                let continued = openString != nil || depth > 0 || explicitJoin
                l += 1
                c = 0
                if !continued { break logical }
                if openString != nil { openString!.text.append("\n") }
            }
            if let open = openString {
                diagnostics.report(ParseProblem("unterminated triple-quoted string: it runs to the end of the file", path: file.path, span: file.span(line: open.line + 1, column: open.column + 1, length: 3)))
            }
            if let a = Self.assignment(tokens, indented: lines[start].first.map { $0 == " " || $0 == "\t" } ?? false, file: file, lastLine: l) {
                assignments.append(a)
            }
            i = max(l, start + 1)
        }
    }

    enum PyToken {
        case name(String, line: Int, column: Int, end: Int)
        case number(String, line: Int, column: Int, end: Int)
        case string(String?, line: Int, column: Int, endLine: Int, endColumn: Int, prefix: String)
        case punct(Unicode.Scalar)
        case other
    }

    static func matches(_ s: [Unicode.Scalar], _ c: Int, _ quote: [Unicode.Scalar]) -> Bool {
        guard c + quote.count <= s.count else { return false }
        return Array(s[c..<c + quote.count]) == quote
    }

    /// The value of a string literal body; nil for f-strings and bytes (computed or not text).
    static func decode(_ text: [Unicode.Scalar], prefix: String) -> String? {
        if prefix.contains("f") || prefix.contains("b") { return nil }
        if prefix.contains("r") { return String(String.UnicodeScalarView(text)) }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < text.count {
            if text[i] == "\\", i + 1 < text.count {
                switch text[i + 1] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\", "'", "\"": out.append(text[i + 1])
                case "\n": break
                default: out.append(text[i]); out.append(text[i + 1])
                }
                i += 2
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return String(out)
    }

    /// `NAME = literal` or `NAME: type = literal` at the top level. Indented assignments (inside `if`,
    /// `try`, functions) depend on code: they make the setting unknown.
    static func assignment(_ tokens: [PyToken], indented: Bool, file: SourceFile, lastLine: Int) -> Assignment? {
        guard case .name(let name, let line, let column, let end)? = tokens.first, name.hasPrefix("EMAIL_") else { return nil }
        var k = 1
        if case .punct(":")? = tokens.dropFirst(k).first {
            // Annotation: skip to `=`.
            k += 1
            while k < tokens.count { if case .punct("=") = tokens[k] { break }; k += 1 }
        }
        guard k < tokens.count, case .punct("=") = tokens[k] else { return nil }
        // `==` is a comparison, not an assignment.
        if k + 1 < tokens.count, case .punct("=") = tokens[k + 1] { return nil }
        let rhs = Array(tokens[(k + 1)...])
        let statement = SourceSpan(path: file.path, line: line + 1, column: column + 1, endLine: line + 1, endColumn: end + 1)
        guard let first = rhs.first else { return nil }
        let valueSpan: SourceSpan
        switch first {
        case .name(_, let l, let c, let e), .number(_, let l, let c, let e): valueSpan = file.span(line: l + 1, column: c + 1, length: e - c)
        case .string(_, let l, let c, let el, let ec, _):
            valueSpan = el == l ? file.span(line: l + 1, column: c + 1, length: ec - c) : SourceSpan(path: file.path, line: l + 1, column: c + 1, endLine: el + 1, endColumn: ec + 1)
        default: valueSpan = statement
        }
        var value: Literal? = nil
        if !indented {
            value = literal(rhs)
        }
        return Assignment(name: name, line: line + 1, value: value, valueSpan: valueSpan, statementSpan: statement)
    }

    /// A literal right-hand side: one string (or adjacent strings), an integer, True/False/None, possibly in parentheses.
    static func literal(_ tokens: [PyToken]) -> Literal? {
        var t = tokens
        while t.count >= 2, case .punct("(") = t.first!, case .punct(")") = t.last! { t = Array(t.dropFirst().dropLast()) }
        if t.allSatisfy({ if case .string = $0 { return true }; return false }), !t.isEmpty {
            var text = ""
            for token in t { guard case .string(let s?, _, _, _, _, _) = token else { return nil }; text += s }
            return .string(text)
        }
        guard t.count <= 2 else { return nil }
        var negative = false
        if t.count == 2 { guard case .punct("-") = t[0] else { return nil }; negative = true; t.removeFirst() }
        switch t.first {
        case .name("True", _, _, _)? where !negative: return .bool(true)
        case .name("False", _, _, _)? where !negative: return .bool(false)
        case .name("None", _, _, _)? where !negative: return Literal.none
        case .number(let n, _, _, _)?:
            let digits = n.replacingOccurrences(of: "_", with: "").lowercased()
            let value: Int?
            if digits.hasPrefix("0x") { value = Int(digits.dropFirst(2), radix: 16) } else if digits.hasPrefix("0o") { value = Int(digits.dropFirst(2), radix: 8) } else { value = Int(digits) }
            return value.map { .int(negative ? -$0 : $0) }
        default: return nil
        }
    }
}
