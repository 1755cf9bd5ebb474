import MailAuditCore
import MailAuditFormats

/// One audit, as named stages:
///
/// 1. discover — paths → `FileDiscovery.Discovery`: the inputs in sorted order, the problems of
///    paths that are not there, the files a walk skipped (`FileDiscovery`, the caller's flags).
/// 2. read → detect → parse → evaluate — `LintInput` → `Linter.Outcome`, per file, on every core
///    (`Linter.lintOne`): read once (the bytes that decide a walk's file's format are the ones
///    parsed; included files are read once and handed on), then the rules.
/// 3. verify — optional, whole run: every setup's endpoints probed at once (one server named by
///    many files is probed once); its findings join each file's outcome.
/// 4. suppress — inline comments, then the configuration's `ignore:`, then the baseline
///    (`SuppressionStage`).
/// 5. report — the consumer gets each file's part in input order as soon as it and every file
///    before it are done (a reorder window), and the run's end.
///
/// Ordering constraints: verify before suppress, so probe findings (MA801–MA806) are suppressed,
/// ignored and baselined like any other and a comment that disables one is not unused (MA001);
/// inline comments before `ignore:` before the baseline, because `mailaudit baseline` records only
/// what neither covers (a baseline applied first would spend its entries on findings a comment
/// hides); MA001/MA002 about `ignore:` entries need every file, so they come at the end.
///
/// Without verification, memory is one reorder window of files whatever the number of files; with
/// it, every outcome waits for the probes.
public struct Auditor: Sendable {
    /// The per-file stages and what suppresses (inline comments, `ignore:`).
    public var linter: Linter
    /// `--baseline`: findings it records are marked, its stale entries summarised at the end.
    public var baseline: Baseline?

    public init(linter: Linter, baseline: Baseline? = nil) {
        self.linter = linter
        self.baseline = baseline
    }

    /// Audits the discovered inputs, handing each file's part to `consumer` as it completes.
    public func run(_ discovery: FileDiscovery.Discovery, into consumer: inout some AuditConsumer) {
        var suppression = SuppressionStage(linter: linter, baseline: baseline)
        consumer.begin(Self.preface(discovery))
        OrderedDelivery.run(discovery.inputs, transform: linter.fileStage(for: discovery.inputs), deliver: { outcome in
            consumer.part(suppression.apply(outcome))
        })
        consumer.end(suppression.closing())
    }

    /// `lint --verify`: every file read, parsed and evaluated; then `verify` probes the setups'
    /// endpoints; then each file's outcome, with its probe findings, is suppressed and delivered.
    public func run<E: Error>(_ discovery: FileDiscovery.Discovery, verifyingWith verify: ([MailSetup]) async throws(E) -> Verification,
                              into consumer: inout some AuditConsumer) async throws(E) {
        var keeping = linter
        keeping.keepSetups = true
        let outcomes = OrderedDelivery.map(discovery.inputs, keeping.fileStage(for: discovery.inputs))
        let verification = try await verify(outcomes.compactMap(\.setup))
        var suppression = SuppressionStage(linter: linter, baseline: baseline)
        consumer.begin(Self.preface(discovery))
        var setupIndex = 0
        for var outcome in outcomes {
            if outcome.setup != nil {
                let probeFindings = setupIndex < verification.findings.count ? verification.findings[setupIndex] : []
                setupIndex += 1
                outcome.findings += probeFindings
                // Their lines are quoted too: from the files this setup's parse read.
                let quoted = Set(outcome.sources.map(\.path))
                outcome.sources += outcome.filesRead.filter { file in !quoted.contains(file.path) && probeFindings.contains { $0.span.path == file.path } }
            }
            outcome.filesRead = []
            consumer.part(suppression.apply(outcome))
        }
        var closing = suppression.closing()
        closing.probes = verification.probes
        consumer.end(closing)
    }

    /// What discovery found before any file is read: the part a report begins with.
    static func preface(_ discovery: FileDiscovery.Discovery) -> LintResult {
        var preface = LintResult(problems: discovery.problems)
        preface.skipped = discovery.skipped.count
        return preface
    }
}
