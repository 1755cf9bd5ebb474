// Built only beside the test targets: a release build with the static standard library has no
// Testing module, and this target is part of every `swift build`.
#if canImport(Testing)
import Foundation
import Testing

/// Unreadable inputs, checked through the real binary for one format's file name: binary data,
/// invalid UTF-8 and a 50 MB file each get MA000 with a position, and exit status 2.
public enum BadInputCheck {
    public static func run(fileName: String) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func check(_ data: Data, expect: String, position: String) throws {
            let sub = dir.appendingPathComponent(UUID().uuidString)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let url = sub.appendingPathComponent(fileName)
            try data.write(to: url)
            let run = try TestSupport.run(["lint", "--format", "json", url.path])
            #expect(run.status == 2, "\(fileName): \(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains(expect), "\(fileName): \(run.stdout)")
            #expect(run.stdout.contains(position), "\(fileName): \(run.stdout)")
        }
        try check(Data("[a]\nkey = v\u{0}x\n".utf8), expect: "NUL", position: "\"line\" : 2")
        try check(Data("[a]\nkey = caf".utf8) + Data([0xE9, 0x0A]), expect: "UTF-8", position: "\"column\" : 10")
        try check(Data(repeating: UInt8(ascii: "#"), count: 50 * 1_048_576), expect: "50 MB", position: "\"line\" : 1")
    }
}
#endif
