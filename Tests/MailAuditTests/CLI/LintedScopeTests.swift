import Foundation
import MailAuditTestSupport
import Testing

/// Baselines and `ignore:` entries are judged only against the files a run linted: pre-commit and
/// other partial runs pass some files, and say nothing about the rest.
@Suite struct LintedScopeTests {
    static let insecure = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, port: 993, tls: none}\n"
    static let clean = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, tls: implicit, auth: [plain], keyring: true}\n"

    @Test func strictBaselineJudgesOnlyTheFilesLinted() throws {
        let dir = try TestSupport.folder(["a.mailaudit.yml": Self.insecure, "b.mailaudit.yml": Self.insecure])
        #expect(try TestSupport.run(["baseline", ".", "--output", "baseline.json"], cwd: dir).status == 0)
        // Only a is linted: b's entries are neither stale nor counted.
        let partial = try TestSupport.run(["lint", "--baseline", "baseline.json", "--strict-baseline", "a.mailaudit.yml"], cwd: dir)
        #expect(partial.status == 0, "\(partial.stdout)")
        #expect(!partial.stdout.contains("match nothing"))
        // a fixed: its entries are stale (exit 1), b's still are not.
        try Self.clean.write(to: dir.appendingPathComponent("a.mailaudit.yml"), atomically: true, encoding: .utf8)
        let fixed = try TestSupport.run(["lint", "--baseline", "baseline.json", "--strict-baseline", "a.mailaudit.yml"], cwd: dir)
        #expect(fixed.status == 1)
        #expect(fixed.stdout.contains("match nothing any more") || fixed.stdout.contains("matches nothing any more"))
        #expect(fixed.stdout.contains("  a.mailaudit.yml: ") && !fixed.stdout.contains("  b.mailaudit.yml: "), "\(fixed.stdout)")
    }

    @Test func anIgnoreEntryIsUnusedOnlyWhenAFileItNamesWasLinted() throws {
        let config = "ignore:\n  - { rule: MA101, paths: [ \"b.mailaudit.yml\" ], reason: \"migrating\" }\n"
        let dir = try TestSupport.folder([".mailaudit.yml": config, "a.mailaudit.yml": Self.insecure, "b.mailaudit.yml": Self.clean])
        let other = try TestSupport.run(["lint", "--format", "json", "a.mailaudit.yml"], cwd: dir)
        #expect(!other.stdout.contains("\"MA001\""), "b was not linted, so the entry is not judged:\n\(other.stdout)")
        let named = try TestSupport.run(["lint", "--format", "json", "b.mailaudit.yml"], cwd: dir)
        #expect(named.stdout.contains("\"MA001\""), "b was linted and has no MA101:\n\(named.stdout)")
        // An entry without paths names every file.
        let everywhere = try TestSupport.folder([".mailaudit.yml": "ignore:\n  - { rule: MA203 }\n", "a.mailaudit.yml": Self.clean])
        #expect(try TestSupport.run(["lint", "--format", "json", "a.mailaudit.yml"], cwd: everywhere).stdout.contains("\"MA001\""))
    }

    @Test func aFolderWithNothingToLintSaysSoAndPasses() throws {
        let dir = try TestSupport.folder(["docs/notes.txt": "not mail\n", "docs/compose.yml": "services: {}\n"])
        let run = try TestSupport.run(["lint", "docs"], cwd: dir)
        #expect(run.status == 0)
        #expect(run.stderr == "mailaudit: no files mailaudit knows in docs; 2 skipped\n")
        #expect(run.stdout.contains("0 errors, 0 warnings, 0 notes in 0 files"))
        // A folder with something to lint prints no notice.
        let linted = try TestSupport.folder(["a.mailaudit.yml": Self.clean])
        #expect(try TestSupport.run(["lint", "."], cwd: linted).stderr.isEmpty)
    }

    @Test func countsAgreeInNumberInEveryHumanFormat() throws {
        let dir = try TestSupport.folder(["a.mailaudit.yml": Self.insecure.replacingOccurrences(of: "993, tls: none", with: "993, tls: implicit, auth: [plain], keyring: true, min_tls_version: \"1.1\""),
                                          "b.mailaudit.yml": "mailaudit: 1\naccounts: [\n"])
        let text = try TestSupport.run(["lint", "a.mailaudit.yml", "b.mailaudit.yml"], cwd: dir).stdout
        #expect(text.contains("0 errors, 1 warning, 0 notes in 2 files; 1 file could not be read (MA000)"), "\(text)")
        let one = try TestSupport.run(["lint", "--format", "github", "a.mailaudit.yml"], cwd: dir).stdout
        #expect(one.contains("mailaudit: 0 errors, 1 warning, 0 notes in 1 file\n"), "\(one)")
        let html = try TestSupport.run(["lint", "--format", "html", "a.mailaudit.yml", "b.mailaudit.yml"], cwd: dir).stdout
        #expect(html.contains("0 errors, 1 warning, 0 notes in 2 files; 1 file could not be read.</p>"), "\(html)")
        let markdown = try TestSupport.run(["lint", "--format", "markdown", "a.mailaudit.yml", "b.mailaudit.yml"], cwd: dir).stdout
        #expect(markdown.contains("**0 errors, 1 warning, 0 notes in 2 files**; 1 file could not be read"), "\(markdown)")
    }
}
