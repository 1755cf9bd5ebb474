import Foundation
import MailAuditTestSupport
import Testing

/// `--output`, `--report` and `baseline --output` never replace what a path points at: a device
/// stays a device, a FIFO a FIFO, a link a link; a regular file keeps its permissions and owner.
@Suite struct OutputFileTests {
    static let isRoot = geteuid() == 0

    func folder() throws -> URL {
        let dir = TestSupport.temporaryDirectory()
        try CLITests.insecure.write(to: dir.appendingPathComponent("a.mailaudit.yml"), atomically: true, encoding: .utf8)
        return dir
    }

    func info(_ url: URL, followingLinks: Bool = true) -> stat {
        var s = stat()
        _ = followingLinks ? stat(url.path, &s) : lstat(url.path, &s)
        return s
    }

    /// A character device like `/dev/null`, made in the test's own folder so a regression cannot break the machine.
    @Test(.enabled(if: isRoot, "making a device node needs root"))
    func aDeviceStaysADevice() throws {
        let dir = try folder()
        let device = dir.appendingPathComponent("null")
                let nullDevice = dev_t(1 << 8 | 3)  // major 1, minor 3, as /dev/null
        #expect(mknod(device.path, S_IFCHR | 0o666, nullDevice) == 0)
        for arguments in [["lint", "--output", "null", "a.mailaudit.yml"],
                          ["lint", "--format", "json", "--report", "sarif:null", "a.mailaudit.yml"],
                          ["baseline", "--output", "null", "a.mailaudit.yml"]] {
            let run = try TestSupport.run(arguments, cwd: dir)
            #expect(run.status != 2, "\(arguments): \(run.stderr)")
            #expect(info(device).st_mode & S_IFMT == S_IFCHR, "\(arguments) replaced the device")
        }
    }

    @Test func aFIFOIsWrittenNotReplaced() throws {
        let dir = try folder()
        let fifo = dir.appendingPathComponent("pipe")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "cat pipe > received"]
        reader.currentDirectoryURL = dir
        try reader.run()
        let run = try TestSupport.run(["lint", "--format", "json", "--output", "pipe", "a.mailaudit.yml"], cwd: dir)
        reader.waitUntilExit()
        #expect(run.status == 1)
        #expect(info(fifo).st_mode & S_IFMT == S_IFIFO)
        let received = try String(contentsOf: dir.appendingPathComponent("received"), encoding: .utf8)
        #expect(received.contains("\"findings\""))
    }

    @Test func aSymbolicLinkIsWrittenThrough() throws {
        let dir = try folder()
        let target = dir.appendingPathComponent("reports/current.sarif")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "old".write(to: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("latest.sarif").path, withDestinationPath: "reports/current.sarif")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("dangling.json").path, withDestinationPath: "reports/new.json")
        for arguments in [["lint", "--format", "sarif", "--output", "latest.sarif", "a.mailaudit.yml"],
                          ["lint", "--report", "json:dangling.json", "a.mailaudit.yml"]] {
            #expect(try TestSupport.run(arguments, cwd: dir).status == 1)
        }
        #expect(info(dir.appendingPathComponent("latest.sarif"), followingLinks: false).st_mode & S_IFMT == S_IFLNK)
        #expect(try String(contentsOf: target, encoding: .utf8).contains("\"version\" : \"2.1.0\""))
        #expect(info(dir.appendingPathComponent("dangling.json"), followingLinks: false).st_mode & S_IFMT == S_IFLNK)
        #expect(try String(contentsOf: dir.appendingPathComponent("reports/new.json"), encoding: .utf8).contains("\"findings\""))
    }

    @Test func aRegularFileKeepsItsModeAndOwner() throws {
        let dir = try folder()
        let report = dir.appendingPathComponent("baseline.json")
        try "{}".write(to: report, atomically: true, encoding: .utf8)
        #expect(chmod(report.path, 0o640) == 0)
        if Self.isRoot { #expect(chown(report.path, 65534, 65534) == 0) }
        #expect(try TestSupport.run(["baseline", "--output", "baseline.json", "a.mailaudit.yml"], cwd: dir).status == 0)
        let after = info(report)
        #expect(after.st_mode & 0o7777 == 0o640)
        if Self.isRoot { #expect(after.st_uid == 65534 && after.st_gid == 65534) }
        #expect(try String(contentsOf: report, encoding: .utf8).contains("MA101"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".mailaudit-") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test func aMissingFolderOrAFolderIsAClearError() throws {
        let dir = try folder()
        let missing = try TestSupport.run(["lint", "--output", "out/report.txt", "a.mailaudit.yml"], cwd: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr == "mailaudit: cannot write 'out/report.txt': the folder 'out' does not exist\n")
        let folder = try TestSupport.run(["lint", "--report", "sarif:.", "a.mailaudit.yml"], cwd: dir)
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("cannot write '.': it is a folder"))
    }
}
