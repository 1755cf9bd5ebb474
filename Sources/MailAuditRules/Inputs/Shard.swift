import MailAuditCore

/// `--shard I/N`: this run lints the files whose path hashes to bucket I of N, so N runs (one per
/// machine, pod or partition) with I = 1…N together lint every file exactly once. The hash is
/// FNV-1a over the path as reports show it: the same on every machine and in every run (Swift's
/// `hashValue` is seeded per process).
public struct Shard: Sendable, Equatable {
    /// 1-based, as written on the command line.
    public let index: Int
    public let count: Int

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(index: Int, count: Int) throws(Invalid) {
        guard count >= 1 else { throw Invalid(description: "--shard I/N needs N of 1 or more (got \(count))") }
        guard (1...count).contains(index) else { throw Invalid(description: "--shard \(index)/\(count): I must be between 1 and \(count)") }
        self.index = index
        self.count = count
    }

    /// `I/N`, both whole numbers.
    public init(parsing text: String) throws(Invalid) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw Invalid(description: "--shard takes I/N, two whole numbers such as 2/8 (got '\(text)')")
        }
        try self.init(index: i, count: n)
    }

    public func contains(_ path: String) -> Bool {
        Int(FNV1a.hash(path) % UInt64(count)) == index - 1
    }
}

extension FileDiscovery.Discovery {
    /// A discovery that found only problems (the paths could not be listed at all).
    public init(problems: [ParseProblem]) {
        self.init()
        self.problems = problems
    }

    /// Only this shard's part, taken after discovery so a directory walk is split file by file.
    /// Problems (a listed path that is not there, an unreadable folder) and skipped files go by
    /// their path too, so each is reported by exactly one run.
    public func sharded(_ shard: Shard?) -> FileDiscovery.Discovery {
        guard let shard, shard.count > 1 else { return self }
        var out = self
        out.inputs = inputs.filter { shard.contains($0.displayPath) }
        out.problems = problems.filter { shard.contains($0.path) }
        out.skipped = skipped.filter { shard.contains($0) }
        return out
    }
}
