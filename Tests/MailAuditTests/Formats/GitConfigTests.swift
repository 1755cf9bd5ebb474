import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditRules
import MailAuditTestSupport
import Testing

@Suite struct GitConfigTests {
    func parse(_ text: String, path: String = ".gitconfig") -> MailSetup { TestSupport.parse(text, format: "gitconfig", path: path) }

    @Test func localProgramIsNoEndpoint() throws {
        // smtpServer as a path runs that program; git ignores smtpEncryption then.
        let setup = parse("[sendemail]\n\tsmtpencryption = tls\n\tsmtpserver = /usr/bin/msmtp\n")
        #expect(setup.endpoints.isEmpty && setup.problems.isEmpty)
        #expect(parse("[sendemail]\n\tconfirm = always\n").endpoints.isEmpty)
        #expect(parse("[sendemail]\n\tsmtpServer = smtp.example.com\n\tsendmailCmd = msmtp -a work\n").endpoints.isEmpty)
    }

    @Test func defaultsArePlainSMTPOnPort25() throws {
        let marked = MarkedText("[user]\n\tname = A\n«[sendemail]»\n\tsmtpServer = «smtp.example.com»\n")
        let setup = parse(marked.text)
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && e.direction == .outgoing && e.protocol == .smtp)
        #expect(e.tls == TLSMode.none && e.tlsRequired == false && e.port == 25 && e.portIsDefault && e.verifyCertificate == nil)
        #expect(e.auth == [] && e.credential == CredentialKind.none)
        #expect([e.location, e.span(of: .host)] == marked.spans(path: ".gitconfig"))
        #expect(e.span(of: .tls) == e.location)
    }

    @Test func encryptionPortsAndCertificates() throws {
        let ssl = try #require(parse("[sendemail]\n\tsmtpServer = h\n\tsmtpEncryption = ssl\n").endpoints.first)
        #expect(ssl.tls == .implicit && ssl.tlsRequired == true && ssl.port == 465 && ssl.verifyCertificate == true)
        let tls = try #require(parse("[sendemail]\n\tsmtpServer = h\n\tsmtpEncryption = tls\n\tsmtpServerPort = submission\n\tsmtpSslCertPath =\n").endpoints.first)
        #expect(tls.tls == .starttls && tls.tlsRequired == true && tls.port == 587 && !tls.portIsDefault && tls.verifyCertificate == false)
        #expect(tls.span(of: .verifyCertificate).line == 5)
        // git compares with lower-case `ssl`/`tls` only.
        let upper = try #require(parse("[sendemail]\n\tsmtpServer = h\n\tsmtpEncryption = SSL\n").endpoints.first)
        #expect(upper.tls == TLSMode.none && upper.port == 25 && upper.span(of: .tls).line == 3)
    }

    @Test func authenticationAndCredentials() throws {
        let marked = MarkedText("[sendemail]\n\tsmtpServer = h\n\tsmtpUser = ann\n\tsmtpPass = «\"se;cret\"»\n\tsmtpAuth = PLAIN LOGIN\n")
        let setup = parse(marked.text)
        let e = try #require(setup.endpoints.first)
        #expect(e.auth == ["plain", "login"] && e.credential == .inline && e.span(of: .auth).line == 5)
        #expect(setup.secrets == marked.spans(path: ".gitconfig"))
        let helper = parse("[credential]\n\thelper = store\n[sendemail]\n\tsmtpServer = h\n\tsmtpUser = ann\n")
        #expect(helper.endpoints.first?.credential == .file && helper.endpoints.first?.auth == ["password"])
        #expect(parse("[credential \"smtp://h\"]\n\thelper = libsecret\n[sendemail]\n\tsmtpServer = h\n\tsmtpUser = a\n").endpoints.first?.credential == .keyring)
        #expect(parse("[sendemail]\n\tsmtpServer = h\n\tsmtpUser = a\n\tsmtpAuth = none\n").endpoints.first?.auth == [])
    }

    @Test func identitiesOverrideThePlainSection() throws {
        let setup = parse("""
        [sendemail]
        \tsmtpServer = smtp.example.com
        \tsmtpEncryption = ssl
        [sendemail "work"]
        \tsmtpServer = smtp.work.example
        \tsmtpServerPort = 2525
        \tsmtpEncryption = tls
        [sendemail "lists"]
        \tto = list@example.org
        """)
        #expect(setup.endpoints.count == 2)
        #expect(setup.endpoints[0].account == nil && setup.endpoints[0].tls == .implicit)
        let work = setup.endpoints[1]
        #expect(work.account == "work" && work.host == "smtp.work.example" && work.port == 2525 && work.tls == .starttls)
        #expect(work.location.line == 4)
        // sendemail.identity picks the identity, so the plain section alone is not used.
        let chosen = parse("[sendemail]\n\tidentity = work\n\tsmtpServer = a\n[sendemail \"work\"]\n\tsmtpServer = b\n")
        #expect(chosen.endpoints.map(\.host) == ["b"])
        let unknown = parse("[sendemail]\n\tidentity = nope\n\tsmtpServer = a\n")
        #expect(unknown.problems.first?.span?.line == 2 && unknown.endpoints.count == 1)
    }

    @Test func includesAreFollowedLoopsReportedMissingIgnored() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[sendemail]\n\tsmtpServer = smtp.example.com\n\tsmtpEncryption = tls\n[include]\n\tpath = main.gitconfig\n"
            .write(to: dir.appendingPathComponent("mail.inc"), atomically: true, encoding: .utf8)
        let main = "[include]\n\tpath = mail.inc\n\tpath = does-not-exist\n[sendemail]\n\tsmtpServerPort = 587\n"
        try main.write(to: dir.appendingPathComponent("main.gitconfig"), atomically: true, encoding: .utf8)
        let setup = parse(main, path: dir.appendingPathComponent("main.gitconfig").path)
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && e.tls == .starttls && e.port == 587)
        #expect(e.span(of: .host).path.hasSuffix("mail.inc") && e.span(of: .port).path.hasSuffix("main.gitconfig"))
        #expect(setup.includedFiles.count == 1 && setup.includedFiles[0].hasSuffix("mail.inc"))
        #expect(setup.problems.count == 1 && setup.problems[0].message.contains("include loop"))
        #expect(setup.problems[0].path.hasSuffix("mail.inc") && setup.problems[0].span?.line == 5)
    }

    @Test func brokenLinesAreReportedAndTheRestIsRead() throws {
        let setup = parse("[sendemail]\n\tsmtpServer = \"smtp.example.com\n\tsmtpServer = smtp.other.example\n\tsmtpEncryption = ssl\n")
        #expect(setup.problems.count == 1 && setup.problems[0].span?.line == 2 && setup.problems[0].span?.column == 15)
        #expect(setup.endpoints.first?.host == "smtp.other.example" && setup.endpoints.first?.tls == .implicit)
    }

    @Test func detection() throws {
        let f = GitConfigFormat()
        #expect(f.matches(fileName: ".gitconfig", path: "/home/a/.gitconfig"))
        #expect(f.matches(fileName: "config", path: "repo/.git/config"))
        #expect(f.matches(fileName: "config", path: "/home/a/.config/git/config"))
        #expect(!f.matches(fileName: "config", path: "/etc/ssh/config"))
        #expect(f.matches(content: SourceFile(path: "x", text: "[core]\n\teditor = vi\n  [sendemail]\n\tsmtpserver = h\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "[core]\n\teditor = vi\n")))
    }

    @Test func badInput() throws { try BadInputCheck.run(fileName: ".gitconfig") }
}
