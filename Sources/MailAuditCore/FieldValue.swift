/// A model value as rules see it: what a condition compares and a message prints.
public enum FieldValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([String])

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return l.isEmpty ? "[]" : l.joined(separator: ", ")
        }
    }
}
