import MailAuditCore

/// Applies rules to one setup. Rules see the model only, never raw config text.
public struct RuleEngine: Sendable {
    public let ruleSet: RuleSet
    public let settings: RuleSettings
    /// Per rule, per clause: the model fields whose modelled release a finding names (those its
    /// condition reads). Worked out once here, not at every finding.
    private let versionFields: [[[Endpoint.Field]]]

    public init(ruleSet: RuleSet, settings: RuleSettings = RuleSettings()) {
        self.ruleSet = ruleSet
        self.settings = settings
        versionFields = ruleSet.rules.map { rule in
            rule.clauses.map { Array(Set($0.when.fieldNames.compactMap(FieldCatalog.spanField(for:)))) }
        }
    }

    public func findings(for setup: MailSetup) -> [Finding] {
        let ports = ruleSet.ports
        let endpointSubjects = setup.endpoints.map { FieldSubject.endpoint($0, ports: ports) }
        var out: [Finding] = []
        var perEndpoint: [FindingGrouping.Pending] = []
        for (ruleIndex, rule) in ruleSet.rules.enumerated() where settings.isEnabled(rule.id) {
            let severity = settings.severity(for: rule)
            for (clauseIndex, clause) in rule.clauses.enumerated() {
                switch clause.scope {
                case .endpoint:
                    for (endpoint, subject) in zip(setup.endpoints, endpointSubjects)
                    where ConditionEvaluator.holds(clause.when, for: subject) {
                        perEndpoint.append(finding(rule, clause, severity, versionFields: versionFields[ruleIndex][clauseIndex],
                                                   setup: setup, endpoint: endpoint, subject: subject))
                    }
                case .identity:
                    for identity in setup.identities {
                        let subject = FieldSubject.identity(identity)
                        guard ConditionEvaluator.holds(clause.when, for: subject) else { continue }
                        let span = identity.spans[clause.at ?? ""] ?? identity.location
                        let message = MessageTemplate.render(clause.message, subject: subject, endpoint: nil, identity: identity)
                        out.append(Finding(ruleId: rule.id, ruleName: rule.name, severity: severity, message: message, span: span,
                                           format: setup.format, fix: rule.fix.text(for: setup.format), identity: identity,
                                           fingerprint: Fingerprint.make(rule.id, setup.path, ["identity", identity.name ?? "", clause.at ?? ""])))
                    }
                case .setup:
                    guard ConditionEvaluator.holds(clause.when, for: FieldSubject { _ in nil }, endpoints: endpointSubjects) else { continue }
                    let span = setup.endpoints.first?.location ?? SourceSpan(path: setup.path, line: 1, column: 1)
                    let message = MessageTemplate.render(clause.message, subject: FieldSubject { _ in nil }, endpoint: nil, identity: nil)
                    out.append(Finding(ruleId: rule.id, ruleName: rule.name, severity: severity, message: message, span: span,
                                       format: setup.format, fix: rule.fix.text(for: setup.format),
                                       fingerprint: Fingerprint.make(rule.id, setup.path, ["setup"])))
                case .meta:
                    continue
                }
            }
        }
        return Fingerprint.disambiguate(out + FindingGrouping.group(perEndpoint, path: setup.path))
    }

    private func finding(_ rule: Rule, _ clause: Rule.Clause, _ severity: Severity, versionFields: [Endpoint.Field],
                         setup: MailSetup, endpoint: Endpoint, subject: FieldSubject) -> FindingGrouping.Pending {
        let cause = FindingCause(at: clause.at, causes: ConditionEvaluator.causes(clause.when, for: subject), endpoint: endpoint)
        var message = MessageTemplate.render(clause.message, subject: subject, endpoint: endpoint, identity: nil, endpointName: FindingGrouping.marker)
        // A finding that rests on a default or a release-specific behaviour says which release was modelled.
        var versions = Set(versionFields.compactMap { endpoint.modelledVersions[$0] })
        if let field = cause.defaulted {
            let program = endpoint.modelledVersions[field] ?? setup.modelledProgram
            message += program.map { " (\(field.rawValue) is not set: the default of \($0))" } ?? " (\(field.rawValue) is not set: the default)"
            if let program { versions.remove(program) }
        }
        if !versions.isEmpty { message += " (modelled on \(versions.sorted().joined(separator: ", ")))" }
        let identity = [endpoint.account ?? "", endpoint.role.rawValue, endpoint.direction?.rawValue ?? "",
                        endpoint.protocol?.rawValue ?? "", endpoint.host ?? "", clause.at ?? ""]
        let finding = Finding(ruleId: rule.id, ruleName: rule.name, severity: severity, message: message, span: cause.span,
                              format: setup.format, fix: rule.fix.text(for: setup.format, program: endpoint.program), endpoint: endpoint,
                              fingerprint: Fingerprint.make(rule.id, setup.path, identity), related: cause.related)
        return FindingGrouping.Pending(finding: finding, message: message, identity: identity)
    }
}

/// How a configuration file changes the pack: rules switched off, severities changed.
public struct RuleSettings: Sendable {
    public var disabled: Set<String> = []
    public var severities: [String: Severity] = [:]

    public init(disabled: Set<String> = [], severities: [String: Severity] = [:]) {
        self.disabled = disabled
        self.severities = severities
    }

    public func isEnabled(_ id: String) -> Bool { !disabled.contains(id) }
    public func severity(for rule: Rule) -> Severity { severities[rule.id] ?? rule.severity }
}
