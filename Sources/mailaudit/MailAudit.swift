import ArgumentParser
import MailAuditCore

@main
struct MailAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailaudit",
        abstract: "Audit e-mail configurations: transport encryption, authentication, legacy protocols.",
        discussion: """
        Exit status: 0 nothing at or above --fail-on; 1 findings at or above it; \
        2 some input could not be read or parsed; 64 usage error.
        """,
        version: MailAuditVersion.current,
        subcommands: [LintCommand.self, RulesCommand.self, ExplainCommand.self, ModelCommand.self, BaselineCommand.self, ProbeCommand.self],
        defaultSubcommand: LintCommand.self
    )
}
