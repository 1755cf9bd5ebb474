import Foundation
import MailAuditCore
import MailAuditFormats

/// One input to lint: where it is, how to show its path, and its format when known.
public struct LintInput: Sendable {
    public var path: String
    public var displayPath: String
    public var format: (any ConfigFormat)?
    /// A file a walk found whose format its first bytes decide (when `format` is nil).
    public var pending: PendingDetection?
    public var text: String?
    /// The folder being audited (the directory walked), absolute; nil: the file's own folder.
    public var tree: String?

    public init(path: String, displayPath: String, format: (any ConfigFormat)?, pending: PendingDetection? = nil, text: String? = nil, tree: String? = nil) {
        self.path = path
        self.displayPath = displayPath
        self.format = format
        self.pending = pending
        self.text = text
        self.tree = tree
    }
}

/// Expands command-line paths into inputs: files as given, directories walked for known file names.
public struct FileDiscovery: Sendable {
    /// Folders that never hold a setup to audit.
    public static let skippedFolders: Set<String> = [".git", ".build", "node_modules", ".svn", ".hg", ".swiftpm"]

    public let registry: FormatRegistry
    public let forcedFormat: (any ConfigFormat)?
    public let exclude: [String]
    /// The folder `exclude` globs are relative to (the configuration file's).
    public let excludeBase: String
    public let base: String
    /// Lists a directory; tests substitute it to make a directory unreadable (as root, permissions do not bite).
    var listDirectory: @Sendable (String) -> Result<[DirectoryListing.Entry], DirectoryListing.Failure> = DirectoryListing.entries(of:)

    public init(registry: FormatRegistry, forcedFormat: (any ConfigFormat)?, exclude: [String] = [], excludeBase: String? = nil,
                base: String = FileManager.default.currentDirectoryPath) {
        self.registry = registry
        self.forcedFormat = forcedFormat
        self.exclude = exclude
        self.base = base
        self.excludeBase = excludeBase ?? base
    }

    /// The inputs with their formats decided: a walk's files whose first bytes must decide are read
    /// here, one after the other. For tests and tools that want the list; `Linter` decides in its
    /// parallel stage instead, from the bytes it reads to parse.
    public func inputs(for paths: [String]) -> (inputs: [LintInput], problems: [ParseProblem]) {
        let found = discover(paths)
        let inputs = found.inputs.compactMap { input -> LintInput? in
            guard input.format == nil, let pending = input.pending else { return input }
            var decided = input
            decided.format = pending.decide(head: (try? SourceFile.load(path: input.path))?.detectionHead)
            decided.pending = nil
            return decided.format == nil ? nil : decided
        }
        return (inputs, found.problems)
    }

    /// What the paths hold: the inputs, the problems, and the files walks passed over.
    public struct Discovery: Sendable {
        public var inputs: [LintInput] = []
        public var problems: [ParseProblem] = []
        /// Regular files a walk looked at and did not recognise by name (not those `exclude:` removes).
        /// Inputs whose first bytes do not confirm their format are passed over later (`Linter`).
        public var skipped: [String] = []

        public init(inputs: [LintInput] = [], problems: [ParseProblem] = [], skipped: [String] = []) {
            self.inputs = inputs
            self.problems = problems
            self.skipped = skipped
        }
    }

    public func discover(_ paths: [String]) -> Discovery {
        var inputs: [LintInput] = []
        var problems: [ParseProblem] = []
        var skipped: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(ParseProblem("no such file or directory", path: display(path)))
                continue
            }
            if isDirectory.boolValue {
                var memo = WalkMemo()
                let before = inputs.count
                walk(path, shown: display(path), into: &inputs, problems: &problems, skipped: &skipped, memo: &memo)
                let tree = ((path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)) as NSString).standardizingPath
                for index in before..<inputs.count { inputs[index].tree = tree }
            } else {
                let shown = display(path)
                // A named file the name does not settle is read here, once: its text is handed on to the linter.
                var content: SourceFile?
                if let format = forcedFormat ?? registry.detect(fileName: (path as NSString).lastPathComponent, path: path, content: {
                    content = try? SourceFile.load(path: path)
                    return content
                }) {
                    inputs.append(LintInput(path: path, displayPath: shown, format: format, text: content?.text))
                } else {
                    let claims = registry.candidates(fileName: (path as NSString).lastPathComponent, path: path).map(\.id.rawValue)
                    let why = claims.count > 1 ? "the name fits \(claims.joined(separator: ", "))" : "neither its name nor its content says which format it is"
                    problems.append(ParseProblem("cannot tell the format of this file: \(why); name it with --as FORMAT (\(registry.ids.map(\.rawValue).joined(separator: ", ")))", path: shown, span: SourceSpan(path: shown, line: 1, column: 1)))
                }
            }
        }
        // In place: a sorted copy of a hundred thousand inputs would double the walk's peak memory.
        inputs.sort { $0.displayPath < $1.displayPath }
        skipped.sort()
        return Discovery(inputs: inputs, problems: problems, skipped: skipped)
    }

    /// Walks a directory; follows no symbolic links to directories (no loops), keeps known names only.
    /// Only regular files (and links to them) are looked at: a FIFO, socket or device is passed over
    /// without a word, whatever its name. A directory that cannot be listed is a problem (exit 2):
    /// skipping it silently would report a clean run for files never read.
    private func walk(_ directory: String, shown: String, into inputs: inout [LintInput], problems: inout [ParseProblem], skipped: inout [String], memo: inout WalkMemo) {
        // One stat names the directory: resolving its path's links cost a system call per component.
        if let identity = DirectoryIdentity(directory) { guard memo.visited.insert(identity).inserted else { return } }
        let entries: [DirectoryListing.Entry]
        switch listDirectory(directory) {
        case .success(let listed): entries = listed
        case .failure(let failure):
            problems.append(ParseProblem("cannot read directory '\(shown)': \(String(cString: strerror(failure.code))); the files in it are not linted", path: shown))
            return
        }
        for entry in entries {
            let path = directory.hasSuffix("/") ? directory + entry.name : directory + "/" + entry.name
            var childShown = shown.isEmpty || shown == "." ? entry.name : (shown.hasSuffix("/") ? shown + entry.name : shown + "/" + entry.name)
            // One string where both are the same (a relative walk): each input holds two paths.
            if childShown == path { childShown = path }
            if !exclude.isEmpty, isExcluded(path) { continue }
            switch entry.kind {
            case .directory:
                if !Self.skippedFolders.contains(entry.name) { walk(path, shown: childShown, into: &inputs, problems: &problems, skipped: &skipped, memo: &memo) }
            case .file:
                if let forcedFormat {
                    inputs.append(LintInput(path: path, displayPath: childShown, format: forcedFormat))
                } else if let pending = pendingInWalk(name: entry.name, path: path, memo: &memo) {
                    inputs.append(LintInput(path: path, displayPath: childShown, format: nil, pending: pending))
                } else if entry.name.lowercased() != ".mailaudit.yml" {
                    skipped.append(childShown)
                }
            case .other:
                continue
            }
        }
    }

    /// In a walk the name picks the candidate formats and the content may only confirm one of them
    /// (`PendingDetection.decide`, from the file's first bytes, when the linter reads it): a walk never
    /// guesses from content alone, so a Cyrus SASL `smtpd.conf`, a compose file holding a fetchmail
    /// configuration or a rule file in YAML is passed over, not misread. The exceptions are formats
    /// whose content is unmistakable: YAML with a top-level `mailaudit: 1` (other YAML is only
    /// Spring's `application*.yml`, by name), and XML whose root element is `<clientConfig>`,
    /// `<Autodiscover>` or a profile `<plist>`. Below a folder named `autoconfig` or `ispdb`, any file
    /// that starts with `<` is looked at too: ISPDB entries are named after their domain
    /// (`gmail.com`, `t-online.de_pop_ssl`), mostly without `.xml`. Nil: the name rules the file out.
    private func pendingInWalk(name: String, path: String, memo: inout WalkMemo) -> PendingDetection? {
        let lower = name.lowercased()
        guard lower != ".mailaudit.yml" else { return nil }
        let claims = memo.shared(registry.candidates(fileName: name, path: path))
        if !claims.isEmpty { return PendingDetection(claims: claims) }
        // Which formats may prove such a file is each format's description's to say (`sniffed`).
        let sniffed = memo.shared(registry.sniffing(fileName: name, path: path))
        return sniffed.isEmpty ? nil : PendingDetection(claims: [], sniffed: sniffed)
    }

    /// What one walk remembers: the directories it has been in (no loops), and one copy of each
    /// list of candidate formats, which a hundred thousand inputs then share instead of holding
    /// their own.
    struct WalkMemo {
        var visited = Set<DirectoryIdentity>()
        private var formatLists: [[FormatID]: [any ConfigFormat]] = [:]

        mutating func shared(_ formats: [any ConfigFormat]) -> [any ConfigFormat] {
            guard !formats.isEmpty else { return [] }
            let ids = formats.map(\.id)
            if let known = formatLists[ids] { return known }
            formatLists[ids] = formats
            return formats
        }
    }

    func isExcluded(_ path: String) -> Bool {
        let absolute = ((path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)) as NSString).standardizingPath
        let prefix = excludeBase.hasSuffix("/") ? excludeBase : excludeBase + "/"
        let relative = absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
        return exclude.contains { Glob.matches($0, relative) }
    }

    /// A path as reports show it: relative paths as given (tidied), absolute ones relative to the
    /// base folder when inside it.
    public func display(_ path: String) -> String {
        if !path.hasPrefix("/") {
            var parts: [Substring] = []
            for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
                if part == "..", let last = parts.last, last != ".." { parts.removeLast() } else { parts.append(part) }
            }
            return parts.isEmpty ? "." : parts.joined(separator: "/")
        }
        let standardized = (path as NSString).standardizingPath
        let prefix = base.hasSuffix("/") ? base : base + "/"
        if standardized + "/" == prefix { return "." }
        if standardized.hasPrefix(prefix) { return String(standardized.dropFirst(prefix.count)) }
        return standardized
    }
}

/// A directory as the file system knows it (device and inode), whatever path reached it: a walk
/// enters each once, so a bind mount or a loop is not walked again.
struct DirectoryIdentity: Hashable {
    let device: UInt64
    let inode: UInt64

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// Directory entries via readdir(3): FileManager's per-file attribute calls cost more than linting.
enum DirectoryListing {
    enum Kind { case file, directory, other }
    struct Entry { let name: String; let kind: Kind }

    /// Why a directory could not be listed (an `errno` value).
    struct Failure: Error { let code: Int32 }

    /// Sorted entries; symbolic links to files count as files, links to directories are not followed.
    static func entries(of directory: String) -> Result<[Entry], Failure> {
        guard let dir = opendir(directory) else { return .failure(Failure(code: errno)) }
        defer { closedir(dir) }
        var out: [Entry] = []
        while let raw = readdir(dir) {
            let name = withUnsafePointer(to: raw.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var kind: Kind
            switch Int32(raw.pointee.d_type) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_REG): kind = .file
            default: kind = .other
            }
            if kind == .other {
                // A link or an unknown type: ask stat, and never descend through a link.
                var info = stat()
                let path = directory + "/" + name
                if stat(path, &info) == 0 {
                    let type = info.st_mode & S_IFMT
                    var link = stat()
                    let isLink = lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK
                    if type == S_IFREG { kind = .file } else if type == S_IFDIR, !isLink { kind = .directory }
                }
            }
            out.append(Entry(name: name, kind: kind))
        }
        return .success(out.sorted { $0.name < $1.name })
    }
}

/// Shell-style globs for `exclude:`: `*` within a path segment, `**` across segments, `?` one character.
public enum Glob {
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        var regex = "^"
        var chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "*" {
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    regex += ".*"
                    i += 1
                    if i + 1 < chars.count, chars[i + 1] == "/" { i += 1; regex += "/?" }
                } else { regex += "[^/]*" }
            } else if c == "?" { regex += "[^/]" } else { regex += NSRegularExpression.escapedPattern(for: String(c)) }
            i += 1
        }
        chars = []
        regex += "(/.*)?$"
        return path.range(of: regex, options: .regularExpression) != nil
    }
}
