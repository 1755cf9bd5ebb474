import ArgumentParser
import Foundation
import MailAuditCore
import MailAuditFormats
import MailAuditProbe
import MailAuditReport
import MailAuditRules

extension TLSMode: ExpressibleByArgument {}

/// Timeouts, parallelism and trust for live probes (`probe`, `lint --verify`).
struct ProbeTuning: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds allowed for each probe step: connecting, each reply, each TLS handshake.", valueName: "SECONDS"))
    var timeout: Double = 5

    @Option(help: "How many endpoints are probed at the same time.")
    var concurrency: Int = 16

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Also trust the CA certificates in this PEM file (a private CA).", valueName: "FILE"))
    var caFile: String?

    func validate() throws {
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        guard (1...4096).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 4096") }
    }

    var options: ProbeOptions { ProbeOptions(timeout: timeout, concurrency: concurrency, caFile: caFile) }
}

/// `lint --verify`: probe the endpoints of the linted setups and add what the servers really did.
struct VerifyOptions: ParsableArguments {
    @Flag(help: "Also probe the endpoints found: clients at their host, server listeners at --verify-host (MA801–MA806).")
    var verify = false

    @Option(name: .customLong("verify-host"), help: ArgumentHelp("Where server listeners are probed, and the name their certificates must carry.", valueName: "HOST"))
    var verifyHost = "127.0.0.1"

    @OptionGroup var tuning: ProbeTuning

    /// The verify stage of `lint`: probes the setups' endpoints (nil without --verify). A probe that
    /// cannot be set up (a broken --ca-file) is a usage error.
    func stage(engine: RuleEngine) -> (([MailSetup]) async throws -> Verification)? {
        guard verify else { return nil }
        let verifier = Verifier(ruleSet: engine.ruleSet, settings: engine.settings, verifyHost: verifyHost, options: tuning.options)
        return { setups in
            let outcome: Verifier.Outcome
            do {
                outcome = try await verifier.verify(setups)
            } catch {
                FileHandle.standardError.write(Data("mailaudit: \(error)\n".utf8))
                throw ExitCode(64)
            }
            let skipped = outcome.plan.compactMap(\.skipped)
            if !skipped.isEmpty {
                let reasons = Dictionary(grouping: skipped, by: { $0 }).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
                FileHandle.standardError.write(Data("mailaudit: --verify probed \(Wording.count(outcome.results.count, "endpoint")); \(skipped.count) not probed (\(reasons))\n".utf8))
            }
            return outcome.verification
        }
    }
}

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Connect to mail servers and report what they really do: TLS, STARTTLS, authentication before TLS, certificate.",
        discussion: """
        Each target is HOST:PORT, optionally with /PROTOCOL (smtp, imap, pop3, managesieve, lmtp, http) \
        or a service name that fixes the TLS mode (smtps, submissions, submission, imaps, pop3s, https). \
        Without one, the protocol and the TLS mode come from the port (993: IMAP, implicit TLS). \
        Probes send no credentials and no mail: only the greeting's answers, capability requests, STARTTLS and goodbye.
        """
    )

    @Argument(help: ArgumentHelp("Endpoints to probe.", valueName: "HOST:PORT[/PROTOCOL]"))
    var targets: [String]

    @Option(help: "How TLS is supposed to start, for every target (default: from /PROTOCOL or the port).")
    var tls: TLSMode?

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (default: standard output).", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1.")
    var failOn: FailOn = .warning

    @OptionGroup var tuning: ProbeTuning

    @Option(help: "Colour in text output.")
    var color: ColorChoice = .auto

    @Flag(help: "Only findings: no observations, fixes or summary.")
    var quiet = false

    @Option(name: .customLong("sarif-category"), help: "SARIF automationDetails.id.")
    var sarifCategory = "mailaudit/probe"

    func run() async throws {
        // SARIF carries each rule's documentation, examples included; other outputs need none.
        let rules: RuleSet
        do { rules = try RuleSet.builtIn(examples: format == .sarif) } catch { throw ValidationError("the built-in rule pack does not load: \(error.message)") }
        var parsed: [ProbeTarget] = []
        for text in targets {
            do { parsed.append(try ProbeTargetParser.parse(text, ports: rules.ports, forcedTLS: tls)) } catch { throw ValidationError(error.description) }
        }
        let prober: Prober
        do { prober = try Prober(options: tuning.options) } catch { throw ValidationError(error.description) }
        let destination = try ReportDestination(path: output)
        let started = Date()
        let results = await prober.probe(parsed)
        let elapsed = Date().timeIntervalSince(started)

        // A run without files: the probe findings and the observations are its closing part, as
        // `lint --verify`'s are, and go through the same report streams.
        var closing = LintResult()
        closing.findings = Verifier(ruleSet: rules, options: tuning.options).findings(for: results)
        closing.probes = results.map(ProbeObservation.init(evaluating:))
        let options = ReportOptions(color: format == .text && color.enabled(forStandardOutput: output == nil),
                                    sarifCategory: sarifCategory, quiet: quiet)
        let stream: any ReportStream = format == .text
            ? WholeDocumentStream(ProbeTextReporter(elapsed: elapsed) { ProbeReport.text($0.map(\.result)) })
            : format.stream()
        var report = ReportFanOut(rules: rules, outputs: [.init(stream: stream, options: options, write: destination.write)])
        report.begin(LintResult())
        report.end(closing)
        try destination.finish()
        guard let threshold = failOn.threshold else { throw ExitCode(0) }
        throw ExitCode(closing.activeFindings.contains { $0.severity >= threshold } ? 1 : 0)
    }
}
