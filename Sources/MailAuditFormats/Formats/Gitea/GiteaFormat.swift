import Foundation
import MailAuditCore

/// Gitea's and Forgejo's `app.ini`, its `[mailer]` section: how the forge sends notifications.
/// The file is go-ini as Gitea loads it (`INIDialect.giteaINI`: keys and section names are
/// case-sensitive, `#` and `;` start a comment anywhere in an unquoted value, a trailing `\` is part of
/// the value); `GiteaMapper` applies Gitea's own defaults and inferences.
///
/// `app.ini` is a name many programs use (Gogs, Gitea's ancestor, reads its mailer differently), so a
/// directory walk takes one only when its content is Gitea's: a `[mailer]` section, or the top-level
/// `APP_NAME`/`RUN_USER`/`RUN_MODE` with `[server]` and `[database]` — and not Gogs (`BRAND_NAME`,
/// `APP_NAME = Gogs`).
struct GiteaFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "gitea",
        what: "Gitea 1.24 and Forgejo `[mailer]` (`ENABLED` defaults to false; the port follows from `PROTOCOL` and `PROTOCOL` from the port; the old `HOST`/`IS_TLS_ENABLED`/`MAILER_TYPE`/`SKIP_VERIFY` count where the new keys are absent; `smtp+starttls` falls back to clear text)",
        names: ["app.ini", "gitea.ini", "forgejo.ini", "gitea/conf/*.ini"],
        namesNote: "(and their `.j2`/`.tpl` templates) with Gitea's content: a `[mailer]`, or `APP_NAME`/`RUN_USER` with `[server]` and `[database]`; not Gogs'",
        commentMarkers: ["#", ";"],
        fenceLanguage: "ini",
        program: .fixed("Gitea 1.24"))

    func matches(fileName: String, path: String) -> Bool {
        let name = TemplateSyntax.renderedName(fileName.lowercased())
        if ["app.ini", "gitea.ini", "forgejo.ini"].contains(name) { return true }
        // A rendered copy under another name in Gitea's `conf/` folder (`gitea/conf/conf.ini.tpl`).
        guard name.hasSuffix(".ini") else { return false }
        let folder = path.folderPath
        guard (folder as NSString).lastPathComponent.lowercased() == "conf" else { return false }
        let parent = (folder.folderPath as NSString).lastPathComponent.lowercased()
        return parent == "custom" || parent.contains("gitea") || parent.contains("forgejo")
    }

    /// For a file whose name says nothing: a `[mailer]` with Gitea's own keys in a Gitea file.
    func matches(content: SourceFile) -> Bool {
        let signs = GiteaSigns(content)
        return signs.isGitea && signs.hasGiteaMailerKey
    }

    func confirms(content: SourceFile) -> Bool { GiteaSigns(content).isGitea }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: Self.description.id)
        var diagnostics = Diagnostics()
        guard let mailer = INIAppSection.read(file, dialect: .giteaINI, section: "mailer", diagnostics: &diagnostics) else { return setup.reporting(diagnostics) }
        GiteaMapper(mailer: mailer, path: file.path).map(into: &setup, diagnostics: &diagnostics)
        return setup.reporting(diagnostics)
    }
}

/// What the top of a file says about its program.
struct GiteaSigns {
    var topLevelKeys: Set<String> = []
    var sections: Set<String> = []
    var gogs = false
    var hasGiteaMailerKey = false

    init(_ file: SourceFile) {
        var section: String?
        for raw in file.lines.prefix(4000) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                let name = line.dropFirst().prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
                section = name
                sections.insert(name)
                continue
            }
            guard let eq = line.firstIndex(of: "="), !line.hasPrefix("#"), !line.hasPrefix(";") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if section == nil {
                topLevelKeys.insert(key)
                if key == "BRAND_NAME" || (key == "APP_NAME" && value.lowercased() == "gogs") { gogs = true }
            } else if section == "mailer", ["PROTOCOL", "SMTP_ADDR", "SMTP_PORT", "MAILER_TYPE", "IS_TLS_ENABLED", "FORCE_TRUST_SERVER_CERT"].contains(key) {
                hasGiteaMailerKey = true
            }
        }
    }

    var isGitea: Bool {
        if gogs { return false }
        if sections.contains("mailer") { return true }
        return !topLevelKeys.isDisjoint(with: ["APP_NAME", "RUN_USER", "RUN_MODE"]) && sections.contains("server") && sections.contains("database")
    }
}
