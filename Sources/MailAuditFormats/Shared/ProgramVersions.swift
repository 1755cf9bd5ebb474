import MailAuditCore

/// Which release of each program the parsers model. By default the current upstream release;
/// `.mailaudit.yml` `assume: { aerc: "0.14" }` pins an older one where the defaults differ.
public struct ProgramVersions: Sendable, Hashable {
    /// A release whose behaviour differs from the one before it, in a way the model reads.
    public struct Change: Sendable, Hashable {
        public var since: String
        public var what: String
    }

    /// Programs whose version changes the model, with the release modelled by default.
    public static let catalog: [String: (modelled: String, changes: [Change])] = [
        "mutt": ("2.0", [Change(since: "2.0", what: "`ssl_force_tls` is set by default, so STARTTLS is required; before, it was unset and STARTTLS opportunistic")]),
        "aerc": ("0.15", [Change(since: "0.15", what: "`smtp://` uses STARTTLS and requires it, `smtp+insecure://` is plain text; before, `smtp://` was plain text unless `smtp-starttls = yes`")]),
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
        guard let pinned = assumed[program].flatMap(Self.components), let threshold = Self.components(release) else { return false }
        for i in 0..<max(pinned.count, threshold.count) {
            let a = i < pinned.count ? pinned[i] : 0, b = i < threshold.count ? threshold[i] : 0
            if a != b { return a < b }
        }
        return false
    }

    /// How messages name the modelled release: `aerc 0.14` (pinned) or `aerc 0.15` (the default).
    public func name(_ program: String) -> String {
        "\(program) \(assumed[program] ?? Self.catalog[program]?.modelled ?? "")"
    }

    static func components(_ version: String) -> [Int]? {
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isNumber) }) else { return nil }
        return parts.map { Int($0)! }
    }
}
