import MailAuditCore

/// Replaces secrets in a source line by `****` (never print a secret, in any format). Spans may
/// overlap (a parser's and the scanner's) and may start on an earlier line (a continued value).
enum SecretMask {
    /// A masked line and where each secret now sits, to move a finding's columns onto it.
    struct MaskedLine {
        var scalars: [Unicode.Scalar]
        /// Each replaced range of the original line, in order, with the offset its `****` starts at.
        var replaced: [(original: Range<Int>, masked: Int)] = []

        /// The 0-based offset in the masked line of an original 0-based offset. A position inside a
        /// secret goes to the start of its `****`, or, for the end of a span, to the end of it: a
        /// caret under a secret is always exactly as wide as the mask, whatever the secret's length.
        func offset(_ original: Int, isEnd: Bool) -> Int {
            let width = SecretRedactor.mask.unicodeScalars.count
            // The first replaced range that ends after the position (at it, for an end): binary search,
            // since a one-line file may hold thousands of secrets and findings.
            var low = 0, high = replaced.count
            while low < high {
                let mid = (low + high) / 2
                let end = replaced[mid].original.upperBound
                if end < original || (!isEnd && end == original) { low = mid + 1 } else { high = mid }
            }
            if low < replaced.count, replaced[low].original.lowerBound < original || (!isEnd && replaced[low].original.lowerBound == original) {
                return replaced[low].masked + (isEnd ? width : 0)
            }
            guard low > 0 else { return original }
            let before = replaced[low - 1]
            return original + before.masked + width - before.original.upperBound
        }
    }

    static func maskedLine(_ line: Substring, lineNumber: Int, secrets: [SourceSpan]) -> MaskedLine {
        let scalars = Array(line.unicodeScalars)
        var ranges: [Range<Int>] = []
        for span in secrets where span.line <= lineNumber && span.endLine >= lineNumber {
            let start = span.line == lineNumber ? min(max(0, span.column - 1), scalars.count) : 0
            let end = span.endLine == lineNumber ? min(max(start, span.endColumn - 1), scalars.count) : scalars.count
            if end > start { ranges.append(start..<end) }
        }
        guard !ranges.isEmpty else { return MaskedLine(scalars: scalars) }
        // Merge overlapping ranges, then copy the line with each range replaced, left to right.
        var merged: [Range<Int>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        var masked = MaskedLine(scalars: [])
        masked.scalars.reserveCapacity(scalars.count)
        var from = 0
        for r in merged {
            masked.scalars += scalars[from..<r.lowerBound]
            masked.replaced.append((r, masked.scalars.count))
            masked.scalars += SecretRedactor.mask.unicodeScalars
            from = r.upperBound
        }
        masked.scalars += scalars[from...]
        return masked
    }
}
