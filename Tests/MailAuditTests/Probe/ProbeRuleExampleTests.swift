import Foundation
import MailAuditCore
@testable import MailAuditProbe
import MailAuditRules
import MailAuditTestSupport
import Testing

/// The `expect: finding` examples of the probe rules (MA801–MA806) describe what a server does,
/// which linting cannot see (Rules/RuleExampleTests checks they stay silent without a probe). Here
/// each example's endpoint gets a simulated server that behaves that way, and the finding must
/// point where the example's `↓` says — so `explain`, docs and --verify agree.
@Suite struct ProbeRuleExampleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rule: Rule
        let index: Int
        var testDescription: String { "\(rule.id) example \(index + 1)" }
    }

    static let cases: [Case] = TestSupport.ruleSet.rules.filter { $0.tags.contains("probe") }.flatMap { rule in
        rule.examples.indices.filter { rule.examples[$0].expect == .finding }.map { Case(rule: rule, index: $0) }
    }

    @Test func everyProbeRuleIsInThePack() {
        #expect(Set(Self.cases.map(\.rule.id)) == Set(ProbeRules.ids))
        for id in ProbeRules.ids {
            let rule = TestSupport.ruleSet.rules.first { $0.id == id }
            #expect(rule?.scope == .meta, "\(id) should be scope: meta (the probe produces its findings)")
        }
    }

    /// An observation that makes `id` fire.
    static func simulated(_ id: String, for target: ProbeTarget) -> ProbeResult {
        var r = ProbeResult(target: target)
        r.connectedAddress = "192.0.2.10:\(target.port)"
        var tls = TLSAttempt()
        tls.succeeded = true
        tls.version = .tls13
        switch id {
        case "MA801":
            tls = TLSAttempt()
            tls.error = "the server's reply is not TLS (wrong version number)"
            tls.plaintextReply = "\"* OK IMAP ready\""
            r.implicitTLS = tls
        case "MA802":
            var p = PlaintextSession()
            p.greeting = "220 mx ESMTP"
            p.capabilities = ["PIPELINING"]
            p.startTLSOffered = false
            r.plaintext = p
        case "MA803":
            var p = PlaintextSession()
            p.greeting = "220 mx ESMTP"
            p.startTLSOffered = true
            p.authMechanisms = ["plain", "login"]
            r.plaintext = p
            r.startTLS = tls
        case "MA804":
            r.implicitTLS = tls
            r.certificate = CertificateReport(subject: "CN=old", issuer: "CN=old", dnsNames: ["old.example"], ipAddresses: [],
                                              notBefore: Date(timeIntervalSince1970: 0), notAfter: Date(timeIntervalSince1970: 1),
                                              checkedName: target.certificateName, verified: false, problems: ["expired on 1970-01-01"])
        case "MA805":
            tls.version = .tls10
            r.implicitTLS = tls
        default:
            r.connectedAddress = nil
            r.connectError = "connection refused (nothing listens on the port)"
        }
        return r
    }

    @Test("probe rule example points at its ↓", arguments: cases)
    func example(_ c: Case) throws {
        let example = c.rule.examples[c.index]
        let marked = MarkedText(example.config)
        #expect(!marked.positions.isEmpty, "\(c.testDescription) has no ↓ marker")
        let setup = TestSupport.parse(marked.text, format: example.format)
        #expect(setup.problems.isEmpty, "\(c.testDescription): \(setup.problems.map(\.message))")
        let verifier = Verifier(ruleSet: TestSupport.ruleSet)
        let plan = verifier.plan([setup])
        let targets = plan.compactMap(\.target)
        #expect(!targets.isEmpty, "\(c.testDescription): nothing to probe (\(plan.compactMap(\.skipped)))")
        let results = Dictionary(uniqueKeysWithValues: targets.map { ($0, Self.simulated(c.rule.id, for: $0)) })
        let findings = verifier.findings([setup], plan: plan, results: results).flatMap { $0 }.filter { $0.ruleId == c.rule.id }
        #expect(!findings.isEmpty, "\(c.testDescription): the simulated server did not trigger \(c.rule.id)")
        // Exactly where the `↓`s are: none missing, none extra.
        let found = findings.map { MarkedText.Position(line: $0.span.line, column: $0.span.column) }.sorted()
        #expect(found == marked.positions.sorted(), "\(c.testDescription): expected at \(marked.positions.sorted()), found at \(found)")
        for f in findings {
            #expect(f.severity == c.rule.severity && f.ruleName == c.rule.name && f.fix == c.rule.fix.text(for: f.format))
            #expect(f.message.hasPrefix(f.endpoint!.descriptionForMessages), "the message names the endpoint: \(f.message)")
        }
    }
}
