import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// A parse sees the machine only through its context: the environment, folder listings and files
/// a test gives it, and nothing of the process that runs it.
@Suite struct ParseContextTests {
    let muttrc = SourceFile(path: "muttrc", text: "set smtp_url = \"smtps://ann@$MAIL_RELAY\"\n")

    @Test func muttExpandsTheContextsEnvironment() {
        var context = ParseContext(ports: TestSupport.ruleSet.ports)
        context.environment = ["MAIL_RELAY": "relay.example.com"]
        let setup = MuttFormat().parse(muttrc, context: context)
        #expect(setup.endpoints.map(\.host) == ["relay.example.com"])
    }

    @Test func withoutTheVariableTheHostIsNotTheEnvironments() {
        let setup = MuttFormat().parse(muttrc, context: ParseContext(ports: TestSupport.ruleSet.ports))
        #expect(!setup.endpoints.contains { $0.host == "relay.example.com" })
    }

    @Test func dovecotGlobsTheContextsFolders() {
        let files = ["/srv/dovecot/conf.d/10-ssl.conf": "ssl_min_protocol = TLSv1\n",
                     "/srv/dovecot/conf.d/20-imap.conf": "protocol imap {\n}\n"]
        var context = ParseContext(ports: TestSupport.ruleSet.ports) { path throws(ParseProblem) in
            guard let text = files[path] else { throw ParseProblem("not there", path: path) }
            return SourceFile(path: path, text: text)
        }
        context.folders = FolderLookup(entries: { $0 == "/srv/dovecot/conf.d" ? ["20-imap.conf", "10-ssl.conf", "README"] : nil },
                                       exists: { files[$0] != nil }, isFile: { files[$0] != nil }, workingDirectory: "/srv/dovecot")
        context.folders.isMissing = { files[$0] == nil }
        let root = SourceFile(path: "/srv/dovecot/dovecot.conf", text: "protocols = imap\n!include conf.d/*.conf\n")
        let setup = DovecotFormat().parse(root, context: context)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        #expect(setup.includedFiles == ["/srv/dovecot/conf.d/10-ssl.conf", "/srv/dovecot/conf.d/20-imap.conf"])
    }

    @Test func problemsKeepTheOrderTheStagesMetThem() {
        // The lexer's problem (line 1), then the reader's (line 3): one channel, in file order.
        let setup = TestSupport.parse("stray line\n[retriever]\ntype = NoSuchRetriever\n", format: "getmail", path: "getmailrc")
        #expect(setup.problems.map { $0.span?.line ?? 0 } == [1, 3], "\(setup.problems)")
    }
}
