import Foundation
import MailAuditCore

/// Finds `mailaudit: disable=ID[,ID] reason="…" until=YYYY-MM-DD` (and `disable-file=`) in a file's
/// comments, whatever the format's comment syntax.
public enum InlineSuppressions {
    public static func scan(_ file: SourceFile, commentMarkers: [String]) -> [SuppressionComment] {
        guard !commentMarkers.isEmpty, file.contains("mailaudit:") else { return [] }
        var out: [SuppressionComment] = []
        for (index, line) in file.lines.enumerated() where line.containsBytes("mailaudit:") {
            guard let comment = commentStart(in: line, markers: commentMarkers) else { continue }
            let body = line[comment.body...]
            guard let tag = body.range(of: "mailaudit:") else { continue }
            let lineNumber = index + 1
            let column = line[..<comment.marker].unicodeScalars.count + 1
            let directive = parseDirective(String(body[tag.upperBound...]))
            guard let (kind, ids) = directive.ids else { continue }
            let codeBefore = line[..<comment.marker].trimmingCharacters(in: .whitespaces)
            let scope: SuppressionComment.Scope = kind == "disable-file" ? .file : (codeBefore.isEmpty ? .nextLine : .sameLine)
            let covered = scope == .sameLine ? lineNumber : nextContentLine(after: lineNumber, in: file, markers: commentMarkers)
            let span = SourceSpan(path: file.path, line: lineNumber, column: column, endLine: lineNumber,
                                  endColumn: line.unicodeScalars.count + 1)
            out.append(SuppressionComment(ruleIds: ids, reason: directive.reason, until: directive.until, scope: scope,
                                          span: span, coveredLine: covered))
        }
        return out
    }

    /// The first line after `line` that is not blank and not only a comment.
    static func nextContentLine(after line: Int, in file: SourceFile, markers: [String]) -> Int {
        var n = line + 1
        while n <= file.lines.count {
            let text = file.lines[n - 1].trimmingCharacters(in: .whitespaces)
            if !text.isEmpty, !markers.contains(where: { text.hasPrefix($0) }) { return n }
            n += 1
        }
        return line + 1
    }

    static func commentStart(in line: Substring, markers: [String]) -> (marker: Substring.Index, body: Substring.Index)? {
        var best: (Substring.Index, Substring.Index)?
        for marker in markers {
            guard let r = line.range(of: marker) else { continue }
            if best == nil || r.lowerBound < best!.0 { best = (r.lowerBound, r.upperBound) }
        }
        return best
    }

    struct Directive {
        var ids: (String, [String])?
        var reason: String?
        var until: String?
    }

    static func parseDirective(_ text: String) -> Directive {
        var d = Directive()
        var rest = Substring(text)
        while let eq = rest.firstIndex(of: "=") {
            let key = rest[..<eq].trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: eq)...]
            var value: String
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = String(rest[..<end])
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[end...]
            } else {
                let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            value = value.trimmingCharacters(in: CharacterSet(charactersIn: " -->*/"))
            switch key {
            case "disable", "disable-file":
                d.ids = (key, value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            case "reason": d.reason = value
            case "until": d.until = value
            default: break
            }
        }
        return d
    }
}
