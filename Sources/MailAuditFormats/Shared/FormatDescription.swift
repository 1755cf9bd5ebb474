import MailAuditCore

/// Everything about a format that is not parsing, written once, in the format's `<Name>Format.swift`:
/// the registry, `--as` and its completions, rule documentation, the README's format table,
/// `Examples/README.md`, the modelled releases and the rule example variants are derived from it.
public struct FormatDescription: Sendable {
    /// `--as`, JSON and SARIF output, rule examples.
    public let id: FormatID
    /// What the format is, for the README's format table: the program, its release and what is read.
    public let what: String
    /// The file names and globs a name claims (`*` any text; a `/` ties the name to its folder), as
    /// the README lists them. A test checks that `matches(fileName:path:)` claims each one.
    let names: [String]
    /// What the names column adds in words (`any YAML with top-level \`mailaudit: 1\``).
    let namesNote: String?
    /// Files no name claims whose first bytes alone may prove this format in a directory walk.
    let sniffed: ContentSniffing?
    /// The comment syntax inline suppressions are written in (`#`, `//`, `<!--`, …).
    let commentMarkers: [String]
    /// The Markdown code-fence language of its examples in the rule docs (`yaml`, `xml`; empty for none).
    public let fenceLanguage: String
    /// The program and release whose defaults the parser models.
    public let program: ModelledProgram
    /// Whether rule examples are also run with CRLF line ends and with a multibyte comment as the
    /// first line (not for XML: nothing may come before its declaration).
    let exampleVariants: ExampleVariants

    init(id: FormatID, what: String, names: [String], namesNote: String? = nil, sniffed: ContentSniffing? = nil,
                commentMarkers: [String] = ["#"], fenceLanguage: String = "", program: ModelledProgram,
                exampleVariants: ExampleVariants = .all) {
        self.id = id
        self.what = what
        self.names = names
        self.namesNote = namesNote
        self.sniffed = sniffed
        self.commentMarkers = commentMarkers
        self.fenceLanguage = fenceLanguage
        self.program = program
        self.exampleVariants = exampleVariants
    }

    /// The README's names column: each name in backticks, then the note.
    public var namesColumn: String {
        let listed = names.map { "`\($0)`" }.joined(separator: ", ")
        guard let namesNote else { return listed }
        return listed.isEmpty ? namesNote : "\(listed) \(namesNote)"
    }
}

/// Which files a walk reads for their content although no name claims them.
struct ContentSniffing: Sendable {
    /// Name endings (`.yml`).
    let suffixes: [String]
    /// Any file below a folder of one of these names (ISPDB entries are named after their domain).
    let folders: [String]

    init(suffixes: [String], folders: [String] = []) {
        self.suffixes = suffixes
        self.folders = folders
    }

    func covers(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if suffixes.contains(where: { name.hasSuffix($0) }) { return true }
        guard !folders.isEmpty else { return false }
        return path.split(separator: "/").dropLast().contains { folders.contains($0.lowercased()) }
    }
}

/// The rule example variants a format takes besides the example as written.
struct ExampleVariants: OptionSet, Sendable {
    let rawValue: Int
    init(rawValue: Int) { self.rawValue = rawValue }

    static let crlf = ExampleVariants(rawValue: 1)
    static let multibyteFirstLine = ExampleVariants(rawValue: 2)
    static let all: ExampleVariants = [.crlf, .multibyteFirstLine]
}

/// The program and release whose defaults a parser models: a finding that rests on a default names it.
public enum ModelledProgram: Sendable {
    /// A release `assume:` cannot change: `msmtp 1.8`.
    case fixed(String)
    /// A program whose older releases `.mailaudit.yml` `assume:` can pin, because the defaults differ.
    case pinnable(ProgramPin)
}

/// A program `assume: { key: "version" }` can pin: the release modelled by default (the current
/// upstream one) and the releases whose defaults differ from the one before.
public struct ProgramPin: Sendable {
    /// The `assume:` key (`postfix`).
    let key: String
    /// How the project writes its name (`Postfix`).
    public let name: String
    public let modelled: String
    let changes: [ProgramVersions.Change]

    init(key: String, name: String? = nil, modelled: String, changes: [ProgramVersions.Change]) {
        self.key = key
        self.name = name ?? key
        self.modelled = modelled
        self.changes = changes
    }
}

extension ContentSniffing {
    /// The XML formats: any `*.xml`, and anything below an `autoconfig` or `ispdb` folder.
    static let xml = ContentSniffing(suffixes: [".xml"], folders: ["autoconfig", "ispdb"])
}
