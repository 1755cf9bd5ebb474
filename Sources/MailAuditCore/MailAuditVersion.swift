/// The release of mailaudit: `--version`, and the tool named in every report (JSON, SARIF, HTML,
/// Markdown) and in the rule pack's identity line.
public enum MailAuditVersion {
    public static let current = "0.1.0"
}
