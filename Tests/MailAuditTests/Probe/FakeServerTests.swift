import Foundation
import MailAuditCore
@testable import MailAuditProbe
import NIOCore
import NIOPosix
import Testing

/// Misbehaving servers on 127.0.0.1: each probe must end with a clear result within its timeouts,
/// never hang. (Real Dovecot and Postfix are in RealServerProbeTests.)
final class FakeServer: @unchecked Sendable {
    enum Behavior: Sendable {
        case hang                  // accepts, never sends a byte
        case garbage               // sends binary noise, keeps the connection open
        case reset                 // accepts, then resets (RST)
        case drip(String)          // sends one byte every 150 ms, never finishing in time
        case greetThenHang(String) // a greeting, then silence
        case text(String)          // a text reply of another protocol, then close
    }

    let channel: Channel
    var port: Int { channel.localAddress!.port! }

    private init(channel: Channel) { self.channel = channel }

    static func start(_ behavior: Behavior) async throws -> FakeServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(Misbehave(behavior)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeServer(channel: channel)
    }

    func stop() async { try? await channel.close() }

    final class Misbehave: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let behavior: Behavior
        init(_ behavior: Behavior) { self.behavior = behavior }

        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            switch behavior {
            case .hang:
                break
            case .garbage:
                var buffer = channel.allocator.buffer(capacity: 256)
                buffer.writeBytes((0..<200).map { UInt8(($0 * 37 + 11) % 256) | 0x80 })
                context.writeAndFlush(NIOAny(buffer), promise: nil)
            case .reset:
                // SO_LINGER with a zero timeout: close sends RST instead of FIN.
                let provider = channel as? SocketOptionProvider
                let set = provider?.setSoLinger(linger(l_onoff: 1, l_linger: 0)) ?? channel.eventLoop.makeSucceededVoidFuture()
                set.whenComplete { _ in channel.close(promise: nil) }
            case .drip(let text):
                let bytes = Array(text.utf8)
                for (n, byte) in bytes.enumerated() {
                    channel.eventLoop.scheduleTask(in: .milliseconds(Int64(150 * (n + 1)))) {
                        var b = channel.allocator.buffer(capacity: 1)
                        b.writeInteger(byte)
                        channel.writeAndFlush(b, promise: nil)
                    }
                }
            case .greetThenHang(let greeting), .text(let greeting):
                var buffer = channel.allocator.buffer(capacity: greeting.utf8.count)
                buffer.writeString(greeting)
                let write = channel.writeAndFlush(buffer)
                if case .text = behavior { write.whenComplete { _ in channel.close(promise: nil) } }
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}  // ignore whatever the probe says
    }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct ProbeFakeServerTests {
    static let timeout = 0.5

    func probe(_ behavior: FakeServer.Behavior, _ proto: MailProtocol, _ mode: TLSMode?) async throws -> ProbeResult {
        let server = try await FakeServer.start(behavior)
        defer { Task { await server.stop() } }
        let target = ProbeTarget(host: "127.0.0.1", port: server.port, protocol: proto, expectedTLS: mode, claim: .argument)
        let prober = try Prober(options: ProbeOptions(timeout: Self.timeout, concurrency: 4))
        // Every step is bounded (connect, greeting, the implicit-TLS hint after silence): without the
        // timeouts these probes would never return, and the suite's time limit fails them. How long
        // they take is not asserted: beside CPU-bound tests on two cores a resumption can wait seconds.
        return await prober.probe(target)
    }

    func issues(_ r: ProbeResult) -> [ProbeIssue] { ProbeRules.evaluate(r) }

    @Test func hangingServerOnImplicitTLS() async throws {
        let r = try await probe(.hang, .imap, .implicit)
        #expect(r.reachable)
        #expect(r.implicitTLS?.error?.contains("no TLS handshake within 0.5 s") == true, "\(String(describing: r.implicitTLS?.error))")
        #expect(issues(r).map(\.ruleId) == ["MA801"])
    }

    @Test func hangingServerOnStartTLS() async throws {
        let r = try await probe(.hang, .smtp, .starttls)
        #expect(r.plaintext?.error?.contains("no complete SMTP greeting within 0.5 s (received nothing)") == true)
        let found = issues(r)
        #expect(found.map(\.ruleId) == ["MA806"])
        #expect(found.first?.message.contains("no SMTP greeting came") == true)
    }

    @Test func garbageWhereSMTPBelongs() async throws {
        let r = try await probe(.garbage, .smtp, .starttls)
        #expect(r.plaintext?.error?.contains("the reply is not SMTP") == true, "\(String(describing: r.plaintext?.error))")
        #expect(issues(r).map(\.ruleId) == ["MA802"])
    }

    @Test func garbageWhereTLSBelongs() async throws {
        let r = try await probe(.garbage, .pop3, .implicit)
        #expect(r.implicitTLS?.succeeded == false)
        #expect(r.implicitTLS?.plaintextReply == nil)
        #expect(issues(r).map(\.ruleId) == ["MA801"])
    }

    @Test func resetOnImplicitTLS() async throws {
        let r = try await probe(.reset, .imap, .implicit)
        let error = r.implicitTLS?.error ?? r.connectError ?? ""
        #expect(error.contains("reset") || error.contains("closed"), "\(error)")
        #expect(issues(r).map(\.ruleId).allSatisfy { ["MA801", "MA806"].contains($0) } && !issues(r).isEmpty)
    }

    @Test func resetWhereAGreetingBelongs() async throws {
        let r = try await probe(.reset, .imap, .starttls)
        let error = r.plaintext?.error ?? r.connectError ?? ""
        #expect(error.contains("reset") || error.contains("closed"), "\(error)")
        #expect(!issues(r).isEmpty)
    }

    @Test func slowGreetingTimesOut() async throws {
        let r = try await probe(.drip("220 slow.example ESMTP drip drip drip\r\n"), .smtp, .starttls)
        #expect(r.plaintext?.error?.contains("no complete SMTP greeting within 0.5 s (received \"220") == true, "\(String(describing: r.plaintext?.error))")
        #expect(issues(r).map(\.ruleId) == ["MA806"])
    }

    @Test func greetingThenSilence() async throws {
        let r = try await probe(.greetThenHang("220 mx.example ESMTP\r\n"), .smtp, .starttls)
        #expect(r.banner == "mx.example ESMTP")
        #expect(r.plaintext?.error?.contains("no complete reply to EHLO within 0.5 s") == true)
        #expect(issues(r).map(\.ruleId) == ["MA802"])
    }

    @Test func anotherProtocolOnTheMailPort() async throws {
        let r = try await probe(.text("HTTP/1.1 400 Bad Request\r\n\r\n"), .imap, .implicit)
        #expect(r.implicitTLS?.plaintextReply == "\"HTTP/1.1 400 Bad Request\"", "\(String(describing: r.implicitTLS))")
        #expect(issues(r).map(\.ruleId) == ["MA801"])
    }

    @Test func nothingListening() async throws {
        let server = try await FakeServer.start(.hang)
        let port = server.port
        await server.stop()
        let prober = try Prober(options: ProbeOptions(timeout: Self.timeout))
        let r = await prober.probe(ProbeTarget(host: "127.0.0.1", port: port, protocol: .imap, expectedTLS: .implicit, claim: .port))
        #expect(r.connectError?.contains("connection refused") == true)
        #expect(issues(r).map(\.ruleId) == ["MA806"])
    }

    @Test func hangingServersAllEndAsTimeOuts() async throws {
        let server = try await FakeServer.start(.hang)
        defer { Task { await server.stop() } }
        let targets = (0..<24).map { _ in ProbeTarget(host: "127.0.0.1", port: server.port, protocol: .imap, expectedTLS: .implicit, claim: .port) }
        let prober = try Prober(options: ProbeOptions(timeout: Self.timeout, concurrency: 24))
        let results = await prober.probe(targets)
        #expect(results.count == 24 && results.allSatisfy { $0.implicitTLS?.succeeded == false })
    }
}
