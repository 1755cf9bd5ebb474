import MailAuditCore

/// What to change, said in the syntax of the file the finding is in: a rule file's `fix:` is either
/// one text for every format or a map keyed by format id with a `default` for the others. Where one
/// format serves several programs (env files), `FORMAT/PROGRAM` entries speak to one of them.
public struct RuleFix: Sendable, Equatable {
    /// The text for formats without an entry of their own (and the whole fix of a plain `fix:`).
    public var general: String
    /// Per-format entries, in the order the rule file lists them.
    public var byFormat: [(format: String, text: String)]

    public init(general: String, byFormat: [(format: String, text: String)] = []) {
        self.general = general
        self.byFormat = byFormat
    }

    /// The fix a finding in `format` shows: the entry for its program, else the format's, else the default.
    public func text(for format: FormatID, program: String? = nil) -> String {
        if let program, let entry = byFormat.first(where: { $0.format == format.rawValue + "/" + program }) { return entry.text }
        return byFormat.first { $0.format == format.rawValue }?.text ?? general
    }

    public func hasEntry(for format: String) -> Bool { byFormat.contains { $0.format == format } }

    public var isEmpty: Bool { general.isEmpty && byFormat.isEmpty }

    public static func == (a: RuleFix, b: RuleFix) -> Bool {
        a.general == b.general && a.byFormat.elementsEqual(b.byFormat) { $0 == $1 }
    }
}
