import MailAuditCore

extension Linter {
    /// Lints `inputs` and hands each file's result to `deliver` as soon as it and every file before
    /// it are done, in input order (a reorder window, so memory does not grow with the number of
    /// files). Each result holds one file, its findings and problems in report order, inline
    /// suppressions and the configuration's `ignore:` entries applied. The findings about the
    /// `ignore:` entries themselves (MA001 unused, MA002 expired) need the whole run: they come last,
    /// in a result of their own without files.
    public func stream(_ inputs: [LintInput], deliver: (LintResult) -> Void) {
        var usedIgnores = Set<Int>(), judgedIgnores = Set<Int>()
        OrderedDelivery.run(inputs, transform: { input in
            let outcome = suppressed(lintOne(input))
            progress?()
            return outcome
        }, deliver: { outcome in
            var chunk = collected([outcome])
            if !ignores.isEmpty {
                chunk.findings = markIgnored(chunk.findings, used: &usedIgnores)
                judgedIgnores.formUnion(ignoreEntries(naming: chunk.linted))
            }
            chunk.sortForReport()
            deliver(chunk)
        })
        var last = LintResult()
        last.findings = unusedIgnoreFindings(used: usedIgnores, judged: judgedIgnores)
        if !last.findings.isEmpty { deliver(last) }
    }
}
