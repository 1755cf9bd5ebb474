import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

/// `lint --verify`: probe findings (MA801–MA806) go through suppressions and baselines like any
/// other, and the JSON report carries what was probed. Nothing listens on 127.0.0.1 port 1, so the
/// probe ends in MA806 at once, without a server.
@Suite struct VerifyBeforeSuppressTests {
    static func setup(comment: String) -> String {
        """
        mailaudit: 1
        accounts:
          - name: gone
            incoming:
              protocol: imap
              host: 127.0.0.1\(comment)
              port: 1
              tls: implicit
              auth: [plain]
              keyring: true

        """
    }

    func report(_ arguments: [String], cwd: URL) throws -> [String: Any] {
        let run = try TestSupport.run(["lint", "--verify", "--timeout", "2", "--format", "json"] + arguments, cwd: cwd)
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
    }

    func findings(_ doc: [String: Any], _ rule: String) -> [[String: Any]] {
        (doc["findings"] as? [[String: Any]] ?? []).filter { $0["ruleId"] as? String == rule }
    }

    @Test func aCommentSuppressesAProbeFindingAndIsNotUnused() throws {
        let dir = try TestSupport.folder(["gone.mailaudit.yml": Self.setup(comment: "   # mailaudit: disable=MA806 reason=\"decommissioned\"")])
        let doc = try report(["gone.mailaudit.yml"], cwd: dir)
        let unreachable = findings(doc, "MA806")
        #expect(unreachable.count == 1)
        #expect((unreachable.first?["suppressed"] as? [String: Any])?["kind"] as? String == "inline")
        #expect(findings(doc, "MA001").isEmpty, "the comment matched the probe finding")
        let probes = try #require(doc["probes"] as? [[String: Any]])
        #expect(probes.count == 1)
        #expect(probes.first?["target"] as? String == "127.0.0.1:1")
        #expect(probes.first?["issues"] as? [String] == ["MA806"])
        // Without --verify the same comment covers nothing, and says so.
        let plain = try TestSupport.run(["lint", "--format", "json", "gone.mailaudit.yml"], cwd: dir)
        #expect(plain.stdout.contains("\"MA001\""))
        #expect(!plain.stdout.contains("\"probes\""))
    }

    @Test func aBaselineAndAnIgnoreEntryCoverProbeFindings() throws {
        let dir = try TestSupport.folder(["gone.mailaudit.yml": Self.setup(comment: "")])
        let first = try #require(findings(try report(["gone.mailaudit.yml"], cwd: dir), "MA806").first)
        #expect(first["suppressed"] is NSNull)
        let baseline: [String: Any] = ["tool": "mailaudit", "baselineVersion": 1, "findings": [[
            "fingerprint": first["fingerprint"]!, "ruleId": "MA806", "path": "gone.mailaudit.yml", "message": first["message"]!]]]
        try JSONSerialization.data(withJSONObject: baseline).write(to: dir.appendingPathComponent("baseline.json"))
        let baselined = try report(["--baseline", "baseline.json", "gone.mailaudit.yml"], cwd: dir)
        #expect((findings(baselined, "MA806").first?["suppressed"] as? [String: Any])?["kind"] as? String == "baseline")
        #expect((baselined["baseline"] as? [String: Any])?["matched"] as? Int == 1)

        try "ignore:\n  - { rule: MA806, reason: \"retired host\" }\n".write(to: dir.appendingPathComponent(".mailaudit.yml"), atomically: true, encoding: .utf8)
        let ignored = try report(["gone.mailaudit.yml"], cwd: dir)
        #expect((findings(ignored, "MA806").first?["suppressed"] as? [String: Any])?["kind"] as? String == "configuration")
        #expect(findings(ignored, "MA001").isEmpty)
    }

    @Test func theVerifyStageRunsBeforeSuppressionsInTheLibrary() async throws {
        // The linter hands every setup to the verify stage, then suppresses what it returns.
        let format = try #require(FormatRegistry.builtIn.format(id: "mailaudit-yaml"))
        let text = Self.setup(comment: "   # mailaudit: disable=MA806")
        let linter = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))
        let result = try await linter.lint([LintInput(path: "g.yml", displayPath: "g.yml", format: format, text: text)], verifyingWith: { (setups: [MailSetup]) -> Verification in
            #expect(setups.count == 1)
            let span = try #require(setups.first?.endpoints.first?.spans[.host])
            let finding = Finding(ruleId: "MA806", ruleName: "endpoint-unreachable", severity: .note, message: "no connection",
                                  span: span, format: "mailaudit-yaml", fix: nil, fingerprint: "f")
            return Verification(findings: [[finding]], probes: [])
        })
        #expect(result.findings.first { $0.ruleId == "MA806" }?.suppression?.kind == .inline)
        #expect(!result.findings.contains { $0.ruleId == "MA001" })
        #expect(result.probes?.isEmpty == true)
        #expect(result.setups.isEmpty, "setups are kept only when asked for")
    }
}
