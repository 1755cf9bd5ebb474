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
struct EximResolver {
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
    var diagnostics = Diagnostics()
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
        openKeys.append(EximResolver.key(for: file.path))
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

    // MARK: macros

    /// `NAME = value` or `NAME == value` at the start of a logical line (the caller checked the upper-case letter).
    mutating func defineMacro(_ line: EximLine) {
        let t = line.text
        var i = 0
        while i < t.count, EximResolver.isNameChar(t[i]) { i += 1 }
        let name = Array(t[0..<i])
        let nameSpan = span(of: line, 0..<i)
        while i < t.count, t[i].properties.isWhitespace { i += 1 }
        guard i < t.count, t[i] == "=" else {
            diagnostics.report("malformed macro definition: a line that starts with an upper-case letter defines a macro (`NAME = value`); Exim refuses this file", at: lineSpan(line))
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
                diagnostics.report("macro \"\(nameText)\" is already defined (use \"==\" to redefine it); Exim refuses this file", at: nameSpan)
            }
            return
        }
        if redefine {
            diagnostics.report("can't redefine an undefined macro \"\(nameText)\"; Exim refuses this file", at: nameSpan)
            return
        }
        if let shorter = macros.first(where: { $0.name.count < name.count && EximResolver.find($0.name, in: name, from: 0) != nil }) {
            diagnostics.report("\"\(nameText)\" cannot be defined as a macro because the earlier macro \"\(String(String.UnicodeScalarView(shorter.name)))\" is a substring of it; Exim refuses this file", at: nameSpan)
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
        let hasUpper = text[from...].contains(where: EximResolver.isUpper)
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
                   let candidates = EximResolver.builtins[String(String.UnicodeScalarView(text[p..<(p + 4)]))],
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
            while t < text.count, let p = EximResolver.find(macro.name, in: text, from: t) {
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
                    diagnostics.report("unexpected end of configuration: .endif missing for this .\(conditionStack.count == 1 ? "if" : "if (and \(conditionStack.count - 1) more)"); Exim refuses this file", at: conditionStack.last!.span)
                    conditionStack.removeAll()
                    conditionState = 0
                }
                if text.isEmpty { return nil }
                break
            }
            var start = 0
            while start < phys.count, phys[start].properties.isWhitespace { start += 1 }
            var from = start
            if text.isEmpty, start < phys.count, EximResolver.isUpper(phys[start]) {
                var i = start
                while i < phys.count, EximResolver.isNameChar(phys[i]) { i += 1 }
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
        for directive in EximResolver.directives {
            let name = Array(directive.name.unicodeScalars)
            let end = start + 1 + name.count
            guard end <= t.count, Array(t[(start + 1)..<end]) == name else { continue }
            if end < t.count, t[end] != " ", t[end] != "\t" { return false }
            let here = span(o[start], length: name.count + 1)
            if directive.pushPop > 0 {
                conditionStack.append((conditionState, here))
                conditionState = EximResolver.nextState[conditionState][macroFound ? directive.action1 : directive.action2]
            } else if conditionStack.isEmpty {
                diagnostics.report(".\(directive.name) without a matching .ifdef; Exim refuses this file", at: here)
            } else if directive.pushPop < 0 {
                conditionState = conditionStack.removeLast().state
            } else {
                conditionState = EximResolver.nextState[conditionState][macroFound ? directive.action1 : directive.action2]
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
            diagnostics.report("\(directive) needs an absolute path, found \"\(path)\"; Exim refuses this file", at: pathSpan)
            return true
        }
        let key = EximResolver.key(for: path)
        if openKeys.contains(key) {
            diagnostics.report("include loop: \(path) is already being read (\(openKeys.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")) → \((path as NSString).lastPathComponent)); not read again", at: pathSpan)
            return true
        }
        if stack.count >= EximResolver.maxIncludeDepth {
            diagnostics.report("\(directive) nested more than \(EximResolver.maxIncludeDepth) deep; \(path) not read", at: pathSpan)
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
            diagnostics.report("failed to open included configuration file \(path): \(error.message)", at: pathSpan)
        }
        return true
    }
}
