import Foundation
@testable import MailAuditReport
import MailAuditTestSupport
import Testing

/// Findings on a very long line (a one-line XML file, a minified config) show a window of the line
/// around the span, so the report grows with the number of findings, not findings × line length.
@Suite struct SourceExcerptTests {
    /// One line holding `count` accounts, each on port 993 without TLS (MA101 at each `none`).
    func oneLine(_ count: Int) -> String {
        let accounts = (0..<count).map { "{name: a\($0), incoming: {protocol: imap, host: h\($0).example.com, port: 993, tls: none}}" }
        return "mailaudit: 1\naccounts: [" + accounts.joined(separator: ", ") + "]\n"
    }

    func text(_ input: String) -> String {
        let result = TestSupport.lint(input, format: "mailaudit-yaml", path: "wide.mailaudit.yml")
        return TextReporter().render(Report(result: result, rules: TestSupport.ruleSet, options: ReportOptions()))
    }

    @Test func aLongLineIsCutToAWindowAroundTheSpan() throws {
        let out = text(oneLine(200))
        let sourceLines = out.split(separator: "\n").filter { $0.hasPrefix("    2 | ") }
        #expect(sourceLines.count >= 200)
        for line in sourceLines { #expect(line.unicodeScalars.count <= 8 + SourceExcerpt.width + 2, "\(line.prefix(60))…") }
        // The carets sit under the value the finding names, inside the window.
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let last = try #require(lines.lastIndex { $0.hasPrefix("    2 | ") })
        let caretLine = Array(lines[last + 1].unicodeScalars), source = Array(lines[last].unicodeScalars)
        let caret = try #require(caretLine.firstIndex(of: "^"))
        #expect(String(String.UnicodeScalarView(source[caret..<caret + 4])) == "none")
        #expect(lines[last].hasPrefix("    2 | …"))
    }

    @Test func theReportGrowsWithTheFindingsNotWithTheLine() {
        let small = text(oneLine(100)).utf8.count, large = text(oneLine(400)).utf8.count
        #expect(Double(large) / Double(small) < 5, "100 findings: \(small) bytes, 400: \(large) bytes")
    }

    @Test func aShortLineIsShownWhole() {
        let out = text("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, port: 993, tls: none}\n")
        let caretLine = "      | " + String(repeating: " ", count: 56) + "^^^^\n"  // column 57
        #expect(out.contains("    4 |     incoming: {protocol: imap, host: h, port: 993, tls: none}\n" + caretLine))
    }
}
