import Foundation
@testable import MailAuditReport
import Testing

/// JSONValue, the one JSON writer of every output: escaping as Foundation's JSONEncoder wrote it
/// (SARIF was written by it), and spooled arrays written as the arrays they hold.
@Suite struct JSONWriterTests {
    @Test func controlCharactersAreEscapedAsJSONEncoderEscapedThem() throws {
        let text = "a\u{8}b\u{C}c\u{1}\u{1F}/\"\\\n\t\r\u{7F}é"
        let written = JSONValue.array([.string(text)]).rendered()
        #expect(written == "[\n  \"a\\bb\\fc\\u0001\\u001f/\\\"\\\\\\n\\t\\r\u{7F}é\"\n]\n")
        #expect(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String] == [text])
    }

    @Test func aSpooledArrayIsWrittenAsTheArrayItHolds() {
        let values: [JSONValue] = (0..<5).map { .object(["n": .int($0), "s": .string("v\($0)")]) }
        let first = Spool(), empty = Spool(), second = Spool()
        let spooled = [JSONReportStream.elements(Array(values[0..<3]), indent: 4), JSONReportStream.elements(Array(values[3...]), indent: 4)]
        first.append(spooled[0], elements: 3, separator: ",\n")
        second.append(spooled[1], elements: 2, separator: ",\n")
        let whole = JSONValue.object(["a": .array(values), "b": .array([]), "c": .string("after")]).rendered()

        var framed = "", streamed = ""
        JSONValue.object(["a": .spooled([first, empty, second]), "b": .spooled([Spool()]), "c": .string("after")])
            .stream(framed: { framed += $0; return $0 }, write: { streamed += $0 })
        #expect(streamed == whole)
        // The document's own text goes through `framed` (a last masking); the spools' text was masked when spooled.
        #expect(!framed.contains("\"v0\"") && framed.contains("\"after\""))
        #expect(framed.count + spooled[0].count + spooled[1].count == streamed.count)
    }
}
