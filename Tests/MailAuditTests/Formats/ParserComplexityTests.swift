import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditTestSupport
import Testing

/// Every parser must be linear in its input. No absolute time limits (machines are shared and
/// noisy): each test lints an input and one four times as large, and expects the time to grow well
/// below the sixteenfold of quadratic work. The inputs are the shapes that once were quadratic.
@Suite(.serialized) struct ParserComplexityTests {
    /// Best-of-`runs` CPU time of this thread linting `text` (parse, rules, limits). CPU time, not
    /// wall time: it does not advance while other processes have the cores.
    func time(_ text: String, format: String, path: String, runs: Int) -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let start = Self.threadCPUTime()
            _ = TestSupport.lint(text, format: format, path: path)
            best = min(best, Self.threadCPUTime() - start)
        }
        return best
    }

    static func threadCPUTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Expects `make(4n)` to take less than 8 times as long as `make(n)` (linear: about 4, quadratic: about 16).
    func expectLinear(_ format: String, path: String, n: Int, _ make: (Int) -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        let small = make(n), large = make(4 * n)
        _ = TestSupport.lint(small, format: format, path: path)  // warm up (lazy statics, the rule pack)
        let t1 = time(small, format: format, path: path, runs: 7)
        let t4 = time(large, format: format, path: path, runs: 5)
        let ratio = t4 / t1
        #expect(ratio < 8, "\(format): \(small.utf8.count) bytes took \(t1), \(large.utf8.count) bytes \(t4) (×\(String(format: "%.1f", ratio)))",
                sourceLocation: sourceLocation)
    }

    @Test func gitlabOneSettingReassigned() {
        expectLinear("gitlab", path: "gitlab.rb", n: 5_000) { n in
            "gitlab_rails['smtp_enable'] = true\n" + String(repeating: "gitlab_rails['smtp_port'] = 25\n", count: n)
        }
    }

    @Test func gitlabOpenBracketsAndAssignmentsInOneStatement() {
        expectLinear("gitlab", path: "gitlab.rb", n: 4_000) { n in
            "gitlab_rails['smtp_enable'] = true\n" + String(repeating: "gitlab_rails['smtp_port'] = [{(\n", count: n)
        }
    }

    @Test func gitlabStringsAndInterpolations() {
        expectLinear("gitlab", path: "gitlab.rb", n: 4_000) { n in
            "gitlab_rails['smtp_address'] = \"" + String(repeating: "#{'a' \"b#{c}\"}", count: n) + "\"\n" + String(repeating: "%w(a b) <<~E\nx\nE\n", count: n)
        }
    }

    @Test func msmtpManyAccounts() {
        expectLinear("msmtp", path: "msmtprc", n: 500) { n in
            (0..<n).map { "account a\($0)\nhost smtp\($0).example.com\nport 587\ntls on\nauth on\n" }.joined()
        }
    }

    @Test func msmtpOneCommandRepeated() {
        expectLinear("msmtp", path: "msmtprc", n: 5_000) { n in
            "defaults\n" + String(repeating: "tls_trust_file /etc/ssl/ca.pem\n", count: n) + "account a\nhost smtp.example.com\n"
        }
    }

    @Test func postfixBracesInOneValue() {
        expectLinear("postfix", path: "main.cf", n: 16_384) { n in "smtpd_banner = " + String(repeating: "{", count: n) + "\n" }
    }

    @Test func postfixManyServices() {
        expectLinear("postfix", path: "master.cf", n: 300) { n in
            (0..<n).map { "10.0.\($0 / 256).\($0 % 256):25 inet n - y - - smtpd -o smtpd_tls_security_level=none\n" }.joined()
        }
    }

    @Test func dovecotBracesInOneValue() {
        expectLinear("dovecot", path: "dovecot.conf", n: 16_384) { n in "ssl_cipher_list = " + String(repeating: "{", count: n) + "\n" }
    }

    @Test func dovecotManyServices() {
        expectLinear("dovecot", path: "dovecot.conf", n: 300) { n in
            "protocols = imap\n" + (0..<n).map { "service s\($0) {\n  inet_listener l\($0) {\n    port = \($0 + 1)\n    ssl = no\n  }\n}\nx\($0) = $y\n" }.joined()
        }
    }

    @Test func offlineIMAPManyAccounts() {
        expectLinear("offlineimap", path: "offlineimaprc", n: 150) { n in
            "[general]\naccounts = a0\n\n" + (0..<n).map {
                "[Account a\($0)]\nremoterepository = r\($0)\n\n[Repository r\($0)]\ntype = IMAP\nremotehost = h\($0).example.com\nssl = no\n\n"
            }.joined()
        }
    }

    @Test func gitconfigManyIdentities() {
        expectLinear("gitconfig", path: "gitconfig", n: 150) { n in
            "[sendemail]\n" + String(repeating: "\tsmtpUser = ann\n", count: n) + (0..<n).map {
                "[sendemail \"s\($0)\"]\n\tsmtpServer = smtp\($0).example.com\n\tsmtpServerPort = 25\n"
            }.joined()
        }
    }

    @Test func muttUnknownVariables() {
        expectLinear("mutt", path: "muttrc", n: 500) { n in (0..<n).map { "set unknown_variable_\($0) = yes\n" }.joined() }
    }

    @Test func fetchmailUnknownKeywords() {
        expectLinear("fetchmail", path: "fetchmailrc", n: 1_000) { n in
            "poll pop.example.com proto pop3 " + (0..<n).map { "bogus\($0) " }.joined() + "\n"
        }
    }

    @Test func giteaManyKeysAndAnOpenJinjaComment() {
        expectLinear("gitea", path: "app.ini", n: 4_000) { n in
            "{#\n" + (0..<n).map { "licence line \($0)\n" }.joined() + "#}\n[mailer]\nENABLED = true\n" + (0..<n).map { "KEY_\($0) = {{ v\($0) }}\n" }.joined()
        }
    }

    @Test func grafanaManySections() {
        expectLinear("grafana", path: "grafana.ini", n: 2_000) { n in
            (0..<n).map { "[smtp]\nenabled = true\nhost = smtp\($0).example.com:587\n" }.joined()
        }
    }

    @Test func snappyMailManyMembersAndDeepArrays() {
        expectLinear("snappymail", path: "domains/example.org.json", n: 4_000) { n in
            "{ \"IMAP\": { \"host\": \"h\", \"port\": 143, \"sasl\": [" + (0..<n).map { "\"M\($0)\"" }.joined(separator: ", ")
                + "] }, \"SMTP\": { \"host\": \"h\", \"port\": 25 }, " + (0..<n).map { "\"k\($0)\": [[[1]]]" }.joined(separator: ", ") + " }\n"
        }
    }
}
