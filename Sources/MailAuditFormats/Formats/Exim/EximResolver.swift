import Foundation
import MailAuditCore

/// Where one character of an Exim logical line came from. Characters that a macro put there
/// point at the macro's name where it was used (`start..<end` covers the whole name).
struct EximOrigin: Sendable {
    var file: Int
    var line: Int
    var start: Int
    var end: Int
}

/// A logical line of an Exim configuration: continuation lines joined, macros replaced,
/// comments and skipped `.ifdef` branches left out, with the origin of every character.
struct EximLine: Sendable {
    var text: [Unicode.Scalar]
    var origins: [EximOrigin]

    var string: String { String(String.UnicodeScalarView(text)) }
    var first: EximOrigin { origins[0] }
}

/// Reads an Exim run time configuration the way Exim's `get_config_line()` does (readconf.c):
/// physical lines have leading blanks dropped and every defined macro replaced (a macro name
/// matches anywhere, as a substring, in definition order; builtin `_HAVE_…` macros first);
/// lines whose first character is `#` are comments; `.ifdef`/`.ifndef`/`.elifdef`/`.elifndef`/
/// `.else`/`.endif` are true when any macro was replaced in the rest of the line; `.include` and
/// `.include_if_exists` take an absolute path; a trailing backslash continues the logical line
/// (the next line's leading blanks are dropped, comment lines in between are skipped).
struct EximReader {
    struct Macro {
        var name: [Unicode.Scalar]
        var value: [Unicode.Scalar]
        var span: SourceSpan?
    }

    private struct OpenFile {
        var source: SourceFile
        var index: Int
        var next: Int = 0
        /// The `.include` line that opened it (for loop messages).
        var includedAt: SourceSpan?
    }

    private(set) var paths: [String] = []
    private var stack: [OpenFile] = []
    private var openKeys: [String] = []
    private(set) var macros: [Macro] = []
    private var conditionState = 0
    private var conditionStack: [(state: Int, span: SourceSpan)] = []
    let context: ParseContext
    var problems: [ParseProblem] = []
    var includedFiles: [String] = []
    /// `.include` lines not followed (MA003).
    var unfollowedIncludes: [UnfollowedInclude] = []
    let topPath: String

    /// Exim's builtin macros (`EximBuiltinMacros`), grouped by their first four characters, longest
    /// first. Exim tries them in reverse alphabetical order, so at any place the longest name that
    /// matches wins (`_HAVE_TLS_RESUME` before `_HAVE_TLS`); their values do not matter here ("y").
    static let builtins: [String: [[Unicode.Scalar]]] = {
        var groups: [String: [[Unicode.Scalar]]] = [:]
        for name in EximBuiltinMacros.names { groups[String(name.prefix(4)), default: []].append(Array(name.unicodeScalars)) }
        return groups.mapValues { $0.sorted { $0.count > $1.count } }
    }()
    /// Nesting limit for `.include` (Exim has none; a loop would exhaust file descriptors).
    static let maxIncludeDepth = 32

    init(file: SourceFile, context: ParseContext) {
        self.context = context
        self.topPath = file.path
        push(file, includedAt: nil)
    }

    private mutating func push(_ file: SourceFile, includedAt: SourceSpan?) {
        paths.append(file.path)
        stack.append(OpenFile(source: file, index: paths.count - 1, includedAt: includedAt))
        openKeys.append(EximReader.key(for: file.path))
    }

    static func key(for path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    func span(_ o: EximOrigin, length: Int? = nil) -> SourceSpan {
        SourceSpan(path: paths[o.file], line: o.line, column: o.start, endLine: o.line, endColumn: length.map { o.start + max(1, $0) } ?? o.end)
    }

    /// The span of `line.text[range]` (an empty range: the character before it).
    func span(of line: EximLine, _ range: Range<Int>) -> SourceSpan {
        guard !line.origins.isEmpty else { return SourceSpan(path: topPath, line: 1, column: 1) }
        if range.isEmpty {
            let at = line.origins[max(0, min(range.lowerBound, line.origins.count) - 1)]
            return span(at)
        }
        let a = line.origins[range.lowerBound], b = line.origins[range.upperBound - 1]
        if a.file != b.file || b.line < a.line { return span(a) }
        return SourceSpan(path: paths[a.file], line: a.line, column: a.start, endLine: b.line, endColumn: b.end)
    }

    /// The whole logical line (its first physical line when it spans several files).
    func lineSpan(_ line: EximLine) -> SourceSpan { span(of: line, 0..<line.text.count) }

    mutating func problem(_ message: String, _ span: SourceSpan?) {
        problems.append(ParseProblem(message, path: span?.path ?? topPath, span: span ?? SourceSpan(path: topPath, line: 1, column: 1)))
    }

    // MARK: macros

    /// `NAME = value` or `NAME == value` at the start of a logical line (the caller checked the upper-case letter).
    mutating func defineMacro(_ line: EximLine) {
        let t = line.text
        var i = 0
        while i < t.count, EximReader.isNameChar(t[i]) { i += 1 }
        let name = Array(t[0..<i])
        let nameSpan = span(of: line, 0..<i)
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        guard i < t.count, t[i] == "=" else {
            problem("malformed macro definition: a line that starts with an upper-case letter defines a macro (`NAME = value`); Exim refuses this file", lineSpan(line))
            return
        }
        i += 1
        var redefine = false
        if i < t.count, t[i] == "=" { redefine = true; i += 1 }
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        let value = Array(t[i...])
        let nameText = String(String.UnicodeScalarView(name))
        if let existing = macros.firstIndex(where: { $0.name == name }) {
            if redefine {
                macros[existing].value = value
                macros[existing].span = nameSpan
            } else {
                problem("macro \"\(nameText)\" is already defined (use \"==\" to redefine it); Exim refuses this file", nameSpan)
            }
            return
        }
        if redefine {
            problem("can't redefine an undefined macro \"\(nameText)\"; Exim refuses this file", nameSpan)
            return
        }
        if let shorter = macros.first(where: { $0.name.count < name.count && EximReader.find($0.name, in: name, from: 0) != nil }) {
            problem("\"\(nameText)\" cannot be defined as a macro because the earlier macro \"\(String(String.UnicodeScalarView(shorter.name)))\" is a substring of it; Exim refuses this file", nameSpan)
            return
        }
        macros.append(Macro(name: name, value: value, span: nameSpan))
    }

    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)))
    }

    static func isUpper(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) }

    static func find(_ needle: [Unicode.Scalar], in hay: [Unicode.Scalar], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        let first = needle[0]
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == first {
                var j = 1
                while j < needle.count, hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Replaces macros in `text[from...]` in place; true when anything was replaced.
    private func substitute(_ text: inout [Unicode.Scalar], _ origins: inout [EximOrigin], from: Int) -> Bool {
        var found = false
        let hasUnderscore = text[from...].contains("_")
        let hasUpper = text[from...].contains(where: EximReader.isUpper)
        guard hasUnderscore || hasUpper else { return false }
        func replace(_ p: Int, _ length: Int, with value: [Unicode.Scalar]) {
            let o = EximOrigin(file: origins[p].file, line: origins[p].line, start: origins[p].start, end: origins[p + length - 1].end)
            text.replaceSubrange(p..<(p + length), with: value)
            origins.replaceSubrange(p..<(p + length), with: Array(repeating: o, count: value.count))
        }
        if hasUnderscore {
            var p = from
            while p < text.count {
                if text[p] == "_", p + 4 <= text.count,
                   let candidates = EximReader.builtins[String(String.UnicodeScalarView(text[p..<(p + 4)]))],
                   let name = candidates.first(where: { p + $0.count <= text.count && Array(text[p..<(p + $0.count)]) == $0 }) {
                    replace(p, name.count, with: ["y"])
                    found = true
                }
                p += 1
            }
        }
        var mayHaveUpper = hasUpper || found
        for macro in macros {
            if !mayHaveUpper { continue }
            var t = from
            while t < text.count, let p = EximReader.find(macro.name, in: text, from: t) {
                replace(p, macro.name.count, with: macro.value)
                t = p + macro.value.count
                found = true
                mayHaveUpper = true
            }
        }
        return found
    }

    // MARK: physical and logical lines

    private mutating func nextPhysical() -> (text: [Unicode.Scalar], origins: [EximOrigin])? {
        while let top = stack.last {
            if top.next < top.source.lines.count {
                let lineNumber = top.next + 1
                stack[stack.count - 1].next += 1
                let scalars = Array(top.source.lines[lineNumber - 1].unicodeScalars)
                let origins = scalars.indices.map { EximOrigin(file: top.index, line: lineNumber, start: $0 + 1, end: $0 + 2) }
                return (scalars, origins)
            }
            stack.removeLast()
            openKeys.removeLast()
        }
        return nil
    }

    private static let directives: [(name: String, action1: Int, action2: Int, pushPop: Int)] = [
        ("ifdef", 0, 1, 1), ("ifndef", 1, 0, 1), ("elifdef", 2, 3, 0), ("elifndef", 3, 2, 0), ("else", 2, 2, 0), ("endif", 0, 0, -1),
    ]
    /// Exim's `next_cstate` table: state 0 reads lines, 1 skips to the next `.else`/`.elif…`, 2 skips to `.endif`.
    private static let nextState = [[0, 1, 2, 2], [2, 2, 0, 1], [2, 2, 2, 2]]

    /// The next logical line, or nil at the end of the configuration.
    mutating func nextLine() -> EximLine? {
        var text: [Unicode.Scalar] = []
        var origins: [EximOrigin] = []
        while true {
            guard var (phys, orig) = nextPhysical() else {
                if !conditionStack.isEmpty {
                    problem("unexpected end of configuration: .endif missing for this .\(conditionStack.count == 1 ? "if" : "if (and \(conditionStack.count - 1) more)"); Exim refuses this file", conditionStack.last!.span)
                    conditionStack.removeAll()
                    conditionState = 0
                }
                if text.isEmpty { return nil }
                break
            }
            var start = 0
            while start < phys.count, phys[start].properties.isWhitespace { start += 1 }
            var from = start
            if text.isEmpty, start < phys.count, EximReader.isUpper(phys[start]) {
                var i = start
                while i < phys.count, EximReader.isNameChar(phys[i]) { i += 1 }
                while i < phys.count, phys[i].properties.isWhitespace { i += 1 }
                if i < phys.count, phys[i] == "=" { from = i }
            }
            let found = from < phys.count ? substitute(&phys, &orig, from: from) : false
            start = 0
            while start < phys.count, phys[start].properties.isWhitespace { start += 1 }
            if start < phys.count, phys[start] == "#" { continue }
            if start < phys.count, phys[start] == ".", handleDirective(phys, orig, start: start, macroFound: found) { continue }
            if conditionState != 0 { continue }
            if start < phys.count, phys[start] == ".", handleInclude(phys, orig, start: start) { continue }
            text += phys[start...]
            origins += orig[start...]
            while let last = text.last, last.properties.isWhitespace { text.removeLast(); origins.removeLast() }
            if !text.isEmpty {
                if text.last != "\\" { break }
                text.removeLast()
                origins.removeLast()
            }
        }
        return EximLine(text: text, origins: origins)
    }

    private mutating func handleDirective(_ t: [Unicode.Scalar], _ o: [EximOrigin], start: Int, macroFound: Bool) -> Bool {
        for directive in EximReader.directives {
            let name = Array(directive.name.unicodeScalars)
            let end = start + 1 + name.count
            guard end <= t.count, Array(t[(start + 1)..<end]) == name else { continue }
            if end < t.count, t[end] != " ", t[end] != "\t" { return false }
            let here = span(o[start], length: name.count + 1)
            if directive.pushPop > 0 {
                conditionStack.append((conditionState, here))
                conditionState = EximReader.nextState[conditionState][macroFound ? directive.action1 : directive.action2]
            } else if conditionStack.isEmpty {
                problem(".\(directive.name) without a matching .ifdef; Exim refuses this file", here)
            } else if directive.pushPop < 0 {
                conditionState = conditionStack.removeLast().state
            } else {
                conditionState = EximReader.nextState[conditionState][macroFound ? directive.action1 : directive.action2]
            }
            return true
        }
        return false
    }

    private mutating func handleInclude(_ t: [Unicode.Scalar], _ o: [EximOrigin], start: Int) -> Bool {
        let rest = String(String.UnicodeScalarView(t[start...]))
        let ifExists: Bool
        let directiveLength: Int
        if rest.hasPrefix(".include_if_exists"), rest.count > 18, rest.unicodeScalars.dropFirst(18).first?.properties.isWhitespace == true {
            ifExists = true; directiveLength = 18
        } else if rest.hasPrefix(".include"), rest.unicodeScalars.dropFirst(8).first?.properties.isWhitespace == true {
            ifExists = false; directiveLength = 8
        } else {
            return false
        }
        var a = start + directiveLength
        while a < t.count, t[a].properties.isWhitespace { a += 1 }
        var b = t.count
        while b > a, t[b - 1].properties.isWhitespace { b -= 1 }
        if b - a >= 2, t[a] == "\"", t[b - 1] == "\"" { a += 1; b -= 1 }
        let pathSpan = span(of: EximLine(text: t, origins: o), a..<max(a, b))
        let path = String(String.UnicodeScalarView(t[a..<max(a, b)]))
        let directive = ifExists ? ".include_if_exists" : ".include"
        guard path.hasPrefix("/") else {
            problem("\(directive) needs an absolute path, found \"\(path)\"; Exim refuses this file", pathSpan)
            return true
        }
        let key = EximReader.key(for: path)
        if openKeys.contains(key) {
            problem("include loop: \(path) is already being read (\(openKeys.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")) → \((path as NSString).lastPathComponent)); not read again", pathSpan)
            return true
        }
        if stack.count >= EximReader.maxIncludeDepth {
            problem("\(directive) nested more than \(EximReader.maxIncludeDepth) deep; \(path) not read", pathSpan)
            return true
        }
        do {
            switch try context.follow(path, from: pathSpan.path, at: pathSpan) {
            case .file(let file):
                if !includedFiles.contains(file.path) { includedFiles.append(file.path) }
                push(file, includedAt: pathSpan)
            case .notFollowed(let unfollowed):
                // `.include_if_exists` of a file that is not there is what Exim skips too.
                if !(ifExists && unfollowed.reason == .missing) { unfollowedIncludes.append(unfollowed) }
            case .limitReached: break
            }
        } catch {
            problem("failed to open included configuration file \(path): \(error.message)", pathSpan)
        }
        return true
    }
}

/// One `name = value` (or boolean `name` / `no_name`) option line of Exim's configuration.
struct EximOption: Sendable {
    var name: String
    var nameSpan: SourceSpan
    /// The value as Exim stores it (quotes removed and escapes applied), nil for a bare boolean.
    var value: String?
    var valueSpan: SourceSpan
    /// The value's characters with their positions, for lists (only for unquoted values).
    var raw: EximLine?
    var negated: Bool
    var line: SourceSpan

    var boolValue: Bool? {
        guard let value else { return !negated }
        switch value.lowercased() {
        case "true", "yes": return !negated
        case "false", "no": return negated
        default: return nil
        }
    }
}

extension EximReader {
    /// Parses an option line: `[hide] [no_|not_]name [= value]`. Returns nil (with a problem) when it is not one.
    mutating func option(_ line: EximLine, section: String) -> EximOption? {
        let t = line.text
        var i = 0
        var name = ""
        var nameStart = 0
        func readName() {
            while i < t.count, t[i].properties.isWhitespace { i += 1 }
            nameStart = i
            name = ""
            if i < t.count, t[i].isASCII, t[i].properties.isAlphabetic {
                while i < t.count, EximReader.isNameChar(t[i]) { name.unicodeScalars.append(t[i]); i += 1 }
            }
        }
        readName()
        if name == "hide" { readName() }
        guard !name.isEmpty else {
            problem("cannot read this line of the \(section): expected `name = value`", lineSpan(line))
            return nil
        }
        var negated = false
        var optionName = name
        if name.hasPrefix("no_") { negated = true; optionName = String(name.dropFirst(3)) } else if name.hasPrefix("not_") { negated = true; optionName = String(name.dropFirst(4)) }
        let nameSpan = span(of: line, nameStart..<i)
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        if i >= t.count {
            return EximOption(name: optionName, nameSpan: nameSpan, value: nil, valueSpan: nameSpan, raw: nil, negated: negated, line: lineSpan(line))
        }
        guard t[i] == "=" else {
            problem("cannot read option \"\(name)\" in the \(section): expected `=` after the name, found \"\(String(String.UnicodeScalarView(t[i...])))\"", span(of: line, i..<t.count))
            return nil
        }
        i += 1
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        let valueRange = i..<t.count
        let valueSpan = valueRange.isEmpty ? nameSpan : span(of: line, valueRange)  // an empty value: point at the name
        if i < t.count, t[i] == "\"" {
            guard let value = dequote(line, from: i, option: optionName) else { return nil }
            return EximOption(name: optionName, nameSpan: nameSpan, value: value, valueSpan: valueSpan, raw: nil, negated: negated, line: lineSpan(line))
        }
        let raw = EximLine(text: Array(t[valueRange]), origins: Array(line.origins[valueRange]))
        return EximOption(name: optionName, nameSpan: nameSpan, value: raw.string, valueSpan: valueSpan, raw: raw, negated: negated, line: lineSpan(line))
    }

    /// Exim's `string_dequote` for a quoted option value: backslash escapes, the closing quote, nothing after it.
    mutating func dequote(_ line: EximLine, from start: Int, option: String) -> String? {
        let t = line.text
        var out = String.UnicodeScalarView()
        var i = start + 1
        while i < t.count, t[i] != "\"" {
            if t[i] == "\\", i + 1 < t.count {
                i += 1
                let c = t[i]
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "v": out.append("\u{0B}")
                case "f": out.append("\u{0C}")
                case "e": out.append("\u{1B}")
                case "x":
                    var digits = ""
                    while digits.count < 2, i + 1 < t.count, t[i + 1].properties.isASCIIHexDigit { digits.unicodeScalars.append(t[i + 1]); i += 1 }
                    if let v = UInt32(digits, radix: 16), let s = Unicode.Scalar(v) { out.append(s) } else { out.append("x") }
                case "0"..."7":
                    var digits = String(c)
                    while digits.count < 3, i + 1 < t.count, ("0"..."7").contains(t[i + 1]) { digits.unicodeScalars.append(t[i + 1]); i += 1 }
                    if let v = UInt32(digits, radix: 8), let s = Unicode.Scalar(v) { out.append(s) }
                default: out.append(c)
                }
            } else {
                out.append(t[i])
            }
            i += 1
        }
        guard i < t.count else {
            problem("missing quote at end of string value for \(option); Exim refuses this file", span(of: line, start..<t.count))
            return nil
        }
        i += 1
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        if i < t.count {
            let comment = t[i] == "#" ? " (# starts a comment only at the start of a line)" : ""
            problem("extra characters follow the string value for \(option)\(comment); Exim refuses this file", span(of: line, i..<t.count))
            return nil
        }
        return String(out)
    }

    /// An Exim list (`a : b`, `<; a ; b`, `::` for a literal colon): items with their spans.
    func listItems(_ option: EximOption) -> [(text: String, span: SourceSpan)] {
        guard let value = option.value else { return [] }
        guard let raw = option.raw else {
            return EximReader.splitList(Array(value.unicodeScalars)).map { (String(String.UnicodeScalarView($0.text)), option.valueSpan) }
        }
        return EximReader.splitList(raw.text).map { item in
            (String(String.UnicodeScalarView(item.text)), span(of: raw, item.range))
        }
    }

    static func splitList(_ t: [Unicode.Scalar]) -> [(text: [Unicode.Scalar], range: Range<Int>)] {
        var i = 0
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        var separator: Unicode.Scalar = ":"
        if i + 1 < t.count, t[i] == "<", !t[i + 1].properties.isWhitespace, !(t[i + 1].isASCII && (t[i + 1].properties.isAlphabetic || ("0"..."9").contains(t[i + 1]))) {
            separator = t[i + 1]
            i += 2
        }
        var items: [(text: [Unicode.Scalar], range: Range<Int>)] = []
        var current: [Unicode.Scalar] = []
        var start = i
        var end = i
        func flush() {
            var a = 0, b = current.count
            while a < b, current[a].properties.isWhitespace { a += 1 }
            while b > a, current[b - 1].properties.isWhitespace { b -= 1 }
            // positions: trim the recorded range the same way (only leading/trailing blanks differ)
            var ra = start, rb = end
            while ra < rb, t[ra].properties.isWhitespace { ra += 1 }
            while rb > ra, t[rb - 1].properties.isWhitespace { rb -= 1 }
            if a < b { items.append((Array(current[a..<b]), ra..<rb)) }
            current = []
        }
        while i < t.count {
            if t[i] == separator {
                if i + 1 < t.count, t[i + 1] == separator {
                    current.append(separator)
                    i += 2
                    end = i
                    continue
                }
                end = i
                flush()
                i += 1
                start = i
                end = i
                continue
            }
            current.append(t[i])
            i += 1
            end = i
        }
        flush()
        return items
    }
}
