import Foundation

/// Template syntax that configuration generators leave in files: Jinja (`{{ x }}`, `{% if %}`, `{# … #}`),
/// iRedMail's `PH_NAME` placeholders and autoconf's `@NAME@`. Parsers recognise it so that a template is
/// read as far as it can be: a placeholder makes a value unknown (nil), never a guess or a crash.
enum TemplateSyntax {
    /// What configuration generators append to the name of a file they render (`app.ini.j2`), with
    /// "" for the rendered file itself.
    static let fileSuffixes = ["", ".tpl", ".j2", ".jinja", ".jinja2", ".in", ".template", ".erb", ".tmpl"]

    /// The name without a template suffix (`app.ini.j2` → `app.ini`).
    static func renderedName(_ name: String) -> String {
        for suffix in fileSuffixes where !suffix.isEmpty && name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
        return name
    }

    /// What a line that holds only a Jinja tag does to the template's structure.
    enum Directive: Equatable, Sendable {
        /// `{% if … %}`, `{% for … %}`: what follows may or may not be in the rendered file.
        case open
        /// `{% else %}`, `{% elif … %}`.
        case middle
        /// `{% endif %}`, `{% endfor %}`.
        case close
        /// `{# … #}`, `{{- "\n" }}`, `{% set x = 1 %}`: renders to nothing that matters.
        case other
    }

    /// The Jinja directive a whole line consists of, or nil when the line is ordinary text.
    static func jinjaDirective(_ line: Substring) -> Directive? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.count >= 4 else { return nil }
        if t.hasPrefix("{#"), t.hasSuffix("#}") { return .other }
        if t.hasPrefix("{{"), t.hasSuffix("}}"), occurrences(of: "{{", in: t) == 1 { return .other }
        guard t.hasPrefix("{%"), t.hasSuffix("%}") else { return nil }
        if occurrences(of: "{%", in: t) != 1 { return .other }
        let inner = t.dropFirst(2).dropLast(2).trimmingCharacters(in: CharacterSet(charactersIn: "-+ \t"))
        let word = String(inner.prefix { $0.isLetter || $0 == "_" })
        switch word {
        case "if", "for", "macro", "block", "call", "filter", "with", "raw", "autoescape": return .open
        case "set": return inner.contains("=") ? .other : .open
        case "elif", "else": return .middle
        default: return word.hasPrefix("end") ? .close : .other
        }
    }

    /// The first placeholder in a text (`{{ X }}`, `{% … %}`, an unclosed `{{` on the last line, `PH_NAME`,
    /// `@NAME@`, tried in that order), or nil when there is none. A hand-written scan rather than regular
    /// expressions: `\{\{.*?\}\}` retried at every `{{` of an unclosed run is quadratic, and compiling
    /// patterns per value costs more than the values do.
    static func placeholder(in text: some StringProtocol) -> String? {
        let s = Array(text.unicodeScalars)
        if let r = PlaceholderScan.delimited(s, open: ("{", "{"), close: ("}", "}")) { return PlaceholderScan.string(s, r) }
        if let r = PlaceholderScan.delimited(s, open: ("{", "%"), close: ("%", "}")) { return PlaceholderScan.string(s, r) }
        if let r = PlaceholderScan.unclosedOnLastLine(s) { return PlaceholderScan.string(s, r) }
        if let r = PlaceholderScan.iRedMail(s) { return PlaceholderScan.string(s, r) }
        if let r = PlaceholderScan.autoconf(s) { return PlaceholderScan.string(s, r) }
        return nil
    }

    private static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
