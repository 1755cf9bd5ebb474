import Foundation
import MailAuditCore
import Yams

/// Spring Boot `spring.mail.*` in `application*.properties` and `application*.yml` (FORMATS.md §20).
/// Spring Boot creates the mail sender only when `spring.mail.host` is set; JavaMail (Jakarta Mail)
/// then decides TLS from `spring.mail.properties.mail.<protocol>.*`:
/// - implicit TLS: `spring.mail.protocol=smtps`, `mail.smtp.ssl.enable=true`,
///   `spring.mail.ssl.enabled=true` (Boot 3.1+) or the legacy `socketFactory.class=javax.net.ssl.SSLSocketFactory`;
/// - STARTTLS only with `mail.smtp.starttls.enable=true` (default false: no TLS even when offered),
///   mandatory only with `mail.smtp.starttls.required=true`;
/// - `mail.smtp.ssl.trust=*` (or the host itself) trusts any certificate, `ssl.checkserveridentity=false`
///   skips the host-name check: both mean the certificate does not protect the connection;
/// - the port defaults to 25 (smtp) or 465 (smtps), also with `ssl.enable` on protocol smtp (JavaMail);
/// - JavaMail logs in when `mail.smtp.auth=true`, or when both username and password are given.
/// A multi-document YAML file is one setup: documents without a profile condition are merged in
/// order (the base), and each document activated by a profile (`spring.config.activate.on-profile`,
/// or the older `spring.profiles`) gives one more endpoint: the base with that profile's values.
/// `${…}` placeholders are resolved from keys of the same file; anything else is unknown.
struct SpringFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "spring",
        what: "Spring Boot 4.0 `spring.mail.*`",
        names: ["application*.properties", "application*.yml"],
        fenceLanguage: "yaml",
        program: .fixed("Spring Boot 4.0"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        guard name.hasPrefix("application") else { return false }
        return name.hasSuffix(".properties") || name.hasSuffix(".yml") || name.hasSuffix(".yaml")
    }

    /// Properties or YAML that set `spring.mail.*`.
    func matches(content: SourceFile) -> Bool {
        var inSpring = false
        for line in content.lines.prefix(2000) {
            if line.hasPrefix("spring.mail.") { return true }
            if line.hasPrefix("spring:") { inSpring = true; continue }
            if inSpring, let first = line.first, first != " ", first != "\t", first != "#" { inSpring = false }
            if inSpring, line.trimmingCharacters(in: .whitespaces).hasPrefix("mail:") { return true }
        }
        return false
    }

    /// For a name that says neither (`--as spring`, stdin): dotted `key=value` lines are properties.
    static func looksLikeProperties(_ file: SourceFile) -> Bool {
        for line in file.lines.prefix(200) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") || t.hasPrefix("!") || t == "---" { continue }
            let key = t.prefix { !"=: \t".contains($0) }
            let rest = t.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            return rest.hasPrefix("=") || (key.contains(".") && !rest.hasPrefix(":"))
        }
        return false
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: id)
        var diagnostics = Diagnostics()
        let name = (file.path as NSString).lastPathComponent.lowercased()
        var documents: [SpringDocument]
        if name.hasSuffix(".properties") || (!name.hasSuffix(".yml") && !name.hasSuffix(".yaml") && Self.looksLikeProperties(file)) {
            let props = JavaProperties(file)
            diagnostics.report(contentsOf: props.diagnostics)
            documents = [SpringDocument(profile: nil, values: props.values)]
        } else {
            do {
                documents = try SpringYAML.documents(file)
            } catch {
                diagnostics.report(error)
                return setup.reporting(diagnostics)
            }
        }
        // application-dev.yml is the `dev` profile's file.
        var fileProfile: String?
        if let dash = name.firstIndex(of: "-"), let dot = name.firstIndex(of: ".") , dash < dot {
            fileProfile = String(name[name.index(after: dash)..<dot])
        }
        var base: [String: SpringValue] = [:]
        var profiles: [(String, [String: SpringValue])] = []
        for doc in documents {
            if let p = doc.profile { profiles.append((p, doc.values)) } else { base.merge(doc.values) { _, new in new } }
        }
        let baseName = fileProfile.map { "spring.mail (profile \($0))" } ?? "spring.mail"
        SpringMail(values: base, file: file, ports: context.ports).endpoint(account: baseName, into: &setup, diagnostics: &diagnostics)
        for (profile, values) in profiles where values.keys.contains(where: { $0.hasPrefix("spring.mail.") }) {
            let merged = base.merging(values) { _, new in new }
            SpringMail(values: merged, file: file, ports: context.ports).endpoint(account: "spring.mail (profile \(profile))", into: &setup, diagnostics: &diagnostics)
        }
        return setup.reporting(diagnostics)
    }
}

/// One flattened property: its text (nil for YAML null), where the value is, and where the key is.
struct SpringValue {
    var text: String?
    var span: SourceSpan
    var keySpan: SourceSpan
}

struct SpringDocument {
    var profile: String?
    var values: [String: SpringValue]
}

/// Maps the flattened `spring.mail.*` keys of one profile to an endpoint.
struct SpringMail {
    let values: [String: SpringValue]
    let file: SourceFile
    let ports: PortTable

    /// A value with `${key}` / `${key:default}` placeholders resolved from the same file; nil when
    /// a placeholder names something else (an environment variable: unknown).
    func resolved(_ key: String, depth: Int = 0) -> String? {
        guard let v = values[key], let text = v.text else { return nil }
        return resolve(text, depth: depth)
    }

    func resolve(_ text: String, depth: Int) -> String? {
        guard text.contains("${"), depth < 10 else { return depth < 10 ? text : nil }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { return nil }
            let inner = rest[open.upperBound..<close]
            let name = inner.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            guard let value = resolved(name, depth: depth + 1) else { return nil }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    func bool(_ key: String) -> (Bool?, SourceSpan?) {
        guard let v = values[key] else { return (nil, nil) }
        guard let text = resolved(key)?.trimmingCharacters(in: .whitespaces).lowercased() else { return (nil, v.span) }
        switch text {
        case "true": return (true, v.span)
        case "false": return (false, v.span)
        default: return (nil, v.span)
        }
    }

    func endpoint(account: String, into setup: inout MailSetup, diagnostics: inout Diagnostics) {
        guard let hostValue = values["spring.mail.host"] else { return }
        var e = Endpoint(role: .client, location: hostValue.keySpan)
        e.account = account
        e.direction = .outgoing
        e.protocol = .smtp
        if let host = resolved("spring.mail.host"), !host.isEmpty {
            e.set(\.host, host, field: .host, span: hostValue.span)
        } else {
            e.spans[.host] = hostValue.span
        }
        let protocolValue = values["spring.mail.protocol"]
        let proto = (resolved("spring.mail.protocol") ?? "smtp").lowercased()
        guard proto == "smtp" || proto == "smtps" else {
            diagnostics.report(ParseProblem("spring.mail.protocol must be smtp or smtps for sending, found '\(proto)'", path: file.path, span: protocolValue?.span ?? hostValue.span))
            return
        }
        let prefix = "spring.mail.properties.mail.\(proto)."

        // Implicit TLS
        var implicitSpan: SourceSpan?
        var implicit = false
        if proto == "smtps" { implicit = true; implicitSpan = protocolValue?.span }
        let (sslEnable, sslEnableSpan) = bool(prefix + "ssl.enable")
        if sslEnable == true { implicit = true; implicitSpan = implicitSpan ?? sslEnableSpan }
        let (bootSSL, bootSSLSpan) = bool("spring.mail.ssl.enabled")
        if bootSSL == true { implicit = true; implicitSpan = implicitSpan ?? bootSSLSpan }
        if let factory = values[prefix + "socketFactory.class"], resolved(prefix + "socketFactory.class")?.contains("SSLSocketFactory") == true {
            implicit = true
            implicitSpan = implicitSpan ?? factory.span
        }
        let (starttls, starttlsSpan) = bool(prefix + "starttls.enable")
        let (required, requiredSpan) = bool(prefix + "starttls.required")
        if implicit {
            e.set(\.tls, .implicit, field: .tls, span: implicitSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: implicitSpan)
            if let starttlsSpan { e.addRelated(starttlsSpan, for: .tls) }
        } else if starttls == true {
            e.set(\.tls, .starttls, field: .tls, span: starttlsSpan)
            if required == true {
                e.set(\.tlsRequired, true, field: .tlsRequired, span: requiredSpan)
            } else {
                e.set(\.tlsRequired, false, field: .tlsRequired, span: requiredSpan ?? starttlsSpan)
            }
        } else if starttlsSpan != nil && starttls == nil {
            e.spans[.tls] = starttlsSpan  // a placeholder: unknown
        } else if sslEnableSpan != nil && sslEnable == nil {
            e.spans[.tls] = sslEnableSpan
        } else {
            // No TLS at all: JavaMail does not use STARTTLS unless told to.
            let span = starttlsSpan ?? sslEnableSpan
            e.set(\.tls, TLSMode.none, field: .tls, span: span)
            e.set(\.tlsRequired, false, field: .tlsRequired, span: span)
        }

        // Port
        if let portValue = values["spring.mail.port"] ?? values[prefix + "port"] {
            if let text = resolved(values["spring.mail.port"] != nil ? "spring.mail.port" : prefix + "port"), let p = Int(text.trimmingCharacters(in: .whitespaces)), (1...65535).contains(p) {
                e.set(\.port, p, field: .port, span: portValue.span)
            } else if let text = portValue.text, !text.contains("${") {
                diagnostics.report(ParseProblem("spring.mail.port must be a port number from 1 to 65535, found '\(text)'", path: file.path, span: portValue.span))
            } else {
                e.spans[.port] = portValue.span
            }
        } else {
            // JavaMail's default: 465 for smtps, else 25 (also with ssl.enable on protocol smtp).
            e.port = ports.port(service: proto == "smtps" ? "submissions" : "smtp")
            e.portIsDefault = true
        }

        // Certificate checks
        if e.tls != nil, e.tls != TLSMode.none {
            var verify = true
            var verifySpan: SourceSpan?
            if let trust = values[prefix + "ssl.trust"], let text = resolved(prefix + "ssl.trust") {
                let hosts = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                if hosts.contains("*") || (e.host.map { hosts.contains($0) } ?? false) {
                    verify = false
                    verifySpan = trust.span
                }
            }
            let (identity, identitySpan) = bool(prefix + "ssl.checkserveridentity")
            if identity == false, verify {
                verify = false
                verifySpan = identitySpan
            }
            // Without ssl.checkserveridentity, JavaMail 1.x skipped the host-name check and Jakarta/Angus
            // Mail 2 performs it: the chain is verified either way, which is what is modelled.
            e.set(\.verifyCertificate, verify, field: .verifyCertificate, span: verifySpan)
            if let protocols = values[prefix + "ssl.protocols"], let text = resolved(prefix + "ssl.protocols") {
                let versions = text.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { TLSVersion(loose: String($0)) }
                if let lowest = versions.min() { e.set(\.minTLSVersion, lowest, field: .minTLSVersion, span: protocols.span) }
            }
        }

        // Credentials and authentication
        let userValue = values["spring.mail.username"]
        let passwordValue = values["spring.mail.password"]
        let user = resolved("spring.mail.username")
        let password = resolved("spring.mail.password")
        if let passwordValue, let text = passwordValue.text, !text.isEmpty {
            if password != nil {
                e.set(\.credential, .inline, field: .credential, span: passwordValue.span)
                setup.secrets.append(passwordValue.span)
            } else {
                e.spans[.credential] = passwordValue.span  // from the environment
            }
        }
        let (authFlag, authSpan) = bool(prefix + "auth")
        let hasUser = !(user ?? "").isEmpty
        let hasPassword = !(password ?? "").isEmpty
        if authFlag == true || (hasUser && hasPassword) {
            e.set(\.auth, ["password"], field: .auth, span: authFlag == true ? authSpan : (userValue?.span ?? passwordValue?.span))
        } else if (userValue?.text?.contains("${") ?? false) || (passwordValue?.text?.contains("${") ?? false) {
            e.spans[.auth] = userValue?.span  // unknown
        } else {
            e.set(\.auth, [], field: .auth, span: authSpan ?? userValue?.span)
            if e.credential == nil { e.credential = CredentialKind.none }
        }
        setup.endpoints.append(e)
    }
}

/// `java.util.Properties` syntax: `key=value`, `key: value`, `key value`; `#`/`!` comment lines;
/// a trailing odd backslash continues the line (leading blanks of the next line dropped);
/// escapes `\t \n \r \f \uXXXX`, any other `\c` is `c`. A malformed `\u` escape is an error
/// (Java throws), reported with its position; the rest of the file is still read.
struct JavaProperties {
    var values: [String: SpringValue] = [:]
    var diagnostics = Diagnostics()

    init(_ file: SourceFile) {
        let lines = file.lines.map { Array($0.unicodeScalars) }
        var i = 0
        while i < lines.count {
            let first = lines[i]
            var c = 0
            while c < first.count, first[c] == " " || first[c] == "\t" || first[c] == "\u{0C}" { c += 1 }
            if c == first.count || first[c] == "#" || first[c] == "!" { i += 1; continue }
            // Join continuation lines, remembering where each scalar came from.
            var text: [Unicode.Scalar] = []
            var origin: [(Int, Int)] = []
            var l = i
            var col = c
            while true {
                let s = lines[l]
                var end = s.count
                var trailing = 0
                while trailing < end, s[end - 1 - trailing] == "\\" { trailing += 1 }
                let continues = trailing % 2 == 1 && l + 1 < lines.count
                if continues { end -= 1 }
                for k in col..<max(col, end) { text.append(s[k]); origin.append((l, k)) }
                guard continues else { break }
                l += 1
                col = 0
                while col < lines[l].count, lines[l][col] == " " || lines[l][col] == "\t" || lines[l][col] == "\u{0C}" { col += 1 }
            }
            let next = l + 1
            // Key: up to an unescaped `=`, `:` or blank.
            var k = 0
            var keyRaw: [Unicode.Scalar] = []
            while k < text.count {
                let ch = text[k]
                if ch == "\\", k + 1 < text.count { keyRaw.append(ch); keyRaw.append(text[k + 1]); k += 2; continue }
                if ch == "=" || ch == ":" || ch == " " || ch == "\t" || ch == "\u{0C}" { break }
                keyRaw.append(ch)
                k += 1
            }
            while k < text.count, text[k] == " " || text[k] == "\t" || text[k] == "\u{0C}" { k += 1 }
            if k < text.count, text[k] == "=" || text[k] == ":" { k += 1 }
            while k < text.count, text[k] == " " || text[k] == "\t" || text[k] == "\u{0C}" { k += 1 }
            let keyOrigin = origin.first ?? (i, c)
            let key = unescape(keyRaw, at: keyOrigin, file: file)
            let valueOrigin = k < origin.count ? origin[k] : (origin.last.map { ($0.0, $0.1 + 1) } ?? (i, c))
            let value = unescape(Array(text[min(k, text.count)...]), at: valueOrigin, file: file)
            // The value's span: from its first scalar to the end of that physical line's part of it.
            let sameLine = k < origin.count ? origin[k...].filter { $0.0 == valueOrigin.0 } : []
            let valueLength = max(1, (sameLine.last?.1 ?? valueOrigin.1) - valueOrigin.1 + 1)
            let span = file.span(line: valueOrigin.0 + 1, column: valueOrigin.1 + 1, length: valueLength)
            let keySpan = file.span(line: keyOrigin.0 + 1, column: keyOrigin.1 + 1, length: max(1, keyRaw.count))
            if let key {
                values[Self.normalize(key)] = SpringValue(text: value, span: span, keySpan: keySpan)
            }
            i = next
        }
    }

    /// Spring's relaxed binding: `spring.mail.properties[mail.smtp.auth]` is `spring.mail.properties.mail.smtp.auth`.
    static func normalize(_ key: String) -> String {
        var out = key.replacingOccurrences(of: "[", with: ".").replacingOccurrences(of: "]", with: "")
        while out.contains("..") { out = out.replacingOccurrences(of: "..", with: ".") }
        return out
    }

    mutating func unescape(_ raw: [Unicode.Scalar], at origin: (Int, Int), file: SourceFile) -> String? {
        var out = String.UnicodeScalarView()
        var i = 0
        while i < raw.count {
            guard raw[i] == "\\", i + 1 < raw.count else { out.append(raw[i]); i += 1; continue }
            let n = raw[i + 1]
            switch n {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "f": out.append("\u{0C}")
            case "u":
                let hex = raw.count >= i + 6 ? String(String.UnicodeScalarView(raw[(i + 2)..<(i + 6)])) : ""
                guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    diagnostics.report(ParseProblem("malformed \\uXXXX escape: Java refuses to load this properties file", path: file.path, span: file.span(line: origin.0 + 1, column: origin.1 + 1 + i, length: 2)))
                    return nil
                }
                out.append(scalar)
                i += 6
                continue
            default: out.append(n)
            }
            i += 2
        }
        return String(out)
    }
}

/// Spring YAML: every document flattened to dotted keys (`[a.b]` keys keep their dots, lists become
/// `key[0]`), with the document's profile condition.
enum SpringYAML {
    static func documents(_ file: SourceFile) throws(ParseProblem) -> [SpringDocument] {
        let budget = YAMLBudget(path: file.path)
        var out: [SpringDocument] = []
        for root in try SafeYAML.documents(file) {
            var values: [String: SpringValue] = [:]
            try flatten(root, prefix: "", keySpan: root.span(in: file.path), into: &values, budget: budget, path: file.path)
            let profile = values["spring.config.activate.on-profile"]?.text ?? values["spring.profiles"]?.text
            out.append(SpringDocument(profile: profile, values: values))
        }
        return out
    }

    static func flatten(_ node: Node, prefix: String, keySpan: SourceSpan, into values: inout [String: SpringValue], budget: YAMLBudget, path: String) throws(ParseProblem) {
        try budget.spend(node)
        switch node {
        case .mapping:
            for (key, value) in try node.pairs(budget: budget) {
                guard var name = key.text else { continue }
                if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
                let full = prefix.isEmpty ? name : prefix + "." + name
                try flatten(value, prefix: JavaProperties.normalize(full), keySpan: key.span(in: path), into: &values, budget: budget, path: path)
            }
        case .sequence:
            for (index, item) in try node.items(budget: budget).enumerated() {
                try flatten(item, prefix: "\(prefix)[\(index)]", keySpan: item.span(in: path), into: &values, budget: budget, path: path)
            }
            // A list of profiles reads as "a,b" for the profile condition.
            if prefix.hasSuffix("on-profile") || prefix == "spring.profiles" {
                let items = try node.items(budget: budget).compactMap(\.text)
                values[prefix] = SpringValue(text: items.joined(separator: ","), span: node.span(in: path), keySpan: keySpan)
            }
        case .scalar:
            guard !prefix.isEmpty else { return }
            values[prefix] = SpringValue(text: node.isNull ? nil : node.text, span: node.span(in: path), keySpan: keySpan)
        case .alias:
            break
        }
    }
}
