import Foundation

/// "did you mean …?" for misspelled keys and values.
public enum Suggestion {
    /// How many suggestions one input gets (`limited`): a file of 100,000 unknown names is not a typo,
    /// and every suggestion compares the name with each candidate.
    public static let limitPerInput = 20

    /// The suggestions left for the input being parsed; nil (no limit) outside `limited`.
    @TaskLocal static var budget: Budget?

    /// Runs `body` (the parse of one input) with at most `limit` suggestions; after that `phrase` says nothing.
    public static func limited<R>(to limit: Int = limitPerInput, _ body: () throws -> R) rethrows -> R {
        try $budget.withValue(Budget(limit), operation: body)
    }

    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        // A cut-off word ("prot") most likely means the candidate it begins.
        if lower.count >= 3, let prefixed = candidates.filter({ $0.lowercased().hasPrefix(lower) && $0.lowercased() != lower }).min(by: { $0.count < $1.count }) {
            return prefixed
        }
        let allowed = max(1, min(3, word.count / 3))
        // The distance is at least the difference in length: skip what cannot be close, so a long word costs nothing.
        let length = lower.unicodeScalars.count
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let other = candidate.lowercased()
            guard abs(other.unicodeScalars.count - length) <= allowed else { return nil }
            return (candidate, distance(lower, other))
        }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= allowed ? best.0 : nil
    }

    /// Up to `limit` candidates near `word`, nearest first (ties in the order given): those it begins
    /// or is part of, then those within a few edits. For a list of alternatives rather than one guess.
    public static func nearest(to word: String, in candidates: [String], limit: Int) -> [String] {
        let lower = word.lowercased(), length = lower.unicodeScalars.count
        let allowed = max(2, min(4, length / 3))
        let scored = candidates.enumerated().compactMap { index, candidate -> (String, Int, Int)? in
            let other = candidate.lowercased()
            if length >= 3, other.contains(lower) { return (candidate, 0, index) }
            guard abs(other.unicodeScalars.count - length) <= allowed else { return nil }
            let d = distance(lower, other)
            return d <= allowed ? (candidate, d, index) : nil
        }
        return scored.sorted { ($0.1, $0.2) < ($1.1, $1.2) }.prefix(limit).map(\.0)
    }

    /// " — did you mean 'x'?" or "" (also once the input's suggestions are used up).
    public static func phrase(for word: String, in candidates: [String]) -> String {
        if let budget, !budget.take() { return "" }
        return closest(to: word, in: candidates).map { " — did you mean '\($0)'?" } ?? ""
    }

    /// Edit distance where swapping two neighbouring letters counts as one edit ("tsl" → "tls").
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// A count of suggestions left, shared by the parse of one input.
    final class Budget: @unchecked Sendable {
        private let lock = NSLock()
        private var left: Int

        init(_ limit: Int) { left = limit }

        /// Whether one more suggestion may be made (and counts it).
        func take() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard left > 0 else { return false }
            left -= 1
            return true
        }
    }
}
