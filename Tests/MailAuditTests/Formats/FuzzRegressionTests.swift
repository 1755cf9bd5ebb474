import Foundation
import MailAuditCore
import MailAuditTestSupport
import Testing

/// Inputs the fuzzer (scripts/fuzz.sh) found to crash, hang or grow without bound, kept so they stay
/// fixed. What used to take minutes runs the real binary with a deadline, so a regression fails
/// rather than hangs; the deadline is generous for a debug build on a busy machine.
@Suite struct FuzzRegressionTests {
    static let deadline = 30.0

    /// Deeply nested Dovecot sections: every line asked every open section whether it was conditional,
    /// and every opened section listed all of them, so time grew with the square of the depth
    /// (4,000 levels took over a minute under the fuzzer; 20,000 now take about a second).
    @Test func deeplyNestedDovecotSectionsTakeLinearTime() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try String(repeating: "a {\n", count: 20_000).write(to: dir.appendingPathComponent("dovecot.conf"), atomically: true, encoding: .utf8)
        let run = try TestSupport.run(["lint", "--as", "dovecot", "dovecot.conf"], cwd: dir, deadline: Self.deadline)
        #expect(!run.timedOut, "20,000 nested sections still ran after \(Self.deadline) s")
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        // One unclosed section is reported, at the outermost one, not one per level.
        #expect(run.stdout.contains("dovecot.conf:1:1: error: missing '}'"), "\(run.stdout.prefix(500))")
        #expect(run.stdout.components(separatedBy: "missing '}'").count == 2)
    }

    /// Sections opened inside a conditional one stay conditional (the fix above asks only the innermost).
    @Test func sectionsNestedInAConditionalOneStayConditional() {
        let text = """
        {% if imaps %}
        service imap-login {
        {% endif %}
          inet_listener imaps {
            port = 1993
          }
        }
        """
        let setup = TestSupport.parse(text, format: "dovecot", path: "dovecot.conf")
        #expect(!setup.endpoints.contains { $0.port == 1993 }, "a port set under a condition is not known: \(setup.endpoints.map(\.port))")
    }

    /// `!include_try` with no path before a closing brace (found by the CI fuzz run): Foundation's
    /// path functions trap on an empty string, so the whole run crashed. The real binary, as it was.
    @Test func anIncludeWithoutAPathIsAnErrorNotACrash() throws {
        let dir = try TestSupport.folder(["dovecot.conf": "protocols = imap\nservice imap-login {\n  inet_listener imap {\n    port = 143\n    !include_try}\n}\n"])
        let run = try TestSupport.run(["lint", "--as", "dovecot", "dovecot.conf"], cwd: dir, deadline: Self.deadline)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("dovecot.conf:2:1: error: missing '}'"), "\(run.stdout)")
        let bare = try TestSupport.folder(["dovecot.conf": "protocols = imap\n!include_try\n"])
        let noPath = try TestSupport.run(["lint", "--as", "dovecot", "dovecot.conf"], cwd: bare, deadline: Self.deadline)
        #expect(noPath.status == 2 && noPath.stdout.contains("dovecot.conf:2:1: error: `!include_try` needs a path"), "\(noPath.stdout)\(noPath.stderr)")
        // The same trap behind `--output ""`.
        let empty = try TestSupport.run(["lint", "--output", "", "dovecot.conf"], cwd: dir, deadline: Self.deadline)
        #expect(empty.status == 2 && empty.stderr.contains("cannot write '': the path is empty"), "\(empty.stderr)")
    }

    /// The folder of a path, without Foundation's trap on one-character names.
    @Test(arguments: [("a", ""), ("}", ""), ("dovecot.conf", ""), ("a/b", "a"), ("/a", "/"), ("/", "/"), ("a/b/", "a"), ("/etc//dovecot/x", "/etc//dovecot"), ("./}", "."), ("", "")])
    func folderPath(_ path: String, _ folder: String) {
        #expect(path.folderPath == folder)
    }
}
