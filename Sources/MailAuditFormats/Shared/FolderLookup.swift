import Foundation

/// What a parser may ask about the file system besides reading a file (`ParseContext.readFile`):
/// the entries of a folder (Dovecot's `!include conf.d/*.conf`), whether something is at a path
/// (Postfix's main.cf beside a master.cf), and the folder relative paths start from. `local` asks
/// the machine; a test substitutes its own answers, so a parse sees only what the context gives it.
public struct FolderLookup: Sendable {
    /// The names in a folder (not `.` and `..`), nil when it cannot be listed.
    var entries: @Sendable (String) -> [String]?
    /// Whether anything (a file, a folder, a link to one) is at the path.
    var exists: @Sendable (String) -> Bool
    /// Whether a regular file (or a link to one) is at the path.
    var isFile: @Sendable (String) -> Bool
    /// Whether nothing is at the path (a dangling link counts as nothing): an include that is not
    /// there is not followed (MA003), while one that is there but cannot be read is an error.
    var isMissing: @Sendable (String) -> Bool = IncludePolicy.isMissing
    /// The folder a relative path is read from.
    public var workingDirectory: String

    init(entries: @escaping @Sendable (String) -> [String]?, exists: @escaping @Sendable (String) -> Bool,
                isFile: @escaping @Sendable (String) -> Bool, workingDirectory: String) {
        self.entries = entries
        self.exists = exists
        self.isFile = isFile
        self.workingDirectory = workingDirectory
    }

    /// The machine's file system, as the process sees it.
    static var local: FolderLookup {
        FolderLookup(entries: { try? FileManager.default.contentsOfDirectory(atPath: $0) },
                     exists: { FileManager.default.fileExists(atPath: $0) },
                     isFile: { var folder: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &folder) && !folder.boolValue },
                     workingDirectory: FileManager.default.currentDirectoryPath)
    }
}
