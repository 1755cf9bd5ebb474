import MailAuditCore

extension ConfigFormat {
    /// Parses a file as the pipeline does: the parser's setup, with the secret spans of every file it
    /// read completed by `SecretScanner`, and a redactor that knows those secrets' text (which stays
    /// out of the model) so every output can mask them.
    public func read(_ file: SourceFile, context: ParseContext) -> (setup: MailSetup, redactor: SecretRedactor) {
        var setup = parse(file, context: context)
        if setup.modelledProgram == nil { setup.modelledProgram = context.versions.modelledProgram(format: id) }
        var files = [file.path: file]
        for path in setup.includedFiles where files[path] == nil {
            if let included = try? context.readFile(path) { files[path] = included; files[included.path] = included }
        }
        var seen = Set(setup.secrets)
        for source in Set(files.values.map(\.path)).sorted().compactMap({ files[$0] }) {
            for span in SecretScanner.spans(in: source, notKeys: setup.notSecretKeys) where seen.insert(span).inserted { setup.secrets.append(span) }
        }
        // A comment's "secret" is mostly prose ("the password from the server"): it is masked in its
        // line, but its words are not looked for in messages.
        var redactor = SecretRedactor()
        for span in setup.secrets {
            guard let file = files[span.path], !isComment(file, line: span.line), let text = file.text(of: span) else { continue }
            redactor.add(text, path: span.path)
            if span.endLine > span.line { for line in text.split(separator: "\n") { redactor.add(line, path: span.path) } }
        }
        return (setup, redactor)
    }

    func isComment(_ file: SourceFile, line: Int) -> Bool {
        guard line >= 1, line <= file.lines.count else { return false }
        let text = file.lines[line - 1].drop { $0 == " " || $0 == "\t" }
        return commentMarkers.contains { text.hasPrefix($0) }
    }
}

extension SourceFile {
    /// The text a span covers (a span over several lines: their text joined by newlines).
    func text(of span: SourceSpan) -> String? {
        guard span.line >= 1, span.line <= lines.count else { return nil }
        var parts: [String] = []
        for number in span.line...min(span.endLine, lines.count) {
            let scalars = Array(lines[number - 1].unicodeScalars)
            let start = number == span.line ? min(max(0, span.column - 1), scalars.count) : 0
            let end = number == span.endLine ? min(max(start, span.endColumn - 1), scalars.count) : scalars.count
            var part = ""
            part.unicodeScalars.append(contentsOf: scalars[start..<end])
            parts.append(part)
        }
        return parts.joined(separator: "\n")
    }
}
