import ArgumentParser
import Foundation

/// Writes reports (`--output`, `--report`, `baseline --output`) or prints them on standard output.
enum ReportWriter {
    /// Appends (GitHub's job summary file is shared by every step).
    static func append(_ text: String, to path: String) {
        guard let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }

    /// A failure is one line on standard error and exit status 2.
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try OutputFile.write(Array(text.utf8), to: path)
        } catch {
            throw cannotWrite(path, error)
        }
    }

    /// One line on standard error; the exit status 2 to throw.
    static func cannotWrite(_ path: String, _ error: OutputFile.Failure) -> ExitCode {
        FileHandle.standardError.write(Data("mailaudit: cannot write '\(path)': \(error.reason)\n".utf8))
        return ExitCode(2)
    }
}

/// Where one report goes while the run goes on: standard output, or a file, each piece as it
/// comes. A regular file is written beside its path and renamed over it at the end (`OutputFile`),
/// so nobody reads half a report; GitHub's job summary is appended to at the end.
final class ReportDestination {
    private enum Target {
        case standardOutput
        case file(OutputFile.Writer)
        case appending(path: String, pending: String)
    }

    let path: String?
    private var target: Target
    private var failed = false

    /// A file that cannot be opened is a failure at once (exit status 2), before the run.
    init(path: String?, appending: Bool = false) throws {
        self.path = path
        guard let path else { target = .standardOutput; return }
        if appending { target = .appending(path: path, pending: ""); return }
        do { target = .file(try OutputFile.open(path)) } catch { throw ReportWriter.cannotWrite(path, error) }
    }

    func write(_ text: String) {
        guard !text.isEmpty, !failed else { return }
        switch target {
        case .standardOutput: FileHandle.standardOutput.write(Data(text.utf8))
        case .file(let writer): do { try writer.write(Array(text.utf8)) } catch { failed = true }
        case .appending(let path, let pending): target = .appending(path: path, pending: pending + text)
        }
    }

    /// The run stopped: a file being replaced keeps its old content.
    func abandon() {
        if case .file(let writer) = target { writer.abandon() }
    }

    func finish() throws {
        switch target {
        case .standardOutput: break
        case .file(let writer):
            do { try writer.finish() } catch { throw ReportWriter.cannotWrite(path ?? "", error) }
        case .appending(let path, let pending): ReportWriter.append(pending, to: path)
        }
    }
}
