import Foundation
import MailAuditCore

/// Postfix: `main.cf` and `master.cf` (FORMATS §13). The two files of one directory are one setup: the
/// parser, given either, reads the other beside it (`main.cf.tpl` pairs with `master.cf.tpl`), and a
/// directory walk only picks `master.cf` when no `main.cf` sits next to it, so nothing is linted twice.
/// Every `smtpd` inet service is a server endpoint (a master.cf `-o` beats main.cf, which beats Postfix's
/// compiled-in default); the `smtp` delivery transport is the client endpoint toward `relayhost` or MX hosts.
public struct PostfixFormat: ConfigFormat {
    public init() {}
    public let id = "postfix"

    public func matches(fileName: String, path: String) -> Bool {
        // `main.cf`, `master.cf` and their templates; `main.cf.amavisd`, `main.cf.bak`, … are fragments and
        // copies: read when named (by content), not picked up in a directory walk.
        guard PostfixFiles.isSetupName(fileName) else { return false }
        switch PostfixFiles.kind(ofName: fileName) {
        case .main?: return true
        case .master?:
            // master.cf is read with the main.cf beside it; a lone master.cf is an input of its own, and so is one
            // whose main.cf cannot be read (50 MB, not UTF-8): its services are not lost with it.
            guard let sibling = PostfixFiles.siblingPath(of: path), FileManager.default.fileExists(atPath: sibling) else { return true }
            return (try? SourceFile.load(path: sibling)) == nil
        case nil: return false
        }
    }

    public func matches(content: SourceFile) -> Bool {
        PostfixSniff.looksLikeMaster(content) || PostfixSniff.looksLikeMain(content)
    }

    public func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = PostfixReader(context: context, setup: MailSetup(path: file.path, format: id))
        reader.read(file)
        return reader.setup
    }
}

/// File names: `main.cf[.X]` and `master.cf[.X]`, and the sibling each pairs with.
enum PostfixFiles {
    enum Kind { case main, master }

    static func kind(ofName name: String) -> Kind? {
        if name == "main.cf" || name.hasPrefix("main.cf.") { return .main }
        if name == "master.cf" || name.hasPrefix("master.cf.") { return .master }
        return nil
    }

    static let templateSuffixes = ["", ".tpl", ".j2", ".jinja", ".jinja2", ".in", ".template", ".erb", ".tmpl"]

    static func isSetupName(_ name: String) -> Bool {
        templateSuffixes.contains { name == "main.cf" + $0 || name == "master.cf" + $0 }
    }

    /// `dir/main.cf.tpl` ↔ `dir/master.cf.tpl`; nil for names that are neither.
    static func siblingPath(of path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        let directory = path.folderPath
        let other: String
        switch kind(ofName: name) {
        case .main?: other = "master.cf" + name.dropFirst("main.cf".count)
        case .master?: other = "main.cf" + name.dropFirst("master.cf".count)
        case nil: return nil
        }
        return directory.isEmpty ? other : (directory as NSString).appendingPathComponent(other)
    }
}

/// Content sniffing for files whose name says nothing (`postfix-amavis.cf`, `--as` not given).
enum PostfixSniff {
    static let serviceTypes: Set<String> = ["inet", "unix", "fifo", "pass", "unix-dgram"]

    /// A master.cf service line: `name type private unpriv chroot wakeup maxproc command`.
    static func isServiceLine(_ line: Substring) -> Bool {
        var text = line
        if let prefix = PostfixLexer.conditionPrefix(text) { text = text.dropFirst(prefix) }
        guard let first = text.first, !first.isWhitespace, first != "#" else { return false }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 8, serviceTypes.contains(String(fields[1])) else { return false }
        return fields[2...6].allSatisfy { $0.allSatisfy { "-yYnN0123456789?".contains($0) } }
    }

    static func looksLikeMaster(_ file: SourceFile) -> Bool {
        file.lines.prefix(400).contains(where: isServiceLine)
    }

    /// Names only Postfix uses (exim shares `smtp_*`-looking words, so those alone do not count).
    static let distinctive: [String] = ["smtpd_", "postscreen_", "myhostname", "mydestination", "mynetworks", "myorigin",
                                        "relayhost", "inet_interfaces", "inet_protocols", "alias_maps", "alias_database",
                                        "virtual_alias_", "virtual_mailbox_", "virtual_transport", "content_filter",
                                        "smtp_tls_", "smtp_sasl_", "compatibility_level", "mailbox_size_limit",
                                        "append_dot_mydomain", "disable_vrfy_command", "transport_maps", "relay_domains",
                                        "queue_directory", "setgid_group", "default_transport", "milter_default_action"]

    static func looksLikeMain(_ file: SourceFile) -> Bool {
        var hits = 0
        for raw in file.lines.prefix(400) {
            var line = raw
            if let prefix = PostfixLexer.conditionPrefix(line) { line = line.dropFirst(prefix) }
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("[") && t.hasSuffix("]") { return false }          // INI
            if t.hasSuffix("{") || t.hasPrefix("begin ") || t.hasPrefix("!include") { return false }  // dovecot, exim
            guard let first = line.first, first.isLetter, let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-" }) else { continue }
            if distinctive.contains(where: { name.hasPrefix($0) }) || name.hasSuffix("_destination_recipient_limit") { hits += 1 }
        }
        return hits >= 1
    }
}

/// One `name = value` of main.cf, or one `-o name=value` of master.cf.
struct PostfixAssignment {
    var name: String
    var value: String
    /// The value (for an empty value, the name).
    var span: SourceSpan
    /// Written under a template condition (`%{x}` prefix, inside `{% if %}`): it may not be in the rendered file.
    var conditional: Bool
}

/// One master.cf service line with its `-o` overrides.
struct PostfixService {
    var name: String
    var nameSpan: SourceSpan
    var type: String
    var command: String
    var location: SourceSpan
    var overrides: [PostfixAssignment]
}

/// Logical lines of Postfix files: a line starting with whitespace continues the previous one, `#` lines
/// (indented ones too) are comments, blank lines are skipped without ending a logical line.
enum PostfixLexer {
    struct Segment {
        var line: Int
        /// 1-based column of `text`'s first scalar.
        var column: Int
        var text: [Unicode.Scalar]
        /// Under a template condition (`%{x}` prefix, inside `{% if %}`): may not be in the rendered file.
        var conditional: Bool
    }

    struct LogicalLine {
        var segments: [Segment]
        var startsWithContinuation = false
        /// Whether the first line (the `name =`, the service line) is under a template condition.
        var conditional: Bool { segments[0].conditional }
        /// Whether any line of it is.
        var anyConditional: Bool { segments.contains { $0.conditional } }
    }

    /// The length of a modoboa-style `%{name}` condition prefix at the start of a line.
    static func conditionPrefix(_ line: Substring) -> Int? {
        guard line.hasPrefix("%{"), let close = line.firstIndex(of: "}") else { return nil }
        let name = line[line.index(line.startIndex, offsetBy: 2)..<close]
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return line.distance(from: line.startIndex, to: close) + 1
    }

    static func logicalLines(_ file: SourceFile) -> [LogicalLine] {
        var result: [LogicalLine] = []
        var current: LogicalLine?
        var jinjaDepth = 0
        for (index, raw) in file.lines.enumerated() {
            var scalars = Array(raw.unicodeScalars)
            var offset = 0
            var conditional = jinjaDepth > 0
            if let prefix = conditionPrefix(raw) {
                let scalarCount = raw.prefix(prefix).unicodeScalars.count
                scalars.removeFirst(scalarCount)
                offset = scalarCount
                conditional = true
            }
            if let directive = TemplateSyntax.jinjaDirective(raw) {
                switch directive {
                case .open: jinjaDepth += 1
                case .close: jinjaDepth = max(0, jinjaDepth - 1)
                case .middle, .other: break
                }
                continue
            }
            while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
            let leading = scalars.prefix { $0 == " " || $0 == "\t" }.count
            if leading == scalars.count { continue }                  // blank
            if scalars[leading] == "#" { continue }                   // comment, indented or not
            let segment = Segment(line: index + 1, column: offset + leading + 1, text: Array(scalars[leading...]), conditional: conditional)
            if leading > 0 {
                if current != nil {
                    current!.segments.append(segment)
                } else {
                    current = LogicalLine(segments: [segment], startsWithContinuation: true)
                }
            } else {
                if let c = current { result.append(c) }
                current = LogicalLine(segments: [segment])
            }
        }
        if let c = current { result.append(c) }
        return result
    }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }
}

/// Reads main.cf and master.cf into assignments and services, then maps them to endpoints.
struct PostfixReader {
    let context: ParseContext
    var setup: MailSetup
    var main: [String: [PostfixAssignment]] = [:]
    var mainFile: SourceFile?
    var masterFile: SourceFile?
    var services: [PostfixService] = []

    init(context: ParseContext, setup: MailSetup) {
        self.context = context
        self.setup = setup
    }

    mutating func problem(_ message: String, _ span: SourceSpan?, in file: SourceFile) {
        setup.problems.append(ParseProblem(message, path: file.path, span: span ?? SourceSpan(path: file.path, line: 1, column: 1)))
    }

    mutating func read(_ file: SourceFile) {
        let name = (file.path as NSString).lastPathComponent
        let isMaster: Bool
        switch PostfixFiles.kind(ofName: name) {
        case .main?: isMaster = false
        case .master?: isMaster = true
        case nil: isMaster = PostfixSniff.looksLikeMaster(file) && !PostfixSniff.looksLikeMain(file)
        }
        if isMaster { masterFile = file } else { mainFile = file }
        if let siblingPath = PostfixFiles.siblingPath(of: file.path) {
            do {
                // The first file a setup includes: never past the include limit, so never nil.
                if let sibling = try context.include(siblingPath) {
                    if isMaster { mainFile = sibling } else { masterFile = sibling }
                    setup.includedFiles.append(sibling.path)
                }
            } catch {
                // A missing sibling is normal (either file alone); one that exists but cannot be read is not. An
                // unreadable main.cf is reported as an input of its own: here it only explains the defaults.
                if FileManager.default.fileExists(atPath: siblingPath) {
                    if isMaster {
                        setup.problems.append(ParseProblem("the main.cf beside this master.cf cannot be read (\(error.message)), so its services are read with Postfix's defaults", path: file.path, span: SourceSpan(path: file.path, line: 1, column: 1)))
                    } else {
                        setup.problems.append(error)
                    }
                }
            }
        }
        if let mainFile { readMain(mainFile) }
        if let masterFile { readMaster(masterFile) }
        buildEndpoints()
    }

    // MARK: main.cf

    mutating func readMain(_ file: SourceFile) {
        for logical in PostfixLexer.logicalLines(file) {
            let first = logical.segments[0]
            if logical.startsWithContinuation {
                problem("this line starts with whitespace, so Postfix reads it as the continuation of a previous setting, but there is none before it", SourceSpan.at(file.path, line: first.line, column: first.column, length: first.text.count), in: file)
                continue
            }
            guard let eq = first.text.firstIndex(of: "=") else {
                let text = PostfixLexer.string(first.text)
                if TemplateSyntax.placeholder(in: text) != nil { continue }   // a template line that renders into something else
                problem("missing '=' after attribute name: \"\(text)\" (postconf stops here: main.cf lines are `name = value`)", SourceSpan.at(file.path, line: first.line, column: first.column, length: first.text.count), in: file)
                continue
            }
            let nameScalars = first.text[..<eq]
            let name = PostfixLexer.string(nameScalars).trimmingCharacters(in: .whitespaces)
            let nameSpan = SourceSpan.at(file.path, line: first.line, column: first.column, length: max(1, name.unicodeScalars.count))
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" || $0 == "." }) else {
                if TemplateSyntax.placeholder(in: name) != nil { continue }
                problem("'\(name)' is not a parameter name: main.cf lines are `name = value`", nameSpan, in: file)
                continue
            }
            // The value: after '=' on the first line, then every continuation line, joined by one space.
            var pieces: [(line: Int, column: Int, text: [Unicode.Scalar])] = []
            let rest = first.text[(eq + 1)...]
            let restLeading = rest.prefix { $0 == " " || $0 == "\t" }.count
            if restLeading < rest.count {
                pieces.append((first.line, first.column + (eq + 1 - first.text.startIndex) + restLeading, Array(rest.dropFirst(restLeading))))
            }
            for segment in logical.segments.dropFirst() { pieces.append((segment.line, segment.column, segment.text)) }
            let value = pieces.map { PostfixLexer.string($0.text) }.joined(separator: " ")
            let span: SourceSpan
            if let head = pieces.first, let tail = pieces.last {
                span = SourceSpan(path: file.path, line: head.line, column: head.column, endLine: tail.line, endColumn: tail.column + tail.text.count)
            } else {
                span = nameSpan
            }
            main[name, default: []].append(PostfixAssignment(name: name, value: value, span: span, conditional: logical.anyConditional))
        }
    }

    // MARK: master.cf

    struct Token {
        var text: String
        var line: Int
        var column: Int
        var endLine: Int
        var endColumn: Int
        var span: SourceSpan { SourceSpan(path: "", line: line, column: column, endLine: endLine, endColumn: endColumn) }
    }

    /// Splits a logical line into whitespace-separated tokens; `{ … }` is one token (Postfix ≥ 3.0).
    func tokens(_ logical: PostfixLexer.LogicalLine) -> (tokens: [Token], unbalanced: Token?) {
        var out: [Token] = []
        var braceStart: Token?
        var braceDepth = 0
        var braceText = ""
        for segment in logical.segments {
            var i = 0
            let s = segment.text
            while i < s.count {
                if s[i] == " " || s[i] == "\t" {
                    if braceDepth > 0 { braceText.unicodeScalars.append(" ") }
                    i += 1
                    continue
                }
                if braceDepth == 0 && s[i] != "{" {
                    let start = i
                    while i < s.count, s[i] != " ", s[i] != "\t" { i += 1 }
                    out.append(Token(text: PostfixLexer.string(s[start..<i]), line: segment.line, column: segment.column + start,
                                     endLine: segment.line, endColumn: segment.column + i))
                    continue
                }
                // inside or starting a brace group
                if braceDepth == 0 {
                    braceStart = Token(text: "", line: segment.line, column: segment.column + i, endLine: segment.line, endColumn: segment.column + i + 1)
                    braceText = ""
                }
                if s[i] == "{" { braceDepth += 1 }
                if s[i] == "}" { braceDepth -= 1 }
                braceText.unicodeScalars.append(s[i])
                i += 1
                if braceDepth == 0, var token = braceStart {
                    token.text = braceText
                    token.endLine = segment.line
                    token.endColumn = segment.column + i
                    out.append(token)
                    braceStart = nil
                }
            }
            if braceDepth > 0 { braceText.unicodeScalars.append(" ") }
        }
        return (out, braceDepth > 0 ? braceStart : nil)
    }

    mutating func readMaster(_ file: SourceFile) {
        func span(_ t: Token) -> SourceSpan { SourceSpan(path: file.path, line: t.line, column: t.column, endLine: t.endLine, endColumn: t.endColumn) }
        for logical in PostfixLexer.logicalLines(file) {
            let (tokens, unbalanced) = tokens(logical)
            if let unbalanced {
                problem("unbalanced '{' in this master.cf entry: the `{ … }` group is never closed", span(unbalanced), in: file)
                continue
            }
            guard let head = tokens.first else { continue }
            if logical.startsWithContinuation {
                problem("this line starts with whitespace, so Postfix reads it as part of a previous service entry, but there is none before it", span(head), in: file)
                continue
            }
            guard tokens.count >= 8 else {
                if TemplateSyntax.placeholder(in: head.text) != nil { continue }
                problem("a master.cf service entry has 8 fields (service type private unpriv chroot wakeup maxproc command), this one has \(tokens.count)", span(head), in: file)
                continue
            }
            let first = logical.segments[0]
            let location = SourceSpan(path: file.path, line: first.line, column: first.column, endLine: first.line, endColumn: first.column + first.text.count)
            var service = PostfixService(name: head.text, nameSpan: span(head), type: tokens[1].text, command: (tokens[7].text as NSString).lastPathComponent,
                                         location: location, overrides: [])
            if !PostfixSniff.serviceTypes.contains(service.type), TemplateSyntax.placeholder(in: service.type) == nil {
                problem("unknown service type '\(service.type)' (inet, unix, unix-dgram, fifo or pass)\(Suggestion.phrase(for: service.type, in: Array(PostfixSniff.serviceTypes)))", span(tokens[1]), in: file)
            }
            var index = 8
            while index < tokens.count {
                let token = tokens[index]
                var assignment: Token?
                if token.text == "-o" {
                    index += 1
                    guard index < tokens.count else {
                        problem("`-o` at the end of the entry: it needs `name=value` after it", span(token), in: file)
                        break
                    }
                    assignment = tokens[index]
                } else if token.text.hasPrefix("-o"), token.text.count > 2 {
                    var t = token
                    t.text = String(token.text.dropFirst(2))
                    t.column += 2
                    assignment = t
                }
                index += 1
                guard let a = assignment else { continue }
                let conditional = logical.segments.first { $0.line == a.line }?.conditional ?? logical.conditional
                if let parsed = override(a, file: file, conditional: conditional) {
                    service.overrides.append(parsed)
                } else if TemplateSyntax.placeholder(in: a.text) == nil {
                    problem("`-o \(a.text)` is not `name=value`", span(a), in: file)
                }
            }
            services.append(service)
        }
    }

    /// `name=value` or `{ name = value }` with the span of the value.
    func override(_ token: Token, file: SourceFile, conditional: Bool) -> PostfixAssignment? {
        var text = Array(token.text.unicodeScalars)
        var column = token.column
        if text.first == "{", text.last == "}" {
            text = Array(text.dropFirst().dropLast())
            column += 1
        }
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let name = PostfixLexer.string(text[..<eq]).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        var valueStart = eq + 1
        while valueStart < text.count, text[valueStart] == " " { valueStart += 1 }
        var valueEnd = text.count
        while valueEnd > valueStart, text[valueEnd - 1] == " " { valueEnd -= 1 }
        let value = PostfixLexer.string(text[valueStart..<valueEnd])
        let span: SourceSpan
        if token.line == token.endLine {
            span = value.isEmpty
                ? SourceSpan.at(file.path, line: token.line, column: column, length: name.unicodeScalars.count)
                : SourceSpan.at(file.path, line: token.line, column: column + valueStart, length: valueEnd - valueStart)
        } else {
            span = SourceSpan(path: file.path, line: token.line, column: token.column, endLine: token.endLine, endColumn: token.endColumn)
        }
        return PostfixAssignment(name: name, value: value, span: span, conditional: conditional)
    }

    // MARK: Resolution

    /// An effective parameter value: the winning setting, the ones it overrode, or Postfix's default.
    struct Setting {
        /// The expanded value; nil when it cannot be known (a template placeholder, a host-dependent default).
        var value: String?
        /// The winning setting; nil for the compiled-in default.
        var span: SourceSpan?
        var related: [SourceSpan] = []
        /// A main.cf value a master.cf service takes over, shared with every service that does not override it.
        var inherited = false
        var isExplicit: Bool { span != nil }
    }

    /// Postfix defaults (`postconf -d` of 3.7, the same in 3.11) of the parameters the model reads; 3.11's
    /// `smtp_tls_security_level`, which depends on `compatibility_level`, is in `compatibilityDecidingClientTLS`.
    static let defaults: [String: String] = [
        "compatibility_level": "0",
        "smtpd_tls_security_level": "", "smtpd_use_tls": "no", "smtpd_enforce_tls": "no", "smtpd_tls_wrappermode": "no",
        "smtpd_tls_auth_only": "no", "smtpd_sasl_auth_enable": "no", "smtpd_sasl_security_options": "noanonymous",
        "smtpd_tls_protocols": ">=TLSv1", "smtpd_tls_mandatory_protocols": ">=TLSv1",
        "smtpd_banner": "$myhostname ESMTP $mail_name", "disable_vrfy_command": "no", "mail_name": "Postfix",
        "smtpd_client_restrictions": "", "smtpd_helo_restrictions": "", "smtpd_sender_restrictions": "",
        "smtpd_recipient_restrictions": "", "smtpd_relay_restrictions": "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination",
        "smtp_tls_security_level": "", "smtp_use_tls": "no", "smtp_enforce_tls": "no", "smtp_tls_wrappermode": "no",
        "smtp_tls_protocols": ">=TLSv1", "smtp_tls_mandatory_protocols": ">=TLSv1", "smtp_tls_policy_maps": "",
        "smtp_sasl_auth_enable": "no", "smtp_sasl_password_maps": "", "relayhost": "", "inet_interfaces": "all",
    ]

    func setting(_ name: String, service: PostfixService?) -> Setting {
        let fromMain = main[name] ?? []
        let fromService = service?.overrides.filter { $0.name == name } ?? []
        let winner: PostfixAssignment
        var related: [SourceSpan]
        if let w = fromService.last {
            winner = w
            related = fromMain.suffix(Endpoint.relatedLimit).map(\.span) + fromService.dropLast().suffix(Endpoint.relatedLimit).map(\.span)
        } else if let w = fromMain.last {
            winner = w
            related = fromMain.dropLast().suffix(Endpoint.relatedLimit).map(\.span)
        } else {
            return Setting(value: Self.defaults[name].flatMap { expand($0, service: service, depth: 0) }, span: nil)
        }
        related.removeAll { $0 == winner.span }
        // Only the latest few: every service would otherwise copy a main.cf value repeated thousands of times.
        related = Array(related.suffix(Endpoint.relatedLimit))
        let value = winner.conditional ? nil : expand(winner.value, service: service, depth: 0)
        return Setting(value: value, span: winner.span, related: related, inherited: service != nil && fromService.isEmpty)
    }

    /// The raw (unexpanded) text of a parameter's winning value.
    func rawValue(_ name: String, service: PostfixService?) -> (text: String, conditional: Bool)? {
        if let w = service?.overrides.last(where: { $0.name == name }) { return (w.value, w.conditional) }
        if let w = main[name]?.last { return (w.value, w.conditional) }
        return nil
    }

    /// `$name`, `${name}`, `$(name)`, `${name?text}`, `${name:text}`, `${name?{a}:{b}}`; nil when unknowable.
    func expand(_ text: String, service: PostfixService?, depth: Int, keepUnset: Bool = false) -> String? {
        if depth > 20 || text.count > 65_536 { return nil }      // self-reference or a doubling chain: no value
        if TemplateSyntax.placeholder(in: text) != nil || text.contains("%{") { return nil }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            guard s[i] == "$", i + 1 < s.count else { out.append(s[i]); i += 1; continue }
            let next = s[i + 1]
            if next == "$" { out.append("$"); i += 2; continue }
            var name = ""
            var modifier: (kind: Unicode.Scalar, text: String)?
            var end = i + 1
            if next == "{" || next == "(" {
                let close: Unicode.Scalar = next == "{" ? "}" : ")"
                var depthBrace = 1
                var j = i + 2
                while j < s.count {
                    if s[j] == next { depthBrace += 1 }
                    if s[j] == close { depthBrace -= 1; if depthBrace == 0 { break } }
                    j += 1
                }
                guard j < s.count else { return nil }
                let inner = PostfixLexer.string(s[(i + 2)..<j])
                end = j + 1
                if let op = inner.unicodeScalars.firstIndex(where: { $0 == "?" || $0 == ":" }) {
                    name = String(inner.unicodeScalars[..<op])
                    modifier = (inner.unicodeScalars[op], String(inner.unicodeScalars[inner.unicodeScalars.index(after: op)...]))
                } else {
                    name = inner
                }
                if name.hasPrefix("{") { return nil }      // ${{$a} == {b}?…}: computed, not modelled
            } else {
                var j = i + 1
                while j < s.count, CharacterSet.alphanumerics.contains(s[j]) || s[j] == "_" { j += 1 }
                if j == i + 1 { out.append("$"); i += 1; continue }
                name = PostfixLexer.string(s[(i + 1)..<j])
                end = j
            }
            let isSet = main[name] != nil || service?.overrides.contains(where: { $0.name == name }) == true
            if keepUnset && !isSet && modifier == nil {
                out.append(contentsOf: s[i..<end])
                i = end
                continue
            }
            let value: String?
            if isSet {
                value = setting(name, service: service, depth: depth + 1)
            } else if let d = Self.defaults[name] {
                value = expand(d, service: service, depth: depth + 1)
            } else {
                // A host-dependent default (myhostname), or a macro defined in a file we do not see
                // (mailcow appends extra.cf): unknowable here, though postconf would expand it to "".
                value = nil
            }
            if let (kind, body) = modifier {
                guard let value else { return nil }
                var branches = [body]
                if body.hasPrefix("{"), let split = body.range(of: "}:{") {
                    branches = [String(body[body.index(after: body.startIndex)..<split.lowerBound]), String(body[split.upperBound...].dropLast())]
                } else if body.hasPrefix("{"), body.hasSuffix("}") {
                    branches = [String(body.dropFirst().dropLast())]
                }
                let chosen: String?
                if kind == "?" { chosen = value.isEmpty ? (branches.count > 1 ? branches[1] : "") : branches[0] }
                else { chosen = value.isEmpty ? branches[0] : value }
                guard let chosen, let expanded = expand(chosen, service: service, depth: depth + 1) else { return nil }
                out.append(contentsOf: expanded.unicodeScalars)
            } else {
                guard let value else { return nil }
                out.append(contentsOf: value.unicodeScalars)
            }
            if out.count > 65_536 { return nil }
            i = end
        }
        return String(out)
    }

    private func setting(_ name: String, service: PostfixService?, depth: Int) -> String? {
        if let w = service?.overrides.last(where: { $0.name == name }) { return w.conditional ? nil : expand(w.value, service: service, depth: depth) }
        if let w = main[name]?.last { return w.conditional ? nil : expand(w.value, service: service, depth: depth) }
        return nil
    }

    // MARK: Values

    mutating func bool(_ name: String, _ s: Setting) -> Bool? {
        guard let v = s.value?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        switch v {
        case "yes", "true": return true
        case "no", "false": return false
        default:
            report(name, s, expected: "yes or no")
            return nil
        }
    }

    mutating func report(_ name: String, _ s: Setting, expected: String, choices: [String] = []) {
        guard let span = s.span, let value = s.value else { return }
        var message = "\(name) must be \(expected); found '\(value)'"
        if value.contains(" #") || value.hasPrefix("#") {
            message += ": main.cf has no trailing comments, so the '#…' is part of the value"
        } else {
            message += Suggestion.phrase(for: value, in: choices)
        }
        setup.problems.append(ParseProblem(message, path: span.path, span: span))
    }

    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// The lowest TLS version a Postfix protocol list allows (`>=TLSv1.2`, `!SSLv2, !SSLv3`, `TLSv1.2 TLSv1.3`).
    /// SSLv2 and SSLv3 count only when named: the OpenSSL builds Postfix links with no longer speak them.
    static func minimumVersion(_ text: String) -> TLSVersion? {
        var all: [TLSVersion] = [.tls10, .tls11, .tls12, .tls13]
        if text.range(of: #"(^|[\s,:=])(SSLv3|sslv3)"#, options: .regularExpression) != nil { all.insert(.ssl3, at: 0) }
        var allowed = Set(all)
        var included: Set<TLSVersion> = []
        for token in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == ":" }) {
            var t = String(token)
            if t.hasPrefix(">=") {
                guard let v = TLSVersion(loose: String(t.dropFirst(2))) else { return nil }
                allowed = allowed.filter { $0 >= v }
            } else if t.hasPrefix("<=") {
                guard let v = TLSVersion(loose: String(t.dropFirst(2))) else { return nil }
                allowed = allowed.filter { $0 <= v }
            } else if t.hasPrefix("!") {
                t.removeFirst()
                guard let v = TLSVersion(loose: t) else { return nil }
                allowed.remove(v)
            } else {
                guard let v = TLSVersion(loose: t) else { return nil }
                included.insert(v)
            }
        }
        if !included.isEmpty { allowed.formIntersection(included) }
        return all.first { allowed.contains($0) }
    }

    /// `host`, `[host]`, `host:port`, `[host]:port`; the port as a number or a service name.
    func hostPort(_ text: String) -> (host: String?, port: Int?, portText: String?) {
        var rest = Substring(text)
        var host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return (String(rest), nil, nil) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            if rest.hasPrefix(":") { rest = rest.dropFirst() } else { return (String(host), nil, nil) }
        } else if let colon = rest.lastIndex(of: ":"), rest.filter({ $0 == ":" }).count == 1 {
            host = rest[..<colon]
            rest = rest[rest.index(after: colon)...]
        } else {
            return (String(rest), nil, nil)
        }
        let portText = String(rest)
        return (host.isEmpty ? nil : String(host), port(portText), portText)
    }

    /// A port number or a service name (`smtp`, `submission`, `submissions`/`smtps`).
    func port(_ text: String) -> Int? {
        if let n = Int(text), (1...65535).contains(n) { return n }
        let aliases = ["smtps": "submissions", "ssmtp": "submissions", "urd": "submissions"]
        return context.ports.port(service: aliases[text] ?? text)
    }

    // MARK: Endpoints

    mutating func buildEndpoints() {
        let file = mainFile ?? masterFile!
        let fallback = SourceSpan(path: file.path, line: 1, column: 1)
        if masterFile == nil {
            // Postfix's stock master.cf: an smtpd on port 25 and the smtp delivery client.
            serverEndpoint(account: "smtp", listen: "smtp", listenSpan: nil, location: fallback, settings: nil)
            clientEndpoint(service: nil, location: fallback)
            return
        }
        let pass = services.first { $0.type == "pass" && $0.command == "smtpd" }
        for service in services where service.type == "inet" {
            switch service.command {
            case "smtpd":
                serverEndpoint(account: service.name, listen: service.name, listenSpan: service.nameSpan, location: service.location, settings: service)
            case "postscreen":
                // postscreen answers first and hands clients to the `smtpd pass` service, whose settings then apply.
                serverEndpoint(account: service.name, listen: service.name, listenSpan: service.nameSpan, location: service.location, settings: pass ?? service)
            default: continue
            }
        }
        if let client = services.first(where: { $0.name == "smtp" && $0.type == "unix" && $0.command == "smtp" }) {
            clientEndpoint(service: client, location: client.location)
        } else if mainFile != nil {
            clientEndpoint(service: nil, location: fallback)
        }
    }

    mutating func serverEndpoint(account: String, listen: String, listenSpan: SourceSpan?, location: SourceSpan, settings service: PostfixService?) {
        var e = Endpoint(role: .server, location: location)
        e.account = account
        e.protocol = .smtp
        var host: String?
        var portText = listen
        if listen.contains(":") {
            let parsed = hostPort(listen)
            host = parsed.host
            portText = parsed.portText ?? ""
        }
        // iRedMail's `PH_LOCAL_ADDRESS:PH_POSTFIX_MAIL_REINJECT_PORT`, Jinja's `{{ ip }}:{{ port }}`: where the
        // listener will be, and so whether anything outside the host reaches it, is unknown until the template
        // is rendered (iRedMail renders a loopback re-injection port). No endpoint rather than a guessed one.
        if let host, TemplateSyntax.placeholder(in: host) != nil, TemplateSyntax.placeholder(in: portText) != nil { return }
        if let host, TemplateSyntax.placeholder(in: host) == nil, host != "*" { e.host = host }
        e.port = TemplateSyntax.placeholder(in: portText) == nil ? port(portText) : nil
        if e.port == nil, TemplateSyntax.placeholder(in: portText) == nil, let listenSpan, let file = masterFile {
            problem("cannot tell the port of service '\(listen)': '\(portText)' is neither a number nor a service name mailaudit knows (smtp, submission, submissions, smtps)", listenSpan, in: file)
        }
        if let listenSpan { e.spans[.port] = listenSpan }
        if e.host == nil, host == nil { boundInterfaces(&e) }
        e.direction = e.port.map { context.ports.listenerDirection(protocol: .smtp, port: $0) }

        let level = setting("smtpd_tls_security_level", service: service)
        let use = setting("smtpd_use_tls", service: service)
        let enforce = setting("smtpd_enforce_tls", service: service)
        let wrapper = setting("smtpd_tls_wrappermode", service: service)
        // The security level, or the legacy booleans when it is empty.
        var levelName: String?
        var levelSetting = level
        if let v = level.value?.trimmingCharacters(in: .whitespaces).lowercased() {
            if !v.isEmpty {
                if ["none", "may", "encrypt"].contains(v) { levelName = v } else {
                    report("smtpd_tls_security_level", level, expected: "none, may or encrypt", choices: ["none", "may", "encrypt"])
                }
                for legacy in [use, enforce] where legacy.isExplicit { levelSetting.related += [legacy.span!] }
            } else {
                let enforceOn = bool("smtpd_enforce_tls", enforce)
                let useOn = bool("smtpd_use_tls", use)
                if enforceOn == true { levelName = "encrypt"; levelSetting = enforce }
                else if useOn == true { levelName = "may"; levelSetting = use }
                else if enforceOn == false && useOn == false {
                    levelName = "none"
                    if !level.isExplicit { levelSetting = use.isExplicit ? use : (enforce.isExplicit ? enforce : level) }
                }
            }
        }
        let wrap = bool("smtpd_tls_wrappermode", wrapper)
        func setSpan(_ field: Endpoint.Field, _ s: Setting) {
            if let span = s.span { e.spans[field] = span } else { e.spans[field] = nil }
            for r in s.related { e.addRelated(r, for: field) }
            if s.inherited { e.inherited.insert(field) } else { e.inherited.remove(field) }
        }
        if wrap == true {
            // smtpd enforces TLS in wrapper mode whatever the level says (enforce_tls = wrappermode || …).
            e.tls = .implicit
            e.tlsRequired = true
            setSpan(.tls, wrapper)
            setSpan(.tlsRequired, wrapper)
            if levelSetting.isExplicit { e.addRelated(levelSetting.span!, for: .tls) }
        } else if wrap == false {
            switch levelName {
            case "none"?: e.tls = TLSMode.none; e.tlsRequired = false
            case "may"?: e.tls = .starttls; e.tlsRequired = false
            case "encrypt"?: e.tls = .starttls; e.tlsRequired = true
            default: break
            }
            if levelName != nil {
                setSpan(.tls, levelSetting)
                setSpan(.tlsRequired, levelSetting)
                if wrapper.isExplicit { e.addRelated(wrapper.span!, for: .tls) }
            }
        }
        let enforced = wrap == true || levelName == "encrypt"

        // Authentication.
        let sasl = setting("smtpd_sasl_auth_enable", service: service)
        let authOnly = setting("smtpd_tls_auth_only", service: service)
        let saslOn = bool("smtpd_sasl_auth_enable", sasl)
        let authOnlyOn = bool("smtpd_tls_auth_only", authOnly)
        let securityOptions = setting("smtpd_sasl_security_options", service: service)
        if let saslOn {
            e.auth = saslOn ? ["password"] : []
            setSpan(.auth, sasl)
            if saslOn, authOnly.isExplicit { e.addRelated(authOnly.span!, for: .auth) }
            if saslOn, levelSetting.isExplicit, !enforced { e.addRelated(levelSetting.span!, for: .auth) }
        }
        let noPlaintext = securityOptions.value.map { Self.list($0.lowercased()).contains("noplaintext") }
        switch (saslOn, e.tls) {
        case (false?, _):
            e.allowsPlaintextAuth = false
            setSpan(.allowsPlaintextAuth, sasl)
        case (true?, .implicit?):
            e.allowsPlaintextAuth = false
            setSpan(.allowsPlaintextAuth, wrapper)
        case (true?, .starttls?) where enforced:
            e.allowsPlaintextAuth = false
            setSpan(.allowsPlaintextAuth, levelSetting)
        case (true?, .starttls?):
            if authOnlyOn == true {
                e.allowsPlaintextAuth = false
                setSpan(.allowsPlaintextAuth, authOnly)
            } else if authOnlyOn == false, let noPlaintext {
                e.allowsPlaintextAuth = !noPlaintext
                setSpan(.allowsPlaintextAuth, noPlaintext ? securityOptions : (authOnly.isExplicit ? authOnly : sasl))
            }
        case (true?, TLSMode.none?):
            if let noPlaintext {
                e.allowsPlaintextAuth = !noPlaintext
                setSpan(.allowsPlaintextAuth, noPlaintext ? securityOptions : sasl)
            }
        default: break
        }

        // Does the service refuse clients that have not authenticated? (`permit_sasl_authenticated, reject`)
        var required: Bool? = false
        for name in ["smtpd_client_restrictions", "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions"] {
            let s = setting(name, service: service)
            guard let value = s.value else { required = required == true ? true : nil; continue }
            if Self.refusesUnauthenticated(Self.list(value.lowercased())) {
                required = true
                setSpan(.authRequired, s)
                break
            }
        }
        e.authRequired = required
        if e.authRequired == true, saslOn == true, authOnlyOn == true, e.tls == .starttls, e.tlsRequired == false {
            // Nothing useful happens before STARTTLS: no AUTH without TLS and no mail without AUTH.
            e.tlsRequired = true
            setSpan(.tlsRequired, authOnly)
        }

        // Greeting and VRFY.
        let banner = setting("smtpd_banner", service: service)
        if let raw = rawValue("smtpd_banner", service: service) {
            e.banner = raw.conditional ? nil : expand(raw.text, service: service, depth: 0, keepUnset: true)
        } else {
            e.banner = Self.defaults["smtpd_banner"]
        }
        setSpan(.banner, banner)
        let vrfy = setting("disable_vrfy_command", service: service)
        if let disabled = bool("disable_vrfy_command", vrfy) { e.allowsVRFY = !disabled }
        setSpan(.allowsVRFY, vrfy)

        // Protocol floor: the mandatory list where TLS is enforced, the opportunistic one otherwise.
        if let tls = e.tls, tls != TLSMode.none {
            let name = enforced ? "smtpd_tls_mandatory_protocols" : "smtpd_tls_protocols"
            let s = setting(name, service: service)
            if let value = s.value {
                if let v = Self.minimumVersion(value) { e.minTLSVersion = v } else {
                    report(name, s, expected: "a protocol list such as '>=TLSv1.2' or '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1'")
                }
            }
            setSpan(.minTLSVersion, s)
        }
        // As in OpenSMTPD: a listener that offers no AUTH on a port not meant for submission (mailcow's
        // postscreen on 10025 behind haproxy, a content filter's return port) is MTA-to-MTA relay or a
        // hand-off, not a submission service without authentication.
        if saslOn == false, e.direction == .outgoing,
           !["submission", "submissions", "alt-submission"].contains(context.ports.entry(for: e.port)?.service ?? "") {
            e.direction = .relay
        }
        e.directLoopbackListenerAsHandOff()
        setup.endpoints.append(e)
    }

    /// A restriction list that ends in `reject` and lets nobody through before that but authenticated
    /// clients (and the local networks, which a remote client is not part of): a remote client that has
    /// not authenticated can do nothing.
    static func refusesUnauthenticated(_ items: [String]) -> Bool {
        guard items.last == "reject" else { return false }
        let harmless: Set<String> = ["permit_sasl_authenticated", "permit_mynetworks", "permit_tls_clientcerts",
                                     "permit_tls_all_clientcerts", "reject", "warn_if_reject"]
        return items.dropLast().allSatisfy { harmless.contains($0) || $0.hasPrefix("reject_") || $0.hasPrefix("defer_") }
    }

    /// A service without an address listens on `inet_interfaces` (default `all`): loopback when
    /// every address there is (`loopback-only`, `localhost`, `127.0.0.1, [::1]`).
    func boundInterfaces(_ e: inout Endpoint) {
        let interfaces = setting("inet_interfaces", service: nil)
        guard let value = interfaces.value else { return }
        let items = Self.list(value).map { $0.lowercased() }
        guard !items.isEmpty, !items.contains(where: { TemplateSyntax.placeholder(in: $0) != nil }) else { return }
        let loopback = items.allSatisfy { $0 == "loopback-only" || LoopbackAddress.isLoopback(host: $0) == true }
        e.loopback = loopback
        if let span = interfaces.span { e.spans[.loopback] = span }
    }

    /// Postfix 3.11: with `compatibility_level` 3.11 or higher (what a new installation's main.cf says),
    /// an unset `smtp_tls_security_level` is `may`; at lower levels, and before 3.11, it is empty (no TLS).
    /// The `compatibility_level` setting when the release decides (3.11 or higher), nil when every release agrees.
    func compatibilityDecidingClientTLS(service: PostfixService?) -> Setting? {
        let compatibility = setting("compatibility_level", service: service)
        guard let value = compatibility.value?.trimmingCharacters(in: .whitespaces),
              ProgramVersions.isOlder(value, than: "3.11") == false else { return nil }
        return compatibility
    }

    mutating func clientEndpoint(service: PostfixService?, location: SourceSpan) {
        var e = Endpoint(role: .client, location: location)
        e.account = "smtp"
        e.protocol = .smtp
        func setSpan(_ field: Endpoint.Field, _ s: Setting) {
            if let span = s.span { e.spans[field] = span } else { e.spans[field] = nil }
            for r in s.related { e.addRelated(r, for: field) }
            if s.inherited { e.inherited.insert(field) } else { e.inherited.remove(field) }
        }
        let relay = setting("relayhost", service: service)
        var relayKnown = true
        if let value = relay.value {
            let first = Self.list(value).first ?? ""
            if !first.isEmpty {
                let parsed = hostPort(first)
                e.host = parsed.host
                if let text = parsed.portText {
                    e.port = port(text)
                    if e.port == nil, let span = relay.span {
                        setup.problems.append(ParseProblem("cannot tell the port of relayhost '\(first)': '\(text)' is neither a number nor a service name mailaudit knows", path: span.path, span: span))
                    }
                }
            }
        } else {
            relayKnown = false
        }
        setSpan(.host, relay)
        if e.port != nil { setSpan(.port, relay) } else if relayKnown {
            e.port = context.ports.defaultPort(for: .smtp, tls: nil, direction: .relay)
            e.portIsDefault = true
        }
        e.direction = e.port.map { context.ports.listenerDirection(protocol: .smtp, port: $0) }

        let level = setting("smtp_tls_security_level", service: service)
        let use = setting("smtp_use_tls", service: service)
        let enforce = setting("smtp_enforce_tls", service: service)
        let wrapper = setting("smtp_tls_wrappermode", service: service)
        let levels = ["none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure"]
        var levelName: String?
        var levelSetting = level
        if let v = level.value?.trimmingCharacters(in: .whitespaces).lowercased() {
            if !v.isEmpty {
                if levels.contains(v) { levelName = v } else {
                    report("smtp_tls_security_level", level, expected: levels.joined(separator: ", "), choices: levels)
                }
                for legacy in [use, enforce] where legacy.isExplicit { levelSetting.related += [legacy.span!] }
            } else {
                let enforceOn = bool("smtp_enforce_tls", enforce)
                let useOn = bool("smtp_use_tls", use)
                if enforceOn == true { levelName = "encrypt"; levelSetting = enforce }
                else if useOn == true { levelName = "may"; levelSetting = use }
                else if enforceOn == false && useOn == false {
                    levelName = "none"
                    if !level.isExplicit { levelSetting = use.isExplicit ? use : (enforce.isExplicit ? enforce : level) }
                    if !level.isExplicit, !use.isExplicit, !enforce.isExplicit, let compatibility = compatibilityDecidingClientTLS(service: service) {
                        if !context.versions.isBefore("postfix", "3.11") {
                            levelName = "may"
                            levelSetting = compatibility
                        }
                        e.modelledVersions[.tls] = context.versions.name("postfix")
                        e.modelledVersions[.tlsRequired] = context.versions.name("postfix")
                    }
                }
            }
        }
        let wrap = bool("smtp_tls_wrappermode", wrapper)
        if let levelName, let wrap {
            let mandatory = !["none", "may", "dane"].contains(levelName)
            if levelName == "none" {
                e.tls = TLSMode.none
            } else {
                e.tls = wrap ? .implicit : .starttls
            }
            e.tlsRequired = mandatory
            setSpan(.tls, wrap && levelName != "none" ? wrapper : levelSetting)
            setSpan(.tlsRequired, levelSetting)
            switch levelName {
            case "encrypt": e.verifyCertificate = false                       // TLS without checking who answers
            case "dane-only", "fingerprint", "verify", "secure": e.verifyCertificate = true
            default: e.verifyCertificate = nil                               // none/may: not applicable; dane: depends on DNS
            }
            if e.verifyCertificate != nil { setSpan(.verifyCertificate, levelSetting) }
            if levelName != "none" {
                let name = mandatory ? "smtp_tls_mandatory_protocols" : "smtp_tls_protocols"
                let s = setting(name, service: service)
                if let value = s.value {
                    if let v = Self.minimumVersion(value) { e.minTLSVersion = v } else {
                        report(name, s, expected: "a protocol list such as '>=TLSv1.2' or '!SSLv2, !SSLv3'")
                    }
                }
                setSpan(.minTLSVersion, s)
                if let release = e.modelledVersions[.tls] { e.modelledVersions[.minTLSVersion] = release }
            }
            // TLS switched on only for the destinations of a policy map, off for everyone else (MA401).
            let policy = setting("smtp_tls_policy_maps", service: service)
            if levelName != "none" {
                e.selectiveTLS = false
            } else if let maps = policy.value {
                e.selectiveTLS = !maps.trimmingCharacters(in: .whitespaces).isEmpty
                if e.selectiveTLS == true { setSpan(.selectiveTLS, policy); e.addRelated(levelSetting.span ?? location, for: .selectiveTLS) }
            }
        }
        let sasl = setting("smtp_sasl_auth_enable", service: service)
        if let on = bool("smtp_sasl_auth_enable", sasl) {
            e.auth = on ? ["password"] : []
            setSpan(.auth, sasl)
            if on {
                // The password map is a file of clear-text passwords next to main.cf (FORMATS §13.3).
                let maps = setting("smtp_sasl_password_maps", service: service)
                e.credential = .file
                setSpan(.credential, maps.isExplicit ? maps : sasl)
            } else {
                e.credential = CredentialKind.none
                setSpan(.credential, sasl)
            }
        }
        setup.endpoints.append(e)
    }
}
