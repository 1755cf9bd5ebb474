import MailAuditCore
import MailAuditRules

/// `--format sarif` while the run goes on: each file's results and notifications are encoded and
/// masked as it completes and spooled, results by severity (the log lists errors, then warnings,
/// then notes, each in report order); at the end the log is written around them — byte for byte
/// what `SARIFReporter` writes for the whole run. Memory stays flat in the number of files.
struct SARIFReportStream: ReportStream {
    let reporter = SARIFReporter()
    let notifications = Spool()
    /// Error, warning and note results.
    let results = [Spool(), Spool(), Spool()]
    var ruleIndex: [String: Int]?

    static let notificationIndent = 12, resultIndent = 8

    mutating func begin(_ preface: Report, write: (String) -> Void) { part(preface, write: write) }

    mutating func part(_ part: Report, write: (String) -> Void) {
        let index = ruleIndex ?? reporter.ruleIndex(part.rules)
        ruleIndex = index
        let findings = part.options.includeSuppressed ? part.result.findings : part.activeFindings
        for (n, severity) in [Severity.error, .warning, .note].enumerated() {
            let count = findings.filter { $0.severity == severity }.count
            guard count > 0 else { continue }
            let text = part.maskedText { masked in
                let shown = masked.options.includeSuppressed ? masked.result.findings : masked.activeFindings
                return Self.elements(shown.filter { $0.severity == severity }.map { reporter.result($0, ruleIndex: index[$0.ruleId]) }, indent: Self.resultIndent)
            }
            results[n].append(text, elements: count, separator: ",\n")
        }
        if !part.result.problems.isEmpty {
            let text = part.maskedText { Self.elements($0.result.problems.map(reporter.notification), indent: Self.notificationIndent) }
            notifications.append(text, elements: part.result.problems.count, separator: ",\n")
        }
    }

    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        part(closing, write: write)
        let log = closing.redacted(SARIF.encode(reporter.log(closing, successful: totals.summary.parseErrors == 0, notifications: [], results: [])))
        // The log encoded with both arrays empty; the spooled elements go into them.
        guard let notificationsAt = Self.emptyArray("toolExecutionNotifications", in: log),
              let resultsAt = Self.emptyArray("results", in: log), notificationsAt.upperBound <= resultsAt.lowerBound else {
            return write(log)  // not reached: both arrays are in every log, in this key order
        }
        write(String(log[..<notificationsAt.lowerBound]))
        Self.fill(log[notificationsAt], "toolExecutionNotifications", [notifications], indent: Self.notificationIndent - 2, write: write)
        write(String(log[notificationsAt.upperBound..<resultsAt.lowerBound]))
        Self.fill(log[resultsAt], "results", results, indent: Self.resultIndent - 2, write: write)
        write(String(log[resultsAt.upperBound...]))
    }

    /// Where `"key" : [ ]` is (any blanks inside). JSON strings escape quotes and line breaks, so a
    /// quoted key followed by ` : [` is structure, never text inside a string.
    static func emptyArray(_ key: String, in log: String) -> Range<String.Index>? {
        guard let opening = log.range(of: "\"\(key)\" : [") else { return nil }
        var end = opening.upperBound
        while end < log.endIndex, log[end].isWhitespace { end = log.index(after: end) }
        guard end < log.endIndex, log[end] == "]" else { return nil }
        return opening.lowerBound..<log.index(after: end)
    }

    /// The array's text, its elements copied from the spools in order, laid out as the encoder lays
    /// out arrays (an empty one as it encoded it).
    static func fill(_ empty: Substring, _ key: String, _ spools: [Spool], indent: Int, write: (String) -> Void) {
        let used = spools.filter { $0.count > 0 }
        guard !used.isEmpty else { return write(String(empty)) }
        let opening = "\"\(key)\" : [", closing = String(repeating: " ", count: indent) + "]"
        write(opening + "\n")
        for (n, spool) in used.enumerated() {
            if n > 0 { write(",\n") }
            spool.copy(to: write)
        }
        write("\n" + closing)
    }

    /// Encoded elements at their place in the log, joined by the array's separator.
    static func elements<T: Encodable>(_ values: [T], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return values.map { value in
            JSONText.encode(value).dropLast().split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
        }.joined(separator: ",\n")
    }
}
