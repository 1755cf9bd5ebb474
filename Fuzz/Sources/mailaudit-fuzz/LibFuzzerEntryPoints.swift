import Foundation

// The two functions libFuzzer calls (its own `main` runs the show; see Package.swift).

/// The state every input shares, set up once by `LLVMFuzzerInitialize`.
nonisolated(unsafe) private var selector: FormatSelector?
nonisolated(unsafe) private var lint: FuzzedLint?

/// Loads the rule pack and reads MAILAUDIT_FUZZ_FORMATS; `--write-seeds DIR [PATH ...]` writes the
/// seeds instead of fuzzing (libFuzzer ignores flags that start with `--`).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let arguments = CommandLine.arguments
    if let flag = arguments.firstIndex(of: "--write-seeds") {
        let rest = Array(arguments[(flag + 1)...])
        guard let directory = rest.first else { fail("--write-seeds needs a folder") }
        do {
            let counts = try SeedWriter.write(to: URL(fileURLWithPath: directory), from: Array(rest.dropFirst()))
            print(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n"))
            exit(0)
        } catch {
            fail("cannot write seeds: \(error)")
        }
    }
    do {
        selector = try FormatSelector(pinned: ProcessInfo.processInfo.environment["MAILAUDIT_FUZZ_FORMATS"])
        lint = try FuzzedLint()
    } catch let error as FormatSelector.UnknownFormat {
        fail("MAILAUDIT_FUZZ_FORMATS: \(error.message)")
    } catch {
        fail("the built-in rule pack does not load: \(error)")
    }
    return 0
}

/// One input: its first byte picks the format (FormatSelector), the rest is the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0, let selector, let lint else { return 0 }
    let format = selector.format(forSelector: data[0])
    lint.run(Data(bytes: data + 1, count: size - 1), format: format)
    return 0
}

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("mailaudit-fuzz: \(message)\n".utf8))
    exit(2)
}
