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
            FileHandle.standardError.write(Data("mailaudit: cannot write '\(path)': \(error.reason)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Where one report goes while the run goes on: standard output as each piece comes; a file
/// written whole at the end (`OutputFile`'s atomic replacement, so a reader never sees half a
/// report), or appended to (GitHub's job summary).
final class ReportDestination {
    let path: String?
    let appending: Bool
    private var pending = ""

    init(path: String?, appending: Bool = false) {
        self.path = path
        self.appending = appending
    }

    func write(_ text: String) {
        guard !text.isEmpty else { return }
        if path == nil { FileHandle.standardOutput.write(Data(text.utf8)) } else { pending += text }
    }

    func finish() throws {
        guard let path else { return }
        if appending { ReportWriter.append(pending, to: path) } else { try ReportWriter.write(pending, to: path) }
        pending = ""
    }
}
