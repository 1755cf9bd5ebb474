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
struct MuttFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "mutt",
        what: "mutt ≥ 2.0 and NeoMutt (`assume: { mutt: \"1.10\" }` for older mutt)",
        names: [".muttrc", "muttrc", "neomuttrc", "*.muttrc"],
        namesNote: "(with `source`d files)",
        program: .pinnable(ProgramPin(key: "mutt", modelled: "2.0", changes: [
            .init(since: "2.0", what: "`ssl_force_tls` is set by default, so STARTTLS is required; before, it was unset and STARTTLS opportunistic"),
        ])))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if [".muttrc", "muttrc", ".neomuttrc", "neomuttrc", "muttrc.local", "neomuttrc.local"].contains(name) { return true }
        if name.hasSuffix(".muttrc") || name.hasSuffix(".neomuttrc") { return true }
        if name.hasPrefix("muttrc.") || name.hasPrefix("muttrc-") || name.hasPrefix(".muttrc.") || name.hasPrefix(".muttrc-") { return true }
        if name.hasPrefix("sample.muttrc") || name.hasPrefix("sample.neomuttrc") { return true }
        return false
    }

    /// A few `set` lines with mutt variable names.
    func matches(content: SourceFile) -> Bool {
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

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = MuttParseState(context: context, mainPath: file.path)
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

struct MuttParseState {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
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
        self.setup = MailSetup(path: mainPath, format: MuttFormat.description.id)
    }
}
