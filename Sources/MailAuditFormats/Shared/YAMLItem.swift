import MailAuditCore

/// One value of a `YAMLTape`, read the way `Node` is read (YAMLNode+Model.swift): every scalar a
/// string, `true/yes/on` booleans, `<<` merge keys applied, walks paid from a `YAMLBudget`.
struct YAMLItem: YAMLMergeable {
    let tape: YAMLTape
    let index: Int

    private var entry: YAMLTape.Entry { tape.entries[index] }

    var isMapping: Bool { entry.kind == .mapping }
    var isSequence: Bool { entry.kind == .sequence }
    var isScalar: Bool { entry.kind == .scalar }
    /// libyaml's plain style (no quotes, no block scalar).
    var isPlainScalar: Bool { entry.style == .plain }

    /// The scalar's text, or nil for a mapping or sequence.
    var text: String? { isScalar ? entry.text : nil }

    var isNull: Bool {
        guard isPlainScalar else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(entry.text)
    }

    var boolValue: Bool? {
        guard isPlainScalar else { return nil }
        switch entry.text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    var intValue: Int? { isPlainScalar ? Int(entry.text) : nil }

    var line: Int { Int(entry.line) }
    var column: Int { Int(entry.column) }

    /// The span of the value: for a scalar its whole written width (quotes included) on its first line.
    func span(in path: String) -> SourceSpan {
        var width = 1
        if isScalar {
            // By Characters, as for composed nodes ("\r\n" is one Character and does not end the line here).
            let firstLine = entry.text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            switch entry.style {
            case .plain: width = firstLine.unicodeScalars.count
            case .singleQuoted, .doubleQuoted: width = firstLine.unicodeScalars.count + 2
            case .other: width = 1
            }
        }
        return .at(path, line: line, column: column, length: max(1, width))
    }

    /// A mapping's pairs with `<<` merge keys applied (explicit keys win over merged ones), each walk step paid from the budget.
    func pairs(budget: YAMLBudget) throws(ParseProblem) -> [(key: YAMLItem, value: YAMLItem)] {
        guard isMapping else { return [] }
        let children = tape.children(index)
        let raw = stride(from: 0, to: children.count - 1, by: 2).map { i in
            (key: YAMLItem(tape: tape, index: children[i]), value: YAMLItem(tape: tape, index: children[i + 1]))
        }
        return try YAMLMergeKeys.apply(raw, budget: budget) { value throws(ParseProblem) in try budget.spend(at: (value.line, value.column)) }
    }

    var mergeSources: [YAMLItem] { isSequence ? tape.children(index).map { YAMLItem(tape: tape, index: $0) } : [self] }

    /// A sequence's items, or the value itself when a single item stands where a list may.
    func items(budget: YAMLBudget) throws(ParseProblem) -> [YAMLItem] {
        guard isSequence else { return [self] }
        var out: [YAMLItem] = []
        for child in tape.children(index) {
            let item = YAMLItem(tape: tape, index: child)
            try budget.spend(at: (item.line, item.column))
            out.append(item)
        }
        return out
    }

    /// What kind of value this is, for error messages.
    var kindName: String {
        switch entry.kind {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

