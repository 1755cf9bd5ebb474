import Foundation
import MailAuditCore
@testable import MailAuditProbe
import MailAuditRules
import MailAuditTestSupport
import Testing

/// The probe against real Dovecot and Postfix on 127.0.0.1 (Tests/probe/servers.sh lists the
/// listeners). In CI (CI=true) missing servers fail the suite; scripts/test.sh installs them.
@Suite(.serialized, .enabled(if: RealServers.installed || TestSupport.inCI, "Dovecot/Postfix not installed (scripts/apt-packages.txt)"), .realServers)
struct RealServerProbeTests {
    var servers: RealServers { RealServers.current! }

    func probe(_ name: String, _ proto: MailProtocol, _ mode: TLSMode?, host: String = "127.0.0.1", trust: Bool = true) async throws -> ProbeResult {
        var options = ProbeOptions(timeout: 2, concurrency: 8, caFile: trust ? servers.caFile : nil)
        options.now = Date()
        let target = ProbeTarget(host: host, port: servers[name], protocol: proto, expectedTLS: mode, claim: .configuration)
        let prober = try Prober(options: options)
        return await prober.probe(target)
    }

    func ids(_ r: ProbeResult) -> [String] { ProbeRules.evaluate(r).map(\.ruleId) }

    @Test func dovecotIMAPWithSTARTTLS() async throws {
        let r = try await probe("IMAP_STARTTLS", .imap, .starttls)
        #expect(r.banner?.contains("mailaudit test IMAP/POP3 ready.") == true)
        #expect(r.plaintext?.startTLSOffered == true)
        #expect(r.plaintext?.loginDisabled == true, "probed from 127.0.0.2, Dovecot must announce LOGINDISABLED")
        #expect(r.plaintext?.authBeforeTLS == nil)
        #expect(r.startTLS?.succeeded == true && (r.startTLS?.version ?? .ssl2) >= .tls12)
        #expect(r.startTLS?.authMechanisms == ["plain", "login"])
        #expect(r.certificate?.verified == true && r.observedTLS == .starttls)
        #expect(ids(r).isEmpty, "\(ProbeRules.evaluate(r))")
    }

    @Test func dovecotIMAPSAndPOP3S() async throws {
        for (name, proto) in [("IMAPS", MailProtocol.imap), ("POP3S", .pop3)] {
            let r = try await probe(name, proto, .implicit, host: "localhost")
            #expect(r.implicitTLS?.succeeded == true && r.implicitTLS?.version == .tls13, "\(name)")
            #expect(r.implicitTLS?.cipher?.hasPrefix("TLS_") == true)
            #expect(r.implicitTLS?.authMechanisms == ["plain", "login"], "\(name)")
            #expect(r.certificate?.verified == true && r.certificate?.checkedName == "localhost")
            #expect(ids(r).isEmpty, "\(name): \(ProbeRules.evaluate(r))")
        }
    }

    @Test func dovecotPOP3WithSTLS() async throws {
        let r = try await probe("POP3_STLS", .pop3, .starttls)
        #expect(r.banner == "+OK mailaudit test IMAP/POP3 ready.")
        #expect(r.plaintext?.startTLSOffered == true)
        #expect(r.plaintext?.plaintextLogin == nil && r.plaintext?.authMechanisms == [], "no USER, no SASL before STLS")
        #expect(r.startTLS?.succeeded == true && r.startTLS?.authMechanisms == ["plain", "login"])
        #expect(ids(r).isEmpty, "\(ProbeRules.evaluate(r))")
    }

    @Test func plaintextListenerOnAnImplicitTLSPort() async throws {
        let r = try await probe("IMAP_BROKEN", .imap, .implicit)
        #expect(r.implicitTLS?.succeeded == false)
        #expect(r.implicitTLS?.plaintextReply?.hasPrefix("\"* OK") == true, "\(String(describing: r.implicitTLS))")
        #expect(r.plaintext?.startTLSOffered == true)
        #expect(ids(r) == ["MA801"])
        let message = ProbeRules.evaluate(r)[0].message
        #expect(message.contains("the configuration says implicit TLS, but no TLS handshake completed"))
        #expect(message.contains("it speaks IMAP without TLS here (and offers STARTTLS)"))
    }

    @Test func postfixSMTPAndSubmission() async throws {
        let smtp = try await probe("SMTP_STARTTLS", .smtp, .starttls)
        #expect(smtp.banner == "localhost ESMTP mailaudit test")
        #expect(smtp.plaintext?.startTLSOffered == true && smtp.plaintext?.authMechanisms == [])
        #expect(smtp.startTLS?.succeeded == true && ids(smtp).isEmpty)

        let submission = try await probe("SUBMISSION", .smtp, .starttls)
        #expect(submission.plaintext?.authMechanisms == [], "smtpd_tls_auth_only: no AUTH before TLS")
        #expect(submission.startTLS?.authMechanisms == ["plain", "login"])
        #expect(ids(submission).isEmpty)

        let submissions = try await probe("SUBMISSIONS", .smtp, .implicit)
        #expect(submissions.implicitTLS?.succeeded == true && submissions.implicitTLS?.authMechanisms == ["plain", "login"])
        #expect(ids(submissions).isEmpty)
    }

    @Test func postfixOffersAuthBeforeTLS() async throws {
        let r = try await probe("SMTP_AUTH_PLAINTEXT", .smtp, .starttls)
        #expect(r.plaintext?.authMechanisms == ["plain", "login"])
        #expect(ids(r) == ["MA803"])
        #expect(ProbeRules.evaluate(r)[0].message.contains("offers authentication before TLS (AUTH PLAIN LOGIN)"))
    }

    @Test func certificateProblems() async throws {
        let expired = try await probe("SUBMISSIONS_EXPIRED", .smtp, .implicit)
        #expect(expired.implicitTLS?.succeeded == true, "the second, unverified handshake still learns the session")
        #expect(expired.certificate?.verified == false && expired.certificate?.problems == ["expired on 2020-02-01"])
        #expect(ids(expired) == ["MA804"])

        let wrongName = try await probe("SUBMISSIONS_WRONGNAME", .smtp, .implicit)
        #expect(wrongName.certificate?.problems == ["does not name 127.0.0.1 (it names mail.invalid)"])
        #expect(ids(wrongName) == ["MA804"])

        let untrusted = try await probe("IMAPS", .imap, .implicit, trust: false)
        #expect(untrusted.certificate?.problems.first?.contains("issued by CN=mailaudit test CA, which is not a trusted authority") == true,
                "\(String(describing: untrusted.certificate?.problems))")
        #expect(ids(untrusted) == ["MA804"])
    }

    @Test func legacyTLSVersion() async throws {
        let r = try await probe("SUBMISSIONS_TLS10", .smtp, .implicit)
        #expect(r.implicitTLS?.version == .tls10, "\(String(describing: r.implicitTLS))")
        #expect(ids(r) == ["MA805"])
        #expect(ProbeRules.evaluate(r)[0].message.contains("negotiated TLS 1.0 (TLS_"))
    }

    @Test func starttlsClaimedWhereImplicitTLSRuns() async throws {
        let r = try await probe("SUBMISSIONS", .smtp, .starttls)
        #expect(r.observedTLS == .implicit)
        #expect(ids(r) == ["MA802"])
        #expect(ProbeRules.evaluate(r)[0].message.contains("it speaks implicit TLS on this port"))
    }

    @Test func modeDetectedWhenNothingClaimsOne() async throws {
        let implicit = try await probe("IMAPS", .imap, nil)
        #expect(implicit.observedTLS == .implicit && ids(implicit).isEmpty)
        let starttls = try await probe("IMAP_STARTTLS", .imap, nil)
        #expect(starttls.observedTLS == .starttls && starttls.implicitTLS == nil && ids(starttls).isEmpty)
    }

    // MARK: the command line

    @Test func probeCommandTextJSONAndSARIF() throws {
        let args = ["probe", "--timeout", "2", "--ca-file", servers.caFile,
                    "127.0.0.1:\(servers["IMAPS"])/imaps", "127.0.0.1:\(servers["IMAP_BROKEN"])/imaps", "127.0.0.1:\(servers["SMTP_AUTH_PLAINTEXT"])/smtp"]
        let text = try TestSupport.run(args)
        #expect(text.status == 1, "\(text.stderr)")
        #expect(text.stdout.contains("implicit TLS  TLS 1.3"))
        #expect(text.stdout.contains("[MA801 implicit-tls-not-working]") && text.stdout.contains("[MA803 auth-before-tls]"))
        #expect(text.stdout.contains("2 errors, 0 warnings, 0 notes for 3 endpoints"))

        let json = try TestSupport.run(args + ["--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let probes = try #require(doc["probes"] as? [[String: Any]])
        #expect(probes.count == 3)
        #expect((probes[0]["implicitTLS"] as? [String: Any])?["version"] as? String == "tls1.3")
        #expect((probes[1]["issues"] as? [String]) == ["MA801"])
        let findings = try #require(doc["findings"] as? [[String: Any]])
        #expect(Set(findings.compactMap { $0["ruleId"] as? String }) == ["MA801", "MA803"])
        #expect(findings.allSatisfy { ($0["fingerprint"] as? String)?.count == 16 })

        let sarif = try TestSupport.run(args + ["--format", "sarif"])
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 2)
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        #expect(rules.contains { $0["id"] as? String == "MA806" }, "the SARIF rule list documents the probe rules")
    }

    @Test func lintVerifyPointsAtTheSettingAndSaysWhatHappened() throws {
        let s = servers
        let closed = s["IMAPS"] + 1000
        let lines = [
            "mailaudit: 1",
            "accounts:",
            "  - name: office",
            "    incoming:",
            "      protocol: imap",
            "      host: localhost",
            "      port: \(s["IMAPS"])",
            "      tls: implicit",
            "  - name: broken",
            "    incoming:",
            "      protocol: imap",
            "      host: localhost",
            "      port: \(s["IMAP_BROKEN"])",
            "      tls: implicit",                                // 14: MA801
            "  - name: old",
            "    outgoing:",
            "      protocol: smtp",
            "      host: localhost",
            "      port: \(s["SUBMISSIONS_EXPIRED"])",
            "      tls: implicit",
            "      verify_certificate: true",                     // 21: MA804
            "      auth: [plain]",
            "      keyring: true",
            "  - name: gone",
            "    incoming:",
            "      protocol: imap",
            "      host: 127.0.0.1",                              // 27: MA806
            "      port: \(closed)",
            "      tls: implicit",
            "servers:",
            "  - name: mx",
            "    listeners:",
            "      - { protocol: smtp, port: \(s["SMTP_AUTH_PLAINTEXT"]), tls: starttls, tls_required: false, direction: relay, plaintext_auth: false }",  // 33: MA803
            "      - { protocol: smtp, port: \(s["SUBMISSIONS"]), tls: starttls, auth: [plain] }",                                                      // 34: MA802
        ]
        let dir = TestSupport.temporaryDirectory()
        let file = dir.appendingPathComponent("verify.mailaudit.yml")
        try lines.joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
        let run = try TestSupport.run(["lint", "--verify", "--timeout", "1", "--ca-file", s.caFile, "--format", "json", "verify.mailaudit.yml"], cwd: dir)
        #expect(run.status == 1, "\(run.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = (doc["findings"] as? [[String: Any]] ?? []).filter { ($0["ruleId"] as? String)?.hasPrefix("MA8") == true }
        let placed = findings.map { "\($0["ruleId"]!)@\($0["line"]!)" }.sorted()
        #expect(placed == ["MA801@14", "MA802@34", "MA803@33", "MA804@21", "MA806@27"], "\(findings.map { $0["message"]! })")
        let byRule = Dictionary(findings.map { ($0["ruleId"] as! String, $0["message"] as! String) }, uniquingKeysWith: { a, _ in a })
        #expect(byRule["MA801"]?.hasPrefix("account \"broken\", incoming IMAP to localhost:\(s["IMAP_BROKEN"]): the configuration says implicit TLS, but no TLS handshake completed") == true)
        #expect(byRule["MA802"]?.contains("the configuration says STARTTLS, but the server sends no SMTP greeting: it speaks implicit TLS on this port") == true)
        #expect(byRule["MA804"]?.contains("not valid for localhost: expired on 2020-02-01") == true)
        #expect(byRule["MA806"]?.contains("connection refused") == true)

        // The text report shows the config line under the finding.
        let text = try TestSupport.run(["lint", "--verify", "--timeout", "1", "--ca-file", s.caFile, "verify.mailaudit.yml"], cwd: dir)
        #expect(text.stdout.contains("verify.mailaudit.yml:14:12: error: account \"broken\""))
        #expect(text.stdout.contains("   14 |       tls: implicit"))
    }

    @Test func lintVerifyOnTheServersOwnConfigs() throws {
        let s = servers
        let run = try TestSupport.run(["lint", "--verify", "--timeout", "2", "--ca-file", s.caFile, "--format", "json",
                                       s.directory.appendingPathComponent("postfix").path,
                                       s.directory.appendingPathComponent("dovecot/dovecot.conf").path])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        let probe = (doc["findings"] as? [[String: Any]] ?? []).filter { ($0["ruleId"] as? String)?.hasPrefix("MA8") == true }
        let ports = Set(probe.compactMap { f in ((f["endpoint"] as? [String: Any])?["port"] as? Int).map { "\(f["ruleId"]!):\($0)" } })
        #expect(ports == ["MA803:\(s["SMTP_AUTH_PLAINTEXT"])", "MA804:\(s["SUBMISSIONS_EXPIRED"])",
                          "MA804:\(s["SUBMISSIONS_WRONGNAME"])", "MA805:\(s["SUBMISSIONS_TLS10"])"], "\(probe.map { $0["message"]! })")
    }

    @Test func probesNeverAuthenticateNorSendMail() async throws {
        // Runs after the others (serialized suite): the servers' logs show what all probes did.
        _ = try await probe("SMTP_AUTH_PLAINTEXT", .smtp, .starttls)
        _ = try await probe("IMAP_STARTTLS", .imap, .starttls)
        try await Task.sleep(for: .milliseconds(300))
        let dovecot = servers.log("dovecot/dovecot.log")
        let attempts = dovecot.split(separator: "\n").filter { $0.contains("auth attempts") }
        #expect(!attempts.isEmpty && attempts.allSatisfy { $0.contains("no auth attempts") }, "\(attempts.prefix(5))")
        let postfix = servers.log("postfix/maillog")
        #expect(postfix.contains("connect from"))
        #expect(!postfix.contains("sasl_method=") && !postfix.contains("from=<"), "a probe authenticated or started a mail transaction")
    }
}
