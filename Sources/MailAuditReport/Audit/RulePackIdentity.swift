import MailAuditCore
import MailAuditRules

/// Which rules an audit applied, in one line: the pack's size and a digest of what decides results
/// (ids, severities, conditions' messages, fixes), so two reports can be told apart by their rules.
enum RulePackIdentity {
    static func describe(_ rules: RuleSet) -> String {
        var text = ""
        for r in rules.rules {
            text += [r.id, r.name, r.severity.rawValue, r.scope.rawValue, r.message, r.fix.general].joined(separator: "\u{1F}")
            text += r.clauses.map(\.message).joined(separator: "\u{1F}") + "\u{1E}"
        }
        let digest = String(FNV1a.hash(text), radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - digest.count)) + digest
        return "mailaudit \(MailAuditVersion.current) pack, \(Wording.count(rules.rules.count, "rule")), digest \(padded.prefix(12))"
    }
}
