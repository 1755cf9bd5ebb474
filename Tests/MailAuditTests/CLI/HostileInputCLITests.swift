import Foundation
import MailAuditTestSupport
import Testing

/// The real binary on inputs that used to hang it: FIFOs where a configuration file is expected,
/// endless standard input, directories it cannot enter. Every run has a deadline and is killed at it,
/// so a regression fails the test instead of hanging the suite.
@Suite struct HostileInputCLITests {
    /// Generous for a loaded machine; the runs take well under a second.
    static let deadline = 30.0

    /// A fresh folder with files (text) and FIFOs (nil).
    func folder(_ entries: [String: String?]) throws -> URL {
        let dir = TestSupport.temporaryDirectory()
        for (name, text) in entries {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let text {
                try text.replacingOccurrences(of: "DIR", with: dir.path).write(to: url, atomically: true, encoding: .utf8)
            } else {
                try #require(mkfifo(url.path, 0o644) == 0, "mkfifo \(name)")
            }
        }
        return dir
    }

    func lint(_ arguments: [String], in dir: URL, stdinFile: String? = nil) throws -> TestSupport.TimedRun {
        let run = try TestSupport.run(["lint"] + arguments, cwd: dir, stdinFile: stdinFile, deadline: Self.deadline)
        #expect(!run.timedOut, "\(arguments) still ran after \(Self.deadline) s")
        return run
    }

    /// A FIFO named by an include: an MA000 at the include line, exit 2, and no waiting for a writer.
    @Test(arguments: [
        ("dovecot", "dovecot.conf", "protocols = imap\n!include fifo.conf\n", "fifo.conf", "dovecot.conf:2:1: error: cannot include 'fifo.conf': 'fifo.conf' is not a regular file (a FIFO)"),
        ("mutt", "muttrc", "set smtp_url = smtps://smtp.example.com\nsource fifo\n", "fifo", "muttrc:2:8: error: source: cannot read fifo"),
        ("exim", "exim4.conf", "primary_hostname = mx.example.com\n.include DIR/fifo\n", "fifo", "exim4.conf:2:10: error: failed to open included configuration file"),
        ("gitconfig", ".gitconfig", "[sendemail]\n\tsmtpServer = smtp.example.com\n[include]\n\tpath = fifo\n", "fifo", ".gitconfig:4:9: error: cannot include 'fifo'"),
        ("opensmtpd", "smtpd.conf", "include \"DIR/fifo\"\nlisten on lo0\n", "fifo", "smtpd.conf:1:9: error: cannot include"),
    ])
    func aFIFOIncludeIsRefusedAtItsLine(format: String, name: String, text: String, fifo: String, expected: String) throws {
        let dir = try folder([name: text, fifo: nil])
        let run = try lint(["--as", format, name], in: dir)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains(expected), "\(run.stdout)")
        #expect(run.stdout.contains("is not a regular file (a FIFO)"), "\(run.stdout)")
    }

    /// A directory walk reads main.cf, which reads the master.cf beside it: here a FIFO.
    @Test func aFIFOMasterCfBesideMainCfInAWalk() throws {
        let dir = try folder(["postfix/main.cf": "smtpd_tls_security_level = encrypt\n", "postfix/master.cf": nil])
        let run = try lint(["postfix"], in: dir)
        #expect(run.status == 2)
        #expect(run.stdout.contains("postfix/master.cf: error: 'postfix/master.cf' is not a regular file (a FIFO)"), "\(run.stdout)")
    }

    /// Named on the command line (also under a name a format claims by its content), or as the
    /// baseline, configuration or rule file: refused, not waited on. In a walk a FIFO is passed over.
    @Test func aFIFOGivenAsAnInputOrOptionFile() throws {
        let dir = try folder(["prefs.js": nil, "fifo": nil, "walk/.msmtprc": nil, "a.mailaudit.yml": "mailaudit: 1\naccounts: []\n"])
        let named = try lint(["prefs.js"], in: dir)
        #expect(named.status == 2 && named.stdout.contains("prefs.js: error: 'prefs.js' is not a regular file (a FIFO)"), "\(named.stdout)")
        let forced = try lint(["--as", "msmtp", "fifo"], in: dir)
        #expect(forced.status == 2 && forced.stdout.contains("fifo: error: 'fifo' is not a regular file (a FIFO)"), "\(forced.stdout)")
        let walk = try lint(["walk"], in: dir)
        #expect(walk.status == 0 && walk.stdout.contains("in 0 files"), "\(walk.stdout)")
        let baseline = try lint(["--baseline", "fifo", "a.mailaudit.yml"], in: dir)
        #expect(baseline.status == 2 && baseline.stdout.contains("'fifo' is not a regular file (a FIFO)"), "\(baseline.stdout)")
        let config = try lint(["--config", "fifo", "a.mailaudit.yml"], in: dir)
        #expect(config.status != 0 && (config.stdout + config.stderr).contains("'fifo' is not a regular file (a FIFO)"), "\(config.stdout)\(config.stderr)")
        let rules = try lint(["--rules", "fifo", "a.mailaudit.yml"], in: dir)
        #expect(rules.status != 0 && (rules.stdout + rules.stderr).contains("'fifo' is not a regular file (a FIFO)"), "\(rules.stdout)\(rules.stderr)")
    }

    /// Endless standard input stops at the size cap, as a file does.
    @Test func standardInputIsReadOnlyUpToTheSizeCap() throws {
        let dir = try folder([:])
        let run = try lint(["--as", "msmtp", "-"], in: dir, stdinFile: "/dev/zero")
        #expect(run.status == 2)
        #expect(run.stdout.contains("<stdin>:1:1: error: '<stdin>' is larger than the 8 MB mailaudit reads"), "\(run.stdout)")
    }

    /// A directory the walk cannot enter: an error naming it and exit 2, not a silently clean run.
    /// Root enters any directory, so as root the binary runs as nobody (setpriv); otherwise as is.
    @Test(.enabled(if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "as root this needs setpriv to run the binary as another user"))
    func aDirectoryTheWalkCannotEnter() throws {
        let dir = try folder(["setup/a/.msmtprc": "account a\nhost smtp.example.com\nport 465\ntls on\ntls_starttls off\nauth on\n",
                              "setup/locked/.msmtprc": "account b\nhost h\n"])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        for sub in ["setup", "setup/a"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent(sub).path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.appendingPathComponent("setup/a/.msmtprc").path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: dir.appendingPathComponent("setup/locked").path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent("setup/locked").path) }
        let launcher = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let run = try TestSupport.run(["lint", "setup"], cwd: dir, deadline: Self.deadline, launcher: launcher)
        #expect(!run.timedOut)
        try #require(!run.stderr.contains("Permission denied") || run.stdout.contains("locked"), "the binary could not run as nobody: \(run.stderr)")
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("setup/locked: error: cannot read directory 'setup/locked': Permission denied"), "\(run.stdout)")
        #expect(run.stdout.contains("in 1 file"), "the readable part is still linted: \(run.stdout)")
    }
}
