import Foundation
import MailAuditCore

/// Mozilla autoconfig / ISPDB `config-v1.1.xml` (FORMATS §10): what a provider tells mail clients
/// to use. Every `<incomingServer>`/`<outgoingServer>` of every `<emailProvider>` is a client
/// endpoint. The format has no defaults: a server without `<port>` or `<socketType>` is rejected
/// by Thunderbird, so the value stays unknown and the file gets an MA000 — unless another server of
/// the same direction is readable, which Thunderbird then uses, skipping the one it cannot read.
struct AutoconfigFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "autoconfig",
        what: "Mozilla autoconfig / ISPDB (`config-v1.1`)",
        names: ["config-v1.1.xml"],
        namesNote: "and XML whose root is `<clientConfig>`",
        sniffed: .xml,
        commentMarkers: ["<!--"],
        fenceLanguage: "xml",
        program: .fixed("Mozilla autoconfig 1.1"),
        exampleVariants: [.crlf])

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        return name == "config-v1.1.xml" || name == "config-v1.1"
    }

    /// An XML document whose root is `<clientConfig>` (ISPDB files are named after the domain).
    func matches(content: SourceFile) -> Bool {
        XMLSniff.rootName(of: content) == "clientConfig"
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = AutoconfigMapper(file: file, ports: context.ports)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

/// The values of autoconfig elements, as Thunderbird's readFromXML reads them (case-sensitive).
enum AutoconfigVocabulary {
    static let socketTypes: [String: TLSMode] = ["SSL": .implicit, "STARTTLS": .starttls, "plain": TLSMode.none]
    /// Authentication values and the mechanisms they mean; `[]` is "the client does not authenticate".
    static let authentication: [String: [String]] = [
        "password-cleartext": ["plain"], "plain": ["plain"],
        "password-encrypted": ["cram-md5"], "secure": ["cram-md5"],
        "OAuth2": ["oauth2"], "GSSAPI": ["gssapi"], "NTLM": ["ntlm"], "TLS-client-cert": ["external"],
        "none": [], "client-IP-address": [], "smtp-after-pop": [],
    ]
    static let incomingTypes: [String: MailProtocol] = ["imap": .imap, "pop3": .pop3]
    /// Server types that are not a mail protocol of the model (Exchange, web APIs, news): not endpoints.
    static let otherTypes: Set<String> = ["exchange", "ews", "owa", "graph", "activesync", "eas", "jmap", "nntp"]
}

private struct AutoconfigMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let ports: PortTable
    var setup: MailSetup

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: AutoconfigFormat.description.id)
    }

    mutating func read() {
        let tree = XMLTree.parse(file)
        if let error = tree.error { diagnostics.report(error) }
        guard let root = tree.root else {
            if tree.error == nil { diagnostics.report("the file holds no XML element: an autoconfig file is a <clientConfig> document", at: .start(of: file.path)) }
            return
        }
        guard root.name == "clientConfig" else {
            diagnostics.report("the document element is <\(root.name)>, not <clientConfig>: this is not a Mozilla autoconfig file", at: root.span)
            return
        }
        let providers = root.children("emailProvider")
        if providers.isEmpty, root.isComplete {
            diagnostics.report("<clientConfig> holds no <emailProvider>, so it offers no server", at: root.span)
        }
        for provider in providers {
            let account = provider.attributes["id"].flatMap { XMLSniff.isPlaceholder($0) ? nil : $0 }
            var read: [(direction: Direction, problems: Range<Int>, endpoints: Range<Int>)] = []
            for server in provider.children where server.isComplete {
                let direction: Direction
                switch server.name {
                case "incomingServer": direction = .incoming
                case "outgoingServer": direction = .outgoing
                default: continue
                }
                let problems = diagnostics.count, endpoints = setup.endpoints.count
                readServer(server, direction: direction, account: account)
                read.append((direction, problems..<diagnostics.count, endpoints..<setup.endpoints.count))
            }
            skipUnreadableServers(read)
        }
    }

    /// Thunderbird's readFromXML skips a server it cannot read and takes the first one it can: the
    /// file is refused only when no server of a direction is readable. So when a server of the same
    /// direction was read without a problem, the others' problems are no parse errors, and the
    /// servers themselves are not endpoints, as Thunderbird never uses them.
    mutating func skipUnreadableServers(_ read: [(direction: Direction, problems: Range<Int>, endpoints: Range<Int>)]) {
        var problems = Set<Int>(), endpoints = Set<Int>()
        for direction in [Direction.incoming, .outgoing] {
            let servers = read.filter { $0.direction == direction }
            guard servers.contains(where: { $0.problems.isEmpty && !$0.endpoints.isEmpty }) else { continue }
            for server in servers where !server.problems.isEmpty {
                problems.formUnion(server.problems)
                endpoints.formUnion(server.endpoints)
            }
        }
        diagnostics.retain { offset, _ in !problems.contains(offset) }
        setup.endpoints = setup.endpoints.enumerated().filter { !endpoints.contains($0.offset) }.map(\.element)
    }

    mutating func readServer(_ server: XMLTree.Element, direction: Direction, account: String?) {
        let tag = server.name
        guard let type = server.attributes["type"] else {
            diagnostics.report("<\(tag)> has no type attribute (\(direction == .incoming ? "imap or pop3" : "smtp")); Thunderbird ignores it", at: server.span)
            return
        }
        let typeSpan = server.attributeSpans["type"] ?? server.span
        let proto: MailProtocol
        if direction == .incoming, let p = AutoconfigVocabulary.incomingTypes[type] {
            proto = p
        } else if direction == .outgoing, type == "smtp" {
            proto = .smtp
        } else if AutoconfigVocabulary.otherTypes.contains(type.lowercased()) {
            return  // Exchange/EWS/Graph/news: not a mail endpoint of the model
        } else {
            let known = direction == .incoming ? ["imap", "pop3"] : ["smtp"]
            diagnostics.report("<\(tag) type=\"\(type)\"> is not a server type Thunderbird reads (\(known.joined(separator: ", "))), so it ignores this server\(Suggestion.phrase(for: type, in: known))", at: typeSpan)
            return
        }

        var e = Endpoint(role: .client, location: server.span)
        e.account = account
        e.direction = direction
        e.set(\.protocol, proto, field: .protocol, span: typeSpan)

        // Host: a whole-value placeholder (%SERVER/IMAP/HOST%) is unknown, not an error.
        if let hostElement = server.child("hostname") {
            let host = hostElement.trimmedText
            if host.isEmpty {
                diagnostics.report("<hostname> is empty; Thunderbird ignores a server without a host name", at: hostElement.span)
            } else if !XMLSniff.isPlaceholder(host) {
                e.set(\.host, host, field: .host, span: hostElement.valueSpan)
            }
        } else {
            diagnostics.report("<\(tag)> has no <hostname>; Thunderbird ignores a server without one", at: server.span)
        }

        if let portElement = server.child("port") {
            let text = portElement.trimmedText
            if XMLSniff.isPlaceholder(text) {
                // a template value: unknown until the template is filled in
            } else if let port = Int(text), (1...65535).contains(port) {
                e.set(\.port, port, field: .port, span: portElement.valueSpan)
            } else {
                diagnostics.report("<port> must be a number from 1 to 65535, found '\(text)'", at: portElement.valueSpan)
            }
        } else {
            diagnostics.report("<\(tag)> has no <port>; autoconfig has no default port, so Thunderbird ignores this server", at: server.span)
        }

        readSocketType(server, into: &e)
        readAuthentication(server, into: &e, direction: direction)

        if let password = server.child("password"), let span = password.textSpan, !password.trimmedText.isEmpty {
            e.credential = .inline
            e.spans[.credential] = span
            setup.secrets.append(span)
        }
        setup.endpoints.append(e)
    }

    /// The first `<socketType>` Thunderbird knows decides; plain, STARTTLS (required) or SSL (implicit).
    mutating func readSocketType(_ server: XMLTree.Element, into e: inout Endpoint) {
        let elements = server.children("socketType")
        guard !elements.isEmpty else {
            var hint = ""
            if let ssl = server.child("ssl") { hint = " (<ssl>\(ssl.trimmedText)</ssl> is not an autoconfig element: write <socketType>SSL</socketType> or <socketType>STARTTLS</socketType>)" }
            diagnostics.report("<\(server.name)> has no <socketType>\(hint); autoconfig has no default, so Thunderbird ignores this server", at: server.child("ssl")?.span ?? server.span)
            return
        }
        var unknown: [XMLTree.Element] = []
        for element in elements {
            let value = element.trimmedText
            if XMLSniff.isPlaceholder(value) { return }  // a template: unknown
            if let mode = AutoconfigVocabulary.socketTypes[value] {
                let span = element.valueSpan
                e.set(\.tls, mode, field: .tls, span: span)
                e.set(\.tlsRequired, mode != TLSMode.none, field: .tlsRequired, span: span)
                if mode != TLSMode.none { e.verifyCertificate = true }  // Thunderbird always checks certificates
                return
            }
            unknown.append(element)
        }
        let names = Array(AutoconfigVocabulary.socketTypes.keys).sorted()
        for element in unknown {
            let value = element.trimmedText
            let caseHint = names.first { $0.lowercased() == value.lowercased() }.map { " — values are case-sensitive: write '\($0)'" }
            diagnostics.report("<socketType> '\(value)' is not one of SSL, STARTTLS, plain, so Thunderbird ignores this server\(caseHint ?? Suggestion.phrase(for: value, in: names))", at: element.valueSpan)
        }
    }

    /// Every `<authentication>` Thunderbird knows, in the file's order of preference.
    mutating func readAuthentication(_ server: XMLTree.Element, into e: inout Endpoint, direction: Direction) {
        let elements = server.children("authentication")
        guard !elements.isEmpty else {
            diagnostics.report("<\(server.name)> has no <authentication>; Thunderbird ignores a server without one", at: server.span)
            return
        }
        var mechanisms: [String] = []
        var firstSpan: SourceSpan?
        var unknown: [XMLTree.Element] = []
        for element in elements {
            let value = element.trimmedText
            if let m = AutoconfigVocabulary.authentication[value] ?? AutoconfigVocabulary.authentication.first(where: { $0.key.lowercased() == value.lowercased() })?.value {
                if firstSpan == nil { firstSpan = element.valueSpan }
                for x in m where !mechanisms.contains(x) { mechanisms.append(x) }
            } else {
                unknown.append(element)
            }
        }
        if let firstSpan {
            e.set(\.auth, mechanisms, field: .auth, span: firstSpan)
            if mechanisms.isEmpty { e.credential = CredentialKind.none }
        } else {
            let names = Array(AutoconfigVocabulary.authentication.keys).sorted()
            for element in unknown {
                let value = element.trimmedText
                diagnostics.report("<authentication> '\(value)' is not an autoconfig value (password-cleartext, password-encrypted, OAuth2, GSSAPI, NTLM, TLS-client-cert, none, client-IP-address), and Thunderbird ignores a server without a known one\(Suggestion.phrase(for: value, in: names))", at: element.valueSpan)
            }
        }
    }
}
