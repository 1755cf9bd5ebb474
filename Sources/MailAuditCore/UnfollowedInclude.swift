/// An include or sourced file the setup names but that was not read (MA003). Like ShellCheck's
/// SC1091 it is a note, not a parse error: what is missing from a snapshot, or lives on another
/// machine, says nothing about whether the file that names it is right.
public struct UnfollowedInclude: Hashable, Sendable {
    public enum Reason: String, Sendable, CaseIterable {
        /// No file (or no glob match) at the path.
        case missing
        /// An absolute path outside the folder being audited, with no `--root` to map it.
        case outsideTree = "outside-tree"
        /// Under `~`: whose home is unknown unless the audited file is itself in the auditor's home.
        case home
        /// Built from a command's output (mutt's backticks, `source cmd|`): never run.
        case command
    }

    /// The path as the setup writes it.
    public var path: String
    /// Where it was looked for (after `~`, relative paths and `--root`), when that is known.
    public var resolved: String?
    public var reason: Reason
    /// The include line.
    public var span: SourceSpan

    public init(path: String, resolved: String? = nil, reason: Reason, span: SourceSpan) {
        self.path = path
        self.resolved = resolved
        self.reason = reason
        self.span = span
    }
}
