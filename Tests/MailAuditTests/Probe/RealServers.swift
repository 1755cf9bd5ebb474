import Foundation
import MailAuditTestSupport
import Testing

/// Real Dovecot and Postfix on 127.0.0.1, started by Tests/probe/servers.sh for one suite and
/// stopped by PID afterwards. Missing servers skip the suite locally and fail it in CI.
struct RealServers: Sendable {
    let directory: URL
    let ports: [String: Int]
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    subscript(_ name: String) -> Int { ports[name]! }

    static let script = TestSupport.repoRoot.appendingPathComponent("Tests/probe/servers.sh")

    @TaskLocal static var current: RealServers?

    static var installed: Bool {
        ["/usr/sbin/dovecot", "/usr/sbin/postfix", "/usr/lib/postfix/sbin/master", "/usr/bin/openssl"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static func start() throws -> RealServers {
        let dir = TestSupport.temporaryDirectory()
        let run = try shell(["bash", script.path, "start", dir.path])
        guard run.status == 0 else { throw Failure(description: "servers.sh start failed (\(run.status)): \(run.output)") }
        let env = try String(contentsOf: dir.appendingPathComponent("ports.env"), encoding: .utf8)
        var ports: [String: Int] = [:]
        for line in env.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let n = Int(parts[1]) { ports[String(parts[0])] = n }
        }
        return RealServers(directory: dir, ports: ports)
    }

    func stop() {
        _ = try? Self.shell(["bash", Self.script.path, "stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    func log(_ relative: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)) ?? ""
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs a command with posix_spawn and waitpid. Not Foundation's Process: its exit monitoring
    /// did not notice the script's exit when called from the suite's async scope (the child stayed
    /// a zombie and waitUntilExit never returned). Output goes to a file, not a pipe: the daemons
    /// the script starts outlive it and would keep a pipe open.
    static func shell(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("servers-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(description: "posix_spawn failed: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let exited = (status & 0x7F) == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }
}

/// Starts the servers around a suite (once), and stops them after it, also when it fails.
struct RealServersTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard RealServers.installed || TestSupport.inCI else { return try await function() }
        let servers = try RealServers.start()
        do {
            try await RealServers.$current.withValue(servers) { try await function() }
        } catch {
            servers.stop()
            throw error
        }
        servers.stop()
    }
}

extension Trait where Self == RealServersTrait {
    static var realServers: RealServersTrait { RealServersTrait() }
}
