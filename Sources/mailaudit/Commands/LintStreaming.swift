import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditReport
import MailAuditRules

extension LintSetup {
    /// `lint --format jsonl` on standard output: the lines of each file as soon as it and the files
    /// before it are done, the summary last; memory stays flat however many files there are.
    /// Discovery's problems come first. The configuration's `ignore:` applies file by file (its
    /// MA001/MA002 come after the files); `--baseline` marks findings as they pass, each entry the
    /// first finding with its fingerprint, and its stale entries are in the summary line.
    /// Returns the exit status.
    func streamJSONLines(paths: [String], inlineSuppressions: Bool, baseline baselinePath: String?, failOn: FailOn, strictBaseline: Bool) -> Int32 {
        var stream = JSONLinesStream(rules: rules)
        let found = discover(paths)
        var before = LintResult(problems: found.problems)
        before.skipped = found.skipped.count
        var match: BaselineMatch?
        if let baselinePath {
            switch Result(catching: { () throws(ParseProblem) in try Baseline.load(path: baselinePath) }) {
            case .success(let b): match = BaselineMatch(b)
            case .failure(let problem): before.problems.append(problem)
            }
        }
        write(stream.lines(for: before))
        var linter = linter(inlineSuppressions: inlineSuppressions)
        let progress = Progress(total: found.inputs.count)
        linter.progress = progress.tick
        linter.stream(found.inputs) { part in
            var part = part
            match?.apply(to: &part.findings)
            match?.noteLinted(part.linted)
            write(stream.lines(for: part))
        }
        progress.finish()
        // Whether any file was linted is known only after the stream: a walk's candidates may all be passed over.
        let summary = stream.summary
        if summary.files == 0, summary.parseErrors == 0 { LintSetup.nothingToLint(paths, skipped: summary.skipped) }
        let baselineSummary = match?.summary
        write(stream.summaryLine(baseline: baselineSummary))
        return LintCommand.exitStatus(summary, failOn: failOn, staleBaseline: strictBaseline && !(baselineSummary?.stale.isEmpty ?? true))
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
