import MailAuditCore

/// WordPress's `wp-config.php`: PHP constants read as data (Shared/PHP); the SMTP settings are
/// those of the WP Mail SMTP plugin (`WPMS_*`).
struct WordPressFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "wordpress",
        what: "WP Mail SMTP 4 constants (`WPMS_*`, used only with `WPMS_ON` exactly `true`; a setting without its constant lives in the plugin's settings page and is unknown)",
        names: ["wp-config.php"],
        commentMarkers: ["//", "#"],
        fenceLanguage: "php",
        program: .fixed(WordPressMapper.program))

    /// Only WordPress names its configuration wp-config.php.
    func matches(fileName: String, path: String) -> Bool {
        fileName.lowercased() == "wp-config.php"
    }

    /// Other names (`wp-config-local.php`, a copy) with WP Mail SMTP's switch.
    func matches(content: SourceFile) -> Bool {
        content.contains("define") && (content.contains("'WPMS_ON'") || content.contains("\"WPMS_ON\""))
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: id)
        let syntax = PHPSyntax(file)
        var diagnostics = Diagnostics()
        diagnostics.report(contentsOf: syntax.diagnostics)
        WordPressMapper(constants: PHPSettings(constantsOf: syntax), file: file).map(into: &setup)
        return setup.reporting(diagnostics)
    }
}
