import Foundation
import MailAuditTestSupport
import Testing

/// `mailaudit probe` as a user runs it, against a plaintext IMAP server where implicit TLS is
/// expected (MA801): every format comes from the same typed report, the text one with the
/// observations first and a summary that counts endpoints.
@Suite struct ProbeCommandTests {
    @Test func everyFormatShowsTheObservationsAndTheFinding() async throws {
        let server = try await FakeServer.start(.text("* OK IMAP4rev1 ready\r\n"))
        let target = "127.0.0.1:\(server.port)/imaps"
        let args = ["probe", "--timeout", "2", target]
        let text = try TestSupport.run(args)
        let json = try TestSupport.run(args + ["--format", "json"])
        let sarif = try TestSupport.run(args + ["--format", "sarif"])
        let quiet = try TestSupport.run(args + ["--quiet"])
        await server.stop()

        #expect(text.status == 1, "\(text.stderr)")
        let out = text.stdout
        let observed = try #require(out.range(of: "  connection    127.0.0.1"), "\(out)")
        let finding = try #require(out.range(of: "[MA801 implicit-tls-not-working]"), "\(out)")
        let summary = try #require(out.range(of: "1 error, 0 warnings, 0 notes for 1 endpoint (probed in "), "\(out)")
        #expect(observed.upperBound < finding.lowerBound && finding.upperBound < summary.lowerBound)
        #expect(out.hasSuffix(" s)\n") && !out.contains(" in 0 files"))

        #expect(quiet.stdout.contains("[MA801 implicit-tls-not-working]"))
        #expect(!quiet.stdout.contains("  connection") && !quiet.stdout.contains("endpoint"), "\(quiet.stdout)")

        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let probes = try #require(doc["probes"] as? [[String: Any]])
        #expect(probes.count == 1 && (probes[0]["issues"] as? [String]) == ["MA801"])
        #expect((doc["findings"] as? [[String: Any]])?.compactMap { $0["ruleId"] as? String } == ["MA801"])

        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        #expect((run["results"] as? [[String: Any]])?.count == 1)
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        let help = (rules.first { $0["id"] as? String == "MA801" }?["help"] as? [String: Any])?["markdown"] as? String ?? ""
        #expect(help.contains("xample"), "SARIF's rule help carries the rule's examples: \(help.prefix(300))")
    }
}
