import Foundation
import MailAuditCore

/// Omnibus GitLab's `/etc/gitlab/gitlab.rb` (also the Docker image's, and templates of it): the mail
/// GitLab sends through `gitlab_rails['smtp_*']` and the mailboxes it reads over IMAP for reply by
/// email and Service Desk (`incoming_email_*`, `service_desk_email_*`). Ruby read as data, never run.
struct GitLabFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "gitlab",
        what: "Omnibus GitLab 18.6 `gitlab.rb`, read as data (literal Ruby values; `ENV[…]`, `File.read` and other code are unknown): `gitlab_rails['smtp_*']` with the mailer's defaults (without `smtp_enable` mail goes to the local sendmail: no endpoint; otherwise `localhost`, port 25, STARTTLS when offered, certificates verified), and the IMAP mailboxes of `incoming_email_*` / `service_desk_email_*` (port 143, no TLS unless said)",
        names: ["gitlab.rb", "gitlab.rb.j2", "gitlab.rb.template"],
        namesNote: "(and the other template endings: `.erb`, `.tpl`, …), with a `gitlab_rails[…]` or `external_url` line",
        fenceLanguage: "ruby",
        program: .fixed("GitLab 18.6"))

    /// What configuration generators name their copies: `gitlab.rb.j2`, `gitlab.rb.template`, …
    static let templateSuffixes = ["", ".tpl", ".j2", ".jinja", ".jinja2", ".template", ".erb", ".tmpl", ".example", ".sample"]

    func matches(fileName: String, path: String) -> Bool {
        Self.templateSuffixes.contains { fileName == "gitlab.rb" + $0 }
    }

    /// Ruby that sets an Omnibus setting at the top level: `gitlab_rails['…'] =` or `external_url '…'`.
    func matches(content: SourceFile) -> Bool {
        content.lines.prefix(2000).contains { Self.isOmnibusLine($0) }
    }

    /// `gitlab.rb` is also a Ruby source file's name (a gem's `lib/gitlab.rb`, a Homebrew formula): in
    /// a directory walk the file must set, or show commented out, an Omnibus setting.
    func confirms(content: SourceFile) -> Bool {
        content.lines.contains { line in
            let text = line.drop { $0 == " " || $0 == "\t" || $0 == "#" }
            return Self.isOmnibusLine(text)
        }
    }

    static func isOmnibusLine(_ line: Substring) -> Bool {
        line.hasPrefix("gitlab_rails[") || line.hasPrefix("external_url ") || line.hasPrefix("external_url(")
            || line.hasPrefix("gitlab_rails [")
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: id)
        let syntax = GitLabSyntax(file)
        var diagnostics = Diagnostics()
        diagnostics.report(contentsOf: syntax.diagnostics)
        GitLabMapper(statements: syntax.statements, ports: context.ports).map(into: &setup, diagnostics: &diagnostics)
        return setup.reporting(diagnostics)
    }
}
