import MailAuditCore
import MailAuditRules

/// The stable machine format (documented in the README).
public struct JSONReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        let all = report.result.findings
        let document: JSONValue = .object([
            "tool": Self.tool,
            "schemaVersion": .int(1),
            "findings": .elements(count: all.count) { Self.finding(all[$0]) },
            "errors": .array(report.result.problems.map { ModelJSON.error($0, rule: report.rules.parseError) }),
            "summary": ReportSummary(report.result).json,
        ].merging(report.result.baseline.map { ["baseline": Self.baseline($0)] } ?? [:]) { a, _ in a }
         .merging(report.result.probes.map { ["probes": .array($0.map(ProbeJSON.json))] } ?? [:]) { a, _ in a })
        return document.rendered()
    }

    static var tool: JSONValue { .object(["name": .string("mailaudit"), "version": .string(MailAuditVersion.current)]) }

    /// What `--baseline` matched, and its entries that match nothing any more.
    static func baseline(_ b: BaselineSummary) -> JSONValue {
        .object(["matched": .int(b.matched), "stale": .array(b.stale.map { e in
            .object(["fingerprint": .string(e.fingerprint), "ruleId": .string(e.ruleId), "path": .string(e.path), "message": .string(e.message)])
        })])
    }

    static func finding(_ f: Finding) -> JSONValue {
        var fields: [String: JSONValue] = [
            "ruleId": .string(f.ruleId), "rule": .string(f.ruleName), "severity": .string(f.severity.rawValue),
            "message": .string(f.message), "path": .string(f.span.path), "line": .int(f.span.line),
            "column": .int(f.span.column), "endLine": .int(f.span.endLine), "endColumn": .int(f.span.endColumn),
            "format": .string(f.format.rawValue), "endpoint": f.endpoint.map { ModelJSON.endpoint($0) } ?? .null,
            "endpoints": .array(f.endpoints.map { ModelJSON.endpoint($0) }),
            "fingerprint": .string(f.fingerprint), "related": .array(f.related.map(ModelJSON.span)),
            "suppressed": f.suppression.map { .object(["kind": .string($0.kind.rawValue), "justification": .optional($0.justification)]) } ?? .null,
        ]
        if let identity = f.identity { fields["identity"] = ModelJSON.identity(identity) }
        return .object(fields)
    }
}
