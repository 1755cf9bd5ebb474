import MailAuditCore

extension DotenvParseState {
    /// Grafana's `[smtp]` keys and the environment variables that override them (`GF_<SECTION>_<KEY>`,
    /// upper case): a compose project's `.env` or `grafana.env` often holds them instead of `grafana.ini`.
    static let grafanaVariables: [(key: String, variable: String)] = [
        ("enabled", "GF_SMTP_ENABLED"), ("host", "GF_SMTP_HOST"), ("user", "GF_SMTP_USER"),
        ("password", "GF_SMTP_PASSWORD"), ("skip_verify", "GF_SMTP_SKIP_VERIFY"), ("startTLS_policy", "GF_SMTP_STARTTLS_POLICY"),
    ]

    /// `GF_SMTP_*`: Grafana's SMTP settings, read as `GrafanaMapper` reads `grafana.ini`, except that a
    /// key the variables leave out is `grafana.ini`'s (unknown here). An empty variable overrides
    /// nothing (Grafana skips it); `GF_SMTP_PASSWORD__FILE` names a file holding the password.
    mutating func grafanaEnv() {
        let names = Self.grafanaVariables.map(\.variable) + ["GF_SMTP_PASSWORD__FILE"]
        guard names.contains(where: { env.entry($0).map { $0.value != "" } ?? false }) else { return }
        var settings = GrafanaSMTPSettings(header: firstLocation(names))
        settings.absentIsUnknown = true
        for (key, variable) in Self.grafanaVariables {
            guard let entry = env.entry(variable), entry.value != "" else { continue }
            let value = entry.value.flatMap { INIAppSection.isLiteral($0) ? $0 : nil }
            settings.values[key] = GrafanaSMTPSettings.Setting(value: value, span: entry.valueSpan, name: variable)
        }
        if let file = env.entry("GF_SMTP_PASSWORD__FILE"), file.value != "" { settings.passwordFile = file.valueSpan }
        GrafanaMapper(settings: settings, path: file.path).map(into: &setup, diagnostics: &diagnostics)
    }
}
