import MailAuditCore
import MailAuditRules

/// `--format json` while the run goes on: each file's findings and errors are rendered and masked
/// as it completes and spooled; at the end the document is written — its members in key order,
/// the spooled arrays copied in by the writer — byte for byte what `JSONReporter` writes for the whole run.
/// Memory stays flat in the number of files.
struct JSONReportStream: ReportStream {
    let errors = Spool()
    let findings = Spool()
    /// An element of a top-level array: two levels in (the document, the array).
    static let elementIndent = 4
    static let separator = ",\n"

    mutating func begin(_ preface: Report, write: (String) -> Void) { part(preface, write: write) }

    mutating func part(_ part: Report, write: (String) -> Void) {
        let result = part.result
        if !result.findings.isEmpty {
            findings.append(part.maskedText { Self.elements($0.result.findings.map(JSONReporter.finding)) }, elements: result.findings.count, separator: Self.separator)
        }
        if !result.problems.isEmpty {
            errors.append(part.maskedText { Self.elements($0.result.problems.map { [rule = $0.rules.parseError] p in ModelJSON.error(p, rule: rule) }) }, elements: result.problems.count, separator: Self.separator)
        }
    }

    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        part(closing, write: write)
        let masked = closing.result.masked()
        var members: [String: JSONValue] = [
            "tool": JSONReporter.tool, "schemaVersion": .int(1),
            "errors": .spooled([errors]), "findings": .spooled([findings]), "summary": totals.summary.json,
        ]
        if let baseline = masked.baseline { members["baseline"] = JSONReporter.baseline(baseline) }
        if let probes = masked.probes { members["probes"] = .array(probes.map(ProbeJSON.json)) }
        JSONValue.object(members).stream(framed: closing.redacted, write: write)
    }

    /// Elements at their place in the document (`indent`: a top-level array's by default), joined
    /// by the array's separator.
    static func elements(_ values: [JSONValue], indent: Int = elementIndent) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = ""
        for (n, value) in values.enumerated() {
            if n > 0 { out += separator }
            out += pad
            value.write(into: &out, indent: indent)
        }
        return out
    }
}

extension Report {
    /// Text made from this report's already masked values, masked once more as a finished text.
    func redacted(_ text: String) -> String { result.redactor.redact(text, inDocument: true) }
}
