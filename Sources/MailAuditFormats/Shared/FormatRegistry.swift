import MailAuditCore

/// Every format mailaudit reads, and how a file's format is decided: by name first, then by content.
public struct FormatRegistry: Sendable {
    public let formats: [any ConfigFormat]

    public static let builtIn = FormatRegistry(formats: [
        NativeYAMLFormat(),
        MbsyncFormat(),
        FetchmailFormat(),
        MuttFormat(),
        MsmtpFormat(),
        DotenvFormat(),
        SpringFormat(),
        DjangoFormat(),
        RoundcubeFormat(),
        NextcloudFormat(),
        WordPressFormat(),
        GitLabFormat(),
        OfflineIMAPFormat(),
        GetmailFormat(),
        GitConfigFormat(),
        AercFormat(),
        EximFormat(),
        OpenSMTPDFormat(),
        PostfixFormat(),
        DovecotFormat(),
        ThunderbirdFormat(),
        AutoconfigFormat(),
        MobileconfigFormat(),
        AutodiscoverFormat(),
        GiteaFormat(),
        GrafanaFormat(),
        SnappyMailFormat(),
    ])

    init(formats: [any ConfigFormat]) { self.formats = formats }

    /// Each format's description, in the registry's order.
    public var descriptions: [FormatDescription] { formats.map(\.formatDescription) }

    public var ids: [FormatID] { formats.map(\.id) }

    public func format(id: FormatID) -> (any ConfigFormat)? { formats.first { $0.id == id } }

    public func description(of id: FormatID) -> FormatDescription? { format(id: id)?.formatDescription }

    /// The formats whose content alone may prove a file no name claims, in a directory walk
    /// (native YAML for `*.yml`, the XML formats for `*.xml` and ISPDB folders).
    public func sniffing(fileName: String, path: String) -> [any ConfigFormat] {
        formats.filter { $0.formatDescription.sniffed?.covers(fileName: fileName, path: path) == true }
    }

    /// The formats a file name claims. More than one means the name alone is ambiguous.
    public func candidates(fileName: String, path: String) -> [any ConfigFormat] {
        formats.filter { $0.matches(fileName: fileName, path: path) }
    }

    /// The format of a file: its name decides when exactly one format claims it; otherwise its first bytes.
    public func detect(fileName: String, path: String, content: () -> SourceFile?) -> (any ConfigFormat)? {
        let byName = candidates(fileName: fileName, path: path)
        if byName.count == 1 { return byName[0] }
        guard let file = content() else { return nil }
        let head = file.detectionHead
        let pool = byName.isEmpty ? formats : byName
        let byContent = pool.filter { $0.matches(content: head) }
        return byContent.count == 1 ? byContent[0] : nil
    }
}
