import Foundation
import MailAuditCore

/// Dovecot 2.3 and 2.4: `dovecot.conf` with its `!include`s (FORMATS §14). Each `inet_listener` of the
/// imap/pop3/submission/managesieve login services whose protocol is enabled is a server endpoint,
/// Dovecot's built-in listeners (imap 143, imaps 993, pop3 110, pop3s 995, submission 587, sieve 4190)
/// included. Settings in `protocol X {}` apply to X's listeners; `local`/`remote` filters describe what
/// particular clients get and are left out: the model is what an arbitrary remote client gets.
public struct DovecotFormat: ConfigFormat {
    public init() {}
    public let id = "dovecot"

    public func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if DovecotFiles.isDriverFile(name) { return false }
        if DovecotFiles.isRootName(name) { return true }
        // conf.d/*.conf and friends: only in a Dovecot folder, and only when no dovecot.conf includes them.
        guard name.hasSuffix(".conf") || name.hasSuffix(".conf.tpl"),
              path.lowercased().split(separator: "/").dropLast().contains(where: { $0.contains("dovecot") }) else { return false }
        return !DovecotFiles.hasRoot(near: path)
    }

    public func matches(content: SourceFile) -> Bool {
        DovecotSniff.looksLikeDovecot(content) || DovecotSniff.isDovecotPath(content.path)
    }

    public func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = DovecotReader(context: context, setup: MailSetup(path: file.path, format: id))
        reader.read(root: file)
        return reader.setup
    }
}

enum DovecotFiles {
    static func isRootName(_ name: String) -> Bool {
        guard name.hasPrefix("dovecot") else { return false }
        return name.hasSuffix(".conf") || name.hasSuffix(".conf.in") || name.hasSuffix(".conf.tpl")
    }

    /// `dovecot-sql.conf.ext`, `dovecot-ldap.conf`, …: arguments of a passdb/userdb/dict driver, not dovecot.conf syntax.
    /// Written out rather than as a regular expression: it runs for every file named, and the first
    /// regular expression of a run costs milliseconds of ICU set-up.
    static func isDriverFile(_ name: String) -> Bool {
        guard name.hasPrefix("dovecot-") else { return false }
        var rest = name.dropFirst("dovecot-".count)
        if rest.hasSuffix(".ext") { rest = rest.dropLast(".ext".count) }
        guard rest.hasSuffix(".conf") else { return false }
        let driver = rest.dropLast(".conf".count)
        if ["sql", "ldap", "oauth2", "dict"].contains(driver) { return true }
        guard driver.hasPrefix("dict-"), driver.count > "dict-".count else { return false }
        return driver.dropFirst("dict-".count).utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// Whether a dovecot.conf sits beside the file, or beside the `conf.d` folder holding it.
    static func hasRoot(near path: String) -> Bool {
        let directory = path.folderPath
        var candidates = [directory]
        if (directory as NSString).lastPathComponent == "conf.d" { candidates.append(directory.folderPath) }
        for dir in candidates {
            for name in ["dovecot.conf", "dovecot.conf.tpl", "dovecot.conf.in"] {
                let p = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: p) { return true }
            }
        }
        return false
    }
}

enum DovecotSniff {
    static let keys = ["protocols", "disable_plaintext_auth", "auth_allow_cleartext", "ssl_min_protocol", "login_greeting",
                       "mail_location", "mail_home", "auth_mechanisms", "dovecot_config_version", "ssl_cert", "ssl_key",
                       "first_valid_uid", "mail_plugins", "mail_uid", "mail_driver", "ssl_server_cert_file", "auth_username_format"]
    static let sections = ["service", "protocol", "passdb", "userdb", "namespace", "plugin", "inet_listener", "unix_listener", "remote", "local"]

    /// A file named explicitly in a Dovecot folder (`conf.d/10-metrics.conf`, all comments) or named after Dovecot.
    static func isDovecotPath(_ path: String) -> Bool {
        let lower = path.lowercased()
        let name = (lower as NSString).lastPathComponent
        guard [".conf", ".ext", ".inc", ".conf.tpl", ".conf.in"].contains(where: { name.hasSuffix($0) }) || name.hasPrefix("dovecot") else { return false }
        return name.hasPrefix("dovecot") || lower.split(separator: "/").dropLast().contains { $0.contains("dovecot") }
    }

    static func looksLikeDovecot(_ file: SourceFile) -> Bool {
        for raw in file.lines.prefix(400) {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("!include") { return true }
            let word = String(t.prefix { $0.isLetter || $0 == "_" })
            if t.hasSuffix("{"), sections.contains(word) { return true }
            if keys.contains(word), t.dropFirst(word.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") { return true }
        }
        return false
    }
}

/// One `key = value` with where it was written and which clients it applies to.
struct DovecotAssignment {
    enum Scope: Equatable { case global, protocols([String]), other }
    var key: String
    /// The value after `$key` expansion; nil when unknowable (template placeholder, `<file`, template condition).
    var value: String?
    var span: SourceSpan
    var scope: Scope
    /// The root file's `!include` line that led here (for settings in files outside the linted tree).
    var anchor: SourceSpan? = nil
}

/// An `inet_listener NAME { … }` block (several blocks of one name merge, later values win).
struct DovecotListener {
    var name: String
    var location: SourceSpan
    var settings: [String: DovecotAssignment] = [:]
    var related: [String: [SourceSpan]] = [:]
}

struct DovecotService {
    var name: String
    var location: SourceSpan
    var listeners: [DovecotListener] = []
    /// Where each listener name is in `listeners`.
    var listenerIndex: [String: Int] = [:]
}

struct DovecotReader {
    let context: ParseContext
    var setup: MailSetup
    var assignments: [DovecotAssignment] = []
    var services: [DovecotService] = []
    /// Where each service name is in `services`: files with thousands of sections are not searched per line.
    var serviceIndex: [String: Int] = [:]
    /// Whether a 2.4-only setting was read (see `version`), kept as they are recorded.
    var declares24 = false
    /// The current value of each global setting while reading (for `$name` expansion).
    var current: [String: String?] = [:]
    var includeStack: [String] = []
    var sawProtocolsInclude = false
    /// The root file's `!include` line being read through, if any.
    var anchor: SourceSpan?
    var rootFile: SourceFile?

    struct Section {
        var name: String
        var argument: String
        var span: SourceSpan
        /// Opened inside a Jinja `{% if %}`.
        var conditional: Bool
    }
    var sections: [Section] = []

    init(context: ParseContext, setup: MailSetup) {
        self.context = context
        self.setup = setup
    }

    mutating func problem(_ message: String, _ span: SourceSpan) {
        setup.problems.append(ParseProblem(message, path: span.path, span: span))
    }

    mutating func read(root: SourceFile) {
        rootFile = root
        if looksLikeDriverFile(root) {
            problem("this is a passdb/userdb/dict driver file (`driver`, `connect`, queries, LDAP hosts), passed to Dovecot with `args = \((root.path as NSString).lastPathComponent)`, not a dovecot.conf: it has no listeners to audit; lint the dovecot.conf instead", SourceSpan(path: root.path, line: 1, column: 1))
            return
        }
        includeStack = [standardized(root.path)]
        readFile(root)
        buildEndpoints()
    }

    /// A file of only driver keys (the old `dovecot-sql.conf` names say nothing about their content).
    func looksLikeDriverFile(_ file: SourceFile) -> Bool {
        let driverKeys: Set<String> = ["driver", "connect", "password_query", "user_query", "iterate_query", "hosts", "uris", "dn",
                                       "dnpass", "base", "ldap_version", "auth_bind", "pass_attrs", "user_attrs", "default_pass_scheme",
                                       "tokeninfo_url", "introspection_url", "client_id", "client_secret", "map", "tls", "scope",
                                       "pass_filter", "user_filter", "iterate_attrs", "iterate_filter", "auth_bind_userdn", "sasl_bind"]
        var keys = 0, driver = 0, depth = 0
        for raw in file.lines {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("#") || t.isEmpty { continue }
            if t.hasSuffix("{") { depth += 1; continue }
            if t == "}" { depth = max(0, depth - 1); continue }
            guard depth == 0, let eq = t.firstIndex(of: "=") else { continue }
            let key = t[..<eq].trimmingCharacters(in: .whitespaces)
            keys += 1
            if driverKeys.contains(key) { driver += 1 }
        }
        return keys > 0 && driver * 2 > keys && (driver >= 2)
    }

    func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return ((absolute as NSString).standardizingPath as NSString).resolvingSymlinksInPath
    }

    // MARK: Lexing

    struct Line {
        var number: Int
        /// The statement without comment, continuation joined.
        var text: [Unicode.Scalar]
        /// The column of `text[0]`.
        var column: Int
        var endLine: Int
    }

    /// Logical lines: `#` outside quotes starts a comment, a trailing `\` joins the next line.
    func logicalLines(_ file: SourceFile) -> [Line] {
        var out: [Line] = []
        var pending: Line?
        for (index, raw) in file.lines.enumerated() {
            let scalars = Array(raw.unicodeScalars)
            var body: [Unicode.Scalar] = []
            var quote: Unicode.Scalar?
            var i = 0
            while i < scalars.count {
                let c = scalars[i]
                if let q = quote {
                    if c == "\\", i + 1 < scalars.count { body.append(c); body.append(scalars[i + 1]); i += 2; continue }
                    if c == q { quote = nil }
                } else if c == "\"" || c == "'" {
                    quote = c
                } else if c == "#" {
                    // `#` starts a comment at the start of a word (`ssl = yes # x`); `a#b` stays a value.
                    if body.isEmpty || body.last == " " || body.last == "\t" { break }
                }
                body.append(c)
                i += 1
            }
            while let last = body.last, last == " " || last == "\t" || last == "\r" { body.removeLast() }
            let leading = body.prefix { $0 == " " || $0 == "\t" }.count
            let content = Array(body[leading...])
            let continues = content.last == "\\"
            let piece = continues ? Array(content.dropLast()) : content
            if var p = pending {
                var joined = piece
                while let f = joined.first, f == " " || f == "\t" { joined.removeFirst() }
                if !p.text.isEmpty, !joined.isEmpty { p.text.append(" ") }
                p.text += joined
                p.endLine = index + 1
                pending = p
            } else {
                pending = Line(number: index + 1, text: piece, column: leading + 1, endLine: index + 1)
            }
            if !continues {
                if let p = pending, !p.text.isEmpty { out.append(p) }
                pending = nil
            }
        }
        if let p = pending, !p.text.isEmpty { out.append(p) }
        return out
    }

    static func string(_ s: some Sequence<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }

    static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f {
            return String(s.dropFirst().dropLast()).replacingOccurrences(of: "\\\(f)", with: String(f))
        }
        return s
    }

    // MARK: Reading

    mutating func readFile(_ file: SourceFile) {
        let baseDepth = sections.count
        var jinjaDepth = 0
        let isTemplateFile = file.path.hasSuffix(".tpl")
        for line in logicalLines(file) {
            let text = Self.string(line.text)
            let lineSpan = SourceSpan(path: file.path, line: line.number, column: line.column, endLine: line.number, endColumn: line.column + max(1, line.text.count))
            if let directive = TemplateSyntax.jinjaDirective(Substring(text)) {
                switch directive {
                case .open: jinjaDepth += 1
                case .close: jinjaDepth = max(0, jinjaDepth - 1)
                case .middle, .other: break
                }
                continue
            }
            // A section opened inside a conditional one is itself marked conditional, so the innermost
            // tells for all of them (asking every open section on every line was quadratic in the depth).
            let conditional = jinjaDepth > 0 || sections.last?.conditional == true
            if text.hasPrefix("!include") {
                include(text, span: lineSpan, from: file)
                continue
            }
            if text == "}" {
                if sections.count > baseDepth { sections.removeLast() } else {
                    problem("unexpected '}': no section is open here", lineSpan)
                }
                continue
            }
            if text.hasSuffix("{"), !text.contains("=") || text.firstIndex(of: "{")! < text.firstIndex(of: "=")! {
                let head = text.dropLast().trimmingCharacters(in: .whitespaces)
                let name = String(head.prefix { !$0.isWhitespace })
                let argument = Self.unquote(head.dropFirst(name.count).trimmingCharacters(in: .whitespaces))
                sections.append(Section(name: name, argument: argument, span: lineSpan, conditional: conditional))
                openedSection(file: file)
                continue
            }
            guard let eq = line.text.firstIndex(of: "=") else {
                // `%protocols`, `{{ … }}`: a template line that renders into settings we cannot see.
                if TemplateSyntax.placeholder(in: text) != nil || text.hasPrefix("%") || conditional { continue }
                problem("expecting '=' (Dovecot settings are `name = value`, sections `name [id] {`): '\(text)'", lineSpan)
                continue
            }
            let key = Self.string(line.text[..<eq]).trimmingCharacters(in: .whitespaces)
            var valueStart = eq + 1
            while valueStart < line.text.count, line.text[valueStart] == " " || line.text[valueStart] == "\t" { valueStart += 1 }
            let rawValue = Self.string(line.text[valueStart...])
            let valueColumn = line.column + valueStart
            let span = line.endLine == line.number
                ? (rawValue.isEmpty ? SourceSpan.at(file.path, line: line.number, column: line.column, length: key.unicodeScalars.count)
                                    : SourceSpan.at(file.path, line: line.number, column: valueColumn, length: rawValue.unicodeScalars.count))
                : SourceSpan(path: file.path, line: line.number, column: valueColumn, endLine: line.endLine, endColumn: valueColumn + 1)
            guard !key.isEmpty, !key.contains(" ") else {
                if TemplateSyntax.placeholder(in: key) != nil || conditional { continue }
                problem("'\(key)' is not a setting name", lineSpan)
                continue
            }
            assign(key, rawValue, span: span, conditional: conditional, templateFile: isTemplateFile)
        }
        if sections.count > baseDepth {
            let open = sections[baseDepth]
            problem("missing '}': the section '\(open.name)\(open.argument.isEmpty ? "" : " " + open.argument)' opened here is not closed before the end of \((file.path as NSString).lastPathComponent)", open.span)
            sections.removeLast(sections.count - baseDepth)
        }
    }

    /// Records `service` and `inet_listener` blocks as they open.
    mutating func openedSection(file: SourceFile) {
        // Only `service` and `service { inet_listener }` declare anything here; looking at every open
        // section for each deeper one made deep nesting quadratic.
        guard sections.count <= 2 else { return }
        let names = sections.map(\.name)
        guard !sections.contains(where: { ["local", "remote", "local_name"].contains($0.name) }) else { return }
        let last = sections[sections.count - 1]
        if names == ["service"] {
            if serviceIndex[last.argument] == nil {
                serviceIndex[last.argument] = services.count
                services.append(DovecotService(name: last.argument, location: last.span))
            }
        } else if names == ["service", "inet_listener"], let s = serviceIndex[sections[0].argument] {
            if services[s].listenerIndex[last.argument] == nil {
                services[s].listenerIndex[last.argument] = services[s].listeners.count
                services[s].listeners.append(DovecotListener(name: last.argument, location: last.span))
            }
        }
    }

    mutating func assign(_ key: String, _ rawValue: String, span: SourceSpan, conditional: Bool, templateFile: Bool) {
        var value: String? = Self.unquote(rawValue)
        if conditional || rawValue.hasPrefix("<") || TemplateSyntax.placeholder(in: rawValue) != nil { value = nil }
        if templateFile, rawValue.range(of: #"%[A-Za-z_]"#, options: .regularExpression) != nil { value = nil }
        let names = sections.map(\.name)
        if sections.contains(where: { ["local", "remote", "local_name"].contains($0.name) }) { return }
        switch names {
        case []:
            if let v = value { value = expand(v) }
            current[key] = .some(value)
            record(DovecotAssignment(key: key, value: value, span: span, scope: .global, anchor: anchor))
        case ["protocol"]:
            let list = sections[0].argument.split(separator: " ").map(String.init)
            record(DovecotAssignment(key: key, value: value.map(expand), span: span, scope: .protocols(list)))
        case ["protocols"]:
            // 2.4 boolean list: `protocols { imap = yes }`.
            guard let on = value?.lowercased() else {
                record(DovecotAssignment(key: "protocols", value: nil, span: span, scope: .global))
                current["protocols"] = .some(nil)
                return
            }
            var list = (current["protocols"] ?? nil).map { $0.split(separator: " ").map(String.init) } ?? []
            list.removeAll { $0 == key }
            if on == "yes" { list.append(key) }
            let joined = list.joined(separator: " ")
            current["protocols"] = .some(joined)
            record(DovecotAssignment(key: "protocols", value: joined, span: span, scope: .global, anchor: anchor))
        case ["service", "inet_listener"]:
            guard let s = serviceIndex[sections[0].argument], let l = services[s].listenerIndex[sections[1].argument] else { return }
            if let previous = services[s].listeners[l].settings[key] { services[s].listeners[l].related[key, default: []].append(previous.span) }
            services[s].listeners[l].settings[key] = DovecotAssignment(key: key, value: value, span: span, scope: .other)
        default:
            return
        }
    }

    mutating func record(_ assignment: DovecotAssignment) {
        assignments.append(assignment)
        let key = assignment.key
        if key == "dovecot_config_version" || key == "auth_allow_cleartext" || key.hasPrefix("ssl_server_") { declares24 = true }
    }

    /// `$name` / `$SET:name` / `${name}` with the value set so far.
    func expand(_ text: String) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            var after = rest[rest.index(after: dollar)...]
            var braced = false
            if after.hasPrefix("{") { after = after.dropFirst(); braced = true }
            if after.hasPrefix("SET:") { after = after.dropFirst(4) }
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !name.isEmpty else { out += "$"; rest = rest[rest.index(after: dollar)...]; continue }
            out += (current[String(name)] ?? nil) ?? Self.defaults(version: version)[String(name)] ?? ""
            after = after.dropFirst(name.count)
            if braced, after.hasPrefix("}") { after = after.dropFirst() }
            rest = after
        }
        return (out + rest).trimmingCharacters(in: .whitespaces)
    }

    // MARK: Includes

    mutating func include(_ text: String, span: SourceSpan, from file: SourceFile) {
        let optional = text.hasPrefix("!include_try")
        var target = text.dropFirst(optional ? "!include_try".count : "!include".count).trimmingCharacters(in: .whitespaces)
        if target.hasPrefix("=") {
            // `!include_try = PATH` names a file called "= PATH": never there, so Dovecot goes on without it.
            if optional {
                setup.unfollowedIncludes.append(UnfollowedInclude(path: target, reason: .missing, span: span))
                return
            }
            problem("`\(optional ? "!include_try" : "!include") = …`: the '=' is read as part of the path, so \(target.dropFirst().trimmingCharacters(in: .whitespaces)) is never included; write `\(optional ? "!include_try" : "!include") PATH`", span)
            return
        }
        target = Self.unquote(target)
        if target.isEmpty {
            problem("`\(optional ? "!include_try" : "!include")` needs a path; Dovecot refuses the line", span)
            return
        }
        if target.contains("protocols.d") { sawProtocolsInclude = true }
        if TemplateSyntax.placeholder(in: target) != nil { return }
        // `~` and absolute paths go by the include policy (the same findings on every machine); a glob
        // is matched in the folder it names once that is located.
        let located = context.includePolicy.locate(target, from: file.path)
        guard let pattern = located.path, located.reason == nil else {
            setup.unfollowedIncludes.append(UnfollowedInclude(path: target, resolved: located.path, reason: located.reason ?? .missing, span: span))
            return
        }
        let matches = glob(pattern)
        if matches.isEmpty {
            // Dovecot stops on a missing `!include` ("No matches"), but a snapshot may just lack it: a note.
            if !optional { setup.unfollowedIncludes.append(UnfollowedInclude(path: target, resolved: pattern, reason: .missing, span: span)) }
            return
        }
        for path in matches {
            let key = standardized(path)
            if includeStack.contains(key) {
                problem("include loop: '\(target)' includes \((file.path as NSString).lastPathComponent) again (through \(includeStack.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")))", span)
                continue
            }
            if includeStack.count > 20 {
                problem("includes nested more than 20 deep at '\(target)'", span)
                continue
            }
            do {
                let included: SourceFile
                switch try context.read(path, written: target, at: span) {
                case .file(let file): included = file
                case .notFollowed(let unfollowed): setup.unfollowedIncludes.append(unfollowed); continue
                case .limitReached: continue
                }
                if !setup.includedFiles.contains(included.path) { setup.includedFiles.append(included.path) }
                includeStack.append(key)
                let outer = anchor
                if includeStack.count == 2 { anchor = span }
                readFile(included)
                anchor = outer
                includeStack.removeLast()
            } catch {
                // At the `!include` line: that is where the setup says to read it.
                problem("cannot include '\(target)': \(error.message)", span)
            }
        }
    }

    /// Glob in the last path component (`conf.d/*.conf`), sorted like glob(3).
    func glob(_ pattern: String) -> [String] {
        guard !pattern.isEmpty else { return [] }  // Foundation's path functions trap on ""
        let name = (pattern as NSString).lastPathComponent
        let directory = pattern.folderPath
        guard name.contains(where: { "*?[".contains($0) }) else {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: pattern, isDirectory: &isDirectory) && !isDirectory.boolValue ? [pattern] : []
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return [] }
        var regex = "^"
        for c in name {
            switch c {
            case "*": regex += "[^/]*"
            case "?": regex += "[^/]"
            case "[", "]": regex += String(c)
            default: regex += NSRegularExpression.escapedPattern(for: String(c))
            }
        }
        regex += "$"
        return entries.filter { !$0.hasPrefix(".") && $0.range(of: regex, options: .regularExpression) != nil }.sorted()
            .map { directory.isEmpty ? $0 : (directory as NSString).appendingPathComponent($0) }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
    }

    // MARK: Model

    /// 2.4 when the file says so (`dovecot_config_version`) or uses 2.4-only names.
    var version: String {
        declares24 ? "2.4" : "2.3"
    }

    static func defaults(version: String) -> [String: String] {
        var d = ["ssl": "yes", "ssl_min_protocol": "TLSv1.2", "auth_mechanisms": "plain", "login_greeting": "Dovecot ready.", "listen": "*, ::"]
        if version == "2.4" { d["auth_allow_cleartext"] = "no" } else { d["disable_plaintext_auth"] = "yes" }
        return d
    }

    struct Effective {
        var value: String?
        var span: SourceSpan?
        var related: [SourceSpan] = []
        /// A global setting, shared by the listeners of every protocol rather than one `protocol X {}` block's.
        var inherited = false
        var explicit: Bool { span != nil }
    }

    /// The value a client of `proto` gets: `protocol proto {}` beats the global value, the last assignment wins.
    func effective(_ key: String, protocol proto: String) -> Effective {
        let global = assignments.filter { $0.key == key && $0.scope == .global }
        let scoped = assignments.filter {
            guard $0.key == key, case .protocols(let list) = $0.scope else { return false }
            return list.contains(proto) || list.contains { $0.hasPrefix("!") && $0 != "!" + proto }
        }
        guard let winner = scoped.last ?? global.last else {
            return Effective(value: Self.defaults(version: version)[key], span: nil)
        }
        let related = (global + scoped).map(\.span).filter { $0 != winner.span }
        return Effective(value: winner.value, span: winner.span, related: related, inherited: scoped.isEmpty)
    }

    struct Login {
        var service: String
        var protocolName: String
        var model: MailProtocol
        /// Built-in listeners: name, port, ssl.
        var builtIn: [(String, Int, Bool)]
    }

    func logins() -> [Login] {
        let port = { (service: String) in context.ports.port(service: service) ?? 0 }
        return [
            Login(service: "imap-login", protocolName: "imap", model: .imap, builtIn: [("imap", port("imap"), false), ("imaps", port("imaps"), true)]),
            Login(service: "pop3-login", protocolName: "pop3", model: .pop3, builtIn: [("pop3", port("pop3"), false), ("pop3s", port("pop3s"), true)]),
            Login(service: "submission-login", protocolName: "submission", model: .smtp, builtIn: [("submission", port("submission"), false)]),
            Login(service: "managesieve-login", protocolName: "sieve", model: .managesieve, builtIn: [("sieve", port("managesieve"), false)]),
        ]
    }

    mutating func buildEndpoints() {
        guard let root = rootFile else { return }
        let v = version
        setup.modelledProgram = "Dovecot \(v)"
        // Which protocols are on: the setting, or the default (empty on Debian, whose dovecot.conf adds them from protocols.d).
        let protocolsSetting = assignments.last { $0.key == "protocols" && $0.scope == .global }
        let protocols: [String]?
        let rootName = (root.path as NSString).lastPathComponent.lowercased()
        let isRoot = ["dovecot.conf", "dovecot.conf.in", "dovecot.conf.tpl"].contains(rootName)
            || assignments.contains { $0.key == "dovecot_config_version" }
        if let protocolsSetting {
            protocols = protocolsSetting.value.map { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
        } else if sawProtocolsInclude {
            protocols = []                               // Debian: the binary's default is empty, protocols.d adds them
        } else if isRoot {
            protocols = ["imap", "pop3", "lmtp"]         // upstream's compiled-in default
        } else {
            protocols = nil                              // a conf.d fragment: the dovecot.conf including it decides
        }
        // Where a listener nobody wrote is "defined": the setting that enabled its protocol, seen from the linted tree.
        var enabledBy = protocolsSetting?.span
        if let setting = protocolsSetting, setting.span.path.hasPrefix("/"), !root.path.hasPrefix("/") { enabledBy = setting.anchor }
        if v == "2.4" {
            for a in assignments where a.key == "disable_plaintext_auth" {
                problem("disable_plaintext_auth is a Dovecot 2.3 name: 2.4 refuses to start with it; write `auth_allow_cleartext = \(a.value == "no" ? "yes" : "no")` (the inverse)", a.span)
            }
        } else {
            for a in assignments where a.key == "auth_allow_cleartext" {
                problem("auth_allow_cleartext is a Dovecot 2.4 name, but this configuration is 2.3; write `disable_plaintext_auth = \(a.value == "yes" ? "no" : "yes")` (the inverse), or start the file with `dovecot_config_version = 2.4.0`", a.span)
            }
        }
        for login in logins() {
            let service = services.first { $0.name == login.service }
            guard let protocols else {
                // `protocols` is a template placeholder: each listener's existence is unknowable; model the written ones.
                if service != nil { addListeners(login, service: service, root: root, enabledBy: enabledBy, writtenOnly: true) }
                continue
            }
            guard protocols.contains(login.protocolName) else { continue }
            addListeners(login, service: service, root: root, enabledBy: enabledBy, writtenOnly: false)
        }
    }

    mutating func addListeners(_ login: Login, service: DovecotService?, root: SourceFile, enabledBy: SourceSpan?, writtenOnly: Bool) {
        var names = writtenOnly ? [] : login.builtIn.map(\.0)
        for l in service?.listeners ?? [] where !names.contains(l.name) { names.append(l.name) }
        for name in names {
            let written = service?.listeners.first { $0.name == name }
            let builtIn = login.builtIn.first { $0.0 == name }
            let location = written?.location ?? service?.location ?? enabledBy ?? SourceSpan(path: root.path, line: 1, column: 1)
            var e = Endpoint(role: .server, location: location)
            e.account = name
            e.protocol = login.model
            // Port: written, or the built-in listener's; a new listener without one has port 0 (off).
            var port: Int? = builtIn?.1 ?? 0
            if let p = written?.settings["port"] {
                guard let text = p.value else { port = nil; addEndpoint(e, login: login, written: written, builtIn: builtIn, port: nil, portSpan: p.span); continue }
                if let n = Int(text.trimmingCharacters(in: .whitespaces)), (0...65535).contains(n) { port = n } else {
                    problem("port must be a number from 0 to 65535 (0 switches the listener off), found '\(text)'", p.span)
                    continue
                }
            }
            if port == 0 { continue }                        // listener switched off
            // With a global `ssl = no` the master does not open implicit-TLS listeners at all (verified:
            // connection refused on the imaps port), so they are no endpoint.
            let implicitListener = written?.settings["ssl"].map { $0.value?.lowercased() == "yes" } ?? (builtIn?.2 ?? false)
            let globalSSL = assignments.last { $0.key == "ssl" && $0.scope == .global }?.value?.lowercased() ?? "yes"
            if implicitListener, globalSSL == "no" { continue }
            addEndpoint(e, login: login, written: written, builtIn: builtIn, port: port, portSpan: written?.settings["port"]?.span)
        }
    }

    mutating func addEndpoint(_ base: Endpoint, login: Login, written: DovecotListener?, builtIn: (String, Int, Bool)?, port: Int?, portSpan: SourceSpan?) {
        var e = base
        let proto = login.protocolName
        func apply(_ field: Endpoint.Field, _ s: Effective) {
            if let span = s.span { e.spans[field] = span } else { e.spans[field] = nil }
            for r in s.related { e.addRelated(r, for: field) }
            if s.inherited { e.inherited.insert(field) } else { e.inherited.remove(field) }
        }
        e.port = port
        e.portIsDefault = portSpan == nil && port != nil
        if let portSpan { e.spans[.port] = portSpan }
        for r in written?.related["port"] ?? [] { e.addRelated(r, for: .port) }
        e.direction = port.map { context.ports.listenerDirection(protocol: login.model, port: $0) } ?? context.ports.listenerDirection(protocol: login.model, port: nil)
        // Address: the listener's, else `listen`, when it names one address.
        let address = written?.settings["address"]
        let listen = effective("listen", protocol: proto)
        for (candidate, span) in [(address?.value, address?.span), (listen.value, listen.span)] {
            guard let text = candidate?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
            let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            if parts.count == 1, !["*", "::", "[::]"].contains(parts[0]) { e.host = parts[0]; e.spans[.host] = span }
            // Bound only to loopback when every address is (`listen = 127.0.0.1, ::1`).
            if !parts.isEmpty, !parts.contains(where: { TemplateSyntax.placeholder(in: $0) != nil }) {
                e.loopback = parts.allSatisfy { LoopbackAddress.isLoopback(host: $0) == true }
                if let span { e.spans[.loopback] = span }
            }
            break
        }

        let ssl = effective("ssl", protocol: proto)
        let sslValue = ssl.value?.trimmingCharacters(in: .whitespaces).lowercased()
        if let v = sslValue, !["yes", "no", "required"].contains(v), let span = ssl.span {
            problem("ssl must be yes, no or required; found '\(ssl.value!)'\(Suggestion.phrase(for: v, in: ["yes", "no", "required"]))", span)
        }
        let listenerSSL = written?.settings["ssl"]
        var implicit: Bool? = builtIn?.2 ?? false
        if let l = listenerSSL {
            switch l.value?.lowercased() {
            case "yes"?: implicit = true
            case "no"?: implicit = false
            case nil: implicit = nil
            case let other?:
                problem("ssl must be yes or no in an inet_listener, found '\(other)'", l.span)
                implicit = nil
            }
        }
        switch (implicit, sslValue) {
        case (true?, "no"?):
            // `protocol x { ssl = no }` on an implicit-TLS listener the master still opens: the login process
            // has no TLS for it, so the port serves nobody; unknowable rather than a guess.
            break
        case (true?, _):
            e.tls = .implicit
            e.tlsRequired = true
            if let span = listenerSSL?.span { e.spans[.tls] = span; e.spans[.tlsRequired] = span }
        case (false?, "no"?):
            e.tls = TLSMode.none
            e.tlsRequired = false
            apply(.tls, ssl)
            apply(.tlsRequired, ssl)
        case (false?, "yes"?), (false?, "required"?):
            e.tls = .starttls
            if let span = listenerSSL?.span {
                // The listener's `ssl = no` is what keeps TLS from starting with the connection.
                e.spans[.tls] = span
                if let global = ssl.span { e.addRelated(global, for: .tls) }
            } else {
                apply(.tls, ssl)
            }
        default: break
        }

        // Authentication: mechanisms, and whether cleartext passwords are accepted before TLS.
        let mechanisms = effective("auth_mechanisms", protocol: proto)
        if let m = mechanisms.value {
            e.auth = m.lowercased().split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            apply(.auth, mechanisms)
        }
        let cleartextKey = version == "2.4" ? "auth_allow_cleartext" : "disable_plaintext_auth"
        let cleartextSetting = effective(cleartextKey, protocol: proto)
        var cleartextAllowed: Bool?
        if let v = cleartextSetting.value?.lowercased() {
            switch v {
            case "yes": cleartextAllowed = version == "2.4"
            case "no": cleartextAllowed = version != "2.4"
            default:
                if let span = cleartextSetting.span { problem("\(cleartextKey) must be yes or no, found '\(v)'", span) }
            }
        }
        let plaintextMechanisms = e.auth.map { $0.contains("plain") || $0.contains("login") }
        let onlyPlaintext = e.auth.map { !$0.isEmpty && $0.allSatisfy { ["plain", "login"].contains($0) } }
        switch e.tls {
        case .implicit?:
            e.allowsPlaintextAuth = false
            e.spans[.allowsPlaintextAuth] = e.spans[.tls]
        case .some:
            if sslValue == "required" {
                // TLS before any authentication, plaintext mechanisms or not.
                e.allowsPlaintextAuth = false
                apply(.allowsPlaintextAuth, ssl)
                if e.tls == .starttls { e.tlsRequired = true; apply(.tlsRequired, ssl) }
            } else if let cleartextAllowed, let plaintextMechanisms {
                e.allowsPlaintextAuth = cleartextAllowed && plaintextMechanisms
                apply(.allowsPlaintextAuth, cleartextSetting)
                if cleartextAllowed, plaintextMechanisms, let span = cleartextSetting.span { e.addRelated(span, for: .auth) }
                if e.tls == .starttls, let onlyPlaintext {
                    // Nothing useful happens before STARTTLS when only plaintext mechanisms exist and they need TLS.
                    e.tlsRequired = !cleartextAllowed && onlyPlaintext
                    apply(.tlsRequired, cleartextSetting.explicit ? cleartextSetting : ssl)
                }
            }
        case nil: break
        }
        // IMAP, POP3, submission and ManageSieve serve nothing before login.
        e.authRequired = true

        if let tls = e.tls, tls != TLSMode.none {
            var floor = effective("ssl_min_protocol", protocol: proto)
            let legacy = effective("ssl_protocols", protocol: proto)
            if !floor.explicit, legacy.explicit, let text = legacy.value {
                // Pre-2.3 `ssl_protocols = !SSLv3 …`, which doveconf converts to ssl_min_protocol.
                e.minTLSVersion = PostfixMapper.minimumVersion(text.replacingOccurrences(of: " ", with: ","))
                floor = legacy
            } else if let text = floor.value {
                if text.uppercased() == "ANY" { e.minTLSVersion = .ssl3 }
                else if let version = TLSVersion(loose: text) { e.minTLSVersion = version }
                else if let span = floor.span {
                    problem("ssl_min_protocol must be SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 or ANY; found '\(text)'", span)
                }
            }
            apply(.minTLSVersion, floor)
        }
        let greeting = effective("login_greeting", protocol: proto)
        e.banner = greeting.value
        apply(.banner, greeting)
        setup.endpoints.append(e)
    }
}
