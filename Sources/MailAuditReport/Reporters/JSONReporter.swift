import MailAuditCore
import MailAuditRules

/// The stable machine format of DESIGN §7 (documented in the README).
public struct JSONReporter: Reporter {
    public init() {}

    public static let toolVersion = MailAuditVersion.current

    struct Document: Encodable {
        let tool: Tool
        let schemaVersion = 1
        let findings: [FindingJSON]
        let errors: [ErrorJSON]
        let summary: Summary
    }

    struct Tool: Encodable { let name: String; let version: String }

    struct Summary: Encodable {
        let files, findings, error, warning, note, suppressed, parseErrors: Int
    }

    struct FindingJSON: Encodable {
        let finding: Finding
        enum Key: String, CodingKey {
            case ruleId, rule, severity, message, path, line, column, endLine, endColumn, format, endpoint, identity
            case fingerprint, suppressed, related, fix
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            let f = finding
            try c.encode(f.ruleId, forKey: .ruleId)
            try c.encode(f.ruleName, forKey: .rule)
            try c.encode(f.severity.rawValue, forKey: .severity)
            try c.encode(f.message, forKey: .message)
            try c.encode(f.span.path, forKey: .path)
            try c.encode(f.span.line, forKey: .line)
            try c.encode(f.span.column, forKey: .column)
            try c.encode(f.span.endLine, forKey: .endLine)
            try c.encode(f.span.endColumn, forKey: .endColumn)
            try c.encode(f.format, forKey: .format)
            try c.encode(f.endpoint.map { EndpointJSON(endpoint: $0) }, forKey: .endpoint)
            if let identity = f.identity { try c.encode(IdentityJSON(identity: identity), forKey: .identity) }
            try c.encode(f.fingerprint, forKey: .fingerprint)
            try c.encode(f.suppression, forKey: .suppressed)
            try c.encode(f.related, forKey: .related)
            try c.encode(f.fix, forKey: .fix)
        }
    }

    public func render(_ report: Report) -> String {
        let all = report.result.findings
        let counts = report.counts
        let doc = Document(
            tool: Tool(name: "mailaudit", version: Self.toolVersion),
            findings: all.map(FindingJSON.init),
            errors: report.result.problems.map(ErrorJSON.init),
            summary: Summary(files: report.result.files.count, findings: report.activeFindings.count,
                             error: counts.error, warning: counts.warning, note: counts.note,
                             suppressed: all.count - report.activeFindings.count,
                             parseErrors: report.result.problems.count))
        return JSONText.encode(doc)
    }
}

public enum MailAuditVersion {
    public static let current = "0.1.0"
}
