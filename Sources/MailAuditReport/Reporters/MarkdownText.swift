/// Values in GitHub-flavoured Markdown that can never break the page: table cells that stay
/// cells, code that stays code, no HTML, no mention of a user.
enum MarkdownText {
    /// Plain text: Markdown's punctuation backslash-escaped, `<` and `&` as entities, one line.
    static func escaped(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\", "`", "*", "_", "[", "]", "|", "~", "#", "@", "!", "{", "}": out += "\\"; out.unicodeScalars.append(c)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t": out += " "
            default: if c.value >= 0x20, c.value != 0x7F { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// Rule-pack prose: `backquoted` pieces stay code, the rest is escaped.
    static func inline(_ text: String) -> String {
        let pieces = text.components(separatedBy: "`")
        guard pieces.count % 2 == 1 else { return escaped(text) }
        return pieces.enumerated().map { $0.offset % 2 == 1 ? code($0.element) : escaped($0.element) }.joined()
    }

    /// A code span whose fence is longer than any run of backquotes inside it (padded with a space
    /// where the text starts or ends with one, which the reader strips again).
    static func code(_ s: String) -> String {
        let text = s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        guard !text.isEmpty else { return "" }
        let fence = String(repeating: "`", count: longestRun(of: "`", in: text) + 1)
        let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return fence + pad + text + pad + fence
    }

    static func longestRun(of c: Character, in s: String) -> Int {
        var longest = 0, run = 0
        for x in s {
            run = x == c ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
