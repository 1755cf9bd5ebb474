import Foundation
import MailAuditCore
import MailAuditReport
import MailAuditRules

/// What the audit reports (HTML, Markdown) need from the run beyond the findings.
extension LintCommand {
    /// Formats that show each setup's endpoints (the inventory): the run keeps its setups for them.
    static let inventoryFormats: Set<OutputFormat> = [.html, .markdown]

    /// `--format github` inside a GitHub Actions job: the file the job summary (Markdown) is appended to.
    var jobSummaryPath: String? {
        guard format == .github, let path = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return nil }
        return path
    }

    /// Whether any report of this run shows the inventory (GitHub's job summary is Markdown).
    var showsInventory: Bool {
        return jobSummaryPath != nil || Self.inventoryFormats.contains(format) || reports.contains { Self.inventoryFormats.contains($0.format) }
    }

    /// The header of an audit report: what was audited, and the options that change its results.
    func auditContext(_ setup: LintSetup) -> AuditContext {
        var audited = paths.isEmpty && input.selection.filesFrom == nil ? ["."] : paths
        if let list = input.selection.filesFrom { audited.append("the files listed in \(list == "-" ? "standard input" : list)") }
        if let shard = input.selection.shard { audited.append("shard \(shard)") }
        var context = AuditContext(paths: audited, generatedAt: AuditContext.now(), failOn: threshold(setup).rawValue)
        context.disabledRules = setup.configuration.settings.disabled.sorted()
        context.severityOverrides = setup.configuration.settings.severities.mapValues(\.rawValue)
        context.baseline = baseline
        context.configuration = setup.configuration.path
        context.customRules = input.pack.rulePaths + setup.configuration.customRules
        context.verify = verify.verify
        context.inlineSuppressions = !noInlineSuppressions
        return context
    }
}
