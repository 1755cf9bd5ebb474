import Foundation
import MailAuditCore

/// The variables as `set`/`unset`/`source`/hooks leave them: synonyms, defaults, `$name` expansion, and
/// the commands that change them, run in file order with `source` followed where it stands.
extension MuttParseState {
    // MARK: - Variables

    /// NeoMutt's names and mutt's old synonyms, mapped to the mutt names this reader uses.
    static let synonyms: [String: String] = [
        "crypt_auto_encrypt": "crypt_autoencrypt", "pgp_autoencrypt": "crypt_autoencrypt",
        "crypt_auto_sign": "crypt_autosign", "pgp_autosign": "crypt_autosign",
        "crypt_auto_pgp": "crypt_autopgp", "crypt_auto_smime": "crypt_autosmime",
        "crypt_reply_encrypt": "crypt_replyencrypt", "pgp_replyencrypt": "crypt_replyencrypt",
        "spool_file": "spoolfile", "real_name": "realname", "pgp_sign_as": "pgp_sign_as",
        "pgp_default_key": "pgp_default_key", "smime_default_key": "smime_default_key",
        "pgp_use_gpg_agent": "pgp_use_gpg_agent", "crypt_use_gpgme": "crypt_use_gpgme",
        "smime_sign_as": "smime_sign_as", "pgp_self_encrypt": "crypt_self_encrypt",
        "crypt_opportunistic_encrypt": "crypt_opportunistic_encrypt",
    ]

    static let booleans: Set<String> = [
        "ssl_force_tls", "ssl_verify_host", "ssl_verify_dates", "ssl_use_sslv3", "ssl_use_tlsv1", "ssl_use_tlsv1_1",
        "ssl_use_tlsv1_2", "ssl_use_tlsv1_3", "tunnel_is_secure", "crypt_autoencrypt", "crypt_opportunistic_encrypt",
        "smime_is_default", "crypt_use_gpgme", "crypt_autosign", "crypt_autopgp", "crypt_autosmime", "crypt_replyencrypt",
        "ssl_usesystemcerts", "ssl_use_system_certs", "pop_auth_try_all", "imap_passive", "crypt_self_encrypt", "autocrypt",
    ]
    static let quads: Set<String> = ["ssl_starttls"]

    static let defaults: [String: String] = [
        "ssl_force_tls": "yes", "ssl_starttls": "yes", "ssl_verify_host": "yes", "ssl_verify_dates": "yes",
        "ssl_use_sslv3": "no", "ssl_use_tlsv1": "no", "ssl_use_tlsv1_1": "no", "ssl_use_tlsv1_2": "yes",
        "ssl_use_tlsv1_3": "yes", "tunnel_is_secure": "yes", "crypt_autoencrypt": "no",
        "crypt_opportunistic_encrypt": "no", "smime_is_default": "no", "crypt_autopgp": "yes", "crypt_autosmime": "yes",
        "crypt_replyencrypt": "yes", "folder": "~/Mail", "crypt_use_gpgme": "no", "crypt_autosign": "no",
    ]

    static func canonical(_ name: String) -> String { synonyms[name] ?? name }

    func value(_ name: String) -> MuttValue {
        vars[name] ?? MuttValue(text: defaultValue(name))
    }

    /// The built-in value of the modelled release: mutt before 2.0 leaves `ssl_force_tls` unset.
    func defaultValue(_ name: String) -> String {
        if name == "ssl_force_tls", context.versions.isBefore("mutt", "2.0") { return "no" }
        return Self.defaults[name] ?? ""
    }

    func text(_ name: String) -> String? { value(name).text }

    func isOn(_ name: String) -> Bool? {
        guard let t = text(name)?.lowercased() else { return nil }
        switch t {
        case "yes", "set", "on", "true", "ask-yes": return true
        case "no", "unset", "off", "false", "ask-no", "": return false
        default: return nil
        }
    }

    /// `$name` in a value: the environment first (as mutt does), then a variable of the file.
    static func expansion(_ name: String, vars: [String: MuttValue], environment: [String: String]) -> (String, Bool)? {
        if let env = environment[name] { return (env, false) }
        let key = canonical(name)
        if MuttVariables.known.contains(name) || name.hasPrefix("my_") || vars[key] != nil {
            let v = vars[key] ?? MuttValue(text: defaults[key] ?? "")
            if v.fromCommand || v.text == nil { return ("", true) }
            return (v.text ?? "", false)
        }
        return nil
    }

    /// An expansion closure over the variables as they are now (only the small dictionary is captured).
    var expander: (String) -> (String, Bool)? {
        let snapshot = vars, environment = context.environment
        return { Self.expansion($0, vars: snapshot, environment: environment) }
    }

    // MARK: - Reading files

    mutating func read(_ file: SourceFile) {
        stack.append(file.path)
        defer { stack.removeLast() }
        for line in MuttLine.lines(of: file) {
            run(line)
        }
    }

    mutating func run(_ line: MuttLine) {
        var tokenizer = MuttTokenizer(line: line, expand: expander)
        while tokenizer.nextCommand() {
            let command = tokenizer.token()
            if command.text.isEmpty { tokenizer.skipCommand(); continue }
            let commandStart = command.start
            // Expansion must see the variables set by earlier commands on the same line.
            tokenizer.expand = expander
            switch command.text {
            case "set", "unset", "toggle", "reset":
                setCommand(command.text, &tokenizer, commandStart: commandStart)
            case "source":
                sourceCommand(&tokenizer, commandStart: commandStart)
            case "mailboxes", "named-mailboxes", "virtual-mailboxes":
                mailboxesCommand(command.text, &tokenizer)
            case "account-hook", "folder-hook", "send-hook", "send2-hook", "reply-hook", "message-hook":
                hookCommand(command.text, &tokenizer, commandStart: commandStart)
            case "ifdef", "ifndef":
                // `ifdef feature 'commands'`: read the commands as if the feature were there.
                _ = tokenizer.token()
                if tokenizer.moreArgs() {
                    let body = tokenizer.token()
                    if command.text == "ifdef" { runNested(body, in: tokenizer.line) }
                }
            default:
                tokenizer.skipCommand()
            }
            for p in tokenizer.problems { diagnostics.report(p.message, at: line.position(p.index)) }
            tokenizer.problems = []
            tokenizer.expand = expander
        }
        for p in tokenizer.problems { diagnostics.report(p.message, at: line.position(p.index)) }
    }

    /// Commands written inside a quoted argument (hooks, `ifdef`): read them as their own line,
    /// positioned where they are written when the quoting left them column for column.
    mutating func runNested(_ token: MuttToken, in line: MuttLine) {
        let inner: MuttLine
        let raw = Array(token.text.unicodeScalars)
        let written = Array(line.scalars[token.start..<token.end])
        if written.count == raw.count + 2, written.first == written.last, written.first == "'" || written.first == "\"" {
            inner = MuttLine(scalars: raw, positions: Array(line.positions[(token.start + 1)...(token.end - 1)]), path: line.path)
        } else {
            let p = line.positions[token.start]
            inner = MuttLine(scalars: raw, positions: Array(repeating: p, count: raw.count + 1), path: line.path)
        }
        let was = inHook
        inHook = true
        run(inner)
        inHook = was
    }

    mutating func setCommand(_ verb: String, _ t: inout MuttTokenizer, commandStart: Int) {
        while t.moreArgs() {
            var nameToken = t.token(stop: .equals)
            var name = nameToken.text
            let nameSpan = t.line.span(from: nameToken.start, to: nameToken.end)
            var action = verb
            if verb == "set" {
                if name.hasPrefix("&") { action = "reset"; name.removeFirst() }
                else if name.hasPrefix("?") { action = "query"; name.removeFirst() }
            }
            if name.isEmpty {
                diagnostics.report("`\(verb)` needs a variable name", at: nameSpan)
                t.skipCommand()
                return
            }
            if name == "all", action == "reset" || verb == "unset" {
                vars = [:]
                continue
            }
            var known = MuttVariables.known.contains(name) || name.hasPrefix("my_")
            if !known, verb == "set" || verb == "unset" || verb == "toggle" {
                // `set novar` unsets, `set invvar` toggles (booleans and quad-options).
                for prefix in ["no", "inv"] where name.hasPrefix(prefix) {
                    let rest = String(name.dropFirst(prefix.count))
                    if MuttVariables.known.contains(rest) {
                        action = prefix == "no" ? (verb == "set" ? "unset" : "set") : "toggle"
                        name = rest
                        known = true
                        break
                    }
                }
            }
            if !known {
                let bare = name.hasPrefix("no") ? String(name.dropFirst(2)) : (name.hasPrefix("inv") ? String(name.dropFirst(3)) : name)
                let hint = Suggestion.phrase(for: bare, in: Array(MuttVariables.known))
                diagnostics.report("\(name): unknown variable (mutt reports \"unknown variable\" and ignores the setting)\(hint)", at: nameSpan)
                nameToken.text = name
            }
            let key = Self.canonical(name)
            let isBoolean = Self.booleans.contains(key) || Self.quads.contains(key)
            if t.question() { continue }  // `set var?` is a query
            let op = verb == "set" ? t.compoundEquals() : nil
            let hasValue = op != nil || (verb == "set" && t.equals())
            let commandSpan: SourceSpan
            if hasValue {
                if !t.moreArgs() && !(t.index < t.s.count && (t.s[t.index] == ";" || t.s[t.index] == "#")) {
                    // `set var =` with nothing after it: an empty value.
                }
                let valueToken: MuttToken = t.moreArgs() ? t.token() : MuttToken(text: "", start: t.index, end: t.index)
                commandSpan = t.line.span(from: commandStart, to: max(valueToken.end, nameToken.end))
                guard action == "set" else {
                    diagnostics.report("`\(verb) \(name)=…`: only `set` takes a value", at: nameSpan)
                    continue
                }
                guard known else { continue }
                let valueSpan = t.line.span(from: valueToken.start, to: max(valueToken.end, valueToken.start + 1))
                var v = MuttValue(text: valueToken.hasCommand || valueToken.fromCommand ? nil : valueToken.text,
                                  span: valueSpan, commandSpan: commandSpan,
                                  fromCommand: valueToken.hasCommand || valueToken.fromCommand,
                                  exact: !valueToken.transformed || isExactlyQuoted(valueToken, in: t.line))
                if let op, let old = value(key).text, let new = v.text {
                    v.text = op == "+" ? old + new : old.replacingOccurrences(of: new, with: "")
                }
                if isBoolean, let text = v.text {
                    let lower = text.lowercased()
                    let allowed = Self.quads.contains(key) ? ["yes", "no", "ask-yes", "ask-no"] : ["yes", "no", "on", "off", "true", "false", "set", "unset"]
                    guard allowed.contains(lower) else {
                        diagnostics.report("\(name): invalid value '\(text)' (expected \(allowed.prefix(Self.quads.contains(key) ? 4 : 2).joined(separator: ", ")))", at: valueSpan)
                        // What the author meant is unknown: never the value mutt falls back to.
                        v.text = nil
                        assign(key, v)
                        continue
                    }
                    v.text = ["on", "true", "set"].contains(lower) ? "yes" : (["off", "false", "unset"].contains(lower) ? "no" : lower)
                }
                assign(key, v)
            } else {
                commandSpan = t.line.span(from: commandStart, to: nameToken.end)
                guard known else { continue }
                switch action {
                case "set":
                    if isBoolean { assign(key, MuttValue(text: "yes", span: nameSpan, commandSpan: commandSpan)) }
                    // `set stringvar` without a value only shows it.
                case "unset":
                    assign(key, MuttValue(text: isBoolean ? "no" : "", span: nameSpan, commandSpan: commandSpan))
                case "toggle":
                    guard isBoolean else {
                        diagnostics.report("toggle \(name): only booleans and quad-options can be toggled", at: nameSpan)
                        continue
                    }
                    let flipped: String?
                    switch text(key)?.lowercased() {
                    case "yes": flipped = "no"
                    case "no": flipped = "yes"
                    case "ask-yes": flipped = "ask-no"
                    case "ask-no": flipped = "ask-yes"
                    default: flipped = nil
                    }
                    assign(key, MuttValue(text: flipped, span: nameSpan, commandSpan: commandSpan))
                case "reset":
                    assign(key, MuttValue(text: defaultValue(key), span: nameSpan, commandSpan: commandSpan))
                default: break
                }
            }
        }
    }

    func isExactlyQuoted(_ token: MuttToken, in line: MuttLine) -> Bool {
        guard !token.hasCommand, !token.expanded else { return false }
        let written = Array(line.scalars[token.start..<token.end])
        return written.count == token.text.unicodeScalars.count + 2 && written.first == written.last && (written.first == "'" || written.first == "\"")
    }

    mutating func assign(_ key: String, _ value: MuttValue) {
        vars[key] = value
        noteSecret(key, value)
        noteCrypto(key, value)
    }

    /// Passwords written in the file (`*_pass`, a password inside a URL) are masked in every output.
    mutating func noteSecret(_ key: String, _ value: MuttValue) {
        guard let span = value.span, let text = value.text, !text.isEmpty, !value.fromCommand else { return }
        if key.hasSuffix("_pass") || key.hasSuffix("_password") {
            if !setup.secrets.contains(span) { setup.secrets.append(span) }
        } else if let url = MailURL(text), url.hasPassword {
            let secret = subSpan(value, text: text, offset: url.passwordRange?.offset, length: url.passwordRange?.length ?? 1) ?? span
            if !setup.secrets.contains(secret) { setup.secrets.append(secret) }
        }
    }

    /// Settings that show PGP or S/MIME is set up (evidence for "per message" encryption).
    mutating func noteCrypto(_ key: String, _ value: MuttValue) {
        guard cryptEvidence == nil, let span = value.span else { return }
        let setUp = ["pgp_default_key", "pgp_sign_as", "smime_default_key", "smime_sign_as", "pgp_encrypt_only_command",
                     "pgp_encrypt_sign_command", "smime_encrypt_command", "crypt_autosign", "crypt_replyencrypt",
                     "smime_is_default", "crypt_use_gpgme", "pgp_decrypt_command", "crypt_opportunistic_encrypt", "crypt_autoencrypt"]
        guard setUp.contains(key) else { return }
        if Self.booleans.contains(key) {
            guard value.text == "yes" else { return }
            if key == "crypt_replyencrypt" { return }  // on by default: says nothing
        } else if value.text?.isEmpty ?? false {
            return
        }
        cryptEvidence = value.commandSpan ?? span
    }

    mutating func sourceCommand(_ t: inout MuttTokenizer, commandStart: Int) {
        guard t.moreArgs() else {
            diagnostics.report("source: a file name is needed", at: t.line.span(from: commandStart, to: commandStart + 6))
            return
        }
        while t.moreArgs() {
            let token = t.token()
            let span = t.line.span(from: token.start, to: token.end)
            var name = token.text
            if token.hasCommand || token.fromCommand || name.hasSuffix("|") {
                // A name computed by a command, or `source cmd|` (a command's output): never run.
                setup.unfollowedIncludes.append(UnfollowedInclude(path: token.text, reason: .command, span: span))
                continue
            }
            let including = stack.last ?? hookBase ?? setup.path
            let located = context.includePolicy.locate(name, from: including)
            if let resolved = located.path, located.reason == nil {
                name = resolved
            } else {
                setup.unfollowedIncludes.append(UnfollowedInclude(path: token.text, resolved: located.path, reason: located.reason ?? .missing, span: span))
                continue
            }
            if stack.contains(where: { ($0 as NSString).standardizingPath == name }) {
                diagnostics.report("source loop: \(token.text) is already being read (\(stack.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")) → \((name as NSString).lastPathComponent)); mutt would read it again and again", at: span)
                continue
            }
            if stack.count >= 32 {
                diagnostics.report("source nested too deeply (32 levels)", at: span)
                continue
            }
            do {
                switch try context.read(name, written: token.text, at: span) {
                case .file(let file):
                    if !setup.includedFiles.contains(file.path) { setup.includedFiles.append(file.path) }
                    read(file)
                case .notFollowed(let unfollowed): setup.unfollowedIncludes.append(unfollowed)
                case .limitReached: continue
                }
            } catch {
                if error.span == nil || error.message.hasPrefix("cannot read") {
                    let written = String(String.UnicodeScalarView(t.line.scalars[token.start..<token.end]))
                    let note = token.expanded ? " after expanding the variables in \(written)" : ""
                    diagnostics.report("source: cannot read \(token.text) (\(name)\(note)): \(error.message)", at: span)
                } else {
                    diagnostics.report(error)
                    diagnostics.report("source: \(token.text) could not be read: \(error.message)", at: span)
                }
            }
        }
    }

    mutating func mailboxesCommand(_ verb: String, _ t: inout MuttTokenizer) {
        var expectDescription = verb == "named-mailboxes"
        while t.moreArgs() {
            let token = t.token()
            if token.text.hasPrefix("-") && ["-notify", "-nonotify", "-poll", "-nopoll", "-label", "-nolabel"].contains(token.text) {
                if token.text == "-label", t.moreArgs() { _ = t.token() }
                continue
            }
            if expectDescription { expectDescription = false; continue }
            if verb == "named-mailboxes" { expectDescription = true }
            let span = t.line.span(from: token.start, to: token.end)
            let v = MuttValue(text: token.hasCommand ? nil : expandMailbox(token.text), span: span,
                              commandSpan: span, fromCommand: token.hasCommand,
                              exact: !token.transformed || isExactlyQuoted(token, in: t.line))
            mailboxes.append((token.text, v))
            noteSecret("mailboxes", v)
        }
    }

    mutating func hookCommand(_ verb: String, _ t: inout MuttTokenizer, commandStart: Int) {
        guard t.moreArgs() else { return }
        let pattern = t.token()
        guard t.moreArgs() else {
            diagnostics.report("\(verb): too few arguments (a pattern and a command)", at: t.line.span(from: commandStart, to: pattern.end))
            return
        }
        let command = t.token()
        hooks.append(Hook(kind: verb, pattern: pattern.text, line: t.line, commandStart: commandStart, command: command,
                          span: t.line.span(from: commandStart, to: command.end)))
    }

    /// `+x` and `=x` are relative to `folder`.
    func expandMailbox(_ text: String) -> String {
        guard let first = text.first, first == "+" || first == "=" else { return text }
        let folder = self.text("folder") ?? ""
        let rest = text.dropFirst()
        if folder.hasSuffix("/") || rest.hasPrefix("/") || folder.isEmpty { return folder + rest }
        return folder + "/" + rest
    }
}
