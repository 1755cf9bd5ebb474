import Foundation
import MailAuditCore

/// Which includes a setup follows, so that the same files give the same findings on every machine:
/// relative paths are the setup's own and always followed; `~` only stands for the auditor's home
/// when the audited file is itself there; absolute paths are followed under the audited folder,
/// or below `--root` (a snapshot of `/`) when the user maps one.
public struct IncludePolicy: Sendable {
    /// The folder being audited (the directory walked, or a named file's folder), absolute. nil: no
    /// limit (a parser test).
    var auditedTree: String?
    /// `--root DIR` / `root:`: absolute include paths are read below it.
    var root: String?
    /// What `~` stands for; nil when the audited file is not under the auditor's home.
    var home: String?

    init(auditedTree: String? = nil, root: String? = nil, home: String? = nil) {
        self.auditedTree = auditedTree.map(Self.standardized)
        self.root = root.map(Self.standardized)
        self.home = home.map(Self.standardized)
    }

    /// The policy for one audited file: its tree, the user's root, and the home only if the file is in it.
    static func forInput(path: String, tree: String?, root: String?, environment: [String: String], workingDirectory: String) -> IncludePolicy {
        PerRun(root: root, environment: environment, workingDirectory: workingDirectory).policy(forInput: path, tree: tree)
    }

    /// Values already standardized.
    init(standardizedTree auditedTree: String?, root: String?, home: String?) {
        self.auditedTree = auditedTree
        self.root = root
        self.home = home
    }

    /// What the policies of one run's inputs share, standardized once: standardizing resolves links
    /// (a system call per path component), too costly to redo for HOME, the root and the walked
    /// folder at every file. Only the input's own path is standardized per file.
    public struct PerRun: Sendable {
        /// HOME standardized, which an input must lie inside; and standardized again, as the policy
        /// holds it (`init` standardizes what it is given).
        let homeFolder: String?
        let home: String?
        let root: String?
        let workingDirectory: String
        /// The walked folders the inputs name as their tree, standardized.
        let trees: [String: String]

        /// `environment` (its HOME) and `workingDirectory` are the auditing process's, passed in by the
        /// caller: parsing never asks the machine itself.
        public init(root: String?, trees: some Sequence<String> = [], environment: [String: String], workingDirectory: String) {
            homeFolder = environment["HOME"].map(IncludePolicy.standardized)
            home = homeFolder.map(IncludePolicy.standardized)
            self.root = root.map(IncludePolicy.standardized)
            self.workingDirectory = workingDirectory
            var standardizedTrees: [String: String] = [:]
            for tree in trees where standardizedTrees[tree] == nil { standardizedTrees[tree] = IncludePolicy.standardized(tree) }
            self.trees = standardizedTrees
        }

        /// The policy for one audited file (`tree`: the folder walked to find it; nil for a named file).
        public func policy(forInput path: String, tree: String?) -> IncludePolicy {
            let absolute = IncludePolicy.standardized(path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path))
            let inHome = homeFolder.map { IncludePolicy.isInside(absolute, $0) } ?? false
            let auditedTree = tree.map { trees[$0] ?? IncludePolicy.standardized($0) } ?? IncludePolicy.standardized(absolute.folderPath)
            return IncludePolicy(standardizedTree: auditedTree, root: root, home: inHome ? home : nil)
        }
    }

    /// Where an include written as `written` in `includingFile` is read from, or why it is not.
    func locate(_ written: String, from includingFile: String) -> (path: String?, reason: UnfollowedInclude.Reason?) {
        if written == "~" || written.hasPrefix("~/") {
            guard let home else { return (nil, .home) }
            return (Self.standardized(home + written.dropFirst(1)), nil)
        }
        if written.hasPrefix("~") { return (nil, .home) }  // ~user
        if written.hasPrefix("/") {
            if let root { return (Self.standardized(root + written), nil) }
            let path = Self.standardized(written)
            if let auditedTree, !Self.isInside(path, auditedTree) { return (path, .outsideTree) }
            return (path, nil)
        }
        let directory = includingFile.folderPath
        return (Self.standardized(directory.isEmpty ? written : (directory as NSString).appendingPathComponent(written)), nil)
    }

    static func standardized(_ path: String) -> String { (path as NSString).standardizingPath }

    static func isInside(_ path: String, _ folder: String) -> Bool {
        folder == "/" || path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }

    /// Whether nothing is at `path` (a dangling link counts as nothing): a missing include, not an unreadable one.
    static func isMissing(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) != 0 && errno == ENOENT
    }
}

/// What following one include gave.
enum FollowedInclude: Sendable {
    case file(SourceFile)
    case notFollowed(UnfollowedInclude)
    /// Past the include limit, already reported.
    case limitReached
}

extension ParseContext {
    /// Reads an include the setup names: located by `includePolicy`, read through `include` (the
    /// per-setup budget). A file that is not there is not followed (MA003); one that is there but
    /// cannot be read (permissions, a FIFO) throws, for an MA000 at the include line.
    func follow(_ written: String, from includingFile: String, at span: SourceSpan) throws(ParseProblem) -> FollowedInclude {
        let located = includePolicy.locate(written, from: includingFile)
        guard let path = located.path, located.reason == nil else {
            return .notFollowed(UnfollowedInclude(path: written, resolved: located.path, reason: located.reason ?? .missing, span: span))
        }
        return try read(path, written: written, at: span)
    }

    /// Reads an already located include (a glob's match, say).
    func read(_ path: String, written: String, at span: SourceSpan) throws(ParseProblem) -> FollowedInclude {
        if folders.isMissing(path) { return .notFollowed(UnfollowedInclude(path: written, resolved: path, reason: .missing, span: span)) }
        guard let file = try include(path) else { return .limitReached }
        return .file(file)
    }
}
