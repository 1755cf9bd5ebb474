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
        return SARIF.encode(log(report, successful: report.result.problems.isEmpty, notifications: report.result.problems.map(notification),
                                results: ordered.map { result($0, ruleIndex: index[$0.ruleId]) }))
    }

    func ruleIndex(_ rules: RuleSet) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: rules.rules.enumerated().map { ($1.id, $0) })
    }

    /// The log around its notifications and results.
    func log(_ report: Report, successful: Bool, notifications: [SARIF.Notification], results: [SARIF.Result]) -> SARIF.Log {
        let root = report.options.sourceRoot
        let rootURI = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL.absoluteString
        return SARIF.Log(runs: [SARIF.Run(
            tool: .init(driver: .init(name: "mailaudit", version: MailAuditVersion.current, semanticVersion: MailAuditVersion.current,
                                      informationUri: "https://github.com/mailaudit/mailaudit",
                                      rules: report.rules.rules.map(descriptor))),
            automationDetails: .init(id: report.options.sarifCategory),
            originalUriBaseIds: ["%SRCROOT%": SARIF.ArtifactLocation(uri: rootURI.hasSuffix("/") ? rootURI : rootURI + "/")],
            invocations: [.init(executionSuccessful: successful, toolExecutionNotifications: notifications)],
            results: results,
            columnKind: "unicodeCodePoints")])
    }

    func descriptor(_ rule: Rule) -> SARIF.ReportingDescriptor {
        let markdown = RuleDocumentation.markdown(rule, headingLevel: 2)
        return .init(id: rule.id, name: rule.name,
                     shortDescription: .init(text: rule.summary),
                     fullDescription: .init(text: rule.rationale.isEmpty ? rule.summary : rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines)),
                     help: .init(text: RuleExplanation.text(rule, formats: []), markdown: markdown),
                     helpUri: "\(Self.rulesDocumentation)#\(rule.id.lowercased())",
                     defaultConfiguration: .init(level: level(rule.severity)),
                     properties: .init(tags: rule.tags, securitySeverity: securitySeverity(rule.severity), precision: "high"))
    }

    func result(_ f: Finding, ruleIndex: Int?) -> SARIF.Result {
        var related: [SARIF.Location] = []
        for (n, span) in f.related.enumerated() {
            related.append(.init(id: n + 1, physicalLocation: physical(span), message: .init(text: "A related setting: shared, inherited or overridden.")))
        }
        return .init(ruleId: f.ruleId, ruleIndex: ruleIndex, level: level(f.severity), message: .init(text: f.message),
                     locations: [.init(id: nil, physicalLocation: physical(f.span), message: nil)],
                     relatedLocations: related.isEmpty ? nil : related,
                     partialFingerprints: ["mailaudit/v1": f.fingerprint],
                     suppressions: f.suppression.map { [SARIF.SuppressionJSON(kind: $0.kind == .inline ? "inSource" : "external", justification: $0.justification)] })
    }

    func physical(_ span: SourceSpan) -> SARIF.PhysicalLocation {
        .init(artifactLocation: .init(uri: SARIF.relativeURI(span.path), uriBaseId: "%SRCROOT%"),
              region: .init(startLine: max(1, span.line), startColumn: max(1, span.column),
                            endLine: max(span.line, span.endLine), endColumn: max(1, span.endColumn)))
    }

    func notification(_ p: ParseProblem) -> SARIF.Notification {
        let span = p.span ?? SourceSpan(path: p.path, line: 1, column: 1)
        return .init(level: "error", message: .init(text: "\(p.path): \(p.message)"),
                     locations: [.init(id: nil, physicalLocation: physical(span), message: nil)],
                     descriptor: .init(id: "MA000"))
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

/// The SARIF 2.1.0 objects mailaudit writes, as Codable types (sorted keys, no dictionaries).
enum SARIF {
    struct Log: Encodable {
        let version = "2.1.0"
        let schema = "https://json.schemastore.org/sarif-2.1.0.json"
        let runs: [Run]
        enum CodingKeys: String, CodingKey { case version, schema = "$schema", runs }
    }
    struct Run: Encodable {
        let tool: Tool
        let automationDetails: AutomationDetails
        let originalUriBaseIds: [String: ArtifactLocation]
        let invocations: [Invocation]
        let results: [Result]
        let columnKind: String
    }
    struct Tool: Encodable { let driver: Driver }
    struct Driver: Encodable {
        let name: String
        let version: String
        let semanticVersion: String
        let informationUri: String
        let rules: [ReportingDescriptor]
    }
    struct AutomationDetails: Encodable { let id: String }
    struct Message: Encodable { let text: String }
    struct MultiformatMessage: Encodable { let text: String; let markdown: String }
    struct ReportingDescriptor: Encodable {
        let id: String
        let name: String
        let shortDescription: Message
        let fullDescription: Message
        let help: MultiformatMessage
        let helpUri: String
        let defaultConfiguration: Configuration
        let properties: Properties
    }
    struct Configuration: Encodable { let level: String }
    struct Properties: Encodable {
        let tags: [String]
        let securitySeverity: String
        let precision: String
        enum CodingKeys: String, CodingKey { case tags, securitySeverity = "security-severity", precision }
    }
    struct Invocation: Encodable {
        let executionSuccessful: Bool
        let toolExecutionNotifications: [Notification]
    }
    struct Notification: Encodable {
        let level: String
        let message: Message
        let locations: [Location]
        let descriptor: DescriptorReference
    }
    struct DescriptorReference: Encodable { let id: String }
    struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int?
        let level: String
        let message: Message
        let locations: [Location]
        let relatedLocations: [Location]?
        let partialFingerprints: [String: String]
        let suppressions: [SuppressionJSON]?
    }
    struct SuppressionJSON: Encodable { let kind: String; let justification: String? }
    struct Location: Encodable {
        let id: Int?
        let physicalLocation: PhysicalLocation
        let message: Message?
    }
    struct PhysicalLocation: Encodable { let artifactLocation: ArtifactLocation; let region: Region }
    struct ArtifactLocation: Encodable {
        let uri: String
        var uriBaseId: String? = nil
    }
    struct Region: Encodable { let startLine, startColumn, endLine, endColumn: Int }

    /// A path as a relative URI reference (percent-encoded, forward slashes).
    static func relativeURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return trimmed.addingPercentEncoding(withAllowedCharacters: allowed) ?? trimmed
    }

    static func encode(_ log: Log) -> String { JSONText.encode(log) }
}
