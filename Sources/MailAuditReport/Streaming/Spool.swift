#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The elements of one array of a streamed document, written to an anonymous temporary file as
/// they come (a JSON report's `errors` come before its `findings`, and both are known only when
/// the run is over), then copied out once. Memory stays flat however many elements there are;
/// where no temporary file can be made they are kept in memory.
final class Spool {
    private let file: UnsafeMutablePointer<FILE>? = tmpfile()
    private var inMemory = ""
    private(set) var count = 0

    deinit { if let file { fclose(file) } }

    /// Appends `elements` rendered elements, `text` holding them joined by `separator`.
    func append(_ text: String, elements: Int, separator: String) {
        guard elements > 0 else { return }
        if count > 0 { write(separator) }
        write(text)
        count += elements
    }

    private func write(_ text: String) {
        guard let file else { inMemory += text; return }
        var text = text
        text.withUTF8 { bytes in _ = fwrite(bytes.baseAddress, 1, bytes.count, file) }
    }

    /// Everything appended, in chunks cut between characters.
    func copy(to output: (String) -> Void) {
        guard let file else { output(inMemory); return }
        fflush(file)
        rewind(file)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var carried: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            guard n > 0 else { break }
            var chunk = carried + buffer[0..<n]
            // Keep an unfinished UTF-8 sequence for the next chunk.
            var end = chunk.count
            var back = 0
            while end > 0, back < 4, chunk[end - 1] & 0xC0 == 0x80 { end -= 1; back += 1 }
            if end > 0, chunk[end - 1] >= 0xC0 { end -= 1 } else { end = chunk.count }
            carried = Array(chunk[end...])
            chunk.removeSubrange(end...)
            output(String(decoding: chunk, as: UTF8.self))
        }
        if !carried.isEmpty { output(String(decoding: carried, as: UTF8.self)) }
    }
}
