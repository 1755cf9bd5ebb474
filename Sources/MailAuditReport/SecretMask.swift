import MailAuditCore

/// Replaces secrets in a source line by `****` (never print a secret, in any format). Spans may
/// overlap (a parser's and the scanner's) and may start on an earlier line (a continued value).
enum SecretMask {
    static func mask(_ line: Substring, lineNumber: Int, secrets: [SourceSpan]) -> String {
        var scalars = Array(line.unicodeScalars)
        var ranges: [Range<Int>] = []
        for span in secrets where span.line <= lineNumber && span.endLine >= lineNumber {
            let start = span.line == lineNumber ? min(max(0, span.column - 1), scalars.count) : 0
            let end = span.endLine == lineNumber ? min(max(start, span.endColumn - 1), scalars.count) : scalars.count
            if end > start { ranges.append(start..<end) }
        }
        guard !ranges.isEmpty else { return String(line) }
        // Merge overlapping ranges, then replace from the right so earlier offsets stay valid.
        var merged: [Range<Int>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        for r in merged.reversed() { scalars.replaceSubrange(r, with: SecretRedactor.mask.unicodeScalars) }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }
}
