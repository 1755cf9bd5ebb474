import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules
import MailAuditTestSupport
import Testing

@Suite struct ReporterTests {
    static let insecure = """
    mailaudit: 1
    accounts:
      - name: office
        incoming:
          protocol: imap
          host: mail.example.com
          port: 993
          tls: none
          password: "Zq8UniqueSecret"
    """

    func report(_ text: String = insecure, options: ReportOptions = ReportOptions()) -> Report {
        let result = TestSupport.lint(text, format: "mailaudit-yaml", path: "office.mailaudit.yml")
        return Report(result: result, rules: TestSupport.ruleSet, options: options)
    }

    @Test func textShowsPositionLineCaretFixAndSummary() {
        let text = TextReporter().render(report())
        #expect(text.contains("office.mailaudit.yml:8:12: error: account \"office\", incoming IMAP to mail.example.com:993: port 993 is the implicit-TLS port for IMAP"))
        #expect(text.contains("[MA101 plaintext-on-implicit-tls-port]"))
        #expect(text.contains("    8 |       tls: none\n      |            ^^^^\n"))
        #expect(text.contains("  help: "))
        #expect(text.hasSuffix("2 errors, 1 warning, 0 notes in 1 file\n"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test func secretsAreMaskedEverywhere() {
        for format in OutputFormat.allCases {
            let out = format.reporter.render(report())
            #expect(!out.contains("Zq8UniqueSecret"), "\(format) prints the secret")
        }
        #expect(TextReporter().render(report()).contains("password: ****"))
    }

    @Test func colourOnlyWhenAsked() {
        let text = TextReporter().render(report(options: ReportOptions(color: true)))
        #expect(text.contains("\u{1B}[1;31merror\u{1B}[0m"))
    }

    @Test func jsonHasTheDocumentedSchema() throws {
        let data = Data(JSONReporter().render(report()).utf8)
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((doc["tool"] as? [String: Any])?["name"] as? String == "mailaudit")
        #expect(doc["schemaVersion"] as? Int == 1)
        let findings = try #require(doc["findings"] as? [[String: Any]])
        let first = try #require(findings.first { $0["ruleId"] as? String == "MA101" })
        for key in ["ruleId", "rule", "severity", "message", "path", "line", "column", "endLine", "endColumn", "format", "endpoint", "fingerprint", "suppressed"] {
            #expect(first.keys.contains(key), "finding lacks \(key)")
        }
        #expect(first["line"] as? Int == 8 && first["column"] as? Int == 12 && first["endColumn"] as? Int == 16)
        #expect(first["format"] as? String == "mailaudit-yaml")
        #expect(first["suppressed"] is NSNull)
        let endpoint = try #require(first["endpoint"] as? [String: Any])
        #expect(endpoint["protocol"] as? String == "imap" && endpoint["port"] as? Int == 993 && endpoint["tls"] as? String == "none")
        #expect(endpoint.keys.contains("minTLSVersion") && endpoint["minTLSVersion"] is NSNull)
        let summary = try #require(doc["summary"] as? [String: Int])
        #expect(summary == ["files": 1, "findings": 3, "error": 2, "warning": 1, "note": 0, "suppressed": 0, "parseErrors": 0, "skipped": 0])
        #expect((doc["errors"] as? [Any])?.isEmpty == true)
    }

    @Test func fingerprintsSurviveUnrelatedEdits() {
        let before = TestSupport.lint(Self.insecure, format: "mailaudit-yaml", path: "o.yml").findings
        let edited = Self.insecure.replacingOccurrences(of: "accounts:\n", with: "# a new comment\n\naccounts:\n")
        let after = TestSupport.lint(edited, format: "mailaudit-yaml", path: "o.yml").findings
        #expect(before.map(\.fingerprint) == after.map(\.fingerprint))
        #expect(before.map(\.span.line) != after.map(\.span.line))
        #expect(Set(before.map(\.fingerprint)).count == before.count)
    }

    @Test func sarifCarriesWhatCodeScanningUses() throws {
        let data = Data(SARIFReporter().render(report(options: ReportOptions(sarifCategory: "mail/"))).utf8)
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let runs = try #require(log["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let run = runs[0]
        #expect((run["automationDetails"] as? [String: Any])?["id"] as? String == "mail/")
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ma101 = try #require(rules.first { $0["id"] as? String == "MA101" })
        for key in ["name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration", "properties"] {
            #expect(ma101.keys.contains(key), "rule lacks \(key)")
        }
        let properties = try #require(ma101["properties"] as? [String: Any])
        #expect(properties["security-severity"] is String)
        #expect((properties["tags"] as? [String])?.isEmpty == false)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.map { $0["level"] as? String } == ["error", "error", "warning"])
        let r = results[0]
        #expect(r["ruleIndex"] as? Int == rules.firstIndex { $0["id"] as? String == r["ruleId"] as? String })
        let location = try #require(((r["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
        let artifact = try #require(location["artifactLocation"] as? [String: Any])
        #expect(artifact["uri"] as? String == "office.mailaudit.yml" && artifact["uriBaseId"] as? String == "%SRCROOT%")
        #expect(((location["region"] as? [String: Any])?["startLine"] as? Int ?? 0) >= 1)
        #expect((r["partialFingerprints"] as? [String: String])?["mailaudit/v1"] != nil)
        #expect((r["partialFingerprints"] as? [String: String])?["primaryLocationLineHash"] == nil)
    }

    @Test func sarifReportsUnreadableInputsAsNotifications() throws {
        let data = Data(SARIFReporter().render(report("mailaudit: 1\naccounts: [\n")).utf8)
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let invocation = try #require(((log["runs"] as? [[String: Any]])?.first?["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == false)
        #expect((invocation["toolExecutionNotifications"] as? [Any])?.count == 1)
    }

    /// Validates our SARIF against the OASIS schema (a copy in Tests/Fixtures) with Python's jsonschema.
    @Test func sarifValidatesAgainstTheOASISSchema() throws {
        let schema = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/sarif-schema-2.1.0.json")
        let dir = TestSupport.temporaryDirectory()
        var files: [URL] = []
        for (n, text) in [Self.insecure, "mailaudit: 1\naccounts: [\n", "mailaudit: 1\naccounts: []\n"].enumerated() {
            let url = dir.appendingPathComponent("r\(n).sarif")
            try SARIFReporter().render(report(text)).write(to: url, atomically: true, encoding: .utf8)
            files.append(url)
        }
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        for path in sys.argv[2:]:
            jsonschema.Draft7Validator(schema).validate(json.load(open(path)))
        print("valid", len(sys.argv) - 2)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, schema.path] + files.map(\.path)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SARIF does not validate: \(output)")
        #expect(output.contains("valid 3"))
    }
}
