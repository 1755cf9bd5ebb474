import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

@Suite struct AercTests {
    func parse(_ text: String) -> MailSetup { TestSupport.parse(text, format: "aerc", path: "accounts.conf") }

    @Test func imapSchemes() throws {
        let marked = MarkedText("""
        «[A]»
        source = «imaps://stefan@example.org@mail.example.org»
        from = a <a@example.org>
        [B]
        source = imap://b@mail.example.org:1143
        from = b <b@example.org>
        [C]
        source = imap+insecure://c@mail.example.org
        from = c <c@example.org>
        [D]
        source = imaps+insecure://d@mail.example.org
        from = d <d@example.org>
        """)
        let setup = parse(marked.text)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = setup.endpoints
        #expect(e.count == 4)
        // Go's url.Parse splits the user at the last '@'.
        #expect(e[0].host == "mail.example.org" && e[0].tls == .implicit && e[0].port == 993 && e[0].portIsDefault && e[0].verifyCertificate == true)
        #expect([e[0].location, e[0].span(of: .tls)] == marked.spans(path: "accounts.conf"))
        #expect(e[1].tls == .starttls && e[1].tlsRequired == true && e[1].port == 1143 && !e[1].portIsDefault)
        #expect(e[2].tls == TLSMode.none && e[2].port == 143 && e[2].auth == ["login"])
        #expect(e[3].tls == .implicit && e[3].verifyCertificate == false)
    }

    @Test func smtpStarttlsOnlyWithTheWordYes() throws {
        // Pinned to aerc 0.14 (`assume: { aerc: "0.14" }`); aerc 0.15 and later: ProgramVersionTests.
        func outgoing(_ extra: String, url: String = "smtp://a@smtp.example.org") throws -> Endpoint {
            var context = ParseContext(ports: TestSupport.ruleSet.ports)
            context.versions = ProgramVersions(assumed: ["aerc": "0.14"])
            let setup = AercFormat().parse(SourceFile(path: "accounts.conf", text: "[A]\nsource = maildir://~/mail\nfrom = a <a@example.org>\noutgoing = \(url)\n" + extra), context: context)
            #expect(setup.problems.isEmpty, "\(setup.problems)")
            return try #require(setup.endpoints.first)
        }
        let yes = try outgoing("smtp-starttls = yes\n")
        #expect(yes.tls == .starttls && yes.tlsRequired == true && yes.verifyCertificate == true && yes.port == 587 && yes.span(of: .tls).line == 5)
        // aerc 0.14 compares with "yes": `true` leaves STARTTLS off (the finding points at it).
        let truthy = try outgoing("smtp-starttls = true\n")
        #expect(truthy.tls == TLSMode.none && truthy.span(of: .tls) == SourceSpan(path: "accounts.conf", line: 5, column: 17, endLine: 5, endColumn: 21))
        let absent = try outgoing("")
        #expect(absent.tls == TLSMode.none && absent.span(of: .tls).line == 4 && absent.auth == ["plain"])
        let smtps = try outgoing("outgoing-cred-cmd = pass mail\n", url: "smtps+login://a@smtp.example.org")
        #expect(smtps.tls == .implicit && smtps.port == 465 && smtps.auth == ["login"] && smtps.credential == .command)
        let none = try outgoing("", url: "smtp+none://relay.example.org:25")
        #expect(none.auth == [] && none.credential == CredentialKind.none && none.port == 25)
    }

    @Test func passwordsInURLsAreInlineAndMasked() throws {
        let marked = MarkedText("[A]\nsource = imaps://a%40example.org:«pa55»@imap.example.org\nsource-cred-cmd = pass x\nfrom = a <a@example.org>\n")
        let setup = parse(marked.text)
        let e = try #require(setup.endpoints.first)
        #expect(e.credential == .inline)
        #expect(setup.secrets == marked.spans(path: "accounts.conf"))
        #expect(e.span(of: .credential) == setup.secrets[0])
    }

    @Test func localTransportsAreNoEndpoints() throws {
        let setup = parse("[A]\nsource = maildir://~/mail\noutgoing = /usr/bin/msmtp -a a\nfrom = a <a@b>\n[B]\nsource = notmuch://~/mail\noutgoing = msmtp\nfrom = b <b@c>\n")
        #expect(setup.endpoints.isEmpty && setup.problems.isEmpty)
    }

    @Test func unicodeDashKeysAreIgnoredLikeAercDoes() throws {
        // aerc reads the file and ignores keys it does not know; a key written with U+2010 is one of
        // them. No parse error, and the setting stays unknown: the credential is not a command.
        let setup = parse("[A]\nsource = imaps://a@h\nsource\u{2010}cred\u{2010}cmd = pass x\noutgoing\u{2010}cred\u{2010}cmd = pass y\nfrom = a <a@b>\n")
        #expect(setup.problems.isEmpty)
        #expect(setup.endpoints.first?.credential == nil)
    }

    @Test func errorsArePreciseAndTheRestIsRead() throws {
        let setup = parse("""
        [A]
        source = imaps://a@h:99999
        from = a <a@b>
        [B
        broken line without equals
        [C]
        source = pop3://c@h
        from = c <c@d>
        [D]
        outgoing = smtps://d@h
        [E]
        source = imaps://e@h
        from = e <e@f>
        pgp-opportunistic-encrypt = sometimes
        """)
        let at = setup.problems.map { "\($0.span!.line):\($0.span!.column)" }
        #expect(at == ["4:1", "5:1", "2:10", "7:10", "9:1", "14:29"], "\(setup.problems.map(\.message))")
        #expect(setup.endpoints.map(\.account) == ["E"])
    }

    @Test func opportunisticEncryptionIdentity() throws {
        let setup = parse("[A]\nsource = maildir://m\nfrom = a <a@b>\npgp-opportunistic-encrypt = true\n")
        let identity = try #require(setup.identities.first)
        #expect(identity.name == "A" && identity.contentEncryption == .opportunistic && identity.spans["contentEncryption"]?.line == 4)
        #expect(parse("[A]\nsource = maildir://m\nfrom = a <a@b>\npgp-opportunistic-encrypt = false\n").identities.isEmpty)
    }

    @Test func detection() throws {
        let f = AercFormat()
        #expect(f.matches(fileName: "accounts.conf", path: "/home/a/.config/aerc/accounts.conf"))
        #expect(!f.matches(fileName: "aerc.conf", path: "/home/a/.config/aerc/aerc.conf"))
        #expect(f.matches(content: SourceFile(path: "x", text: "[Work]\nsource = imaps://a@h\n")))
        #expect(!f.matches(content: SourceFile(path: "x", text: "[retriever]\ntype = SimplePOP3Retriever\n")))
    }

    @Test func badInput() throws { try BadInputCheck.run(fileName: "accounts.conf") }
}
