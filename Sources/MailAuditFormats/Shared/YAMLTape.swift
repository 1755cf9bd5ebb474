import CYaml
import MailAuditCore

/// A YAML stream read straight from libyaml's events into one flat array (a "tape"), without
/// composing a tree of nodes: each collection records where its subtree ends, so children are
/// walked by jumping from one sibling to the next. An alias is an entry pointing at the anchored
/// entry, so aliased structure is shared, never copied.
///
/// It reads exactly what `SafeYAML.documents` reads through Yams' composer (same libyaml, same
/// positions, same error messages, the same duplicate-key check), for a fraction of the cost; the
/// native format, the hottest YAML reader, uses it.
final class YAMLTape {
    enum Kind: UInt8 { case scalar, sequence, mapping, alias }
    /// How a scalar is written; `other` for block scalars and non-scalars.
    enum Style: UInt8 { case other, plain, singleQuoted, doubleQuoted }

    struct Entry {
        var kind: Kind
        var style: Style
        /// 1-based, as libyaml's start mark + 1 (columns count characters, not bytes).
        var line: Int32
        var column: Int32
        /// Collections: one past their last descendant; an alias: its target.
        var link: Int32
        var text: String
        /// The tag a duplicate-key check compares: nil for the implicit `str` of every untagged scalar.
        var tag: String?
    }

    private(set) var entries: [Entry] = []
    /// The root entry of each document.
    private(set) var roots: [Int] = []

    /// Reads every event of the file. Errors carry libyaml's position, worded as `SafeYAML`'s.
    init(_ file: SourceFile) throws(ParseProblem) {
        try SafeYAML.rejectAliasKeys(file)
        var text = file.text
        let outcome: ParseProblem?? = text.withUTF8 { bytes in
            var builder = Builder(file: file)
            do throws(ParseProblem) {
                try builder.run(bytes)
            } catch {
                return .some(error)
            }
            entries = builder.entries
            roots = builder.roots
            return .some(nil)
        }
        if case .some(.some(let problem)) = outcome { throw problem }
    }

    /// The single document's root (nil for an empty stream); several documents are an error at the second.
    func root(path: String) throws(ParseProblem) -> YAMLItem? {
        if roots.count > 1 {
            let second = entries[roots[1]]
            throw ParseProblem("expected one YAML document, found \(roots.count)", path: path,
                               span: SourceSpan(path: path, line: Int(second.line), column: Int(second.column)))
        }
        return roots.first.map { YAMLItem(tape: self, index: $0) }
    }

    /// An alias's target, anything else itself.
    func resolved(_ index: Int) -> Int {
        entries[index].kind == .alias ? Int(entries[index].link) : index
    }

    /// The children of the collection at `index`, in order (aliases resolved).
    func children(_ index: Int) -> [Int] {
        let end = Int(entries[index].link)
        var out: [Int] = []
        var child = index + 1
        while child < end {
            out.append(resolved(child))
            child = entries[child].kind == .alias || entries[child].kind == .scalar ? child + 1 : Int(entries[child].link)
        }
        return out
    }
}

/// Pulls libyaml's events and appends them to the tape.
private struct Builder {
    let file: SourceFile
    var entries: [YAMLTape.Entry] = []
    var roots: [Int] = []
    /// The latest node of each anchor name: an anchor may be redefined, an alias takes the latest one.
    /// As in Yams' composer an anchor counts from the end of its node, so `&a [*a]` is an undefined alias.
    var anchors: [String: Int] = [:]
    /// Open collections: their entry and anchor.
    var open: [(index: Int, anchor: String?)] = []
    var expectRoot = false

    init(file: SourceFile) { self.file = file }

    mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseProblem) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw ParseProblem("invalid YAML: cannot initialize the YAML parser", path: file.path, span: SourceSpan(path: file.path, line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { throw problem(from: parser) }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { return }
            try add(event)
        }
    }

    mutating func add(_ event: yaml_event_t) throws(ParseProblem) {
        let line = Int32(truncatingIfNeeded: event.start_mark.line + 1)
        let column = Int32(truncatingIfNeeded: event.start_mark.column + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            expectRoot = true
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            // Quoted and untagged scalars are all `str` to Yams (its basic resolver resolves nothing).
            let explicit = scalar.quoted_implicit == 1 ? nil : Self.string(scalar.tag)
            let tag = explicit == "tag:yaml.org,2002:str" ? nil : explicit
            append(.init(kind: .scalar, style: Self.style(scalar.style), line: line, column: column,
                         link: Int32(entries.count + 1), text: text, tag: tag))
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = entries.count - 1 }
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw ParseProblem("invalid YAML: found undefined alias", path: file.path, span: SourceSpan(path: file.path, line: Int(line), column: Int(column)))
            }
            append(.init(kind: .alias, style: .other, line: line, column: column, link: Int32(target), text: "", tag: nil))
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            open.append((entries.count, Self.string(start.anchor)))
            append(.init(kind: .sequence, style: .other, line: line, column: column, link: 0, text: "", tag: start.implicit != 0 ? nil : Self.string(start.tag)))
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            open.append((entries.count, Self.string(start.anchor)))
            append(.init(kind: .mapping, style: .other, line: line, column: column, link: 0, text: "", tag: start.implicit != 0 ? nil : Self.string(start.tag)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let (index, anchor) = open.popLast() else { return }
            entries[index].link = Int32(entries.count)
            if entries[index].kind == .mapping { try checkDuplicateKeys(index) }
            if let anchor { anchors[anchor] = index }
        default:
            break  // stream start, document end
        }
    }

    mutating func append(_ entry: YAMLTape.Entry) {
        if expectRoot {
            roots.append(entries.count)
            expectRoot = false
        }
        entries.append(entry)
    }

    /// Yams' composer refuses a mapping with equal keys, naming them sorted and pointing at the
    /// first occurrence of the smallest; so does this.
    func checkDuplicateKeys(_ mapping: Int) throws(ParseProblem) {
        var seen: [String: Int] = [:]
        var duplicated: [String: Int] = [:]
        var child = mapping + 1
        var isKey = true
        let end = Int(entries[mapping].link)
        while child < end {
            if isKey {
                var visits = YAMLBudget.defaultVisits
                let key = identity(of: resolvedIndex(child), visits: &visits)
                if let first = seen[key] { duplicated[key] = first } else { seen[key] = resolvedIndex(child) }
            }
            isKey.toggle()
            child = next(after: child)
        }
        guard !duplicated.isEmpty else { return }
        let names = duplicated.keys.sorted()
        let first = entries[duplicated[names[0]]!]
        let shown = names.map { key -> String in
            let index = duplicated[key]!
            return entries[index].kind == .scalar ? entries[index].text : "<uncovertable>"
        }
        let words = "duplicate key '\(shown.joined(separator: "', '"))' in a mapping"
        throw ParseProblem("invalid YAML: \(words.count > 200 ? String(words.prefix(200)) + "…" : words)", path: file.path,
                           span: SourceSpan(path: file.path, line: max(1, Int(first.line)), column: max(1, Int(first.column))))
    }

    func resolvedIndex(_ index: Int) -> Int { entries[index].kind == .alias ? Int(entries[index].link) : index }

    func next(after index: Int) -> Int {
        switch entries[index].kind {
        case .scalar, .alias: return index + 1
        case .sequence, .mapping: return Int(entries[index].link)
        }
    }

    /// What makes two keys equal for Yams: a scalar's text and tag; a collection's content, aliases followed.
    /// `visits` bounds the walk of aliased structure (a collection key is hostile or a mistake).
    func identity(of index: Int, visits: inout Int) -> String {
        visits -= 1
        let entry = entries[index]
        switch entry.kind {
        case .scalar:
            return "s" + (entry.tag ?? "") + "\u{0}" + entry.text
        case .alias:
            return identity(of: Int(entry.link), visits: &visits)
        case .sequence, .mapping:
            var out = entry.kind == .sequence ? "[" : "{"
            var child = index + 1
            while child < Int(entry.link), visits > 0 {
                out += identity(of: child, visits: &visits) + "\u{1}"
                child = next(after: child)
            }
            return out + (entry.kind == .sequence ? "]" : "}")
        }
    }

    /// libyaml's error, as `SafeYAML.problem(from:)` words Yams' `YamlError`.
    func problem(from parser: yaml_parser_t) -> ParseProblem {
        func make(_ problem: String, line: Int?, column: Int?) -> ParseProblem {
            let text = problem.count > 200 ? String(problem.prefix(200)) + "…" : problem
            let span = line.map { SourceSpan(path: file.path, line: max(1, $0), column: max(1, column ?? 1)) }
            return ParseProblem("invalid YAML: \(text)", path: file.path, span: span ?? SourceSpan(path: file.path, line: 1, column: 1))
        }
        let problem = parser.problem.map { String(cString: $0) } ?? "parse error"
        switch parser.error {
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR, YAML_COMPOSER_ERROR:
            let line = Int(parser.problem_mark.line) + 1, column = Int(parser.problem_mark.column) + 1
            if problem.hasPrefix("Maximum nesting level reached") { return make("collections nested more than 1000 levels deep", line: line, column: column) }
            let context = parser.context.map { String(cString: $0) }
            let words = [context, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return make(words, line: line, column: column)
        case YAML_READER_ERROR:
            return make(problem, line: nil, column: nil)
        default:
            return make("memory", line: nil, column: nil)
        }
    }

    static func style(_ style: yaml_scalar_style_t) -> YAMLTape.Style {
        switch style {
        case YAML_PLAIN_SCALAR_STYLE: return .plain
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        default: return .other
        }
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
