import MailAuditCore

/// One command line of a muttrc after `\` continuations are joined: its scalars and, for each, the
/// file position it came from (so spans survive continuation lines).
struct MuttLine {
    var scalars: [Unicode.Scalar]
    /// (line, column) of each scalar, plus one entry past the end.
    var positions: [(line: Int, column: Int)]
    var path: String

    func span(from start: Int, to end: Int) -> SourceSpan {
        let s = positions[min(start, positions.count - 1)]
        let e = positions[min(max(end, start + 1), positions.count - 1)]
        let endPosition = end > start ? positions[min(end - 1, positions.count - 1)] : s
        if e.line == s.line { return SourceSpan(path: path, line: s.line, column: s.column, endLine: s.line, endColumn: e.column) }
        return SourceSpan(path: path, line: s.line, column: s.column, endLine: endPosition.line, endColumn: endPosition.column + 1)
    }

    func position(_ index: Int) -> SourceSpan {
        let p = positions[min(index, positions.count - 1)]
        return SourceSpan(path: path, line: p.line, column: p.column)
    }

    /// Joins lines ending in `\` the way mutt reads its files (before comments are looked at).
    static func lines(of file: SourceFile) -> [MuttLine] {
        var out: [MuttLine] = []
        var current: MuttLine?
        for (index, text) in file.lines.enumerated() {
            var scalars = Array(text.unicodeScalars)
            var positions = (0..<scalars.count).map { (line: index + 1, column: $0 + 1) }
            // mutt joins a line ending in `\` with the next one, also inside a comment.
            let continues = scalars.last == "\\" && index + 1 < file.lines.count
            if continues { scalars.removeLast(); positions.removeLast() }
            if current == nil { current = MuttLine(scalars: [], positions: [], path: file.path) }
            current!.scalars += scalars
            current!.positions += positions
            if !continues {
                current!.positions.append((line: index + 1, column: scalars.count + 1))
                out.append(current!)
                current = nil
            }
        }
        if var last = current {
            last.positions.append(last.positions.last.map { (line: $0.line, column: $0.column + 1) } ?? (line: file.lines.count, column: 1))
            out.append(last)
        }
        return out
    }
}

/// A word of a muttrc command after quotes, escapes and `$variable` expansion.
struct MuttToken {
    var text: String
    /// Scalar offsets into the line, end exclusive.
    var start: Int
    var end: Int
    /// A back-tick command was part of the word (mutt runs it when it reads the file; we never do).
    var hasCommand = false
    /// A `$name` referred to a value that came from a command.
    var fromCommand = false
    /// A `$name` was expanded.
    var expanded = false
    /// Quotes or escapes were removed (the text is not the source, column for column).
    var transformed = false
    /// The first character was a quote.
    var quoted = false
}

/// mutt_extract_token: splits a muttrc line into words. Blanks separate words outside quotes;
/// `#` and `;` outside quotes end the words of a command; `"…"` allows `\` escapes, back-ticks and
/// `$variables`; `'…'` is literal; `\` escapes outside quotes too.
struct MuttTokenizer {
    enum Stop { case none, equals }
    struct Problem { var message: String; var index: Int }

    var line: MuttLine
    var index = 0
    var problems: [Problem] = []
    /// Expands `$name`: the value, and whether it came from a command; nil when unknown (empty).
    var expand: (String) -> (String, Bool)?

    init(line: MuttLine, expand: @escaping (String) -> (String, Bool)?) {
        self.line = line
        self.expand = expand
    }

    var s: [Unicode.Scalar] { line.scalars }

    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }

    mutating func skipSpaces() { while index < s.count, Self.isSpace(s[index]) { index += 1 } }

    /// Whether another word of the current command follows (mutt's MoreArgs).
    mutating func moreArgs() -> Bool {
        skipSpaces()
        return index < s.count && s[index] != ";" && s[index] != "#"
    }

    /// At the end of a command: skips a `;` and says whether another command follows on the line.
    mutating func nextCommand() -> Bool {
        skipSpaces()
        while index < s.count, s[index] == ";" { index += 1; skipSpaces() }
        return index < s.count && s[index] != "#"
    }

    /// Skips the rest of a command (after an error).
    mutating func skipCommand() {
        var quote: Unicode.Scalar?
        while index < s.count {
            let c = s[index]
            if let q = quote {
                if c == "\\" && q == "\"" { index += 1 } else if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "\\" {
                index += 1
            } else if c == ";" || c == "#" {
                return
            }
            index += 1
        }
    }

    mutating func token(stop: Stop = .none) -> MuttToken {
        skipSpaces()
        var t = MuttToken(text: "", start: index, end: index)
        var out = String.UnicodeScalarView()
        var quote: Unicode.Scalar?
        var quoteStart = index
        t.quoted = index < s.count && (s[index] == "\"" || s[index] == "'")
        while index < s.count {
            let c = s[index]
            if quote == nil {
                if Self.isSpace(c) || c == "#" || c == ";" { break }
                if stop == .equals, c == "=" || c == "?" { break }
            }
            index += 1
            if let q = quote, c == q {
                quote = nil
                t.transformed = true
            } else if quote == nil, c == "\"" || c == "'" {
                quote = c
                quoteStart = index - 1
                t.transformed = true
            } else if c == "\\", quote != "'" {
                t.transformed = true
                guard index < s.count else { break }
                let e = s[index]
                index += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "e", "E": out.append("\u{1B}")
                case "f": out.append("\u{0C}")
                default: out.append(e)
                }
            } else if c == "`", quote == nil || quote == "\"" {
                // A command whose output replaces it: never run here.
                t.hasCommand = true
                t.transformed = true
                let open = index - 1
                while index < s.count, s[index] != "`" {
                    if s[index] == "\\" { index += 1 }
                    index += 1
                }
                if index >= s.count {
                    problems.append(Problem(message: "unterminated back-tick: the command started here has no closing `", index: open))
                } else {
                    index += 1
                }
            } else if c == "$", quote == nil || quote == "\"", index < s.count, s[index] == "{" || s[index].properties.isAlphabetic {
                var name = String.UnicodeScalarView()
                if s[index] == "{" {
                    index += 1
                    while index < s.count, s[index] != "}" { name.append(s[index]); index += 1 }
                    if index < s.count { index += 1 } else {
                        problems.append(Problem(message: "unterminated ${…}: no closing }", index: t.start))
                    }
                } else {
                    while index < s.count, s[index].properties.isAlphabetic || s[index].properties.numericType != nil || s[index] == "_" {
                        name.append(s[index]); index += 1
                    }
                }
                t.expanded = true
                t.transformed = true
                if let (value, fromCommand) = expand(String(name)) {
                    out.append(contentsOf: value.unicodeScalars)
                    if fromCommand { t.fromCommand = true }
                }
            } else {
                out.append(c)
            }
        }
        if quote != nil {
            problems.append(Problem(message: "unterminated quote: the \(quote == "\"" ? "double" : "single") quote opened here is not closed before the end of the line", index: quoteStart))
        }
        t.text = String(out)
        t.end = index
        return t
    }

    /// `=` (with blanks around it) after a variable name.
    mutating func equals() -> Bool {
        skipSpaces()
        if index < s.count, s[index] == "=" {
            index += 1
            return true
        }
        return false
    }

    /// NeoMutt's `+=` / `-=`.
    mutating func compoundEquals() -> Unicode.Scalar? {
        skipSpaces()
        if index + 1 < s.count, s[index] == "+" || s[index] == "-", s[index + 1] == "=" {
            let op = s[index]
            index += 2
            return op
        }
        return nil
    }

    mutating func question() -> Bool {
        if index < s.count, s[index] == "?" { index += 1; return true }
        return false
    }
}
