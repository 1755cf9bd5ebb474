import Foundation
import MailAuditCore

/// The grammar of dovecot.conf: logical lines (comments dropped, `\` continuations joined) and what each
/// one is (a section opening or closing, `key = value`, `!include`, a template directive), with spans.
/// What the statements mean in order (open sections, `$name`, includes) is the resolver's.
enum DovecotSyntax {
    struct Line {
        var number: Int
        /// The statement without comment, continuation joined.
        var text: [Unicode.Scalar]
        /// The column of `text[0]`.
        var column: Int
        var endLine: Int
    }

    /// Logical lines: `#` outside quotes starts a comment, a trailing `\` joins the next line.
    static func logicalLines(_ file: SourceFile) -> [Line] {
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

    /// One logical line's statement.
    enum Statement {
        /// `{% if %}`, `{% endif %}`, …: template structure, no setting.
        case template(TemplateSyntax.Directive)
        /// `!include PATH` / `!include_try PATH` (the whole line: the resolver reads the path).
        case include(String)
        case close
        case open(name: String, argument: String)
        /// `key = value`: the raw value (unquoted later) and its span (the key's for an empty value).
        case assignment(key: String, rawValue: String, span: SourceSpan)
        /// A line without '=' that opens nothing: an error unless a template renders it into something else.
        case noAssignment
        /// `key = …` whose key is empty or has a space.
        case invalidKey(String)
    }

    static func statement(_ line: Line, in file: SourceFile) -> Statement {
        let text = string(line.text)
        if let directive = TemplateSyntax.jinjaDirective(Substring(text)) { return .template(directive) }
        if text.hasPrefix("!include") { return .include(text) }
        if text == "}" { return .close }
        if text.hasSuffix("{"), let brace = text.firstIndex(of: "{"), text.firstIndex(of: "=").map({ brace < $0 }) ?? true {
            let head = text.dropLast().trimmingCharacters(in: .whitespaces)
            let name = String(head.prefix { !$0.isWhitespace })
            let argument = unquote(head.dropFirst(name.count).trimmingCharacters(in: .whitespaces))
            return .open(name: name, argument: argument)
        }
        guard let eq = line.text.firstIndex(of: "=") else { return .noAssignment }
        let key = string(line.text[..<eq]).trimmingCharacters(in: .whitespaces)
        var valueStart = eq + 1
        while valueStart < line.text.count, line.text[valueStart] == " " || line.text[valueStart] == "\t" { valueStart += 1 }
        let rawValue = string(line.text[valueStart...])
        let valueColumn = line.column + valueStart
        let span = line.endLine == line.number
            ? (rawValue.isEmpty ? SourceSpan.at(file.path, line: line.number, column: line.column, length: key.unicodeScalars.count)
                                : SourceSpan.at(file.path, line: line.number, column: valueColumn, length: rawValue.unicodeScalars.count))
            : SourceSpan(path: file.path, line: line.number, column: valueColumn, endLine: line.endLine, endColumn: valueColumn + 1)
        guard !key.isEmpty, !key.contains(" ") else { return .invalidKey(key) }
        return .assignment(key: key, rawValue: rawValue, span: span)
    }
}
