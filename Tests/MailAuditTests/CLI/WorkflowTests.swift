import Foundation
import MailAuditTestSupport
import Testing

/// Daily-work features as a user meets them: a repository with a configuration file,
/// suppressions and a baseline; several reports from one run; CI output formats.
@Suite struct WorkflowTests {
    static let insecure = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: pop3, host: h, port: 995, tls: none}\n    content_encryption: per-message\n"

    func repository(config: String?, files: [String: String] = ["sub/a.mailaudit.yml": insecure]) throws -> URL {
        let dir = TestSupport.temporaryDirectory()
        var all = files
        if let config { all[".mailaudit.yml"] = config }
        for (name, text) in all {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func json(_ run: TestSupport.Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    func ids(_ doc: [String: Any], suppressed: Bool = false) -> [String] {
        ((doc["findings"] as? [[String: Any]]) ?? []).filter { ($0["suppressed"] is NSNull) != suppressed }.compactMap { $0["ruleId"] as? String }.sorted()
    }

    @Test func configurationFoundFromASubdirectory() throws {
        let dir = try repository(config: """
        rules:
          MA203: off
          MA101: { severity: warning }
          MA401: note
        exclude: ["vendor/**"]
        fail_on: error
        """, files: ["sub/a.mailaudit.yml": Self.insecure, "vendor/b.mailaudit.yml": Self.insecure])
        let sub = dir.appendingPathComponent("sub")
        let run = try TestSupport.run(["lint", "--format", "json", ".."], cwd: sub)
        let doc = try json(run)
        #expect(ids(doc) == ["MA101", "MA401"])
        let findings = (doc["findings"] as? [[String: Any]]) ?? []
        #expect(findings.first { $0["ruleId"] as? String == "MA101" }?["severity"] as? String == "warning")
        #expect(findings.allSatisfy { ($0["path"] as? String)?.hasPrefix("../sub/") == true })
        #expect(run.status == 0, "fail_on: error and no errors left")
        #expect(try TestSupport.run(["lint", "--fail-on", "warning", ".."], cwd: sub).status == 1)
        let printed = try TestSupport.run(["lint", "--print-config"], cwd: sub)
        #expect(printed.stdout.contains("MA203: off") && printed.stdout.contains("MA101: warning   # default: error") && printed.stdout.contains("fail_on: error"))
    }

    @Test(arguments: [
        ("rules:\n  MA999: off\n", "2:3: error: configuration: unknown rule 'MA999'"),
        ("rule:\n  MA203: off\n", "1:1: error: configuration: unknown key 'rule' — did you mean 'rules'?"),
        ("fail_on: sometimes\n", "1:10: error: configuration: fail_on must be error, warning, note or never"),
        ("fail_on: warnings\n", "1:10: error: configuration: fail_on must be error, warning, note or never; found 'warnings' — did you mean 'warning'?"),
        ("fail_on: [error]\n", "1:10: error: configuration: fail_on must be error, warning, note or never; found a list"),
        ("rules:\n  MA104: { severity: fatal }\n", "2:22: error: configuration: severity must be error, warning or note"),
        ("ignore:\n  - { rule: MA501, until: tomorrow }\n", "2:27: error: configuration: until must be a date YYYY-MM-DD"),
    ])
    func badConfigurationIsAnErrorWithPosition(_ config: String, _ expected: String) throws {
        let dir = try repository(config: config)
        let run = try TestSupport.run(["lint", "."], cwd: dir)
        #expect(run.status == 2)
        #expect(run.stderr.contains(".mailaudit.yml:\(expected)"), "\(run.stderr)")
    }

    @Test func explicitConfigFlag() throws {
        let dir = try repository(config: nil, files: ["a.mailaudit.yml": Self.insecure, "ci/strict.yml": "rules:\n  MA203: error\n"])
        let doc = try json(try TestSupport.run(["lint", "--format", "json", "--config", "ci/strict.yml", "a.mailaudit.yml"], cwd: dir))
        #expect(((doc["findings"] as? [[String: Any]]) ?? []).first { $0["ruleId"] as? String == "MA203" }?["severity"] as? String == "error")
    }

    @Test func ignoreListSuppressesAndReportsUnusedAndExpiredEntries() throws {
        let dir = try repository(config: """
        ignore:
          - { rule: MA203, paths: ["sub/*.yml"], reason: "device only speaks POP3" }
          - { rule: MA401, reason: "rollout", until: 2020-01-01 }
          - { rule: MA205 }
        """)
        let run = try TestSupport.run(["lint", "--format", "json", "."], cwd: dir)
        let doc = try json(run)
        #expect(ids(doc, suppressed: true) == ["MA203"])
        let suppressed = ((doc["findings"] as? [[String: Any]]) ?? []).first { $0["ruleId"] as? String == "MA203" }?["suppressed"] as? [String: Any]
        #expect(suppressed?["kind"] as? String == "configuration" && suppressed?["justification"] as? String == "device only speaks POP3")
        #expect(ids(doc).contains("MA002") && ids(doc).contains("MA001") && ids(doc).contains("MA401"))
        #expect((doc["summary"] as? [String: Int])?["suppressed"] == 1)
    }

    @Test func inlineSuppressionsInComments() throws {
        let text = """
        # mailaudit: disable-file=MA401 reason="encryption policy is per team"
        mailaudit: 1
        accounts:
          - name: a
            incoming:
              protocol: pop3  # mailaudit: disable=MA203 reason="legacy device"
              host: h
              port: 995
              # mailaudit: disable=MA101,MA102 reason="tunnel" until=2099-12-31
              tls: none
            content_encryption: per-message
        """
        let dir = try repository(config: nil, files: ["a.mailaudit.yml": text])
        let doc = try json(try TestSupport.run(["lint", "--format", "json", "a.mailaudit.yml"], cwd: dir))
        #expect(ids(doc) == [])
        #expect(ids(doc, suppressed: true) == ["MA101", "MA203", "MA401"])
        let off = try json(try TestSupport.run(["lint", "--format", "json", "--no-inline-suppressions", "a.mailaudit.yml"], cwd: dir))
        #expect(ids(off) == ["MA101", "MA203", "MA401"])
        // Suppressed findings never affect the exit status, and SARIF leaves them out unless asked.
        #expect(try TestSupport.run(["lint", "a.mailaudit.yml"], cwd: dir).status == 0)
        let sarif = try TestSupport.run(["lint", "--format", "sarif", "a.mailaudit.yml"], cwd: dir).stdout
        #expect(!sarif.contains("\"ruleId\" : \"MA101\"") && !sarif.contains("\"ruleId\":\"MA101\""))
        let withSuppressed = try TestSupport.run(["lint", "--format", "sarif", "--include-suppressed", "a.mailaudit.yml"], cwd: dir).stdout
        #expect(withSuppressed.contains("inSource") && withSuppressed.contains("tunnel"))
    }

    @Test func baselineReportsOnlyNewFindingsAndListsStaleEntries() throws {
        let dir = try repository(config: nil)
        #expect(try TestSupport.run(["baseline", ".", "--output", "baseline.json"], cwd: dir).status == 0)
        #expect(try TestSupport.run(["lint", "--baseline", "baseline.json", "."], cwd: dir).status == 0)
        // An unrelated edit (lines move) keeps the baseline valid; a new problem is reported.
        let changed = "# moved down\n\n" + Self.insecure.replacingOccurrences(of: "content_encryption: per-message\n", with: "outgoing: {protocol: smtp, host: h, port: 25, tls: none}\n")
        try changed.write(to: dir.appendingPathComponent("sub/a.mailaudit.yml"), atomically: true, encoding: .utf8)
        let run = try TestSupport.run(["lint", "--format", "json", "--baseline", "baseline.json", "."], cwd: dir)
        let doc = try json(run)
        #expect(ids(doc) == ["MA102", "MA301"])
        let baseline = doc["baseline"] as? [String: Any]
        #expect(baseline?["matched"] as? Int == 2)
        #expect((baseline?["stale"] as? [[String: Any]])?.compactMap { $0["ruleId"] as? String } == ["MA401"])
        let text = try TestSupport.run(["lint", "--baseline", "baseline.json", "."], cwd: dir).stdout
        #expect(text.contains("baseline: 2 known findings not shown; 1 entry matches nothing any more"))
        try Self.insecure.write(to: dir.appendingPathComponent("sub/a.mailaudit.yml"), atomically: true, encoding: .utf8)
        let fixed = Self.insecure.replacingOccurrences(of: "    content_encryption: per-message\n", with: "")
        try fixed.write(to: dir.appendingPathComponent("sub/a.mailaudit.yml"), atomically: true, encoding: .utf8)
        #expect(try TestSupport.run(["lint", "--baseline", "baseline.json", "."], cwd: dir).status == 0)
        #expect(try TestSupport.run(["lint", "--baseline", "baseline.json", "--strict-baseline", "."], cwd: dir).status == 1)
        #expect(try TestSupport.run(["lint", "--baseline", "nothing.json", "."], cwd: dir).status == 2)
    }

    @Test func severalReportsFromOneRun() throws {
        let dir = try repository(config: nil)
        let run = try TestSupport.run(["lint", "--report", "sarif:out/r.sarif", "--report", "junit:r.xml", "--report", "json:r.json", "."], cwd: dir)
        #expect(run.status == 2, "out/ does not exist: the report cannot be written")
        let ok = try TestSupport.run(["lint", "--report", "sarif:r.sarif", "--report", "junit:r.xml", "--report", "json:r.json", "--sarif-category", "mail/prod", "."], cwd: dir)
        #expect(ok.status == 1 && ok.stdout.contains("[MA101 plaintext-on-implicit-tls-port]"))
        let sarif = try String(contentsOf: dir.appendingPathComponent("r.sarif"), encoding: .utf8)
        #expect(sarif.contains("mail/prod"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("r.json"))) as? [String: Any]
        #expect((report?["summary"] as? [String: Int])?["findings"] == 3)
        #expect(try TestSupport.run(["lint", "--report", "yaml:x", "."], cwd: dir).status == 64)
    }

    @Test func githubAnnotationsErrorsFirstInEachFileTenPerLevelAndJobSummary() throws {
        var files: [String: String] = [:]
        for n in 0..<12 { files["f\(n).mailaudit.yml"] = Self.insecure }
        let dir = try repository(config: nil, files: files)
        let summary = dir.appendingPathComponent("summary.md")
        let run = try TestSupport.run(["lint", "--format", "github", "."], cwd: dir, environment: ["GITHUB_STEP_SUMMARY": summary.path])
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("::error file=f0.mailaudit.yml,line=4,col=") == true)
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 10)
        #expect(lines.filter { $0.hasPrefix("::warning ") }.count == 10)
        #expect(lines.contains { $0.hasPrefix("::notice title=mailaudit::2 errors, 14 warnings more than GitHub shows") })
        // Annotations come file by file as the run goes on; within a file, errors first.
        let f0 = lines.filter { $0.contains("file=f0.mailaudit.yml,") }
        #expect(f0.firstIndex { $0.hasPrefix("::warning") }! > f0.lastIndex { $0.hasPrefix("::error") }!)
        #expect(lines.firstIndex { $0.contains("file=f1.mailaudit.yml,") }! > lines.lastIndex { $0.contains("file=f0.mailaudit.yml,") }!)
        #expect(run.stdout.contains("title=MA101 plaintext-on-implicit-tls-port::"))
        let md = try String(contentsOf: summary, encoding: .utf8)
        #expect(md.contains("## Mail configuration audit") && md.contains("**12 errors, 24 warnings, 0 notes in 12 files**"), "\(md)")
        // The job summary shows each setup's endpoints too (the run kept them for it).
        #expect(md.contains("| f0.mailaudit.yml | mailaudit-yaml | 1 | **errors: fix before use** | 1 | 2 | 0 |") && md.contains("| account or server |"), "\(md)")
    }

    @Test func junitIsReadByAJUnitParser() throws {
        let dir = try repository(config: nil, files: ["a.mailaudit.yml": Self.insecure, "clean.mailaudit.yml": "mailaudit: 1\naccounts: []\n", "bad.mailaudit.yml": "mailaudit: 1\nx: [\n"])
        let run = try TestSupport.run(["lint", "--format", "junit", "--output", "r.xml", "."], cwd: dir)
        #expect(run.status == 2)
        let script = """
        import sys, xml.etree.ElementTree as ET
        root = ET.parse(sys.argv[1]).getroot()
        suite = root.find('testsuite')
        cases = suite.findall('testcase')
        print(root.get('tests'), root.get('failures'), root.get('errors'), len(cases), sum(1 for c in cases if c.find('failure') is not None))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, dir.appendingPathComponent("r.xml").path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "6 3 1 6 3")
    }

    @Test func maxFindingsQuietAndStatistics() throws {
        let dir = try repository(config: nil)
        let limited = try TestSupport.run(["lint", "--max-findings", "1", "--quiet", "."], cwd: dir)
        #expect(limited.stdout.components(separatedBy: "[MA").count - 1 == 1)
        #expect(!limited.stdout.contains("fix:") && !limited.stdout.contains(" in 1 file"))
        let stats = try TestSupport.run(["lint", "--statistics", "."], cwd: dir).stdout
        #expect(stats.contains("findings by rule:") && stats.contains("1  MA203 deprecated-pop3 (warning)") && stats.contains("1  mailaudit-yaml"))
    }

    @Test func markdownAndHTML() throws {
        let dir = try repository(config: nil)
        let md = try TestSupport.run(["lint", "--format", "markdown", "."], cwd: dir).stdout
        #expect(md.contains("| sub/a.mailaudit.yml | mailaudit-yaml | 1 | **errors: fix before use** | 1 | 2 | 0 |"), "\(md)")
        #expect(md.contains("- **error** MA101 plaintext-on-implicit-tls-port at line 4:57"), "\(md)")
        let html = try TestSupport.run(["lint", "--format", "html", "."], cwd: dir).stdout
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("MA101 plaintext-on-implicit-tls-port"))
    }
}
