import MailAuditCore

/// PHP's SSL stream context options (`['verify_peer' => false, …]`, php.net/context.ssl), which PHP
/// applications pass through to their mail connections: PHP checks the peer's certificate and name
/// unless one of them is switched off or self-signed certificates are allowed.
enum PHPStreamOptions {
    /// Whether the certificate is checked under an `ssl` options array, and the option that decided
    /// (nil: none is written, or the first that counts is computed).
    static func verifiesCertificate(_ ssl: PHPValue) -> (verifies: Bool?, span: SourceSpan?) {
        var decided: SourceSpan?
        for (key, off) in [("verify_peer", false), ("verify_peer_name", false), ("allow_self_signed", true)] {
            guard let v = ssl[key] else { continue }
            switch v.value.truthy {
            case off?: return (false, v.span)
            case nil: return (nil, v.span)
            default: decided = v.span
            }
        }
        return (true, decided)
    }
}
