import Foundation
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
}
