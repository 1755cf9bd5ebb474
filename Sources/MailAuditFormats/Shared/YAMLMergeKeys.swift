import MailAuditCore

/// A YAML value that `<<` merge keys apply to: the tape's items and Yams' nodes alike.
protocol YAMLMergeable {
    var text: String? { get }
    var isPlainScalar: Bool { get }
    /// What a `<<` value merges in: each mapping of a sequence, or the value itself.
    var mergeSources: [Self] { get }
    func pairs(budget: YAMLBudget) throws(ParseProblem) -> [(key: Self, value: Self)]
}

enum YAMLMergeKeys {
    /// A mapping's `pairs` with `<<` merge keys applied: explicit keys win over merged ones. Each
    /// value is paid for with `spend` before it is looked at, so aliases cannot blow up the walk.
    static func apply<Item: YAMLMergeable>(_ pairs: some Sequence<(key: Item, value: Item)>, budget: YAMLBudget,
                                           spend: (Item) throws(ParseProblem) -> Void) throws(ParseProblem) -> [(key: Item, value: Item)] {
        var own: [(key: Item, value: Item)] = []
        var merged: [(key: Item, value: Item)] = []
        for (key, value) in pairs {
            try spend(value)
            if key.text == "<<", key.isPlainScalar {
                for source in value.mergeSources { merged += try source.pairs(budget: budget) }
            } else {
                own.append((key, value))
            }
        }
        let ownKeys = Set(own.compactMap(\.key.text))
        return own + merged.filter { !ownKeys.contains($0.key.text ?? "") }
    }
}
