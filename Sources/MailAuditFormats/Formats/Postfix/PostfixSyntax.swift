import Foundation
import MailAuditCore

/// One `name = value` of main.cf, or one `-o name=value` of master.cf.
struct PostfixAssignment {
    var name: String
    var value: String
    /// The value (for an empty value, the name).
    var span: SourceSpan
    /// Written under a template condition (`%{x}` prefix, inside `{% if %}`): it may not be in the rendered file.
    var conditional: Bool
}

/// One master.cf service line with its `-o` overrides.
struct PostfixService {
    var name: String
    var nameSpan: SourceSpan
    var type: String
    var command: String
    var location: SourceSpan
    var overrides: [PostfixAssignment]
}

/// Logical lines of Postfix files: a line starting with whitespace continues the previous one, `#` lines
/// (indented ones too) are comments, blank lines are skipped without ending a logical line.
enum PostfixLexer {
    struct Segment {
        var line: Int
        /// 1-based column of `text`'s first scalar.
        var column: Int
        var text: [Unicode.Scalar]
        /// Under a template condition (`%{x}` prefix, inside `{% if %}`): may not be in the rendered file.
        var conditional: Bool
    }

    struct LogicalLine {
        var segments: [Segment]
        var startsWithContinuation = false
        /// Whether the first line (the `name =`, the service line) is under a template condition.
        var conditional: Bool { segments[0].conditional }
        /// Whether any line of it is.
        var anyConditional: Bool { segments.contains { $0.conditional } }
    }

    /// The length of a modoboa-style `%{name}` condition prefix at the start of a line.
    static func conditionPrefix(_ line: Substring) -> Int? {
        guard line.hasPrefix("%{"), let close = line.firstIndex(of: "}") else { return nil }
        let name = line[line.index(line.startIndex, offsetBy: 2)..<close]
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return line.distance(from: line.startIndex, to: close) + 1
    }

    static func logicalLines(_ file: SourceFile) -> [LogicalLine] {
        var result: [LogicalLine] = []
        var current: LogicalLine?
        var jinjaDepth = 0
        for (index, raw) in file.lines.enumerated() {
            var scalars = Array(raw.unicodeScalars)
            var offset = 0
            var conditional = jinjaDepth > 0
            if let prefix = conditionPrefix(raw) {
                let scalarCount = raw.prefix(prefix).unicodeScalars.count
                scalars.removeFirst(scalarCount)
                offset = scalarCount
                conditional = true
            }
            if let directive = TemplateSyntax.jinjaDirective(raw) {
                switch directive {
                case .open: jinjaDepth += 1
                case .close: jinjaDepth = max(0, jinjaDepth - 1)
                case .middle, .other: break
                }
                continue
            }
            while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
            let leading = scalars.prefix { $0 == " " || $0 == "\t" }.count
            if leading == scalars.count { continue }                  // blank
            if scalars[leading] == "#" { continue }                   // comment, indented or not
            let segment = Segment(line: index + 1, column: offset + leading + 1, text: Array(scalars[leading...]), conditional: conditional)
            if leading > 0 {
                if current != nil {
                    current!.segments.append(segment)
                } else {
                    current = LogicalLine(segments: [segment], startsWithContinuation: true)
                }
            } else {
                if let c = current { result.append(c) }
                current = LogicalLine(segments: [segment])
            }
        }
        if let c = current { result.append(c) }
        return result
    }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }
}

/// The grammar of main.cf and master.cf: logical lines become assignments and service entries with the
/// spans of their values. What a value means, and what a `$name` in it expands to, is the resolver's.
struct PostfixSyntax {
    var diagnostics = Diagnostics()

    // MARK: main.cf

    /// Every `name = value` of main.cf, by name, in file order.
    mutating func mainAssignments(_ file: SourceFile) -> [String: [PostfixAssignment]] {
        var main: [String: [PostfixAssignment]] = [:]
        for logical in PostfixLexer.logicalLines(file) {
            let first = logical.segments[0]
            if logical.startsWithContinuation {
                diagnostics.report("this line starts with whitespace, so Postfix reads it as the continuation of a previous setting, but there is none before it", at: SourceSpan.at(file.path, line: first.line, column: first.column, length: first.text.count))
                continue
            }
            guard let eq = first.text.firstIndex(of: "=") else {
                let text = PostfixLexer.string(first.text)
                if TemplateSyntax.placeholder(in: text) != nil { continue }   // a template line that renders into something else
                diagnostics.report("missing '=' after attribute name: \"\(text)\" (postconf stops here: main.cf lines are `name = value`)", at: SourceSpan.at(file.path, line: first.line, column: first.column, length: first.text.count))
                continue
            }
            let nameScalars = first.text[..<eq]
            let name = PostfixLexer.string(nameScalars).trimmingCharacters(in: .whitespaces)
            let nameSpan = SourceSpan.at(file.path, line: first.line, column: first.column, length: max(1, name.unicodeScalars.count))
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" || $0 == "." }) else {
                if TemplateSyntax.placeholder(in: name) != nil { continue }
                diagnostics.report("'\(name)' is not a parameter name: main.cf lines are `name = value`", at: nameSpan)
                continue
            }
            // The value: after '=' on the first line, then every continuation line, joined by one space.
            var pieces: [(line: Int, column: Int, text: [Unicode.Scalar])] = []
            let rest = first.text[(eq + 1)...]
            let restLeading = rest.prefix { $0 == " " || $0 == "\t" }.count
            if restLeading < rest.count {
                pieces.append((first.line, first.column + (eq + 1 - first.text.startIndex) + restLeading, Array(rest.dropFirst(restLeading))))
            }
            for segment in logical.segments.dropFirst() { pieces.append((segment.line, segment.column, segment.text)) }
            let value = pieces.map { PostfixLexer.string($0.text) }.joined(separator: " ")
            let span: SourceSpan
            if let head = pieces.first, let tail = pieces.last {
                span = SourceSpan(path: file.path, line: head.line, column: head.column, endLine: tail.line, endColumn: tail.column + tail.text.count)
            } else {
                span = nameSpan
            }
            main[name, default: []].append(PostfixAssignment(name: name, value: value, span: span, conditional: logical.anyConditional))
        }
        return main
    }

    // MARK: master.cf

    struct Token {
        var text: String
        var line: Int
        var column: Int
        var endLine: Int
        var endColumn: Int
        var span: SourceSpan { SourceSpan(path: "", line: line, column: column, endLine: endLine, endColumn: endColumn) }
    }

    /// Splits a logical line into whitespace-separated tokens; `{ … }` is one token (Postfix ≥ 3.0).
    func tokens(_ logical: PostfixLexer.LogicalLine) -> (tokens: [Token], unbalanced: Token?) {
        var out: [Token] = []
        var braceStart: Token?
        var braceDepth = 0
        var braceText = ""
        for segment in logical.segments {
            var i = 0
            let s = segment.text
            while i < s.count {
                if s[i] == " " || s[i] == "\t" {
                    if braceDepth > 0 { braceText.unicodeScalars.append(" ") }
                    i += 1
                    continue
                }
                if braceDepth == 0 && s[i] != "{" {
                    let start = i
                    while i < s.count, s[i] != " ", s[i] != "\t" { i += 1 }
                    out.append(Token(text: PostfixLexer.string(s[start..<i]), line: segment.line, column: segment.column + start,
                                     endLine: segment.line, endColumn: segment.column + i))
                    continue
                }
                // inside or starting a brace group
                if braceDepth == 0 {
                    braceStart = Token(text: "", line: segment.line, column: segment.column + i, endLine: segment.line, endColumn: segment.column + i + 1)
                    braceText = ""
                }
                if s[i] == "{" { braceDepth += 1 }
                if s[i] == "}" { braceDepth -= 1 }
                braceText.unicodeScalars.append(s[i])
                i += 1
                if braceDepth == 0, var token = braceStart {
                    token.text = braceText
                    token.endLine = segment.line
                    token.endColumn = segment.column + i
                    out.append(token)
                    braceStart = nil
                }
            }
            if braceDepth > 0 { braceText.unicodeScalars.append(" ") }
        }
        return (out, braceDepth > 0 ? braceStart : nil)
    }

    /// Every service entry of master.cf with its `-o` overrides.
    mutating func services(_ file: SourceFile) -> [PostfixService] {
        var services: [PostfixService] = []
        func span(_ t: Token) -> SourceSpan { SourceSpan(path: file.path, line: t.line, column: t.column, endLine: t.endLine, endColumn: t.endColumn) }
        for logical in PostfixLexer.logicalLines(file) {
            let (tokens, unbalanced) = tokens(logical)
            if let unbalanced {
                diagnostics.report("unbalanced '{' in this master.cf entry: the `{ … }` group is never closed", at: span(unbalanced))
                continue
            }
            guard let head = tokens.first else { continue }
            if logical.startsWithContinuation {
                diagnostics.report("this line starts with whitespace, so Postfix reads it as part of a previous service entry, but there is none before it", at: span(head))
                continue
            }
            guard tokens.count >= 8 else {
                if TemplateSyntax.placeholder(in: head.text) != nil { continue }
                diagnostics.report("a master.cf service entry has 8 fields (service type private unpriv chroot wakeup maxproc command), this one has \(tokens.count)", at: span(head))
                continue
            }
            let first = logical.segments[0]
            let location = SourceSpan(path: file.path, line: first.line, column: first.column, endLine: first.line, endColumn: first.column + first.text.count)
            var service = PostfixService(name: head.text, nameSpan: span(head), type: tokens[1].text, command: (tokens[7].text as NSString).lastPathComponent,
                                         location: location, overrides: [])
            if !PostfixSniff.serviceTypes.contains(service.type), TemplateSyntax.placeholder(in: service.type) == nil {
                diagnostics.report("unknown service type '\(service.type)' (inet, unix, unix-dgram, fifo or pass)\(Suggestion.phrase(for: service.type, in: Array(PostfixSniff.serviceTypes)))", at: span(tokens[1]))
            }
            var index = 8
            while index < tokens.count {
                let token = tokens[index]
                var assignment: Token?
                if token.text == "-o" {
                    index += 1
                    guard index < tokens.count else {
                        diagnostics.report("`-o` at the end of the entry: it needs `name=value` after it", at: span(token))
                        break
                    }
                    assignment = tokens[index]
                } else if token.text.hasPrefix("-o"), token.text.count > 2 {
                    var t = token
                    t.text = String(token.text.dropFirst(2))
                    t.column += 2
                    assignment = t
                }
                index += 1
                guard let a = assignment else { continue }
                let conditional = logical.segments.first { $0.line == a.line }?.conditional ?? logical.conditional
                if let parsed = override(a, file: file, conditional: conditional) {
                    service.overrides.append(parsed)
                } else if TemplateSyntax.placeholder(in: a.text) == nil {
                    diagnostics.report("`-o \(a.text)` is not `name=value`", at: span(a))
                }
            }
            services.append(service)
        }
        return services
    }

    /// `name=value` or `{ name = value }` with the span of the value.
    func override(_ token: Token, file: SourceFile, conditional: Bool) -> PostfixAssignment? {
        var text = Array(token.text.unicodeScalars)
        var column = token.column
        if text.first == "{", text.last == "}" {
            text = Array(text.dropFirst().dropLast())
            column += 1
        }
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let name = PostfixLexer.string(text[..<eq]).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        var valueStart = eq + 1
        while valueStart < text.count, text[valueStart] == " " { valueStart += 1 }
        var valueEnd = text.count
        while valueEnd > valueStart, text[valueEnd - 1] == " " { valueEnd -= 1 }
        let value = PostfixLexer.string(text[valueStart..<valueEnd])
        let span: SourceSpan
        if token.line == token.endLine {
            span = value.isEmpty
                ? SourceSpan.at(file.path, line: token.line, column: column, length: name.unicodeScalars.count)
                : SourceSpan.at(file.path, line: token.line, column: column + valueStart, length: valueEnd - valueStart)
        } else {
            span = SourceSpan(path: file.path, line: token.line, column: token.column, endLine: token.endLine, endColumn: token.endColumn)
        }
        return PostfixAssignment(name: name, value: value, span: span, conditional: conditional)
    }
}
