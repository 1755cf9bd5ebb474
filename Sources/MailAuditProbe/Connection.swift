import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Why one step of a probe did not get what it waited for. The description is the phrase that
/// ends up in results and messages.
enum ProbeFailure: Error, CustomStringConvertible {
    case timeout(String)
    case closed(String)
    case reset(String)
    case unexpected(String)
    case tls(String)
    case certificate(String)

    var description: String {
        switch self {
        case .timeout(let s), .closed(let s), .reset(let s), .unexpected(let s), .tls(let s), .certificate(let s): return s
        }
    }

    var isTimeout: Bool { if case .timeout = self { return true } else { return false } }
}

/// Records the raw bytes the server sends, below TLS: the ServerHello (version and cipher), or the
/// plaintext a server sends where a handshake was expected.
final class RawTap: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    static let limit = 16_384
    var recorded: [UInt8] = []
    /// The peer, noted when the connection comes up: a server that greets and closes at once has
    /// closed the channel, and NIO has forgotten its addresses, before the awaiting prober runs.
    private let lock = NSLock()
    private var connectedTo: SocketAddress?
    var remote: SocketAddress? { lock.lock(); defer { lock.unlock() }; return connectedTo }

    func channelActive(context: ChannelHandlerContext) {
        lock.lock()
        connectedTo = context.remoteAddress
        lock.unlock()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if recorded.count < Self.limit {
            recorded += buffer.readableBytesView.prefix(Self.limit - recorded.count)
        }
        context.fireChannelRead(data)
    }
}

/// The handlers made for each channel of one connect (happy eyeballs may try several).
final class HandlerRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var made: [ObjectIdentifier: (RawTap, ProbeHandler)] = [:]

    func add(_ channel: Channel, _ tap: RawTap, _ handler: ProbeHandler) {
        lock.lock()
        made[ObjectIdentifier(channel)] = (tap, handler)
        lock.unlock()
    }

    func get(_ channel: Channel) -> (RawTap, ProbeHandler)? {
        lock.lock()
        defer { lock.unlock() }
        return made[ObjectIdentifier(channel)]
    }
}

/// A complete reply, cut from the received bytes by a protocol's parser.
struct ReplyParser: Sendable {
    /// Returns the number of bytes a complete reply takes and its lines; nil while incomplete;
    /// throws `ProbeFailure.unexpected` for bytes that cannot be the protocol.
    let parse: @Sendable ([UInt8]) throws(ProbeFailure) -> (consumed: Int, lines: [String])?
}

/// The end of the pipeline: collects application bytes (plaintext, or decrypted) and completes the
/// one outstanding wait — a reply, or a TLS handshake — with a deadline. Touched only on its event loop.
final class ProbeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    static let maxReply = 65_536
    var buffer: [UInt8] = []
    var closedReason: ProbeFailure?
    private var replyWaiter: (parser: ReplyParser, promise: EventLoopPromise<[String]>, timer: Scheduled<Void>)?
    private var handshakeWaiter: (promise: EventLoopPromise<Void>, timer: Scheduled<Void>)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if let bytes = incoming.readBytes(length: incoming.readableBytes) { buffer += bytes }
        tryCompleteReply()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent, let waiter = handshakeWaiter {
            handshakeWaiter = nil
            waiter.timer.cancel()
            waiter.promise.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let failure = Self.describe(error)
        if closedReason == nil { closedReason = failure }
        failWaiters(failure)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let partial = buffer.isEmpty ? "" : " after sending \(Text.quote(buffer))"
        if closedReason == nil { closedReason = .closed("the server closed the connection\(partial)") }
        failWaiters(closedReason!)
        context.fireChannelInactive()
    }

    private func failWaiters(_ failure: ProbeFailure) {
        if let waiter = handshakeWaiter {
            handshakeWaiter = nil
            waiter.timer.cancel()
            waiter.promise.fail(failure)
        }
        if let waiter = replyWaiter {
            replyWaiter = nil
            waiter.timer.cancel()
            waiter.promise.fail(failure)
        }
    }

    /// Waits for one complete reply; fails after `timeout`, on close, on bytes that are not the protocol.
    func expectReply(_ parser: ReplyParser, timeout: TimeAmount, what: String, on loop: EventLoop) -> EventLoopFuture<[String]> {
        let promise = loop.makePromise(of: [String].self)
        let timer = loop.scheduleTask(in: timeout) { [self] in
            guard let waiter = replyWaiter else { return }
            replyWaiter = nil
            let got = buffer.isEmpty ? "nothing" : Text.quote(buffer)
            waiter.promise.fail(ProbeFailure.timeout("no complete \(what) within \(Text.seconds(timeout)) (received \(got))"))
        }
        replyWaiter = (parser, promise, timer)
        tryCompleteReply()
        if replyWaiter != nil, let reason = closedReason { failWaiters(reason) }
        return promise.futureResult
    }

    /// Waits for the TLS handshake started by adding an `NIOSSLClientHandler`.
    func expectHandshake(timeout: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        let timer = loop.scheduleTask(in: timeout) { [self] in
            guard let waiter = handshakeWaiter else { return }
            handshakeWaiter = nil
            waiter.promise.fail(ProbeFailure.timeout("no TLS handshake within \(Text.seconds(timeout))"))
        }
        handshakeWaiter = (promise, timer)
        if let reason = closedReason { failWaiters(reason) }
        return promise.futureResult
    }

    private func tryCompleteReply() {
        guard let waiter = replyWaiter else { return }
        do {
            if let (consumed, lines) = try waiter.parser.parse(buffer) {
                buffer.removeFirst(min(consumed, buffer.count))
                replyWaiter = nil
                waiter.timer.cancel()
                waiter.promise.succeed(lines)
            } else if buffer.count > Self.maxReply {
                throw ProbeFailure.unexpected("a reply longer than \(Self.maxReply) bytes without an end: \(Text.quote(buffer))")
            }
        } catch {
            replyWaiter = nil
            waiter.timer.cancel()
            waiter.promise.fail(error)
        }
    }

    /// A phrase for a channel error: a reset, a TLS failure with BoringSSL's reason, …
    static func describe(_ error: Error) -> ProbeFailure {
        if let failure = error as? ProbeFailure { return failure }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNRESET: return .reset("the server reset the connection")
            case EPIPE: return .reset("the server closed the connection while we were writing")
            default: return .reset("I/O error: \(String(cString: strerror(io.errnoCode)))")
            }
        }
        if let ssl = error as? NIOSSLError {
            switch ssl {
            case .handshakeFailed(let inner): return TLSErrors.describe(inner)
            case .uncleanShutdown: return .closed("the server closed the connection without a TLS close_notify")
            default: return .tls("TLS error: \(ssl)")
            }
        }
        if let extra = error as? NIOSSLExtraError {
            let text = String(describing: extra)
            if text.contains("failedToValidateHostname") || text.contains("Couldn't find") || text.lowercased().contains("hostname") {
                return .certificate("the certificate does not name the host")
            }
            return .tls("TLS error: \(text)")
        }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout(let t): return .timeout("no connection within \(Text.seconds(t))")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return .closed("the server closed the connection")
            default: return .reset("\(channelError)")
            }
        }
        return .reset("\(error)")
    }
}

/// BoringSSL's error stack, in words.
enum TLSErrors {
    static func describe(_ error: BoringSSLError) -> ProbeFailure {
        let text = "\(error)"
        if text.contains("EOF during handshake") { return .closed("the server closed the connection during the TLS handshake") }
        let reasons = reasonCodes(text)
        if reasons.contains("CERTIFICATE_VERIFY_FAILED") { return .certificate("the certificate chain does not verify") }
        if reasons.contains("WRONG_VERSION_NUMBER") || reasons.contains("HTTP_REQUEST") || reasons.contains("HTTPS_PROXY_REQUEST") {
            return .tls("the server's reply is not TLS (wrong version number)")
        }
        if reasons.contains(where: { $0.contains("PROTOCOL_VERSION") || $0 == "UNSUPPORTED_PROTOCOL" }) {
            return .tls("no TLS version in common (\(reasons.joined(separator: ", ")))")
        }
        if reasons.contains("NO_SHARED_CIPHER") || reasons.contains(where: { $0.contains("HANDSHAKE_FAILURE") }) {
            return .tls("the server refused the handshake (\(reasons.joined(separator: ", ")))")
        }
        if reasons.isEmpty { return .tls("the TLS handshake failed: \(text)") }
        return .tls("the TLS handshake failed (\(reasons.joined(separator: ", ")))")
    }

    /// `error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED` → `CERTIFICATE_VERIFY_FAILED`.
    static func reasonCodes(_ text: String) -> [String] {
        var out: [String] = []
        for piece in text.components(separatedBy: "OPENSSL_internal:").dropFirst() {
            let code = piece.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !code.isEmpty, !out.contains(String(code)) { out.append(String(code)) }
        }
        return out
    }
}

/// One TCP connection of a probe, with the async steps the dialogues are written in.
final class Session: Sendable {
    let channel: Channel
    let tap: RawTap
    let handler: ProbeHandler
    let timeout: TimeAmount
    /// `127.0.0.1:993`.
    let remoteDescription: String

    private init(channel: Channel, tap: RawTap, handler: ProbeHandler, timeout: TimeAmount) {
        self.channel = channel
        self.tap = tap
        self.handler = handler
        self.timeout = timeout
        self.remoteDescription = (tap.remote ?? channel.remoteAddress).map(Session.describe) ?? "?"
    }

    static func describe(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        let port = address.port.map(String.init) ?? "?"
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Connects within `timeout`. `source` binds the local end (a second loopback address).
    static func connect(host: String, port: Int, source: String?, timeout: TimeAmount, group: EventLoopGroup) async throws(ProbeFailure) -> Session {
        func attempt(bindTo source: String?) async throws -> Session {
            // The handlers of each connection attempt, kept here rather than looked up in the
            // pipeline later: a server that closes at once empties the pipeline before that.
            let made = HandlerRegistry()
            var bootstrap = ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tap = RawTap(), handler = ProbeHandler()
                        try channel.pipeline.syncOperations.addHandler(tap, name: "tap")
                        try channel.pipeline.syncOperations.addHandler(handler, name: "probe")
                        made.add(channel, tap, handler)
                    }
                }
            if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
            let channel = try await bootstrap.connect(host: host, port: port).get()
            guard let (tap, handler) = made.get(channel) else { throw ChannelError.alreadyClosed }
            return Session(channel: channel, tap: tap, handler: handler, timeout: timeout)
        }
        do {
            return try await attempt(bindTo: source)
        } catch {
            // A system without a second loopback address (macOS): connect from the default one.
            if source != nil, let io = error as? IOError, io.errnoCode == EADDRNOTAVAIL {
                do { return try await attempt(bindTo: nil) } catch { throw describeConnect(error, timeout: timeout) }
            }
            throw describeConnect(error, timeout: timeout)
        }
    }

    static func describeConnect(_ error: Error, timeout: TimeAmount) -> ProbeFailure {
        if let e = error as? NIOConnectionError {
            if e.connectionErrors.isEmpty, e.dnsAError != nil || e.dnsAAAAError != nil {
                return .closed("the host name \(e.host) does not resolve")
            }
            if let first = e.connectionErrors.first { return describeConnect(first.error, timeout: timeout) }
            return .closed("no connection to \(e.host):\(e.port)")
        }
        if let c = error as? ChannelError, case .connectTimeout = c {
            return .timeout("no connection within \(Text.seconds(timeout)) (connect timeout)")
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return .closed("connection refused (nothing listens on the port)")
            case ENETUNREACH, EHOSTUNREACH: return .closed("no route to the host")
            case ETIMEDOUT: return .timeout("no connection within \(Text.seconds(timeout)) (connect timeout)")
            default: return .closed("connection failed: \(String(cString: strerror(io.errnoCode)))")
            }
        }
        if let s = error as? SocketAddressError { return .closed("cannot connect: \(s)") }
        // The handlers were already gone: the server closed or reset the connection at once.
        if error is ChannelPipelineError { return .reset("the server closed the connection right after accepting it") }
        return .closed("connection failed: \(error)")
    }

    func send(_ line: String) async throws(ProbeFailure) {
        var buffer = channel.allocator.buffer(capacity: line.utf8.count + 2)
        buffer.writeString(line + "\r\n")
        do {
            try await channel.writeAndFlush(buffer).get()
        } catch {
            throw ProbeHandler.describe(error)
        }
    }

    func read(_ parser: ReplyParser, what: String, timeout: TimeAmount? = nil) async throws(ProbeFailure) -> [String] {
        let handler = self.handler, timeout = timeout ?? self.timeout, loop = channel.eventLoop
        do {
            return try await loop.flatSubmit { handler.expectReply(parser, timeout: timeout, what: what, on: loop) }.get()
        } catch {
            throw ProbeHandler.describe(error)
        }
    }

    /// Starts TLS on the connection (right after connecting, or after STARTTLS) and waits for the handshake.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws(ProbeFailure) -> NegotiatedTLS {
        let handler = self.handler, tap = self.tap, timeout = self.timeout, loop = channel.eventLoop, channel = self.channel
        do {
            let handshake: EventLoopFuture<Void> = loop.flatSubmit {
                // What the server sent before TLS and nobody read (a greeting on a port where a
                // handshake was expected) counts as its reply, with what comes after.
                tap.recorded = handler.buffer
                handler.buffer = []
                do {
                    let ssl = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                    try channel.pipeline.syncOperations.addHandler(ssl, name: "tls", position: .after(tap))
                } catch {
                    return loop.makeFailedFuture(ProbeFailure.tls("cannot start TLS: \(error)"))
                }
                return handler.expectHandshake(timeout: timeout, on: loop)
            }
            try await handshake.get()
            return try await loop.submit {
                let ssl = try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
                let hello = ServerHello.parse(tap.recorded)
                return NegotiatedTLS(version: ssl.tlsVersion.flatMap(TLSNames.version) ?? hello?.version,
                                     cipher: hello.map { TLSNames.cipher($0.cipherSuite) },
                                     certificate: ssl.peerCertificate.map(CertificateSummary.init))
            }.get()
        } catch {
            throw ProbeHandler.describe(error)
        }
    }

    /// What the server sent below TLS when a handshake failed: text, if it was text.
    func rawReply() async -> [UInt8] {
        let tap = self.tap
        return (try? await channel.eventLoop.submit { tap.recorded }.get()) ?? []
    }

    var localAddress: String? { channel.localAddress?.ipAddress }

    func close() {
        channel.close(promise: nil)
    }
}

/// What a completed handshake negotiated.
struct NegotiatedTLS: Sendable {
    var version: MailAuditCoreTLSVersion?
    var cipher: String?
    var certificate: CertificateSummary?
}

/// Short helpers for texts in results.
enum Text {
    /// Bytes as a short printable quote: text as it is (first line or two), other bytes as \xNN.
    static func quote(_ bytes: [UInt8], limit: Int = 120) -> String {
        var out = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case 0x0D: continue
            case 0x0A: out += "⏎"
            case 0x20...0x7E: out.append(Character(Unicode.Scalar(byte)))
            default: out += String(format: "\\x%02X", byte)
            }
        }
        if bytes.count > limit { out += "…" }
        while out.hasSuffix("⏎") { out.removeLast() }
        return "\"\(out)\""
    }

    /// Whether bytes look like a line-based text protocol (mostly printable ASCII).
    static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return false }
        let sample = bytes.prefix(256)
        let printable = sample.filter { (0x20...0x7E).contains($0) || $0 == 0x0D || $0 == 0x0A || $0 == 0x09 }.count
        return printable * 10 >= sample.count * 9
    }

    /// Printable single line, shortened.
    static func clean(_ line: String, limit: Int = 200) -> String {
        let printable = String(line.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? Character($0) : "?" })
        return printable.count > limit ? String(printable.prefix(limit)) + "…" : printable
    }

    static func seconds(_ t: TimeAmount) -> String {
        let s = Double(t.nanoseconds) / 1e9
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}
