import MailAuditCore

/// What a server lists about itself: capabilities, STARTTLS, authentication.
struct Capabilities: Sendable {
    var keywords: [String] = []
    var startTLS = false
    var mechanisms: [String] = []
    /// IMAP LOGIN without LOGINDISABLED, POP3 USER: the protocol's own plaintext login.
    var plaintextLogin: String?
    var loginDisabled: Bool?
    /// False when the server did not answer the capability command (POP3 without CAPA).
    var listed = true
}

/// The commands and replies of one mail protocol, as far as a probe needs them: the greeting,
/// the capability list, the STARTTLS upgrade, goodbye. Never a credential, never a message.
enum Dialect: Sendable {
    case smtp(hello: String)   // EHLO, or LHLO for LMTP
    case imap
    case pop3
    case managesieve

    static func of(_ p: MailProtocol) -> Dialect? {
        switch p {
        case .smtp: return .smtp(hello: "EHLO")
        case .lmtp: return .smtp(hello: "LHLO")
        case .imap: return .imap
        case .pop3: return .pop3
        case .managesieve: return .managesieve
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .smtp(let hello): return hello == "LHLO" ? "LMTP" : "SMTP"
        case .imap: return "IMAP"
        case .pop3: return "POP3"
        case .managesieve: return "ManageSieve"
        }
    }

    // MARK: greeting

    /// Reads the greeting; returns its text (the banner). A greeting that refuses service is an error.
    func greeting(_ session: Session) async throws(ProbeFailure) -> (banner: String, capabilities: Capabilities?) {
        switch self {
        case .smtp:
            let lines = try await session.read(Parsers.smtp, what: "SMTP greeting")
            let text = lines.map { String($0.dropFirst(4)) }.joined(separator: " / ")
            guard lines.last?.hasPrefix("220") == true else {
                throw .unexpected("the server refused the session: \(Text.clean(lines.last ?? ""))")
            }
            return (Text.clean(text), nil)
        case .imap:
            let lines = try await session.read(Parsers.imapGreeting, what: "IMAP greeting")
            let line = lines[0]
            if line.uppercased().hasPrefix("* BYE") { throw .unexpected("the server refused the session: \(Text.clean(line))") }
            return (Text.clean(line), nil)
        case .pop3:
            let lines = try await session.read(Parsers.pop3Line, what: "POP3 greeting")
            guard lines[0].hasPrefix("+OK") else { throw .unexpected("the server refused the session: \(Text.clean(lines[0]))") }
            return (Text.clean(lines[0]), nil)
        case .managesieve:
            let lines = try await session.read(Parsers.managesieve, what: "ManageSieve greeting")
            guard lines.last?.uppercased().hasPrefix("OK") == true else {
                throw .unexpected("the server refused the session: \(Text.clean(lines.last ?? ""))")
            }
            let implementation = lines.first { $0.uppercased().hasPrefix("\"IMPLEMENTATION\"") }
            return (Text.clean(lines.last! + (implementation.map { " (\($0))" } ?? "")), Self.sieveCapabilities(lines))
        }
    }

    // MARK: capabilities

    func capabilities(_ session: Session, afterTLS: Bool) async throws(ProbeFailure) -> Capabilities {
        switch self {
        case .smtp(let hello):
            let domain = session.localAddress.map { $0.contains(":") ? "[IPv6:\($0)]" : "[\($0)]" } ?? "[127.0.0.1]"
            try await session.send("\(hello) \(domain)")
            let lines = try await session.read(Parsers.smtp, what: "reply to \(hello)")
            guard lines.last?.hasPrefix("250") == true else {
                // No ESMTP: no extensions, so no STARTTLS and no AUTH.
                return Capabilities(listed: false)
            }
            var caps = Capabilities()
            for line in lines.dropFirst() {
                let keyword = String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces)
                caps.keywords.append(keyword)
                let upper = keyword.uppercased()
                if upper == "STARTTLS" { caps.startTLS = true }
                if upper.hasPrefix("AUTH ") || upper.hasPrefix("AUTH=") {
                    for m in upper.dropFirst(5).split(separator: " ") where !caps.mechanisms.contains(m.lowercased()) {
                        caps.mechanisms.append(m.lowercased())
                    }
                }
            }
            return caps
        case .imap:
            let tag = afterTLS ? "a3" : "a1"
            try await session.send("\(tag) CAPABILITY")
            let lines = try await session.read(Parsers.imapTagged(tag), what: "reply to CAPABILITY")
            var caps = Capabilities()
            for line in lines where line.uppercased().hasPrefix("* CAPABILITY") {
                caps.keywords += line.split(separator: " ").dropFirst(2).map(String.init)
            }
            for atom in caps.keywords.map({ $0.uppercased() }) {
                if atom == "STARTTLS" { caps.startTLS = true }
                if atom == "LOGINDISABLED" { caps.loginDisabled = true }
                if atom.hasPrefix("AUTH=") { caps.mechanisms.append(String(atom.dropFirst(5)).lowercased()) }
            }
            if caps.loginDisabled == nil { caps.loginDisabled = false; caps.plaintextLogin = "LOGIN (no LOGINDISABLED)" }
            return caps
        case .pop3:
            try await session.send("CAPA")
            let first = try await session.read(Parsers.pop3Line, what: "reply to CAPA")
            guard first[0].hasPrefix("+OK") else { return Capabilities(listed: false) }
            let lines = try await session.read(Parsers.pop3MultiLine, what: "CAPA list")
            var caps = Capabilities()
            caps.keywords = lines
            for line in lines {
                let upper = line.uppercased()
                if upper == "STLS" { caps.startTLS = true }
                if upper == "USER" { caps.plaintextLogin = "USER" }
                if upper.hasPrefix("SASL") { caps.mechanisms += upper.split(separator: " ").dropFirst().map { $0.lowercased() } }
            }
            return caps
        case .managesieve:
            // The greeting is the capability list; after TLS the server sends it again unasked (RFC 5804 §2.2).
            let lines = try await session.read(Parsers.managesieve, what: "ManageSieve capabilities")
            return Self.sieveCapabilities(lines)
        }
    }

    static func sieveCapabilities(_ lines: [String]) -> Capabilities {
        var caps = Capabilities()
        for line in lines.dropLast() {
            let parts = line.split(separator: "\"").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
            guard let name = parts.first?.uppercased() else { continue }
            caps.keywords.append(line)
            if name == "STARTTLS" { caps.startTLS = true }
            if name == "SASL", parts.count > 1 { caps.mechanisms = parts[1].split(separator: " ").map { $0.lowercased() } }
        }
        return caps
    }

    // MARK: STARTTLS

    /// Sends STARTTLS/STLS and reads the go-ahead; throws with the server's answer when refused.
    func requestTLS(_ session: Session) async throws(ProbeFailure) {
        switch self {
        case .smtp:
            try await session.send("STARTTLS")
            let lines = try await session.read(Parsers.smtp, what: "reply to STARTTLS")
            guard lines.last?.hasPrefix("220") == true else { throw .tls("the server refused STARTTLS: \(Text.clean(lines.last ?? ""))") }
        case .imap:
            try await session.send("a2 STARTTLS")
            let lines = try await session.read(Parsers.imapTagged("a2"), what: "reply to STARTTLS")
            guard lines.last?.uppercased().hasPrefix("A2 OK") == true else { throw .tls("the server refused STARTTLS: \(Text.clean(lines.last ?? ""))") }
        case .pop3:
            try await session.send("STLS")
            let lines = try await session.read(Parsers.pop3Line, what: "reply to STLS")
            guard lines[0].hasPrefix("+OK") else { throw .tls("the server refused STLS: \(Text.clean(lines[0]))") }
        case .managesieve:
            try await session.send("STARTTLS")
            let lines = try await session.read(Parsers.managesieve, what: "reply to STARTTLS")
            guard lines.last?.uppercased().hasPrefix("OK") == true else { throw .tls("the server refused STARTTLS: \(Text.clean(lines.last ?? ""))") }
        }
    }

    /// Says goodbye without waiting long for the answer.
    func quit(_ session: Session) async {
        switch self {
        case .smtp: try? await session.send("QUIT")
        case .imap: try? await session.send("a4 LOGOUT")
        case .pop3: try? await session.send("QUIT")
        case .managesieve: try? await session.send("LOGOUT")
        }
    }
}

/// Where one reply ends, per protocol, and which bytes cannot start one (garbage is reported at
/// once instead of waiting for the timeout).
enum Parsers {
    /// Complete lines (CRLF or LF) in `bytes`, and the offset after the last one.
    static func lines(_ bytes: [UInt8]) -> (lines: [String], ends: [Int]) {
        var out: [String] = [], ends: [Int] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            var end = i
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            out.append(String(decoding: bytes[start..<end], as: UTF8.self))
            ends.append(i + 1)
            start = i + 1
        }
        return (out, ends)
    }

    static func garbage(_ bytes: [UInt8], _ protocolName: String) -> ProbeFailure {
        .unexpected("the reply is not \(protocolName): \(Text.quote(bytes))")
    }

    /// Any bytes at all, left in the buffer for the real parser (to tell a greeting from silence).
    static let anyBytes = ReplyParser { bytes throws(ProbeFailure) in bytes.isEmpty ? nil : (0, []) }

    /// SMTP: `ddd-text` lines until `ddd text`.
    static let smtp = ReplyParser { bytes throws(ProbeFailure) in
        let prefix = bytes.prefix(3)
        if !prefix.allSatisfy({ (0x30...0x39).contains($0) }) { throw garbage(bytes, "SMTP") }
        let (lines, ends) = lines(bytes)
        for (n, line) in lines.enumerated() {
            let chars = Array(line.utf8)
            guard chars.count >= 3, chars.prefix(3).allSatisfy({ (0x30...0x39).contains($0) }),
                  chars.count == 3 || chars[3] == 0x20 || chars[3] == 0x2D else { throw garbage(bytes, "SMTP") }
            if chars.count == 3 || chars[3] == 0x20 { return (ends[n], Array(lines[...n])) }
        }
        return nil
    }

    /// IMAP greeting: one untagged line.
    static let imapGreeting = ReplyParser { bytes throws(ProbeFailure) in
        if bytes.count >= 2, !(bytes[0] == 0x2A && bytes[1] == 0x20) { throw garbage(bytes, "IMAP") }
        if bytes.count == 1, bytes[0] != 0x2A { throw garbage(bytes, "IMAP") }
        let (lines, ends) = lines(bytes)
        guard let first = lines.first else { return nil }
        return (ends[0], [first])
    }

    /// IMAP: untagged lines until the tagged status line.
    static func imapTagged(_ tag: String) -> ReplyParser {
        ReplyParser { bytes throws(ProbeFailure) in
            let (lines, ends) = lines(bytes)
            for (n, line) in lines.enumerated() {
                if line.hasPrefix(tag + " ") { return (ends[n], Array(lines[...n])) }
                if !(line.hasPrefix("* ") || line.hasPrefix("+")) { throw garbage(bytes, "IMAP") }
            }
            return nil
        }
    }

    /// POP3: one status line, `+OK` or `-ERR`.
    static let pop3Line = ReplyParser { bytes throws(ProbeFailure) in
        if let first = bytes.first, first != 0x2B, first != 0x2D { throw garbage(bytes, "POP3") }
        let (lines, ends) = lines(bytes)
        guard let line = lines.first else { return nil }
        guard line.hasPrefix("+OK") || line.hasPrefix("-ERR") else { throw garbage(bytes, "POP3") }
        return (ends[0], [line])
    }

    /// POP3 multi-line body: lines until `.`.
    static let pop3MultiLine = ReplyParser { bytes throws(ProbeFailure) in
        let (lines, ends) = lines(bytes)
        for (n, line) in lines.enumerated() where line == "." { return (ends[n], Array(lines[..<n])) }
        return nil
    }

    /// ManageSieve: capability lines until `OK`, `NO` or `BYE`.
    static let managesieve = ReplyParser { bytes throws(ProbeFailure) in
        if let first = bytes.first, first != 0x22, ![0x4F, 0x4E, 0x42, 0x6F, 0x6E, 0x62].contains(first) { throw garbage(bytes, "ManageSieve") }
        let (lines, ends) = lines(bytes)
        for (n, line) in lines.enumerated() {
            let upper = line.uppercased()
            if upper.hasPrefix("OK") || upper.hasPrefix("NO") || upper.hasPrefix("BYE") { return (ends[n], Array(lines[...n])) }
            if !line.hasPrefix("\"") { throw garbage(bytes, "ManageSieve") }
        }
        return nil
    }
}
