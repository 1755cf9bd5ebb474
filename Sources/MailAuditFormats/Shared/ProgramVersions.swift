import MailAuditCore

/// Which release of each program the parsers model. By default the current upstream release;
/// `.mailaudit.yml` `assume: { aerc: "0.14" }` pins an older one where the defaults differ.
public struct ProgramVersions: Sendable, Hashable {
    /// A release whose behaviour differs from the one before it, in a way the model reads.
    public struct Change: Sendable, Hashable {
        public var since: String
        public var what: String
    }

    /// Programs whose version changes the model, with the release modelled by default (the current
    /// upstream one) and the releases whose defaults differ from the one before.
    public static let catalog: [String: (modelled: String, changes: [Change])] = [
        "mutt": ("2.0", [Change(since: "2.0", what: "`ssl_force_tls` is set by default, so STARTTLS is required; before, it was unset and STARTTLS opportunistic")]),
        "aerc": ("0.15", [Change(since: "0.15", what: "`smtp://` uses STARTTLS and requires it, `smtp+insecure://` is plain text; before, `smtp://` was plain text unless `smtp-starttls = yes`")]),
        "fetchmail": ("6.5", [
            Change(since: "6.4", what: "`sslcertck` is on by default, so certificates are verified and STARTTLS is required; before, neither unless `sslcertck`, `sslfingerprint` or `sslproto tls1` said so"),
            Change(since: "6.5", what: "`sslproto auto` (the default) negotiates TLS 1.2 or newer, and `ssl3`/`ssl3+` mean `auto`; before, `auto` accepted TLS 1.0"),
        ]),
        "postfix": ("3.11", [Change(since: "3.11", what: "with `compatibility_level = 3.11` or higher, `smtp_tls_security_level` defaults to `may` (opportunistic STARTTLS for outgoing mail); before, it was empty (no TLS)")]),
        "laravel": ("13", [Change(since: "9", what: "Symfony Mailer sends: STARTTLS whenever the server offers it and implicit TLS on port 465, whatever `MAIL_ENCRYPTION` says; before, SwiftMailer did what `MAIL_ENCRYPTION` says (`tls` STARTTLS, `ssl` implicit TLS, null none)")]),
    ]

    /// Program → the version the user pinned.
    public var assumed: [String: String] = [:]

    public init(assumed: [String: String] = [:]) { self.assumed = assumed }

    /// Why `version` cannot be pinned for `program`, or nil when it can.
    public static func problem(program: String, version: String) -> String? {
        guard catalog[program] != nil else {
            let known = catalog.keys.sorted()
            return "mailaudit models no version differences for '\(program)'\(Suggestion.phrase(for: program, in: known)) (programs: \(known.joined(separator: ", ")))"
        }
        guard components(version) != nil else { return "'\(version)' is not a version such as \"0.14\"" }
        return nil
    }

    /// True when the pinned version of `program` is older than `release` (the behaviour before it applies).
    public func isBefore(_ program: String, _ release: String) -> Bool {
        assumed[program].flatMap { Self.isOlder($0, than: release) } ?? false
    }

    /// Whether `version` is older than `release`; nil when either is not a version.
    static func isOlder(_ version: String, than release: String) -> Bool? {
        guard let a = components(version), let b = components(release) else { return nil }
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    /// How messages name the modelled release: `aerc 0.14` (pinned) or `aerc 0.15` (the default).
    public func name(_ program: String) -> String {
        "\(Self.displayNames[program] ?? program) \(assumed[program] ?? Self.catalog[program]?.modelled ?? "")"
    }

    /// How the projects write their names, where that is not the key.
    static let displayNames = ["postfix": "Postfix", "laravel": "Laravel"]

    static func components(_ version: String) -> [Int]? {
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isNumber) }) else { return nil }
        return parts.map { Int($0)! }
    }
}
