/// The last line of defence against printing a secret: knows the text of every secret the run's
/// setups hold and replaces it by `****` (always four, so a masked secret never tells its length)
/// in any string that leaves the program. Secrets are found by the parsers (their spans); this
/// only needs their text, which never goes into the model.
///
/// What the scanner takes for a secret is sometimes a word (`auth_verbose_passwords = plain`, a
/// comment's "password from the server"). Replacing such a word in every output would garble
/// them, so only a value that looks like a password (`looksLikePassword`) is masked wherever it
/// appears; any secret is masked in its own line (by span) and, in pieces, where a message about
/// its file quotes it.
public struct SecretRedactor: Sendable {
    public static let mask = "****"
    /// A piece of a secret this long is masked where a message quotes part of it (`'remotepass S3cr3tV…'`).
    public static let pieceLength = 6

    /// UTF-8 secrets, longest first, indexed by their first four bytes.
    private var byPrefix: [UInt32: [[UInt8]]] = [:]
    /// Which bytes start a secret: most positions of a text are passed over with one look-up.
    private var startsSecret = [Bool](repeating: false, count: 256)
    /// Every `pieceLength`-byte window of every secret, per file: a message is only cleared of
    /// pieces of its own file's secrets (a piece of one file's password is a word in another's).
    private var pieces: [String: Set<[UInt8]>] = [:]

    public init() {}

    public var isEmpty: Bool { byPrefix.isEmpty && pieces.isEmpty }

    /// Adds a secret as written; quotes around it and blanks are not part of it, and a percent-encoded
    /// one (a URL's) is known decoded too.
    public mutating func add(_ text: some StringProtocol, path: String = "") {
        var variants: Set<String> = [String(text)]
        var trimmed = Substring(String(text)).drop { $0 == " " || $0 == "\t" }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
        variants.insert(String(trimmed))
        for quote in ["\"", "'", "`"] where trimmed.hasPrefix(quote) {
            var inner = trimmed.dropFirst()
            if inner.hasSuffix(quote) { inner = inner.dropLast() }
            variants.insert(String(inner))
        }
        for v in variants { if let decoded = Self.percentDecoded(v), decoded != v { variants.insert(decoded) } }
        for v in variants { insert(v, path: path) }
    }

    public mutating func merge(_ other: SecretRedactor) {
        for (key, list) in other.byPrefix {
            for s in list where !(byPrefix[key]?.contains(s) ?? false) { byPrefix[key, default: []].append(s) }
            byPrefix[key]?.sort { $0.count > $1.count }
        }
        for byte in 0..<256 where other.startsSecret[byte] { startsSecret[byte] = true }
        pieces.merge(other.pieces) { $0.union($1) }
    }

    private mutating func insert(_ secret: String, path: String) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.pieceLength else { return }
        for start in 0...(bytes.count - Self.pieceLength) { pieces[path, default: []].insert(Array(bytes[start..<(start + Self.pieceLength)])) }
        guard Self.looksLikePassword(bytes) else { return }
        let key = Self.prefixKey(bytes, 0)
        if byPrefix[key]?.contains(bytes) ?? false { return }
        byPrefix[key, default: []].append(bytes)
        startsSecret[Int(bytes[0])] = true
        byPrefix[key]?.sort { $0.count > $1.count }
    }

    /// Every whole secret in `text` replaced by `****`. One pass over the text. A secret that is a
    /// number is masked only where it stands alone, and not at all in a rendered document (`inDocument`),
    /// where it could be a line number; the strings that went into the document were masked before.
    public func redact(_ text: String, inDocument: Bool = false) -> String {
        guard !byPrefix.isEmpty, text.utf8.count >= Self.pieceLength else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0, copied = 0, changed = false
        while i + Self.pieceLength <= bytes.count {
            if startsSecret[Int(bytes[i])], let candidates = byPrefix[Self.prefixKey(bytes, i)],
               let match = candidates.first(where: { i + $0.count <= bytes.count && bytes[i..<(i + $0.count)].elementsEqual($0)
                   && !(Self.isNumber($0) && (inDocument || Self.isDigit(bytes, i - 1) || Self.isDigit(bytes, i + $0.count))) }) {
                out += bytes[copied..<i]
                out += Array(Self.mask.utf8)
                i += match.count
                copied = i
                changed = true
            } else {
                i += 1
            }
        }
        guard changed else { return text }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Also masks, inside the quotes of a message, every run of text that is a piece (at least
    /// `pieceLength` long) of a secret of the file at `path`: a message may quote a line that holds
    /// a secret cut short (`'remotepass S3cr3tV…'`) or a word of it.
    public func redactPieces(_ text: String, path: String) -> String {
        let whole = redact(text)
        guard let pieces = pieces[path], !pieces.isEmpty else { return whole }
        let bytes = Array(whole.utf8)
        guard bytes.count >= Self.pieceLength else { return whole }
        let quoted = Self.quoted(bytes)
        var covered = [Bool](repeating: false, count: bytes.count)
        var any = false
        // A run starts where a word does (`'remotepass S3cr3tV…'`), so a piece that happens to
        // match the middle of a setting's name (`sql_passwd`) is left alone.
        var previous = -2
        for start in 0...(bytes.count - Self.pieceLength)
        where quoted[start] && quoted[start + Self.pieceLength - 1] && (previous == start - 1 || !Self.isWordByte(bytes, start - 1))
            && pieces.contains(Array(bytes[start..<(start + Self.pieceLength)])) {
            for k in start..<(start + Self.pieceLength) { covered[k] = true }
            any = true
            previous = start
        }
        guard any else { return whole }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard covered[i] else { out.append(bytes[i]); i += 1; continue }
            // Widen the run to whole characters, so a multi-byte character is never cut.
            if bytes[i] & 0xC0 == 0x80 { while let last = out.popLast(), last & 0xC0 == 0x80 {} }
            while i < bytes.count, covered[i] || bytes[i] & 0xC0 == 0x80 { i += 1 }
            out += Array(Self.mask.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Which bytes lie inside quotes (`'…'`, `"…"`, `` `…` ``; an apostrophe inside a word is none;
    /// a quote left open runs to the end, as a quoted line cut short does).
    static func isWordByte(_ bytes: [UInt8], _ i: Int) -> Bool {
        i >= 0 && i < bytes.count && (bytes[i] >= 0x80 || (bytes[i] | 0x20 >= 0x61 && bytes[i] | 0x20 <= 0x7A) || (0x30...0x39).contains(bytes[i]))
    }

    static func quoted(_ bytes: [UInt8]) -> [Bool] {
        func isWord(_ i: Int) -> Bool { isWordByte(bytes, i) }
        var out = [Bool](repeating: false, count: bytes.count)
        var open: UInt8?
        for i in bytes.indices {
            let b = bytes[i]
            if let q = open {
                if b == q, !isWord(i + 1) { open = nil } else { out[i] = true }
            } else if b == 0x27 || b == 0x22 || b == 0x60, !isWord(i - 1) {
                open = b
            }
        }
        return out
    }

    /// Six characters or more, mixing two kinds (lower case, upper case, digits, punctuation), or a
    /// number: `Winter2024!`, `hunter2`, `${MAIL_PASSWORD}`, `73195846`; not `plain`, `password`,
    /// `PASSWORD` or `from the`.
    static func looksLikePassword(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= pieceLength, !isPlaceholder(bytes) else { return false }
        var kinds = Set<Int>()
        for b in bytes {
            switch b {
            case 0x61...0x7A: kinds.insert(0)
            case 0x41...0x5A: kinds.insert(1)
            case 0x30...0x39: kinds.insert(2)
            case 0x20, 0x09: break
            default: kinds.insert(3)
            }
        }
        return kinds.count >= 2 || kinds == [2]
    }

    /// A template's stand-in, not a secret: `<password>`, `${MAIL_PASSWORD}`, `{{ smtp_pass }}`, `%PASSWORD%`, `$PASS`.
    static func isPlaceholder(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        switch (first, last) {
        case (UInt8(ascii: "<"), UInt8(ascii: ">")), (UInt8(ascii: "%"), UInt8(ascii: "%")), (UInt8(ascii: "{"), UInt8(ascii: "}")): return true
        case (UInt8(ascii: "$"), _):
            return bytes.dropFirst().allSatisfy { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "_") || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
        default: return false
        }
    }

    static func isNumber(_ bytes: [UInt8]) -> Bool { bytes.allSatisfy { (0x30...0x39).contains($0) } }
    static func isDigit(_ bytes: [UInt8], _ i: Int) -> Bool { i >= 0 && i < bytes.count && (0x30...0x39).contains(bytes[i]) }

    static func prefixKey(_ bytes: [UInt8], _ i: Int) -> UInt32 {
        UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
    }

    /// `%2F` → `/`; nil when there is nothing to decode or the result is not UTF-8.
    static func percentDecoded(_ s: String) -> String? {
        guard s.contains("%") else { return nil }
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.first {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
