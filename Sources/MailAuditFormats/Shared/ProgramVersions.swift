import MailAuditCore

/// Which release of each program the parsers model. By default the current upstream release;
/// `.mailaudit.yml` `assume: { aerc: "0.14" }` pins an older one where the defaults differ.
public struct ProgramVersions: Sendable, Hashable {
    /// A release whose behaviour differs from the one before it, in a way the model reads.
    public struct Change: Sendable, Hashable {
        var since: String
        var what: String

        init(since: String, what: String) {
            self.since = since
            self.what = what
        }
    }

    /// Programs whose version changes the model, with the release modelled by default (the current
    /// upstream one) and the releases whose defaults differ from the one before: the pins the
    /// formats' descriptions declare (`ModelledProgram.pinnable`).
    public static let catalog: [String: (modelled: String, changes: [Change])] = pins.mapValues { ($0.modelled, $0.changes) }

    /// `assume:` key → the program's pin, from the formats' descriptions.
    static let pins: [String: ProgramPin] = Dictionary(
        FormatRegistry.builtIn.descriptions.compactMap { description -> (String, ProgramPin)? in
            guard case .pinnable(let pin) = description.program else { return nil }
            return (pin.key, pin)
        },
        uniquingKeysWith: { first, _ in first })

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
    func isBefore(_ program: String, _ release: String) -> Bool {
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
    func name(_ program: String) -> String {
        "\(Self.pins[program]?.name ?? program) \(assumed[program] ?? Self.pins[program]?.modelled ?? "")"
    }

    static func components(_ version: String) -> [Int]? {
        var text = Substring(version)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isNumber) }) else { return nil }
        return parts.map { Int($0)! }
    }
}
