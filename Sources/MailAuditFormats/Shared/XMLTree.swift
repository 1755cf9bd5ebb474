import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MailAuditCore

/// A small element tree read with Foundation's `XMLParser`, every element with its place in the
/// source: the `<` of its start tag, the span of its text, the spans of its attribute values.
/// Used by the XML formats (autoconfig, Autodiscover, property lists).
///
/// Positions: at `didStartElement`, libxml2 (behind `XMLParser` on Linux) reports the 1-based line
/// and the 1-based column, counted in Unicode scalars without a byte-order mark, of the `>` that
/// ends the start tag (of the `/` of `/>` for an empty element). From there the tree finds the
/// tag's `<` backwards (a `<` cannot occur inside a tag) and the element's text forwards.
struct XMLTree: Sendable {
    struct Element: Sendable {
        /// The local name (a `prefix:` is dropped).
        var name: String
        var attributes: [String: String]
        var children: [Element] = []
        /// The element's own character data (CDATA included), untrimmed.
        var text: String = ""
        /// The start tag, from `<` to just after `>`.
        var span: SourceSpan
        /// The text between the start and end tag, trimmed; nil when there is none.
        var textSpan: SourceSpan?
        /// The value of each attribute, without its quotes.
        var attributeSpans: [String: SourceSpan] = [:]
        /// False when a parse error stopped reading before the end tag.
        var isComplete = false

        var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
        /// Where a finding about this element's value points: its text, or the tag when it has none.
        var valueSpan: SourceSpan { textSpan ?? span }

        func child(_ name: String) -> Element? { children.first { $0.name == name } }
        func children(_ name: String) -> [Element] { children.filter { $0.name == name } }
        /// Every element below this one, depth first, in document order.
        func descendants(_ name: String) -> [Element] {
            var out: [Element] = []
            for c in children {
                if c.name == name { out.append(c) }
                out += c.descendants(name)
            }
            return out
        }
    }

    /// How deep elements may nest. Mail settings sit a few levels down (a profile's payload dict is
    /// at depth 5); a deeper document is hostile or broken, and building and tearing down a tree
    /// thousands of levels deep recurses past the stack.
    static let maxDepth = 256

    /// The document element, as far as it was read (also after an error).
    var root: Element?
    /// The first well-formedness error, with its line and column; the tree holds what came before it.
    var error: ParseProblem?

    /// Reads `file` as XML. External entities and DTDs are never loaded.
    static func parse(_ file: SourceFile) -> XMLTree {
        let builder = XMLTreeBuilder(file: file)
        let parser = XMLParser(data: Data(XMLTreeBuilder.neutralizedEncoding(file.text).utf8))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.delegate = builder
        let ok = parser.parse()
        if !ok, builder.error == nil {
            builder.recordError(parser.parserError, line: parser.lineNumber, column: parser.columnNumber)
        }
        return builder.finish()
    }
}

/// The delegate that builds the tree; one per parse.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    let file: SourceFile
    var stack: [XMLTree.Element] = []
    var root: XMLTree.Element?
    var error: ParseProblem?
    var errorCode = 0
    /// Every line's scalars, made in one pass over the file when the first tag is located.
    lazy var table = ScalarTable(file.lines)

    init(file: SourceFile) { self.file = file }

    /// The text is already UTF-8 (SourceFile checked it): a declaration naming another encoding
    /// would make libxml2 transcode it again. Blank that pseudo-attribute, keeping every column.
    static func neutralizedEncoding(_ text: String) -> String {
        guard text.hasPrefix("<?xml"), let end = text.range(of: "?>"),
              let enc = text.range(of: #"encoding\s*=\s*("[^"]*"|'[^']*')"#, options: .regularExpression, range: text.startIndex..<end.lowerBound)
        else { return text }
        let declared = text[enc].lowercased()
        if declared.contains("utf-8") || declared.contains("utf8") { return text }
        let blank = String(repeating: " ", count: text[enc].unicodeScalars.count)
        return text.replacingCharacters(in: enc, with: blank)
    }

    func scalars(_ line: Int) -> ScalarTable.Line { table.line(line) }

    /// The scalar at a 1-based position, nil past the line's end.
    func scalar(_ line: Int, _ column: Int) -> Unicode.Scalar? {
        let s = scalars(line)
        return column >= 1 && column <= s.count ? s[column - 1] : nil
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let line = parser.lineNumber, column = parser.columnNumber
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        var element = XMLTree.Element(name: local, attributes: attributeDict,
                                      span: SourceSpan(path: file.path, line: max(1, line), column: max(1, column)))
        locate(&element, qualifiedName: elementName, anchorLine: line, anchorColumn: column)
        if stack.count >= XMLTree.maxDepth {
            // Stop here: the tree keeps what came before, like after a well-formedness error.
            if error == nil {
                error = ParseProblem("elements nested more than \(XMLTree.maxDepth) deep at line \(element.span.line), column \(element.span.column); mailaudit reads no further",
                                     path: file.path, span: SourceSpan(path: file.path, line: element.span.line, column: element.span.column))
            }
            parser.abortParsing()
            return
        }
        stack.append(element)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard var element = stack.popLast() else { return }
        element.isComplete = true
        attach(element)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        guard error == nil else { return }
        recordError(parseError, line: parser.lineNumber, column: parser.columnNumber)
    }

    func recordError(_ raw: Error?, line: Int, column: Int) {
        let code = (raw as NSError?)?.code ?? 0
        errorCode = code
        let line = min(max(1, line), max(1, file.lines.count))
        let column = max(1, column)
        var message = "not well-formed XML at line \(line), column \(column): \(XMLTreeBuilder.describe(code))"
        let excerpt = file.lines.isEmpty ? "" : file.lines[line - 1].trimmingCharacters(in: .whitespaces)
        if !excerpt.isEmpty { message += " (in `\(excerpt.count > 80 ? String(excerpt.prefix(77)) + "..." : excerpt)`)" }
        error = ParseProblem(message, path: file.path, span: SourceSpan(path: file.path, line: line, column: column))
    }

    func attach(_ element: XMLTree.Element) {
        if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
    }

    func finish() -> XMLTree {
        // After an error, keep what was read: open elements become incomplete children of their parents.
        while let open = stack.popLast() { attach(open) }
        // libxml2 calls a file without any element "extra content" (5) or "empty" (4): say what it is.
        if root == nil, var error, [4, 5].contains(errorCode) {
            error.message = "the document is empty: it holds no XML element (only whitespace, comments or a declaration)"
            self.error = error
        }
        return XMLTree(root: root, error: error)
    }

    // MARK: positions

    /// Finds the tag's `<` before the anchor, the text after it and the attribute values inside it.
    func locate(_ element: inout XMLTree.Element, qualifiedName: String, anchorLine: Int, anchorColumn: Int) {
        var endLine = anchorLine, endColumn = anchorColumn
        var isEmpty = false
        switch scalar(anchorLine, anchorColumn) {
        case ">": break
        case "/" where scalar(anchorLine, anchorColumn + 1) == ">": isEmpty = true; endColumn += 1
        default:
            // Not where libxml2 said: find the tag by name on that line instead.
            guard let found = findTag(qualifiedName, onOrBefore: anchorLine) else { return }
            (endLine, endColumn, isEmpty) = found
        }
        guard let (startLine, startColumn) = findOpening(beforeLine: endLine, column: endColumn, name: qualifiedName) else { return }
        element.span = SourceSpan(path: file.path, line: startLine, column: startColumn, endLine: endLine, endColumn: endColumn + 1)
        element.attributeSpans = attributeSpans(fromLine: startLine, column: startColumn, toLine: endLine, column: endColumn)
        if !isEmpty { element.textSpan = textSpan(afterLine: endLine, column: endColumn) }
    }

    /// The `<` that opens the tag ending at (line, column), checked to be followed by the name.
    func findOpening(beforeLine line: Int, column: Int, name: String) -> (Int, Int)? {
        var l = line, c = column - 1
        var budget = 100_000
        while l >= 1, budget > 0 {
            let s = scalars(l)
            if c > s.count { c = s.count }
            while c >= 1 {
                if s[c - 1] == "<" {
                    let after = String(String.UnicodeScalarView(s[c...].prefix(name.unicodeScalars.count)))
                    return after == name ? (l, c) : nil
                }
                c -= 1
                budget -= 1
            }
            l -= 1
            c = Int.max
        }
        return nil
    }

    /// Fallback when the reported column does not point at a tag end: the first `<name` on the
    /// line (or the line before), and the `>` after it.
    func findTag(_ name: String, onOrBefore line: Int) -> (Int, Int, Bool)? {
        for l in [line, line - 1] where l >= 1 {
            let s = scalars(l)
            let n = Array(name.unicodeScalars)
            var c = 0
            while c + n.count < s.count {
                if s[c] == "<", Array(s[(c + 1)..<(c + 1 + n.count)]) == n {
                    let next = c + 1 + n.count < s.count ? s[c + 1 + n.count] : " "
                    if next == " " || next == "\t" || next == ">" || next == "/" {
                        var e = c + 1 + n.count
                        var quote: Unicode.Scalar?
                        while e < s.count {
                            let ch = s[e]
                            if let q = quote { if ch == q { quote = nil } } else if ch == "\"" || ch == "'" { quote = ch } else if ch == ">" {
                                let empty = e > 0 && s[e - 1] == "/"
                                return (l, empty ? e : e + 1, empty)
                            }
                            e += 1
                        }
                        return nil
                    }
                }
                c += 1
            }
        }
        return nil
    }

    /// The element's text after the `>` at (line, column): from the first non-blank scalar to the
    /// last one before the next `<` (a CDATA section's content counts as text).
    func textSpan(afterLine line: Int, column: Int) -> SourceSpan? {
        var l = line, c = column + 1
        var start: (Int, Int)?
        var last: (Int, Int)?
        var budget = 1_000_000
        while l <= file.lines.count, budget > 0 {
            let s = scalars(l)
            while c <= s.count {
                budget -= 1
                let ch = s[c - 1]
                if ch == "<" {
                    let rest = String(String.UnicodeScalarView(s[(c - 1)...].prefix(9)))
                    if rest == "<![CDATA[" {
                        // The CDATA content up to `]]>` (on this line) is the text.
                        let body = c + 9
                        var e = body
                        while e + 2 <= s.count, !(s[e - 1] == "]" && s[e] == "]" && s[e + 1] == ">") { e += 1 }
                        if start == nil { start = (l, body) }
                        last = (l, max(body, e - 1))
                        c = e + 3
                        continue
                    }
                    guard let start, let last else { return nil }
                    return SourceSpan(path: file.path, line: start.0, column: start.1, endLine: last.0, endColumn: last.1 + 1)
                }
                if !(ch == " " || ch == "\t" || ch == "\r") {
                    if start == nil { start = (l, c) }
                    last = (l, c)
                }
                c += 1
            }
            l += 1
            c = 1
        }
        return nil
    }

    /// The spans of attribute values (without quotes) inside a start tag.
    func attributeSpans(fromLine: Int, column: Int, toLine: Int, column endColumn: Int) -> [String: SourceSpan] {
        // The tag as (line, column, scalar), from the `<` to the `>`.
        var tag: [(Int, Int, Unicode.Scalar)] = []
        for l in fromLine...toLine {
            let s = scalars(l)
            let first = l == fromLine ? column : 1
            let last = l == toLine ? min(endColumn, s.count) : s.count
            if first <= last { for c in first...last { tag.append((l, c, s[c - 1])) } }
            if l != toLine { tag.append((l, s.count + 1, "\n")) }
        }
        func isBlank(_ ch: Unicode.Scalar) -> Bool { ch == " " || ch == "\t" || ch == "\r" || ch == "\n" }
        var i = 1
        while i < tag.count, !isBlank(tag[i].2), tag[i].2 != ">", tag[i].2 != "/" { i += 1 }  // the element name
        var spans: [String: SourceSpan] = [:]
        while i < tag.count {
            while i < tag.count, isBlank(tag[i].2) { i += 1 }
            var name = ""
            while i < tag.count, !isBlank(tag[i].2), tag[i].2 != "=", tag[i].2 != ">", tag[i].2 != "/" {
                name.unicodeScalars.append(tag[i].2)
                i += 1
            }
            while i < tag.count, isBlank(tag[i].2) || tag[i].2 == "=" { i += 1 }
            guard !name.isEmpty, i < tag.count, tag[i].2 == "\"" || tag[i].2 == "'" else {
                i += 1
                continue
            }
            let quote = tag[i].2
            let open = i
            i += 1
            while i < tag.count, tag[i].2 != quote { i += 1 }
            guard i < tag.count else { break }
            let key = name.split(separator: ":").last.map(String.init) ?? name
            let begin = open + 1 < tag.count ? tag[open + 1] : tag[open]
            spans[key] = SourceSpan(path: file.path, line: begin.0, column: begin.1, endLine: tag[i].0, endColumn: tag[i].1)
            i += 1
        }
        return spans
    }

    /// What libxml2's error numbers (the `XMLParser.ErrorCode` raw values) mean, in words.
    static func describe(_ code: Int) -> String {
        switch code {
        case 4: return "the document is empty (no element)"
        case 5: return "extra content after the document element"
        case 9: return "a character that XML does not allow"
        case 23: return "an entity reference without its ';'"
        case 26, 27: return "a reference to an undeclared entity (in XML only &amp; &lt; &gt; &quot; &apos; exist; write & as &amp;)"
        case 38: return "'<' inside an attribute value"
        case 39, 40, 41: return "a malformed attribute"
        case 42: return "an attribute written twice"
        case 45: return "a comment that is not closed with -->"
        case 56, 57: return "a malformed XML declaration"
        case 63: return "a CDATA section that is not closed with ]]>"
        case 64: return "an XML declaration that is not at the very start of the file"
        case 65: return "a space is required here"
        case 68: return "an element name is required after '<' (a name starts with a letter or '_')"
        case 73: return "'>' is required to close the tag"
        case 74: return "'</' is required here"
        case 76: return "an end tag that does not match the open element"
        case 77: return "an element that is not closed (the file ends inside it)"
        case 80: return "'--' inside a comment"
        case 85: return "the elements are not balanced"
        case 86: return "extra content at the end of the document"
        case 89: return "recursive or exponentially expanding entities (refused)"
        default: return code == 0 ? "the parser stopped" : "libxml2 error \(code)"
        }
    }
}

/// The scalars of every line of a file in one array, with where each line starts: positions are
/// looked up by (line, column) without a String index walk or an array per line.
struct ScalarTable {
    private let scalars: [Unicode.Scalar]
    /// Line n (1-based) is scalars[starts[n - 1] ..< starts[n]].
    private let starts: [Int]

    init(_ lines: [Substring]) {
        var scalars: [Unicode.Scalar] = []
        var starts = [0]
        starts.reserveCapacity(lines.count + 1)
        for line in lines {
            scalars.append(contentsOf: line.unicodeScalars)
            starts.append(scalars.count)
        }
        self.scalars = scalars
        self.starts = starts
    }

    /// A line's scalars, indexed from 0; empty outside the file.
    func line(_ number: Int) -> Line {
        guard number >= 1, number < starts.count else { return Line(scalars: scalars, start: 0, count: 0) }
        return Line(scalars: scalars, start: starts[number - 1], count: starts[number] - starts[number - 1])
    }

    struct Line: RandomAccessCollection {
        let scalars: [Unicode.Scalar]
        let start: Int
        let count: Int
        var startIndex: Int { 0 }
        var endIndex: Int { count }
        subscript(position: Int) -> Unicode.Scalar { scalars[start + position] }
    }
}

/// Cheap looks at XML inputs, shared by the XML formats.
enum XMLSniff {
    /// The name of the document element, found without parsing: the first `<name` that is not a
    /// declaration, comment, processing instruction or DOCTYPE (within the first 64 KB).
    static func rootName(of file: SourceFile) -> String? {
        var rest = Substring(file.text.prefix(65_536))
        while let lt = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: lt)...]
            if rest.hasPrefix("?") {
                guard let end = rest.range(of: "?>") else { return nil }
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("!--") {
                guard let end = rest.range(of: "-->") else { return nil }
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("!") {
                // DOCTYPE, possibly with an internal subset in brackets
                var depth = 0
                var index = rest.startIndex
                while index < rest.endIndex {
                    let ch = rest[index]
                    if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 } else if ch == ">", depth <= 0 { break }
                    index = rest.index(after: index)
                }
                guard index < rest.endIndex else { return nil }
                rest = rest[rest.index(after: index)...]
            } else {
                let name = rest.prefix { !($0 == " " || $0 == ">" || $0 == "/" || $0 == "\t" || $0 == "\n" || $0 == "\r") }
                guard !name.isEmpty else { return nil }
                return name.split(separator: ":").last.map(String.init)
            }
        }
        return nil
    }

    /// A whole value that is a template placeholder: `%EMAILADDRESS%`, `%SERVER/IMAP/PORT%`.
    static func isPlaceholder(_ text: String) -> Bool {
        text.count >= 3 && text.hasPrefix("%") && text.hasSuffix("%") && !text.dropFirst().dropLast().contains("%")
    }
}
