import MailAuditCore

/// Replaces secrets in a source line by `****` (DESIGN §7: never print a secret, in any format).
enum SecretMask {
    static func mask(_ line: Substring, lineNumber: Int, secrets: [SourceSpan]) -> String {
        let spans = secrets.filter { $0.line == lineNumber }.sorted { $0.column > $1.column }
        guard !spans.isEmpty else { return String(line) }
        var scalars = Array(line.unicodeScalars)
        for span in spans {
            let start = min(max(0, span.column - 1), scalars.count)
            let end = span.endLine > span.line ? scalars.count : min(max(start, span.endColumn - 1), scalars.count)
            scalars.replaceSubrange(start..<end, with: "****".unicodeScalars)
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }
}
