/// The single-pass scans behind `TemplateSyntax.placeholder(in:)`. Each finds the leftmost match of one
/// placeholder shape, as the regular expression in its comment would, in time linear in the text.
/// Lines end at `\n` or `\r` (what `.` does not match).
enum PlaceholderScan {
    typealias Scalars = [Unicode.Scalar]

    static func string(_ s: Scalars, _ range: Range<Int>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s[range])
        return String(v)
    }

    static func isLineEnd(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" }

    /// `OPEN.*?CLOSE` (`\{\{.*?\}\}`, `\{%.*?%\}`): on each line, only the first OPEN can start the
    /// leftmost match, and it ends at the first CLOSE after it.
    static func delimited(_ s: Scalars, open: (Unicode.Scalar, Unicode.Scalar), close: (Unicode.Scalar, Unicode.Scalar)) -> Range<Int>? {
        var start: Int?
        var i = 0
        while i + 1 < s.count {
            if isLineEnd(s[i]) {
                start = nil
            } else if let opened = start {
                if s[i] == close.0, s[i + 1] == close.1 { return opened..<(i + 2) }
            } else if s[i] == open.0, s[i + 1] == open.1 {
                start = i
                i += 2
                continue
            }
            i += 1
        }
        return nil
    }

    /// `\{\{.*$`: the first `{{` on the last line (the one before a final line break, if any), to its end.
    static func unclosedOnLastLine(_ s: Scalars) -> Range<Int>? {
        var end = s.count
        if end >= 2, s[end - 2] == "\r", s[end - 1] == "\n" { end -= 2 } else if end >= 1, isLineEnd(s[end - 1]) { end -= 1 }
        var start = end
        while start > 0, !isLineEnd(s[start - 1]) { start -= 1 }
        var i = start
        while i + 1 < end {
            if s[i] == "{", s[i + 1] == "{" { return i..<end }
            i += 1
        }
        return nil
    }

    /// `\bPH_[A-Z0-9_]+`: iRedMail's placeholders.
    static func iRedMail(_ s: Scalars) -> Range<Int>? {
        var i = 0
        while i + 3 < s.count {
            if s[i] == "P", s[i + 1] == "H", s[i + 2] == "_", i == 0 || !isWordCharacter(s[i - 1]), isNameCharacter(s[i + 3]) {
                var j = i + 3
                while j < s.count, isNameCharacter(s[j]) { j += 1 }
                return i..<j
            }
            i += 1
        }
        return nil
    }

    /// `@[A-Z][A-Z0-9_]*@`: autoconf's substitutions. A run that does not end in `@` holds no `@`, so the
    /// scan resumes after it.
    static func autoconf(_ s: Scalars) -> Range<Int>? {
        var i = 0
        while i + 2 < s.count {
            guard s[i] == "@", ("A"..."Z").contains(s[i + 1]) else { i += 1; continue }
            var j = i + 2
            while j < s.count, isNameCharacter(s[j]) { j += 1 }
            if j < s.count, s[j] == "@" { return i..<(j + 1) }
            i = j
        }
        return nil
    }

    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_"
    }

    /// `\w` of ICU regular expressions, for `\b`.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" }
        let p = c.properties
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation, .decimalNumber: return true
        default: return p.isAlphabetic || c == "\u{200C}" || c == "\u{200D}"
        }
    }
}
