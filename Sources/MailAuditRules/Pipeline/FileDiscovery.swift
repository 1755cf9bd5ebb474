import Foundation
import MailAuditCore
import MailAuditFormats

/// One input to lint: where it is, how to show its path, and its format when known.
public struct LintInput: Sendable {
    public var path: String
    public var displayPath: String
    public var format: (any ConfigFormat)?
    public var text: String?

    public init(path: String, displayPath: String, format: (any ConfigFormat)?, text: String? = nil) {
        self.path = path
        self.displayPath = displayPath
        self.format = format
        self.text = text
    }
}

/// Expands command-line paths into inputs: files as given, directories walked for known file names.
public struct FileDiscovery: Sendable {
    /// Folders that never hold a setup to audit.
    public static let skippedFolders: Set<String> = [".git", ".build", "node_modules", ".svn", ".hg", ".swiftpm"]

    public let registry: FormatRegistry
    public let forcedFormat: (any ConfigFormat)?
    public let exclude: [String]
    public let base: String

    public init(registry: FormatRegistry, forcedFormat: (any ConfigFormat)?, exclude: [String] = [], base: String = FileManager.default.currentDirectoryPath) {
        self.registry = registry
        self.forcedFormat = forcedFormat
        self.exclude = exclude
        self.base = base
    }

    public func inputs(for paths: [String]) -> (inputs: [LintInput], problems: [ParseProblem]) {
        var inputs: [LintInput] = []
        var problems: [ParseProblem] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(ParseProblem("no such file or directory", path: display(path)))
                continue
            }
            if isDirectory.boolValue {
                var visited = Set<String>()
                walk(path, into: &inputs, visited: &visited)
            } else {
                let shown = display(path)
                if let format = forcedFormat ?? registry.detect(fileName: (path as NSString).lastPathComponent, path: path, content: { try? SourceFile.load(path: path) }) {
                    inputs.append(LintInput(path: path, displayPath: shown, format: format))
                } else {
                    let claims = registry.candidates(fileName: (path as NSString).lastPathComponent, path: path).map(\.id)
                    let why = claims.count > 1 ? "the name fits \(claims.joined(separator: ", "))" : "neither its name nor its content says which format it is"
                    problems.append(ParseProblem("cannot tell the format of this file: \(why); name it with --as FORMAT (\(registry.ids.joined(separator: ", ")))", path: shown, span: SourceSpan(path: shown, line: 1, column: 1)))
                }
            }
        }
        return (inputs.sorted { $0.displayPath < $1.displayPath }, problems)
    }

    /// Walks a directory; follows no symbolic links to directories (no loops), keeps known names only.
    private func walk(_ directory: String, into inputs: inout [LintInput], visited: inout Set<String>) {
        let real = (directory as NSString).resolvingSymlinksInPath
        guard visited.insert(real).inserted else { return }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            if isExcluded(display(path)) { continue }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let type = attributes[.type] as? FileAttributeType else { continue }
            if type == .typeDirectory {
                if !Self.skippedFolders.contains(name) { walk(path, into: &inputs, visited: &visited) }
            } else if type == .typeRegular || type == .typeSymbolicLink {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                if let format = forcedFormat ?? detectInWalk(name: name, path: path) {
                    inputs.append(LintInput(path: path, displayPath: display(path), format: format))
                }
            }
        }
    }

    /// In a walk, only names that one format claims; YAML files are opened to look for `mailaudit: 1`.
    private func detectInWalk(name: String, path: String) -> (any ConfigFormat)? {
        let claims = registry.candidates(fileName: name, path: path)
        if claims.count == 1 { return claims[0] }
        let lower = name.lowercased()
        guard claims.count > 1 || lower.hasSuffix(".yml") || lower.hasSuffix(".yaml"), lower != ".mailaudit.yml" else { return nil }
        return registry.detect(fileName: name, path: path) { try? SourceFile.load(path: path) }
    }

    func isExcluded(_ path: String) -> Bool {
        exclude.contains { Glob.matches($0, path) }
    }

    /// A path as reports show it: relative to the base folder when inside it.
    public func display(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
        let standardized = (absolute as NSString).standardizingPath
        let prefix = base.hasSuffix("/") ? base : base + "/"
        if standardized.hasPrefix(prefix) { return String(standardized.dropFirst(prefix.count)) }
        return standardized
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
