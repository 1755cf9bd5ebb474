import Foundation
import MailAuditCore

extension DovecotReader {
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
}
