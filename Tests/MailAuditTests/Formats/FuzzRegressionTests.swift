import Foundation
import MailAuditCore
import Testing

/// Inputs the fuzzer (scripts/fuzz.sh) found to crash, hang or grow without bound, kept so they stay fixed.
/// The bounds are generous for a debug build on a busy machine; the faults they guard took minutes.
@Suite struct FuzzRegressionTests {
    static func timed<T>(_ body: () -> T) -> (T, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let value = body()
        return (value, clock.now - start)
    }

    /// Deeply nested Dovecot sections: every line asked every open section whether it was conditional,
    /// and every opened section listed all of them, so time grew with the square of the depth.
    @Test func deeplyNestedDovecotSectionsTakeLinearTime() {
        let depth = 20_000
        let (result, elapsed) = Self.timed { TestSupport.lint(String(repeating: "a {\n", count: depth), format: "dovecot", path: "dovecot.conf") }
        #expect(elapsed < .seconds(15), "\(depth) nested sections took \(elapsed)")
        #expect(result.problems.count == 1, "one unclosed section is reported, not one per level: \(result.problems.count)")
        #expect(result.problems.first?.span?.line == 1)
    }

    /// The same depth under a Jinja condition: sections opened inside a conditional one stay conditional.
    @Test func sectionsNestedInAConditionalOneStayConditional() {
        let text = """
        {% if imaps %}
        service imap-login {
        {% endif %}
          inet_listener imaps {
            port = 1993
          }
        }
        """
        let setup = TestSupport.parse(text, format: "dovecot", path: "dovecot.conf")
        #expect(!setup.endpoints.contains { $0.port == 1993 }, "a port set under a condition is not known: \(setup.endpoints.map(\.port))")
    }
}
