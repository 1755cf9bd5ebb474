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
        guard !path.isEmpty else { throw Failure(reason: "the path is empty") }  // Foundation's path functions trap on ""
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: try replaceRegularFile(at: try target(of: path), with: bytes, keeping: info)
            case S_IFDIR: throw Failure(reason: "it is a folder")
            default: try writeInPlace(bytes, to: path, flags: 0)  // devices, FIFOs
            }
            return
        }
        guard errno == ENOENT else { throw Failure(reason: lastError()) }
        var linkInfo = stat()
        if lstat(path, &linkInfo) == 0 {
            // A link to a file that does not exist yet: create the target, as a shell's `>` would.
            try writeInPlace(bytes, to: path, flags: O_CREAT | O_TRUNC)
            return
        }
        try createFile(at: path, with: bytes)
    }

    /// The file a path names, links resolved (the rename must replace the target, not the link).
    private static func target(of path: String) throws(Failure) -> String {
        var linkInfo = stat()
        guard lstat(path, &linkInfo) == 0, (linkInfo.st_mode & S_IFMT) == S_IFLNK else { return path }
        guard let resolved = realpath(path, nil) else { throw Failure(reason: lastError()) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func replaceRegularFile(at path: String, with bytes: [UInt8], keeping info: stat) throws(Failure) {
        let (fd, temporary) = try temporaryFile(beside: path)
        // Without write access to the folder (or the right to give the file its owner back) the file
        // is rewritten in place: not atomic, but it stays the file its owner made.
        guard fd >= 0 else { return try writeInPlace(bytes, to: path, flags: O_TRUNC) }
        var keep = fchmod(fd, info.st_mode & 0o7777) == 0
        if keep, info.st_uid != geteuid() || info.st_gid != getegid() { keep = fchown(fd, info.st_uid, info.st_gid) == 0 }
        guard keep else {
            close(fd)
            unlink(temporary)
            return try writeInPlace(bytes, to: path, flags: O_TRUNC)
        }
        try finish(fd: fd, temporary: temporary, bytes: bytes, destination: path)
    }

    private static func createFile(at path: String, with bytes: [UInt8]) throws(Failure) {
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
        try finish(fd: fd, temporary: temporary, bytes: bytes, destination: path)
    }

    /// A new file beside `path` (same folder, so `rename` is atomic); fd is -1 when it cannot be made.
    private static func temporaryFile(beside path: String) throws(Failure) -> (Int32, String) {
        let folder = path.folderPath
        let name = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "" : folder + "/") + ".\(name).mailaudit-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        return (fd, String(cString: template))
    }

    private static func finish(fd: Int32, temporary: String, bytes: [UInt8], destination: String) throws(Failure) {
        do throws(Failure) {
            try writeAll(bytes, to: fd)
            guard close(fd) == 0 else { throw Failure(reason: lastError()) }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, destination) == 0 else {
            let reason = lastError()
            unlink(temporary)
            throw Failure(reason: reason)
        }
    }

    private static func writeInPlace(_ bytes: [UInt8], to path: String, flags: Int32) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0o666)
        guard fd >= 0 else { throw Failure(reason: lastError()) }
        defer { close(fd) }
        try writeAll(bytes, to: fd)
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) throws(Failure) {
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

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
