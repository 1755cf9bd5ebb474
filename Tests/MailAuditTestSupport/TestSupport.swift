import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules

/// Paths and helpers shared by the tests: the repository, the built-in rules, parsing and linting
/// text in a format, running the built binary, scratch folders.
public enum TestSupport {
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let rulesDirectory = repoRoot.appendingPathComponent("Rules")
    /// The third-party corpus of real configuration files: MAILAUDIT_CORPUS (scripts/test.sh sets it
    /// when a folder beside the clone holds one); nil without it, and tests that need it are skipped.
    public static let corpus: URL? = ProcessInfo.processInfo.environment["MAILAUDIT_CORPUS"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static let ruleSet: RuleSet = {
        do { return try RuleSet.builtIn() } catch { fatalError("built-in pack does not load: \(error)") }
    }()

    /// Parses text in a format and returns the setup (problems included).
    public static func parse(_ text: String, format id: String, path: String = "test.conf") -> MailSetup {
        guard let format = FormatRegistry.builtIn.format(id: FormatID(id)) else { fatalError("no format \(id)") }
        let file = SourceFile(path: path, text: text)
        return format.parse(file, context: ParseContext(ports: ruleSet.ports))
    }

    /// Lints text in a format with the built-in pack: findings (inline suppressions applied) and problems.
    public static func lint(_ text: String, format id: String, path: String = "test.conf", today: String = "2026-11-29", versions: ProgramVersions = ProgramVersions()) -> LintResult {
        guard let format = FormatRegistry.builtIn.format(id: FormatID(id)) else { fatalError("no format \(id)") }
        var linter = Linter(engine: RuleEngine(ruleSet: ruleSet))
        linter.today = today
        linter.versions = versions
        return linter.lint([LintInput(path: path, displayPath: path, format: format, text: text)])
    }

    /// The built binary, next to the test bundle.
    public static var binary: URL {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDir, bundleDir.deletingLastPathComponent(), bundleDir.deletingLastPathComponent().deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("mailaudit")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repoRoot.appendingPathComponent(".build/debug/mailaudit")
    }

    public struct Run: Sendable { public var status: Int32; public var stdout: String; public var stderr: String }

    /// Runs the real binary.
    @discardableResult
    public static func run(_ arguments: [String], stdin: String? = nil, cwd: URL? = nil, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh folder holding these files (names may have folders in them).
    public static func folder(_ files: [String: String]) throws -> URL {
        let dir = temporaryDirectory()
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// A fresh temporary folder.
    public static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mailaudit-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
