import Foundation
import MailAuditCore

/// One router, transport or authenticator instance: `name:` followed by its options.
struct EximDriver {
    var name: String
    var header: SourceSpan
    var options: [String: EximOption] = [:]
    var driver: String? { options["driver"]?.value }
}

/// The sections of Exim's configuration: main options (each set once), named lists, and the routers,
/// transports and authenticators (`name:` and their options), read from the resolver's logical lines.
struct EximSyntax {
    var resolver: EximResolver
    let file: SourceFile
    let context: ParseContext
    var main: [String: EximOption] = [:]
    /// `hostlist NAME = …` and the other named lists.
    var namedLists: [String: EximOption] = [:]
    var transports: [EximDriver] = []
    var authenticators: [EximDriver] = []
    var routers: [EximDriver] = []
    var firstMainLine: SourceSpan?
    var diagnostics = Diagnostics()

    static let sections = ["acl", "authenticators", "local_scan", "retry", "rewrite", "routers", "transports"]
    /// Main options mailaudit reads; setting one twice is an error in Exim ("option set for the second time").
    static let tracked: Set<String> = ["daemon_smtp_ports", "tls_on_connect_ports", "tls_advertise_hosts", "auth_advertise_hosts",
                                       "smtp_banner", "local_interfaces", "tls_require_ciphers", "openssl_options", "acl_smtp_vrfy",
                                       "tls_certificate", "tls_privatekey"]
    static let defaultBanner = "$smtp_active_hostname ESMTP Exim $version_number $tod_full"

    init(file: SourceFile, context: ParseContext) {
        self.file = file
        self.context = context
        self.resolver = EximResolver(file: file, context: context)
    }

    mutating func read() {
        var section = "main"
        var current: EximDriver?
        func finish(_ syntax: inout EximSyntax, _ section: String, _ driver: EximDriver?) {
            guard let driver else { return }
            switch section {
            case "transports": syntax.transports.append(driver)
            case "authenticators": syntax.authenticators.append(driver)
            case "routers": syntax.routers.append(driver)
            default: break
            }
        }
        while let line = resolver.nextLine() {
            let text = line.string
            if text.lowercased().hasPrefix("begin "), text.count > 6 {
                finish(&self, section, current)
                current = nil
                let name = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
                let lowered = name.lowercased()
                if EximSyntax.sections.contains(lowered) {
                    section = lowered
                } else {
                    resolver.diagnostics.report("unknown configuration section \"\(name)\"\(Suggestion.phrase(for: lowered, in: EximSyntax.sections)); Exim refuses this file", at: resolver.lineSpan(line))
                    section = "unknown"
                }
                continue
            }
            // A macro definition: in the main section any line starting with an upper-case letter;
            // elsewhere an upper-case name followed by `=` (`PLAIN:` names an authenticator).
            if EximResolver.isUpper(line.text[0]), section == "main" || EximSyntax.startsWithAssignment(line) {
                resolver.defineMacro(line)
                continue
            }
            switch section {
            case "main":
                if firstMainLine == nil { firstMainLine = resolver.lineSpan(line) }
                readMainLine(line)
            case "routers", "transports", "authenticators":
                if let header = driverHeader(line) {
                    finish(&self, section, current)
                    current = EximDriver(name: header, header: resolver.lineSpan(line))
                    continue
                }
                guard let option = resolver.option(line, section: "\(section) section") else { continue }
                if current == nil {
                    resolver.diagnostics.report("\(section.dropLast()) name missing: an option before the first `name:` line of the \(section) section", at: option.nameSpan)
                    continue
                }
                current!.options[option.name] = option
            default:
                continue  // acl, retry, rewrite, local_scan: nothing that decides an endpoint
            }
        }
        finish(&self, section, current)
    }

    static func startsWithAssignment(_ line: EximLine) -> Bool {
        var i = 0
        while i < line.text.count, EximResolver.isNameChar(line.text[i]) { i += 1 }
        while i < line.text.count, line.text[i].properties.isWhitespace { i += 1 }
        return i < line.text.count && line.text[i] == "="
    }

    /// `name:` starting a driver instance (Exim's readconf_readname followed by a colon).
    func driverHeader(_ line: EximLine) -> String? {
        let t = line.text
        var i = 0
        guard t[0].isASCII, t[0].properties.isAlphabetic else { return nil }
        while i < t.count, EximResolver.isNameChar(t[i]) { i += 1 }
        let name = String(String.UnicodeScalarView(t[0..<i]))
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        guard i < t.count, t[i] == ":" else { return nil }
        return name
    }

    mutating func readMainLine(_ line: EximLine) {
        let text = line.string
        for kind in ["domainlist", "hostlist", "addresslist", "localpartlist"] where text.hasPrefix(kind + " ") || text.hasPrefix(kind + "\t") {
            let rest = EximLine(text: Array(line.text.dropFirst(kind.count)), origins: Array(line.origins.dropFirst(kind.count)))
            if let option = resolver.option(rest, section: "main section (\(kind))") { namedLists[option.name] = option }
            return
        }
        guard var option = resolver.option(line, section: "main section") else { return }
        if option.name == "daemon_smtp_port" { option.name = "daemon_smtp_ports" }
        if EximSyntax.tracked.contains(option.name), let earlier = main[option.name] {
            resolver.diagnostics.report("\"\(option.name)\" option set for the second time (first on line \(earlier.nameSpan.line)); Exim refuses this file", at: option.nameSpan)
            return
        }
        main[option.name] = option
    }
}

/// One `name = value` (or boolean `name` / `no_name`) option line of Exim's configuration.
struct EximOption: Sendable {
    var name: String
    var nameSpan: SourceSpan
    /// The value as Exim stores it (quotes removed and escapes applied), nil for a bare boolean.
    var value: String?
    var valueSpan: SourceSpan
    /// The value's characters with their positions, for lists (only for unquoted values).
    var raw: EximLine?
    var negated: Bool
    var line: SourceSpan

    var boolValue: Bool? {
        guard let value else { return !negated }
        switch value.lowercased() {
        case "true", "yes": return !negated
        case "false", "no": return negated
        default: return nil
        }
    }
}

extension EximResolver {
    /// Parses an option line: `[hide] [no_|not_]name [= value]`. Returns nil (with a problem) when it is not one.
    mutating func option(_ line: EximLine, section: String) -> EximOption? {
        let t = line.text
        var i = 0
        var name = ""
        var nameStart = 0
        func readName() {
            while i < t.count, t[i].properties.isWhitespace { i += 1 }
            nameStart = i
            name = ""
            if i < t.count, t[i].isASCII, t[i].properties.isAlphabetic {
                while i < t.count, EximResolver.isNameChar(t[i]) { name.unicodeScalars.append(t[i]); i += 1 }
            }
        }
        readName()
        if name == "hide" { readName() }
        guard !name.isEmpty else {
            diagnostics.report("cannot read this line of the \(section): expected `name = value`", at: lineSpan(line))
            return nil
        }
        var negated = false
        var optionName = name
        if name.hasPrefix("no_") { negated = true; optionName = String(name.dropFirst(3)) } else if name.hasPrefix("not_") { negated = true; optionName = String(name.dropFirst(4)) }
        let nameSpan = span(of: line, nameStart..<i)
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        if i >= t.count {
            return EximOption(name: optionName, nameSpan: nameSpan, value: nil, valueSpan: nameSpan, raw: nil, negated: negated, line: lineSpan(line))
        }
        guard t[i] == "=" else {
            diagnostics.report("cannot read option \"\(name)\" in the \(section): expected `=` after the name, found \"\(String(String.UnicodeScalarView(t[i...])))\"", at: span(of: line, i..<t.count))
            return nil
        }
        i += 1
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        let valueRange = i..<t.count
        let valueSpan = valueRange.isEmpty ? nameSpan : span(of: line, valueRange)  // an empty value: point at the name
        if i < t.count, t[i] == "\"" {
            guard let value = dequote(line, from: i, option: optionName) else { return nil }
            return EximOption(name: optionName, nameSpan: nameSpan, value: value, valueSpan: valueSpan, raw: nil, negated: negated, line: lineSpan(line))
        }
        let raw = EximLine(text: Array(t[valueRange]), origins: Array(line.origins[valueRange]))
        return EximOption(name: optionName, nameSpan: nameSpan, value: raw.string, valueSpan: valueSpan, raw: raw, negated: negated, line: lineSpan(line))
    }

    /// Exim's `string_dequote` for a quoted option value: backslash escapes, the closing quote, nothing after it.
    mutating func dequote(_ line: EximLine, from start: Int, option: String) -> String? {
        let t = line.text
        var out = String.UnicodeScalarView()
        var i = start + 1
        while i < t.count, t[i] != "\"" {
            if t[i] == "\\", i + 1 < t.count {
                i += 1
                let c = t[i]
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "v": out.append("\u{0B}")
                case "f": out.append("\u{0C}")
                case "e": out.append("\u{1B}")
                case "x":
                    var digits = ""
                    while digits.count < 2, i + 1 < t.count, t[i + 1].properties.isASCIIHexDigit { digits.unicodeScalars.append(t[i + 1]); i += 1 }
                    if let v = UInt32(digits, radix: 16), let s = Unicode.Scalar(v) { out.append(s) } else { out.append("x") }
                case "0"..."7":
                    var digits = String(c)
                    while digits.count < 3, i + 1 < t.count, ("0"..."7").contains(t[i + 1]) { digits.unicodeScalars.append(t[i + 1]); i += 1 }
                    if let v = UInt32(digits, radix: 8), let s = Unicode.Scalar(v) { out.append(s) }
                default: out.append(c)
                }
            } else {
                out.append(t[i])
            }
            i += 1
        }
        guard i < t.count else {
            diagnostics.report("missing quote at end of string value for \(option); Exim refuses this file", at: span(of: line, start..<t.count))
            return nil
        }
        i += 1
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        if i < t.count {
            let comment = t[i] == "#" ? " (# starts a comment only at the start of a line)" : ""
            diagnostics.report("extra characters follow the string value for \(option)\(comment); Exim refuses this file", at: span(of: line, i..<t.count))
            return nil
        }
        return String(out)
    }

    /// An Exim list (`a : b`, `<; a ; b`, `::` for a literal colon): items with their spans.
    func listItems(_ option: EximOption) -> [(text: String, span: SourceSpan)] {
        guard let value = option.value else { return [] }
        guard let raw = option.raw else {
            return EximResolver.splitList(Array(value.unicodeScalars)).map { (String(String.UnicodeScalarView($0.text)), option.valueSpan) }
        }
        return EximResolver.splitList(raw.text).map { item in
            (String(String.UnicodeScalarView(item.text)), span(of: raw, item.range))
        }
    }

    static func splitList(_ t: [Unicode.Scalar]) -> [(text: [Unicode.Scalar], range: Range<Int>)] {
        var i = 0
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        var separator: Unicode.Scalar = ":"
        if i + 1 < t.count, t[i] == "<", !t[i + 1].properties.isWhitespace, !(t[i + 1].isASCII && (t[i + 1].properties.isAlphabetic || ("0"..."9").contains(t[i + 1]))) {
            separator = t[i + 1]
            i += 2
        }
        var items: [(text: [Unicode.Scalar], range: Range<Int>)] = []
        var current: [Unicode.Scalar] = []
        var start = i
        var end = i
        func flush() {
            var a = 0, b = current.count
            while a < b, current[a].properties.isWhitespace { a += 1 }
            while b > a, current[b - 1].properties.isWhitespace { b -= 1 }
            // positions: trim the recorded range the same way (only leading/trailing blanks differ)
            var ra = start, rb = end
            while ra < rb, t[ra].properties.isWhitespace { ra += 1 }
            while rb > ra, t[rb - 1].properties.isWhitespace { rb -= 1 }
            if a < b { items.append((Array(current[a..<b]), ra..<rb)) }
            current = []
        }
        while i < t.count {
            if t[i] == separator {
                if i + 1 < t.count, t[i + 1] == separator {
                    current.append(separator)
                    i += 2
                    end = i
                    continue
                }
                end = i
                flush()
                i += 1
                start = i
                end = i
                continue
            }
            current.append(t[i])
            i += 1
            end = i
        }
        flush()
        return items
    }
}
