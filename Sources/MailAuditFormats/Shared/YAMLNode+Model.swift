import MailAuditCore
import Yams

/// Reading composed YAML (tags unresolved, see `SafeYAML`) the way YAML 1.1 people write it.
extension Node: YAMLMergeable {
    public var isPlainScalar: Bool { scalar?.style == .plain }

    /// The scalar's text, or nil for a mapping or sequence.
    public var text: String? { scalar?.string }

    public var isNull: Bool {
        guard let s = scalar, s.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    /// `true/false/yes/no/on/off` as plain scalars.
    public var boolValue: Bool? {
        guard let s = scalar, s.style == .plain else { return nil }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    public var intValue: Int? {
        guard let s = scalar, s.style == .plain else { return nil }
        return Int(s.string)
    }

    /// The span of the node: for a scalar its whole written width (quotes included) on its first line.
    public func span(in path: String) -> SourceSpan {
        guard let mark else { return SourceSpan(path: path, line: 1, column: 1) }
        var width = 1
        if let s = scalar {
            let firstLine = s.string.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            switch s.style {
            case .plain: width = firstLine.unicodeScalars.count
            case .singleQuoted, .doubleQuoted: width = firstLine.unicodeScalars.count + 2
            default: width = 1
            }
        }
        return .at(path, line: mark.line, column: mark.column, length: max(1, width))
    }

    /// A mapping's pairs with `<<` merge keys applied (explicit keys win over merged ones), each walk step paid from the budget.
    public func pairs(budget: YAMLBudget) throws(ParseProblem) -> [(key: Node, value: Node)] {
        guard case .mapping(let mapping) = self else { return [] }
        return try YAMLMergeKeys.apply(mapping.map { (key: $0.key, value: $0.value) }, budget: budget) { value throws(ParseProblem) in try budget.spend(value) }
    }

    var mergeSources: [Node] { sequence.map { Array($0) } ?? [self] }

    /// A sequence's items, or the node itself when a single item stands where a list may.
    public func items(budget: YAMLBudget) throws(ParseProblem) -> [Node] {
        if case .sequence(let seq) = self {
            var out: [Node] = []
            for item in seq { try budget.spend(item); out.append(item) }
            return out
        }
        return [self]
    }

    /// What kind of node this is, for error messages.
    public var kindName: String {
        switch self {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Every scalar leaf with its dotted key path (`spring.mail.host`), as Spring's relaxed binding reads YAML.
    /// Each visit is paid from the budget, so aliased structure cannot expand without end.
    func flattened(budget: YAMLBudget, prefix: String = "") throws(ParseProblem) -> [(key: String, keyNode: Node?, value: Node)] {
        try budget.spend(self)
        switch self {
        case .mapping:
            var out: [(key: String, keyNode: Node?, value: Node)] = []
            for (key, value) in try pairs(budget: budget) {
                let name = prefix.isEmpty ? (key.text ?? "") : prefix + "." + (key.text ?? "")
                if case .scalar = value { out.append((name, key, value)) } else { out += try value.flattened(budget: budget, prefix: name) }
            }
            return out
        case .sequence(let items):
            var out: [(key: String, keyNode: Node?, value: Node)] = []
            for (index, item) in items.enumerated() {
                let name = "\(prefix)[\(index)]"
                if case .scalar = item { try budget.spend(item); out.append((name, nil, item)) } else { out += try item.flattened(budget: budget, prefix: name) }
            }
            return out
        default:
            return [(prefix, nil, self)]
        }
    }
}
