import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditRules

/// `--files-from`, `-0`/`--null` and `--shard`: which files a run lints, for runs split over many machines.
struct InputSelection: ParsableArguments {
    @Option(name: .customLong("files-from"), help: ArgumentHelp("Also lint the paths listed in FILE, one per line ('-': standard input). Blank lines are ignored.", valueName: "FILE"))
    var filesFrom: String?

    // `--null` as xargs and grep spell it; `-0` for short.
    @Flag(name: [.customShort("0"), .customLong("null")], help: "The --files-from list is separated by NUL bytes (find -print0, git ls-files -z).")
    var nulSeparated = false

    @Option(help: ArgumentHelp("Lint only shard I of N: a stable split by path, so N runs with I = 1 to N together lint every file exactly once.", valueName: "I/N"))
    var shard: String?

    func validate() throws {
        if nulSeparated, filesFrom == nil { throw ValidationError("-0 (--null) says how the --files-from list is separated; it needs --files-from FILE") }
        if let shard {
            do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.description) }
        }
    }

    /// The parsed `--shard`; nil without one (validated before).
    var parsedShard: Shard? { shard.flatMap { try? Shard(parsing: $0) } }

    /// Whether the list comes from standard input, which then cannot also be a configuration ('-').
    var listOnStandardInput: Bool { filesFrom == "-" }

    /// The listed paths; a list that cannot be read is a problem of the run (MA000, exit 2).
    /// Read as every input is: a regular file or standard input, bounded (a FIFO or device named
    /// as the list is refused, not waited on).
    func listedPaths() -> Result<[String], ParseProblem> {
        guard let filesFrom else { return .success([]) }
        return Result { () throws(ParseProblem) in
            do throws(ParseProblem) { return PathList.paths(in: try FileReading.list(filesFrom, limit: Self.listLimit), nulSeparated: nulSeparated) } catch {
                throw ParseProblem("the --files-from list: \(error.message)", path: filesFrom)
            }
        }
    }

    /// The largest list read: a million paths of a thousand bytes.
    static let listLimit = 1 << 30
}
