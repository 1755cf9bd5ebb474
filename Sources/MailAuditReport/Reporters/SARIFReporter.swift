import Foundation
import MailAuditCore
import MailAuditRules

/// SARIF 2.1.0 as GitHub code scanning reads it: one run, rules with help and
/// security-severity, results sorted by severity, content fingerprints, parse errors as
/// tool execution notifications.
public struct SARIFReporter: Reporter {
    public init() {}

    public static let rulesDocumentation = "https://github.com/mailaudit/mailaudit/blob/main/docs/rules.md"

    public func document(_ report: Report) -> String {
        let index = ruleIndex(report.rules)
        let findings = report.options.includeSuppressed ? report.result.findings : report.activeFindings
        let ordered = findings.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
        }.map(\.element)
        return log(report, successful: report.result.problems.isEmpty, notifications: .array(report.result.problems.map { notification($0, rule: report.rules.parseError) }),
                   results: .array(ordered.map { result($0, ruleIndex: index[$0.ruleId]) })).rendered()
    }

    func ruleIndex(_ rules: RuleSet) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: rules.rules.enumerated().map { ($1.id, $0) })
    }

    /// The log around its notifications and results (arrays, or spooled while a run streams).
    func log(_ report: Report, successful: Bool, notifications: JSONValue, results: JSONValue) -> JSONValue {
        let root = report.options.sourceRoot
        let rootURI = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL.absoluteString
        let driver: JSONValue = .object([
            "name": .string("mailaudit"), "version": .string(MailAuditVersion.current), "semanticVersion": .string(MailAuditVersion.current),
            "informationUri": .string("https://github.com/mailaudit/mailaudit"), "rules": .array(report.rules.rules.map(descriptor)),
        ])
        let run: JSONValue = .object([
            "tool": .object(["driver": driver]),
            "automationDetails": .object(["id": .string(report.options.sarifCategory)]),
            "originalUriBaseIds": .object(["%SRCROOT%": .object(["uri": .string(rootURI.hasSuffix("/") ? rootURI : rootURI + "/")])]),
            "invocations": .array([.object(["executionSuccessful": .bool(successful), "toolExecutionNotifications": notifications])]),
            "results": results,
            "columnKind": .string("unicodeCodePoints"),
        ])
        return .object(["version": .string("2.1.0"), "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"), "runs": .array([run])])
    }

    func descriptor(_ rule: Rule) -> JSONValue {
        let markdown = RuleDocumentation.markdown(rule, headingLevel: 2)
        return .object([
            "id": .string(rule.id), "name": .string(rule.name),
            "shortDescription": SARIF.message(rule.summary),
            "fullDescription": SARIF.message(rule.rationale.isEmpty ? rule.summary : rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines)),
            "help": .object(["text": .string(RuleExplanation.text(rule, formats: [], everyFix: true)), "markdown": .string(markdown)]),
            "helpUri": .string("\(Self.rulesDocumentation)#\(rule.id.lowercased())"),
            "defaultConfiguration": .object(["level": .string(level(rule.severity))]),
            "properties": .object(["tags": .array(rule.tags.map(JSONValue.string)),
                                   "security-severity": .string(securitySeverity(rule.severity)), "precision": .string("high")]),
        ])
    }

    func result(_ f: Finding, ruleIndex: Int?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "ruleId": .string(f.ruleId), "level": .string(level(f.severity)), "message": SARIF.message(f.message),
            "locations": .array([SARIF.location(physical(f.span))]),
            "partialFingerprints": .object(["mailaudit/v1": .string(f.fingerprint)]),
        ]
        fields["ruleIndex"] = ruleIndex.map(JSONValue.int)
        if !f.related.isEmpty {
            fields["relatedLocations"] = .array(f.related.enumerated().map { n, span in
                SARIF.location(physical(span), id: n + 1, message: "A related setting: shared, inherited or overridden.")
            })
        }
        if let s = f.suppression {
            var suppression: [String: JSONValue] = ["kind": .string(s.kind == .inline ? "inSource" : "external")]
            suppression["justification"] = s.justification.map(JSONValue.string)
            fields["suppressions"] = .array([.object(suppression)])
        }
        return .object(fields)
    }

    func physical(_ span: SourceSpan) -> JSONValue {
        .object([
            "artifactLocation": .object(["uri": .string(SARIF.relativeURI(span.path)), "uriBaseId": .string("%SRCROOT%")]),
            "region": .object(["startLine": .int(max(1, span.line)), "startColumn": .int(max(1, span.column)),
                               "endLine": .int(max(span.line, span.endLine)), "endColumn": .int(max(1, span.endColumn))]),
        ])
    }

    /// A problem met while reading, under its rule (`RuleSet.parseError`).
    func notification(_ p: ParseProblem, rule: Rule) -> JSONValue {
        let span = p.span ?? SourceSpan(path: p.path, line: 1, column: 1)
        return .object(["level": .string(level(rule.severity)), "message": SARIF.message("\(p.path): \(p.message)"),
                        "locations": .array([SARIF.location(physical(span))]), "descriptor": .object(["id": .string(rule.id)])])
    }

    func level(_ s: Severity) -> String { s.rawValue }

    /// GitHub's scale: 9.0+ critical, 7.0+ high, 4.0+ medium, below low.
    func securitySeverity(_ s: Severity) -> String {
        switch s {
        case .error: return "8.0"
        case .warning: return "5.0"
        case .note: return "2.0"
        }
    }
}

/// Pieces of the SARIF 2.1.0 objects mailaudit writes. Members SARIF leaves optional are left out
/// when absent, never written as `null`.
enum SARIF {
    static func message(_ text: String) -> JSONValue { .object(["text": .string(text)]) }

    static func location(_ physical: JSONValue, id: Int? = nil, message text: String? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["physicalLocation": physical]
        fields["id"] = id.map(JSONValue.int)
        fields["message"] = text.map(message)
        return .object(fields)
    }

    /// A path as a relative URI reference (percent-encoded, forward slashes).
    static func relativeURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return trimmed.addingPercentEncoding(withAllowedCharacters: allowed) ?? trimmed
    }
}
