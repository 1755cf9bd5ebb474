import Foundation

extension TestSupport {
    public struct TimedRun: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The binary was still running at the deadline and was killed.
        public var timedOut: Bool
        public var seconds: Double
    }

    /// Runs the real binary, killing it at the deadline: a test of "this must not hang" fails instead
    /// of hanging. Output goes to files (a pipe nobody reads while waiting could fill up and block).
    /// `stdin` is a file to read standard input from (e.g. /dev/zero); without it, standard input is empty.
    public static func run(_ arguments: [String], cwd: URL? = nil, stdinFile: String? = nil, deadline seconds: Double,
                    launcher: [String] = []) throws -> TimedRun {
        let scratch = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let process = Process()
        if launcher.isEmpty {
            process.executableURL = binary
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: launcher[0])
            process.arguments = Array(launcher.dropFirst()) + [binary.path] + arguments
        }
        if let cwd { process.currentDirectoryURL = cwd }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdinFile ?? "/dev/null"))
        let start = Date()
        try process.run()
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > seconds {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        let took = Date().timeIntervalSince(start)
        return TimedRun(status: process.terminationStatus,
                        stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                        stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self),
                        timedOut: timedOut, seconds: took)
    }
}
