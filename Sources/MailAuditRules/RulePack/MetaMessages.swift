import MailAuditCore

/// The cases of the meta rules whose findings the run itself makes (no condition decides them):
/// the rule file words each case under `messages:`, the run picks the case and fills its
/// placeholders. The loader checks a rule file against this table, so a case or placeholder the
/// run never fills is an error in the file, not a message with a hole in it.
public enum MetaMessages {
    /// Per rule id: each case and the placeholders its message may use.
    static let cases: [String: [String: Set<String>]] = [
        // Unused (MA001) and expired (MA002) suppressions: an inline comment names its rule ids
        // (`rules`, `MA501, MA502`), an `ignore:` entry in the configuration one (`rule`).
        "MA001": ["comment": ["rules"], "ignore-entry": ["rule"]],
        "MA002": ["comment": ["rules", "date"], "ignore-entry": ["rule", "date"]],
        // Includes not followed: one case per reason (its name, as in fingerprints).
        "MA003": Dictionary(uniqueKeysWithValues: UnfollowedInclude.Reason.allCases.map { ($0.rawValue, ["path"]) }),
    ]
}

extension Rule {
    /// The message of one case with its placeholders filled; the general `message` for a rule
    /// without that case (one built in code rather than loaded).
    func message(case name: String, _ values: [String: String]) -> String {
        MessageTemplate.fill(messages[name] ?? message, values)
    }
}
