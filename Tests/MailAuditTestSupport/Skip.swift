// Built only beside the test targets: a release build with the static standard library has no
// Testing module, and this target is part of every `swift build`.
#if canImport(Testing)
import Foundation
import Testing

/// Tests that need something this machine may not have are skipped with the reason, so the count
/// shows them; they never pass by returning early. As a trait where the need is known before the
/// test runs (`@Test(.needsCorpus)`), as a throwing call where the test finds out while it runs.
extension Trait where Self == ConditionTrait {
    /// The third-party corpus of real configuration files (MAILAUDIT_CORPUS).
    public static var needsCorpus: Self {
        .enabled(if: TestSupport.corpus != nil, "needs MAILAUDIT_CORPUS, the folder of third-party configuration files")
    }

    /// A program found on PATH (or at this absolute path).
    public static func needsProgram(_ name: String) -> Self {
        .enabled(if: Skip.program(name) != nil, "needs the program \(name), which is not installed")
    }
}

public enum Skip {
    /// Ends the running test (or test case) as skipped, with the reason.
    public static func because(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Never {
        try Test.cancel(Comment(rawValue: reason), sourceLocation: sourceLocation)
    }

    /// The corpus folder, or the test is skipped.
    public static func unlessCorpus(sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        guard let corpus = TestSupport.corpus else {
            try because("needs MAILAUDIT_CORPUS, the folder of third-party configuration files", sourceLocation: sourceLocation)
        }
        return corpus
    }

    /// The program's path, or the test is skipped.
    public static func unlessProgram(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        guard let url = program(name) else { try because("needs the program \(name), which is not installed", sourceLocation: sourceLocation) }
        return url
    }

    /// The program at an absolute path, or the first executable of that name on PATH.
    static func program(_ name: String) -> URL? {
        let fm = FileManager.default
        if name.hasPrefix("/") { return fm.isExecutableFile(atPath: name) ? URL(fileURLWithPath: name) : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").lazy.map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { fm.isExecutableFile(atPath: $0.path) }
    }
}
#endif
