import Foundation
import MailAuditTestSupport
import Testing

/// The `--help` text of every command is pinned in Tests/Fixtures/help/, so that a changed flag,
/// default or value list shows up as a reviewed diff of those files.
@Suite struct HelpTextTests {
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/help")
    static let regenerate = "run scripts/generate-help-fixtures.sh and review the diff"
    /// The help is wrapped to the terminal; the fixtures are 80 columns wide.
    static let terminal = ["COLUMNS": "80", "LINES": "25"]

    static func help(_ command: [String]) throws -> String {
        let run = try TestSupport.run(command + ["--help"], environment: terminal)
        #expect(run.status == 0, "\(command) --help: \(run.stderr)")
        return run.stdout
    }

    /// The subcommands the root help lists ("  lint (default)   Lint files…").
    static func subcommands(in rootHelp: String) -> [String] {
        let lines = rootHelp.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "SUBCOMMANDS:") else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }.compactMap { line in
            guard line.hasPrefix("  "), let first = line.dropFirst(2).first, first.isLetter else { return nil }
            return String(line.dropFirst(2).prefix { $0.isLetter || $0 == "-" })
        }
    }

    @Test func everyCommandsHelpMatchesItsFixture() throws {
        let root = try Self.help([])
        let commands = Self.subcommands(in: root)
        #expect(commands.contains("lint") && commands.contains("probe"), "the root help lists the subcommands: \(root)")
        var expected: Set<String> = ["mailaudit.txt"]
        for (name, text) in [("mailaudit", root)] + (try commands.map { ($0, try Self.help([$0])) }) {
            expected.insert("\(name).txt")
            let fixture = Self.fixtures.appendingPathComponent("\(name).txt")
            let pinned = try? String(contentsOf: fixture, encoding: .utf8)
            #expect(pinned == text, "Tests/Fixtures/help/\(name).txt differs from `mailaudit \(name == "mailaudit" ? "" : name + " ")--help`: \(Self.regenerate)")
        }
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path)) ?? [])
        #expect(present == expected, "fixtures without a command, or commands without one: \(Self.regenerate)")
    }
}
