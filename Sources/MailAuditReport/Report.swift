import MailAuditCore
import MailAuditRules

/// Everything a reporter needs; reporters format it and never decide what is a finding.
public struct Report: Sendable {
    public var result: LintResult
    public var rules: RuleSet
    public var options: ReportOptions

    public init(result: LintResult, rules: RuleSet, options: ReportOptions = ReportOptions()) {
        self.result = result
        self.rules = rules
        self.options = options
    }

    /// Findings a reader sees by default: not suppressed.
    public var activeFindings: [Finding] { result.activeFindings }

    /// The findings listed, at most `--max-findings` of them.
    public var listedFindings: [Finding] { options.maxFindings.map { Array(activeFindings.prefix($0)) } ?? activeFindings }

    public var counts: SeverityCounts { SeverityCounts(activeFindings) }

    /// Inputs with at least one MA000 (a file may have many).
    public var unreadableFiles: Int { Set(result.problems.map(\.path)).count }
}

public struct ReportOptions: Sendable {
    public var color = false
    public var sarifCategory = "mailaudit/"
    public var includeSuppressed = false
    public var quiet = false
    public var statistics = false
    /// The folder SARIF paths are relative to (`%SRCROOT%`).
    public var sourceRoot: String = "."
    /// Show at most this many findings (the summary still counts all).
    public var maxFindings: Int?
    /// What was audited, when and with which options: the audit report's header (HTML, Markdown).
    public var context: AuditContext?

    public init(color: Bool = false, sarifCategory: String = "mailaudit/", includeSuppressed: Bool = false, quiet: Bool = false, statistics: Bool = false, sourceRoot: String = ".") {
        self.color = color
        self.sarifCategory = sarifCategory
        self.includeSuppressed = includeSuppressed
        self.quiet = quiet
        self.statistics = statistics
        self.sourceRoot = sourceRoot
    }
}

public struct SeverityCounts: Sendable {
    public var error = 0, warning = 0, note = 0
    public init(_ findings: [Finding]) {
        for f in findings {
            switch f.severity {
            case .error: error += 1
            case .warning: warning += 1
            case .note: note += 1
            }
        }
    }
}

/// One output format. A reporter writes the `document`; callers use `render`, which masks secrets
/// first, so no reporter can print one.
public protocol Reporter: Sendable {
    func document(_ report: Report) -> String
}

extension Reporter {
    /// The document with every secret the run knows masked: in the strings it is made of (so escaped
    /// forms are covered too), then in the finished text.
    public func render(_ report: Report) -> String { report.maskedText(document) }
}

extension Report {
    /// What `make` writes from this report, with every secret the run knows masked: in the strings
    /// it is made of (so escaped forms are covered too), then in the finished text. Every output
    /// goes through here, also each line `--format jsonl` streams.
    public func maskedText(_ make: (Report) -> String) -> String {
        var masked = self
        masked.result = result.masked()
        return result.redactor.redact(make(masked), inDocument: true)
    }
}

/// The output formats, chosen by an exhaustive switch so a new one does not compile until wired.
public enum OutputFormat: String, CaseIterable, Sendable {
    case text, json, jsonl, sarif, github, junit, markdown, html

    public var reporter: any Reporter {
        switch self {
        case .text: return TextReporter()
        case .json: return JSONReporter()
        case .jsonl: return JSONLinesReporter()
        case .sarif: return SARIFReporter()
        case .github: return GitHubReporter()
        case .junit: return JUnitReporter()
        case .markdown: return MarkdownReporter()
        case .html: return HTMLReporter()
        }
    }
}
