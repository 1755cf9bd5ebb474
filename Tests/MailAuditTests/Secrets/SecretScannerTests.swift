import MailAuditCore
@testable import MailAuditFormats
import Testing

/// What counts as a secret, in any format's text.
@Suite struct SecretScannerTests {
    @Test(arguments: ["password", "passwd", "remotepass", "imap_pass", "smtpPass", "EMAIL_HOST_PASSWORD", "ssl_key_password",
                      "mail.smtpserver.smtp1.password", "IncomingPassword", "client_secret", "passwrd", "imap_passs", "pasword",
                      "PassCmd", "sql_passwd", "auth_token", "--password"])
    func secretNames(_ key: String) {
        #expect(SecretName.isSecret(key))
    }

    @Test(arguments: ["passdb", "host", "smtp_sasl_auth_enable", "socket", "bypass", "userdb", "tokeninfo_url", "port", "username",
                      "OutgoingMailServerAuthentication", "select", "second",
                      "default_pass_scheme", "pass_attrs", "password_query", "auth_verbose_passwords_enabled"])
    func notSecretNames(_ key: String) {
        #expect(!SecretName.isSecret(key))
    }

    /// The masked text of each line, for readable expectations.
    func masked(_ text: String) -> [String] {
        let file = SourceFile(path: "f", text: text)
        let spans = SecretScanner.spans(in: file)
        return file.lines.indices.map { index in
            var scalars = Array(file.lines[index].unicodeScalars)
            for span in spans.filter({ $0.line == index + 1 }).sorted(by: { $0.column > $1.column }) {
                scalars.replaceSubrange((span.column - 1)..<(span.endColumn - 1), with: "****".unicodeScalars)
            }
            var out = ""
            out.unicodeScalars.append(contentsOf: scalars)
            return out
        }
    }

    @Test func keyValueSyntaxes() {
        #expect(masked("remotepass S3cr3t with spaces") == ["remotepass ****"])
        #expect(masked("passwrd = abc") == ["passwrd = ****"])
        #expect(masked("set imap_passs = \"abc\" # c") == ["set imap_passs = \"****\" # c"])
        #expect(masked("smtpPass = \"abc def") == ["smtpPass = ****"])
        #expect(masked("passdb static { password = abc }") == ["passdb static { password = ****"])
        #expect(masked("user_pref(\"mail.server.server1.password\", \"abc\");") == ["user_pref(\"mail.server.server1.password\", \"****\");"])
        #expect(masked("$config['smtp_pass'] = 'abc';") == ["$config['smtp_pass'] = '****';"])
        #expect(masked("<Password>abc</Password>") == ["<Password>****</Password>"])
        #expect(masked("smtp_sasl_password_maps = static:ann:abc") == ["smtp_sasl_password_maps = ****"])
        #expect(masked("host = smtp.example.com") == ["host = smtp.example.com"])
    }

    @Test func propertyListKeys() {
        #expect(masked("<key>IncomingPassword</key>\n\t<integer>1234</integer>") == ["<key>IncomingPassword</key>", "\t<integer>****</integer>"])
        #expect(masked("<key>IncomingPassword</key><string>abc</string>") == ["<key>IncomingPassword</key><string>****</string>"])
        // A value that mentions a password is no key: the next line is left alone.
        #expect(masked("<string>EmailAuthPassword</string>\n<key>IncomingMailServerHostName</key>")[1] == "<key>IncomingMailServerHostName</key>")
    }

    @Test func urlUserInfoAndQueries() {
        #expect(masked("smtp_url = smtp://ann:pa/ss@host:25/") == ["smtp_url = smtp://ann:****@host:25/"])
        #expect(masked("source = imaps://ann:pa\"ss@host") == ["source = imaps://ann:****@host"])
        #expect(masked("imaps://ann@host") == ["imaps://ann@host"])
        #expect(masked("DSN=smtp://h:25?username=ann&password=abc&x=1") == ["DSN=smtp://h:25?username=ann&password=****&x=1"])
    }

    /// The scan reads bytes; columns count scalars, so text before and inside a secret may be any script.
    @Test func nonASCIIText() {
        #expect(masked("名前 password = \"秘密の\\\"パス\" # ü") == ["名前 password = \"****\" # ü"])
        #expect(masked("ключ: x  passwort: ünïcödé  ") == ["ключ: x  passwort: ****  "])
        #expect(masked("url = smtp://ümlaut:pässwörd@hôst") == ["url = smtp://ümlaut:****@hôst"])
        #expect(masked("<key>Пароль</key>\n<key>IncomingPassword</key>\n <string>密码</string>") == ["<key>Пароль</key>", "<key>IncomingPassword</key>", " <string>****</string>"])
        // A letter outside ASCII is part of the key: the value after the whole word is found.
        #expect(masked("émpassword = abc") == ["émpassword = ****"])
        #expect(masked("password = abc\r\nuser = ann") == ["password = ****", "user = ann"])
    }
}
