import Foundation
import MailAuditTestSupport
import Testing

/// The bundled examples report what Examples/README.md says they report.
@Suite struct ExamplesTests {
    static let expected: [String: [String]] = [
        "yaml/reference.mailaudit.yml": [],
        "yaml/small-office.mailaudit.yml": ["MA102", "MA103", "MA104", "MA301", "MA401", "MA501"],
        "yaml/hosting-customer.mailaudit.yml": ["MA103", "MA104", "MA105", "MA106", "MA203", "MA701", "MA702"],
        "yaml/legacy.mailaudit.yml": ["MA101", "MA101", "MA102", "MA102", "MA102", "MA102", "MA102", "MA102", "MA102", "MA102",
                                      "MA103", "MA103", "MA201", "MA202", "MA203", "MA203", "MA204", "MA204", "MA205", "MA301",
                                      "MA302", "MA401", "MA501", "MA601", "MA701", "MA702"],
    ]

    @Test(arguments: expected.keys.sorted())
    func example(_ path: String) throws {
        let run = try TestSupport.run(["lint", "--format", "json", "Examples/\(path)"], cwd: TestSupport.repoRoot)
        let doc = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let ids = ((doc?["findings"] as? [[String: Any]]) ?? []).compactMap { $0["ruleId"] as? String }.sorted()
        #expect(ids == Self.expected[path], "\(path)")
        #expect(run.status == (ids.isEmpty ? 0 : 1))
    }

    /// One finding per place: a setting several endpoints share is reported once, naming them all.
    @Test func noTwoFindingsShareAPlaceAndARule() throws {
        let run = try TestSupport.run(["lint", "--format", "json", "Examples/"], cwd: TestSupport.repoRoot)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(doc["findings"] as? [[String: Any]])
        #expect(findings.count > 100, "the examples hold many findings")
        var places: [String: Int] = [:]
        for f in findings {
            places["\(f["path"] as? String ?? ""):\(f["line"] as? Int ?? 0) \(f["ruleId"] as? String ?? "")", default: 0] += 1
            let endpoints = f["endpoints"] as? [[String: Any]]
            #expect(endpoints != nil, "every finding has `endpoints`")
            if let endpoints, let first = endpoints.first {
                #expect((first["location"] as? [String: Any])?["line"] as? Int == ((f["endpoint"] as? [String: Any])?["location"] as? [String: Any])?["line"] as? Int)
            }
        }
        let repeated = places.filter { $0.value > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "reported more than once: \(repeated)")
        // The msmtp example's password, written in one account that three others copy, is one finding for all four.
        let password = findings.first { ($0["path"] as? String)?.hasSuffix("msmtp/insecure.msmtprc") == true && $0["ruleId"] as? String == "MA501" }
        #expect((password?["endpoints"] as? [Any])?.count == 4)
    }
}
