import Foundation
import MailAuditCore

/// Grafana's `grafana.ini` (or `custom.ini`), its `[smtp]` section: how alerts and invitations are
/// mailed. The file is go-ini with its default options (`INIDialect.grafanaINI`: keys and section
/// names are case-sensitive, `#` and `;` start a comment anywhere in an unquoted value, which is why
/// Grafana's sample tells to wrap a password holding them in `"""…"""`, and a trailing `\` continues
/// the value). Grafana reads it over its own `defaults.ini`, where an empty value keeps the default;
/// `${VAR}`, `$__env{VAR}` and `$__file{…}` are filled in when Grafana starts, so they are unknown
/// here. `GrafanaMapper` applies Grafana's defaults.
///
/// `grafana.ini` is Grafana's own name. `custom.ini`, `defaults.ini` and `sample.ini` are names other
/// programs use too: a walk takes them only with Grafana's sections near the top (`[paths]`,
/// `[grafana_net]`, `[grafana_com]`, `[unified_alerting]`, …) or an `[smtp]` section with Grafana's keys.
struct GrafanaFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "grafana",
        what: "Grafana 12 `[smtp]` (over `defaults.ini`: `enabled = false`, `host = localhost:25`; implicit TLS exactly on port 465, otherwise `startTLS_policy`, opportunistic by default)",
        names: ["grafana.ini", "custom.ini", "defaults.ini", "sample.ini"],
        namesNote: "(and their templates; the last three only with Grafana's own sections)",
        commentMarkers: ["#", ";"],
        fenceLanguage: "ini",
        program: .fixed("Grafana 12"))

    static let sharedNames = ["custom.ini", "defaults.ini", "sample.ini"]

    func matches(fileName: String, path: String) -> Bool {
        let name = TemplateSyntax.renderedName(fileName.lowercased())
        return name == "grafana.ini" || Self.sharedNames.contains(name)
    }

    func matches(content: SourceFile) -> Bool { GrafanaSigns(content).isGrafana }

    func confirms(content: SourceFile) -> Bool {
        let name = TemplateSyntax.renderedName((content.path as NSString).lastPathComponent.lowercased())
        return name == "grafana.ini" || GrafanaSigns(content).isGrafana
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: Self.description.id)
        var diagnostics = Diagnostics()
        guard let smtp = INIAppSection.read(file, dialect: .grafanaINI, section: "smtp", diagnostics: &diagnostics) else { return setup.reporting(diagnostics) }
        var settings = GrafanaSMTPSettings(header: smtp.header)
        for key in GrafanaSMTPSettings.keys {
            guard let s = smtp[key] else { continue }
            // Grafana copies a value over its defaults only when it is not empty.
            if s.value == "" { continue }
            settings.values[key] = .init(value: s.value, span: s.span, name: key)
        }
        GrafanaMapper(settings: settings, path: file.path).map(into: &setup, diagnostics: &diagnostics)
        return setup.reporting(diagnostics)
    }
}

/// Sections only Grafana's configuration has, and its `[smtp]` keys.
struct GrafanaSigns {
    static let grafanaSections: Set<String> = ["paths", "grafana_net", "grafana_com", "unified_alerting", "auth.anonymous",
                                               "auth.grafana_com", "dashboards", "panels", "plugins", "feature_toggles", "alerting"]
    var sections: Set<String> = []
    var smtpKeys = false

    init(_ file: SourceFile) {
        var section = ""
        for raw in file.lines.prefix(4000) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                section = line.dropFirst().prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
                sections.insert(section)
                continue
            }
            // Commented-out keys count too: Grafana's sample.ini is all comments.
            let key = line.drop { $0 == ";" || $0 == "#" }.prefix { $0 != "=" }.trimmingCharacters(in: .whitespaces)
            if section == "smtp", ["startTLS_policy", "skip_verify", "from_address", "ehlo_identity"].contains(key) { smtpKeys = true }
        }
    }

    var isGrafana: Bool {
        sections.intersection(Self.grafanaSections).count >= 2 || (sections.contains("smtp") && smtpKeys)
    }
}
