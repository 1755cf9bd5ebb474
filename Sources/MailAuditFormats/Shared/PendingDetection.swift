import MailAuditCore

/// A file whose format its name alone does not settle: which formats are in question, decided
/// later from the file's first bytes (`FormatRegistry.decide`), in the parallel per-file stage that
/// reads the file anyway, so detection costs no extra read and no serial pass over every file.
public struct PendingDetection: Sendable {
    /// The formats the file's name and place claim (several: the name is ambiguous).
    var claims: [any ConfigFormat]
    /// When no name claims the file: the formats its content alone may prove (native YAML for
    /// `*.yml`, the XML formats for `*.xml` and ISPDB folders).
    var sniffed: [any ConfigFormat]

    public init(claims: [any ConfigFormat], sniffed: [any ConfigFormat] = []) {
        self.claims = claims
        self.sniffed = sniffed
    }

    /// The file's format from its first bytes (`head`; nil when it cannot be read). The name picks
    /// the candidates and the content may only confirm one of them; nil: the walk passes over the file.
    public func decide(head: SourceFile?) -> (any ConfigFormat)? {
        guard let head else {
            // Unreadable: the one claimant reports why (exit 2); several cannot be told apart.
            return claims.count == 1 ? claims[0] : nil
        }
        if claims.isEmpty {
            let byContent = sniffed.filter { $0.matches(content: head) }
            return byContent.count == 1 ? byContent[0] : nil
        }
        // Names only one program uses are trusted (`confirms` is true); shared ones need proof.
        let byContent = claims.count == 1 ? claims : claims.filter { $0.matches(content: head) }
        guard byContent.count == 1, byContent[0].confirms(content: head) else { return nil }
        return byContent[0]
    }
}

/// How much of a file detection reads: signatures sit at the top (a root element, `mailaudit: 1`,
/// the first sections); a file whose signature lies further down is not recognised by its content.
enum DetectionWindow {
    static let size = 16 * 1024
}

extension SourceFile {
    /// The file's first `DetectionWindow.size` bytes, cut back to the end of a line, as a file of
    /// its own (same path): what content checks see. The file itself when it is that small.
    public var detectionHead: SourceFile {
        let utf8 = text.utf8
        guard utf8.count > DetectionWindow.size else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: DetectionWindow.size)
        // Back to the last line end inside the window; a window without one ends on a character boundary.
        if let newline = utf8[..<end].lastIndex(of: UInt8(ascii: "\n")) {
            end = utf8.index(after: newline)
        } else {
            while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) { end = utf8.index(before: end) }
        }
        return SourceFile(path: path, text: String(text[..<end]))
    }
}
