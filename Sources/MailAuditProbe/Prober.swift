import Foundation
import MailAuditCore
import MailAuditRules
import NIOCore
import NIOPosix
import NIOSSL

/// How probes run.
public struct ProbeOptions: Sendable {
    /// Seconds for each step: connecting, each reply, each TLS handshake.
    public var timeout: Double = 5
    /// Endpoints probed at the same time.
    public var concurrency: Int = 16
    /// Extra trusted certificates (PEM), for servers with a private CA.
    public var caFile: String?
    /// Local address to connect from. By default a loopback target is reached from a second
    /// loopback address (127.0.0.2): Dovecot treats a client whose address equals its own as
    /// secured and would allow plaintext login to the probe that it refuses to everyone else.
    public var sourceAddress: String?
    public var loopbackSource = true
    /// The time certificates are checked against.
    public var now = Date()

    public init(timeout: Double = 5, concurrency: Int = 16, caFile: String? = nil) {
        self.timeout = timeout
        self.concurrency = concurrency
        self.caFile = caFile
    }
}

/// Connects to endpoints and records what their servers really do. Sends only
/// greetings' answers, capability requests, STARTTLS and goodbye: never credentials, never mail.
public struct Prober: Sendable {
    public let options: ProbeOptions
    let verifying: NIOSSLContext
    let permissive: NIOSSLContext
    let group: EventLoopGroup

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(options: ProbeOptions = ProbeOptions()) throws(SetupError) {
        self.options = options
        group = MultiThreadedEventLoopGroup.singleton
        var config = TLSConfiguration.makeClientConfiguration()
        // Accept every version BoringSSL still speaks, so that a server stuck on TLS 1.0/1.1 is
        // reported (MA805) instead of failing the handshake.
        config.minimumTLSVersion = .tlsv1
        config.certificateVerification = .fullVerification
        if let ca = options.caFile {
            guard FileManager.default.isReadableFile(atPath: ca) else { throw SetupError(description: "--ca-file: cannot read '\(ca)'") }
            config.additionalTrustRoots = [.file(ca)]
        }
        do {
            verifying = try NIOSSLContext(configuration: config)
            config.certificateVerification = .none
            config.additionalTrustRoots = []
            permissive = try NIOSSLContext(configuration: config)
        } catch {
            throw SetupError(description: "cannot set up TLS: \(error)\(options.caFile.map { " (is '\($0)' a PEM certificate file?)" } ?? "")")
        }
    }

    // MARK: many endpoints

    /// Probes every target, `options.concurrency` at a time; results in the order of `targets`.
    public func probe(_ targets: [ProbeTarget]) async -> [ProbeResult] {
        await withTaskGroup(of: (Int, ProbeResult).self) { group in
            var results = [ProbeResult?](repeating: nil, count: targets.count)
            var next = 0
            func start() {
                let index = next
                next += 1
                group.addTask { (index, await self.probe(targets[index])) }
            }
            while next < min(max(1, options.concurrency), targets.count) { start() }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < targets.count { start() }
            }
            return results.map { $0! }
        }
    }

    // MARK: one endpoint

    public func probe(_ target: ProbeTarget) async -> ProbeResult {
        var result = ProbeResult(target: target)
        let start = DispatchTime.now().uptimeNanoseconds
        let dialect = Dialect.of(target.protocol)
        switch target.expectedTLS {
        case .implicit:
            await implicitTLS(&result, dialect: dialect, followPlaintext: true)
        case .starttls, .some(.none):
            if let dialect {
                await plaintext(&result, dialect: dialect, tryImplicitOnSilence: true)
            } else {
                await connectOnly(&result)
            }
        case nil:
            // Nothing claims a mode. Mail servers greet first in plaintext and wait silently for a
            // ClientHello on implicit-TLS ports: listen briefly, then go on in the mode that fits,
            // on the same connection (no ClientHello thrown at a plaintext server).
            guard let dialect else {
                await implicitTLS(&result, dialect: nil, followPlaintext: false)
                break
            }
            guard let session = await open(&result) else { break }
            let sniff = TimeAmount.milliseconds(Int64(min(options.timeout / 4, 0.5) * 1000))
            if (try? await session.read(Parsers.anyBytes, what: "greeting", timeout: sniff)) != nil {
                await plaintext(&result, dialect: dialect, tryImplicitOnSilence: false, session: session)
            } else {
                await implicitTLS(&result, dialect: dialect, followPlaintext: true, session: session)
            }
        }
        result.elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

    var timeout: TimeAmount { .milliseconds(Int64(max(0.05, options.timeout) * 1000)) }

    /// Where to connect and from where (see `ProbeOptions.sourceAddress`).
    func route(_ target: ProbeTarget) -> (host: String, source: String?) {
        if let source = options.sourceAddress { return (target.host, source) }
        guard options.loopbackSource else { return (target.host, nil) }
        let host = target.host.lowercased() == "localhost" ? "127.0.0.1" : target.host
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1, host.hasPrefix("127.") {
            return (host, host == "127.0.0.2" ? "127.0.0.3" : "127.0.0.2")
        }
        return (target.host, nil)
    }

    /// The SNI name: the certificate name unless it is an address (SNI carries names only; NIOSSL
    /// then checks the certificate against the connected address).
    func serverName(_ target: ProbeTarget) -> String? {
        CertificateSummary.isIPAddress(target.certificateName) ? nil : target.certificateName
    }

    func open(_ result: inout ProbeResult) async -> Session? {
        let (host, source) = route(result.target)
        do {
            let session = try await Session.connect(host: host, port: result.target.port, source: source, timeout: timeout, group: group)
            result.connectedAddress = session.remoteDescription
            result.connectError = nil
            return session
        } catch {
            if result.connectedAddress == nil { result.connectError = error.description }
            return nil
        }
    }

    func connectOnly(_ result: inout ProbeResult) async {
        if let session = await open(&result) { session.close() }
    }

    // MARK: TLS with and without verification

    /// A handshake with full verification; when only the certificate fails, a second connection
    /// (brought to the same point by `redo`) without verification learns version, cipher and the
    /// rest of the session. Returns the session with TLS up, or the failure and the raw reply.
    func secure(_ session: Session, _ result: inout ProbeResult,
                redo: @Sendable (Session) async throws(ProbeFailure) -> Void) async -> Result<(Session, TLSAttempt), HandshakeFailure> {
        let target = result.target
        do {
            let tls = try await session.startTLS(context: verifying, serverHostname: serverName(target))
            result.certificate = certificateReport(tls.certificate, target: target, verifyError: nil)
            return .success((session, attempt(tls)))
        } catch {
            guard case .certificate(let why) = error else {
                let raw = await session.rawReply()
                session.close()
                return .failure(HandshakeFailure(error: error, raw: raw))
            }
            session.close()
            guard let second = await open(&result) else {
                return .failure(HandshakeFailure(error: .closed("the second connection (to learn the TLS details) failed: \(result.connectError ?? "")"), raw: []))
            }
            do {
                try await redo(second)
                let tls = try await second.startTLS(context: permissive, serverHostname: serverName(target))
                result.certificate = certificateReport(tls.certificate, target: target, verifyError: why)
                return .success((second, attempt(tls)))
            } catch {
                let raw = await second.rawReply()
                second.close()
                return .failure(HandshakeFailure(error: error, raw: raw))
            }
        }
    }

    struct HandshakeFailure: Error {
        var error: ProbeFailure
        var raw: [UInt8]

        var attempt: TLSAttempt {
            var a = TLSAttempt()
            a.error = error.description
            if Text.looksLikeText(raw) { a.plaintextReply = Text.quote(Array(raw.prefix { $0 != 0x0A }), limit: 160) }
            else if !raw.isEmpty, ServerHello.parse(raw) == nil, case .tls = error {
                a.error = "\(error.description); the server sent \(raw.count) bytes that are not TLS: \(Text.quote(raw, limit: 24))"
            }
            return a
        }
    }

    func attempt(_ tls: NegotiatedTLS) -> TLSAttempt {
        var a = TLSAttempt()
        a.succeeded = true
        a.version = tls.version
        a.cipher = tls.cipher
        return a
    }

    func certificateReport(_ summary: CertificateSummary?, target: ProbeTarget, verifyError: String?) -> CertificateReport? {
        guard let c = summary else { return nil }
        var problems: [String] = []
        if let verifyError {
            let now = options.now
            var dates: [String] = []
            if c.notAfter < now { dates.append("expired on \(Self.day(c.notAfter))") }
            if c.notBefore > now { dates.append("not valid before \(Self.day(c.notBefore))") }
            problems += dates
            let nameFailure = verifyError.contains("does not name")
            if !c.names(target.certificateName) || nameFailure {
                problems.append("does not name \(target.certificateName) (it names \(c.namesForMessages))")
            }
            // BoringSSL says only that the chain failed; when no date explains it, the issuer does.
            if !nameFailure, dates.isEmpty {
                problems.append(c.selfSigned ? "self-signed (\(c.subject)): no trusted authority vouches for it"
                                             : "issued by \(c.issuer), which is not a trusted authority here (or the chain is incomplete)")
            }
        }
        return CertificateReport(subject: c.subject, issuer: c.issuer, dnsNames: c.dnsNames, ipAddresses: c.ipAddresses,
                                 notBefore: c.notBefore, notAfter: c.notAfter, checkedName: target.certificateName,
                                 verified: verifyError == nil, problems: problems)
    }

    static func day(_ date: Date) -> String { Linter.isoDate(date) }

    // MARK: implicit TLS

    func implicitTLS(_ result: inout ProbeResult, dialect: Dialect?, followPlaintext: Bool, session existing: Session? = nil) async {
        let session: Session
        if let existing { session = existing } else if let opened = await open(&result) { session = opened } else { return }
        switch await secure(session, &result, redo: { _ throws(ProbeFailure) in }) {
        case .success(let (tlsSession, attempt)):
            result.implicitTLS = attempt
            result.observedTLS = .implicit
            if let dialect {
                do {
                    let (banner, greetingCaps) = try await dialect.greeting(tlsSession)
                    result.banner = banner
                    let caps: Capabilities
                    if let greetingCaps { caps = greetingCaps } else { caps = try await dialect.capabilities(tlsSession, afterTLS: true) }
                    result.implicitTLS?.capabilities = caps.keywords
                    result.implicitTLS?.authMechanisms = caps.mechanisms
                    await dialect.quit(tlsSession)
                } catch {
                    result.protocolError = "inside TLS: \(error.description)"
                }
            }
            tlsSession.close()
        case .failure(let failure):
            result.implicitTLS = failure.attempt
            // A server that answered the handshake in plaintext: find out what it speaks there.
            if followPlaintext, failure.attempt.plaintextReply != nil, let dialect {
                await plaintext(&result, dialect: dialect, tryImplicitOnSilence: false)
            }
        }
    }

    // MARK: plaintext first, then STARTTLS

    func plaintext(_ result: inout ProbeResult, dialect: Dialect, tryImplicitOnSilence: Bool, session existing: Session? = nil) async {
        let session: Session
        if let existing { session = existing } else if let opened = await open(&result) { session = opened } else { return }
        var plain = PlaintextSession()
        let caps: Capabilities
        do {
            let (banner, greetingCaps) = try await dialect.greeting(session)
            result.banner = banner
            plain.greeting = banner
            if let greetingCaps { caps = greetingCaps } else { caps = try await dialect.capabilities(session, afterTLS: false) }
        } catch {
            let silent = error.isTimeout && plain.greeting == nil
            plain.error = error.description
            result.plaintext = plain
            result.protocolError = error.description
            session.close()
            if silent, tryImplicitOnSilence { await implicitHint(&result) }
            return
        }
        plain.capabilities = caps.listed ? caps.keywords : nil
        plain.startTLSOffered = caps.listed ? caps.startTLS : nil
        plain.authMechanisms = caps.mechanisms
        plain.plaintextLogin = caps.plaintextLogin
        plain.loginDisabled = caps.loginDisabled
        result.plaintext = plain
        result.observedTLS = TLSMode.none

        // POP3 servers without CAPA may still know STLS; try it when STARTTLS is what is expected.
        let tryUpgrade = caps.startTLS || (!caps.listed && result.target.expectedTLS == .starttls)
        guard tryUpgrade else {
            await dialect.quit(session)
            session.close()
            return
        }
        do {
            try await dialect.requestTLS(session)
        } catch {
            var attempt = TLSAttempt()
            attempt.error = error.description
            result.startTLS = attempt
            session.close()
            return
        }
        let redo: @Sendable (Session) async throws(ProbeFailure) -> Void = { again throws(ProbeFailure) in
            let (_, greetingCaps) = try await dialect.greeting(again)
            if greetingCaps == nil { _ = try await dialect.capabilities(again, afterTLS: false) }
            try await dialect.requestTLS(again)
        }
        switch await secure(session, &result, redo: redo) {
        case .success(let (tlsSession, attempt)):
            result.startTLS = attempt
            result.observedTLS = .starttls
            do {
                let after = try await dialect.capabilities(tlsSession, afterTLS: true)
                result.startTLS?.capabilities = after.keywords
                result.startTLS?.authMechanisms = after.mechanisms
                await dialect.quit(tlsSession)
            } catch {
                result.protocolError = "inside TLS: \(error.description)"
            }
            tlsSession.close()
        case .failure(let failure):
            result.startTLS = failure.attempt
        }
    }

    /// A server that says nothing where a greeting belongs may be waiting for a TLS handshake.
    func implicitHint(_ result: inout ProbeResult) async {
        guard let session = await open(&result) else { return }
        defer { session.close() }
        do {
            let tls = try await session.startTLS(context: permissive, serverHostname: serverName(result.target))
            result.implicitTLS = attempt(tls)
            result.observedTLS = .implicit
        } catch {
            // Silent to TLS as well: nothing more to learn.
        }
    }
}
