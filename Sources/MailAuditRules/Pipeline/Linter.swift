import Foundation
import MailAuditCore
import MailAuditFormats

/// What one lint run found.
public struct LintResult: Sendable {
    public init(problems: [ParseProblem] = []) { self.problems = problems }

    public struct File: Sendable {
        public var path: String
        public var format: FormatID
        public var endpoints: Int
    }

    public var files: [File] = []
    /// Files a directory walk looked at and did not recognise as any format (`summary.skipped`).
    public var skipped = 0
    /// Every finding in report order, suppressed ones included (marked).
    public var findings: [Finding] = []
    public var problems: [ParseProblem] = []
    /// The text of files that have findings or problems, for showing source lines.
    public var sources: [String: SourceFile] = [:]
    /// Where secrets are written, per path: every output masks them.
    public var secrets: [String: [SourceSpan]] = [:]
    /// The text of those secrets, to mask them in every string that leaves the program.
    public var redactor = SecretRedactor()
    /// The normalized setups, when asked for (`mailaudit model`).
    public var setups: [MailSetup] = []
    /// What `--baseline` matched and which of its entries are stale.
    public var baseline: BaselineSummary?
    /// What `--verify` observed at each endpoint it probed (nil: no probing in this run).
    public var probes: [ProbeObservation]?
    /// Every file this run read, as findings name them: the inputs and what they included. Baseline
    /// and `ignore:` entries about other files are not judged (pre-commit lints only changed files).
    public var linted: Set<String> = []

    public var activeFindings: [Finding] { findings.filter { $0.suppression == nil } }

    /// Findings and problems in report order: path, line, column (and rule id).
    mutating func sortForReport() {
        findings.sort(by: Finding.reportOrder)
        problems.sort { ($0.path, $0.span?.line ?? 0, $0.span?.column ?? 0) < ($1.path, $1.span?.line ?? 0, $1.span?.column ?? 0) }
    }
}

/// An audit's per-file stages — read, detect, parse, evaluate (`lintOne`) — and what suppresses
/// findings (inline comments, `ignore:`). `Auditor` runs them over many files, concurrently, and
/// delivers the results in a deterministic order.
public struct Linter: Sendable {
    public var engine: RuleEngine
    public var inlineSuppressions = true
    public var keepSetups = false
    /// The configuration's `ignore:` list, and the folder its paths are relative to.
    public var ignores: [Configuration.Ignore] = []
    public var ignoreBase: String = FileManager.default.currentDirectoryPath
    /// The program releases to model (the configuration's `assume:`).
    public var versions = ProgramVersions()
    public var workingDirectory: String = FileManager.default.currentDirectoryPath
    /// The environment parsers see (`$NAME` in a muttrc, HOME for `~` includes); the process's own by default.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Called after each file (the terminal progress line).
    public var progress: (@Sendable () -> Void)?
    /// `--root DIR` / `root:`: a snapshot of `/` that absolute include paths are read below.
    public var root: String?
    /// Today's date (YYYY-MM-DD) for `until=`; fixed in tests.
    public var today: String = Linter.isoDate(Date())

    public init(engine: RuleEngine) { self.engine = engine }

    /// A whole run over `inputs`: the audit's stream collected (see `Auditor`).
    public func lint(_ inputs: [LintInput]) -> LintResult {
        var collector = LintResultCollector()
        Auditor(linter: self).run(FileDiscovery.Discovery(inputs: inputs), into: &collector)
        return collector.result.masked()
    }

    /// `lint --verify` as a whole run: `verify` probes every setup's endpoints before suppressions
    /// apply (see `Auditor.run(_:verifyingWith:into:)`).
    public func lint<E: Error>(_ inputs: [LintInput], verifyingWith verify: ([MailSetup]) async throws(E) -> Verification) async throws(E) -> LintResult {
        var collector = LintResultCollector()
        try await Auditor(linter: self).run(FileDiscovery.Discovery(inputs: inputs), verifyingWith: verify, into: &collector)
        return collector.result.masked()
    }

    /// The outcome's file, findings, problems, sources and secrets as one file's part of a result.
    func collected(_ outcome: Outcome) -> LintResult {
        var result = LintResult()
        if outcome.passedOver { result.skipped = 1; return result }
        result.files = [outcome.file]
        result.findings = outcome.findings
        result.linted = Set(outcome.read)
        result.problems = outcome.problems
        for source in outcome.sources { result.sources[source.path] = source }
        for span in outcome.secrets { result.secrets[span.path, default: []].append(span) }
        result.redactor = outcome.redactor
        if let setup = outcome.setup, keepSetups { result.setups = [setup] }
        return result
    }

    struct Outcome: Sendable {
        var file: LintResult.File
        var findings: [Finding] = []
        var problems: [ParseProblem] = []
        /// The texts findings and problems point into: the file and any included file they name.
        var sources: [SourceFile] = []
        var secrets: [SourceSpan] = []
        var redactor = SecretRedactor()
        var setup: MailSetup?
        /// The file's `mailaudit: disable=…` comments, applied by `suppressed` (after verification).
        var suppressions: [SuppressionComment] = []
        /// The input and its includes, when it could be read.
        var read: [String] = []
        /// Their text, kept for `--verify` (its findings quote lines of files that had none before).
        var filesRead: [SourceFile] = []
        /// A walk's file whose first bytes did not confirm its format: counted as skipped, not linted.
        var passedOver = false
    }

    /// What every input's include policy shares, worked out once per run (see `IncludePolicy.PerRun`).
    func includePolicies(for inputs: [LintInput]) -> IncludePolicy.PerRun {
        IncludePolicy.PerRun(root: root, trees: inputs.lazy.compactMap(\.tree), environment: environment, workingDirectory: workingDirectory)
    }

    /// read → detect → parse → evaluate, for any one of `inputs`: what every file of the run
    /// shares (the include policies) is worked out once, here; the progress line ticks per file.
    func fileStage(for inputs: [LintInput]) -> @Sendable (LintInput) -> Outcome {
        let includes = includePolicies(for: inputs)
        return { [self] input in
            let outcome = lintOne(input, includes: includes)
            progress?()
            return outcome
        }
    }

    func lintOne(_ input: LintInput, includes: IncludePolicy.PerRun) -> Outcome {
        // Read once: the bytes that decide a walk's file's format are the ones parsed.
        let loaded = Result { () throws(ParseProblem) -> SourceFile in
            if let text = input.text { return try SourceFile.decode(Data(text.utf8), path: input.displayPath) }
            return try SourceFile.load(path: input.path, displayPath: input.displayPath)
        }
        var format = input.format
        if format == nil, let pending = input.pending {
            format = pending.decide(head: (try? loaded.get())?.detectionHead)
            if format == nil {
                var outcome = Outcome(file: .init(path: input.displayPath, format: "unknown", endpoints: 0))
                outcome.passedOver = true
                return outcome
            }
        }
        guard let format else {
            return Outcome(file: .init(path: input.displayPath, format: "unknown", endpoints: 0),
                           problems: [ParseProblem("cannot tell the format; use --as FORMAT", path: input.displayPath)])
        }
        var outcome = Outcome(file: .init(path: input.displayPath, format: format.id, endpoints: 0))
        let file: SourceFile
        switch loaded {
        case .success(let read): file = read
        case .failure(let error):
            outcome.problems.append(error)
            return outcome
        }
        // Every file the parse pulls in is read once and kept for the stages after it.
        let filesRead = FilesRead()
        var context = ParseContext(ports: engine.ruleSet.ports, readFile: { path throws(ParseProblem) in
            try filesRead.read(path) { path throws(ParseProblem) in
                try SourceFile.load(path: path, displayPath: FileDiscovery(registry: .builtIn, forcedFormat: nil).display(path))
            }
        })
        context.versions = versions
        context.environment = environment
        context.folders.workingDirectory = workingDirectory
        context.includePolicy = includes.policy(forInput: input.path == "-" ? workingDirectory + "/-" : input.path, tree: input.tree)
        let read = Suggestion.limited { format.read(file, context: context) }
        var setup = read.setup
        setup.path = input.displayPath
        outcome.redactor = read.redactor
        outcome.file.endpoints = setup.endpoints.count
        outcome.read = [file.path] + setup.includedFiles
        // Once per place: a file included many times (within the include limit) repeats its problems.
        var seen = Set<ParseProblem>()
        outcome.problems = ProblemLimit.apply(setup.problems.filter { seen.insert($0).inserted })
        outcome.secrets = setup.secrets
        let findings = engine.findings(for: setup) + unfollowedIncludeFindings(setup, format: format.id)
        let included = includedSources(setup, filesRead)
        if inlineSuppressions {
            setup.suppressions += InlineSuppressions.scan(file, commentMarkers: format.commentMarkers)
            for included in included {
                setup.suppressions += InlineSuppressions.scan(included, commentMarkers: format.commentMarkers)
            }
            outcome.suppressions = setup.suppressions
        }
        outcome.findings = findings
        // Related settings and comments too: a report quotes their lines (a main.cf value behind a
        // master.cf finding; an unused or expired suppression, MA001/MA002).
        let pointedAt = Set(findings.flatMap { [$0.span.path] + $0.related.map(\.path) } + outcome.problems.compactMap { $0.span?.path } + outcome.suppressions.map(\.span.path))
        if pointedAt.contains(file.path) { outcome.sources.append(file) }
        outcome.sources += included.filter { pointedAt.contains($0.path) }
        if keepSetups {
            outcome.setup = setup
            outcome.filesRead = [file] + included
        }
        return outcome
    }

    /// The outcome with its inline suppressions applied (and MA001/MA002 for comments that cover nothing or expired).
    func suppressed(_ outcome: Outcome) -> Outcome {
        var out = outcome
        out.findings = applySuppressions(outcome.suppressions, to: outcome.findings, format: outcome.file.format)
        return out
    }

    /// MA003: one note per include line and path that was not followed, saying why.
    func unfollowedIncludeFindings(_ setup: MailSetup, format: FormatID) -> [Finding] {
        guard let rule = engine.ruleSet.rules.first(where: { $0.id == "MA003" }), engine.settings.isEnabled("MA003") else { return [] }
        var seen = Set<UnfollowedInclude>()
        return setup.unfollowedIncludes.filter { seen.insert($0).inserted }.map { include in
            // Not the resolved path: it names the auditing machine's folders, and findings must not.
            Finding(ruleId: rule.id, ruleName: rule.name, severity: engine.settings.severity(for: rule),
                    message: rule.message(case: include.reason.rawValue, ["path": include.path]), span: include.span, format: format, fix: rule.fix.text(for: format),
                    fingerprint: Fingerprint.make(rule.id, include.span.path, [include.path, include.reason.rawValue]))
        }
    }

    /// The files a setup pulled in (includes, sourced files, master.cf beside main.cf), as their
    /// spans name them: the text its parse read (a file a parser read some other way, from disk).
    func includedSources(_ setup: MailSetup, _ filesRead: FilesRead) -> [SourceFile] {
        setup.includedFiles.compactMap { path in filesRead[path] ?? (try? SourceFile.load(path: path, displayPath: path)) }
    }

    /// Marks findings covered by a comment, and reports comments that expired (MA002) or cover nothing (MA001).
    func applySuppressions(_ comments: [SuppressionComment], to findings: [Finding], format: FormatID) -> [Finding] {
        guard !comments.isEmpty else { return findings }
        var out = findings
        var meta: [Finding] = []
        for comment in comments {
            let expired = comment.until.map { $0 < today } ?? false
            var used = false
            for index in out.indices where out[index].suppression == nil && comment.ruleIds.contains(out[index].ruleId)
                && out[index].span.path == comment.span.path {
                let covers = comment.scope == .file || out[index].span.line == comment.coveredLine
                guard covers else { continue }
                used = true
                if !expired { out[index].suppression = Suppression(kind: .inline, justification: comment.reason) }
            }
            if expired, used {
                meta += metaFinding("MA002", comment, case: "comment", ["rules": comment.ruleIds.joined(separator: ", "), "date": comment.until ?? ""], format: format)
            } else if !used {
                meta += metaFinding("MA001", comment, case: "comment", ["rules": comment.ruleIds.joined(separator: ", ")], format: format)
            }
        }
        return (out + meta).sorted(by: Finding.reportOrder)
    }

    /// The `ignore:` entries (by index) that name one of `paths`: an entry that matches nothing is
    /// MA001 only when this run read a file it names, since a run over some files (pre-commit's
    /// changed ones) says nothing about the others.
    func ignoreEntries(naming paths: some Sequence<String>) -> Set<Int> {
        let relative = paths.map(pathRelativeToConfiguration)
        return Set(ignores.indices.filter { n in
            relative.contains { path in ignores[n].paths.isEmpty || ignores[n].paths.contains { Glob.matches($0, path) } }
        })
    }

    /// Marks the findings an `ignore:` entry covers, and notes which entries covered one (by index).
    func markIgnored(_ findings: [Finding], used: inout Set<Int>) -> [Finding] {
        var out = findings
        for (n, ignore) in ignores.enumerated() {
            let expired = ignore.until.map { $0 < today } ?? false
            for index in out.indices where out[index].suppression == nil && out[index].ruleId == ignore.rule {
                let path = pathRelativeToConfiguration(out[index].span.path)
                guard ignore.paths.isEmpty || ignore.paths.contains(where: { Glob.matches($0, path) }) else { continue }
                used.insert(n)
                if !expired { out[index].suppression = Suppression(kind: .configuration, justification: ignore.reason) }
            }
        }
        return out
    }

    /// MA002 for entries that expired but still match, MA001 for entries that matched nothing in the
    /// whole run among those `judged` (they name a file the run read).
    func unusedIgnoreFindings(used usedEntries: Set<Int>, judged: Set<Int>) -> [Finding] {
        var meta: [Finding] = []
        for (n, ignore) in ignores.enumerated() {
            let expired = ignore.until.map { $0 < today } ?? false
            let used = usedEntries.contains(n)
            let comment = SuppressionComment(ruleIds: [ignore.rule], reason: ignore.reason, until: ignore.until, scope: .file, span: ignore.span, coveredLine: 0)
            if expired, used {
                meta += metaFinding("MA002", comment, case: "ignore-entry", ["rule": ignore.rule, "date": ignore.until ?? ""], format: "configuration")
            } else if !used, judged.contains(n) {
                meta += metaFinding("MA001", comment, case: "ignore-entry", ["rule": ignore.rule], format: "configuration")
            }
        }
        return meta
    }

    func pathRelativeToConfiguration(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
        let standardized = (absolute as NSString).standardizingPath
        let base = ignoreBase.hasSuffix("/") ? ignoreBase : ignoreBase + "/"
        return standardized.hasPrefix(base) ? String(standardized.dropFirst(base.count)) : path
    }

    /// MA001/MA002 about a comment or `ignore:` entry, worded by the rule file's message for `name`.
    func metaFinding(_ id: String, _ comment: SuppressionComment, case name: String, _ values: [String: String], format: FormatID) -> [Finding] {
        guard let rule = engine.ruleSet.rules.first(where: { $0.id == id }), engine.settings.isEnabled(id) else { return [] }
        return [Finding(ruleId: id, ruleName: rule.name, severity: engine.settings.severity(for: rule), message: rule.message(case: name, values),
                        span: comment.span, format: format, fix: rule.fix.text(for: format),
                        fingerprint: Fingerprint.make(id, comment.span.path, comment.ruleIds + [comment.until ?? ""]))]
    }

    /// The UTC day, `2026-11-29`. From the C library: a DateFormatter loads ICU's calendar
    /// data, a sixth of the start-up of a one-file run.
    public static func isoDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var day = tm()
        guard gmtime_r(&seconds, &day) != nil else { return "1970-01-01" }
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(day.tm_year + 1900)-\(two(day.tm_mon + 1))-\(two(day.tm_mday))"
    }
}
