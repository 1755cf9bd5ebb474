import MailAuditRules

/// `mailaudit rules --format json`: one object per rule, what a tool needs to list or pick rules.
public enum RuleListJSON {
    public static func document(_ rules: [Rule]) -> String {
        JSONValue.array(rules.map { r in
            .object(["id": .string(r.id), "name": .string(r.name), "severity": .string(r.severity.rawValue),
                     "scope": .string(r.scope.rawValue), "summary": .string(r.summary.trimmingCharacters(in: .whitespacesAndNewlines)),
                     "tags": .array(r.tags.map(JSONValue.string)), "source": .string(r.source)])
        }).rendered()
    }
}
