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
        // Whether any file was linted is known only after the stream: a walk's candidates may all be passed over.
        var files = 0, problems = found.problems.count, skipped = found.skipped.count
        linter.stream(found.inputs) { part in
            var part = part
            files += part.files.count
            problems += part.problems.count
            skipped += part.skipped
            match?.apply(to: &part.findings)
            match?.noteLinted(part.linted)
            write(stream.lines(for: part))
        }
        progress.finish()
        if files == 0, problems == 0 { LintSetup.nothingToLint(paths, skipped: skipped) }
        let baselineSummary = match?.summary
        write(stream.summaryLine(baseline: baselineSummary))

        let summary = stream.summary
        if summary.parseErrors > 0 { return 2 }
        let reached: Bool
        switch failOn {
        case .error: reached = summary.error > 0
        case .warning: reached = summary.error + summary.warning > 0
        case .note: reached = summary.findings > 0
        case .never: reached = false
        }
        if reached { return 1 }
        return strictBaseline && !(baselineSummary?.stale.isEmpty ?? true) ? 1 : 0
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
