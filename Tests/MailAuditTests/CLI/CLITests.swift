import Foundation
import MailAuditTestSupport
import Testing

/// The real binary, as a user runs it: exit statuses, outputs, stdin, --output.
@Suite struct CLITests {
    static let insecure = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, port: 993, tls: none}\n"
    static let clean = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, tls: implicit, auth: [plain], keyring: true}\n"
    static let noteOnly = "mailaudit: 1\nservers:\n  - name: s\n    listeners:\n      - {protocol: imap, port: 220, tls: starttls, plaintext_auth: false, require_auth: true}\n"

    func folder(_ files: [String: String]) throws -> URL { try TestSupport.folder(files) }

    @Test func exitStatuses() throws {
        let dir = try folder(["bad.mailaudit.yml": Self.insecure, "good.mailaudit.yml": Self.clean, "note.mailaudit.yml": Self.noteOnly,
                              "broken.mailaudit.yml": "mailaudit: 1\naccounts: [\n"])
        #expect(try TestSupport.run(["lint", "good.mailaudit.yml"], cwd: dir).status == 0)
        #expect(try TestSupport.run(["good.mailaudit.yml"], cwd: dir).status == 0)  // lint is the default command
        #expect(try TestSupport.run(["lint", "bad.mailaudit.yml"], cwd: dir).status == 1)
        #expect(try TestSupport.run(["lint", "note.mailaudit.yml"], cwd: dir).status == 0)
        #expect(try TestSupport.run(["lint", "--fail-on", "note", "note.mailaudit.yml"], cwd: dir).status == 1)
        #expect(try TestSupport.run(["lint", "--fail-on", "error", "note.mailaudit.yml", "good.mailaudit.yml"], cwd: dir).status == 0)
        #expect(try TestSupport.run(["lint", "--fail-on", "never", "bad.mailaudit.yml"], cwd: dir).status == 0)
        // A broken file: exit 2, and the other files are still linted and reported.
        let mixed = try TestSupport.run(["lint", "."], cwd: dir)
        #expect(mixed.status == 2)
        #expect(mixed.stdout.contains("broken.mailaudit.yml:3:1: error: invalid YAML"))
        #expect(mixed.stdout.contains("bad.mailaudit.yml:4:57: error:"))
        #expect(mixed.stdout.contains("in 4 files; 1 file could not be read (MA000)"))
        // Usage errors: 64.
        #expect(try TestSupport.run(["lint", "--format", "yaml", "."], cwd: dir).status == 64)
        #expect(try TestSupport.run(["lint", "--as", "msmtpp", "."], cwd: dir).status == 64)
        #expect(try TestSupport.run(["lint", "--bogus"], cwd: dir).status == 64)
        #expect(try TestSupport.run(["lint", "-"], stdin: Self.insecure, cwd: dir).status == 64)
        // A path that does not exist is an input that cannot be read.
        #expect(try TestSupport.run(["lint", "missing.yml"], cwd: dir).status == 2)
    }

    /// `lint` is the default command: a misspelled command is a usage error that names the command, not a missing file.
    @Test func misspelledCommandsAndMeaninglessOptionsAreUsageErrors() throws {
        let dir = try folder(["a.mailaudit.yml": Self.clean])
        let typo = try TestSupport.run(["lnt", "a.mailaudit.yml"], cwd: dir)
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("'lnt' is neither a command nor a file — did you mean the command 'lint'?"))
        #expect(try TestSupport.run(["lint", "expain"], cwd: dir).status == 64)
        // A file that happens to be named like a command is still a file.
        let named = try folder(["lnt": "mailaudit: 1\naccounts: []\n"])
        #expect(try TestSupport.run(["lnt", "--as", "mailaudit-yaml"], cwd: named).status == 0)
        // `rules` reads no configuration: --as means nothing there (for `explain` it picks examples).
        #expect(try TestSupport.run(["rules", "--as", "msmtp"]).status == 64)
        #expect(try TestSupport.run(["lint", "--help"]).stdout.contains("LIVE VERIFICATION:"))
    }

    @Test func standardInputWithAs() throws {
        let run = try TestSupport.run(["lint", "--as", "mailaudit-yaml", "-"], stdin: Self.insecure)
        #expect(run.status == 1)
        #expect(run.stdout.contains("<stdin>:4:57: error:"))
    }

    @Test func outputFileIsWrittenAndComplete() throws {
        let dir = try folder(["a.mailaudit.yml": Self.clean])
        let run = try TestSupport.run(["lint", "--format", "sarif", "--output", "out/report.sarif", "a.mailaudit.yml"], cwd: dir)
        #expect(run.status == 2, "missing folder: cannot write")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        let ok = try TestSupport.run(["lint", "--format", "sarif", "--output", "out/report.sarif", "a.mailaudit.yml"], cwd: dir)
        #expect(ok.status == 0 && ok.stdout.isEmpty)
        let data = try Data(contentsOf: dir.appendingPathComponent("out/report.sarif"))
        let log = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(((log?["runs"] as? [[String: Any]])?.first?["results"] as? [Any])?.isEmpty == true)
    }

    @Test func directoryWalkKeepsKnownNamesSkipsVendorFoldersAndSymlinkLoops() throws {
        let dir = try folder(["a/x.mailaudit.yml": Self.insecure, "a/notes.txt": "hello", "a/random.yml": "key: value\n",
                              "node_modules/y.mailaudit.yml": Self.insecure, ".git/z.mailaudit.yml": Self.insecure,
                              "b/setup.yml": Self.insecure])
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("a/loop").path, withDestinationPath: dir.path)
        let run = try TestSupport.run(["lint", "--format", "json", "."], cwd: dir)
        #expect(run.status == 1)
        let doc = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let paths = Set(((doc?["findings"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String })
        #expect(paths == ["a/x.mailaudit.yml", "b/setup.yml"])
        #expect((doc?["summary"] as? [String: Int])?["files"] == 2)
    }

    @Test func explicitFileOfUnknownFormatIsAnError() throws {
        let dir = try folder(["notes.txt": "hello\n"])
        let run = try TestSupport.run(["lint", "notes.txt"], cwd: dir)
        #expect(run.status == 2)
        #expect(run.stdout.contains("cannot tell the format"))
        #expect(run.stdout.contains("--as FORMAT"))
    }

    @Test func outputOrderIsDeterministic() throws {
        var files: [String: String] = [:]
        for n in 0..<40 { files["f\(n).mailaudit.yml"] = Self.insecure }
        let dir = try folder(files)
        let first = try TestSupport.run(["lint", "--format", "json", "."], cwd: dir).stdout
        let second = try TestSupport.run(["lint", "--format", "json", "."], cwd: dir).stdout
        #expect(first == second)
    }

    @Test func rulesExplainAndModel() throws {
        let rules = try TestSupport.run(["rules"])
        #expect(rules.status == 0 && rules.stdout.contains("MA101  plaintext-on-implicit-tls-port"))
        let json = try TestSupport.run(["rules", "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any])?.count ?? 0 >= 22)
        let explain = try TestSupport.run(["explain", "MA104", "--format", "markdown"])
        #expect(explain.status == 0 && explain.stdout.contains("**Why is this bad?**") && explain.stdout.contains("Example (reported)"))
        #expect(try TestSupport.run(["explain", "opportunistic-tls"]).stdout.contains("MA104"))
        let unknown = try TestSupport.run(["explain", "MA1O4"])
        #expect(unknown.status == 64 && unknown.stderr.contains("did you mean"))
        let dir = try folder(["a.mailaudit.yml": Self.clean])
        let model = try TestSupport.run(["model", "a.mailaudit.yml"], cwd: dir)
        let doc = try JSONSerialization.jsonObject(with: Data(model.stdout.utf8)) as? [String: Any]
        let endpoint = ((doc?["setups"] as? [[String: Any]])?.first?["endpoints"] as? [[String: Any]])?.first
        #expect(endpoint?["port"] as? Int == 993 && endpoint?["portIsDefault"] as? Bool == true && endpoint?["credential"] as? String == "keyring")
    }

    @Test func modelNamesTheFieldsAnEndpointInheritsOnlyWhenThereAreSome() throws {
        let dir = try folder(["msmtprc": "defaults\nauth on\ntls on\n\naccount office\nhost smtp.example.com\ntls off\n\naccount home\nhost smtp.home.example\nport 465\ntls_starttls off\n"])
        let model = try TestSupport.run(["model", "msmtprc"], cwd: dir)
        let doc = try JSONSerialization.jsonObject(with: Data(model.stdout.utf8)) as? [String: Any]
        let endpoints = try #require((doc?["setups"] as? [[String: Any]])?.first?["endpoints"] as? [[String: Any]])
        #expect(endpoints.count == 2)
        #expect(endpoints[0]["inherited"] as? [String] == ["auth"], "office writes its own tls")
        #expect(endpoints[1]["inherited"] as? [String] == ["auth", "tlsRequired"], "its own tls_starttls off decides tls")
        let own = try TestSupport.run(["model", "a.mailaudit.yml"], cwd: try folder(["a.mailaudit.yml": Self.clean]))
        #expect(!own.stdout.contains("\"inherited\""))
    }

    @Test func customRulesFromTheCommandLine() throws {
        let dir = try folder([
            "policy/no-imap.yml": "id: ACME1\nname: no-imap\nseverity: error\nsummary: s\nwhen: {field: protocol, equals: imap}\nat: protocol\nmessage: \"{endpoint}: IMAP is not allowed here.\"\nrationale: r\nfix: f\n",
            "broken/bad.yml": "id: ACME2\nname: x\nseverity: fatal\n",
            "a.mailaudit.yml": Self.clean,
        ])
        let run = try TestSupport.run(["lint", "--rules", "policy", "a.mailaudit.yml"], cwd: dir)
        #expect(run.status == 1 && run.stdout.contains("[ACME1 no-imap]"))
        let bad = try TestSupport.run(["lint", "--rules", "broken", "a.mailaudit.yml"], cwd: dir)
        #expect(bad.status == 2 && bad.stderr.contains("broken/bad.yml:3:11: error: rule file: severity must be error, warning or note"))
    }

    @Test func colourHonoursNoColorAndFlags() throws {
        let dir = try folder(["a.mailaudit.yml": Self.insecure])
        #expect(!(try TestSupport.run(["lint", "a.mailaudit.yml"], cwd: dir).stdout.contains("\u{1B}[")))  // a pipe: no colour
        #expect(try TestSupport.run(["lint", "--color", "always", "a.mailaudit.yml"], cwd: dir).stdout.contains("\u{1B}["))
        #expect(!(try TestSupport.run(["lint", "--color", "never", "a.mailaudit.yml"], cwd: dir).stdout.contains("\u{1B}[")))
    }
}
