import Foundation
import MailAuditCore

/// What a parser gets besides the file: the port table (port knowledge is data), a way to read
/// other files that belong to the setup (includes, sourced files), and the environment. It is a
/// parser's only way to the machine, so a test decides everything a parse sees.
public struct ParseContext: Sendable {
    /// How many files one setup may pull in (includes, sourced files, master.cf beside main.cf).
    /// Real setups stay far below it (Debian's split Exim configuration is about 50 files, Dovecot's
    /// conf.d about 30); without it, files that each include the next twice are read 2^depth times.
    static let includeLimit = 256

    var ports: PortTable
    /// The program releases whose behaviour to model (`assume:` in `.mailaudit.yml`).
    public var versions = ProgramVersions()
    /// Reads another file by its path, as `SourceFile.load` does; tests substitute it.
    var readFile: @Sendable (String) throws(ParseProblem) -> SourceFile
    /// Which includes are followed (IncludePolicy.swift); the default follows every path but `~`.
    /// It also says what `~` stands for (the auditor's home, only when the audited file is in it).
    public var includePolicy = IncludePolicy()
    /// The environment the audited program would start with (mutt expands `$NAME` from it first).
    /// Empty unless the caller passes the auditing process's own: tests and fuzzing see no variable.
    public var environment: [String: String] = [:]
    /// Folder listings and existence checks (a glob's matches, a sibling file); the machine's by default.
    public var folders = FolderLookup.local
    /// Shared by the copies of one context: one setup, one budget.
    let includes = IncludeBudget(limit: ParseContext.includeLimit)

    public init(ports: PortTable, readFile: @escaping @Sendable (String) throws(ParseProblem) -> SourceFile = { path throws(ParseProblem) in try SourceFile.load(path: path) }) {
        self.ports = ports
        self.readFile = readFile
    }

    /// Reads a file the setup includes. Every include goes through here, so the count is per setup.
    /// Past `includeLimit` the first call throws (the parser reports it at its include line) and
    /// later ones return nil: the message already says that the rest is not read.
    func include(_ path: String) throws(ParseProblem) -> SourceFile? {
        switch includes.take() {
        case .granted: return try readFile(path)
        case .exceeded:
            throw ParseProblem("more than \(ParseContext.includeLimit) files are included in this setup; '\(path)' and every include after it are not read", path: path)
        case .alreadyReported: return nil
        }
    }
}

/// Counts the files one setup includes; a reference so that copies of a `ParseContext` share it.
final class IncludeBudget: @unchecked Sendable {
    enum Outcome { case granted, exceeded, alreadyReported }
    private let lock = NSLock()
    private var remaining: Int
    private var reported = false

    init(limit: Int) { remaining = limit }

    func take() -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        if remaining > 0 {
            remaining -= 1
            return .granted
        }
        if reported { return .alreadyReported }
        reported = true
        return .exceeded
    }
}
