import Foundation
import MailAuditTestSupport
import Testing

/// The README's "Development" section is the map of the package: it names every target.
@Suite struct DevelopmentSectionTests {
    @Test func developmentSectionNamesEveryTarget() throws {
        let manifest = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = manifest.matches(of: /\.(?:target|executableTarget|testTarget)\(\s*name: "([^"]+)"/).map { String($0.output.1) }
        #expect(targets.contains("MailAuditCore") && targets.contains("mailaudit"), "targets read from Package.swift: \(targets)")
        let readme = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.split(separator: "\n## ").first { $0.hasPrefix("Development\n") })
        for target in targets {
            #expect(section.contains("`\(target)`"), "README.md's Development section does not name the target `\(target)`")
        }
    }
}
