/// "did you mean …?" for misspelled keys and values.
public enum Suggestion {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        // A cut-off word ("prot") most likely means the candidate it begins.
        if lower.count >= 3, let prefixed = candidates.filter({ $0.lowercased().hasPrefix(lower) && $0.lowercased() != lower }).min(by: { $0.count < $1.count }) {
            return prefixed
        }
        let scored = candidates.map { ($0, distance(lower, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let allowed = max(1, min(3, word.count / 3))
        return best.1 <= allowed || best.0.lowercased().hasPrefix(lower) && lower.count >= 3 ? best.0 : nil
    }

    /// " — did you mean 'x'?" or "".
    public static func phrase(for word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { " — did you mean '\($0)'?" } ?? ""
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
}
