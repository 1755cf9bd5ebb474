import MailAuditCore

/// One `keyword argument…` line of the line-oriented client formats (msmtp, isync/mbsync): the
/// first blank-separated word is the keyword, the rest of the line (blanks trimmed) its argument.
struct KeywordLine: Sendable {
    /// 1-based line number.
    var line: Int
    var keyword: String
    var keywordSpan: SourceSpan
    /// The argument as written, leading and trailing blanks removed ("" when there is none).
    var rest: String
    /// 1-based column of `rest`'s first scalar (right after the keyword when `rest` is empty).
    var restColumn: Int
    /// Where `rest` is written; for an empty argument, the end of the keyword.
    var restSpan: SourceSpan
    /// From the keyword to the end of the argument.
    var span: SourceSpan
}

/// One word of an argument after quotes and escapes are applied, with the span it was written in.
struct KeywordToken: Sendable, Equatable {
    var text: String
    var span: SourceSpan
    /// Whether any part of the word was quoted (`""` is an empty, quoted word).
    var quoted: Bool
}

/// The lexer for `keyword argument` line formats. Blanks are space and tab (and, for robustness,
/// other ASCII white space); a line whose first non-blank character is `#` is a comment. Lines
/// are reported with blank lines kept as `.blank`, because isync ends a section at one.
enum KeywordLines {
    enum Item: Sendable {
        case line(KeywordLine)
        case blank(Int)
    }

    static func isBlank(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\u{0B}" || s == "\u{0C}" || s == "\r"
    }

    /// Every non-comment line of the file as keyword and argument, and every blank line.
    static func lex(_ file: SourceFile) -> [Item] {
        var items: [Item] = []
        items.reserveCapacity(file.lines.count)
        for (index, text) in file.lines.enumerated() {
            let number = index + 1
            let scalars = Array(text.unicodeScalars)
            var i = 0
            while i < scalars.count, isBlank(scalars[i]) { i += 1 }
            if i == scalars.count { items.append(.blank(number)); continue }
            if scalars[i] == "#" { continue }
            let keywordStart = i
            while i < scalars.count, !isBlank(scalars[i]) { i += 1 }
            let keyword = String(String.UnicodeScalarView(scalars[keywordStart..<i]))
            while i < scalars.count, isBlank(scalars[i]) { i += 1 }
            var end = scalars.count
            while end > i, isBlank(scalars[end - 1]) { end -= 1 }
            let rest = String(String.UnicodeScalarView(scalars[i..<end]))
            let keywordSpan = file.span(line: number, column: keywordStart + 1, length: keyword.unicodeScalars.count)
            let restColumn = rest.isEmpty ? keywordStart + keyword.unicodeScalars.count + 1 : i + 1
            let restSpan = rest.isEmpty ? keywordSpan : file.span(line: number, column: restColumn, length: end - i)
            let whole = SourceSpan(path: file.path, line: number, column: keywordStart + 1, endLine: number,
                                   endColumn: (rest.isEmpty ? keywordStart + keyword.unicodeScalars.count : end) + 1)
            items.append(.line(KeywordLine(line: number, keyword: keyword, keywordSpan: keywordSpan, rest: rest,
                                           restColumn: restColumn, restSpan: restSpan, span: whole)))
        }
        return items
    }

    /// The argument as one value, the way msmtp reads it: quotes are removed only when they enclose
    /// the whole argument, with no escapes inside. An argument that opens a quote and does not close
    /// it is taken literally (as msmtp does) and reported.
    static func wholeArgument(_ line: KeywordLine, path: String) -> (value: String, span: SourceSpan, problem: ParseProblem?) {
        let scalars = Array(line.rest.unicodeScalars)
        if scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" {
            let inner = String(String.UnicodeScalarView(scalars[1..<(scalars.count - 1)]))
            return (inner, line.restSpan, nil)
        }
        if scalars.first == "\"" {
            let problem = ParseProblem("unterminated quote in the argument of `\(line.keyword)`: the value starts with \" but does not end with one, so it is read literally as \(line.rest)",
                                       path: path, span: SourceSpan(path: path, line: line.line, column: line.restColumn))
            return (line.rest, line.restSpan, problem)
        }
        return (line.rest, line.restSpan, nil)
    }

    /// The argument split into words the way isync reads them: blanks separate words, `"` toggles
    /// quoting anywhere in a word, `\` makes the next character literal, and a word starting with
    /// `#` begins a trailing comment. Problems: a quote or an escape left open at the end of the line.
    static func words(_ line: KeywordLine, path: String) -> (words: [KeywordToken], problem: ParseProblem?) {
        let scalars = Array(line.rest.unicodeScalars)
        var words: [KeywordToken] = []
        var i = 0
        while true {
            while i < scalars.count, isBlank(scalars[i]) { i += 1 }
            if i >= scalars.count || scalars[i] == "#" { return (words, nil) }
            let start = i
            var text = String.UnicodeScalarView()
            var quoted = false, everQuoted = false, escaped = false
            var quoteColumn = 0
            while i < scalars.count {
                let c = scalars[i]
                if escaped {
                    text.append(c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    quoted.toggle()
                    everQuoted = true
                    if quoted { quoteColumn = line.restColumn + i }
                } else if !quoted, isBlank(c) {
                    break
                } else {
                    text.append(c)
                }
                i += 1
            }
            let span = SourceSpan.at(path, line: line.line, column: line.restColumn + start, length: i - start)
            words.append(KeywordToken(text: String(text), span: span, quoted: everQuoted))
            if quoted {
                return (words, ParseProblem("missing closing quote: the quote opened here is not closed before the end of the line",
                                            path: path, span: SourceSpan(path: path, line: line.line, column: quoteColumn)))
            }
            if escaped {
                return (words, ParseProblem("unterminated escape sequence: `\\` at the end of the line",
                                            path: path, span: SourceSpan(path: path, line: line.line, column: line.restColumn + i - 1)))
            }
        }
    }
}
