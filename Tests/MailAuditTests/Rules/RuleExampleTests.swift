import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// Every example in every rule file is a test — a triggering example must produce that
/// rule's finding where its `↓` marks, a clean one must not produce it. Like SwiftLint's
/// `verifyRule`, each also runs with CRLF line endings and after a multibyte comment line, with the
/// same results and columns.
@Suite struct RuleExampleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rule: Rule
        let index: Int
        var example: Rule.Example { rule.examples[index] }
        var testDescription: String { "\(rule.id) example \(index + 1) (\(example.expect.rawValue), \(example.format))" }
    }

    static let cases: [Case] = TestSupport.ruleSet.rules.flatMap { rule in rule.examples.indices.map { Case(rule: rule, index: $0) } }

    /// Strips the `↓` marker and returns where it was (1-based line and column in Unicode scalars).
    static func marker(in text: String) -> (text: String, line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (n, line) in lines.enumerated() {
            if let range = line.range(of: "↓") {
                let column = line[..<range.lowerBound].unicodeScalars.count + 1
                return (text.replacingOccurrences(of: "↓", with: ""), n + 1, column)
            }
        }
        return nil
    }

    enum Variant: String, CaseIterable { case plain, crlf, multibyteFirstLine }

    static func apply(_ variant: Variant, to text: String, format: String) -> (String, lineShift: Int)? {
        switch variant {
        case .plain: return (text, 0)
        case .crlf: return (text.replacingOccurrences(of: "\n", with: "\r\n"), 0)
        case .multibyteFirstLine:
            guard let marker = FormatRegistry.builtIn.format(id: format)?.commentMarkers.first, !format.contains("xml"),
                  !["autoconfig", "autodiscover", "mobileconfig", "mailaudit-yaml"].contains(format) || format == "mailaudit-yaml" else { return nil }
            return ("\(marker) Grüße — ✉️ 設定\n" + text, 1)
        }
    }

    @Test("rule example", arguments: cases)
    func example(_ c: Case) throws {
        let example = c.example
        #expect(FormatRegistry.builtIn.format(id: example.format) != nil, "unknown format \(example.format) in \(c.rule.source)")
        let marked = Self.marker(in: example.config)
        let text = marked?.text ?? example.config
        for variant in Variant.allCases {
            guard let (input, shift) = Self.apply(variant, to: text, format: example.format) else { continue }
            let result = TestSupport.lint(input, format: example.format)
            let produced: [(Int, Int)]
            if c.rule.id == "MA000" {
                produced = result.problems.map { ($0.span?.line ?? 0, $0.span?.column ?? 0) }
            } else {
                #expect(result.problems.isEmpty, "\(c.testDescription) [\(variant)]: the example does not parse: \(result.problems.map(\.message))")
                produced = result.findings.filter { $0.ruleId == c.rule.id }.map { ($0.span.line, $0.span.column) }
            }
            switch example.expect {
            case .finding where c.rule.tags.contains("probe"):
                // Probe rules (MA801–MA806) fire only when a probe connects to a server, so
                // linting alone must stay silent; where their `↓` points is checked with simulated
                // server behaviour in Probe/ProbeRuleExampleTests, and the rules against real servers
                // in Probe/RealServerProbeTests.
                #expect(produced.isEmpty, "\(c.testDescription) [\(variant)]: probe rule \(c.rule.id) fired without a probe")
            case .finding:
                #expect(!produced.isEmpty, "\(c.testDescription) [\(variant)]: expected \(c.rule.id), got \(result.findings.map(\.ruleId))")
                if let marked {
                    #expect(produced.contains { $0 == (marked.line + shift, marked.column) },
                            "\(c.testDescription) [\(variant)]: expected at \(marked.line + shift):\(marked.column), found at \(produced)")
                }
            case .clean:
                #expect(produced.isEmpty, "\(c.testDescription) [\(variant)]: expected no \(c.rule.id), found at \(produced)")
            }
        }
    }

    @Test func everyRuleHasATriggeringAndACleanExample() {
        for rule in TestSupport.ruleSet.rules {
            #expect(rule.examples.contains { $0.expect == .finding }, "\(rule.id) has no triggering example")
            #expect(rule.examples.contains { $0.expect == .clean }, "\(rule.id) has no clean example")
            #expect(!rule.rationale.isEmpty && !rule.fix.isEmpty && !rule.references.isEmpty, "\(rule.id) lacks rationale, fix or references")
        }
    }
}
