/// Text of the rule pack (fixes, rationales) as HTML: escaped, with `backquoted` spans as code and
/// blank lines as paragraph breaks. The pack's Markdown is this small on purpose.
enum HTMLText {
    /// `lead` (HTML) opens the first paragraph: `<b>Fix:</b>`.
    static func paragraphs(_ text: String, lead: String = "") -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n").enumerated()
            .map { "<p>" + ($0.offset == 0 && !lead.isEmpty ? lead + " " : "") + inline($0.element.split(whereSeparator: \.isNewline).joined(separator: " ")) + "</p>" }
            .joined()
    }

    /// One line: escaped, odd backquote-delimited pieces as `<code>`.
    static func inline(_ text: String) -> String {
        let pieces = text.components(separatedBy: "`")
        // An unpaired backquote stays a character.
        guard pieces.count % 2 == 1 else { return xml(text) }
        return pieces.enumerated().map { $0.offset % 2 == 1 ? "<code>\(xml($0.element))</code>" : xml($0.element) }.joined()
    }

    /// A CSS string literal for any text: every character outside plain ASCII letters, digits,
    /// spaces and harmless punctuation is a hex escape, so a path cannot end the string, the rule
    /// or the `<style>` element (`</style>`).
    static func cssString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || " .,:/_-()".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value >= 0x20, scalar.value != 0x7F {
                out += "\\" + String(scalar.value, radix: 16) + " "
            }
        }
        return out + "\""
    }
}
