/// How a triggering example is repaired, so the rule tests can prove that the rule's fix for that
/// format makes the finding go away: either text edits applied to the example, or the reason the
/// fix is not a mechanical edit of this file.
public enum ExampleFix: Sendable, Equatable {
    case edits([Edit])
    case manual(reason: String)

    public enum Edit: Sendable, Equatable {
        /// Replace the one occurrence of `old` (the `↓` marker ignored) with `new`.
        case replace(old: String, new: String)
        /// Add lines at the end of the file.
        case append(String)
    }
}

extension ExampleFix.Edit {
    /// The text this edit writes into the file.
    public var written: String {
        switch self {
        case .replace(_, let new): return new
        case .append(let text): return text
        }
    }

    public enum Failure: Error, Equatable { case notFound(String), ambiguous(String) }

    /// The example's text with the edit applied; `old` must occur exactly once, so an edit never
    /// lands somewhere its author did not mean.
    public func apply(to text: String) throws(Failure) -> String {
        switch self {
        case .append(let lines):
            let base = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
            return base + (lines.hasSuffix("\n") ? lines : lines + "\n")
        case .replace(let old, let new):
            guard let range = text.range(of: old) else { throw .notFound(old) }
            guard text.range(of: old, range: range.upperBound..<text.endIndex) == nil else { throw .ambiguous(old) }
            return text.replacingCharacters(in: range, with: new)
        }
    }
}
