import Foundation
import MailAuditCore

/// Resolution streams over the statements: a `$name` means the value set so far, and an `!include` is
/// read where it stands, so sections, includes and expansion are one pass in file order.
extension DovecotParseState {
    // MARK: Reading

    /// Reads one file's statements in order: sections open and close, settings are recorded with the
    /// values `$name` has at that point, `!include`s are read where they stand.
    mutating func readFile(_ file: SourceFile) {
        let baseDepth = sections.count
        var jinjaDepth = 0
        let isTemplateFile = file.path.hasSuffix(".tpl")
        for line in DovecotSyntax.logicalLines(file) {
            let lineSpan = SourceSpan(path: file.path, line: line.number, column: line.column, endLine: line.number, endColumn: line.column + max(1, line.text.count))
            let statement = DovecotSyntax.statement(line, in: file)
            if case .template(let directive) = statement {
                switch directive {
                case .open: jinjaDepth += 1
                case .close: jinjaDepth = max(0, jinjaDepth - 1)
                case .middle, .other: break
                }
                continue
            }
            // A section opened inside a conditional one is itself marked conditional, so the innermost
            // tells for all of them (asking every open section on every line was quadratic in the depth).
            let conditional = jinjaDepth > 0 || sections.last?.conditional == true
            switch statement {
            case .template: continue
            case .include(let text):
                include(text, span: lineSpan, from: file)
            case .close:
                if sections.count > baseDepth { sections.removeLast() } else {
                    diagnostics.report("unexpected '}': no section is open here", at: lineSpan)
                }
            case .open(let name, let argument):
                sections.append(Section(name: name, argument: argument, span: lineSpan, conditional: conditional))
                openedSection(file: file)
            case .noAssignment:
                // `%protocols`, `{{ … }}`: a template line that renders into settings we cannot see.
                let text = DovecotSyntax.string(line.text)
                if TemplateSyntax.placeholder(in: text) != nil || text.hasPrefix("%") || conditional { continue }
                diagnostics.report("expecting '=' (Dovecot settings are `name = value`, sections `name [id] {`): '\(text)'", at: lineSpan)
            case .invalidKey(let key):
                if TemplateSyntax.placeholder(in: key) != nil || conditional { continue }
                diagnostics.report("'\(key)' is not a setting name", at: lineSpan)
            case .assignment(let key, let rawValue, let span):
                assign(key, rawValue, span: span, conditional: conditional, templateFile: isTemplateFile)
            }
        }
        if sections.count > baseDepth {
            let open = sections[baseDepth]
            diagnostics.report("missing '}': the section '\(open.name)\(open.argument.isEmpty ? "" : " " + open.argument)' opened here is not closed before the end of \((file.path as NSString).lastPathComponent)", at: open.span)
            sections.removeLast(sections.count - baseDepth)
        }
    }

    /// Records `service` and `inet_listener` blocks as they open.
    mutating func openedSection(file: SourceFile) {
        // Only `service` and `service { inet_listener }` declare anything here; looking at every open
        // section for each deeper one made deep nesting quadratic.
        guard sections.count <= 2 else { return }
        let names = sections.map(\.name)
        guard !sections.contains(where: { ["local", "remote", "local_name"].contains($0.name) }) else { return }
        let last = sections[sections.count - 1]
        if names == ["service"] {
            if serviceIndex[last.argument] == nil {
                serviceIndex[last.argument] = services.count
                services.append(DovecotService(name: last.argument, location: last.span))
            }
        } else if names == ["service", "inet_listener"], let s = serviceIndex[sections[0].argument] {
            if services[s].listenerIndex[last.argument] == nil {
                services[s].listenerIndex[last.argument] = services[s].listeners.count
                services[s].listeners.append(DovecotListener(name: last.argument, location: last.span))
            }
        }
    }

    mutating func assign(_ key: String, _ rawValue: String, span: SourceSpan, conditional: Bool, templateFile: Bool) {
        var value: String? = DovecotSyntax.unquote(rawValue)
        if conditional || rawValue.hasPrefix("<") || TemplateSyntax.placeholder(in: rawValue) != nil { value = nil }
        if templateFile, rawValue.range(of: #"%[A-Za-z_]"#, options: .regularExpression) != nil { value = nil }
        let names = sections.map(\.name)
        if sections.contains(where: { ["local", "remote", "local_name"].contains($0.name) }) { return }
        switch names {
        case []:
            if let v = value { value = expand(v) }
            current[key] = .some(value)
            record(DovecotAssignment(key: key, value: value, span: span, scope: .global, anchor: anchor))
        case ["protocol"]:
            let list = sections[0].argument.split(separator: " ").map(String.init)
            record(DovecotAssignment(key: key, value: value.map(expand), span: span, scope: .protocols(list)))
        case ["protocols"]:
            // 2.4 boolean list: `protocols { imap = yes }`.
            guard let on = value?.lowercased() else {
                record(DovecotAssignment(key: "protocols", value: nil, span: span, scope: .global))
                current["protocols"] = .some(nil)
                return
            }
            var list = (current["protocols"] ?? nil).map { $0.split(separator: " ").map(String.init) } ?? []
            list.removeAll { $0 == key }
            if on == "yes" { list.append(key) }
            let joined = list.joined(separator: " ")
            current["protocols"] = .some(joined)
            record(DovecotAssignment(key: "protocols", value: joined, span: span, scope: .global, anchor: anchor))
        case ["service", "inet_listener"]:
            guard let s = serviceIndex[sections[0].argument], let l = services[s].listenerIndex[sections[1].argument] else { return }
            if let previous = services[s].listeners[l].settings[key] { services[s].listeners[l].related[key, default: []].append(previous.span) }
            services[s].listeners[l].settings[key] = DovecotAssignment(key: key, value: value, span: span, scope: .other)
        default:
            return
        }
    }

    mutating func record(_ assignment: DovecotAssignment) {
        assignments.append(assignment)
        let key = assignment.key
        if key == "dovecot_config_version" || key == "auth_allow_cleartext" || key.hasPrefix("ssl_server_") { declares24 = true }
    }

    /// `$name` / `$SET:name` / `${name}` with the value set so far.
    func expand(_ text: String) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            var after = rest[rest.index(after: dollar)...]
            var braced = false
            if after.hasPrefix("{") { after = after.dropFirst(); braced = true }
            if after.hasPrefix("SET:") { after = after.dropFirst(4) }
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !name.isEmpty else { out += "$"; rest = rest[rest.index(after: dollar)...]; continue }
            out += (current[String(name)] ?? nil) ?? Self.defaults(version: version)[String(name)] ?? ""
            after = after.dropFirst(name.count)
            if braced, after.hasPrefix("}") { after = after.dropFirst() }
            rest = after
        }
        return (out + rest).trimmingCharacters(in: .whitespaces)
    }

    // MARK: Includes

    mutating func include(_ text: String, span: SourceSpan, from file: SourceFile) {
        let optional = text.hasPrefix("!include_try")
        var target = text.dropFirst(optional ? "!include_try".count : "!include".count).trimmingCharacters(in: .whitespaces)
        if target.hasPrefix("=") {
            // `!include_try = PATH` names a file called "= PATH": never there, so Dovecot goes on without it.
            if optional {
                setup.unfollowedIncludes.append(UnfollowedInclude(path: target, reason: .missing, span: span))
                return
            }
            diagnostics.report("`\(optional ? "!include_try" : "!include") = …`: the '=' is read as part of the path, so \(target.dropFirst().trimmingCharacters(in: .whitespaces)) is never included; write `\(optional ? "!include_try" : "!include") PATH`", at: span)
            return
        }
        target = DovecotSyntax.unquote(target)
        if target.isEmpty {
            diagnostics.report("`\(optional ? "!include_try" : "!include")` needs a path; Dovecot refuses the line", at: span)
            return
        }
        if target.contains("protocols.d") { sawProtocolsInclude = true }
        if TemplateSyntax.placeholder(in: target) != nil { return }
        // `~` and absolute paths go by the include policy (the same findings on every machine); a glob
        // is matched in the folder it names once that is located.
        let located = context.includePolicy.locate(target, from: file.path)
        guard let pattern = located.path, located.reason == nil else {
            setup.unfollowedIncludes.append(UnfollowedInclude(path: target, resolved: located.path, reason: located.reason ?? .missing, span: span))
            return
        }
        let matches = glob(pattern)
        if matches.isEmpty {
            // Dovecot stops on a missing `!include` ("No matches"), but a snapshot may just lack it: a note.
            if !optional { setup.unfollowedIncludes.append(UnfollowedInclude(path: target, resolved: pattern, reason: .missing, span: span)) }
            return
        }
        for path in matches {
            let key = standardized(path)
            if includeStack.contains(key) {
                diagnostics.report("include loop: '\(target)' includes \((file.path as NSString).lastPathComponent) again (through \(includeStack.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")))", at: span)
                continue
            }
            if includeStack.count > 20 {
                diagnostics.report("includes nested more than 20 deep at '\(target)'", at: span)
                continue
            }
            do {
                let included: SourceFile
                switch try context.read(path, written: target, at: span) {
                case .file(let file): included = file
                case .notFollowed(let unfollowed): setup.unfollowedIncludes.append(unfollowed); continue
                case .limitReached: continue
                }
                if !setup.includedFiles.contains(included.path) { setup.includedFiles.append(included.path) }
                includeStack.append(key)
                let outer = anchor
                if includeStack.count == 2 { anchor = span }
                readFile(included)
                anchor = outer
                includeStack.removeLast()
            } catch {
                // At the `!include` line: that is where the setup says to read it.
                diagnostics.report("cannot include '\(target)': \(error.message)", at: span)
            }
        }
    }

    /// Glob in the last path component (`conf.d/*.conf`), sorted like glob(3).
    func glob(_ pattern: String) -> [String] {
        guard !pattern.isEmpty else { return [] }  // Foundation's path functions trap on ""
        let name = (pattern as NSString).lastPathComponent
        let directory = pattern.folderPath
        guard name.contains(where: { "*?[".contains($0) }) else {
            return context.folders.isFile(pattern) ? [pattern] : []
        }
        guard let entries = context.folders.entries(directory.isEmpty ? "." : directory) else { return [] }
        var regex = "^"
        for c in name {
            switch c {
            case "*": regex += "[^/]*"
            case "?": regex += "[^/]"
            case "[", "]": regex += String(c)
            default: regex += NSRegularExpression.escapedPattern(for: String(c))
            }
        }
        regex += "$"
        return entries.filter { !$0.hasPrefix(".") && $0.range(of: regex, options: .regularExpression) != nil }.sorted()
            .map { directory.isEmpty ? $0 : (directory as NSString).appendingPathComponent($0) }
            .filter(context.folders.isFile)
    }
}
