import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct MuttTests {
    func parse(_ text: String, path: String = "muttrc") -> MailSetup { TestSupport.parse(text, format: "mutt", path: path) }
    func endpoint(_ setup: MailSetup, _ p: MailProtocol) -> Endpoint? { setup.endpoints.first { $0.protocol == p } }
    func span(_ line: Int, _ column: Int, _ end: Int, path: String = "muttrc") -> SourceSpan {
        SourceSpan(path: path, line: line, column: column, endLine: line, endColumn: end)
    }

    @Test func detection() {
        let f = MuttFormat()
        for name in [".muttrc", "muttrc", "neomuttrc", "work.muttrc", "sample.muttrc-starter", "muttrc.local"] {
            #expect(f.matches(fileName: name, path: "/x/\(name)"), "\(name)")
        }
        #expect(!f.matches(fileName: ".msmtprc", path: ".msmtprc"))
        #expect(f.matches(content: SourceFile(path: "gmail", text: "# account\nset from = a@example.com\nset smtp_url = smtp://x\nunset record\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "account a\nhost h\nset x\n")))
    }

    @Test func smtpURLDefaults() throws {
        let setup = parse("set smtp_url = \"smtp://ann@smtp.example.com/\"\n")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(endpoint(setup, .smtp))
        // smtp:// defaults to port 25 and STARTTLS, required by ssl_force_tls (default yes since mutt 2.0).
        #expect(e.port == 25 && e.portIsDefault && e.tls == .starttls && e.tlsRequired == true && e.direction == .outgoing)
        #expect(e.verifyCertificate == true && e.minTLSVersion == .tls12 && e.auth == ["password"] && e.credential == nil)
        #expect(e.span(of: .host) == span(1, 28, 44) && e.span(of: .tls) == span(1, 17, 21))
        #expect(e.span(of: .tlsRequired) == e.location && e.location == span(1, 1, 46))
    }

    @Test func starttlsSettings() throws {
        let opportunistic = parse("set smtp_url = smtp://smtp.example.com:587\nunset ssl_force_tls\n")
        let o = try #require(endpoint(opportunistic, .smtp))
        #expect(o.tls == .starttls && o.tlsRequired == false && o.port == 587 && o.span(of: .tlsRequired) == span(2, 7, 20))
        #expect(o.span(of: .port) == span(1, 40, 43))
        // No user name: mutt does not authenticate to the SMTP server.
        #expect(o.auth == [] && o.credential == CredentialKind.none)
        let none = parse("set smtp_url = smtp://smtp.example.com:587\nset ssl_force_tls=no ssl_starttls=no\n")
        let n = try #require(endpoint(none, .smtp))
        #expect(n.tls == TLSMode.none && n.span(of: .tls) == span(2, 35, 37))
        let toggled = parse("set folder=imap://imap.example.com/\ntoggle ssl_force_tls\nset invssl_force_tls\nset nossl_force_tls\n")
        #expect(endpoint(toggled, .imap)?.tlsRequired == false)
        #expect(endpoint(toggled, .imap)?.span(of: .tlsRequired).line == 4)
        let reset = parse("set folder=imap://imap.example.com/\nunset ssl_force_tls\nreset ssl_force_tls\n")
        #expect(endpoint(reset, .imap)?.tlsRequired == true)
    }

    @Test func mailboxURLs() throws {
        let setup = parse("""
        set folder = "imaps://ann@imap.example.com/"
        set spoolfile = +INBOX
        set record = "+Sent"
        mailboxes =Lists imaps://ann@imap.other.example:1993/INBOX pops://pop.example.com
        set pop_host = pop://pop.example.net
        set smtp_url = smtps://ann@smtp.example.com
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let hosts = setup.endpoints.map { "\($0.protocol!.rawValue) \($0.host!):\($0.port!) \($0.tls!.rawValue)" }
        #expect(hosts == ["imap imap.example.com:993 implicit", "pop3 pop.example.net:110 starttls",
                          "imap imap.other.example:1993 implicit", "pop3 pop.example.com:995 implicit",
                          "smtp smtp.example.com:465 implicit"], "\(hosts)")
        #expect(setup.endpoints.first?.location.line == 1)
    }

    @Test func credentials() throws {
        let setup = parse("""
        set folder = imaps://ann@imap.example.com/
        set imap_pass = "s3cr\\"et"
        set pop_host = pops://ann@pop.example.com
        set pop_pass = `pass show mail`
        set smtp_url = "smtps://ann:hunter2@smtp.example.com:465"
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let imap = try #require(endpoint(setup, .imap))
        #expect(imap.credential == .inline && imap.span(of: .credential) == span(2, 17, 27))
        #expect(endpoint(setup, .pop3)?.credential == .command)
        let smtp = try #require(endpoint(setup, .smtp))
        #expect(smtp.credential == .inline && smtp.span(of: .credential) == span(5, 29, 36) && smtp.auth == ["password"])
        #expect(setup.secrets.contains(span(2, 17, 27)) && setup.secrets.contains(span(5, 29, 36)))
        // A password taken from another variable filled by a command is a command too.
        let derived = parse("set pop_pass = `tpm show email`\nset smtp_pass = \"$pop_pass\"\nset smtp_url = smtps://a@smtp.example.com\n")
        #expect(endpoint(derived, .smtp)?.credential == .command)
        let oauth = parse("set smtp_url = smtps://a@smtp.example.com\nset smtp_authenticators = \"oauthbearer:xoauth2\"\nset smtp_oauth_refresh_command = \"oauth2.py --refresh\"\n")
        #expect(endpoint(oauth, .smtp)?.auth == ["oauthbearer", "xoauth2"] && endpoint(oauth, .smtp)?.credential == .command)
    }

    @Test func certificatesAndVersions() throws {
        let setup = parse("set folder = imaps://imap.example.com\nset ssl_verify_host = no\nset ssl_use_tlsv1 = yes ssl_use_tlsv1_1\n")
        let e = try #require(endpoint(setup, .imap))
        #expect(e.verifyCertificate == false && e.span(of: .verifyCertificate) == span(2, 23, 25))
        #expect(e.minTLSVersion == .tls10 && e.span(of: .minTLSVersion) == span(3, 21, 24))
    }

    @Test func contentEncryption() throws {
        #expect(parse("set crypt_autoencrypt\nset crypt_opportunistic_encrypt\n").identities.first?.contentEncryption == .always)
        #expect(parse("set crypt_auto_encrypt = yes\n").identities.first?.contentEncryption == .always)
        #expect(parse("set pgp_autoencrypt\n").identities.first?.contentEncryption == .always)
        let opp = parse("set from = ann@example.com\nset crypt_opportunistic_encrypt = yes\n")
        let o = try #require(opp.identities.first)
        #expect(o.contentEncryption == .opportunistic && o.name == "ann@example.com" && o.spans["contentEncryption"] == span(2, 35, 38))
        #expect(parse("set pgp_default_key = 0x1234\n").identities.first?.contentEncryption == .perMessage)
        #expect(parse("set smime_is_default\n").identities.first?.contentEncryption == .perMessage)
        #expect(parse("set pgp_default_key = 0x1234\nsend-hook . 'set crypt_autoencrypt'\n").identities.first?.contentEncryption == .perMessage)
        let selective = parse("set pgp_default_key = 0x1234\nsend-hook '~t bob@example.com' 'set crypt_autoencrypt'\n")
        #expect(selective.identities.first?.contentEncryption == .perMessage)
        #expect(selective.identities.first?.spans["contentEncryption"]?.line == 2)
        #expect(parse("set from = a@example.com\n").identities.isEmpty)
    }

    @Test func accountHookAppliesToMatchingAccounts() throws {
        let setup = parse("""
        set folder = imaps://ann@imap.example.com/
        mailboxes imaps://bob@imap.other.example/INBOX
        account-hook imap.other.example 'set imap_pass = "bobs-secret"; unset ssl_verify_host'
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let ann = try #require(setup.endpoints.first { $0.host == "imap.example.com" })
        let bob = try #require(setup.endpoints.first { $0.host == "imap.other.example" })
        #expect(ann.credential == nil && ann.verifyCertificate == true)
        #expect(bob.credential == .inline && bob.verifyCertificate == false)
        #expect(bob.span(of: .credential) == span(3, 50, 63))
    }

    @Test func folderHooksAddTheirEndpoints() throws {
        let setup = parse("set folder = imaps://imap.example.com/\nfolder-hook work 'set smtp_url = smtp://smtp.work.example:587'\n")
        #expect(setup.endpoints.count == 2)
        #expect(endpoint(setup, .smtp)?.span(of: .host).line == 2)
    }

    @Test func syntax() throws {
        let setup = parse("""
        set from = ann@example.com ; set smtp_url = 'smtp://$from@smtp.example.com' # comment
        set \\
          folder = "imaps://imap.example.com/" # the server
        set ssl_force_tls = yes; unset ssl_starttls
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        // Single quotes are literal: no expansion.
        let smtp = try #require(endpoint(setup, .smtp))
        #expect(smtp.host == "smtp.example.com" && smtp.account == "$from@smtp.example.com")
        let imap = try #require(endpoint(setup, .imap))
        #expect(imap.span(of: .host) == span(3, 21, 37))
        // ssl_force_tls set and ssl_starttls off: mutt can neither start TLS nor continue without it.
        #expect(smtp.tls == nil && smtp.tlsRequired == true)
        let expanded = parse("set from = ann@example.com\nset smtp_url = \"smtp://$from@smtp.example.com\"\n")
        #expect(endpoint(expanded, .smtp)?.account == "ann@example.com@smtp.example.com")
    }

    @Test func badInputIsReportedAndTheRestRead() throws {
        let setup = parse("""
        set from = "ann@example.com
        set ssl_force_tsl = no
        set ssl_verify_host = maybe
        set smtp_url = `cat ~/.smtp-url
        set folder = imaps://imap.example.com/
        """)
        let at = setup.problems.map { ($0.span?.line ?? 0, $0.span?.column ?? 0, $0.message) }
        #expect(at.contains { $0.0 == 1 && $0.1 == 12 && $0.2.contains("unterminated quote") }, "\(at)")
        #expect(at.contains { $0.0 == 2 && $0.1 == 5 && $0.2.contains("did you mean 'ssl_force_tls'") }, "\(at)")
        #expect(at.contains { $0.0 == 3 && $0.1 == 23 && $0.2.contains("invalid value") }, "\(at)")
        #expect(at.contains { $0.0 == 4 && $0.1 == 16 && $0.2.contains("back-tick") }, "\(at)")
        #expect(endpoint(setup, .imap)?.tlsRequired == true)
        #expect(endpoint(setup, .smtp) == nil)
    }

    @Test func sourceRelativeToTheIncludingFileWithLoopsAndMissingFiles() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sub = dir.appendingPathComponent("accounts")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try "source accounts/work.rc\nsource missing.rc\nsource binary.rc\n".write(to: dir.appendingPathComponent("muttrc"), atomically: true, encoding: .utf8)
        // work.rc sources its sibling (relative to itself, as NeoMutt does), which sources work.rc again: a loop.
        try "set smtp_url = smtp://smtp.example.com:587\nsource tls.rc\n".write(to: sub.appendingPathComponent("work.rc"), atomically: true, encoding: .utf8)
        try "unset ssl_force_tls\nsource work.rc\n".write(to: sub.appendingPathComponent("tls.rc"), atomically: true, encoding: .utf8)
        try Data([0x73, 0x65, 0x74, 0x20, 0x00, 0x0A]).write(to: dir.appendingPathComponent("binary.rc"))
        let main = dir.appendingPathComponent("muttrc").path
        let setup = parse(try String(contentsOfFile: main, encoding: .utf8), path: main)
        let e = try #require(endpoint(setup, .smtp))
        #expect(e.tlsRequired == false && e.span(of: .tlsRequired).path.hasSuffix("accounts/tls.rc"))
        #expect(setup.includedFiles.count == 2)
        let loop = try #require(setup.problems.first { $0.message.contains("source loop") })
        #expect(loop.span?.path.hasSuffix("tls.rc") == true && loop.span?.line == 2 && loop.span?.column == 8)
        // A missing sourced file is a note (MA003) at its line, not a parse error.
        #expect(!setup.problems.contains { $0.message.contains("missing.rc") })
        let missing = try #require(setup.unfollowedIncludes.first { $0.path == "missing.rc" })
        #expect(missing.reason == .missing && missing.span == span(2, 8, 18, path: main))
        let binary = try #require(setup.problems.first { $0.message.contains("NUL") })
        #expect(binary.span?.path.hasSuffix("binary.rc") == true && binary.span?.line == 1 && binary.span?.column == 5)
        #expect(setup.problems.contains { $0.span?.path == main && $0.span?.line == 3 })
    }

    @Test func oversizedSourcedFile() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = dir.appendingPathComponent("big.rc")
        try Data(repeating: UInt8(ascii: "#"), count: SourceFile.sizeLimit + 1).write(to: big)
        let main = dir.appendingPathComponent("muttrc").path
        let setup = parse("source big.rc\nset folder = imaps://imap.example.com/\n", path: main)
        #expect(setup.problems.contains { $0.message.contains("MB") && $0.span?.path.hasSuffix("big.rc") == true && $0.span?.line == 1 })
        #expect(setup.problems.contains { $0.span?.path == main && $0.span?.line == 1 && $0.span?.column == 8 })
        #expect(setup.endpoints.count == 1)
    }

    @Test func suppressionsAndSecretsInOutput() {
        let result = TestSupport.lint("set folder = imaps://a@imap.example.com/\n# mailaudit: disable=MA501 reason=\"test box\"\nset imap_pass = secret\n", format: "mutt")
        let f = result.findings.filter { $0.ruleId == "MA501" }
        #expect(f.count == 1 && f.first?.suppression != nil)
    }
}
