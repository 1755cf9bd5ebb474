import MailAuditCore

/// Writes the built-in pack as Swift source, `CompiledRulePack.swift`: start-up then builds the
/// rules and the port table from literals instead of parsing YAML. The examples stay out (most of
/// the pack's text, needed only by `explain`, SARIF help, the docs and the tests, which read the YAML).
public enum CompiledRulePackSource {
    /// Where the generated file lives, from the package root.
    public static let path = "Sources/MailAuditRules/RulePack/CompiledRulePack.swift"
    public static let command = "scripts/generate-rulepack.sh"

    public static func render(_ set: RuleSet) -> String {
        var out = """
        // Generated from Rules/ by \(command): do not edit, run it after changing Rules/.
        // The built-in rule pack without its examples, and the port table, as Swift literals.
        import MailAuditCore

        enum CompiledRulePack {
            static func rules() -> [Rule] {
                [\(set.rules.map { "\(functionName($0))()" }.joined(separator: ", "))]
            }

            static func ports() -> PortTable {
                PortTable(entries: [

        """
        for e in set.ports.entries.values.sorted(by: { $0.port < $1.port }) {
            out += "            PortTable.Entry(port: \(e.port), service: \(literal(e.service)), protocol: \(literal(e.protocol)), "
                + "also: [\(e.also.map(literal).joined(separator: ", "))], tls: \(literal(e.tls)), status: \(literal(e.status)), "
                + "description: \(literal(e.description))),\n"
        }
        out += "        ], defaults: [\n"
        for d in set.ports.defaults {
            out += "            PortTable.Default(protocol: \(literal(d.protocol)), direction: \(d.direction.map(literal) ?? "nil"), "
                + "tls: \(d.tls.map(literal) ?? "nil"), port: \(d.port)),\n"
        }
        out += "        ])\n    }\n"
        for rule in set.rules { out += "\n" + function(rule) }
        out += "}\n"
        return out
    }

    static func functionName(_ rule: Rule) -> String {
        "rule_" + String(rule.id.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    static func function(_ r: Rule) -> String {
        let clauses = r.clauses.map { c in
            "                Rule.Clause(scope: \(literal(c.scope)), when: \(condition(c.when)), at: \(c.at.map(literal) ?? "nil"), message: \(literal(c.message))),"
        }
        let byFormat = r.fix.byFormat.map { "(\(literal($0.format)), \(literal($0.text)))" }.joined(separator: ", ")
        let lines: [String] = [
            "    private static func \(functionName(r))() -> Rule {",
            "        Rule(",
            "            id: \(literal(r.id)), name: \(literal(r.name)), severity: \(literal(r.severity)), scope: \(literal(r.scope)),",
            "            summary: \(literal(r.summary)),",
        ] + (clauses.isEmpty ? ["            clauses: [],"] : ["            clauses: ["] + clauses + ["            ],"]) + [
            "            message: \(literal(r.message)),",
        ] + (r.messages.isEmpty ? [] : [
            "            messages: [\(r.messages.sorted { $0.key < $1.key }.map { "\(literal($0.key)): \(literal($0.value))" }.joined(separator: ", "))],",
        ]) + [
            "            rationale: \(literal(r.rationale)),",
            "            fix: RuleFix(general: \(literal(r.fix.general)), byFormat: [\(byFormat)]),",
            "            references: [\(r.references.map(literal).joined(separator: ", "))],",
            "            tags: [\(r.tags.map(literal).joined(separator: ", "))],",
            "            examples: [], source: \(literal(r.source)))",
            "    }",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func condition(_ c: Condition) -> String {
        func list(_ items: [Condition]) -> String { "[" + items.map(condition).joined(separator: ", ") + "]" }
        switch c {
        case .all(let items): return "Condition.all(\(list(items)))"
        case .any(let items): return "Condition.any(\(list(items)))"
        case .not(let inner): return "Condition.not(\(condition(inner)))"
        case .some(let inner): return "Condition.some(\(condition(inner)))"
        case .every(let inner): return "Condition.every(\(condition(inner)))"
        case .none(let inner): return "Condition.none(\(condition(inner)))"
        case .leaf(let field, let test): return "Condition.leaf(field: \(literal(field)), test: \(self.test(test)))"
        }
    }

    static func test(_ t: Condition.Test) -> String {
        switch t {
        case .equals(let v): return "Condition.Test.equals(\(value(v)))"
        case .notEquals(let v): return "Condition.Test.notEquals(\(value(v)))"
        case .oneOf(let vs): return "Condition.Test.oneOf([\(vs.map(value).joined(separator: ", "))])"
        case .noneOf(let vs): return "Condition.Test.noneOf([\(vs.map(value).joined(separator: ", "))])"
        case .exists(let b): return "Condition.Test.exists(\(b))"
        case .matches(let regex): return "Condition.Test.matches(RegexBox(checked: \(literal(regex.pattern))))"
        case .lessThan(let v): return "Condition.Test.lessThan(\(value(v)))"
        case .greaterThan(let v): return "Condition.Test.greaterThan(\(value(v)))"
        }
    }

    static func value(_ v: FieldValue) -> String {
        switch v {
        case .string(let s): return "FieldValue.string(\(literal(s)))"
        case .int(let i): return "FieldValue.int(\(i))"
        case .bool(let b): return "FieldValue.bool(\(b))"
        case .list(let l): return "FieldValue.list([\(l.map(literal).joined(separator: ", "))])"
        }
    }

    /// An enum case written with its type (`TLSMode.none`, never a bare `.none` an Optional would take),
    /// the module's name left out (`Rule.Scope.setup`).
    static func literal<T: RawRepresentable<String>>(_ value: T) -> String {
        "\(String(reflecting: T.self).drop { $0 != "." }.dropFirst()).\(value.rawValue)"
    }

    /// A Swift string literal on one line.
    static func literal(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
