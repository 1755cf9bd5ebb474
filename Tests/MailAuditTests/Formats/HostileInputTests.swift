import Foundation
import MailAuditCore
@testable import MailAuditFormats
@testable import MailAuditRules
import MailAuditTestSupport
import Testing

/// Reading inputs safely: only regular files, a bounded number of includes per setup, bounded XML
/// depth, bounded standard input, unreadable includes and directories reported where they are named.
/// (What needs a FIFO runs the real binary with a deadline: see HostileInputCLITests.)
@Suite struct HostileInputTests {
    static func folder(_ files: [String: String]) throws -> URL { try TestSupport.folder(files) }

    /// Parses a file with the real file reader, as a lint run does (includes are followed).
    static func parse(_ url: URL, format id: String) throws -> MailSetup {
        let format = try #require(FormatRegistry.builtIn.format(id: FormatID(id)))
        return format.parse(try SourceFile.load(path: url.path), context: ParseContext(ports: TestSupport.ruleSet.ports))
    }

    // MARK: only regular files

    @Test func devicesAreRefusedNotRead() {
        // /dev/zero would be read up to the size cap, /dev/null would read as an empty file.
        for device in ["/dev/zero", "/dev/null"] {
            #expect(throws: ParseProblem.self) { try SourceFile.load(path: device) }
            do {
                _ = try SourceFile.load(path: device)
            } catch {
                #expect(error.message == "'\(device)' is not a regular file (a character device)")
            }
        }
        #expect(FileReading.head(of: "/dev/zero", count: 16) == nil)
    }

    @Test func aDirectoryIsSaidToBeOne() throws {
        let dir = try Self.folder([:])
        do {
            _ = try SourceFile.load(path: dir.path, displayPath: "conf")
            Issue.record("a directory was read")
        } catch {
            #expect(error.message == "'conf' is a directory")
        }
    }

    @Test func aUnixSocketIsSaidToBeOne() throws {
        let dir = try Self.folder([:])
        let path = dir.appendingPathComponent("sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        do {
            _ = try SourceFile.load(path: path, displayPath: "sock")
            Issue.record("a socket was read")
        } catch {
            #expect(error.message == "'sock' is not a regular file (a socket)")
        }
    }

    // MARK: includes that cannot be read are reported at the include line

    /// A file that exists and cannot be read: /proc/self/mem fails at offset 0 (EIO), also for root.
    @Test(arguments: [
        ("dovecot", "dovecot.conf", "protocols = imap\n!include /proc/self/mem\n", 2),
        ("gitconfig", ".gitconfig", "[sendemail]\n\tsmtpServer = smtp.example.com\n[include]\n\tpath = /proc/self/mem\n", 4),
        ("mutt", "muttrc", "set smtp_url = smtps://smtp.example.com\nsource /proc/self/mem\n", 2),
        ("exim", "exim4.conf", "primary_hostname = mx.example.com\n.include /proc/self/mem\n", 2),
        ("opensmtpd", "smtpd.conf", "include \"/proc/self/mem\"\nlisten on lo0\n", 1),
    ])
    func anUnreadableIncludeIsAnErrorAtItsLine(format: String, name: String, text: String, line: Int) throws {
        try #require(FileManager.default.fileExists(atPath: "/proc/self/mem"), "needs /proc")
        let dir = try Self.folder([name: text])
        let setup = try Self.parse(dir.appendingPathComponent(name), format: format)
        let problem = try #require(setup.problems.first { $0.message.contains("/proc/self/mem") }, "\(setup.problems)")
        #expect(problem.path == dir.appendingPathComponent(name).path, "\(problem)")
        #expect(problem.span?.line == line, "\(problem)")
        #expect(problem.message.contains("Input/output error") || problem.message.contains("cannot"), "\(problem.message)")
    }

    @Test func aDirectoryGivenAsGitIncludeIsAnErrorAtItsLine() throws {
        let dir = try Self.folder([".gitconfig": "[sendemail]\n\tsmtpServer = smtp.example.com\n[include]\n\tpath = sub\n", "sub/x": ""])
        let setup = try Self.parse(dir.appendingPathComponent(".gitconfig"), format: "gitconfig")
        let problem = try #require(setup.problems.first, "\(setup.problems)")
        #expect(problem.path == dir.appendingPathComponent(".gitconfig").path)
        #expect(problem.span?.line == 4)
        #expect(problem.message.contains("is a directory"))
    }

    // MARK: include fan-out

    /// Each file includes the next one twice: 2^depth reads within every format's depth limit.
    /// `DIR` is the folder, `NEXT` the next file's name.
    @Test(arguments: [
        ("dovecot", "!include NEXT\n!include NEXT\n"),
        ("mutt", "source NEXT\nsource NEXT\n"),
        ("exim", ".include DIR/NEXT\n.include DIR/NEXT\n"),
        ("gitconfig", "[include]\n\tpath = NEXT\n\tpath = NEXT\n"),
        ("opensmtpd", "include \"DIR/NEXT\"\ninclude \"DIR/NEXT\"\n"),
    ])
    func includesThatFanOutStopAtTheLimit(format: String, template: String) throws {
        let dir = TestSupport.temporaryDirectory()
        for n in 0..<40 {
            let text = template.replacingOccurrences(of: "DIR", with: dir.path).replacingOccurrences(of: "NEXT", with: "f\(n + 1)")
            try text.write(to: dir.appendingPathComponent("f\(n)"), atomically: true, encoding: .utf8)
        }
        try "".write(to: dir.appendingPathComponent("f40"), atomically: true, encoding: .utf8)
        // Reads are counted and stopped far past the limit, so that without it the test fails instead of running 2^32 reads.
        let reads = ReadCounter()
        let context = ParseContext(ports: TestSupport.ruleSet.ports) { path throws(ParseProblem) in
            guard reads.next() <= 4 * ParseContext.includeLimit else { throw ParseProblem("runaway", path: path) }
            return try SourceFile.load(path: path)
        }
        let parser = try #require(FormatRegistry.builtIn.format(id: FormatID(format)))
        let setup = parser.parse(try SourceFile.load(path: dir.appendingPathComponent("f0").path), context: context)
        #expect(reads.count <= ParseContext.includeLimit, "\(format)")
        let over = setup.problems.filter { $0.message.contains("more than \(ParseContext.includeLimit) files are included") }
        #expect(over.count == 1, "\(format): \(setup.problems.prefix(5))")
        // At an include line of one of the files, not at the file it names.
        if let problem = over.first {
            #expect((1...3).contains(problem.span?.line ?? 0), "\(format): \(problem)")
            #expect(problem.span.map { $0.path.hasPrefix(dir.path) && FileManager.default.fileExists(atPath: $0.path) } == true, "\(format): \(problem)")
        }
        #expect(setup.includedFiles.count <= ParseContext.includeLimit)
    }

    /// Counts the reads of one parse (a class behind a lock: the reading closure must be Sendable).
    final class ReadCounter: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var count = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
    }

    @Test func theIncludeBudgetIsPerContextAndReportedOnce() throws {
        let context = ParseContext(ports: TestSupport.ruleSet.ports) { path throws(ParseProblem) in SourceFile(path: path, text: "") }
        let copy = context  // copies share the budget: one setup, one count
        for i in 0..<ParseContext.includeLimit { #expect(try (i.isMultiple(of: 2) ? context : copy).include("f\(i)") != nil) }
        #expect(throws: ParseProblem.self) { try context.include("one too many") }
        #expect(try context.include("another") == nil)
        let fresh = ParseContext(ports: TestSupport.ruleSet.ports) { path throws(ParseProblem) in SourceFile(path: path, text: "") }
        #expect(try fresh.include("f") != nil)
    }

    // MARK: deep XML

    /// `<open>` `depth` times inside `prefix`, then closed again, on one line after the declaration.
    static func nested(_ prefix: String, _ open: String, _ close: String, depth: Int, _ suffix: String) -> String {
        "<?xml version=\"1.0\"?>\n" + prefix + String(repeating: open, count: depth) + String(repeating: close, count: depth) + suffix + "\n"
    }

    @Test func deeplyNestedPlistArraysAreRefusedWithAPosition() throws {
        let prefix = "<plist version=\"1.0\"><dict><key>PayloadContent</key>"
        let text = Self.nested(prefix, "<array>", "</array>", depth: 5_000, "</dict></plist>")
        let setup = TestSupport.parse(text, format: "mobileconfig", path: "deep.mobileconfig")
        let problem = try #require(setup.problems.first { $0.message.contains("nested more than \(XMLTree.maxDepth) deep") }, "\(setup.problems)")
        // plist and dict are levels 1 and 2: the array that is level 257 exceeds it.
        let column = prefix.count + (XMLTree.maxDepth + 1 - 3) * "<array>".count + 1
        #expect(problem.span?.line == 2 && problem.span?.column == column, "\(problem)")
    }

    @Test(arguments: [("autoconfig", "config-v1.1.xml", "<clientConfig version=\"1.1\">", "</clientConfig>"),
                      ("autodiscover", "autodiscover.xml", "<Autodiscover>", "</Autodiscover>")])
    func deeplyNestedElementsAreRefusedWithAPosition(format: String, name: String, open: String, close: String) throws {
        let text = Self.nested(open, "<a>", "</a>", depth: 50_000, close)
        let setup = TestSupport.parse(text, format: format, path: name)
        let problem = try #require(setup.problems.first { $0.message.contains("nested more than \(XMLTree.maxDepth) deep") }, "\(setup.problems.prefix(3))")
        #expect(problem.span?.line == 2 && problem.span?.column == open.count + (XMLTree.maxDepth - 1) * 3 + 1, "\(problem)")
    }

    @Test func xmlAtTheDepthLimitIsStillRead() {
        let text = Self.nested("", "<a>", "</a>", depth: XMLTree.maxDepth, "")
        let tree = XMLTree.parse(SourceFile(path: "x.xml", text: text))
        #expect(tree.error == nil)
        var depth = 0
        var element = tree.root
        while let e = element { depth += 1; element = e.children.first }
        #expect(depth == XMLTree.maxDepth)
    }

    // MARK: deep YAML

    @Test(arguments: [("mailaudit-yaml", "deep.mailaudit.yml", "mailaudit: 1\naccounts: "),
                      ("spring", "application.yml", "spring:\n  mail:\n    properties: ")])
    func deeplyNestedYAMLIsAnErrorNotACrash(format: String, name: String, prefix: String) throws {
        for bracket in ["[", "{"] {
            let setup = TestSupport.parse(prefix + String(repeating: bracket, count: 100_000) + "\n", format: format, path: name)
            let problem = try #require(setup.problems.first, "\(format) \(bracket): no problem reported")
            #expect(problem.message.contains("nested more than"), "\(format) \(bracket): \(problem.message)")
            #expect(problem.span?.line == 2 || problem.span?.line == 3, "\(problem)")
        }
    }

    // MARK: directory walks

    @Test func aDirectoryTheWalkCannotEnterIsAProblem() throws {
        let dir = try Self.folder(["a/.msmtprc": "account a\nhost h\n", "locked/.msmtprc": "account b\nhost h\n"])
        var discovery = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path)
        // As root, permissions do not stop opendir: make the listing fail as it does for other users.
        discovery.listDirectory = { path in
            path.hasSuffix("/locked") ? .failure(DirectoryListing.Failure(code: EACCES)) : DirectoryListing.entries(of: path)
        }
        let (inputs, problems) = discovery.inputs(for: [dir.path])
        #expect(inputs.map(\.displayPath) == ["a/.msmtprc"])
        #expect(problems.map(\.path) == ["locked"])
        #expect(problems.first?.message == "cannot read directory 'locked': Permission denied; the files in it are not linted")
    }
}
