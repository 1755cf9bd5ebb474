import Foundation
@testable import MailAuditFormats
import Testing

/// The placeholder scan finds what the regular expressions it replaced found, in linear time.
@Suite struct TemplateSyntaxTests {
    /// The former implementation, as the oracle.
    func byRegularExpressions(_ s: String) -> String? {
        for pattern in [#"\{\{.*?\}\}"#, #"\{%.*?%\}"#, #"\{\{.*$"#, #"\bPH_[A-Z0-9_]+"#, #"@[A-Z][A-Z0-9_]*@"#] {
            if let r = s.range(of: pattern, options: .regularExpression) { return String(s[r]) }
        }
        return nil
    }

    @Test func examples() {
        #expect(TemplateSyntax.placeholder(in: "host = {{ mail_host }}") == "{{ mail_host }}")
        #expect(TemplateSyntax.placeholder(in: "{% if x %}a{% endif %}") == "{% if x %}")
        #expect(TemplateSyntax.placeholder(in: "a = {{ unclosed") == "{{ unclosed")
        #expect(TemplateSyntax.placeholder(in: "a = {{ x\nb = 1") == nil)
        #expect(TemplateSyntax.placeholder(in: "myhostname = PH_HOSTNAME.example") == "PH_HOSTNAME")
        #expect(TemplateSyntax.placeholder(in: "xPH_HOSTNAME") == nil)
        #expect(TemplateSyntax.placeholder(in: "prefix = @PREFIX@/etc") == "@PREFIX@")
        #expect(TemplateSyntax.placeholder(in: "user@example.com, ${x}, {a}") == nil)
    }

    @Test func agreesWithTheRegularExpressions() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["{", "{", "}", "}", "%", "P", "H", "_", "A", "Z", "9", "@", "x", " ", "\n", "é", "-"]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(TemplateSyntax.placeholder(in: text) == byRegularExpressions(text), "\(text.debugDescription)")
        }
    }
}
