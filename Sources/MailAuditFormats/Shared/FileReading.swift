import Foundation
import MailAuditCore

/// The one way mailaudit reads bytes from a file or from standard input.
///
/// Only regular files are read. A FIFO would block for ever (already in `open`, hence `O_NONBLOCK`
/// and a look at the opened descriptor with `fstat`), a device such as `/dev/zero` never ends, a
/// socket cannot be read at all. Every read is bounded: no more than `limit` + 1 bytes come back,
/// so callers can tell "too large" without reading the rest.
public enum FileReading {
    /// Opens a regular file for reading: its descriptor (blocking again) and the size `fstat` gives.
    /// The caller closes the descriptor.
    static func openRegularFile(_ path: String, shown: String) throws(ParseProblem) -> (fd: Int32, size: Int) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            // A socket cannot be opened (ENXIO): say what it is rather than "No such device or address".
            var info = stat()
            if code != ENOENT, stat(path, &info) == 0, let kind = describe(info.st_mode) {
                throw ParseProblem("'\(shown)' is not a regular file (\(kind))", path: shown)
            }
            throw ParseProblem("cannot read '\(shown)': \(code == ENOENT ? "no such file" : String(cString: strerror(code)))", path: shown)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ParseProblem("cannot read '\(shown)': \(reason)", path: shown)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ParseProblem("'\(shown)' is a directory", path: shown)
        }
        if let kind = describe(info.st_mode) {
            close(fd)
            throw ParseProblem("'\(shown)' is not a regular file (\(kind))", path: shown)
        }
        // A regular file never blocks; clear the flag so reads behave the ordinary way everywhere.
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return (fd, Int(info.st_size))
    }

    /// What a file that is neither regular nor a directory is, in words; nil for those two.
    static func describe(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file mailaudit reads"
        }
    }

    /// Reads until the end or until more than `limit` bytes were read: at most `limit` + 1 bytes.
    /// `sizeHint` (the size `fstat` gave) sizes the buffer; files in /proc and pipes say 0.
    static func readBounded(_ fd: Int32, shown: String, sizeHint: Int = 0, limit: Int) throws(ParseProblem) -> Data {
        // One byte more than the hint, so that the end of a regular file is seen without growing the buffer.
        var data = Data(count: min(limit + 1, max(sizeHint + 1, 4096)))
        var filled = 0
        while filled <= limit {
            if filled == data.count { data.count = min(limit + 1, max(65_536, data.count * 2)) }
            let n = data.withUnsafeMutableBytes { buffer in read(fd, buffer.baseAddress! + filled, buffer.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ParseProblem("cannot read '\(shown)': \(String(cString: strerror(errno)))", path: shown)
            }
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }

    /// A whole list file (`--files-from`): a regular file, or standard input for "-"; never a FIFO
    /// or device named as a file, and never more than `limit` bytes.
    public static func list(_ path: String, limit: Int) throws(ParseProblem) -> Data {
        let data: Data
        if path == "-" {
            data = try readBounded(STDIN_FILENO, shown: "standard input", limit: limit)
        } else {
            let (fd, size) = try openRegularFile(path, shown: path)
            defer { close(fd) }
            data = try readBounded(fd, shown: path, sizeHint: size, limit: limit)
        }
        guard data.count <= limit else { throw ParseProblem("'\(path)' is larger than \(limit / 1_048_576) MB", path: path) }
        return data
    }

    /// The first `count` bytes of a regular file; nil when it cannot be read or is not a regular file.
    static func head(of path: String, count: Int) -> Data? {
        guard let (fd, size) = try? openRegularFile(path, shown: path) else { return nil }
        defer { close(fd) }
        guard let data = try? readBounded(fd, shown: path, sizeHint: size, limit: count) else { return nil }
        return data.prefix(count)
    }
}
