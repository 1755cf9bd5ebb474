import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// Omnibus gitlab.rb: Ruby read as data; GitLab's mailer defaults for what is not written.
@Suite struct GitLabTests {
    func parse(_ text: String, path: String = "gitlab.rb") -> MailSetup {
        TestSupport.parse(text, format: "gitlab", path: path)
    }
    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    @Test func smtpSettings() throws {
        let setup = parse("""
        external_url 'https://gitlab.example.com'
        gitlab_rails['smtp_enable'] = true
        gitlab_rails['smtp_address'] = "smtp.example.com"
        gitlab_rails['smtp_port'] = 587
        gitlab_rails['smtp_user_name'] = "gitlab@example.com"
        gitlab_rails['smtp_password'] = 's3cr\\'et'
        gitlab_rails['smtp_authentication'] = :login
        gitlab_rails['smtp_enable_starttls_auto'] = true
        gitlab_rails['smtp_openssl_verify_mode'] = 'none' # Can be: 'none', 'peer'
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(setup.endpoints.count == 1 && e.account == "gitlab_rails" && e.direction == .outgoing && e.protocol == .smtp)
        #expect(e.location.line == 2 && e.location.column == 1)
        #expect(e.host == "smtp.example.com" && at(e.spans[.host]) == "3:32")
        #expect(e.port == 587 && !e.portIsDefault && at(e.spans[.port]) == "4:29")
        #expect(e.tls == .starttls && e.tlsRequired == false && at(e.spans[.tls]) == "8:45")
        #expect(e.verifyCertificate == false && at(e.spans[.verifyCertificate]) == "9:44")
        #expect(e.auth == ["login"] && e.credential == .inline && setup.secrets.map(at) == ["6:33"])
    }

    @Test func mailerDefaults() throws {
        // smtp_enable alone: localhost:25, STARTTLS if offered, certificates verified, no login.
        let d = try #require(parse("gitlab_rails['smtp_enable'] = true\n").endpoints.first)
        #expect(d.host == "localhost" && d.port == 25 && d.portIsDefault && d.loopback == true)
        #expect(d.tls == .starttls && d.tlsRequired == false && d.spans[.tls] == nil)
        #expect(d.verifyCertificate == true && d.auth == [] && d.credential == CredentialKind.none)
        // Implicit TLS keeps the mailer's port 25 unless smtp_port says otherwise.
        let tls = try #require(parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_address'] = 'mail.example.net'\ngitlab_rails['smtp_tls'] = true\n").endpoints.first)
        #expect(tls.tls == .implicit && tls.tlsRequired == true && tls.port == 25 && at(tls.spans[.tls]) == "3:28")
        // A user name alone logs in with PLAIN; the password may come from GitLab's encrypted credentials.
        let user = try #require(parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_user_name'] = 'u'\n").endpoints.first)
        #expect(user.auth == ["plain"] && user.credential == nil)
        // A secret's span leaves its quotes out: the word "password" with them would look like a secret everywhere.
        let secret = parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_password'] = \"password\"\n")
        #expect(secret.secrets.map(at) == ["2:34"] && secret.secrets.first?.endColumn == 42)
        // STARTTLS switched off.
        let plain = try #require(parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_address'] = 'h'\ngitlab_rails['smtp_enable_starttls_auto'] = false\n").endpoints.first)
        #expect(plain.tls == TLSMode.none && plain.verifyCertificate == nil)
    }

    @Test func noSMTPMeansSendmail() {
        #expect(parse("gitlab_rails['smtp_address'] = 'smtp.example.com'\n").endpoints.isEmpty)
        #expect(parse("gitlab_rails['smtp_enable'] = false\ngitlab_rails['smtp_address'] = 'smtp.example.com'\n").endpoints.isEmpty)
        #expect(parse("gitlab_rails['smtp_enable'] = nil\n").endpoints.isEmpty)
        #expect(parse("# gitlab_rails['smtp_enable'] = true\nexternal_url 'http://gitlab.example.com'\n").endpoints.isEmpty)
    }

    @Test func computedValuesAreUnknown() throws {
        let setup = parse("""
        gitlab_rails['smtp_enable'] = ENV.fetch('SMTP_ENABLE', 'true') == 'true'
        gitlab_rails['smtp_address'] = ENV.fetch('SMTP_HOST', 'smtp.gmail.com')
        gitlab_rails['smtp_port'] = ENV.fetch('SMTP_PORT', '587').to_i
        gitlab_rails['smtp_user_name'] = "#{ENV['USER']}@example.com"
        gitlab_rails['smtp_password'] = File.read('/run/secrets/smtp').strip
        gitlab_rails['smtp_tls'] = false
        """)
        let e = try #require(setup.endpoints.first)
        #expect(e.host == nil && at(e.spans[.host]) == "2:32" && e.port == nil && at(e.spans[.port]) == "3:29")
        #expect(e.tls == .starttls && e.auth == nil && e.credential == .file)
        #expect(setup.secrets.isEmpty)
        // Assignments under a condition or in a block are unknown; a later plain one decides again.
        let conditional = try #require(parse("""
        gitlab_rails['smtp_enable'] = true
        gitlab_rails['smtp_address'] = 'a.example.com'
        if ENV['PROD']
          gitlab_rails['smtp_address'] = 'b.example.com'
        end
        gitlab_rails['smtp_port'] = 465 if ENV['SSL']
        gitlab_rails['smtp_tls'] = false
        %w[x].each { |k| gitlab_rails['smtp_tls'] = true }
        """).endpoints.first)
        #expect(conditional.host == nil && conditional.port == nil && conditional.tls == nil)
        let overridden = try #require(parse("gitlab_rails['smtp_enable'] = true\nunless x\n  gitlab_rails['smtp_port'] = 25\nend\ngitlab_rails['smtp_port'] = 2525\n").endpoints.first)
        #expect(overridden.port == 2525 && overridden.related[.port]?.map(at) == ["3:31"])
    }

    @Test func rubyLiterals() throws {
        let setup = parse("""
        =begin
        gitlab_rails['smtp_address'] = 'inside a block comment'
        =end
        gitlab_rails['ldap_servers'] = YAML.load <<-'EOS'
          main:
            gitlab_rails['smtp_address'] = 'inside a heredoc'
        EOS
        gitlab_rails['smtp_enable'] = (true)
        gitlab_rails [ 'x' ] = 1
        gitlab_rails['smtp_address'] =
          'smtp.' \\
          "example" + '.com'
        gitlab_rails['smtp_port'] = 0x1d1 # 465
        gitlab_rails['smtp_tls'] = %q(yes)
        gitlab_rails['smtp_enable_starttls_auto'] = nil; nginx['listen_https'] = false
        gitlab_rails['env'] = { "A" => [1, 2.5, :b, nil], c: { 'd' => true } }
        __END__
        gitlab_rails['smtp_port'] = 25
        """)
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == "smtp.example.com" && at(e.spans[.host]) == "11:3")
        #expect(e.port == 465 && e.tls == .implicit)
    }

    @Test func problemsKeepReading() throws {
        let both = parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_tls'] = true\ngitlab_rails['smtp_enable_starttls_auto'] = true\n")
        #expect(both.problems.count == 1 && at(both.problems.first?.span) == "3:45" && both.endpoints.first?.tls == nil)
        let mode = parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_openssl_verify_mode'] = 'strict'\n")
        #expect(mode.problems.count == 1 && mode.endpoints.first?.verifyCertificate == nil)
        let port = parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_port'] = 'smtp'\n")
        #expect(port.problems.count == 1 && port.endpoints.first?.port == nil)
        // As in Ruby, the quote on the next line closes the string and the one after opens another.
        let broken = parse("gitlab_rails['smtp_address'] = 'unterminated\ngitlab_rails['smtp_enable'] = true\n")
        #expect(broken.problems.count == 1 && at(broken.problems.first?.span) == "2:26")
    }

    @Test func verifyModes() throws {
        func mode(_ v: String) -> Bool? {
            parse("gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_openssl_verify_mode'] = \(v)\n").endpoints.first?.verifyCertificate
        }
        #expect(mode("'peer'") == true && mode("'none'") == false && mode(":none") == nil)
        #expect(mode("'client_once'") == false && mode("'fail_if_no_peer_cert'") == false)
        #expect(mode("OpenSSL::SSL::VERIFY_PEER") == true && mode("OpenSSL::SSL::VERIFY_NONE") == false && mode("0") == false)
        #expect(mode("ENV['MODE']") == nil)
    }

    @Test func incomingEmail() throws {
        let setup = parse("""
        gitlab_rails['incoming_email_enabled'] = true
        gitlab_rails['incoming_email_address'] = "gitlab-incoming+%{key}@example.com"
        gitlab_rails['incoming_email_email'] = "gitlab-incoming@example.com"
        gitlab_rails['incoming_email_password'] = "[REDACTED]"
        gitlab_rails['incoming_email_host'] = "imap.example.com"
        gitlab_rails['service_desk_email_enabled'] = true
        gitlab_rails['service_desk_email_address'] = "desk+%{key}@example.com"
        gitlab_rails['service_desk_email_host'] = "imap.example.com"
        gitlab_rails['service_desk_email_port'] = 993
        gitlab_rails['service_desk_email_ssl'] = true
        """)
        #expect(setup.endpoints.count == 2)
        let incoming = try #require(setup.endpoints.first { $0.account == "incoming_email" })
        #expect(incoming.protocol == .imap && incoming.direction == .incoming && incoming.host == "imap.example.com")
        #expect(incoming.port == 143 && incoming.portIsDefault && incoming.tls == TLSMode.none && incoming.credential == .inline)
        let desk = try #require(setup.endpoints.first { $0.account == "service_desk_email" })
        #expect(desk.port == 993 && desk.tls == .implicit && desk.verifyCertificate == true && desk.credential == nil)
        // Not enabled, no address, or Microsoft Graph: no IMAP connection.
        #expect(parse("gitlab_rails['incoming_email_enabled'] = true\n").endpoints.isEmpty)
        #expect(parse("gitlab_rails['incoming_email_enabled'] = true\ngitlab_rails['incoming_email_address'] = 'a@b'\ngitlab_rails['incoming_email_inbox_method'] = 'microsoft_graph'\n").endpoints.isEmpty)
    }

    @Test func jinjaTemplate() throws {
        let setup = parse("""
        gitlab_rails['smtp_enable'] = {{ gitlab_smtp_enable | lower }}
        {% if gitlab_smtp_enable %}
        gitlab_rails['smtp_address'] = '{{ gitlab_smtp_address }}'
        gitlab_rails['smtp_port'] = {{ gitlab_smtp_port }}
        {% endif %}
        gitlab_rails['smtp_tls'] = '{{ tls }}'
        """, path: "gitlab.rb.j2")
        #expect(setup.problems.isEmpty, "\(setup.problems)")
        let e = try #require(setup.endpoints.first)
        #expect(e.host == nil && e.port == nil && e.tls == nil)
    }

    @Test func detection() {
        let registry = FormatRegistry.builtIn
        #expect(registry.candidates(fileName: "gitlab.rb", path: "/etc/gitlab/gitlab.rb").map(\.id) == ["gitlab"])
        #expect(registry.candidates(fileName: "gitlab.rb.j2", path: "templates/gitlab.rb.j2").map(\.id) == ["gitlab"])
        #expect(registry.candidates(fileName: "gitlab.rb.template", path: "files/gitlab.rb.template").map(\.id) == ["gitlab"])
        let format = GitLabFormat()
        #expect(format.confirms(content: SourceFile(path: "gitlab.rb", text: "## comments\n# gitlab_rails['smtp_enable'] = true\n")))
        #expect(!format.confirms(content: SourceFile(path: "lib/gitlab.rb", text: "module Gitlab\n  VERSION = '1.0'\nend\n")))
        #expect(format.matches(content: SourceFile(path: "x", text: "external_url 'https://git.example.com'\n")))
    }
}
