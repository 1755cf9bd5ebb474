/// Whether a setting's name says its value may be a secret. Deliberately generous: a misspelled key
/// (`passwrd`, `imap_passs`) is not read by its program, but its value is still a password the
/// user wrote, and masking a harmless value costs less than printing a secret.
enum SecretName {
    /// Words that end in "pass" or look like "password" and name no secret.
    static let notSecret: Set<String> = [
        "bypass", "compass", "passdb", "passdbs", "passthrough", "passthru", "passive", "passes", "passed", "passing",
        "userdb", "tokeninfo", "tokens",
    ]

    /// A last part that says the setting describes secrets rather than holds one
    /// (`default_pass_scheme`, `pass_attrs`, `password_query`).
    static let describesSecrets: Set<String> = [
        "scheme", "schemes", "attr", "attrs", "attribute", "attributes", "filter", "query", "format", "type", "types",
        "mechanism", "mechanisms", "method", "methods", "policy", "length", "expire", "expiry", "age", "algorithm",
        "hash", "encoding", "prompt", "hint", "reset", "changed", "lifetime", "enabled", "enable", "required",
    ]

    /// Parts that name a secret outright.
    static let secretWords: Set<String> = [
        "pass", "passwd", "password", "passwords", "passphrase", "pwd", "pw", "pword", "secret", "token", "apikey",
        "pin", "credential", "credentials", "privatekey",
    ]

    /// What a misspelling is measured against, and how many edits it may be away.
    static let misspelled = [("password", 2), ("passwd", 2), ("pass", 1), ("secret", 1)]

    static func isSecret(_ key: some StringProtocol) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 80 else { return false }
        // Most words hold none of the letters every secret word has: p, s or t (pass, pwd, secret, token).
        guard key.utf8.contains(where: { $0 | 0x20 == UInt8(ascii: "p") || $0 | 0x20 == UInt8(ascii: "t") || $0 | 0x20 == UInt8(ascii: "s") }) else { return false }
        let parts = words(key)
        if parts.count > 1, let last = parts.last, describesSecrets.contains(last) { return false }
        let lower = key.lowercased()
        if lower.containsBytes("passw") || lower.containsBytes("passphrase") || lower.containsBytes("secret") { return true }
        if parts.count > 1, parts.joined() == "apikey" { return true }
        return parts.contains(where: isSecretWord)
    }

    static func isSecretWord(_ word: String) -> Bool {
        if notSecret.contains(word) { return false }
        if secretWords.contains(word) { return true }
        // `remotepass`, `smtppass`, `imap_passs`: a word ending in a (doubled) "pass".
        if word.hasSuffix("pass") || word.hasSuffix("passs") || word.hasSuffix("pwd") || word.hasSuffix("token") { return true }
        // `passwrd`, `pasword`, `passowrd`: close to a password word. A misspelling keeps the first
        // letter and about the length, which spares the edit distance for almost every word.
        let length = word.utf8.count
        let start = Array(word.utf8.prefix(2))
        return misspelled.contains { candidate, edits in
            abs(length - candidate.utf8.count) <= edits && start.first == candidate.utf8.first && start.contains { "aswec".utf8.contains($0) }
                && Suggestion.distance(word, candidate) <= edits
        }
    }

    /// `smtp_sasl_password_maps` → smtp, sasl, password, maps; `IncomingPassword` → incoming, password;
    /// `mail.smtpserver.smtp1.password` → mail, smtpserver, smtp1, password.
    static func words(_ key: some StringProtocol) -> [String] {
        var out: [String] = []
        var current = ""
        var previousLower = false
        for scalar in key.unicodeScalars {
            let isLetterOrDigit = scalar.isASCII ? ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                : scalar.properties.isAlphabetic
            if !isLetterOrDigit {
                if !current.isEmpty { out.append(current) }
                current = ""
                previousLower = false
                continue
            }
            let upper = scalar.isASCII ? ("A"..."Z").contains(scalar) : scalar.properties.isUppercase
            if upper, previousLower, !current.isEmpty { out.append(current); current = "" }
            // ASCII lowercased by itself: a String per letter is most of what this function costs.
            if scalar.isASCII { current.unicodeScalars.append(upper ? Unicode.Scalar(scalar.value | 0x20)! : scalar) } else { current += String(scalar).lowercased() }
            previousLower = !upper
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
