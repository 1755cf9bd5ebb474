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
        let r = redactor("LongerSecretValue", "hunter2")
        #expect(r.redact("a LongerSecretValue and hunter2") == "a **** and ****")
    }

    @Test func quotesBlanksAndPercentEncodingAreNotPartOfTheSecret() {
        let r = redactor(" \"pa%2Fss word\" ")
        #expect(r.redact("x pa%2Fss word y") == "x **** y")
        #expect(r.redact("x pa/ss word y") == "x **** y")
    }

    /// What the scanner takes for a secret may be a word (`auth_verbose_passwords = plain`): such a
    /// word is masked in its own line and file, never in every output.
    @Test func wordsAreNotMaskedEverywhere() {
        var r = SecretRedactor()
        for word in ["plain", "password", "PASSWORD", "from the", "true", "<password>", "${MAIL_PASSWORD}", "%PASSWORD%"] { r.add(word, path: "a.conf") }
        #expect(r.redact("<password>x</password> ${MAIL_PASSWORD} %PASSWORD%") == "<password>x</password> ${MAIL_PASSWORD} %PASSWORD%")
        #expect(r.redact("password-cleartext from the server, plain, PASSWORD") == "password-cleartext from the server, plain, PASSWORD")
        #expect(r.redactPieces("'password-cleartext'", path: "b.conf") == "'password-cleartext'")
        #expect(r.redactPieces("'PASSWORD' is not a value", path: "a.conf") == "'****' is not a value")
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
        // Only where a word starts: a setting's name that shares six letters with a secret stays.
        var names = SecretRedactor()
        names.add("mail_admin_password", path: "a.conf")
        #expect(names.redactPieces("unknown statement \"sql_passwd:\"", path: "a.conf") == "unknown statement \"sql_passwd:\"")
    }
}
