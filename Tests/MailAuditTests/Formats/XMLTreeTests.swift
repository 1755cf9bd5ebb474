import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// The shared XML reader: positions of elements, texts and attributes in Unicode scalars, errors
/// with line and column, and what is kept after an error.
@Suite struct XMLTreeTests {
    func tree(_ text: String) -> XMLTree { XMLTree.parse(SourceFile(path: "t.xml", text: text)) }

    @Test func elementAndTextPositionsCountScalars() throws {
        let marked = MarkedText("<a>\n  «<b x=\"«1»\">»«héllo ✉️»</b><c>é<d>x</d></c>\n\t«<e/>»\n</a>")
        let t = tree(marked.text)
        #expect(t.error == nil)
        let a = try #require(t.root)
        let b = try #require(a.child("b"))
        #expect(b.span == marked.span(0, path: "t.xml"))
        #expect(b.textSpan == marked.span(2, path: "t.xml"))
        #expect(b.trimmedText == "héllo ✉️")
        #expect(b.attributeSpans["x"] == marked.span(1, path: "t.xml"))
        // After multibyte text, columns still count scalars: <c> starts at 24 (✉️ is two scalars).
        let c = try #require(a.child("c"))
        #expect(c.span.line == 2 && c.span.column == 24)
        #expect(c.child("d")?.textSpan?.column == 31)
        let e = try #require(a.child("e"))
        #expect(e.span == marked.span(3, path: "t.xml"))
        #expect(e.textSpan == nil && e.valueSpan == e.span)
        #expect(a.isComplete && b.isComplete)
    }

    @Test func byteOrderMarkCRLFAndMultiLineTags() throws {
        let marked = MarkedText("\u{FEFF}<root>\r\n  <server\r\n     type=\"«imap»\"\r\n     id='x'>\r\n    <port>«993»</port>\r\n  </server>\r\n</root>\r\n")
        let t = tree(marked.text)
        #expect(t.error == nil)
        let server = try #require(t.root?.child("server"))
        #expect(server.span.line == 2 && server.span.column == 3 && server.span.endLine == 4)
        #expect(server.attributeSpans["type"] == marked.span(0, path: "t.xml"))
        #expect(server.attributeSpans["id"]?.line == 4 && server.attributeSpans["id"]?.column == 10)
        let port = try #require(server.child("port"))
        #expect(port.textSpan == marked.span(1, path: "t.xml"))
    }

    @Test func textWithEntitiesAndCDATAAndNamespaces() throws {
        let t = tree("<x:a xmlns:x=\"urn:x\"><x:b>a &amp; b</x:b><c><![CDATA[<raw>]]></c></x:a>")
        #expect(t.error == nil)
        #expect(t.root?.name == "a")
        let b = try #require(t.root?.child("b"))
        #expect(b.trimmedText == "a & b")
        // The span covers the source text, entity and all.
        #expect(b.textSpan?.column == 27 && b.textSpan?.endColumn == 36)
        #expect(t.root?.child("c")?.trimmedText == "<raw>")
    }

    @Test func malformedXMLHasLineAndColumnAndKeepsWhatCameBefore() throws {
        let t = tree("<clientConfig>\n  <a>1</a>\n  <port><993/port>\n  <b>2</b>\n</clientConfig>\n")
        let error = try #require(t.error)
        #expect(error.span?.line == 3 && error.span?.column == 10)
        #expect(error.message.contains("line 3, column 10"))
        #expect(error.message.contains("<port><993/port>"))
        let root = try #require(t.root)
        #expect(!root.isComplete)
        #expect(root.child("a")?.isComplete == true)
        #expect(root.child("port")?.isComplete == false)
        #expect(root.child("b") == nil)
    }

    @Test func unclosedElementAndEmptyDocument() {
        let open = tree("<a>\n<b>text</b>\n")
        #expect(open.error != nil)
        #expect(open.root?.child("b")?.isComplete == true)
        let empty = tree("<!-- only a comment -->\n")
        #expect(empty.root == nil)
        #expect(empty.error?.message.contains("empty") == true)
    }

    @Test func foreignEncodingDeclarationDoesNotGarbleUTF8() throws {
        let t = tree("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a><b>Grüße</b></a>")
        #expect(t.error == nil)
        #expect(t.root?.child("b")?.trimmedText == "Grüße")
        #expect(t.root?.child("b")?.textSpan?.column == 7)
    }

    @Test func entitiesAreNeitherExpandedExponentiallyNorLoadedFromFiles() {
        var lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE z [\n <!ENTITY a \"aaaaaaaaaa\">\n"
        var previous = "a"
        for n in 1...9 {
            lol += " <!ENTITY e\(n) \"\(String(repeating: "&\(previous);", count: 10))\">\n"
            previous = "e\(n)"
        }
        lol += "]>\n<z>&e9;</z>\n"
        let bomb = tree(lol)
        #expect(bomb.error != nil)
        let xxe = tree("<?xml version=\"1.0\"?>\n<!DOCTYPE z [ <!ENTITY x SYSTEM \"file:///etc/hostname\"> ]>\n<z>[&x;]</z>\n")
        #expect((xxe.root?.trimmedText ?? "").count <= 2)
    }

    @Test func rootNameSniffSkipsPrologAndComments() {
        let file = SourceFile(path: "x", text: "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"x.dtd\">\n<plist version=\"1.0\">")
        #expect(XMLSniff.rootName(of: file) == "plist")
        #expect(XMLSniff.rootName(of: SourceFile(path: "x", text: "<m:clientConfig xmlns:m=\"urn:x\">")) == "clientConfig")
        #expect(XMLSniff.rootName(of: SourceFile(path: "x", text: "user_pref(\"a\", 1);")) == nil)
        #expect(XMLSniff.isPlaceholder("%EMAILADDRESS%") && XMLSniff.isPlaceholder("%SERVER/IMAP/PORT%"))
        #expect(!XMLSniff.isPlaceholder("mail.%EMAILDOMAIN%") && !XMLSniff.isPlaceholder("%"))
    }
}
