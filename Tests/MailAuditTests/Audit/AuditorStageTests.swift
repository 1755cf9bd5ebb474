import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
@testable import MailAuditRules
import MailAuditTestSupport
import Testing

/// The Auditor's stage order: verify before suppress, inline before `ignore:` before the baseline,
/// and a streamed run that suppresses exactly as a collected one.
@Suite struct AuditorStageTests {
    static let insecure = """
    mailaudit: 1
    accounts:
      - name: a
        incoming:
          protocol: imap
          host: imap.example.org
          port: 143
          tls: none
          auth: [plain]
          keyring: true

    """

    static func inputs(_ names: [String]) -> FileDiscovery.Discovery {
        let format = FormatRegistry.builtIn.format(id: "mailaudit-yaml")!
        return FileDiscovery.Discovery(inputs: names.map { LintInput(path: $0, displayPath: $0, format: format, text: insecure) })
    }

    /// Records the order of the consumer's calls and what each carried.
    final class Recorder: AuditConsumer {
        var calls: [String] = []
        var parts: [LintResult] = []
        func begin(_ preface: LintResult) { calls.append("begin") }
        func part(_ part: LintResult) { calls.append("part \(part.files.first?.path ?? "-")"); parts.append(part) }
        func end(_ closing: LintResult) { calls.append("end"); parts.append(closing) }
    }

    func probeFinding(_ setup: MailSetup) -> Finding {
        Finding(ruleId: "MA806", ruleName: "endpoint-unreachable", severity: .note, message: "no connection",
                span: setup.endpoints[0].spans[.host]!, format: "mailaudit-yaml", fix: nil, fingerprint: "probe-\(setup.path ?? "")")
    }

    @Test func partsComeInInputOrderBetweenBeginAndEnd() {
        var recorder = Recorder()
        Auditor(linter: Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))).run(Self.inputs(["c.yml", "a.yml", "b.yml"]), into: &recorder)
        #expect(recorder.calls == ["begin", "part c.yml", "part a.yml", "part b.yml", "end"])
    }

    @Test func probeFindingsAreIgnoredAndBaselinedLikeAnyOther() async throws {
        var linter = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))
        linter.workingDirectory = "/"
        linter.ignoreBase = "/"
        linter.ignores = [Configuration.Ignore(rule: "MA806", paths: ["a.yml"], reason: "retired", until: nil, span: SourceSpan(path: ".mailaudit.yml", line: 1, column: 1))]
        let baseline = Baseline(findings: [Finding(ruleId: "MA806", ruleName: "endpoint-unreachable", severity: .note, message: "no connection",
                                                   span: SourceSpan(path: "b.yml", line: 1, column: 1), format: "mailaudit-yaml", fix: nil, fingerprint: "probe-b.yml")])
        let recorder = Recorder()
        var consumer = recorder
        await Auditor(linter: linter, baseline: baseline).run(Self.inputs(["a.yml", "b.yml", "c.yml"]), verifyingWith: { (setups: [MailSetup]) -> Verification in
            #expect(recorder.calls.isEmpty, "verification comes before any part is delivered")
            return Verification(findings: setups.map { [probeFinding($0)] }, probes: [])
        }, into: &consumer)
        let probes = recorder.parts.flatMap(\.findings).filter { $0.ruleId == "MA806" }
        #expect(probes.map(\.span.path) == ["a.yml", "b.yml", "c.yml"])
        #expect(probes.map { $0.suppression?.kind } == [.configuration, .baseline, nil])
        #expect(recorder.parts.last?.baseline?.matched == 1)
        #expect(recorder.parts.last?.probes != nil)
        #expect(!recorder.parts.flatMap(\.findings).contains { $0.ruleId == "MA001" }, "the ignore entry matched a probe finding")
    }

    /// `ignore:` first, then the baseline: an entry a finding the configuration ignores would have
    /// matched is left for the next finding with that fingerprint, streamed or collected alike.
    @Test func ignoreAndBaselineInAStreamedRunEqualAWholeRun() throws {
        var linter = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))
        linter.workingDirectory = "/"
        linter.ignoreBase = "/"
        linter.ignores = [
            Configuration.Ignore(rule: "MA102", paths: ["a.yml"], reason: nil, until: nil, span: SourceSpan(path: ".mailaudit.yml", line: 2, column: 3)),
            Configuration.Ignore(rule: "MA999", paths: ["a.yml"], reason: nil, until: nil, span: SourceSpan(path: ".mailaudit.yml", line: 3, column: 3)),
        ]
        let whole = linter.lint(Self.inputs(["a.yml", "b.yml"]).inputs)
        let baseline = Baseline(findings: whole.findings.filter { $0.span.path == "b.yml" })
        #expect(!baseline.entries.isEmpty)

        var collector = LintResultCollector()
        Auditor(linter: linter, baseline: baseline).run(Self.inputs(["a.yml", "b.yml"]), into: &collector)
        var recorder = Recorder()
        Auditor(linter: linter, baseline: baseline).run(Self.inputs(["a.yml", "b.yml"]), into: &recorder)
        let streamed = recorder.parts.flatMap(\.findings)
        #expect(streamed.map(\.fingerprint) == collector.result.findings.map(\.fingerprint))
        #expect(streamed.map { $0.suppression?.kind } == collector.result.findings.map { $0.suppression?.kind })
        #expect(streamed.contains { $0.span.path == "a.yml" && $0.ruleId == "MA102" && $0.suppression?.kind == .configuration })
        #expect(streamed.filter { $0.span.path == "b.yml" }.allSatisfy { $0.suppression?.kind == .baseline })
        #expect(streamed.last?.ruleId == "MA001", "the unused ignore entry, at the end")
        #expect(recorder.parts.last?.baseline?.matched == baseline.entries.count)
    }
}
