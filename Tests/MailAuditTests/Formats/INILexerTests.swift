import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// The shared INI lexer in its three dialects (Python configparser, go-ini, git config).
@Suite struct INILexerTests {
    func lex(_ text: String, _ dialect: INIDialect) -> INIDocument {
        INILexer.lex(SourceFile(path: "t.ini", text: text), dialect: dialect)
    }

    @Test func pythonContinuationCommentsAndDelimiters() throws {
        let marked = MarkedText("""
        # comment
        «[Repository R]»
        RemoteHost: «mail.example.com»
        folderfilter = lambda f: f in ['INBOX',
        ; a comment line inside the value is skipped

            'Sent']
        ssl = no
        """)
        let doc = lex(marked.text, .pythonConfigParser)
        #expect(doc.diagnostics.problems.isEmpty, "\(doc.diagnostics.problems)")
        let s = try #require(doc.sections.first)
        #expect(s.name == "Repository R" && s.headerSpan == marked.span(0, path: "t.ini"))
        let host = try #require(s.last("remotehost"))
        #expect(host.rawKey == "RemoteHost" && host.value == "mail.example.com")
        #expect(host.valueSpan == marked.span(1, path: "t.ini"))
        let filter = try #require(s.last("folderfilter"))
        #expect(filter.value == "lambda f: f in ['INBOX',\n\n'Sent']")
        #expect(filter.valueSpan.line == 4 && filter.valueSpan.endLine == 7 && filter.valueSpan.endColumn == 12)
        #expect(s.last("ssl")?.value == "no")
    }

    @Test func pythonErrorsKeepReading() throws {
        let doc = lex("""
        orphan = 1
        [a]
        this line has no delimiter
        x = 1
        [a]
        x = 2
        y = 1
        y = 2
        """, .pythonConfigParser)
        let messages = doc.diagnostics.problems.map { "\($0.span!.line):\($0.span!.column) \($0.message)" }
        #expect(messages.count == 4, "\(messages)")
        #expect(messages[0].hasPrefix("1:1 ") && messages[0].contains("before any [section]"))
        #expect(messages[1].hasPrefix("3:1 ") && messages[1].contains("neither a [section]"))
        #expect(messages[2].hasPrefix("5:1 ") && messages[2].contains("DuplicateSectionError"))
        #expect(messages[3].hasPrefix("8:1 ") && messages[3].contains("DuplicateOptionError"))
        #expect(doc.sections.count == 2 && doc.sections[1].last("y")?.value == "2")
    }

    @Test func goINIValues() throws {
        let marked = MarkedText("""
        top = level
        [Account One]
        source   = «imaps://user@host» ; trailing comment
        quoted = "a ; b"
        single = 'x'
        raw = `keeps # this`
        multi = \"\"\"first
        second\"\"\"
        joined = one \\
          two
        Case = Kept
        [broken
        after = still read
        """)
        let doc = lex(marked.text, .goINI)
        #expect(doc.diagnostics.problems.count == 1 && doc.diagnostics.problems[0].span?.line == 12 && doc.diagnostics.problems[0].message.contains("unclosed section"))
        #expect(doc.sections[0].name == "DEFAULT" && doc.sections[0].last("top")?.value == "level")
        let s = doc.sections[1]
        #expect(s.name == "Account One")
        #expect(s.last("source")?.value == "imaps://user@host")
        #expect(s.last("source")?.valueSpan == marked.span(0, path: "t.ini"))
        // go-ini cuts at the first ';' or '#' even inside quotes that do not wrap the whole value.
        #expect(s.last("quoted")?.value == "\"a")
        #expect(s.last("single")?.value == "x")
        #expect(s.last("raw")?.value == "keeps # this")
        #expect(s.last("multi")?.value == "first\nsecond" && s.last("multi")?.valueSpan.endLine == 8)
        #expect(s.last("joined")?.value == "one two" && s.last("joined")?.valueSpan.endLine == 10)
        #expect(s.last("Case")?.value == "Kept" && s.last("case") == nil)
        #expect(doc.sections.last?.last("after")?.value == "still read")
    }

    @Test func gitSectionsQuotingAndEscapes() throws {
        let marked = MarkedText("""
        [SendEmail "Work \\"Team\\""] smtpServer = «smtp.example.com» ; comment
        \tsmtpPass = «"p#ss;word"» # real comment
        \tsmtpUser = a  b\\tc
        \tlong = one\\
        two
        \tannotate
        [core.Editor]
        \tx = "q\\\\"
        """)
        let doc = lex(marked.text, .git)
        #expect(doc.diagnostics.problems.isEmpty, "\(doc.diagnostics.problems)")
        let s = doc.sections[0]
        #expect(s.name == "sendemail" && s.subsection == "Work \"Team\"")
        let server = try #require(s.last("smtpserver"))
        #expect(server.rawKey == "smtpServer" && server.value == "smtp.example.com")
        #expect(server.valueSpan == marked.span(0, path: "t.ini"))
        let pass = try #require(s.last("smtppass"))
        #expect(pass.value == "p#ss;word" && pass.valueSpan == marked.span(1, path: "t.ini"))
        #expect(s.last("smtpuser")?.value == "a  b\tc")
        #expect(s.last("long")?.value == "onetwo" && s.last("long")?.valueSpan.endLine == 5)
        #expect(s.has("annotate") && s.last("annotate")?.value == nil)
        #expect(doc.sections[1].name == "core" && doc.sections[1].subsection == "editor" && doc.sections[1].last("x")?.value == "q\\")
    }

    @Test func gitBrokenLinesAreReportedAndTheRestIsRead() throws {
        let doc = lex("""
        [sendemail]
        \tsmtpServer = "unterminated
        \tsmtpUser = ann
        \tbad = a\\qb
        \t= nothing
        \tsmtpEncryption = tls
        [sendemail "x
        [after]
        \tok = yes
        """, .git)
        let found = doc.diagnostics.problems.map { ($0.span!.line, $0.span!.column) }
        #expect(found.count == 4, "\(doc.diagnostics.problems.map(\.message))")
        #expect(found[0] == (2, 15) && doc.diagnostics.problems[0].message.contains("quote"))
        #expect(found[1] == (4, 9) && doc.diagnostics.problems[1].message.contains("escape"))
        #expect(found[2].0 == 5)
        #expect(found[3].0 == 7)
        let s = doc.sections[0]
        #expect(s.last("smtpserver") == nil && s.last("smtpuser")?.value == "ann" && s.last("smtpencryption")?.value == "tls")
        #expect(doc.sections.last?.name == "after" && doc.sections.last?.last("ok")?.value == "yes")
    }
}
