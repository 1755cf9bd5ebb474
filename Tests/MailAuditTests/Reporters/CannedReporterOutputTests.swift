import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules
import MailAuditTestSupport
import Testing

/// Every reporter's whole output over one small fixed input, compared with a file in
/// Tests/Fixtures/reporters/ (as SwiftLint's `CannedSARIFReporterOutput.json`): a change to any
/// reporter shows as a diff in review. Values that change from run to run or machine to machine
/// stand as placeholders: `<VERSION>`, `<DATE>`, `<ROOT>`, `<DIGEST>`. Unlike the golden files over Examples/
/// (which run the binary), this calls the library, so a reporter is checked on its own.
@Suite struct CannedReporterOutputTests {
    static let folder = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/reporters")
    /// Run with this set to write the files anew (then review the diff).
    static let writeVariable = "MAILAUDIT_WRITE_CANNED"

    /// One file with findings (one of them suppressed inline, with a reason) and one that does not parse.
    static let inputs: [(name: String, text: String)] = [
        ("office.mailaudit.yml", ReporterTests.insecure + "\n" + """
            outgoing:
              protocol: smtp
              host: smtp.example.com
              port: 587
              tls: starttls
              # mailaudit: disable=MA104 reason="the relay accepts nothing else"
              tls_required: false

        """),
        ("broken.mailaudit.yml", "mailaudit: 1\naccounts: [\n"),
    ]

    /// The report, with its volatile values as they would be on a real run.
    static func report() -> Report {
        let root = TestSupport.repoRoot.path
        var linter = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))
        linter.today = "2026-11-29"
        let format = FormatRegistry.builtIn.format(id: "mailaudit-yaml")
        let result = linter.lint(inputs.map {
            LintInput(path: root + "/" + $0.name, displayPath: $0.name, format: format, text: $0.text)
        })
        var options = ReportOptions(sourceRoot: root)
        options.context = AuditContext(paths: ["."], generatedAt: Date(), failOn: "error")
        return Report(result: result, rules: TestSupport.ruleSet, options: options)
    }

    /// The output with its volatile values replaced by placeholders.
    static func canned(_ output: String, report: Report) -> String {
        var out = output.replacingOccurrences(of: TestSupport.repoRoot.path, with: "<ROOT>")
            .replacingOccurrences(of: MailAuditVersion.current, with: "<VERSION>")
        if let context = report.options.context { out = out.replacingOccurrences(of: context.generatedText, with: "<DATE>") }
        // The rule pack's digest changes with any rule text; the reporters only print it.
        return out.replacingOccurrences(of: #"digest [0-9a-f]{12}"#, with: "digest <DIGEST>", options: .regularExpression)
    }

    static func file(_ format: OutputFormat) -> URL { folder.appendingPathComponent("canned.\(format.rawValue)") }

    @Test("canned reporter output", arguments: OutputFormat.allCases)
    func output(_ format: OutputFormat) throws {
        let report = Self.report()
        let got = Self.canned(format.reporter.render(report), report: report)
        #expect(!got.contains("Zq8UniqueSecret"), "\(format) prints the secret")
        let url = Self.file(format)
        if ProcessInfo.processInfo.environment[Self.writeVariable] == "1" {
            try got.write(to: url, atomically: true, encoding: .utf8)
        }
        let want = try String(contentsOf: url, encoding: .utf8)
        #expect(got == want, """
            \(format) output differs from \(url.lastPathComponent):
            \(Self.firstDifference(want, got))
            If the change is intended: \(Self.writeVariable)=1 swift test --filter CannedReporterOutputTests, then review the diff.
            """)
    }

    @Test func everyFileIsAnOutputFormat() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasPrefix("canned.") }
        #expect(Set(names) == Set(OutputFormat.allCases.map { Self.file($0).lastPathComponent }))
    }

    /// The first line that differs, with its number, for a readable failure.
    static func firstDifference(_ want: String, _ got: String) -> String {
        let a = want.components(separatedBy: "\n"), b = got.components(separatedBy: "\n")
        guard let n = (0..<max(a.count, b.count)).first(where: { $0 >= a.count || $0 >= b.count || a[$0] != b[$0] }) else { return "(same lines)" }
        return "line \(n + 1)\n  expected: \(n < a.count ? a[n] : "(end)")\n  got:      \(n < b.count ? b[n] : "(end)")"
    }
}
