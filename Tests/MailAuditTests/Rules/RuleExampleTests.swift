import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// Every example in every rule file is a test, as SwiftLint's `verifyRule` makes them: a triggering
/// example marks with `↓` every place the rule's findings point (one or several), and the rule must
/// report exactly those — none missing, none extra; a clean example has no marker and no finding.
/// Each runs again with CRLF line endings and after a multibyte comment line (same places), and each
/// triggering example twice more in the format's comment syntax: after a disable comment for the
/// rule (no finding left unsuppressed) and with its marked lines commented out (no finding at all).
@Suite struct RuleExampleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rule: Rule
        let index: Int
        var example: Rule.Example { rule.examples[index] }
        var testDescription: String { "\(rule.id) example \(index + 1) (\(example.expect.rawValue), \(example.format))" }
        /// Probe rules (MA801–MA806) fire only when a probe connects to a server, so linting alone
        /// must stay silent; where their `↓` points is checked with simulated server behaviour in
        /// Probe/ProbeRuleExampleTests, and the rules against real servers in Probe/RealServerProbeTests.
        var isProbe: Bool { rule.tags.contains("probe") }
    }

    static let cases: [Case] = TestSupport.ruleSet.rules.flatMap { rule in rule.examples.indices.map { Case(rule: rule, index: $0) } }
    /// The examples whose finding linting reports.
    static let triggering = cases.filter { $0.example.expect == .finding && !$0.isProbe }
    /// Those a disable comment can be written into: not MA000 (reading the file) nor MA001/MA002
    /// (about suppression comments themselves), in a format with comments.
    static let disableable = triggering.filter { !isAboutReadingOrSuppressions($0.rule) && hasComments($0) }
    /// Those whose marked lines can be commented out: a format with comments, and not a suppression
    /// comment (commenting a comment out changes nothing).
    static let commentable = triggering.filter { !$0.rule.tags.contains("suppressions") && hasComments($0) }

    static func isAboutReadingOrSuppressions(_ rule: Rule) -> Bool { rule.tags.contains("parse") || rule.tags.contains("suppressions") }
    static func hasComments(_ c: Case) -> Bool { CommentSyntax(format: c.example.format, text: c.example.config) != nil }

    enum Variant: String, CaseIterable { case plain, crlf, multibyteFirstLine }

    /// The variant of an example, or nil where the format's description says it does not apply.
    static func apply(_ variant: Variant, to text: String, format: String) -> (String, lineShift: Int)? {
        let description = FormatRegistry.builtIn.description(of: FormatID(format))
        switch variant {
        case .plain: return (text, 0)
        case .crlf:
            guard let description, description.exampleVariants.contains(.crlf) else { return nil }
            return (text.replacingOccurrences(of: "\n", with: "\r\n"), 0)
        case .multibyteFirstLine:
            guard let description, description.exampleVariants.contains(.multibyteFirstLine), let marker = description.commentMarkers.first else { return nil }
            return ("\(marker) Grüße — ✉️ 設定\n" + text, 1)
        }
    }

    /// Where the rule's findings point (suppressed ones too), in order; for MA000, where the parse problems do.
    static func places(of rule: Rule, in result: LintResult, unsuppressedOnly: Bool = false) -> [MarkedText.Position] {
        if rule.id == "MA000" {
            return result.problems.map { MarkedText.Position(line: $0.span?.line ?? 0, column: $0.span?.column ?? 0) }.sorted()
        }
        return result.findings.filter { $0.ruleId == rule.id && (!unsuppressedOnly || $0.suppression == nil) }
            .map { MarkedText.Position(line: $0.span.line, column: $0.span.column) }.sorted()
    }

    @Test("rule example", arguments: cases)
    func example(_ c: Case) throws {
        let example = c.example
        #expect(FormatRegistry.builtIn.format(id: FormatID(example.format)) != nil, "unknown format \(example.format) in \(c.rule.source)")
        let marked = MarkedText(example.config)
        switch example.expect {
        case .finding: #expect(!marked.positions.isEmpty, "\(c.testDescription): mark with ↓ where each finding points")
        case .clean: #expect(marked.positions.isEmpty, "\(c.testDescription): a clean example has no ↓")
        }
        let expected = example.expect == .finding && !c.isProbe ? marked.positions.sorted() : []
        for variant in Variant.allCases {
            guard let (input, shift) = Self.apply(variant, to: marked.text, format: example.format) else { continue }
            let result = TestSupport.lint(input, format: example.format)
            if c.rule.id != "MA000" {
                #expect(result.problems.isEmpty, "\(c.testDescription) [\(variant)]: the example does not parse: \(result.problems.map(\.message))")
            }
            let produced = Self.places(of: c.rule, in: result).map { MarkedText.Position(line: $0.line - shift, column: $0.column) }
            #expect(produced == expected, "\(c.testDescription) [\(variant)]: \(c.rule.id) expected at \(expected), found at \(produced)\(c.isProbe ? " (a probe rule fires only with a probe)" : "")")
        }
    }

    /// The examples the two tests below leave out, counted where the test run shows them.
    @Test(.disabled(if: triggering.count > disableable.count,
                    Comment(rawValue: "\(triggering.count - disableable.count) of \(triggering.count) triggering examples not run after a disable comment (MA000, MA001, MA002: no comment disables them; or no comment syntax)")))
    func everyTriggeringExampleRunsAfterADisableComment() {
        #expect(Self.triggering.count == Self.disableable.count)
    }

    @Test(.disabled(if: triggering.count > commentable.count,
                    Comment(rawValue: "\(triggering.count - commentable.count) of \(triggering.count) triggering examples not run commented out (they mark a suppression comment, or the format has no comment syntax)")))
    func everyTriggeringExampleRunsCommentedOut() {
        #expect(Self.triggering.count == Self.commentable.count)
    }

    @Test("a triggering rule example after a disable comment for its rule", arguments: disableable)
    func disabled(_ c: Case) throws {
        let marked = MarkedText(c.example.config)
        let comments = try Self.commentSyntax(c)
        let markedLines = Set(marked.positions.map(\.line))
        // The file-level form, at the end so no line moves (and XML's prolog stays first): nothing left.
        let fileLevel = comments.appending("mailaudit: disable-file=\(c.rule.id) reason=\"test\"", to: marked.text)
        let inFile = TestSupport.lint(fileLevel, format: c.example.format)
        #expect(inFile.problems.isEmpty, "\(c.testDescription) [disable-file]: does not parse with the comment: \(inFile.problems.map(\.message))")
        let leftInFile = Self.places(of: c.rule, in: inFile, unsuppressedOnly: true)
        #expect(leftInFile.isEmpty, "\(c.testDescription) [disable-file]: \(c.rule.id) still reported at \(leftInFile)\n\(fileLevel)")
        // The next-line form, before each marked line and indented like it: it covers that line, so
        // nothing is left there (a finding the comment line itself moves elsewhere is another finding).
        let nextLine = comments.insertingBefore(lines: markedLines, in: marked.text) { "mailaudit: disable=\(c.rule.id) reason=\"test\"" }
        let atLine = TestSupport.lint(nextLine, format: c.example.format)
        #expect(atLine.problems.isEmpty, "\(c.testDescription) [disable]: does not parse with the comment: \(atLine.problems.map(\.message))\n\(nextLine)")
        let covered = Set(markedLines.sorted().enumerated().map { $0.element + $0.offset + 1 })
        let leftAtLine = Self.places(of: c.rule, in: atLine, unsuppressedOnly: true).filter { covered.contains($0.line) }
        #expect(leftAtLine.isEmpty, "\(c.testDescription) [disable]: \(c.rule.id) still reported at \(leftAtLine)\n\(nextLine)")
    }

    /// Commented out, the marked lines say nothing: no finding of the rule on them. A finding may
    /// move elsewhere — where a setting is gone, the program's default applies, and the rule reports
    /// that at the block it belongs to; that is not a failure.
    @Test("a triggering rule example with its marked lines commented out is clean of its rule there", arguments: commentable)
    func commentedOut(_ c: Case) throws {
        let marked = MarkedText(c.example.config)
        let comments = try Self.commentSyntax(c)
        let lines = Set(marked.positions.map(\.line))
        let text = comments.commentingOut(lines: lines, in: marked.text)
        let result = TestSupport.lint(text, format: c.example.format)
        // A default is reported at the place of the endpoint it belongs to (Postfix: the file's first
        // line), which may be a commented-out line; that finding is about the default, not the line.
        let defaults = Set(result.findings.filter { $0.ruleId == c.rule.id && $0.span == $0.endpoint?.location }
            .map { MarkedText.Position(line: $0.span.line, column: $0.span.column) })
        let onCommented = Self.places(of: c.rule, in: result).filter { lines.contains($0.line) && !defaults.contains($0) }
        #expect(onCommented.isEmpty, "\(c.testDescription): \(c.rule.id) still reported on a commented-out line at \(onCommented)\n\(text)")
    }

    static func commentSyntax(_ c: Case) throws -> CommentSyntax {
        try #require(CommentSyntax(format: c.example.format, text: c.example.config), "\(c.testDescription): no comment syntax")
    }

    @Test func everyRuleHasATriggeringAndACleanExample() {
        for rule in TestSupport.ruleSet.rules {
            #expect(rule.examples.contains { $0.expect == .finding }, "\(rule.id) has no triggering example")
            #expect(rule.examples.contains { $0.expect == .clean }, "\(rule.id) has no clean example")
            #expect(!rule.rationale.isEmpty && !rule.fix.isEmpty && !rule.references.isEmpty, "\(rule.id) lacks rationale, fix or references")
        }
    }
}
