/// Go's `net.SplitHostPort`, which Go programs (Gitea, Grafana) use on their `host:port` settings.
enum GoHostPort: Equatable {
    case hostPort(host: String, port: String)
    /// "missing port in address": the programs differ in what they make of it.
    case missingPort
    /// Any other error ("too many colons": an IPv6 address without brackets, an unclosed `[`).
    case invalid

    init(_ text: String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { self = .invalid; return }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { self = .missingPort; return }
            guard rest.hasPrefix(":"), !rest.dropFirst().contains(":"), !host.contains("["), !host.contains("]") else { self = .invalid; return }
            self = .hostPort(host: host, port: String(rest.dropFirst()))
            return
        }
        guard let colon = text.lastIndex(of: ":") else { self = .missingPort; return }
        let host = text[..<colon]
        if host.contains(":") || host.contains("[") || host.contains("]") { self = .invalid; return }
        self = .hostPort(host: String(host), port: String(text[text.index(after: colon)...]))
    }
}
