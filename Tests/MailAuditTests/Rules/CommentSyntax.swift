import Foundation
import MailAuditCore
@testable import MailAuditFormats

/// A format's line comment, for writing suppression comments into rule examples and commenting
/// their lines out: `# …`, `// …`, `<!-- … -->`.
struct CommentSyntax {
    let open: String
    let close: String

    /// Nil where the format has no comments, or the text is in a form of it without them (JSON).
    init?(format id: String, text: String) {
        guard let marker = FormatRegistry.builtIn.description(of: FormatID(id))?.commentMarkers.first,
              !text.drop { $0.isWhitespace }.hasPrefix("{") else { return nil }
        open = marker
        close = marker == "<!--" ? " -->" : marker == "/*" ? " */" : ""
    }

    func line(_ body: String, indent: String) -> String { "\(indent)\(open) \(body)\(close)\n" }

    /// The text with a comment line after its last line.
    func appending(_ body: String, to text: String) -> String {
        (text.isEmpty || text.hasSuffix("\n") ? text : text + "\n") + line(body, indent: "")
    }

    /// The text with a comment line before each of these lines (1-based), indented like that line.
    func insertingBefore(lines numbers: Set<Int>, in text: String, _ body: () -> String) -> String {
        rewriting(numbers, in: text) { original in line(body(), indent: String(original.prefix { $0 == " " || $0 == "\t" })) + original + "\n" }
    }

    /// The text with these lines (1-based) commented out. XML cannot hold `--` in a comment, so it
    /// becomes `- -` there.
    func commentingOut(lines numbers: Set<Int>, in text: String) -> String {
        rewriting(numbers, in: text) { line in
            let body = close.isEmpty ? line : line.replacingOccurrences(of: "--", with: "- -")
            return "\(open) \(body)\(close)\n"
        }
    }

    private func rewriting(_ numbers: Set<Int>, in text: String, _ rewrite: (String) -> String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let last = lines.last == "" ? lines.removeLast() : nil
        let out = lines.enumerated().map { numbers.contains($0.offset + 1) ? rewrite($0.element) : $0.element + "\n" }.joined()
        return last == nil ? String(out.dropLast()) : out
    }
}
