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
}
