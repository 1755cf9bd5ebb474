import Foundation
import MailAuditTestSupport
import Testing

/// The files the binary writes besides standard output: `--report`, `--output`, a baseline, and
/// what `model` and `baseline` print.
@Suite struct SecretOutputFileTests {
    static let gitconfig = "[sendemail]\n\tsmtpServer = smtp://ann:3XKhcCvE3np57W@smtp.example.com\n\tsmtpServerPort = 25\n"
    static let offlineimap = "[general]\naccounts = a\n[Account a]\nlocalrepository = l\nremoterepository = r\n[Repository r]\ntype = IMAP\nremotehost = mail.example.com\nremotepass WKbuDE7mGZqDjPCFdcERFndD7pHQtt\n"

    @Test func reportBaselineAndModelFilesHoldNoSecret() throws {
        let dir = TestSupport.temporaryDirectory()
        try Self.gitconfig.write(to: dir.appendingPathComponent(".gitconfig"), atomically: true, encoding: .utf8)
        try Self.offlineimap.write(to: dir.appendingPathComponent(".offlineimaprc"), atomically: true, encoding: .utf8)
        var printed: [(String, String)] = []
        let lint = try TestSupport.run(["lint", "--output", "out.txt", "--report", "json:r.json", "--report", "sarif:r.sarif",
                                        "--report", "html:r.html", "--report", "junit:r.xml", "--report", "markdown:r.md",
                                        "--report", "github:r.gh", ".gitconfig", ".offlineimaprc"], cwd: dir)
        #expect(lint.status == 2)  // the malformed OfflineIMAP line is MA000
        printed.append(("lint stderr", lint.stderr))
        for name in ["out.txt", "r.json", "r.sarif", "r.html", "r.xml", "r.md", "r.gh"] {
            printed.append((name, try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)))
        }
        let model = try TestSupport.run(["model", ".gitconfig", ".offlineimaprc"], cwd: dir)
        printed += [("model", model.stdout), ("model stderr", model.stderr)]
        let baseline = try TestSupport.run(["baseline", ".gitconfig", ".offlineimaprc", "--output", "baseline.json"], cwd: dir)
        printed.append(("baseline stderr", baseline.stderr))
        let recorded = try String(contentsOf: dir.appendingPathComponent("baseline.json"), encoding: .utf8)
        printed.append(("baseline.json", recorded))
        #expect(recorded.contains("smtp://smtp.example.com"), "the baseline names the host")
        let stale = try TestSupport.run(["lint", "--baseline", "baseline.json", "--format", "json", ".gitconfig"], cwd: dir)
        printed.append(("lint --baseline", stale.stdout))
        for (name, text) in printed {
            for secret in ["3XKhcCvE3np57W", "WKbuDE7mGZqDjPCFdcERFndD7pHQtt"] {
                for piece in SecretLeakTests.pieces(secret) { #expect(!text.contains(piece), "\(name) prints '\(piece)'") }
            }
        }
        #expect(printed[1].1.contains("****"), "the text report masks the secret")
    }
}
