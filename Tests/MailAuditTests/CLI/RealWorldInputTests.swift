import Foundation
import MailAuditTestSupport
import Testing
@testable import MailAuditFormats
import MailAuditCore

/// What real repositories hold next to mail configurations: files that share a name or a look with
/// one (a walk must skip them, never guess), and includes that point at files not in the snapshot
/// (a note, MA003, never MA000, and never read from the auditing machine).
@Suite struct RealWorldInputTests {
    static func tree(_ files: [String: String]) throws -> URL { try TestSupport.folder(files) }

    static func json(_ arguments: [String], cwd: URL, environment: [String: String] = [:]) throws -> (status: Int32, doc: [String: Any]) {
        let run = try TestSupport.run(["lint", "--format", "json"] + arguments, cwd: cwd, environment: environment)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        return (run.status, doc)
    }

    static func findings(_ doc: [String: Any]) -> [[String: Any]] { doc["findings"] as? [[String: Any]] ?? [] }
    static func errors(_ doc: [String: Any]) -> [[String: Any]] { doc["errors"] as? [[String: Any]] ?? [] }

    // What Postfix's SASL_README puts in /etc/sasl2/smtpd.conf (Cyrus SASL, not OpenSMTPD).
    static let cyrusSASL = "pwcheck_method: saslauthd\nmech_list: plain login\n"
    static let openSMTPD = "listen on localhost\naction \"local\" mbox alias <aliases>\nmatch for local action \"local\"\n"
    static let compose = """
    services:
      fetchmail:
        image: mailserver/docker-mailserver
        configs:
          - source: fetchmail
    configs:
      fetchmail:
        content: |
          poll mail.example.com with proto IMAP
            user 'ann' there with password 'secret' is 'ann' here
    """

    @Test func aWalkSkipsFilesThatOnlyShareANameOrALook() throws {
        let dir = try Self.tree([
            "etc/sasl2/smtpd.conf": Self.cyrusSASL,
            "etc/postfix/sasl/smtpd.conf": Self.cyrusSASL,
            "etc/mail/smtpd.conf": Self.openSMTPD,
            "docker-compose.yml": Self.compose,
            "demo/fetchmail-compose.yaml": Self.compose,
            // A rule file: YAML holding an example Dovecot and git config.
            "Rules/MA202.yml": "id: MA202\nexamples:\n  - config: |\n      [sendemail]\n      \tsmtpServer = mail.example.com\n      protocols = imap\n      service imap-login {\n      }\n",
            "setup.yml": "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: mail.example.com, tls: implicit}\n",
            "README.md": "# mail\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, doc) = try Self.json(["."], cwd: dir)
        #expect(Self.errors(doc).isEmpty, "\(Self.errors(doc))")
        #expect(status != 2)
        let summary = try #require(doc["summary"] as? [String: Int])
        #expect(summary["files"] == 2)  // the OpenSMTPD smtpd.conf and the native YAML
        #expect(summary["skipped"] == 6)
        let paths = Set(Self.findings(doc).compactMap { $0["path"] as? String })
        #expect(!paths.contains { $0.contains("sasl") || $0.contains("compose") || $0.hasPrefix("Rules/") }, "\(paths)")
        // --statistics counts them too.
        let text = try TestSupport.run(["lint", "--statistics", "."], cwd: dir)
        #expect(text.stdout.contains("6  skipped"), "\(text.stdout)")
    }

    @Test func aFileNamedOnTheCommandLineKeepsTodaysBehaviour() throws {
        let dir = try Self.tree(["sasl2/smtpd.conf": Self.cyrusSASL, "docker-compose.yml": Self.compose])
        defer { try? FileManager.default.removeItem(at: dir) }
        // Named, the name still decides: read as OpenSMTPD, and its errors say so (exit 2).
        let (status, doc) = try Self.json(["sasl2/smtpd.conf"], cwd: dir)
        #expect(status == 2 && !Self.errors(doc).isEmpty)
        let (composeStatus, _) = try Self.json(["docker-compose.yml"], cwd: dir)
        #expect(composeStatus == 2)  // read by its content, as before: use --as or leave it to walks
    }

    @Test func confirmingContentIsPerFormat() {
        #expect(!OpenSMTPDFormat().confirms(content: SourceFile(path: "smtpd.conf", text: Self.cyrusSASL)))
        #expect(!OpenSMTPDFormat().confirms(content: SourceFile(path: "smtpd.conf", text: "# comments only\n")))
        #expect(OpenSMTPDFormat().confirms(content: SourceFile(path: "smtpd.conf", text: Self.openSMTPD)))
        #expect(OpenSMTPDFormat().confirms(content: SourceFile(path: "smtpd.conf", text: "accept for local deliver to mbox\n")))  // before 6.4
        #expect(AercFormat().confirms(content: SourceFile(path: "accounts.conf", text: "[Personal]\nsource=\"imaps://ann@mail.example.com\"\n")))
        #expect(!AercFormat().confirms(content: SourceFile(path: "accounts.conf", text: "[db]\nuser = ann\n")))
        #expect(!AutodiscoverFormat().confirms(content: SourceFile(path: "autodiscover.json", text: "{\"Protocol\": \"AutodiscoverV1\", \"Url\": \"https://x/\"}\n")))
    }

    // MARK: includes

    @Test func aSourcedFileInHomeIsANoteAndNeverReadFromTheAuditorsHome() throws {
        let home = try Self.tree([".mutt/aliases": "set smtp_url = \"smtp://mail.example.com:25\"\n"])
        let dir = try Self.tree(["muttrc": "set smtp_url = \"smtps://ann@smtp.example.com\"\nsource ~/.mutt/aliases\nsource missing.muttrc\nsource `echo ~/.mutt/x`\n"])
        defer { try? FileManager.default.removeItem(at: home); try? FileManager.default.removeItem(at: dir) }
        let (status, doc) = try Self.json(["."], cwd: dir, environment: ["HOME": home.path])
        #expect(Self.errors(doc).isEmpty, "\(Self.errors(doc))")
        #expect(status == 0)  // notes only, under the default --fail-on warning
        let notes = Self.findings(doc).filter { $0["ruleId"] as? String == "MA003" }
        #expect(notes.map { $0["line"] as? Int } == [2, 3, 4])
        #expect(notes.allSatisfy { $0["severity"] as? String == "note" })
        let messages = notes.compactMap { $0["message"] as? String }
        #expect(messages[0].contains("~/.mutt/aliases") && messages[0].contains("home folder"))
        #expect(messages[1].contains("missing.muttrc") && messages[1].contains("not there"))
        #expect(messages[2].contains("command"))
        // Nothing from the auditor's own ~/.mutt/aliases (it would be MA102 on port 25).
        #expect(!Self.findings(doc).contains { $0["ruleId"] as? String == "MA102" })
        #expect(!run(doc).contains(home.path))
    }

    func run(_ doc: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: doc)) ?? Data(), as: UTF8.self)
    }

    @Test func anAbsoluteIncludeOutsideTheAuditedFolderIsFollowedOnlyBelowRoot() throws {
        // The "server" files live elsewhere; the audited snapshot names them by absolute path.
        let server = try Self.tree(["protocols.d/pop3d.protocol": "protocols = $protocols pop3\n"])
        let snapshot = try Self.tree(["dovecot.conf": "protocols = imap\n!include_try \(server.path)/protocols.d/*.protocol\n!include /etc/dovecot/local.conf\n"])
        defer { try? FileManager.default.removeItem(at: server); try? FileManager.default.removeItem(at: snapshot) }
        let (status, doc) = try Self.json(["."], cwd: snapshot)
        #expect(Self.errors(doc).isEmpty, "\(Self.errors(doc))")
        #expect(status != 2)
        let notes = Self.findings(doc).filter { $0["ruleId"] as? String == "MA003" }
        #expect(notes.map { $0["line"] as? Int } == [2, 3])
        #expect(notes.allSatisfy { ($0["message"] as? String)?.contains("outside the audited folder") == true })
        #expect(!Self.findings(doc).contains { $0["ruleId"] as? String == "MA203" })  // pop3 was not read

        // --root maps /etc/dovecot/local.conf into a copy of the server's /.
        let root = try Self.tree(["etc/dovecot/local.conf": "protocols = $protocols pop3\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, mapped) = try Self.json([".", "--root", root.path], cwd: snapshot)
        #expect(Self.errors(mapped).isEmpty, "\(Self.errors(mapped))")
        #expect(Self.findings(mapped).contains { $0["ruleId"] as? String == "MA203" })
        // ... and so does `root:` in .mailaudit.yml (relative to that file).
        try "root: \(root.path)\n".write(to: snapshot.appendingPathComponent(".mailaudit.yml"), atomically: true, encoding: .utf8)
        let (_, configured) = try Self.json(["."], cwd: snapshot)
        #expect(Self.findings(configured).contains { $0["ruleId"] as? String == "MA203" })
    }

    @Test func anAbsoluteIncludeInsideTheAuditedFolderIsFollowed() throws {
        // Auditing a live server as `mailaudit lint /etc/dovecot`: its absolute includes are under it.
        let dir = try Self.tree(["conf.d/20-pop3.conf": "protocols = $protocols pop3\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        try "protocols = imap\n!include \(dir.path)/conf.d/*.conf\n".write(to: dir.appendingPathComponent("dovecot.conf"), atomically: true, encoding: .utf8)
        let (_, doc) = try Self.json([dir.path], cwd: dir)
        #expect(Self.errors(doc).isEmpty, "\(Self.errors(doc))")
        #expect(!Self.findings(doc).contains { $0["ruleId"] as? String == "MA003" })
        #expect(Self.findings(doc).contains { $0["ruleId"] as? String == "MA203" })
    }

    @Test func theIncludePolicyDecidesWithoutTheMachine() {
        let policy = IncludePolicy(auditedTree: "/srv/snap", root: nil, home: nil)
        #expect(policy.locate("~/.muttrc", from: "/srv/snap/muttrc").reason == .home)
        #expect(policy.locate("~ann/.muttrc", from: "/srv/snap/muttrc").reason == .home)
        #expect(policy.locate("/etc/dovecot/x.conf", from: "/srv/snap/dovecot.conf").reason == .outsideTree)
        #expect(policy.locate("/srv/snap/conf.d/x.conf", from: "/srv/snap/dovecot.conf").path == "/srv/snap/conf.d/x.conf")
        #expect(policy.locate("conf.d/x.conf", from: "/srv/snap/dovecot.conf").path == "/srv/snap/conf.d/x.conf")
        let rooted = IncludePolicy(auditedTree: "/srv/snap", root: "/srv/copy", home: nil)
        #expect(rooted.locate("/etc/dovecot/x.conf", from: "/srv/snap/dovecot.conf").path == "/srv/copy/etc/dovecot/x.conf")
        // `~` is the auditor's home only when the audited file is in it.
        #expect(IncludePolicy.forInput(path: "/home/ann/.muttrc", tree: nil, root: nil, environment: ["HOME": "/home/ann"], workingDirectory: "/").home == "/home/ann")
        #expect(IncludePolicy.forInput(path: "/srv/snap/muttrc", tree: nil, root: nil, environment: ["HOME": "/home/ann"], workingDirectory: "/").home == nil)
    }

    @Test func oneRunsIncludePoliciesStandardizeWhatTheyShareOnce() {
        let run = IncludePolicy.PerRun(root: "/srv/copy/./", trees: ["/srv/snap/../snap"], environment: ["HOME": "/home/ann/"], workingDirectory: "/home/ann")
        let named = run.policy(forInput: ".muttrc", tree: nil)
        #expect(named.auditedTree == "/home/ann")
        #expect(named.home == "/home/ann")
        #expect(named.root == "/srv/copy")
        let walked = run.policy(forInput: "/srv/snap/sub/muttrc", tree: "/srv/snap/../snap")
        #expect(walked.auditedTree == "/srv/snap")
        #expect(walked.home == nil)
        // A tree the run was not told about is standardized all the same.
        #expect(run.policy(forInput: "/srv/other/x/muttrc", tree: "/srv/other/./x").auditedTree == "/srv/other/x")
        // The per-input entry point gives the same policy.
        let single = IncludePolicy.forInput(path: "/srv/snap/sub/muttrc", tree: "/srv/snap/../snap", root: "/srv/copy/./", environment: ["HOME": "/home/ann/"], workingDirectory: "/")
        #expect(single.auditedTree == walked.auditedTree && single.root == walked.root && single.home == walked.home)
    }
}
