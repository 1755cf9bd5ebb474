import MailAuditCore
import MailAuditRules

/// `--format json` while the run goes on: each file's findings and errors are rendered and masked
/// as it completes and spooled; at the end the document is written — its members in key order,
/// the spooled arrays copied in — byte for byte what `JSONReporter` writes for the whole run.
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
            errors.append(part.maskedText { Self.elements($0.result.problems.map(ModelJSON.error)) }, elements: result.problems.count, separator: Self.separator)
        }
    }

    mutating func end(_ closing: Report, totals: ReportTotals, write: (String) -> Void) {
        part(closing, write: write)
        let masked = closing.result.masked()
        var members: [String: Member] = [
            "tool": .value(JSONReporter.tool), "schemaVersion": .value(.int(1)),
            "errors": .spooled(errors), "findings": .spooled(findings), "summary": .value(totals.summary.json),
        ]
        if let baseline = masked.baseline { members["baseline"] = .value(JSONReporter.baseline(baseline)) }
        if let probes = masked.probes { members["probes"] = .value(.array(probes.map(ProbeJSON.json))) }
        let keys = members.keys.sorted()
        write("{\n")
        for (n, key) in keys.enumerated() {
            var head = "  "
            JSONValue.writeString(key, into: &head)
            head += " : "
            switch members[key]! {
            case .value(let value):
                value.write(into: &head, indent: 2)
                write(closing.redacted(head))
            case .spooled(let spool) where spool.count == 0:
                write(head + "[\n\n  ]")
            case .spooled(let spool):
                write(head + "[\n")
                spool.copy(to: write)
                write("\n  ]")
            }
            write(n + 1 < keys.count ? ",\n" : "\n")
        }
        write("}\n")
    }

    enum Member {
        case value(JSONValue)
        case spooled(Spool)
    }

    /// Elements at their place in the document, joined by the array's separator.
    static func elements(_ values: [JSONValue]) -> String {
        let pad = String(repeating: " ", count: elementIndent)
        var out = ""
        for (n, value) in values.enumerated() {
            if n > 0 { out += separator }
            out += pad
            value.write(into: &out, indent: elementIndent)
        }
        return out
    }
}

extension Report {
    /// Text made from this report's already masked values, masked once more as a finished text.
    func redacted(_ text: String) -> String { result.redactor.redact(text, inDocument: true) }
}
