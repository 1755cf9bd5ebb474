import Foundation
import MailAuditCore
import MailAuditRules

/// `lint --verify`: probes the endpoints of linted setups and turns what the servers did into
/// findings at the config line of each endpoint.
public struct Verifier: Sendable {
    public var ruleSet: RuleSet
    public var settings: RuleSettings
    /// Where server listeners are probed (their configs say only the port).
    public var verifyHost: String
    public var options: ProbeOptions

    public init(ruleSet: RuleSet, settings: RuleSettings = RuleSettings(), verifyHost: String = "127.0.0.1", options: ProbeOptions = ProbeOptions()) {
        self.ruleSet = ruleSet
        self.settings = settings
        self.verifyHost = verifyHost
        self.options = options
    }

    /// An endpoint that was or was not probed, and why not.
    public struct Planned: Sendable {
        public var setup: Int
        public var endpoint: Int
        public var target: ProbeTarget?
        public var skipped: String?
    }

    public struct Outcome: Sendable {
        /// The probe findings of each setup, in the order of the setups verified.
        public var findingsBySetup: [[Finding]]
        public var results: [ProbeResult]
        public var plan: [Planned]

        /// What the lint pipeline takes from it: findings per setup, and the observations for the report.
        public var verification: Verification {
            Verification(findings: findingsBySetup, probes: results.map(ProbeObservation.init(evaluating:)))
        }
    }

    /// The probe target of each endpoint: clients at their host, servers at `verifyHost`.
    public func plan(_ setups: [MailSetup]) -> [Planned] {
        var out: [Planned] = []
        for (s, setup) in setups.enumerated() {
            for (e, endpoint) in setup.endpoints.enumerated() {
                var planned = Planned(setup: s, endpoint: e)
                switch target(for: endpoint) {
                case .success(let t): planned.target = t
                case .failure(let why): planned.skipped = why.description
                }
                out.append(planned)
            }
        }
        return out
    }

    struct Skip: Error, CustomStringConvertible { var description: String }

    func target(for endpoint: Endpoint) -> Result<ProbeTarget, Skip> {
        let ports = ruleSet.ports
        guard endpoint.transport == .tcp else { return .failure(Skip(description: "UDP is not probed")) }
        guard let port = endpoint.port else { return .failure(Skip(description: "no port")) }
        guard let proto = endpoint.protocol ?? ports.entry(for: port)?.protocol else { return .failure(Skip(description: "no protocol")) }
        let host: String
        switch endpoint.role {
        case .client:
            guard let h = endpoint.host?.trimmingCharacters(in: .whitespaces), !h.isEmpty else { return .failure(Skip(description: "no host")) }
            guard !h.contains(where: { "${}%<>*() ".contains($0) }) else { return .failure(Skip(description: "the host '\(h)' is a template")) }
            host = h
        case .server:
            host = verifyHost
        }
        var expected: TLSMode?
        var claim = ProbeTarget.Claim.none
        if let tls = endpoint.tls, tls != .none {
            expected = tls
            claim = .configuration
        } else if ports.entry(for: port)?.serves(proto) == true, let mode = ProbeTarget.portClaim(port, ports: ports) {
            expected = mode
            claim = .port
        } else if endpoint.tls == TLSMode.none {
            expected = TLSMode.none
            claim = .configuration
        }
        return .success(ProbeTarget(host: host, port: port, protocol: proto, expectedTLS: expected, claim: claim))
    }

    /// Probes every planned target once (the same server named twice is probed once) and maps the
    /// issues onto each endpoint that names it.
    public func verify(_ setups: [MailSetup]) async throws(Prober.SetupError) -> Outcome {
        let plan = plan(setups)
        var unique: [ProbeTarget] = [], seen: Set<ProbeTarget> = []
        for p in plan { if let t = p.target, seen.insert(t).inserted { unique.append(t) } }
        let prober = try Prober(options: options)
        let results = await prober.probe(unique)
        let byTarget = Dictionary(zip(unique, results), uniquingKeysWith: { a, _ in a })
        return Outcome(findingsBySetup: findings(setups, plan: plan, results: byTarget), results: results, plan: plan)
    }

    /// The findings for observed results, per setup: each at the setting of its endpoint that the
    /// issue contradicts (`tls`, `verify_certificate`, …), else the port or the endpoint's block.
    public func findings(_ setups: [MailSetup], plan: [Planned], results: [ProbeTarget: ProbeResult]) -> [[Finding]] {
        var findings = [[Finding]](repeating: [], count: setups.count)
        for p in plan {
            guard let t = p.target, let result = results[t] else { continue }
            let setup = setups[p.setup]
            let endpoint = setup.endpoints[p.endpoint]
            for issue in ProbeRules.evaluate(result) {
                let span = issue.anchor.flatMap { endpoint.spans[$0] } ?? endpoint.spans[.tls] ?? endpoint.spans[.port] ?? endpoint.location
                let message = "\(endpoint.descriptionForMessages): \(issue.message)."
                let identity = ["probe", endpoint.account ?? "", endpoint.role.rawValue, endpoint.direction?.rawValue ?? "",
                                t.protocol.rawValue, endpoint.host ?? "", String(t.port)]
                if let f = makeFinding(issue.ruleId, message: message, span: span, format: setup.format, endpoint: endpoint,
                                       fingerprint: Fingerprint.make(issue.ruleId, setup.path, identity)) {
                    findings[p.setup].append(f)
                }
            }
        }
        return findings.map { $0.sorted(by: Finding.reportOrder) }
    }

    /// A finding of a probe rule, with the rule's name, severity (as configured) and fix; nil when the rule is off.
    func makeFinding(_ id: String, message: String, span: SourceSpan, format: FormatID, endpoint: Endpoint?, fingerprint: String) -> Finding? {
        guard settings.isEnabled(id), let rule = ruleSet.rules.first(where: { $0.id == id }) else { return nil }
        return Finding(ruleId: id, ruleName: rule.name, severity: settings.severity(for: rule), message: message, span: span,
                       format: format, fix: rule.fix.text(for: format), endpoint: endpoint, fingerprint: fingerprint)
    }

    /// `mailaudit probe`: findings located at a synthetic place named after the target (`HOST:PORT`).
    public func findings(for results: [ProbeResult]) -> [Finding] {
        var out: [Finding] = []
        for r in results {
            let t = r.target
            let span = SourceSpan(path: t.address, line: 1, column: 1)
            var endpoint = Endpoint(role: .client, location: span)
            endpoint.protocol = t.protocol
            endpoint.host = t.host
            endpoint.port = t.port
            endpoint.tls = t.expectedTLS
            endpoint.banner = r.banner
            endpoint.direction = ruleSet.ports.entry(for: t.port).map { _ in ruleSet.ports.listenerDirection(protocol: t.protocol, port: t.port) }
            for issue in ProbeRules.evaluate(r) {
                let message = "\(t.protocol.displayName) at \(t.address): \(issue.message)."
                if let f = makeFinding(issue.ruleId, message: message, span: span, format: "probe", endpoint: endpoint,
                                       fingerprint: Fingerprint.make(issue.ruleId, t.address, ["probe", t.protocol.rawValue])) {
                    out.append(f)
                }
            }
        }
        return out.sorted(by: Finding.reportOrder)
    }
}

extension ProbeObservation {
    /// What a probe saw, with the probe rules it broke.
    public init(evaluating result: ProbeResult) {
        self.init(result: result, issues: ProbeRules.evaluate(result).map(\.ruleId))
    }
}
