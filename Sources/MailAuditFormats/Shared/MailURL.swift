import Foundation
import MailAuditCore

/// Mail server URLs as clients write them: `imaps://user@host:993/INBOX`, `smtp://host:587`,
/// `smtps+plain://user@host`, `pop://`, `pops://`, Symfony `smtp://user:pass@host:port?verify_peer=0`.
struct MailURL: Sendable, Equatable {
    var scheme: String
    var `protocol`: MailProtocol
    /// `implicit` for the `s` schemes (imaps, smtps, pops), else `nil`: the URL alone does not say whether STARTTLS is used.
    var tls: TLSMode?
    /// Authentication mechanism named in the scheme (`smtps+plain` → plain), lower case.
    var mechanism: String?
    var user: String?
    var hasPassword: Bool
    var host: String?
    var port: Int?
    var query: [String: String]
    /// Where the password starts and how long it is, in the URL text (to mask it).
    var passwordRange: (offset: Int, length: Int)?

    static func == (a: MailURL, b: MailURL) -> Bool {
        a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.user == b.user && a.query == b.query
    }

    /// Schemes and what they mean. `insecure` schemes (aerc `smtp+insecure`) mean no TLS at all.
    static let schemes: [String: (MailProtocol, TLSMode?)] = [
        "imap": (.imap, nil), "imaps": (.imap, .implicit),
        "pop": (.pop3, nil), "pop3": (.pop3, nil), "pops": (.pop3, .implicit), "pop3s": (.pop3, .implicit),
        "smtp": (.smtp, nil), "smtps": (.smtp, .implicit), "submission": (.smtp, nil), "submissions": (.smtp, .implicit),
        "http": (.http, TLSMode.none), "https": (.http, .implicit),
    ]

    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let sep = trimmed.range(of: "://") else { return nil }
        let fullScheme = trimmed[..<sep.lowerBound].lowercased()
        let parts = fullScheme.split(separator: "+", maxSplits: 1).map(String.init)
        guard let base = parts.first, let (p, tls) = MailURL.schemes[base] else { return nil }
        scheme = fullScheme
        self.protocol = p
        self.tls = tls
        mechanism = nil
        if parts.count > 1 {
            let modifier = parts[1]
            if modifier == "insecure" { self.tls = TLSMode.none } else { mechanism = modifier }
        }
        var rest = trimmed[sep.upperBound...]
        var queryText = ""
        if let q = rest.firstIndex(of: "?") { queryText = String(rest[rest.index(after: q)...]); rest = rest[..<q] }
        // User-info ends at the last `@`; a password may hold a `/` (written unencoded, as users do).
        var userInfoEnd: Substring.Index?
        if let at = rest.lastIndex(of: "@") {
            let before = rest[..<at]
            if let slash = before.firstIndex(of: "/") {
                if before[..<slash].contains(":") { userInfoEnd = at }
            } else {
                userInfoEnd = at
            }
        }
        let pathStart = rest[(userInfoEnd ?? rest.startIndex)...].firstIndex(of: "/")
        if let pathStart { rest = rest[..<pathStart] }
        var authority = rest
        user = nil
        hasPassword = false
        passwordRange = nil
        if let at = userInfoEnd {
            let userInfo = authority[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                user = String(userInfo[..<colon]).removingPercentEncoding
                hasPassword = userInfo.index(after: colon) < userInfo.endIndex
                let offset = trimmed.distance(from: trimmed.startIndex, to: userInfo.index(after: colon))
                passwordRange = (offset, userInfo.distance(from: userInfo.index(after: colon), to: userInfo.endIndex))
            } else {
                user = String(userInfo).removingPercentEncoding
            }
            authority = authority[authority.index(after: at)...]
        }
        host = nil
        port = nil
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
        }
        if host?.isEmpty == true { host = nil }
        var q: [String: String] = [:]
        for pair in queryText.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            q[kv[0].removingPercentEncoding ?? kv[0]] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
        }
        query = q
    }

    /// The URL as written without its user-info (`smtp://user:pass@host` → `smtp://host`), for a
    /// value that is kept as text; text without `://` is returned unchanged.
    static func withoutUserInfo(_ text: String) -> String {
        guard let sep = text.range(of: "://") else { return text }
        let rest = text[sep.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<sep.upperBound]) + String(rest[rest.index(after: at)...])
    }
}
