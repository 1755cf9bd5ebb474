import Foundation
import MailAuditCore

/// One rule as its YAML file describes it: the condition, and the text that documents it.
public struct Rule: Sendable, Equatable {
    public enum Scope: String, Sendable, CaseIterable { case endpoint, identity, setup, meta }

    /// When and where the rule fires. A rule has one; `also:` adds alternatives in other scopes.
    public struct Clause: Sendable, Equatable {
        public var scope: Scope
        public var when: Condition
        public var at: String?
        public var message: String
    }

    public var id: String
    public var name: String
    public var severity: Severity
    public var scope: Scope
    public var summary: String
    public var clauses: [Clause]
    public var message: String
    /// A meta rule's messages, one per case the run tells apart (`MetaMessages`), by case name.
    public var messages: [String: String] = [:]
    public var rationale: String
    public var fix: RuleFix
    public var references: [String]
    public var tags: [String]
    public var examples: [Example]
    /// The file the rule came from (`Rules/MA101.yml`, or a user's file).
    public var source: String

    public struct Example: Sendable, Equatable {
        public enum Expectation: String, Sendable { case finding, clean }
        public var expect: Expectation
        public var format: String
        public var config: String
        public var description: String?
        /// For a triggering example: how the rule's fix for this format is applied to it.
        public var fix: ExampleFix?

        public init(expect: Expectation, format: String, config: String, description: String? = nil, fix: ExampleFix? = nil) {
            self.expect = expect
            self.format = format
            self.config = config
            self.description = description
            self.fix = fix
        }
    }
}

/// The condition language of the rule files.
public indirect enum Condition: Sendable, Equatable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case leaf(field: String, test: Test)
    /// Setup scope: quantifiers over the setup's endpoints.
    case some(Condition)
    case every(Condition)
    case none(Condition)

    public enum Test: Sendable, Equatable {
        case equals(FieldValue)
        case notEquals(FieldValue)
        case oneOf([FieldValue])
        case noneOf([FieldValue])
        case exists(Bool)
        case matches(RegexBox)
        case lessThan(FieldValue)
        case greaterThan(FieldValue)
    }
}

/// A regular expression, checked when the rule loads and compiled for matching on first use
/// (most runs never need most patterns). Immutable once built, so it can cross threads.
public final class RegexBox: @unchecked Sendable, Equatable {
    public let pattern: String
    private let source: String
    private let options: NSRegularExpression.Options
    private let lock = NSLock()
    private var compiled: NSRegularExpression?

    /// A pattern already checked: the compiled rule pack's, checked when Rules/ was compiled.
    init(checked pattern: String) {
        var source = pattern
        var options: NSRegularExpression.Options = []
        if source.hasPrefix("(?i)") { source.removeFirst(4); options.insert(.caseInsensitive) }
        self.pattern = pattern
        self.source = source
        self.options = options
    }

    convenience init(_ pattern: String) throws {
        self.init(checked: pattern)
        _ = try NSRegularExpression(pattern: source, options: options)
    }

    public static func == (a: RegexBox, b: RegexBox) -> Bool { a.pattern == b.pattern }

    func matches(_ text: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if compiled == nil { compiled = try? NSRegularExpression(pattern: source, options: options) }
        return compiled?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

extension Condition {
    /// The model fields the condition reads (a derived field counts as the field it comes from).
    public var fieldNames: Set<String> {
        switch self {
        case .all(let list), .any(let list): return list.reduce(into: []) { $0.formUnion($1.fieldNames) }
        case .not(let c), .some(let c), .every(let c), .none(let c): return c.fieldNames
        case .leaf(let field, _): return [field]
        }
    }
}
