import Foundation
import MailAuditCore
@testable import MailAuditFormats
@testable import MailAuditRules
import MailAuditTestSupport
import Testing

/// Deciding a file's format from its name and its first bytes (`PendingDetection`, `detectionHead`),
/// in the linter's per-file stage.
@Suite struct DetectionTests {
    let native = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, tls: none}\n"

    @Test func aSmallFileIsItsOwnHead() {
        let file = SourceFile(path: "a.yml", text: native)
        #expect(file.detectionHead.text == native)
        #expect(file.detectionHead.path == "a.yml")
    }

    @Test func theHeadEndsAtTheLastLineEndInsideTheWindow() {
        let line = String(repeating: "x", count: 99) + "\n"  // 100 bytes a line
        let file = SourceFile(path: "big.conf", text: String(repeating: line, count: DetectionWindow.size / 100 + 50))
        let head = file.detectionHead
        #expect(head.text.utf8.count <= DetectionWindow.size)
        #expect(head.text.utf8.count == DetectionWindow.size / 100 * 100)
        #expect(head.text.hasSuffix("\n"))
        #expect(head.lines.dropLast().allSatisfy { $0.utf8.count == 99 })
    }

    @Test func aHeadWithoutLineEndsEndsOnACharacterBoundary() {
        // "é" is two bytes: starting one byte in, a character straddles the window's end.
        let file = SourceFile(path: "one-line", text: "a" + String(repeating: "é", count: DetectionWindow.size))
        let head = file.detectionHead
        #expect(head.text.utf8.count == DetectionWindow.size - 1)
        #expect(head.text.unicodeScalars.allSatisfy { $0 == "a" || $0 == "é" })
    }

    @Test func firstBytesDecideAmongWhatTheNameAllows() {
        let yaml = PendingDetection(claims: [], sniffed: [NativeYAMLFormat()])
        #expect(yaml.decide(head: SourceFile(path: "setup.yml", text: native))?.id == "mailaudit-yaml")
        #expect(yaml.decide(head: SourceFile(path: "compose.yml", text: "services:\n  mail: {}\n")) == nil)
        #expect(yaml.decide(head: nil) == nil)
        // A name only one program uses is trusted, unread or not; a shared one needs its content's proof.
        let msmtp = PendingDetection(claims: [MsmtpFormat()])
        #expect(msmtp.decide(head: nil)?.id == "msmtp")
        #expect(msmtp.decide(head: SourceFile(path: ".msmtprc", text: "anything\n"))?.id == "msmtp")
        let smtpd = PendingDetection(claims: [OpenSMTPDFormat()])
        #expect(smtpd.decide(head: SourceFile(path: "smtpd.conf", text: "listen on lo0\naction \"local\" mbox\nmatch from local action \"local\"\n"))?.id == "opensmtpd")
        #expect(smtpd.decide(head: SourceFile(path: "smtpd.conf", text: "pwcheck_method: saslauthd\nmech_list: plain login\n")) == nil)
    }

    @Test func byteOrderMarkAndCRLFDoNotHideTheSignature() throws {
        let dir = try TestSupport.folder(["setup.yml": "\u{FEFF}" + native.replacingOccurrences(of: "\n", with: "\r\n")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = lint(dir)
        #expect(result.files.map(\.format) == ["mailaudit-yaml"])
        #expect(result.skipped == 0)
        // Columns count from the first real character: the mark is not content.
        #expect(result.findings.contains { $0.span.line == 4 && $0.span.column == 37 })  // `none` of `tls: none`
    }

    @Test func aSignaturePastTheWindowIsNotSeenInAWalk() throws {
        let padding = "<!-- " + String(repeating: "padding ", count: DetectionWindow.size / 8) + " -->\n"
        let late = padding + "<clientConfig version=\"1.1\"><emailProvider id=\"x\"/></clientConfig>\n"
        let early = "<clientConfig version=\"1.1\"><emailProvider id=\"x\"/></clientConfig>\n" + padding
        let dir = try TestSupport.folder(["late.xml": late, "early.xml": early])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = lint(dir)
        #expect(result.files.map(\.path) == ["early.xml"])
        #expect(result.skipped == 1)
    }

    @Test func unconfirmedFilesAreCountedAsSkipped() throws {
        let dir = try TestSupport.folder([
            "smtpd.conf": "pwcheck_method: saslauthd\nmech_list: plain login\n",  // Cyrus SASL's, not OpenSMTPD's
            "notes.yml": "todo: renew certificates\n",
            "README": "nothing to see\n",
            ".msmtprc": "account a\nhost smtp.example.com\ntls on\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let found = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path).discover([dir.path])
        // The walk keeps what the names allow and passes over what no name or extension could be.
        #expect(found.inputs.map(\.displayPath).sorted() == [".msmtprc", "notes.yml", "smtpd.conf"])
        #expect(found.skipped == ["README"])
        let result = lint(dir)
        #expect(result.files.map(\.path) == [".msmtprc"])
        #expect(result.skipped == 3)
    }

    @Test func theBytesThatDecideAreTheBytesParsed() {
        // No such file on disk: deciding and parsing both use the text handed over, read once.
        let input = LintInput(path: "/nonexistent/setup.yml", displayPath: "setup.yml", format: nil,
                              pending: PendingDetection(claims: [], sniffed: [NativeYAMLFormat()]), text: native)
        let result = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet)).lint([input])
        #expect(result.files.map(\.format) == ["mailaudit-yaml"])
        #expect(result.problems.isEmpty)
        #expect(!result.findings.isEmpty)
    }

    /// Lints a folder as `mailaudit lint DIR` does: discovery, then the linter, skipped counts added.
    func lint(_ dir: URL) -> LintResult {
        let found = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path).discover([dir.path])
        var result = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet)).lint(found.inputs)
        result.skipped += found.skipped.count
        return result
    }
}
