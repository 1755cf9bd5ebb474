import Foundation
import MailAuditCore
import MailAuditFormats

/// Recorded findings: `mailaudit baseline` writes one, `lint --baseline` then reports
/// only new findings. Entries match by content fingerprint, never by line, so unrelated edits
/// do not break the baseline.
public struct Baseline: Sendable {
    public struct Entry: Decodable, Sendable, Hashable {
        public var fingerprint: String
        public var ruleId: String
        public var path: String
        public var message: String
    }

    public var entries: [Entry]

    public init(findings: [Finding]) {
        entries = findings.filter { $0.suppression == nil }
            .map { Entry(fingerprint: $0.fingerprint, ruleId: $0.ruleId, path: $0.span.path, message: $0.message) }
    }

    /// The file's layout, for reading; MailAuditReport writes it (`rendered()`).
    struct Document: Decodable {
        var tool = "mailaudit"
        var baselineVersion = 1
        var findings: [Entry]
    }

    public static func load(path: String) throws(ParseProblem) -> Baseline {
        // Read like any input (a regular file, size-capped): a FIFO or /dev/zero given as the baseline must not hang.
        let data = Data(try SourceFile.load(path: path).text.utf8)
        do {
            let doc = try JSONDecoder().decode(Document.self, from: data)
            var b = Baseline(findings: [])
            b.entries = doc.findings
            return b
        } catch {
            throw ParseProblem("'\(path)' is not a mailaudit baseline (write one with `mailaudit baseline PATH… --output \(path)`)", path: path, span: SourceSpan(path: path, line: 1, column: 1))
        }
    }

    /// Marks baselined findings, and returns the entries that matched nothing (fixed since) among
    /// those about a file in `linted`: an entry about a file this run did not read (pre-commit
    /// passes only changed files) is neither matched nor stale.
    public func apply(to findings: inout [Finding], linted: Set<String>) -> BaselineSummary {
        var match = BaselineMatch(self)
        match.apply(to: &findings)
        match.noteLinted(linted)
        return match.summary
    }
}

/// Matching a baseline against findings that arrive in parts (one file at a time, when streaming):
/// each entry matches one finding with its fingerprint, the first to arrive.
public struct BaselineMatch: Sendable {
    private var remaining: [String: [Baseline.Entry]]
    private var matched = 0
    /// The files the entries are about, and those of them this run read: only their entries can be stale.
    private let entryPaths: Set<String>
    private var lintedEntryPaths = Set<String>()

    public init(_ baseline: Baseline) {
        remaining = Dictionary(grouping: baseline.entries, by: \.fingerprint)
        entryPaths = Set(baseline.entries.map(\.path))
    }

    /// Records files this run read (kept only where an entry names them, so memory does not grow
    /// with the number of files).
    public mutating func noteLinted(_ paths: some Sequence<String>) {
        for path in paths where entryPaths.contains(path) { lintedEntryPaths.insert(path) }
    }

    public mutating func apply(to findings: inout [Finding]) {
        for index in findings.indices where findings[index].suppression == nil {
            guard var list = remaining[findings[index].fingerprint], !list.isEmpty else { continue }
            list.removeFirst()
            remaining[findings[index].fingerprint] = list
            findings[index].suppression = Suppression(kind: .baseline, justification: "recorded in the baseline")
            matched += 1
        }
    }

    /// How many findings matched, and the entries about a linted file that matched none (so far: at
    /// the end, the stale ones).
    public var summary: BaselineSummary {
        let stale = remaining.values.flatMap { $0 }.filter { lintedEntryPaths.contains($0.path) }.sorted { ($0.path, $0.ruleId, $0.fingerprint) < ($1.path, $1.ruleId, $1.fingerprint) }
        return BaselineSummary(matched: matched, stale: stale)
    }
}

public struct BaselineSummary: Sendable {
    public var matched: Int
    /// Entries whose finding is gone: tighten the baseline by recording it again.
    public var stale: [Baseline.Entry]
}
