import MailAuditCore
import MailAuditFormats

/// Which format a fuzz input is in. The first byte, modulo the number of formats, indexes
/// `FormatRegistry.builtIn`; the rest of the input is the file. So a seed is its format's selector
/// byte followed by a real file, and a crash reproducer is the same.
///
/// `MAILAUDIT_FUZZ_FORMATS=postfix,dovecot` pins a family: a byte that selects a format outside it
/// is mapped onto the family, so one libFuzzer job stays on the formats its seeds and dictionary are for.
struct FormatSelector: Sendable {
    static let formats = FormatRegistry.builtIn.formats

    /// Indexes into `formats` this run may pick; all of them unless pinned.
    let family: [Int]

    init(pinned: String?) throws(UnknownFormat) {
        guard let pinned, !pinned.isEmpty else {
            family = Array(Self.formats.indices)
            return
        }
        var indexes: [Int] = []
        for id in pinned.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            guard let index = Self.formats.firstIndex(where: { $0.id == FormatID(id) }) else { throw UnknownFormat(id: id) }
            indexes.append(index)
        }
        family = indexes
    }

    /// The byte a seed of this format starts with.
    static func selectorByte(forFormat id: String) -> UInt8? {
        formats.firstIndex { $0.id == FormatID(id) }.map { UInt8($0) }
    }

    func format(forSelector byte: UInt8) -> any ConfigFormat {
        let index = Int(byte) % Self.formats.count
        return Self.formats[family.contains(index) ? index : family[Int(byte) % family.count]]
    }

    struct UnknownFormat: Error {
        let id: String
        var message: String { "unknown format '\(id)'; formats: \(FormatRegistry.builtIn.ids.map(\.rawValue).joined(separator: ", "))" }
    }
}
