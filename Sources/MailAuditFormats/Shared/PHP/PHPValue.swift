import MailAuditCore

/// A PHP value read as data: the literals a configuration file writes (strings, numbers, booleans,
/// null, arrays). Anything computed — a variable, a function call such as `getenv()`, a constant,
/// a string with `$var` interpolation, arithmetic — is `unknown`: never guessed, never run.
indirect enum PHPValue: Equatable, Sendable {
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case null
    case array([PHPEntry])
    case unknown

    /// The element at `key` (the last one written wins, as in PHP); nil when absent or not an array.
    func element(_ key: PHPKey) -> PHPExpr? {
        guard case .array(let entries) = self else { return nil }
        return entries.last { $0.key == key }?.value
    }

    /// The element at a string key: `value["ssl"]`.
    subscript(_ key: String) -> PHPExpr? { element(PHPKey(key)) }

    /// PHP's `(bool)` cast: `''`, `'0'`, `0`, `null` and `[]` are false. nil when unknown.
    var truthy: Bool? {
        switch self {
        case .string(let s): return !(s.isEmpty || s == "0")
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .bool(let b): return b
        case .null: return false
        case .array(let e): return !e.isEmpty
        case .unknown: return nil
        }
    }

    /// PHP's `(int)` cast of a scalar: a string's leading digits (`'587'` → 587, `'abc'` → 0). nil when
    /// unknown or an array.
    var integer: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .null: return 0
        case .float(let d): return d.isFinite && abs(d) < 9e18 ? Int(d) : 0
        case .string(let s):
            let t = s.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
            let sign = t.first == "-" || t.first == "+" ? 1 : 0
            let digits = t.dropFirst(sign).prefix { $0.isASCII && $0.isNumber }
            guard let n = Int(digits.prefix(18)) else { return 0 }
            return t.first == "-" ? -n : n
        case .array, .unknown: return nil
        }
    }

    /// The text of a string, or of an integer the way PHP converts it.
    var text: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return nil
        }
    }
}

/// A value with the span it was written at.
struct PHPExpr: Equatable, Sendable {
    var value: PHPValue
    var span: SourceSpan

    init(_ value: PHPValue, span: SourceSpan) {
        self.value = value
        self.span = span
    }
}

/// An array key after PHP's normalization: `"5"` and `5` are the same key, `true` is 1.
enum PHPKey: Hashable, Sendable {
    case int(Int)
    case string(String)

    init(_ text: String) {
        self = PHPKey.canonicalInt(text).map(PHPKey.int) ?? .string(text)
    }

    /// The key a value makes, or nil when PHP would not accept it as one (arrays) or it is unknown.
    init?(_ value: PHPValue) {
        switch value {
        case .string(let s): self.init(s)
        case .int(let i): self = .int(i)
        case .bool(let b): self = .int(b ? 1 : 0)
        case .null: self = .string("")
        case .float(let d) where d.isFinite && abs(d) < 9e18: self = .int(Int(d))
        default: return nil
        }
    }

    /// PHP turns a decimal integer string without sign tricks or leading zeros into an int key.
    static func canonicalInt(_ s: String) -> Int? {
        let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        guard let first = digits.first, first.isASCII, first.isNumber, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if digits.count > 1, first == "0" { return nil }
        if s == "-0" { return nil }
        return Int(s)
    }
}

/// One element of an array literal: `'key' => value`, or a value with the next integer key.
struct PHPEntry: Equatable, Sendable {
    /// nil: a key computed by code.
    var key: PHPKey?
    var keySpan: SourceSpan?
    var value: PHPExpr

    init(key: PHPKey?, keySpan: SourceSpan?, value: PHPExpr) {
        self.key = key
        self.keySpan = keySpan
        self.value = value
    }
}
