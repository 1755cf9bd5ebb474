import Foundation
import MailAuditCore
import MailAuditFormats

/// The files one setup's parse read (its includes), kept so that later stages — inline
/// suppressions, the sources a report quotes, probe findings after `--verify` — use the text
/// already read instead of reading the files again. A reference: the parse context's copies share it.
final class FilesRead: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: SourceFile] = [:]

    /// Reads `path` the first time it is asked for, then hands back the same text.
    func read(_ path: String, load: (String) throws(ParseProblem) -> SourceFile) throws(ParseProblem) -> SourceFile {
        lock.lock()
        if let file = files[path] { lock.unlock(); return file }
        lock.unlock()
        let file = try load(path)
        lock.lock()
        files[path] = file
        files[file.path] = file
        lock.unlock()
        return file
    }

    /// The file read under this path (as asked for, or as its spans name it).
    subscript(path: String) -> SourceFile? {
        lock.lock()
        defer { lock.unlock() }
        return files[path]
    }
}
