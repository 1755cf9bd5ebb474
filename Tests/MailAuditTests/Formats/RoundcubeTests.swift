import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// Roundcube config.inc.php: IMAP and SMTP connections with Roundcube 1.6's defaults, and its HTTP side.
@Suite struct RoundcubeTests {
    func parse(_ text: String, path: String = "config.inc.php") -> MailSetup {
        TestSupport.parse(text, format: "roundcube", path: path)
    }
    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    @Test func defaultsWhenNothingIsWritten() throws {
        let setup = parse("<?php\n$config = [];\n")
        let imap = try #require(setup.endpoints.first { $0.protocol == .imap })
        #expect(imap.host == "localhost" && imap.port == 143 && imap.tls == TLSMode.none && imap.auth == ["password"])
        let smtp = try #require(setup.endpoints.first { $0.protocol == .smtp })
        #expect(smtp.host == "localhost" && smtp.port == 587 && smtp.portIsDefault && smtp.tls == TLSMode.none)
        #expect(smtp.auth == ["password"] && smtp.credential == nil)  // %u/%p: the user's own login
        #expect(setup.endpoints.count == 2)
    }

    @Test func schemesPortsAndLegacyNames() throws {
        let setup = parse("""
        <?php
        $config['default_host'] = 'ssl://imap.example.com';
        $config['default_port'] = 143;
        $config['smtp_server'] = 'tls://smtp.example.com';
        $config['smtp_port'] = 25;
        $config['smtp_user'] = '';
        """)
        let imap = try #require(setup.endpoints.first { $0.protocol == .imap })
        #expect(imap.host == "imap.example.com" && imap.port == 993 && imap.tls == .implicit && imap.tlsRequired == true)
        #expect(imap.verifyCertificate == true && at(imap.spans[.tls]) == "2:27")
        #expect(imap.related[.port]?.map(at) == ["3:1"])  // default_port is no longer read
        let smtp = try #require(setup.endpoints.first { $0.protocol == .smtp })
        #expect(smtp.host == "smtp.example.com" && smtp.port == 587 && smtp.tls == .starttls && smtp.tlsRequired == true)
        #expect(smtp.auth == [] && smtp.credential == CredentialKind.none)
    }

    @Test func hostListsPlaceholdersAndCertificateOptions() throws {
        let setup = parse("""
        <?php
        $config['imap_host'] = ['ssl://a.example.com:993' => 'A', 'tls://%n'];
        $config['imap_conn_options'] = ['a.example.com' => ['ssl' => ['verify_peer' => false]]];
        $config['smtp_host'] = 'tls://{{ SMTP_HOST }}:587';
        $config['smtp_user'] = 'webmail';
        $config['smtp_pass'] = 's3cret';
        $config['smtp_conn_options'] = ['ssl' => ['verify_peer' => true, 'allow_self_signed' => true]];
        """)
        let imap = setup.endpoints.filter { $0.protocol == .imap }
        #expect(imap.map(\.host) == ["a.example.com", nil] && imap.map(\.tls) == [.implicit, .starttls])
        #expect(imap.map(\.verifyCertificate) == [false, true] && at(imap[0].spans[.verifyCertificate]) == "3:80")
        let smtp = try #require(setup.endpoints.first { $0.protocol == .smtp })
        #expect(smtp.host == nil && smtp.port == 587 && smtp.verifyCertificate == false)
        #expect(smtp.credential == .inline && smtp.auth == ["password"] && setup.secrets.map(at) == ["6:24"])
    }

    @Test func webmailOverHTTPOnlyWhereTheFileSaysSo() throws {
        #expect(parse("<?php\n$config['force_https'] = false;\n").endpoints.allSatisfy { $0.direction != .webmail })
        let plain = try #require(parse("<?php\n$config['request_path'] = 'http://webmail.example.com:8080/';\n").endpoints.first { $0.direction == .webmail })
        #expect(plain.tls == TLSMode.none && plain.host == "webmail.example.com" && plain.port == 8080)
        let redirected = try #require(parse("<?php\n$config['force_https'] = true;\n$config['request_path'] = 'http://webmail.example.com/';\n").endpoints.first { $0.direction == .webmail })
        #expect(redirected.tls == .implicit && redirected.port == 80 && at(redirected.spans[.tls]) == "2:26")
    }

    @Test func defaultsFileBesideIsRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "<?php\n$config['smtp_host'] = 'ssl://relay.example.com';\n$config['imap_host'] = 'x';\n".write(to: dir.appendingPathComponent("defaults.inc.php"), atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("config.inc.php").path
        let setup = parse("<?php\n$config['imap_host'] = 'tls://imap.example.com';\n", path: path)
        #expect(setup.endpoints.first { $0.protocol == .smtp }?.host == "relay.example.com")
        #expect(setup.endpoints.first { $0.protocol == .imap }?.host == "imap.example.com")
        #expect(setup.includedFiles == [dir.appendingPathComponent("defaults.inc.php").path])
    }

    @Test func detection() {
        let format = RoundcubeFormat()
        #expect(format.matches(fileName: "config.inc.php", path: "/var/www/roundcube/config/config.inc.php"))
        #expect(format.confirms(content: SourceFile(path: "c", text: "<?php\n$config['imap_host'] = 'x';\n")))
        // phpMyAdmin's config.inc.php
        #expect(!format.confirms(content: SourceFile(path: "c", text: "<?php\n$cfg['Servers'][$i]['host'] = 'localhost';\n")))
    }
}
