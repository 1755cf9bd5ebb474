import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRulePack
import MailAuditRules
import MailAuditTestSupport
import Testing

/// A meta rule file up to its `messages:`, for the malformed-file cases.
private let metaRuleHead = "id: MA003\nname: x\nseverity: note\nscope: meta\nsummary: s\nmessages:\n"

@Suite struct RulePackTests {
    /// The binary carries the pack it was built from: byte for byte what `Rules/` holds now.
    @Test func embeddedPackEqualsRulesDirectory() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestSupport.rulesDirectory.path).filter { $0.hasSuffix(".yml") }.sorted()
        let embedded = EmbeddedRulePack.files.map(\.name).sorted()
        #expect(names == embedded, "Rules/ and the embedded pack differ: run scripts/generate-rulepack.sh")
        for (name, bytes) in EmbeddedRulePack.files {
            let onDisk = try Data(contentsOf: TestSupport.rulesDirectory.appendingPathComponent(name))
            #expect(Data(bytes) == onDisk, "\(name) differs from the embedded copy: rebuild")
        }
    }

    /// Linting reads the pack compiled from `Rules/` into Swift; a stale one fails with the command that regenerates it.
    @Test func compiledPackIsFresh() throws {
        let expected = CompiledRulePackSource.render(try RuleSet.embeddedYAML())
        let committed = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent(CompiledRulePackSource.path), encoding: .utf8)
        #expect(committed == expected, "\(CompiledRulePackSource.path) is stale: run \(CompiledRulePackSource.command)")
    }

    /// The compiled pack is the YAML pack without its examples: every field of every rule, and the port table.
    @Test func compiledPackEqualsYAMLPack() throws {
        let yaml = try RuleSet.embeddedYAML()
        let compiled = try RuleSet.builtIn(examples: false)
        #expect(compiled.rules.map(\.id) == yaml.rules.map(\.id))
        for (fromYAML, fromTable) in zip(yaml.rules, compiled.rules) {
            var expected = fromYAML
            expected.examples = []
            #expect(fromTable == expected, "\(fromYAML.id): the compiled rule differs from \(fromYAML.source); run \(CompiledRulePackSource.command)")
        }
        #expect(compiled.ports == yaml.ports)
        // Not vacuous: the YAML side carries examples, clauses, per-format fixes and ports.
        #expect(yaml.rules.contains { !$0.examples.isEmpty })
        #expect(compiled.rules.contains { !$0.fix.byFormat.isEmpty } && compiled.rules.contains { $0.clauses.count > 1 })
        #expect(compiled.ports.entries.count > 10 && !compiled.ports.defaults.isEmpty)
    }

    /// Equality sees each field, so the test above would notice a renderer that dropped one.
    @Test func ruleEqualityComparesEveryField() throws {
        let rule = try #require(try RuleSet.builtIn(examples: false).rule(idOrName: "MA104"))
        var changed = [rule, rule, rule, rule, rule, rule, rule]
        changed[0].message += " "
        changed[6].messages["comment"] = "m"
        changed[1].fix.byFormat.removeLast()
        changed[2].clauses[0].at = nil
        changed[3].references.append("RFC 1")
        changed[4].source = "Rules/other.yml"
        changed[5].clauses[0].when = .not(rule.clauses[0].when)
        for other in changed { #expect(other != rule) }
        #expect(try rule == RuleSet.builtIn(examples: false).rules.first { $0.id == rule.id })
    }

    /// docs/rules.md is generated from the pack; a stale page fails with the command that fixes it.
    @Test func rulesDocumentationIsFresh() throws {
        let expected = RuleDocumentation.rulesPage(TestSupport.ruleSet.rules)
        let page = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        #expect(page == expected, "docs/rules.md is stale: run scripts/generate-docs.sh")
    }

    @Test func builtInIdsAndNamesAreTheDesignedOnes() {
        let expected: [String: String] = [
            "MA000": "parse-error", "MA001": "unused-suppression", "MA002": "expired-suppression", "MA003": "include-not-followed",
            "MA101": "plaintext-on-implicit-tls-port", "MA102": "unencrypted-connection", "MA103": "cleartext-authentication",
            "MA104": "opportunistic-tls", "MA105": "certificate-verification-disabled", "MA106": "obsolete-tls-version",
            "MA107": "tls-mode-port-mismatch", "MA201": "pop2-in-use", "MA202": "obsolete-mailq-port", "MA203": "deprecated-pop3",
            "MA204": "legacy-mail-protocol", "MA205": "udp-transport", "MA301": "client-submission-on-port-25",
            "MA302": "unauthenticated-submission", "MA401": "selective-only-encryption", "MA501": "plaintext-password-in-config",
            "MA601": "webmail-over-http", "MA701": "banner-discloses-software", "MA702": "vrfy-enabled",
        ]
        let actual = Dictionary(uniqueKeysWithValues: TestSupport.ruleSet.rules.map { ($0.id, $0.name) })
        for (id, name) in expected { #expect(actual[id] == name, "\(id) should be named \(name)") }
    }

    @Test func portTableHoldsTheDesignTable() {
        let ports = TestSupport.ruleSet.ports
        #expect(ports.entry(for: 465)?.tls == .implicit)
        #expect(ports.entry(for: 993)?.tls == .implicit)
        #expect(ports.entry(for: 587)?.tls == .starttls)
        #expect(ports.entry(for: 109)?.protocol == .pop2)
        #expect(ports.entry(for: 174)?.protocol == .mailq)
        #expect(ports.entry(for: 2525)?.status == "alternative")
        #expect(ports.defaultPort(for: .imap, tls: .implicit, direction: .incoming) == 993)
        #expect(ports.defaultPort(for: .smtp, tls: .starttls, direction: .outgoing) == 587)
        #expect(ports.defaultPort(for: .smtp, tls: .starttls, direction: .relay) == 25)
    }

    /// A broken user rule names file, line and problem.
    @Test(arguments: [
        ("id: X1\nname: x\nseverity: fatal\nsummary: s\nwhen: {field: tls, equals: none}\nmessage: m\n", 3, "severity must be error, warning or note"),
        ("id: X1\nname: x\nseverity: error\nsummary: s\nwhen: {field: tsl, equals: none}\nmessage: m\n", 5, "unknown field 'tsl' — did you mean 'tls'?"),
        ("id: X1\nname: x\nseverity: error\nsummary: s\nwhen: {field: tls, equal: none}\nmessage: m\n", 5, "unknown key 'equal'"),
        ("id: X1\nname: x\nseverity: error\nsummary: s\nmessage: m\n", 1, "missing `when:`"),
        ("id: X1\nname: x\nseverity: error\nsummary: s\nwhen: {some: {field: tls, equals: none}}\nmessage: m\n", 5, "needs scope: setup"),
        ("id: X1\nname: x\nseverity: error\nsummary: s\nwhen: {field: banner, matches: '('}\nmessage: m\n", 5, "invalid regular expression"),
        // A meta rule's `messages:` words exactly the cases the run reports, with the placeholders it fills.
        (metaRuleHead + "  missing: m\n  outside-tree: o\n  home: h\n  command: c\n  absent: a\n", 11, "unknown key 'absent' in the `messages` of MA003"),
        (metaRuleHead + "  missing: \"{file} is gone\"\n  outside-tree: o\n  home: h\n  command: c\n", 7, "unknown placeholder '{file}' in `missing`, which takes {path}"),
        (metaRuleHead + "  missing: m\n  outside-tree: o\n  home: h\n", 7, "missing `command:`"),
        ("id: MA003\nname: x\nseverity: note\nscope: meta\nsummary: s\n", 1, "missing `messages:`"),
        ("id: X1\nname: x\nseverity: error\nsummary: s\nwhen: {field: tls, equals: none}\nmessage: m\nmessages: {a: b}\n", 7, "`messages` words the cases of MA001, MA002, MA003 only"),
    ])
    func malformedRuleFile(_ text: String, _ line: Int, _ message: String) {
        do {
            _ = try RuleLoader.load(SourceFile(path: "custom.yml", text: text))
            Issue.record("expected an error containing \(message)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.span?.line == line, "\(error.message) at \(String(describing: error.span))")
            #expect(error.path == "custom.yml")
        }
    }

    @Test func customRuleFires() throws {
        let text = """
        id: ACME01
        name: no-example-hosts
        severity: error
        summary: Hosts under example.com are placeholders
        when: { field: host, matches: "(?i)\\\\.example\\\\.com$" }
        at: host
        message: "{endpoint}: {host} is a placeholder host."
        """
        var set = TestSupport.ruleSet
        let dir = TestSupport.temporaryDirectory()
        try text.write(to: dir.appendingPathComponent("acme.yml"), atomically: true, encoding: .utf8)
        try set.add(path: dir.path)
        let setup = TestSupport.parse("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: mail.example.com, tls: implicit}\n", format: "mailaudit-yaml")
        let findings = RuleEngine(ruleSet: set).findings(for: setup).filter { $0.ruleId == "ACME01" }
        #expect(findings.count == 1)
        #expect(findings.first?.span.line == 4)
        #expect(findings.first?.message == "account \"a\", incoming IMAP to mail.example.com:993: mail.example.com is a placeholder host.")
    }

    @Test func unknownFieldsAreFalseAndNotInverts() {
        let unknown = FieldSubject { _ in nil }
        #expect(!ConditionEvaluator.holds(.leaf(field: "tls", test: .notEquals(.string("none"))), for: unknown))
        #expect(!ConditionEvaluator.holds(.leaf(field: "tls", test: .noneOf([.string("none")])), for: unknown))
        #expect(ConditionEvaluator.holds(.leaf(field: "tls", test: .exists(false)), for: unknown))
        #expect(ConditionEvaluator.holds(.not(.leaf(field: "tls", test: .equals(.string("none")))), for: unknown))
        let v = FieldSubject { $0 == "minTLSVersion" ? .string("tls1.0") : nil }
        #expect(ConditionEvaluator.holds(.leaf(field: "minTLSVersion", test: .lessThan(.string("tls1.2"))), for: v))
        #expect(!ConditionEvaluator.holds(.leaf(field: "minTLSVersion", test: .greaterThan(.string("tls1.2"))), for: v))
    }

    @Test func textComparesIgnoringCaseExactlyAsLowercasingBoth() {
        func equal(_ value: FieldValue, _ constant: FieldValue) -> Bool {
            ConditionEvaluator.holds(.leaf(field: "f", test: .equals(constant)), for: FieldSubject { _ in value })
        }
        let texts = ["", "tls", "TLS", "StartTLS", "STARTTLS", "starttls ", "tls1.2", "TLSv1.2", "993", "0993", "none", "None",
                     "\u{212A}", "k", "K", "\u{130}", "i\u{307}", "i", "ß", "SS", "ss", "é", "e\u{301}", "É", "plain\u{0}"]
        for a in texts {
            for b in texts {
                #expect(equal(.string(a), .string(b)) == (a.lowercased() == b.lowercased()), "\(a.debugDescription) vs \(b.debugDescription)")
            }
        }
        #expect(equal(.int(993), .string("993")))
        #expect(!equal(.int(993), .int(995)))
        #expect(equal(.bool(true), .string("TRUE")))
        #expect(!equal(.bool(false), .bool(true)))
        let port = FieldSubject { _ in .int(25) }
        #expect(ConditionEvaluator.holds(.leaf(field: "port", test: .lessThan(.string("587"))), for: port))
        #expect(!ConditionEvaluator.holds(.leaf(field: "port", test: .greaterThan(.int(25))), for: port))
    }

    @Test func setupScopeQuantifiers() throws {
        let rule = """
        id: S1
        name: all-plain
        severity: warning
        scope: setup
        summary: s
        when: { every: { field: tls, equals: none } }
        message: "every endpoint is plaintext"
        """
        var set = TestSupport.ruleSet
        set.rules.append(try RuleLoader.load(SourceFile(path: "s.yml", text: rule)))
        let plain = TestSupport.parse("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap}\n    outgoing: {protocol: smtp}\n", format: "mailaudit-yaml")
        let mixed = TestSupport.parse("mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap}\n    outgoing: {protocol: smtp, tls: implicit}\n", format: "mailaudit-yaml")
        #expect(RuleEngine(ruleSet: set).findings(for: plain).contains { $0.ruleId == "S1" })
        #expect(!RuleEngine(ruleSet: set).findings(for: mixed).contains { $0.ruleId == "S1" })
    }
}
