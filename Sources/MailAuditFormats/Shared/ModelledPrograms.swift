extension ProgramVersions {
    /// The program and release whose defaults each format models (the README's format table), as a
    /// finding that rests on a default names it: `msmtp 1.8`. A program whose release `assume:` can
    /// pin (`catalog`) is named as pinned; a parser that tells the release from the file itself
    /// (Dovecot 2.3 or 2.4) or reads several programs' settings (env files) names it in the setup.
    public static let formatPrograms: [String: String] = [
        "mailaudit-yaml": "mailaudit-yaml 1",
        "msmtp": "msmtp 1.8",
        "mbsync": "mbsync 1.4",
        "offlineimap": "offlineimap3 0.0~git20211018",
        "getmail": "getmail6 6.18",
        "gitconfig": "git send-email 2.39",
        "thunderbird": "Thunderbird 140",
        "autoconfig": "Mozilla autoconfig 1.1",
        "mobileconfig": "Apple Mail (iOS 17)",
        "autodiscover": "Autodiscover POX 2006a",
        "dovecot": "Dovecot 2.3",
        "exim": "Exim 4.96",
        "opensmtpd": "OpenSMTPD 6.8",
        "dotenv": "Laravel 13",
        "spring": "Spring Boot 4.0",
        "django": "Django 5.2",
    ]

    /// How a message names the release `format` models: pinned with `assume:`, or the default
    /// (programs in `catalog`, such as fetchmail and Postfix, are named from there).
    public func modelledProgram(format: String) -> String? {
        if Self.catalog[format] != nil { return name(format) }
        return Self.formatPrograms[format]
    }
}
