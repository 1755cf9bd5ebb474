import Foundation
import MailAuditCore
import MailAuditFormats
import Yams

/// Reads rule files. Every problem names the file, line and column, so a broken custom rule is
/// fixed in one look.
public enum RuleLoader {
    static let keys = ["id", "name", "severity", "scope", "summary", "when", "at", "message", "messages", "rationale", "fix",
                       "references", "tags", "examples", "also"]
    static let clauseKeys = ["scope", "when", "at", "message"]
    static let exampleKeys = ["expect", "format", "config", "description", "edit", "manual"]
    static let leafOperators = ["equals", "not_equals", "in", "not_in", "exists", "matches", "lt", "gt"]

    public static func load(_ file: SourceFile) throws(ParseProblem) -> Rule {
        guard let root = try SafeYAML.document(file) else { throw ParseProblem("empty rule file", path: file.path) }
        var reader = Reader(path: file.path, budget: YAMLBudget(path: file.path))
        return try reader.rule(root)
    }

    struct Reader {
        let path: String
        let budget: YAMLBudget

        func fail(_ message: String, _ node: Node) -> ParseProblem {
            ParseProblem("rule file: \(message)", path: path, span: node.span(in: path))
        }

        func mapping(_ node: Node, allowed: [String], what: String) throws(ParseProblem) -> [String: (key: Node, value: Node)] {
            guard case .mapping = node else { throw fail("\(what) must be a mapping, found \(node.kindName)", node) }
            var out: [String: (key: Node, value: Node)] = [:]
            for (key, value) in try node.pairs(budget: budget) {
                let name = key.text ?? ""
                guard allowed.contains(name) else {
                    throw fail("unknown key '\(name)' in \(what)\(Suggestion.phrase(for: name, in: allowed))", key)
                }
                out[name] = (key, value)
            }
            return out
        }

        func string(_ f: [String: (key: Node, value: Node)], _ key: String, in node: Node, required: Bool = true) throws(ParseProblem) -> String? {
            guard let v = f[key]?.value else {
                if required { throw fail("missing `\(key):`", node) }
                return nil
            }
            guard let text = v.text else { throw fail("`\(key)` must be text, found \(v.kindName)", v) }
            return text
        }

        func strings(_ f: [String: (key: Node, value: Node)], _ key: String) throws(ParseProblem) -> [String] {
            guard let v = f[key]?.value, !v.isNull else { return [] }
            return try v.items(budget: budget).map { item throws(ParseProblem) in
                guard let t = item.text else { throw fail("`\(key)` lists text, found \(item.kindName)", item) }
                return t
            }
        }

        mutating func rule(_ root: Node) throws(ParseProblem) -> Rule {
            let f = try mapping(root, allowed: RuleLoader.keys, what: "a rule")
            let id = try string(f, "id", in: root)!
            guard id.first?.isLetter == true, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw fail("id '\(id)' must be a word such as MA101 or ACME01", f["id"]!.value)
            }
            let severityText = try string(f, "severity", in: root)!
            guard let severity = Severity(rawValue: severityText) else {
                throw fail("severity must be error, warning or note; found '\(severityText)'", f["severity"]!.value)
            }
            let scopeText = try string(f, "scope", in: root, required: false) ?? "endpoint"
            guard let scope = Rule.Scope(rawValue: scopeText) else {
                throw fail("scope must be endpoint, identity, setup or meta; found '\(scopeText)'\(Suggestion.phrase(for: scopeText, in: Rule.Scope.allCases.map(\.rawValue)))", f["scope"]!.value)
            }
            let message = (try string(f, "message", in: root, required: scope != .meta) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let messages = try metaMessages(f["messages"], id: id, in: root)
            var clauses: [Rule.Clause] = []
            if scope != .meta {
                guard let when = f["when"]?.value else { throw fail("missing `when:` (the condition)", root) }
                let at = try string(f, "at", in: root, required: false)
                try checkAt(at, scope: scope, node: f["at"]?.value)
                clauses.append(.init(scope: scope, when: try condition(when, scope: scope), at: at, message: message))
            }
            if let also = f["also"]?.value {
                for item in try also.items(budget: budget) {
                    let c = try mapping(item, allowed: RuleLoader.clauseKeys, what: "an `also` clause")
                    let s = try string(c, "scope", in: item, required: false).flatMap(Rule.Scope.init(rawValue:)) ?? scope
                    guard let when = c["when"]?.value else { throw fail("an `also` clause needs `when:`", item) }
                    let at = try string(c, "at", in: item, required: false)
                    try checkAt(at, scope: s, node: c["at"]?.value)
                    clauses.append(.init(scope: s, when: try condition(when, scope: s), at: at, message: (try string(c, "message", in: item, required: false) ?? message).trimmingCharacters(in: .whitespacesAndNewlines)))
                }
            }
            var examples: [Rule.Example] = []
            if let list = f["examples"]?.value {
                for item in try list.items(budget: budget) {
                    let e = try mapping(item, allowed: RuleLoader.exampleKeys, what: "an example")
                    let expectText = try string(e, "expect", in: item)!
                    guard let expect = Rule.Example.Expectation(rawValue: expectText) else {
                        throw fail("expect must be finding or clean; found '\(expectText)'", e["expect"]!.value)
                    }
                    examples.append(.init(expect: expect, format: try string(e, "format", in: item)!,
                                          config: try string(e, "config", in: item)!,
                                          description: try string(e, "description", in: item, required: false),
                                          fix: try exampleFix(e, expect: expect, in: item)))
                }
            }
            return Rule(
                id: id, name: try string(f, "name", in: root)!, severity: severity, scope: scope,
                summary: try string(f, "summary", in: root)!, clauses: clauses, message: message, messages: messages,
                rationale: try string(f, "rationale", in: root, required: false) ?? "",
                fix: try fix(f["fix"]?.value),
                references: try strings(f, "references"), tags: try strings(f, "tags"), examples: examples, source: path)
        }

        /// `messages:` words each case of a meta rule the run reports itself (`MetaMessages`): every
        /// case, each with only the placeholders the run fills.
        func metaMessages(_ entry: (key: Node, value: Node)?, id: String, in root: Node) throws(ParseProblem) -> [String: String] {
            let cases = MetaMessages.cases[id]
            guard let (key, node) = entry else {
                guard let cases else { return [:] }
                throw fail("missing `messages:` (the wording of \(id)'s cases: \(cases.keys.sorted().joined(separator: ", ")))", root)
            }
            guard let cases else {
                throw fail("`messages` words the cases of \(MetaMessages.cases.keys.sorted().joined(separator: ", ")) only; a rule has one `message`", key)
            }
            let f = try mapping(node, allowed: cases.keys.sorted(), what: "the `messages` of \(id)")
            var out: [String: String] = [:]
            for (name, placeholders) in cases.sorted(by: { $0.key < $1.key }) {
                let text = try string(f, name, in: node)!.trimmingCharacters(in: .whitespacesAndNewlines)
                let allowed = placeholders.sorted().map { "{\($0)}" }.joined(separator: ", ")
                for used in MessageTemplate.placeholders(in: text) where !placeholders.contains(used) {
                    throw fail("messages: unknown placeholder '{\(used)}' in `\(name)`, which takes \(allowed)", f[name]!.value)
                }
                out[name] = text
            }
            return out
        }

        /// `fix:` is one text, or a map of format ids (or `FORMAT/PROGRAM`) to texts with a `default` for the rest.
        func fix(_ node: Node?) throws(ParseProblem) -> RuleFix {
            guard let node, !node.isNull else { return RuleFix(general: "") }
            if let text = node.text { return RuleFix(general: text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard case .mapping = node else { throw fail("`fix` must be text or a map of format ids to texts, found \(node.kindName)", node) }
            let formats = FormatRegistry.builtIn.ids.map(\.rawValue)
            var general: String?
            var byFormat: [(format: String, text: String)] = []
            for (key, value) in try node.pairs(budget: budget) {
                let name = key.text ?? ""
                let format = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
                guard name == "default" || formats.contains(format) else {
                    throw fail("fix: unknown format '\(name)'\(Suggestion.phrase(for: name, in: ["default"] + formats))", key)
                }
                guard let text = value.text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                    throw fail("fix: the entry for '\(name)' must be text", value)
                }
                if name == "default" { general = text } else { byFormat.append((name, text)) }
            }
            guard let general else { throw fail("fix: a map of formats needs a `default:` for the other formats", node) }
            return RuleFix(general: general, byFormat: byFormat)
        }

        /// A triggering example's `edit:` (one edit or a list) or `manual:` (why there is no mechanical edit).
        func exampleFix(_ e: [String: (key: Node, value: Node)], expect: Rule.Example.Expectation, in item: Node) throws(ParseProblem) -> ExampleFix? {
            if let (key, _) = e["edit"] ?? e["manual"], expect != .finding {
                throw fail("`\(key.text ?? "")` belongs to a triggering example (expect: finding)", key)
            }
            if e["edit"] != nil, let (key, _) = e["manual"] { throw fail("an example has `edit` or `manual`, not both", key) }
            if let (_, value) = e["manual"] {
                guard let reason = value.text?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
                    throw fail("`manual` gives the reason the fix is not a mechanical edit", value)
                }
                return .manual(reason: reason)
            }
            guard let (_, value) = e["edit"] else { return nil }
            let items: [Node] = if case .sequence = value { try value.items(budget: budget) } else { [value] }
            var edits: [ExampleFix.Edit] = []
            for node in items {
                let m = try mapping(node, allowed: ["replace", "with", "append"], what: "an edit")
                if m["append"] != nil {
                    guard m["replace"] == nil, m["with"] == nil else { throw fail("an edit is either `append` or `replace` with `with`", node) }
                    edits.append(.append(try string(m, "append", in: node)!))
                } else {
                    let old = try string(m, "replace", in: node)!
                    guard !old.isEmpty else { throw fail("`replace` names the text to change", node) }
                    edits.append(.replace(old: old, new: try string(m, "with", in: node)!))
                }
            }
            guard !edits.isEmpty else { throw fail("`edit` lists at least one edit", value) }
            return .edits(edits)
        }

        func checkAt(_ at: String?, scope: Rule.Scope, node: Node?) throws(ParseProblem) {
            guard let at, let node else { return }
            let known = FieldCatalog.fields(for: scope)
            guard known.contains(at) else { throw fail("at: unknown field '\(at)'\(Suggestion.phrase(for: at, in: known))", node) }
        }

        func condition(_ node: Node, scope: Rule.Scope) throws(ParseProblem) -> Condition {
            guard case .mapping(let m) = node, m.count >= 1 else { throw fail("a condition is a mapping: all, any, not, some, every, none or a field test", node) }
            try budget.spend(node)
            let f = try mapping(node, allowed: ["all", "any", "not", "some", "every", "none", "field"] + RuleLoader.leafOperators, what: "a condition")
            if let (_, v) = f["all"] { return .all(try list(v, scope: scope)) }
            if let (_, v) = f["any"] { return .any(try list(v, scope: scope)) }
            if let (_, v) = f["not"] { return .not(try condition(v, scope: scope)) }
            for (key, make) in [("some", Condition.some), ("every", Condition.every), ("none", Condition.none)] {
                if let (k, v) = f[key] {
                    guard scope == .setup else { throw fail("`\(key)` quantifies over endpoints and needs scope: setup", k) }
                    return make(try condition(v, scope: .endpoint))
                }
            }
            guard let (_, fieldNode) = f["field"], let field = fieldNode.text else {
                throw fail("a field test needs `field:` and one of \(RuleLoader.leafOperators.joined(separator: ", "))", node)
            }
            let known = FieldCatalog.fields(for: scope == .setup ? .endpoint : scope)
            guard known.contains(field) else { throw fail("unknown field '\(field)'\(Suggestion.phrase(for: field, in: known))", fieldNode) }
            let ops = RuleLoader.leafOperators.filter { f[$0] != nil }
            guard ops.count == 1, let op = ops.first, let (_, v) = f[op] else {
                throw fail("a field test takes exactly one of \(RuleLoader.leafOperators.joined(separator: ", "))", node)
            }
            switch op {
            case "equals": return .leaf(field: field, test: .equals(try literal(v)))
            case "not_equals": return .leaf(field: field, test: .notEquals(try literal(v)))
            case "in": return .leaf(field: field, test: .oneOf(try literals(v)))
            case "not_in": return .leaf(field: field, test: .noneOf(try literals(v)))
            case "exists":
                guard let b = v.boolValue else { throw fail("exists takes true or false", v) }
                return .leaf(field: field, test: .exists(b))
            case "matches":
                guard let pattern = v.text else { throw fail("matches takes a regular expression", v) }
                do { return .leaf(field: field, test: .matches(try RegexBox(pattern))) } catch {
                    throw fail("invalid regular expression '\(pattern)'", v)
                }
            case "lt": return .leaf(field: field, test: .lessThan(try literal(v)))
            default: return .leaf(field: field, test: .greaterThan(try literal(v)))
            }
        }

        func list(_ node: Node, scope: Rule.Scope) throws(ParseProblem) -> [Condition] {
            guard case .sequence = node else { throw fail("all/any take a list of conditions", node) }
            var out: [Condition] = []
            for item in try node.items(budget: budget) { out.append(try condition(item, scope: scope)) }
            return out
        }

        func literal(_ node: Node) throws(ParseProblem) -> FieldValue {
            if case .sequence = node { return .list(try node.items(budget: budget).map { $0.text ?? "" }) }
            guard let text = node.text else { throw fail("expected a value, found \(node.kindName)", node) }
            if node.isPlainScalar, let i = Int(text) { return .int(i) }
            if let b = node.boolValue { return .bool(b) }
            return .string(text)
        }

        func literals(_ node: Node) throws(ParseProblem) -> [FieldValue] {
            guard case .sequence = node else { throw fail("in/not_in take a list of values", node) }
            var out: [FieldValue] = []
            for item in try node.items(budget: budget) { out.append(try literal(item)) }
            return out
        }
    }
}
