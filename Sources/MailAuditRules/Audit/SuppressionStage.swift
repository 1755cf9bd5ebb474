import MailAuditCore

/// The suppress stage over a stream of files: inline comments, then the configuration's
/// `ignore:`, then the baseline, file by file; what only the whole run can say (unused or
/// expired `ignore:` entries, stale baseline entries) at the end. Holds only which entries were
/// used, so memory does not grow with the number of files.
struct SuppressionStage {
    let linter: Linter
    private var baseline: BaselineMatch?
    private var usedIgnores = Set<Int>()
    private var judgedIgnores = Set<Int>()

    init(linter: Linter, baseline: Baseline?) {
        self.linter = linter
        self.baseline = baseline.map(BaselineMatch.init)
    }

    /// One file's part: its suppressions applied, in report order.
    mutating func apply(_ outcome: Linter.Outcome) -> LintResult {
        var part = linter.collected(linter.suppressed(outcome))
        if !linter.ignores.isEmpty {
            part.findings = linter.markIgnored(part.findings, used: &usedIgnores)
            judgedIgnores.formUnion(linter.ignoreEntries(naming: part.linted))
        }
        baseline?.apply(to: &part.findings)
        baseline?.noteLinted(part.linted)
        part.sortForReport()
        return part
    }

    /// The run's end: MA001/MA002 about `ignore:` entries (baselined like any finding) and the baseline's summary.
    mutating func closing() -> LintResult {
        var closing = LintResult()
        closing.findings = linter.unusedIgnoreFindings(used: usedIgnores, judged: judgedIgnores)
        baseline?.apply(to: &closing.findings)
        closing.sortForReport()
        closing.baseline = baseline?.summary
        return closing
    }
}
