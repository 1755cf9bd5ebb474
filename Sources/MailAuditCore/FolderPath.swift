extension StringProtocol {
    /// The folder part of a path ("a/b/c" → "a/b", "/a" → "/", "c" → ""), as NSString's
    /// `deletingLastPathComponent` gives it: that one traps on a one-character name without a slash
    /// ("a", "}") in the Foundation Swift ships on Linux, and names come from the files audited.
    public var folderPath: String {
        var path = Substring(self)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var folder = path[..<slash]
        while folder.count > 1, folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }
}
