import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import MailAuditRules
import Testing

/// Nextcloud's config.php (Symfony Mailer since Nextcloud 26) and WordPress's wp-config.php (WP Mail SMTP constants).
@Suite struct NextcloudWordPressTests {
    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    @Test func nextcloudTLSIsOpportunisticUnlessSSL() throws {
        let setup = TestSupport.parse("""
        <?php
        $CONFIG = array (
          'mail_smtphost' => 'smtp.example.com',
          'mail_smtpport' => '587',
          'mail_smtpsecure' => 'tls',
          'mail_smtpauth' => 1,
          'mail_smtpname' => 'cloud',
          'mail_smtppassword' => 'pw',
        );
        """, format: "nextcloud", path: "config.php")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && e.port == 587 && at(e.spans[.port]) == "4:22")
        #expect(e.tls == .starttls && e.tlsRequired == false && at(e.spans[.tlsRequired]) == "5:24")
        #expect(e.verifyCertificate == true && e.auth == ["password"] && e.credential == .inline && setup.secrets.map(at) == ["8:26"])

        let ssl = try #require(TestSupport.parse("<?php\n$CONFIG = ['mail_smtphost' => 'h', 'mail_smtpsecure' => 'ssl', 'mail_smtpport' => 587];\n", format: "nextcloud").endpoints.first)
        #expect(ssl.tls == .implicit && ssl.tlsRequired == true && ssl.port == 587 && ssl.auth == [])
        let defaults = try #require(TestSupport.parse("<?php\n$CONFIG = ['mail_smtpmode' => 'smtp'];\n", format: "nextcloud").endpoints.first)
        #expect(defaults.host == "127.0.0.1" && defaults.port == 25 && defaults.portIsDefault && defaults.tls == .starttls)
        #expect(TestSupport.parse("<?php\n$CONFIG = ['mail_smtpmode' => 'sendmail'];\n", format: "nextcloud").endpoints.isEmpty)
        #expect(TestSupport.parse("<?php\n$CONFIG = ['dbtype' => 'sqlite3'];\n", format: "nextcloud").endpoints.isEmpty)
        let computed = try #require(TestSupport.parse("<?php\n$CONFIG = ['mail_smtphost' => getenv('H'), 'mail_smtpport' => getenv('P') ?: 25];\n", format: "nextcloud").endpoints.first)
        #expect(computed.host == nil && computed.port == nil && computed.tls == nil)
    }

    @Test func nextcloudWebProtocol() throws {
        let setup = TestSupport.parse("<?php\n$CONFIG = ['overwriteprotocol' => 'http', 'overwrite.cli.url' => 'http://cloud.example.com/nc'];\n", format: "nextcloud")
        let web = try #require(setup.endpoints.first { $0.direction == .webmail })
        #expect(web.tls == TLSMode.none && web.host == "cloud.example.com" && web.port == 80)
        let findings = TestSupport.lint("<?php\n$CONFIG = ['overwriteprotocol' => 'http'];\n", format: "nextcloud").findings
        #expect(findings.map(\.ruleId) == ["MA601"])
    }

    @Test func wordpressConstantsCountOnlyWithWPMSOn() throws {
        let on = """
        <?php
        define( 'WPMS_ON', true );
        define( 'WPMS_SMTP_HOST', 'smtp.example.com' );
        define( 'WPMS_SMTP_PORT', 465 );
        define( 'WPMS_SSL', 'ssl' );
        define( 'WPMS_SMTP_AUTH', true );
        define( 'WPMS_SMTP_PASS', 'pw' );
        """
        let e = try #require(TestSupport.parse(on, format: "wordpress", path: "wp-config.php").endpoints.first)
        #expect(e.host == "smtp.example.com" && e.port == 465 && e.tls == .implicit && e.tlsRequired == true)
        #expect(e.auth == ["password"] && e.credential == .inline && at(e.spans[.tls]) == "5:21")
        #expect(TestSupport.parse(on.replacingOccurrences(of: "'WPMS_ON', true", with: "'WPMS_ON', 'true'"), format: "wordpress").endpoints.isEmpty)
        #expect(TestSupport.parse(on.replacingOccurrences(of: "define( 'WPMS_ON', true );\n", with: ""), format: "wordpress").endpoints.isEmpty)
        // Without the constant the value comes from the plugin's settings page: unknown.
        let partial = try #require(TestSupport.parse("<?php\ndefine('WPMS_ON', true);\ndefine('WPMS_SMTP_HOST', 'h');\n", format: "wordpress").endpoints.first)
        #expect(partial.port == nil && partial.tls == nil && partial.auth == nil)
        let autoTLS = try #require(TestSupport.parse("<?php\ndefine('WPMS_ON', true);\ndefine('WPMS_SSL', '');\ndefine('WPMS_SMTP_AUTOTLS', true);\n", format: "wordpress").endpoints.first)
        #expect(autoTLS.tls == .starttls && autoTLS.tlsRequired == false)
        #expect(TestSupport.parse("<?php\ndefine('WPMS_ON', true);\ndefine('WPMS_MAILER', 'sendgrid');\ndefine('WPMS_SSL', '');\n", format: "wordpress").endpoints.isEmpty)
    }

    @Test func aServerTreeYieldsOnlyTheseApplicationsFiles() throws {
        let dir = try TestSupport.folder([
            "var/www/roundcube/config/config.inc.php": "<?php\n$config['imap_host'] = 'ssl://imap.example.com:993';\n",
            "var/www/roundcube/config/defaults.inc.php": "<?php\n$config['imap_host'] = 'localhost:143';\n",
            "var/www/phpmyadmin/config.inc.php": "<?php\n$cfg['Servers'][1]['host'] = 'localhost';\n",
            "var/www/nextcloud/config/config.php": "<?php\n$CONFIG = array (\n  'mail_smtphost' => 'smtp.example.com',\n  'mail_smtpport' => 465,\n);\n",
            "var/www/shop/config.php": "<?php\nreturn ['db' => ['host' => 'localhost']];\n",
            "var/www/blog/config.php": "<?php\n$config['db_host'] = 'localhost';\n",
            "var/www/wordpress/wp-config.php": "<?php\ndefine('DB_NAME', 'wp');\n",
            "var/www/wordpress/wp-config-sample.php": "<?php\ndefine('DB_NAME', 'database_name_here');\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let found = FileDiscovery(registry: .builtIn, forcedFormat: nil, base: dir.path).discover([dir.path])
        var result = Linter(engine: RuleEngine(ruleSet: TestSupport.ruleSet)).lint(found.inputs)
        result.skipped += found.skipped.count
        #expect(result.files.map(\.path).sorted() == ["var/www/nextcloud/config/config.php", "var/www/roundcube/config/config.inc.php", "var/www/wordpress/wp-config.php"])
        #expect(result.files.map(\.format).sorted() == ["nextcloud", "roundcube", "wordpress"])
    }
}
