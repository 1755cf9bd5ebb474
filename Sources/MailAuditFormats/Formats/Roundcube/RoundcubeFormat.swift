import Foundation
import MailAuditCore

/// Roundcube webmail's `config/config.inc.php`: PHP assignments to `$config[…]`, read as data
/// (Shared/PHP). Roundcube loads `defaults.inc.php` first and merges `config.inc.php` over it; when
/// a `defaults.inc.php` lies beside the file it is read as the defaults, otherwise Roundcube 1.6's
/// built-in ones are used.
struct RoundcubeFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "roundcube",
        what: "Roundcube 1.6 `$config[…]` (`imap_host`/`default_host`, `smtp_host`/`smtp_server`, `smtp_user`/`smtp_pass`, `*_conn_options`, `request_path`/`force_https`); `defaults.inc.php` beside it is read as the defaults, Roundcube's own otherwise (`localhost:143`, `localhost:587`, `%u`/`%p`)",
        names: ["config.inc.php"],
        namesNote: "(also `.j2` and other template suffixes) with a key only Roundcube uses",
        commentMarkers: ["//", "#"],
        fenceLanguage: "php",
        program: .fixed(RoundcubeMapper.program))


    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        return TemplateSyntax.fileSuffixes.contains { name == "config.inc.php" + $0 }
    }

    /// phpMyAdmin and others name their configuration `config.inc.php` too: Roundcube's assigns
    /// `$config['…']` (or the older `$rcmail_config['…']`) with a key only Roundcube uses.
    func matches(content: SourceFile) -> Bool {
        content.lines.prefix(2000).contains { line in
            let t = line.drop { $0 == " " || $0 == "\t" }
            guard t.hasPrefix("$config[") || t.hasPrefix("$rcmail_config[") else { return false }
            let key = t.drop { $0 != "[" }.dropFirst().drop { $0 == "'" || $0 == "\"" }.prefix { $0 == "_" || $0.isLetter }
            return RoundcubeMapper.signatureKeys.contains(String(key))
        }
    }

    func confirms(content: SourceFile) -> Bool { matches(content: content) }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: id)
        let syntax = PHPSyntax(file)
        var diagnostics = Diagnostics()
        diagnostics.report(contentsOf: syntax.diagnostics)
        var defaults: PHPSettings?
        let defaultsPath = (file.path.folderPath as NSString).appendingPathComponent("defaults.inc.php")
        if file.path != "-", defaultsPath != file.path, context.folders.isFile(defaultsPath) {
            do {
                if let text = try context.include(defaultsPath) {
                    defaults = PHPSettings(array: RoundcubeMapper.variables, of: PHPSyntax(text))
                    setup.includedFiles.append(defaultsPath)
                }
            } catch {
                diagnostics.report(error)
            }
        }
        let settings = PHPSettings(array: RoundcubeMapper.variables, of: syntax)
        RoundcubeMapper(config: settings, defaults: defaults, file: file, ports: context.ports).map(into: &setup)
        return setup.reporting(diagnostics)
    }
}
