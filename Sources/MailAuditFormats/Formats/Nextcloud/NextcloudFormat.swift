import MailAuditCore

/// Nextcloud's `config/config.php` (and the `config/*.config.php` files it merges): a PHP
/// `$CONFIG = array(…)` read as data (Shared/PHP). ownCloud writes the same file; its settings are
/// read with Nextcloud's meaning.
struct NextcloudFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "nextcloud",
        what: "Nextcloud 31 `$CONFIG` `mail_smtp*` on Symfony Mailer (since Nextcloud 26: `mail_smtpsecure` `ssl` or port 465 is implicit TLS, anything else opportunistic STARTTLS), `overwriteprotocol`; defaults 127.0.0.1:25, no login. ownCloud's file is read with the same meaning",
        names: ["config.php", "*.config.php"],
        namesNote: "assigning `$CONFIG`",
        commentMarkers: ["//", "#"],
        fenceLanguage: "php",
        program: .fixed(NextcloudMapper.program))


    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        return TemplateSyntax.fileSuffixes.contains { name == "config.php" + $0 || (name.hasSuffix(".config.php" + $0) && name.count > (".config.php" + $0).count) }
    }

    /// `config.php` is every PHP application's name: Nextcloud's assigns `$CONFIG`.
    func matches(content: SourceFile) -> Bool {
        content.lines.prefix(2000).contains { line in
            let t = line.drop { $0 == " " || $0 == "\t" }
            guard t.hasPrefix("$CONFIG") else { return false }
            let rest = t.dropFirst(7).drop { $0 == " " || $0 == "\t" }
            return rest.hasPrefix("=") || rest.hasPrefix("[")
        }
    }

    func confirms(content: SourceFile) -> Bool { matches(content: content) }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: id)
        let syntax = PHPSyntax(file)
        var diagnostics = Diagnostics()
        diagnostics.report(contentsOf: syntax.diagnostics)
        NextcloudMapper(settings: PHPSettings(array: ["CONFIG"], of: syntax), file: file, ports: context.ports).map(into: &setup)
        return setup.reporting(diagnostics)
    }
}
