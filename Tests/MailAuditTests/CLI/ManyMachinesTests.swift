import Foundation
import MailAuditTestSupport
import Testing

/// `--files-from`, `--shard` and `--format jsonl`, as a job split over many machines uses them.
@Suite struct ManyMachinesTests {
    static let insecure = CLITests.insecure
    static let clean = CLITests.clean

    /// Every line of a JSON Lines output, parsed; fails the test on a line that is not one JSON object.
    func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            #expect(line.hasPrefix("{\"type\":\""), "type comes first: \(line.prefix(40))")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    /// What identifies a finding across runs.
    func key(_ f: [String: Any]) -> String {
        "\(f["path"]!):\(f["line"]!):\(f["ruleId"]!):\(f["fingerprint"]!):\((f["suppressed"] as? [String: Any])?["kind"] ?? "-")"
    }

    func jsonFindings(_ arguments: [String], cwd: URL) throws -> [String] {
        let run = try TestSupport.run(["lint", "--format", "json"] + arguments, cwd: cwd)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        return (doc["findings"] as? [[String: Any]] ?? []).map(key).sorted()
    }

    @Test func filesFromAListOnStandardInputOrInAFile() throws {
        let dir = try TestSupport.folder(["a/bad.mailaudit.yml": Self.insecure, "b/good.mailaudit.yml": Self.clean, "c/also.mailaudit.yml": Self.insecure])
        // Blank lines are ignored; a listed path that is not there is MA000 for it, the others are still linted.
        let list = "a/bad.mailaudit.yml\n\nb/good.mailaudit.yml\r\nmissing.yml\n"
        let run = try TestSupport.run(["lint", "--files-from", "-"], stdin: list, cwd: dir)
        #expect(run.status == 2)
        #expect(run.stdout.contains("a/bad.mailaudit.yml:4:57: error:"))
        #expect(run.stdout.contains("missing.yml: error: no such file or directory [MA000 parse-error]"))
        #expect(!run.stdout.contains("also.mailaudit.yml"), "only the listed files")
        #expect(run.stdout.contains("in 2 files; 1 file could not be read"))
        // NUL-separated, from a file, together with a path on the command line.
        try Data("a/bad.mailaudit.yml\u{0}b/good.mailaudit.yml\u{0}".utf8).write(to: dir.appendingPathComponent("list0"))
        let nul = try TestSupport.run(["lint", "--files-from", "list0", "-0", "c/also.mailaudit.yml"], cwd: dir)
        #expect(nul.status == 1)
        #expect(nul.stdout.contains("in 3 files"))
        // `--null` is its long name, as in xargs.
        let long = try TestSupport.run(["lint", "--files-from", "list0", "--null", "c/also.mailaudit.yml"], cwd: dir)
        #expect(long.status == 1 && long.stdout.contains("in 3 files"))
        // A list that cannot be read is an input that cannot be read.
        let absent = try TestSupport.run(["lint", "--files-from", "nowhere.txt"], cwd: dir)
        #expect(absent.status == 2)
        #expect(absent.stdout.contains("nowhere.txt: error: the --files-from list: cannot read 'nowhere.txt': no such file"))
        // Read like every input: a FIFO named as the list is refused, not waited on.
        #expect(mkfifo(dir.appendingPathComponent("fifo").path, 0o600) == 0)
        let fifo = try TestSupport.run(["lint", "--files-from", "fifo"], cwd: dir, deadline: 10)
        #expect(fifo.status == 2 && fifo.stdout.contains("is not a regular file (a FIFO)"), "\(fifo.stdout)")
        // An empty list lints nothing (not the current folder).
        let empty = try TestSupport.run(["lint", "--files-from", "-"], stdin: "\n\n", cwd: dir)
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("in 0 files"))
    }

    @Test func usageErrorsSayWhatIsWrong() throws {
        let dir = try TestSupport.folder(["a.mailaudit.yml": Self.clean])
        for (arguments, message) in [
            (["--shard", "4/3"], "--shard 4/3: I must be between 1 and 3"),
            (["--shard", "0/3"], "--shard 0/3: I must be between 1 and 3"),
            (["--shard", "1/0"], "--shard I/N needs N of 1 or more"),
            (["--shard", "half"], "--shard takes I/N"),
            (["-0"], "it needs --files-from FILE"),
            (["--null"], "-0 (--null) says how the --files-from list is separated"),
            (["--files-from", "-", "--as", "mailaudit-yaml", "-"], "cannot also be a file to lint"),
        ] {
            let run = try TestSupport.run(["lint"] + arguments + ["a.mailaudit.yml"], cwd: dir)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        #expect(try TestSupport.run(["model", "--shard", "2/1", "a.mailaudit.yml"], cwd: dir).status == 64)
        #expect(try TestSupport.run(["baseline", "-0", "--output", "b.json", "a.mailaudit.yml"], cwd: dir).status == 64)
    }

    @Test func shardsTogetherAreTheWholeRunAlsoOverADirectoryWalk() throws {
        let root = TestSupport.repoRoot
        let whole = try jsonFindings(["Examples"], cwd: root)
        #expect(whole.count > 100)
        var parts: [[String]] = []
        var files = 0
        for i in 1...3 {
            let run = try TestSupport.run(["lint", "--format", "jsonl", "--shard", "\(i)/3", "Examples"], cwd: root)
            let objects = try lines(run.stdout)
            parts.append(objects.filter { $0["type"] as? String == "finding" }.map(key))
            files += try #require(objects.last?["files"] as? Int)
        }
        #expect(parts.flatMap { $0 }.sorted() == whole)
        #expect(parts.allSatisfy { !$0.isEmpty }, "each shard has a part")
        let unsharded = try lines(try TestSupport.run(["lint", "--format", "jsonl", "Examples"], cwd: root).stdout)
        #expect(files == unsharded.last?["files"] as? Int, "every file in exactly one shard")
    }

    @Test func jsonLinesCarryWhatTheJSONReportDoes() throws {
        let root = TestSupport.repoRoot
        let json = try TestSupport.run(["lint", "--format", "json", "Examples"], cwd: root)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let run = try TestSupport.run(["lint", "--format", "jsonl", "Examples"], cwd: root)
        #expect(run.status == json.status)
        let objects = try lines(run.stdout)
        let findings = objects.filter { $0["type"] as? String == "finding" }
        #expect(findings.map(key).sorted() == (doc["findings"] as? [[String: Any]] ?? []).map(key).sorted())
        // Same fields as a JSON finding, plus the type.
        let first = try #require(findings.first)
        let jsonFirst = try #require((doc["findings"] as? [[String: Any]])?.first)
        #expect(Set(first.keys).subtracting(["type"]) == Set(jsonFirst.keys))
        // Files in order, each file's findings in report order.
        let paths = findings.map { $0["path"] as! String }
        #expect(paths == paths.sorted())
        // The summary is last, and the JSON report's.
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        for (field, value) in doc["summary"] as? [String: Int] ?? [:] { #expect(summary[field] as? Int == value, "\(field)") }
        // --output writes the same lines at once.
        let dir = TestSupport.temporaryDirectory()
        let written = dir.appendingPathComponent("out.jsonl")
        _ = try TestSupport.run(["lint", "--format", "jsonl", "--output", written.path, "Examples"], cwd: root)
        let file = try lines(try String(contentsOf: written, encoding: .utf8))
        #expect(file.filter { $0["type"] as? String == "finding" }.map(key) == findings.map(key))
    }

    @Test func jsonLinesApplyIgnoresAndBaselinesAndShowErrors() throws {
        let dir = try TestSupport.folder([
            ".mailaudit.yml": "ignore:\n  - { rule: MA101, paths: [\"a/*\"], reason: legacy }\n  - { rule: MA205 }\n",
            "a/bad.mailaudit.yml": Self.insecure, "b/bad.mailaudit.yml": Self.insecure,
            "c/broken.mailaudit.yml": "mailaudit: 1\naccounts: [\n",
        ])
        _ = try TestSupport.run(["baseline", "b", "--output", "baseline.json"], cwd: dir)
        let arguments = ["--baseline", "baseline.json", "."]
        let run = try TestSupport.run(["lint", "--format", "jsonl"] + arguments, cwd: dir)
        #expect(run.status == 2)
        let objects = try lines(run.stdout)
        let findings = objects.filter { $0["type"] as? String == "finding" }
        // The same findings, marked the same way, as the whole-run JSON report.
        #expect(findings.map(key).sorted() == (try jsonFindings(arguments, cwd: dir)))
        #expect(findings.contains { key($0).hasPrefix("a/bad.mailaudit.yml:4:MA101") && key($0).hasSuffix(":configuration") })
        #expect(findings.contains { key($0).hasPrefix("b/bad.mailaudit.yml:4:MA101") && key($0).hasSuffix(":baseline") })
        // The unused ignore entry is reported after the files.
        let unused = try #require(findings.last)
        #expect(unused["ruleId"] as? String == "MA001" && unused["path"] as? String == ".mailaudit.yml")
        let errors = objects.filter { $0["type"] as? String == "error" }
        #expect(errors.count == 1 && errors[0]["path"] as? String == "c/broken.mailaudit.yml")
        let summary = try #require(objects.last)
        #expect(summary["parseErrors"] as? Int == 1)
        let baselined = findings.filter { key($0).hasSuffix(":baseline") }
        #expect(!baselined.contains { ($0["path"] as? String)?.hasPrefix("a/") == true })
        #expect((summary["baseline"] as? [String: Any])?["matched"] as? Int == baselined.count)
    }

    @Test func jsonLinesNeverPrintASecret() throws {
        let secret = "Xy7!pQ2-secret"
        let msmtp = "account office\nhost smtp.example.com\nport 587\nauth on\nuser me\npassword \(secret)\ntls off\naccount default : office\n"
        let dir = try TestSupport.folder(["msmtprc": msmtp, "broken/.msmtprc": "account x\nhost h\npassword \(secret)\nbogus \(secret) '\(secret)\n"])
        let run = try TestSupport.run(["lint", "--format", "jsonl", "--as", "msmtp", "msmtprc", "broken/.msmtprc"], cwd: dir)
        #expect(!run.stdout.isEmpty)
        #expect(!run.stdout.contains(secret))
        #expect(!run.stdout.contains("Xy7!pQ"), "not even a piece of it")
    }
}
