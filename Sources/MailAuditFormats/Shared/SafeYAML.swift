import Foundation
import MailAuditCore
import Yams

/// The one way mailaudit reads YAML (rule files, the native format, Spring and compose files, the
/// configuration file). It guards against the inputs that make a YAML library blow up:
/// - a size cap, and a stripped byte-order mark (`SourceFile` does both);
/// - aliases used as mapping keys are refused before composing, since Yams' duplicate-key check
///   hashes whole subtrees and an aliased key makes `compose` itself exponential;
/// - no implicit tag resolution (every scalar stays a string; callers read them through `YAMLValue`),
///   which is also what makes composing fast;
/// - a visit budget (`YAMLBudget`) for walking aliased structure, which `compose` shares but a
///   walk expands (the "billion laughs").
public enum SafeYAML {
    /// Composes every document of a file. Errors carry libyaml's position.
    static func documents(_ file: SourceFile) throws(ParseProblem) -> [Node] {
        try rejectAliasKeys(file)
        do {
            let parser = try Parser(yaml: file.text, resolver: .basic, encoding: .utf8)  // .default reads the environment on every call
            var nodes: [Node] = []
            while let node = try parser.nextRoot() { nodes.append(node) }
            return nodes
        } catch let error as YamlError {
            throw problem(from: error, file: file)
        } catch {
            throw ParseProblem("invalid YAML: \(error)", path: file.path, span: SourceSpan(path: file.path, line: 1, column: 1))
        }
    }

    /// The single document of a file (an empty file is an empty mapping's absence: nil).
    public static func document(_ file: SourceFile) throws(ParseProblem) -> Node? {
        let docs = try documents(file)
        if docs.count > 1, let mark = docs[1].mark {
            throw ParseProblem("expected one YAML document, found \(docs.count)", path: file.path,
                               span: SourceSpan(path: file.path, line: mark.line, column: mark.column))
        }
        return docs.first
    }

    /// An alias (`*name`) in a key position: `*a: x`, `? *a`, `{ *a: x }`.
    static func rejectAliasKeys(_ file: SourceFile) throws(ParseProblem) {
        guard file.text.utf8.contains(UInt8(ascii: "*")) else { return }
        for (index, line) in file.lines.enumerated() where line.utf8.contains(UInt8(ascii: "*")) {
            let scalars = Array(line.unicodeScalars)
            var i = 0
            var inQuote: Unicode.Scalar? = nil
            var keyPosition = true  // at the start of a line (after indentation and `- `), after `{`, `,` or `?`
            while i < scalars.count {
                let c = scalars[i]
                if let q = inQuote {
                    if c == q { inQuote = nil }
                    i += 1
                    continue
                }
                switch c {
                case "#" where i == 0 || scalars[i - 1] == " " || scalars[i - 1] == "\t":
                    i = scalars.count
                    continue
                case "\"", "'":
                    if keyPosition { inQuote = c }
                    keyPosition = false
                case " ", "\t": break
                case "-" where keyPosition: break
                case "{", ",", "?": keyPosition = true; i += 1; continue
                case "*" where keyPosition:
                    var j = i + 1
                    while j < scalars.count, !" \t,{}[]:".unicodeScalars.contains(scalars[j]) { j += 1 }
                    var k = j
                    while k < scalars.count, scalars[k] == " " || scalars[k] == "\t" { k += 1 }
                    let isKey = (k < scalars.count && scalars[k] == ":") || (i > 0 && String(scalars[..<i].map(Character.init)).trimmingCharacters(in: .whitespaces).hasSuffix("?"))
                    if isKey {
                        throw ParseProblem("an alias (\(String(String.UnicodeScalarView(scalars[i..<j])))) used as a mapping key is not accepted: it makes YAML loading exponentially slow", path: file.path, span: SourceSpan(path: file.path, line: index + 1, column: i + 1, endLine: index + 1, endColumn: j + 1))
                    }
                default: break
                }
                if c != " " && c != "\t" && !(c == "-" && keyPosition) { keyPosition = false }
                i += 1
            }
        }
    }

    static func problem(from error: YamlError, file: SourceFile) -> ParseProblem {
        func make(_ problem: String, _ mark: Mark?) -> ParseProblem {
            let text = problem.count > 200 ? String(problem.prefix(200)) + "…" : problem
            let span = mark.map { SourceSpan(path: file.path, line: max(1, $0.line), column: max(1, $0.column)) }
            return ParseProblem("invalid YAML: \(text)", path: file.path, span: span ?? SourceSpan(path: file.path, line: 1, column: 1))
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            // libyaml's own depth limit (1000 levels; deeper structure would overflow its callers' stacks)
            // names its C setter: say what it means instead.
            if problem.hasPrefix("Maximum nesting level reached") { return make("collections nested more than 1000 levels deep", mark) }
            let words = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return make(words, mark)
        case let .reader(problem, offset, _, _):
            _ = offset
            return make(problem, nil)
        case let .duplicatedKeysInMapping(duplicates, context):
            return make("duplicate key '\(duplicates.joined(separator: "', '"))' in a mapping", context.mark)
        default:
            return make("\(error)", nil)
        }
    }
}

/// Counts node visits while walking composed YAML, so aliased structure cannot make a walk
/// run for ever. Every reader of YAML walks through one of these.
public final class YAMLBudget {
    public static let defaultVisits = 200_000
    private var remaining: Int
    private let path: String

    public init(path: String, visits: Int = YAMLBudget.defaultVisits) {
        self.remaining = visits
        self.path = path
    }

    public func spend(_ node: Node) throws(ParseProblem) {
        try spend(at: node.mark.map { ($0.line, $0.column) })
    }

    /// A visit of the value at `line`/`column` (1-based; nil when unknown).
    func spend(at position: (line: Int, column: Int)?) throws(ParseProblem) {
        remaining -= 1
        if remaining < 0 {
            let span = position.map { SourceSpan(path: path, line: $0.line, column: $0.column) }
            throw ParseProblem("the YAML expands to more than \(YAMLBudget.defaultVisits) nodes (nested aliases?); refusing to walk it", path: path, span: span)
        }
    }
}
