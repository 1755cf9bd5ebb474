import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditReport
import MailAuditRules
import MailAuditTestSupport
import Testing

/// One way a password used to reach the output: a file in a format, and the secret it holds.
struct SecretLeak: CustomTestStringConvertible, Sendable {
    var name: String
    var format: String
    var path: String
    var text: String
    var secret: String

    var testDescription: String { name }

    static let all: [SecretLeak] = [
        SecretLeak(name: "OfflineIMAP remotepass on a malformed line", format: "offlineimap", path: ".offlineimaprc",
                   text: "[general]\naccounts = a\n[Account a]\nlocalrepository = l\nremoterepository = r\n[Repository r]\ntype = IMAP\nremotehost = mail.example.com\nremotepass WKbuDE7mGZqDjPCFdcERFndD7pHQtt\n",
                   secret: "WKbuDE7mGZqDjPCFdcERFndD7pHQtt"),
        SecretLeak(name: "getmail password on a malformed line", format: "getmail", path: "getmailrc",
                   text: "[retriever]\ntype = SimplePOP3Retriever\nserver = pop.example.com\nusername = ann\npassword qDpqbDQCn9JUcKmHpVn7wMGqptNZGn\n",
                   secret: "qDpqbDQCn9JUcKmHpVn7wMGqptNZGn"),
        SecretLeak(name: "Dovecot ssl_key_password without =", format: "dovecot", path: "dovecot.conf",
                   text: "protocols = imap\nssl = yes\nssl_key_password yEpDsPhwmd4Wfq\ndisable_plaintext_auth = no\n",
                   secret: "yEpDsPhwmd4Wfq"),
        SecretLeak(name: "Dovecot one-line passdb static", format: "dovecot", path: "dovecot.conf",
                   text: "protocols = imap pop3\nssl = no\npassdb static { password = fZVR5Mx4RFpVkh }\n",
                   secret: "fZVR5Mx4RFpVkh"),
        SecretLeak(name: "aerc URL password with a quote", format: "aerc", path: "accounts.conf",
                   text: "[Personal]\nsource = \"imaps://ann:Zq7\"Hd3Wp8Tk4N@imap.example.com\"\noutgoing = smtps://ann@smtp.example.com\nfrom = A <a@example.com>\n",
                   secret: "Zq7\"Hd3Wp8Tk4N"),
        SecretLeak(name: "aerc URL in an unterminated quote", format: "aerc", path: "accounts.conf",
                   text: "[Personal]\nsource = \"imaps://ann:Rv6Yt2Lq9Wm4Xs@imap.example.com\noutgoing = smtps://ann@smtp.example.com\nfrom = A <a@example.com>\n",
                   secret: "Rv6Yt2Lq9Wm4Xs"),
        SecretLeak(name: "gitconfig smtpServer URL with user-info", format: "gitconfig", path: ".gitconfig",
                   text: "[sendemail]\n\tsmtpServer = smtp://ann:3XKhcCvE3np57W@smtp.example.com\n\tsmtpServerPort = 25\n",
                   secret: "3XKhcCvE3np57W"),
        SecretLeak(name: "gitconfig unterminated quote", format: "gitconfig", path: ".gitconfig",
                   text: "[sendemail]\n\tsmtpServer = smtp.example.com\n\tsmtpPass = \"XxYrhq6fE8FTgx unterminated\n",
                   secret: "XxYrhq6fE8FTgx"),
        SecretLeak(name: "Postfix static: password map", format: "postfix", path: "main.cf",
                   text: "smtp_sasl_password_maps = static:ann:vEDzxVupw7eUya\nsmtp_sasl_auth_enable = yes\nrelayhost = smtp.example.com:25\n",
                   secret: "vEDzxVupw7eUya"),
        SecretLeak(name: "dotenv unterminated quote", format: "dotenv", path: ".env",
                   text: "MAIL_HOST=smtp.example.com\nMAIL_PORT=25\nMAIL_USERNAME=ann\nMAIL_PASSWORD=\"vYBfYLsHhDP4UJ unterminated\nMAIL_ENCRYPTION=null\n",
                   secret: "vYBfYLsHhDP4UJ"),
        SecretLeak(name: "Django unterminated quote", format: "django", path: "settings.py",
                   text: "EMAIL_HOST = \"smtp.example.com\"\nEMAIL_PORT = 25\nEMAIL_HOST_USER = \"ann\"\nEMAIL_HOST_PASSWORD = \"2RbbhFLebnTJ7d\nEMAIL_USE_TLS = False\n",
                   secret: "2RbbhFLebnTJ7d"),
        SecretLeak(name: "mutt URL password holding a slash", format: "mutt", path: ".muttrc",
                   text: "set smtp_url = \"smtp://ann:Wm4/nTycYwaQKF@smtp.example.com:25/\"\nset ssl_starttls = no\n",
                   secret: "Wm4/nTycYwaQKF"),
        SecretLeak(name: "EMAIL_URL password holding a slash", format: "dotenv", path: ".env",
                   text: "EMAIL_URL=smtp://ann:Hv9/MKQvQAh8qM@smtp.example.com:25\n",
                   secret: "Hv9/MKQvQAh8qM"),
        SecretLeak(name: "DSN ?password= query", format: "dotenv", path: ".env",
                   text: "MAILER_DSN=smtp://smtp.example.com:25?username=ann&password=SUAKcmZspWJx9j\n",
                   secret: "SUAKcmZspWJx9j"),
        SecretLeak(name: "mutt misspelled imap_passs", format: "mutt", path: ".muttrc",
                   text: "set imap_passs = \"suw2Df4w6nbbbb\"\nset folder = \"imap://ann@imap.example.com/\"\n",
                   secret: "suw2Df4w6nbbbb"),
        SecretLeak(name: "mbsync misspelled Passs", format: "mbsync", path: ".mbsyncrc",
                   text: "IMAPAccount a\nHost imap.example.com\nPasss Kp4Wz8Nq2Rt6Vy\n",
                   secret: "Kp4Wz8Nq2Rt6Vy"),
        SecretLeak(name: "mutt misspelled smtp_passwrd", format: "mutt", path: ".muttrc",
                   text: "set smtp_passwrd = \"Jm3Xc7Bv5Nh9Qd\"\nset smtp_url = \"smtp://ann@smtp.example.com:25/\"\n",
                   secret: "Jm3Xc7Bv5Nh9Qd"),
        SecretLeak(name: "getmail misspelled passwrd", format: "getmail", path: "getmailrc",
                   text: "[retriever]\ntype = SimplePOP3Retriever\nserver = pop.example.com\nusername = ann\npasswrd = GgtbDNEPeLHXrD\n",
                   secret: "GgtbDNEPeLHXrD"),
        SecretLeak(name: "Thunderbird password pref on a line of several", format: "thunderbird", path: "prefs.js",
                   text: "user_pref(\"mail.server.server1.hostname\", \"imap.example.com\"); user_pref(\"mail.server.server1.type\", \"imap\"); user_pref(\"mail.server.server1.port\", 143); user_pref(\"mail.server.server1.password\", \"GApKmGZsBEPsaK\");\n",
                   secret: "GApKmGZsBEPsaK"),
        SecretLeak(name: "Autodiscover <Password> on a one-line document", format: "autodiscover", path: "autodiscover.xml",
                   text: "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>IMAP</Type><Server>imap.example.com</Server><Port>143</Port><SSL>off</SSL><LoginName>ann</LoginName><Password>tSYrZgHH9hfggV</Password></Protocol></Account></Response></Autodiscover>\n",
                   secret: "tSYrZgHH9hfggV"),
        SecretLeak(name: "mobileconfig password as <integer>", format: "mobileconfig", path: "leak.mobileconfig",
                   text: """
                   <?xml version="1.0" encoding="UTF-8"?>
                   <plist version="1.0">
                   <dict>
                   \t<key>PayloadContent</key>
                   \t<array>
                   \t\t<dict>
                   \t\t\t<key>EmailAccountType</key>
                   \t\t\t<string>EmailTypeIMAP</string>
                   \t\t\t<key>IncomingMailServerHostName</key>
                   \t\t\t<string>mail.example.com</string>
                   \t\t\t<key>IncomingMailServerPortNumber</key>
                   \t\t\t<integer>143</integer>
                   \t\t\t<key>IncomingPassword</key>
                   \t\t\t<integer>73195846</integer>
                   \t\t\t<key>PayloadType</key>
                   \t\t\t<string>com.apple.mail.managed</string>
                   \t\t</dict>
                   \t</array>
                   </dict>
                   </plist>

                   """, secret: "73195846"),
    ]
}

@Suite struct SecretLeakTests {
    /// Every piece of `secret` at least `SecretRedactor.pieceLength` long.
    static func pieces(_ secret: String) -> [String] {
        let s = Array(secret)
        let n = SecretRedactor.pieceLength
        guard s.count >= n else { return [secret] }
        return (0...(s.count - n)).map { String(s[$0..<($0 + n)]) }
    }

    static func outputs(_ leak: SecretLeak) -> [(String, String)] {
        guard let format = FormatRegistry.builtIn.format(id: FormatID(leak.format)) else { return [] }
        var linter = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet))
        linter.keepSetups = true
        let result = linter.lint([LintInput(path: leak.path, displayPath: leak.path, format: format, text: leak.text)])
        let report = Report(result: result, rules: TestSupport.ruleSet)
        var out = OutputFormat.allCases.map { ($0.rawValue, $0.reporter.render(report)) }
        // Each format as `lint` writes it: streamed part by part, each masked with its file's secrets.
        let input = LintInput(path: leak.path, displayPath: leak.path, format: format, text: leak.text)
        for format in OutputFormat.allCases {
            var text = ""
            var fanOut = ReportFanOut(rules: TestSupport.ruleSet, outputs: [.init(stream: format.stream(), options: ReportOptions(), write: { text += $0 })])
            Auditor(linter: linter).run(FileDiscovery.Discovery(inputs: [input]), into: &fanOut)
            out.append(("streamed \(format.rawValue)", text))
        }
        out.append(("model", ModelReporter().render(report)))
        out.append(("baseline", result.redactor.redact(Baseline(findings: result.findings).rendered(), inDocument: true)))
        return out
    }

    @Test(arguments: SecretLeak.all) func noPieceOfTheSecretInAnyOutput(_ leak: SecretLeak) {
        let outputs = Self.outputs(leak)
        #expect(outputs.count == 2 * OutputFormat.allCases.count + 2)
        for (name, text) in outputs {
            for piece in Self.pieces(leak.secret) where text.contains(piece) {
                let lines = text.split(separator: "\n").filter { $0.contains(piece) }.map { $0.prefix(200) }
                Issue.record("\(name) prints '\(piece)' of the secret:\n\(lines.joined(separator: "\n"))")
            }
        }
    }

    /// Each case makes the text output show something about the file, so the test above means something.
    @Test(arguments: SecretLeak.all) func theFileIsReported(_ leak: SecretLeak) {
        let text = Self.outputs(leak).first { $0.0 == "text" }?.1 ?? ""
        #expect(text.contains(leak.path + ":"), "nothing about \(leak.path) was printed")
    }

    @Test func gitconfigURLKeepsTheHostWithoutUserInfo() throws {
        let setup = TestSupport.parse("[sendemail]\n\tsmtpServer = smtp://ann:3XKhcCvE3np57W@smtp.example.com\n", format: "gitconfig", path: ".gitconfig")
        #expect(setup.endpoints.first?.host == "smtp://smtp.example.com")
    }

    @Test func aMaskedSecretIsAlwaysFourStars() {
        let leak = SecretLeak.all.first { $0.name == "Dovecot one-line passdb static" }!
        let text = Self.outputs(leak).first { $0.0 == "text" }?.1 ?? ""
        #expect(text.contains("    3 | passdb static { password = ****\n"))
    }
}
