import MailAuditCore

/// One setting of an application's INI file as the application reads it.
struct INIAppSetting {
    /// The value, or nil when the file does not decide it: a template placeholder (`{{ x }}`), a
    /// variable filled in from the environment when the file is used (`${VAR}`, Grafana's
    /// `$__env{VAR}`, `$__file{…}`), go-ini's `%(KEY)s`, or a line inside a Jinja `{% if %}`.
    var value: String?
    var entry: INIEntry
    var span: SourceSpan { entry.valueSpan }
}

/// The settings of one section of an application's go-ini file (Gitea, Grafana): a section written
/// twice is one section and the last value of a key wins, as in go-ini. Template lines (Jinja tags,
/// `{{ extra_config }}`) are recognised as such, never reported as broken lines.
struct INIAppSection {
    let name: String
    /// The first `[name]` header: where defaults point.
    let header: SourceSpan
    private(set) var settings: [String: INIAppSetting] = [:]

    subscript(key: String) -> INIAppSetting? { settings[key] }
    func has(_ key: String) -> Bool { settings[key] != nil }

    /// The named section of `file`, if it is written; the lines the program refuses are reported into `diagnostics`.
    static func read(_ file: SourceFile, dialect: INIDialect, section name: String, diagnostics: inout Diagnostics) -> INIAppSection? {
        let document = INILexer.lex(file, dialect: dialect)
        let template = TemplateLines(file)
        diagnostics.report(contentsOf: document.diagnostics.problems.filter { problem in
            guard let line = problem.span?.line else { return true }
            return !template.isTemplateLine(line)
        })
        var result: INIAppSection?
        for s in document.sections where s.name == name {
            if result == nil { result = INIAppSection(name: name, header: s.headerSpan) }
            for entry in s.entries where TemplateSyntax.placeholder(in: entry.rawKey) == nil {
                let known = !template.conditional.contains(entry.line) && entry.value.map(Self.isLiteral) == true
                result!.settings[entry.key] = INIAppSetting(value: known ? entry.value : nil, entry: entry)
            }
        }
        return result
    }

    /// Whether a value is what the program reads, not something filled in later.
    static func isLiteral(_ value: String) -> Bool {
        if TemplateSyntax.placeholder(in: value) != nil { return false }
        for marker in ["${", "$__env{", "$__file{", "$__vault{", "%("] where value.contains(marker) { return false }
        return true
    }
}

/// Which lines of a file are Jinja structure (`{% if %}`, `{{ extra }}` on a line of its own) and
/// which lie inside a conditional block, whose settings may or may not be in the rendered file.
struct TemplateLines {
    private(set) var directives: Set<Int> = []
    private(set) var conditional: Set<Int> = []
    private(set) var placeholders: Set<Int> = []

    init(_ file: SourceFile) {
        var depth = 0
        // A tag that goes on over several lines (`{#` licence header `#}`, `{{` … `}}`): its text so far.
        var open: (close: String, text: String)?
        for (index, line) in file.lines.enumerated() {
            let number = index + 1
            if var tag = open {
                directives.insert(number)
                tag.text += " " + line
                guard line.contains(tag.close) else { open = tag; continue }
                open = nil
                if let directive = TemplateSyntax.jinjaDirective(Substring(tag.text)) { depth = Self.adjust(depth, directive) }
                continue
            }
            if let directive = TemplateSyntax.jinjaDirective(line) {
                directives.insert(number)
                depth = Self.adjust(depth, directive)
                continue
            }
            if depth > 0 { conditional.insert(number) }
            if line.contains("{") || line.contains("@") || line.contains("PH_"), TemplateSyntax.placeholder(in: line) != nil { placeholders.insert(number) }
            if let tag = Self.unclosedTag(line) {
                placeholders.insert(number)
                open = (tag, String(line.drop { $0 == " " || $0 == "\t" }))
            }
        }
    }

    static func adjust(_ depth: Int, _ directive: TemplateSyntax.Directive) -> Int {
        switch directive {
        case .open: return depth + 1
        case .close: return max(0, depth - 1)
        case .middle, .other: return depth
        }
    }

    /// The closing delimiter of a Jinja tag the line opens and does not close.
    static func unclosedTag(_ line: Substring) -> String? {
        for (openTag, closeTag) in [("{{", "}}"), ("{%", "%}"), ("{#", "#}")] {
            guard let start = line.range(of: openTag, options: .backwards) else { continue }
            if line[start.upperBound...].range(of: closeTag) == nil { return closeTag }
        }
        return nil
    }

    /// A line the program never sees as written: a Jinja tag, or a line holding a placeholder.
    func isTemplateLine(_ line: Int) -> Bool { directives.contains(line) || placeholders.contains(line) }
}

extension INIAppSetting {
    /// go-ini `Key.Bool()`: the spellings `strconv.ParseBool` and go-ini accept; nil for anything else.
    static func goBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True", "YES", "yes", "Yes", "y", "ON", "on", "On": return true
        case "0", "f", "F", "false", "FALSE", "False", "NO", "no", "No", "n", "OFF", "off", "Off": return false
        default: return nil
        }
    }

    /// go-ini `MustBool(fallback)`: a value it cannot read is the fallback. Nil when the file does not decide.
    func mustBool(_ fallback: Bool) -> Bool? {
        guard let value else { return nil }
        return Self.goBool(value) ?? fallback
    }
}
