import Foundation

/// What an audit report says about the run itself: what was audited, when, and the options that
/// change its results. The command line fills it; a report without one leaves those lines out.
public struct AuditContext: Sendable {
    /// The paths as given (`.` when none).
    public var paths: [String]
    /// When the audit ran; `SOURCE_DATE_EPOCH` fixes it (reproducible reports, golden files).
    public var generatedAt: Date
    public var failOn: String
    /// Rules the configuration turns off, and severities it changes.
    public var disabledRules: [String] = []
    public var severityOverrides: [String: String] = [:]
    public var baseline: String?
    public var configuration: String?
    /// Rule files added with `--rules` or the configuration's `rules:`.
    public var customRules: [String] = []
    public var verify = false
    public var inlineSuppressions = true

    public init(paths: [String], generatedAt: Date, failOn: String) {
        self.paths = paths
        self.generatedAt = generatedAt
        self.failOn = failOn
    }

    /// Now, or the moment `SOURCE_DATE_EPOCH` names (seconds since 1970, the reproducible-builds convention).
    public static func now(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int64(text.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        return Date()
    }

    /// `2026-12-05 00:25 UTC`.
    public var generatedText: String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: generatedAt)
    }

    /// The options that change which findings a reader sees or what they mean, in words.
    public var resultOptions: [String] {
        var out = ["fail on: \(failOn)"]
        if !disabledRules.isEmpty { out.append("disabled rules: " + disabledRules.sorted().joined(separator: ", ")) }
        if !severityOverrides.isEmpty {
            out.append("severities changed: " + severityOverrides.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: ", "))
        }
        if let baseline { out.append("baseline: \(baseline)") }
        if let configuration { out.append("configuration: \(configuration)") }
        if !customRules.isEmpty { out.append("extra rules: " + customRules.joined(separator: ", ")) }
        if !inlineSuppressions { out.append("inline suppressions ignored") }
        out.append(verify ? "live verification: on (--verify)" : "live verification: off")
        return out
    }
}
