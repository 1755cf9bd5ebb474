import Foundation
import MailAuditCore

/// SnappyMail's and RainLoop's per-domain server settings: `domains/<domain>.json` (SnappyMail 2.x)
/// and `domains/<domain>.ini` (RainLoop, older SnappyMail), in the webmail's data folder
/// (`_data_/_default_/domains/`, or `app/domains/` for the files shipped with it). Each says where the
/// webmail reads mail (IMAP), sends it (SMTP) and manages filters (Sieve) for users of that domain.
///
/// `*.json` and `*.ini` are everyone's names: a walk takes a file only in a `domains` folder of a
/// SnappyMail or RainLoop tree (a folder on the way named after either, or `_data_`), and only with
/// a domain's keys (`"IMAP"` with a host, `imapHost`, `imap_host`).
struct SnappyMailFormat: ConfigFormat {
    init() {}
    /// JSON has no comments, and a suppression in only one of the two grammars would mislead: no
    /// comment markers, and no rule example variant with a comment line before the file.
    static let description = FormatDescription(
        id: "snappymail",
        what: "SnappyMail 2.38 and RainLoop domains: IMAP, SMTP and Sieve per domain (security type 0 none, 1 SSL/TLS, 2 STARTTLS, 9 auto-detect; the `ssl` verification keys)",
        names: ["_data_/_default_/domains/*.json", "_data_/_default_/domains/*.ini", "snappymail/*/domains/*.json", "rainloop/*/domains/*.ini"],
        namesNote: "(any `domains/` folder of a SnappyMail or RainLoop tree), with a domain's keys",
        commentMarkers: [],
        fenceLanguage: "json",
        program: .fixed("SnappyMail 2.38"),
        exampleVariants: [.crlf])

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        // `default.ini.dist` is the installer's template (`imap_host = "IMAP_HOST"`), not a domain.
        guard name.hasSuffix(".json") || name.hasSuffix(".ini") else { return false }
        let folder = path.folderPath
        guard (folder as NSString).lastPathComponent == "domains" else { return false }
        return folder.split(separator: "/").contains { part in
            let p = part.lowercased()
            return p.contains("snappymail") || p.contains("rainloop") || p == "_data_"
        }
    }

    func matches(content: SourceFile) -> Bool { Self.hasDomainKeys(content) }
    func confirms(content: SourceFile) -> Bool { Self.hasDomainKeys(content) }

    /// The keys a domain file is made of, in either grammar.
    static func hasDomainKeys(_ file: SourceFile) -> Bool {
        if file.contains("\"imapHost\"") || (file.contains("\"IMAP\"") && file.contains("\"host\"")) { return true }
        return file.lines.prefix(400).contains { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            return line.hasPrefix("imap_host") && line.dropFirst(9).trimmingCharacters(in: .whitespaces).hasPrefix("=")
        }
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: Self.description.id)
        let syntax = SnappyMailSyntax.statements(file)
        var diagnostics = Diagnostics()
        diagnostics.report(contentsOf: syntax.diagnostics)
        // json_decode and parse_ini_file give nothing for a file they cannot read: no domain.
        guard diagnostics.isEmpty else { return setup.reporting(diagnostics) }
        var name = (file.path as NSString).lastPathComponent
        for suffix in [".dist", ".json", ".ini"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        SnappyMailMapper(statements: syntax.statements, domain: name, file: file).map(into: &setup, diagnostics: &diagnostics)
        return setup.reporting(diagnostics)
    }
}
