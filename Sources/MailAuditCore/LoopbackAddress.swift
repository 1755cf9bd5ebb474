import Foundation

/// Which host names and addresses never leave the machine: traffic to them cannot be read or
/// changed on the network, so transport rules do not apply to it.
public enum LoopbackAddress {
    /// True for `localhost` (and `*.localhost`, RFC 6761), 127.0.0.0/8 and `::1` (also written
    /// `[::1]`, `0:0:0:0:0:0:0:1` or `::ffff:127.0.0.1`); false for any other host; nil without one.
    public static func isLoopback(host: String?) -> Bool? {
        guard var h = host?.trimmingCharacters(in: [" ", "\t"]).lowercased(), !h.isEmpty else { return nil }
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.hasSuffix(".") { h = String(h.dropLast()) }
        if h == "localhost" || h.hasSuffix(".localhost") || h == "localhost.localdomain" || h == "ip6-localhost" || h == "ip6-loopback" { return true }
        if h.hasPrefix("::ffff:") { h = String(h.dropFirst(7)) }
        if isIPv4Loopback(h) { return true }
        return isIPv6Loopback(h)
    }

    static func isIPv4Loopback(_ h: String) -> Bool {
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }) else { return false }
        return parts.allSatisfy { Int($0)! <= 255 } && parts[0] == "127"
    }

    /// `::1` in any spelling: every group zero but the last, which is one.
    static func isIPv6Loopback(_ h: String) -> Bool {
        guard h.contains(":"), h.allSatisfy({ $0.isHexDigit || $0 == ":" }), h.count <= 39 else { return false }
        let halves = h.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ s: String) -> [Int]? {
            if s.isEmpty { return [] }
            let g = s.split(separator: ":", omittingEmptySubsequences: false)
            guard g.allSatisfy({ !$0.isEmpty && $0.count <= 4 }) else { return nil }
            return g.map { Int($0, radix: 16)! }
        }
        guard let head = groups(halves[0]) else { return false }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return false }
        let all = head + (halves.count == 2 ? Array(repeating: 0, count: max(0, 8 - head.count - tail.count)) : []) + tail
        guard all.count == 8 else { return false }
        return all.dropLast().allSatisfy { $0 == 0 } && all.last == 1
    }
}

extension Endpoint {
    /// An SMTP or LMTP listener bound only to loopback is a local hand-off (content-filter
    /// re-injection, a DKIM signer, a local relay), not submission — unless the format says it is
    /// submission that requires authentication.
    public mutating func directLoopbackListenerAsHandOff() {
        guard role == .server, self.protocol == .smtp || self.protocol == .lmtp, loopback == true else { return }
        if direction == .outgoing, authRequired == true { return }
        direction = .relay
    }
}
