import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// What a file of thousands of errors costs: the first 100 errors, then one "and N more";
/// "did you mean" for the first 20 unknown names only.
@Suite struct ParseLimitsTests {
    @Test func errorsPerFileAreCappedAtOneHundredPlusOne() throws {
        let text = (1...150).map { "bogus_command_\($0) x\n" }.joined()
        let problems = TestSupport.lint(text, format: "msmtp", path: "msmtprc").problems
        #expect(problems.count == ProblemLimit.perFile + 1)
        #expect(problems.prefix(100).map { $0.span?.line } == Array(1...100))
        #expect(problems.prefix(100).allSatisfy { $0.message.contains("unknown command") })
        let last = try #require(problems.last)
        #expect(last.message.hasPrefix("and 50 more errors in this file"))
        #expect(last.span?.line == 101 && last.path == "msmtprc")
    }

    @Test func exactlyOneHundredErrorsAreAllShown() {
        let text = (1...100).map { "bogus_command_\($0) x\n" }.joined()
        let problems = TestSupport.lint(text, format: "msmtp", path: "msmtprc").problems
        #expect(problems.count == 100 && !problems.contains { $0.message.contains("more error") })
    }

    @Test func theCapIsPerFileOfASetup() {
        // An included file has its own hundred; problems are ordered by position within each file.
        let a = (1...120).reversed().map { ParseProblem("a\($0)", path: "a.conf", span: SourceSpan(path: "a.conf", line: $0, column: 1)) }
        let b = (1...5).map { ParseProblem("b\($0)", path: "b.conf", span: SourceSpan(path: "b.conf", line: $0, column: 1)) }
        let capped = ProblemLimit.apply(a + b)
        #expect(capped.filter { $0.path == "a.conf" }.count == 101 && capped.filter { $0.path == "b.conf" }.count == 5)
        #expect(capped.first?.message == "a1" && capped[99].message == "a100")
        #expect(capped[100].message.hasPrefix("and 20 more errors") && capped[100].span?.line == 101)
        #expect(ProblemLimit.apply(b) == b)
    }

    @Test func suggestionsStopAfterTwentyPerFile() {
        // Each name is one letter away from smtp_url.
        let text = (1...30).map { _ in "set smtp_urll = x\n" }.joined()
        let problems = TestSupport.lint(text, format: "mutt", path: "muttrc").problems.filter { $0.message.contains("unknown variable") }
        #expect(problems.count == 30)
        #expect(problems.prefix(Suggestion.limitPerInput).allSatisfy { $0.message.contains("did you mean 'smtp_url'?") })
        #expect(problems.dropFirst(Suggestion.limitPerInput).allSatisfy { !$0.message.contains("did you mean") })
    }

    @Test func eachFileHasItsOwnSuggestions() {
        let text = (1...25).map { _ in "set smtp_urll = x\n" }.joined()
        let result = TestSupport.lint(text, format: "mutt", path: "muttrc")
        let again = TestSupport.lint(text, format: "mutt", path: "muttrc")
        #expect(result.problems.filter { $0.message.contains("did you mean") }.count == 20)
        #expect(again.problems.filter { $0.message.contains("did you mean") }.count == 20)
    }

    @Test func longWordsGetNoSuggestionAndShortOnesStillDo() {
        #expect(Suggestion.closest(to: String(repeating: "tls", count: 100_000), in: ["tls", "tls_starttls"]) == nil)
        #expect(Suggestion.closest(to: "tsl", in: ["tls", "host"]) == "tls")
        #expect(Suggestion.closest(to: "tls_start", in: ["tls", "tls_starttls"]) == "tls_starttls")
        #expect(Suggestion.closest(to: "smtp_urll", in: ["smtp_url", "smtp_pass"]) == "smtp_url")
    }
}
