import MailAuditCore
import Testing

/// The masking step every output goes through.
@Suite struct SecretRedactorTests {
    func redactor(_ secrets: String...) -> SecretRedactor {
        var r = SecretRedactor()
        for s in secrets { r.add(s) }
        return r
    }

    @Test func wholeSecretsBecomeFourStarsWhateverTheirLength() {
        let r = redactor("LongerSecretValue", "abcd")
        #expect(r.redact("a LongerSecretValue and abcd") == "a **** and ****")
    }

    @Test func quotesBlanksAndPercentEncodingAreNotPartOfTheSecret() {
        let r = redactor(" \"pa%2Fss word\" ")
        #expect(r.redact("x pa%2Fss word y") == "x **** y")
        #expect(r.redact("x pa/ss word y") == "x **** y")
    }

    @Test func shortValuesAndTheOutputsVocabularyAreLeftAlone() {
        let r = redactor("yes", "true", "error")
        #expect(r.isEmpty)
        #expect(r.redact("severity: error, enabled: true") == "severity: error, enabled: true")
    }

    @Test func numbersOnlyWhereTheyStandAloneAndNeverInADocument() {
        let r = redactor("73195846")
        #expect(r.redact("pin 73195846.") == "pin ****.")
        #expect(r.redact("line 173195846") == "line 173195846")
        #expect(r.redact("{\"line\": 73195846}", inDocument: true) == "{\"line\": 73195846}")
    }

    @Test func piecesOfASecretInsideTheQuotesOfAMessageOfItsFile() {
        var r = SecretRedactor()
        r.add("S3cr3tVeryLongValue", path: "a.conf")
        #expect(r.redactPieces("'remotepass S3cr3tVery…' is neither", path: "a.conf") == "'remotepass ****…' is neither")
        #expect(r.redactPieces("'remotepass S3cr3tVery…' is neither", path: "b.conf") == "'remotepass S3cr3tVery…' is neither")
        #expect(r.redactPieces("'short S3cr…' stays", path: "a.conf") == "'short S3cr…' stays")
        #expect(r.redactPieces("outside S3cr3tV quotes, it's left", path: "a.conf") == "outside S3cr3tV quotes, it's left")
        #expect(r.redactPieces("it's \"é S3cr3tV é\"", path: "a.conf") == "it's \"é **** é\"")
    }
}
