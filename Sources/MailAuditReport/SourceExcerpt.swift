import MailAuditCore

/// The source line under a finding, as reporters show it: secrets masked, and cut to a window
/// around the span, so a finding on a very long line (a one-line XML file, a minified config)
/// costs and prints the same as one on a short line.
struct SourceExcerpt {
    /// The most scalars shown of one line; a cut end is marked with `…`.
    static let width = 160

    /// The line, or its window.
    let text: String
    /// What goes before the carets: blanks, with the line's tabs kept so the carets line up.
    let caretIndent: String
    let caretCount: Int
}

/// Builds excerpts for one report, masking each line once however many findings point at it.
final class SourceExcerpts {
    private let report: Report
    private var secretsByLine: [String: [Int: [SourceSpan]]] = [:]
    private var masked: (path: String, number: Int, line: SecretMask.MaskedLine)?

    init(_ report: Report) { self.report = report }

    func excerpt(_ span: SourceSpan) -> SourceExcerpt? {
        guard let file = report.result.sources[span.path], span.line >= 1, span.line <= file.lines.count else { return nil }
        let line = maskedLine(file.lines[span.line - 1], path: span.path, line: span.line)
        let scalars = line.scalars
        // The span's columns are the original line's; a secret before or under it changed the length.
        let start = min(line.offset(span.column - 1, isEnd: false), scalars.count)
        let end = span.endLine == span.line
            ? min(max(line.offset(span.endColumn - 1, isEnd: true), start + 1), max(scalars.count, start + 1))
            : max(scalars.count, start + 1)
        // The window starts a little before the span and never runs past the line.
        let from = scalars.count <= SourceExcerpt.width ? 0 : max(0, min(start - 20, scalars.count - SourceExcerpt.width))
        let to = min(scalars.count, from + SourceExcerpt.width)
        var text = from > 0 ? "…" : ""
        text.unicodeScalars.append(contentsOf: scalars[from..<to])
        if to < scalars.count { text += "…" }
        var indent = from > 0 ? " " : ""
        for s in scalars[from..<max(from, min(start, to))] { indent.unicodeScalars.append(s == "\t" ? "\t" : " ") }
        return SourceExcerpt(text: text, caretIndent: indent, caretCount: max(1, min(end, max(to, start + 1)) - start))
    }

    private func maskedLine(_ text: Substring, path: String, line number: Int) -> SecretMask.MaskedLine {
        if let masked, masked.path == path, masked.number == number { return masked.line }
        let line = SecretMask.maskedLine(text, lineNumber: number, secrets: secrets(path)[number] ?? [])
        masked = (path, number, line)
        return line
    }

    /// A file's secret spans by each line they cover, made once per file.
    private func secrets(_ path: String) -> [Int: [SourceSpan]] {
        if let known = secretsByLine[path] { return known }
        var byLine: [Int: [SourceSpan]] = [:]
        for span in report.result.secrets[path] ?? [] {
            for line in span.line...max(span.line, span.endLine) { byLine[line, default: []].append(span) }
        }
        secretsByLine[path] = byLine
        return byLine
    }
}
