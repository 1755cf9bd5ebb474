import MailAuditCore

/// Where an audit's results go (a reporter, several at once, or a collector), in report order:
/// `begin` with what was known before any file was read, `part` once per file as soon as it and
/// every file before it are done, `end` with what only the whole run knows.
public protocol AuditConsumer {
    /// Problems found before any file (paths that do not exist, an unreadable list or baseline) and
    /// the files the walk skipped.
    mutating func begin(_ preface: LintResult)
    /// One file: its findings and problems in report order (path, line, column, rule), every
    /// suppression applied, the sources and secrets they point into.
    mutating func part(_ part: LintResult)
    /// The run's own findings (MA001/MA002 about `ignore:` entries), the baseline's summary, and
    /// what `--verify` probed.
    mutating func end(_ closing: LintResult)
}

/// A whole-run result: the stream collected (`lint` for the document formats, `model`, `baseline`).
/// Holds everything, so memory grows with the run; streaming consumers do not use it.
public struct LintResultCollector: AuditConsumer {
    public private(set) var result = LintResult()

    public init() {}

    public mutating func begin(_ preface: LintResult) { result.merge(preface) }
    public mutating func part(_ part: LintResult) { result.merge(part) }
    public mutating func end(_ closing: LintResult) { result.merge(closing) }
}

extension LintResult {
    /// Adds another part of the same run (kept in the order they come).
    public mutating func merge(_ other: LintResult) {
        files += other.files
        skipped += other.skipped
        findings += other.findings
        problems += other.problems
        sources.merge(other.sources) { _, new in new }
        for (path, spans) in other.secrets { secrets[path, default: []] += spans }
        redactor.merge(other.redactor)
        setups += other.setups
        linted.formUnion(other.linted)
        if let b = other.baseline { baseline = b }
        if let p = other.probes { probes = (probes ?? []) + p }
    }
}
