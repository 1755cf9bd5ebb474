import MailAuditCore

extension RuleSet {
    /// The rule a problem met while reading an input is reported under (MA000, `Rules/MA000.yml`):
    /// every reporter renders a problem with this rule's id, name and severity, as it renders a
    /// finding with its rule's. A rule set without it (a partial pack in a test) falls back to the
    /// compiled pack's.
    public var parseError: Rule {
        if let rule = rules.first(where: { $0.id == Self.parseErrorId }) { return rule }
        if let rule = CompiledRulePack.rules().first(where: { $0.id == Self.parseErrorId }) { return rule }
        return Rule(id: Self.parseErrorId, name: "parse-error", severity: .error, scope: .meta, summary: "", clauses: [], message: "",
                    rationale: "", fix: RuleFix(general: "", byFormat: []), references: [], tags: [], examples: [], source: "")
    }

    static let parseErrorId = "MA000"
}
