import Foundation
import MailAuditCore

/// mutt ≥ 2.0 and NeoMutt (`.muttrc`, `muttrc`, `neomuttrc`, `*.muttrc`), as `mutt -Q` / `neomutt -Q`
/// resolve them (ORACLES.md §4, FORMATS.md §2):
///
/// - commands separated by newlines or `;`, `#` comments outside quotes, `\` joins lines; `"…"` with
///   escapes, back-ticks and `$variables`, `'…'` literal (tokenizer: `MuttSyntax.swift`);
/// - `set`/`unset`/`toggle`/`reset`, `set novar`/`invvar`/`&var`, `var?` queries, NeoMutt `+=`;
///   unknown variables are errors (mutt prints them and carries on);
/// - `source FILE` is followed relative to the including file (NeoMutt's rule; mutt uses the working
///   directory), with `~` and `$VAR` expanded; `source cmd|` is never run;
/// - endpoints come from the mailbox URLs (`folder`, `spoolfile`, `record`, `postponed`, `mailboxes`,
///   `pop_host`) and `smtp_url`: `imaps://`, `pops://`, `smtps://` are implicit TLS; `imap://`,
///   `pop://`, `smtp://` use STARTTLS, required when `ssl_force_tls` is set (the default since
///   mutt 2.0), opportunistic when it is unset and `ssl_starttls` is not `no`, none when both are off.
///   Default ports: 143, 993, 110, 995, and 25 (not 587) for `smtp://`, 465 for `smtps://`;
/// - `account-hook PATTERN 'COMMANDS'` applies to the endpoints whose URL matches; other hooks
///   (`folder-hook`, `send-hook`, …) are read as alternative states that may add endpoints;
/// - content encryption: `crypt_autoencrypt` (NeoMutt `crypt_auto_encrypt`, old `pgp_autoencrypt`) →
///   always, else `crypt_opportunistic_encrypt` → opportunistic, else PGP/S-MIME set up → per message;
///   a `send-hook` that switches encryption on for some recipients → per message.
public struct MuttFormat: ConfigFormat {
    public init() {}
    public let id = "mutt"

    public func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if [".muttrc", "muttrc", ".neomuttrc", "neomuttrc", "muttrc.local", "neomuttrc.local"].contains(name) { return true }
        if name.hasSuffix(".muttrc") || name.hasSuffix(".neomuttrc") { return true }
        if name.hasPrefix("muttrc.") || name.hasPrefix("muttrc-") || name.hasPrefix(".muttrc.") || name.hasPrefix(".muttrc-") { return true }
        if name.hasPrefix("sample.muttrc") || name.hasPrefix("sample.neomuttrc") { return true }
        return false
    }

    /// A few `set` lines with mutt variable names.
    public func matches(content: SourceFile) -> Bool {
        var score = 0
        let words = ["set", "unset", "source", "macro", "bind", "color", "mailboxes", "my_hdr", "folder-hook", "account-hook", "send-hook", "alternative_order", "auto_view", "ignore", "unignore"]
        for line in content.lines.prefix(3000) {
            let t = line.drop { $0 == " " || $0 == "\t" }
            guard let first = t.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" }).first else { continue }
            if first.hasPrefix("#") { continue }
            if ["account", "defaults", "poll", "skip", "IMAPAccount", "IMAPStore", "Channel", "host", "tls"].contains(String(first)) { return false }
            if words.contains(String(first)) { score += 1 }
        }
        return score >= 3
    }

    public func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = MuttReader(context: context, mainPath: file.path)
        reader.read(file)
        return reader.finish()
    }
}

/// The value of a variable as the reader tracks it.
struct MuttValue {
    /// The text; nil when unknowable (a back-tick command, an unknown expansion).
    var text: String?
    /// The setting that decided it (the value, or the command for `set x` / `unset x`); nil for a default.
    var span: SourceSpan?
    /// The whole command (`set smtp_url = …`), the block an endpoint points at.
    var commandSpan: SourceSpan?
    /// The value came from a back-tick command (directly or through `$other`).
    var fromCommand = false
    /// The value is written column for column in the file starting at `span` (sub-spans can be computed).
    var exact = false
}

struct MuttReader {
    let context: ParseContext
    var setup: MailSetup
    var vars: [String: MuttValue] = [:]
    var stack: [String] = []
    var depth = 0
    var mailboxes: [(text: String, value: MuttValue)] = []
    struct Hook { var kind: String; var pattern: String; var line: MuttLine; var commandStart: Int; var command: MuttToken; var span: SourceSpan }
    var hooks: [Hook] = []
    /// Set while reading a hook's commands.
    var inHook = false
    /// The file a hook was written in: its `source` commands are relative to it.
    var hookBase: String?
    /// Crypto evidence: the first setting that shows PGP or S/MIME is set up.
    var cryptEvidence: SourceSpan?
    var selectiveEncryption: SourceSpan?

    init(context: ParseContext, mainPath: String) {
        self.context = context
        self.setup = MailSetup(path: mainPath, format: "mutt")
    }

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
    static func expansion(_ name: String, vars: [String: MuttValue]) -> (String, Bool)? {
        if let env = ProcessInfo.processInfo.environment[name] { return (env, false) }
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
        let snapshot = vars
        return { Self.expansion($0, vars: snapshot) }
    }

    mutating func problem(_ message: String, _ span: SourceSpan) {
        setup.problems.append(ParseProblem(message, path: span.path, span: span))
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
            for p in tokenizer.problems { problem(p.message, line.position(p.index)) }
            tokenizer.problems = []
            tokenizer.expand = expander
        }
        for p in tokenizer.problems { problem(p.message, line.position(p.index)) }
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
                problem("`\(verb)` needs a variable name", nameSpan)
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
                problem("\(name): unknown variable (mutt reports \"unknown variable\" and ignores the setting)\(hint)", nameSpan)
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
                    problem("`\(verb) \(name)=…`: only `set` takes a value", nameSpan)
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
                        problem("\(name): invalid value '\(text)' (expected \(allowed.prefix(Self.quads.contains(key) ? 4 : 2).joined(separator: ", ")))", valueSpan)
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
                        problem("toggle \(name): only booleans and quad-options can be toggled", nameSpan)
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
            problem("source: a file name is needed", t.line.span(from: commandStart, to: commandStart + 6))
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
                problem("source loop: \(token.text) is already being read (\(stack.map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")) → \((name as NSString).lastPathComponent)); mutt would read it again and again", span)
                continue
            }
            if stack.count >= 32 {
                problem("source nested too deeply (32 levels)", span)
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
                    problem("source: cannot read \(token.text) (\(name)\(note)): \(error.message)", span)
                } else {
                    setup.problems.append(error)
                    problem("source: \(token.text) could not be read: \(error.message)", span)
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
            problem("\(verb): too few arguments (a pattern and a command)", t.line.span(from: commandStart, to: pattern.end))
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

    // MARK: - Model

    mutating func finish() -> MailSetup {
        let global = self
        var endpoints: [Endpoint] = []
        endpoints += global.endpoints()
        // Hooks: account-hooks refine matching endpoints; other hooks are alternative states.
        for hook in hooks where hook.kind != "account-hook" && hook.kind != "message-hook" {
            var branch = global
            branch.setup.problems = []
            branch.cryptEvidence = nil
            branch.hookBase = hook.line.path
            branch.runNested(hook.command, in: hook.line)
            setup.problems += branch.setup.problems.filter { p in !setup.problems.contains(p) }
            if ["send-hook", "send2-hook", "reply-hook"].contains(hook.kind),
               branch.isOn("crypt_autoencrypt") == true, global.isOn("crypt_autoencrypt") != true {
                let everyMessage = [".", ".*", "~A", "^", ""].contains(hook.pattern)
                if !everyMessage, selectiveEncryption == nil { selectiveEncryption = branch.vars["crypt_autoencrypt"]?.span ?? hook.span }
            }
            for e in branch.endpoints() where !endpoints.contains(where: { $0 == e }) {
                endpoints.append(e)
            }
        }
        setup.endpoints = endpoints
        identity()
        return setup
    }

    /// One connection target found in the settings.
    struct Target {
        var url: MailURL
        var text: String
        var value: MuttValue
        var direction: Direction
    }

    func targets() -> [Target] {
        var out: [Target] = []
        func add(_ text: String?, _ value: MuttValue, direction: Direction) {
            guard let text, let url = MailURL(text) else { return }
            switch (url.protocol, direction) {
            case (.imap, .incoming), (.pop3, .incoming), (.smtp, .outgoing): break
            default: return
            }
            out.append(Target(url: url, text: text, value: value, direction: direction))
        }
        for name in ["folder", "spoolfile", "record", "postponed", "pop_host"] {
            let v = value(name)
            add(v.text.map(expandMailbox), v, direction: .incoming)
        }
        for m in mailboxes { add(m.value.text, m.value, direction: .incoming) }
        let smtp = value("smtp_url")
        add(smtp.text, smtp, direction: .outgoing)
        return out
    }

    func endpoints() -> [Endpoint] {
        var out: [Endpoint] = []
        // One endpoint per server and account; the setting that writes the URL out literally describes it best.
        var unique: [(key: String, target: Target)] = []
        for target in targets() {
            let url = target.url
            let key = "\(url.protocol)|\(url.tls == .implicit)|\(url.host ?? "")|\(url.port ?? 0)|\(url.user ?? "")"
            if let i = unique.firstIndex(where: { $0.key == key }) {
                if !unique[i].target.value.exact, target.value.exact { unique[i].target = target }
                continue
            }
            unique.append((key, target))
        }
        for (_, target) in unique {
            let url = target.url
            var state = self
            for hook in hooks where hook.kind == "account-hook" && Self.pattern(hook.pattern, matches: target.text, url: url) {
                state.hookBase = hook.line.path
                state.runNested(hook.command, in: hook.line)
            }
            if let e = state.endpoint(target) { out.append(e) }
        }
        return out
    }

    static func pattern(_ pattern: String, matches text: String, url: MailURL) -> Bool {
        let candidates = [text, "\(url.scheme)://\(url.user.map { $0 + "@" } ?? "")\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")/"]
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else {
            return candidates.contains { $0.contains(pattern) }
        }
        return candidates.contains { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
    }

    /// Span of a part of a URL value when the value is written column for column.
    func subSpan(_ v: MuttValue, text: String, offset: Int?, length: Int) -> SourceSpan? {
        guard let span = v.span, let offset, v.exact, span.line == span.endLine else { return v.span }
        let quoteShift = span.endColumn - span.column == text.unicodeScalars.count + 2 ? 1 : 0
        return SourceSpan(path: span.path, line: span.line, column: span.column + quoteShift + offset, endLine: span.line,
                          endColumn: span.column + quoteShift + offset + max(1, length))
    }

    func endpoint(_ target: Target) -> Endpoint? {
        let url = target.url, v = target.value
        var e = Endpoint(role: .client, location: v.commandSpan ?? v.span ?? SourceSpan(path: setup.path, line: 1, column: 1))
        e.direction = target.direction
        e.account = url.user.map { "\($0)@\(url.host ?? "")" } ?? url.host
        let scalars = Array(target.text.unicodeScalars)
        func offset(of part: String?) -> Int? {
            guard let part, !part.isEmpty else { return nil }
            let p = Array(part.unicodeScalars)
            guard p.count <= scalars.count else { return nil }
            // After "://" and any user info.
            let start = (target.text.range(of: "@").map { target.text.unicodeScalars.distance(from: target.text.unicodeScalars.startIndex, to: $0.upperBound) }) ?? (url.scheme.unicodeScalars.count + 3)
            var i = start
            while i + p.count <= scalars.count {
                if Array(scalars[i..<(i + p.count)]) == p { return i }
                i += 1
            }
            return nil
        }
        let lastAt = target.text.unicodeScalars.lastIndex(of: "@").map { target.text.unicodeScalars.distance(from: target.text.unicodeScalars.startIndex, to: $0) + 1 }
        let hostOffset: Int? = {
            guard let host = url.host else { return nil }
            let from = lastAt ?? (url.scheme.unicodeScalars.count + 3)
            let p = Array(host.unicodeScalars)
            var i = from
            while i + p.count <= scalars.count {
                if Array(scalars[i..<(i + p.count)]) == p { return i }
                i += 1
            }
            return offset(of: host)
        }()
        let schemeSpan = subSpan(v, text: target.text, offset: 0, length: url.scheme.unicodeScalars.count)
        e.set(\.protocol, url.protocol, field: .protocol, span: schemeSpan)
        if let host = url.host {
            e.set(\.host, host, field: .host, span: subSpan(v, text: target.text, offset: hostOffset, length: host.unicodeScalars.count))
        }
        // TLS: the scheme, then ssl_force_tls / ssl_starttls for the plain schemes; a tunnel replaces the socket.
        let tunnel = value("tunnel")
        if let command = tunnel.text, !command.isEmpty || tunnel.fromCommand {
            e.set(\.tls, nil, field: .tls, span: tunnel.span)
            e.set(\.tlsRequired, nil, field: .tlsRequired, span: tunnel.span)
        } else if url.tls == .implicit {
            e.set(\.tls, .implicit, field: .tls, span: schemeSpan)
            e.set(\.tlsRequired, true, field: .tlsRequired, span: schemeSpan)
        } else {
            let force = value("ssl_force_tls"), starttls = value("ssl_starttls")
            // Unset in the file, `ssl_force_tls` is the release's default (set since mutt 2.0).
            if force.span == nil { e.modelledVersions[.tlsRequired] = context.versions.name("mutt") }
            switch (isOn("ssl_force_tls"), text("ssl_starttls")?.lowercased()) {
            case (true, "no"):
                // mutt refuses the connection: it may not use STARTTLS but must not continue without TLS.
                e.set(\.tls, nil, field: .tls, span: starttls.span)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: force.span)
            case (true, _):
                e.set(\.tls, .starttls, field: .tls, span: schemeSpan)
                e.set(\.tlsRequired, true, field: .tlsRequired, span: force.span)
                if let s = starttls.span { e.addRelated(s, for: .tls) }
            case (false, "no"):
                e.set(\.tls, TLSMode.none, field: .tls, span: starttls.span ?? schemeSpan)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: force.span)
                if let s = force.span { e.addRelated(s, for: .tls) }
            case (false, .some):
                e.set(\.tls, .starttls, field: .tls, span: schemeSpan)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: force.span)
                if let s = starttls.span { e.addRelated(s, for: .tls) }
            default:
                e.set(\.tls, nil, field: .tls, span: force.span)
            }
        }
        // Port: the URL's, or the scheme's default (smtp:// is 25, not 587).
        if let port = url.port {
            let text = String(port)
            let portOffset = hostOffset.map { $0 + (url.host?.unicodeScalars.count ?? 0) + 1 }
            e.set(\.port, port, field: .port, span: subSpan(v, text: target.text, offset: portOffset, length: text.count))
        } else {
            let service: String
            switch (url.protocol, url.tls == .implicit) {
            case (.imap, false): service = "imap"
            case (.imap, true): service = "imaps"
            case (.pop3, false): service = "pop3"
            case (.pop3, true): service = "pop3s"
            case (_, false): service = "smtp"
            case (_, true): service = "submissions"
            }
            e.port = context.ports.port(service: service)
            e.portIsDefault = true
        }
        if e.tls != nil, e.tls != TLSMode.none {
            let host = value("ssl_verify_host")
            if isOn("ssl_verify_host") == false {
                e.set(\.verifyCertificate, false, field: .verifyCertificate, span: host.span)
            } else {
                e.set(\.verifyCertificate, isOn("ssl_verify_host"), field: .verifyCertificate, span: host.span)
            }
            // The lowest protocol version switched on.
            for (name, version) in [("ssl_use_sslv3", TLSVersion.ssl3), ("ssl_use_tlsv1", .tls10), ("ssl_use_tlsv1_1", .tls11), ("ssl_use_tlsv1_2", .tls12), ("ssl_use_tlsv1_3", .tls13)] {
                if isOn(name) == true {
                    e.set(\.minTLSVersion, version, field: .minTLSVersion, span: value(name).span)
                    break
                }
            }
        }
        // Authentication and credentials per protocol.
        let prefix: String
        switch url.protocol {
        case .imap: prefix = "imap"
        case .pop3: prefix = "pop"
        default: prefix = "smtp"
        }
        let user = url.user ?? (text("\(prefix)_user").flatMap { $0.isEmpty ? nil : $0 })
        let authenticators = value("\(prefix)_authenticators")
        let mechanisms = (authenticators.text ?? "").lowercased().split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "," }).map(String.init)
        if url.protocol == .smtp && user == nil {
            // mutt authenticates to an SMTP server only when a user name is given.
            e.set(\.auth, [], field: .auth, span: nil)
            e.set(\.credential, CredentialKind.none, field: .credential, span: nil)
        } else {
            e.set(\.auth, mechanisms.isEmpty ? ["password"] : mechanisms, field: .auth, span: mechanisms.isEmpty ? nil : authenticators.span)
            let pass = value("\(prefix)_pass")
            let oauth = value("\(prefix)_oauth_refresh_command")
            if url.hasPassword {
                let offset = url.passwordRange?.offset
                e.set(\.credential, .inline, field: .credential, span: subSpan(v, text: target.text, offset: offset, length: url.passwordRange?.length ?? 1))
            } else if pass.fromCommand {
                e.set(\.credential, .command, field: .credential, span: pass.span)
            } else if let p = pass.text, !p.isEmpty {
                e.set(\.credential, .inline, field: .credential, span: pass.span)
            } else if mechanisms.contains(where: { $0 == "oauthbearer" || $0 == "xoauth2" }), oauth.fromCommand || !(oauth.text ?? "").isEmpty {
                e.set(\.credential, .command, field: .credential, span: oauth.span)
            }
        }
        return e
    }

    mutating func identity() {
        // Secrets: every password written in the files, and passwords inside URLs.
        let auto = value("crypt_autoencrypt"), opportunistic = value("crypt_opportunistic_encrypt")
        var mode: ContentEncryption?
        var span: SourceSpan?
        if isOn("crypt_autoencrypt") == true {
            mode = .always; span = auto.span
        } else if let selective = selectiveEncryption {
            mode = .perMessage; span = selective
        } else if isOn("crypt_opportunistic_encrypt") == true {
            mode = .opportunistic; span = opportunistic.span
        } else if cryptEvidence != nil {
            mode = .perMessage; span = auto.span
        }
        guard let mode else { return }
        let from = text("from").flatMap { $0.isEmpty ? nil : $0 }
        let location = cryptEvidence ?? span ?? SourceSpan(path: setup.path, line: 1, column: 1)
        var identity = Identity(name: from, contentEncryption: mode, location: location)
        if let span { identity.spans["contentEncryption"] = span }
        setup.identities.append(identity)
    }
}
