import MailAuditCore

/// Evaluates conditions. A leaf on an unknown field is false (unknown is not evidence), except
/// `exists: false`; `not` inverts the whole condition.
public enum ConditionEvaluator {
    public static func holds(_ condition: Condition, for subject: FieldSubject, endpoints: [FieldSubject] = []) -> Bool {
        switch condition {
        case .all(let cs): return cs.allSatisfy { holds($0, for: subject, endpoints: endpoints) }
        case .any(let cs): return cs.contains { holds($0, for: subject, endpoints: endpoints) }
        case .not(let c): return !holds(c, for: subject, endpoints: endpoints)
        case .some(let c): return endpoints.contains { holds(c, for: $0) }
        case .every(let c): return !endpoints.isEmpty && endpoints.allSatisfy { holds(c, for: $0) }
        case .none(let c): return !endpoints.contains { holds(c, for: $0) }
        case .leaf(let field, let test): return leaf(subject[field], test)
        }
    }

    /// The fields whose values make `condition` hold for `subject`, in the order written: the leaves of
    /// the branches that hold. What sits under `not` is an exception, not a cause, and is left out.
    static func causes(_ condition: Condition, for subject: FieldSubject) -> [String] {
        switch condition {
        case .all(let cs): return cs.flatMap { causes($0, for: subject) }
        case .any(let cs): return cs.filter { holds($0, for: subject) }.flatMap { causes($0, for: subject) }
        case .leaf(let field, _): return [field]
        case .not, .some, .every, .none: return []
        }
    }

    static func leaf(_ value: FieldValue?, _ test: Condition.Test) -> Bool {
        if case .exists(let wanted) = test { return (value != nil) == wanted }
        guard let value else { return false }
        switch test {
        case .equals(let v): return same(value, v)
        case .notEquals(let v): return !same(value, v)
        case .oneOf(let vs): return vs.contains { same(value, $0) }
        case .noneOf(let vs): return !vs.contains { same(value, $0) }
        case .matches(let regex): return regex.matches(value.description)
        case .lessThan(let v): return compare(value, v).map { $0 < 0 } ?? false
        case .greaterThan(let v): return compare(value, v).map { $0 > 0 } ?? false
        case .exists: return true
        }
    }

    /// Equality across the literal types a YAML rule writes (`993` and `"993"` are the same port),
    /// ignoring case. It runs for every leaf of every rule at every endpoint, so values of one type
    /// are compared as they are, and text without building lowercased copies.
    static func same(_ a: FieldValue, _ b: FieldValue) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)): return x == y
        case (.list, _), (_, .list): return false
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return equalIgnoringCase(x, y)
        default: return equalIgnoringCase(a.description, b.description)
        }
    }

    /// `x.lowercased() == y.lowercased()`: byte by byte while both are ASCII (an ASCII letter
    /// lowercases alone, to ASCII), the whole strings lowercased from the first other byte on
    /// (the Kelvin sign lowercases to `k`).
    static func equalIgnoringCase(_ x: String, _ y: String) -> Bool {
        var xs = x.utf8.makeIterator()
        var ys = y.utf8.makeIterator()
        while true {
            switch (xs.next(), ys.next()) {
            case (nil, nil): return true
            case (let p?, let q?) where p < 0x80 && q < 0x80:
                guard p == q || asciiLowercase(p) == asciiLowercase(q) else { return false }
            case (let p?, nil) where p < 0x80, (nil, let p?) where p < 0x80: return false
            default: return x.lowercased() == y.lowercased()
            }
        }
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    static func compare(_ a: FieldValue, _ b: FieldValue) -> Int? {
        if let x = integer(a), let y = integer(b) { return x < y ? -1 : (x == y ? 0 : 1) }
        if let x = TLSVersion(rawValue: a.description), let y = TLSVersion(loose: b.description) {
            return x < y ? -1 : (x == y ? 0 : 1)
        }
        return nil
    }

    /// The value as a number, as `Int(description)` reads it.
    private static func integer(_ value: FieldValue) -> Int? {
        if case .int(let i) = value { return i }
        return Int(value.description)
    }
}
