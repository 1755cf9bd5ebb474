/// A format's id: what `--as` takes, what JSON and SARIF write, what rule examples name. Each
/// format declares its id once, in its description (`FormatDescription`); which ids exist is the
/// format registry's to say, so any text is an id here and an unknown one is refused there.
public struct FormatID: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Written as the bare id, so output reads as it did when formats were named by strings.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (a: FormatID, b: FormatID) -> Bool { a.rawValue < b.rawValue }
}
