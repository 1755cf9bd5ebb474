import MailAuditCore

/// `--files-from FILE|-`: the paths to lint, one per line, or separated by NUL bytes with `-0` (what
/// `find -print0` and `git ls-files -z` write, for names that hold a newline). Blank entries are
/// ignored; a line's trailing carriage return is not part of the path (lists written on Windows).
public enum PathList {
    public static func paths(in bytes: some Sequence<UInt8>, nulSeparated: Bool) -> [String] {
        let separator: UInt8 = nulSeparated ? 0 : UInt8(ascii: "\n")
        var out: [String] = []
        var current: [UInt8] = []
        func finish() {
            if !nulSeparated, current.last == UInt8(ascii: "\r") { current.removeLast() }
            if !current.isEmpty, !(!nulSeparated && current.allSatisfy { $0 == 0x20 || $0 == 0x09 }) {
                out.append(String(decoding: current, as: UTF8.self))
            }
            current.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            if byte == separator { finish() } else { current.append(byte) }
        }
        finish()
        return out
    }
}
