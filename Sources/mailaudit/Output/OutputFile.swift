import Foundation
import MailAuditCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a whole file without replacing what the path points at.
///
/// A regular file is replaced atomically (a temporary file beside it, then `rename`), so readers
/// never see half a report, and it keeps its permissions and owner. Anything else is written in
/// place: a device such as `/dev/null` or a FIFO must stay what it is (renaming over `/dev/null` as
/// root turns it into a regular file and breaks every program after it). A symbolic link is
/// written through to its target, never replaced by a file.
enum OutputFile {
    struct Failure: Error { let reason: String }

    static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let writer = try open(path)
        try writer.write(bytes)
        try writer.finish()
    }

    /// A file being written piece by piece (a report streamed as the run goes on): opened as `write`
    /// would write it, so a regular file is replaced only by `finish`, once complete.
    final class Writer {
        fileprivate let fd: Int32
        /// The temporary file renamed over the destination at the end; nil when written in place.
        fileprivate let temporary: String?
        fileprivate let destination: String
        private var failure: Failure?

        fileprivate init(fd: Int32, temporary: String?, destination: String) {
            self.fd = fd
            self.temporary = temporary
            self.destination = destination
        }

        /// Appends; the first failure is kept and reported by `finish`.
        func write(_ bytes: [UInt8]) throws(Failure) {
            if let failure { throw failure }
            do throws(Failure) { try OutputFile.writeAll(bytes, to: fd) } catch { failure = error; throw error }
        }

        /// Gives up: a replaced file stays as it was, no temporary file is left behind.
        func abandon() {
            close(fd)
            if let temporary { unlink(temporary) }
        }

        func finish() throws(Failure) {
            let closed = close(fd) == 0
            let failure = self.failure ?? (closed ? nil : Failure(reason: OutputFile.lastError()))
            guard let temporary else {
                if let failure { throw failure }
                return
            }
            if let failure {
                unlink(temporary)
                throw failure
            }
            guard rename(temporary, destination) == 0 else {
                let reason = OutputFile.lastError()
                unlink(temporary)
                throw Failure(reason: reason)
            }
        }
    }

    static func open(_ path: String) throws(Failure) -> Writer {
        guard !path.isEmpty else { throw Failure(reason: "the path is empty") }  // Foundation's path functions trap on ""
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: return try replacingRegularFile(at: try target(of: path), keeping: info)
            case S_IFDIR: throw Failure(reason: "it is a folder")
            default: return try inPlace(path, flags: 0)  // devices, FIFOs
            }
        }
        guard errno == ENOENT else { throw Failure(reason: lastError()) }
        var linkInfo = stat()
        if lstat(path, &linkInfo) == 0 {
            // A link to a file that does not exist yet: create the target, as a shell's `>` would.
            return try inPlace(path, flags: O_CREAT | O_TRUNC)
        }
        return try creatingFile(at: path)
    }

    /// The file a path names, links resolved (the rename must replace the target, not the link).
    private static func target(of path: String) throws(Failure) -> String {
        var linkInfo = stat()
        guard lstat(path, &linkInfo) == 0, (linkInfo.st_mode & S_IFMT) == S_IFLNK else { return path }
        guard let resolved = realpath(path, nil) else { throw Failure(reason: lastError()) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func replacingRegularFile(at path: String, keeping info: stat) throws(Failure) -> Writer {
        let (fd, temporary) = try temporaryFile(beside: path)
        // Without write access to the folder (or the right to give the file its owner back) the file
        // is rewritten in place: not atomic, but it stays the file its owner made.
        guard fd >= 0 else { return try inPlace(path, flags: O_TRUNC) }
        var keep = fchmod(fd, info.st_mode & 0o7777) == 0
        if keep, info.st_uid != geteuid() || info.st_gid != getegid() { keep = fchown(fd, info.st_uid, info.st_gid) == 0 }
        guard keep else {
            close(fd)
            unlink(temporary)
            return try inPlace(path, flags: O_TRUNC)
        }
        return Writer(fd: fd, temporary: temporary, destination: path)
    }

    private static func creatingFile(at path: String) throws(Failure) -> Writer {
        let folder = path.folderPath
        var info = stat()
        if !folder.isEmpty {
            if stat(folder, &info) != 0 { throw Failure(reason: errno == ENOENT ? "the folder '\(folder)' does not exist" : lastError()) }
            if (info.st_mode & S_IFMT) != S_IFDIR { throw Failure(reason: "'\(folder)' is not a folder") }
        }
        let (fd, temporary) = try temporaryFile(beside: path)
        guard fd >= 0 else { throw Failure(reason: lastError()) }
        // mkstemp makes 0600; a new report gets what any new file gets (0666 less the umask).
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        return Writer(fd: fd, temporary: temporary, destination: path)
    }

    /// A new file beside `path` (same folder, so `rename` is atomic); fd is -1 when it cannot be made.
    private static func temporaryFile(beside path: String) throws(Failure) -> (Int32, String) {
        let folder = path.folderPath
        let name = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "" : folder + "/") + ".\(name).mailaudit-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        return (fd, String(cString: template))
    }

    private static func inPlace(_ path: String, flags: Int32) throws(Failure) -> Writer {
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC | flags, 0o666)
        guard fd >= 0 else { throw Failure(reason: lastError()) }
        return Writer(fd: fd, temporary: nil, destination: path)
    }

    fileprivate static func writeAll(_ bytes: [UInt8], to fd: Int32) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: lastError())
            }
            written += n
        }
    }

    fileprivate static func lastError() -> String { String(cString: strerror(errno)) }
}
