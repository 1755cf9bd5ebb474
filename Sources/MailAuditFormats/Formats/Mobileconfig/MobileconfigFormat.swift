import Foundation
import MailAuditCore

/// Apple configuration profiles (FORMATS §11): the `com.apple.mail.managed` payloads of an XML
/// property list. Each payload gives an incoming (IMAP/POP) and an outgoing (SMTP) client endpoint
/// and an identity whose content encryption comes from the S/MIME keys. Signed (CMS) and binary
/// (`bplist00`) profiles are refused with a message that says so when the file is read.
struct MobileconfigFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "mobileconfig",
        what: "Apple configuration profile, mail payload (Apple Mail, iOS 17)",
        names: ["*.mobileconfig"],
        sniffed: .xml,
        commentMarkers: ["<!--"],
        fenceLanguage: "xml",
        program: .fixed("Apple Mail (iOS 17)"),
        exampleVariants: [.crlf])

    func matches(fileName: String, path: String) -> Bool {
        fileName.lowercased().hasSuffix(".mobileconfig")
    }

    /// An XML property list that is a configuration profile (`PayloadContent`/`PayloadType` keys).
    func matches(content: SourceFile) -> Bool {
        guard XMLSniff.rootName(of: content) == "plist" else { return false }
        let head = content.text.prefix(262_144)
        return head.contains("<key>PayloadContent</key>") || head.contains("<key>PayloadType</key>")
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = MobileconfigMapper(file: file, ports: context.ports)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

/// One value of an XML property list, with the element it came from.
struct PlistNode {
    enum Value {
        case dict([(key: String, keyElement: XMLTree.Element, value: PlistNode)])
        case array([PlistNode])
        case string(String)
        case integer(Int)
        case real(Double)
        case bool(Bool)
        case other(String)  // date, data
    }
    var value: Value
    var element: XMLTree.Element

    /// The entry for `key` of a dict.
    subscript(key: String) -> PlistNode? {
        guard case .dict(let entries) = value else { return nil }
        return entries.last { $0.key == key }?.value
    }
    var string: String? { if case .string(let s) = value { return s.trimmingCharacters(in: .whitespacesAndNewlines) }; return nil }
    var bool: Bool? { if case .bool(let b) = value { return b }; return nil }
    var integer: Int? {
        switch value {
        case .integer(let i): return i
        case .real(let d): return d == d.rounded() && abs(d) < 1e9 ? Int(d) : nil
        default: return nil
        }
    }
    var array: [PlistNode]? { if case .array(let a) = value { return a }; return nil }
    /// Where a finding about this value points.
    var span: SourceSpan { element.valueSpan }

    var kindName: String {
        switch value {
        case .dict: return "<dict>"
        case .array: return "<array>"
        case .string: return "<string>"
        case .integer: return "<integer>"
        case .real: return "<real>"
        case .bool(let b): return b ? "<true/>" : "<false/>"
        case .other(let n): return "<\(n)>"
        }
    }

    /// Builds the value of a plist element; problems (a key without a value, an unknown element) are reported.
    static func build(_ element: XMLTree.Element, problems: inout [(String, SourceSpan)]) -> PlistNode {
        switch element.name {
        case "dict":
            var entries: [(key: String, keyElement: XMLTree.Element, value: PlistNode)] = []
            var pendingKey: XMLTree.Element?
            for child in element.children {
                if child.name == "key" {
                    if let k = pendingKey { problems.append(("<key>\(k.trimmedText)</key> has no value after it", k.span)) }
                    pendingKey = child
                } else if let k = pendingKey {
                    entries.append((k.trimmedText, k, build(child, problems: &problems)))
                    pendingKey = nil
                } else {
                    problems.append(("a <\(child.name)> value inside <dict> without a <key> before it", child.span))
                }
            }
            if let k = pendingKey, element.isComplete { problems.append(("<key>\(k.trimmedText)</key> has no value after it", k.span)) }
            return PlistNode(value: .dict(entries), element: element)
        case "array":
            return PlistNode(value: .array(element.children.map { build($0, problems: &problems) }), element: element)
        case "string":
            return PlistNode(value: .string(element.text), element: element)
        case "integer":
            guard let i = Int(element.trimmedText) else {
                problems.append(("<integer> holds '\(element.trimmedText)', not a whole number", element.valueSpan))
                return PlistNode(value: .other("integer"), element: element)
            }
            return PlistNode(value: .integer(i), element: element)
        case "real":
            guard let d = Double(element.trimmedText) else {
                problems.append(("<real> holds '\(element.trimmedText)', not a number", element.valueSpan))
                return PlistNode(value: .other("real"), element: element)
            }
            return PlistNode(value: .real(d), element: element)
        case "true": return PlistNode(value: .bool(true), element: element)
        case "false": return PlistNode(value: .bool(false), element: element)
        case "date", "data": return PlistNode(value: .other(element.name), element: element)
        default:
            problems.append(("<\(element.name)> is not a property list element (dict, array, string, integer, real, true, false, date, data)", element.span))
            return PlistNode(value: .other(element.name), element: element)
        }
    }
}

private struct MobileconfigMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let ports: PortTable
    var setup: MailSetup

    static let accountTypes: [String: MailProtocol] = ["EmailTypeIMAP": .imap, "EmailTypePOP": .pop3]
    static let authentication: [String: [String]] = [
        "EmailAuthPassword": ["plain"], "EmailAuthCRAMMD5": ["cram-md5"], "EmailAuthNTLM": ["ntlm"],
        "EmailAuthHTTPMD5": ["digest-md5"], "EmailAuthNone": [],
    ]
    static let mailPayload = "com.apple.mail.managed"

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: MobileconfigFormat.description.id)
    }

    mutating func read() {
        if file.text.hasPrefix("bplist") {
            diagnostics.report(BinaryInputKind.describe(Data(file.text.prefix(8).utf8)) ?? "a binary property list", at: .start(of: file.path))
            return
        }
        let tree = XMLTree.parse(file)
        if let error = tree.error { diagnostics.report(error) }
        guard let root = tree.root else {
            if tree.error == nil { diagnostics.report("the file holds no XML element: a configuration profile is a <plist> document", at: .start(of: file.path)) }
            return
        }
        guard root.name == "plist" else {
            diagnostics.report("the document element is <\(root.name)>, not <plist>: this is not an XML configuration profile", at: root.span)
            return
        }
        guard let top = root.children.first else {
            if root.isComplete { diagnostics.report("<plist> is empty", at: root.span) }
            return
        }
        var problems: [(String, SourceSpan)] = []
        let profile = PlistNode.build(top, problems: &problems)
        for (message, span) in problems { diagnostics.report(message, at: span) }
        guard case .dict = profile.value else {
            diagnostics.report("a configuration profile is a <dict>, found \(profile.kindName)", at: top.span)
            return
        }
        // A profile lists payloads in PayloadContent; a bare payload dict is read as one.
        var payloads: [PlistNode] = []
        if profile["PayloadType"]?.string == Self.mailPayload {
            payloads = [profile]
        } else if let content = profile["PayloadContent"] {
            if let list = content.array { payloads = list } else { diagnostics.report("PayloadContent must be an <array> of payloads, found \(content.kindName)", at: content.element.span) }
        }
        for payload in payloads where payload["PayloadType"]?.string == Self.mailPayload && payload.element.isComplete {
            readMailPayload(payload)
        }
    }

    /// A typed value of a payload key; a value of the wrong type is reported and ignored.
    mutating func bool(_ payload: PlistNode, _ key: String) -> (Bool, SourceSpan)? {
        guard let node = payload[key] else { return nil }
        if let b = node.bool { return (b, node.element.span) }
        diagnostics.report("\(key) must be <true/> or <false/>, found \(node.kindName)", at: node.element.span)
        return nil
    }

    mutating func string(_ payload: PlistNode, _ key: String) -> (String, PlistNode)? {
        guard let node = payload[key] else { return nil }
        if let s = node.string { return s.isEmpty ? nil : (s, node) }
        diagnostics.report("\(key) must be a <string>, found \(node.kindName)", at: node.element.span)
        return nil
    }

    mutating func readMailPayload(_ payload: PlistNode) {
        let name = [string(payload, "EmailAddress")?.0, string(payload, "EmailAccountDescription")?.0, string(payload, "PayloadDisplayName")?.0]
            .compactMap { $0 }.first
        let location = payload.element.span

        // Incoming: IMAP or POP.
        var incomingCredential: (CredentialKind, SourceSpan)?
        if let (typeName, typeNode) = string(payload, "EmailAccountType") {
            if let proto = Self.accountTypes[typeName] {
                var e = endpoint(payload, prefix: "Incoming", direction: .incoming, protocol: proto, account: name, location: location)
                e.spans[.protocol] = typeNode.span
                if let (secret, node) = string(payload, "IncomingPassword") {
                    _ = secret
                    e.credential = .inline
                    e.spans[.credential] = node.span
                    setup.secrets.append(node.span)
                    incomingCredential = (.inline, node.span)
                }
                setup.endpoints.append(e)
            } else {
                let names = Array(Self.accountTypes.keys).sorted()
                diagnostics.report("EmailAccountType must be EmailTypeIMAP or EmailTypePOP, found '\(typeName)'\(Suggestion.phrase(for: typeName, in: names))", at: typeNode.span)
            }
        } else {
            diagnostics.report("this com.apple.mail.managed payload has no EmailAccountType (EmailTypeIMAP or EmailTypePOP), a required key", at: location)
        }

        // Outgoing: SMTP.
        var out = endpoint(payload, prefix: "Outgoing", direction: .outgoing, protocol: .smtp, account: name, location: location)
        if let (_, node) = string(payload, "OutgoingPassword") {
            out.credential = .inline
            out.spans[.credential] = node.span
            setup.secrets.append(node.span)
        } else if let (same, span) = bool(payload, "OutgoingPasswordSameAsIncomingPassword"), same, let (kind, _) = incomingCredential {
            out.credential = kind
            out.spans[.credential] = span
        }
        setup.endpoints.append(out)

        readSMIME(payload, name: name, location: location)
    }

    /// One endpoint from the `Incoming…`/`Outgoing…` keys. `…UseSSL` is false when absent; when
    /// true, the mode follows the port (implicit on 993/995/465, STARTTLS elsewhere).
    mutating func endpoint(_ payload: PlistNode, prefix: String, direction: Direction, protocol proto: MailProtocol,
                           account: String?, location: SourceSpan) -> Endpoint {
        var e = Endpoint(role: .client, location: location)
        e.account = account
        e.direction = direction
        e.protocol = proto
        if let (host, node) = string(payload, "\(prefix)MailServerHostName") {
            e.set(\.host, host, field: .host, span: node.span)
        }
        var explicitPort: Int?
        if let node = payload["\(prefix)MailServerPortNumber"] {
            if let p = node.integer, (1...65535).contains(p) {
                explicitPort = p
                e.set(\.port, p, field: .port, span: node.span)
            } else {
                diagnostics.report("\(prefix)MailServerPortNumber must be an <integer> from 1 to 65535, found \(node.kindName) \(node.element.trimmedText)", at: node.span)
            }
        }
        let ssl = bool(payload, "\(prefix)MailServerUseSSL")
        let useSSL = ssl?.0 ?? false
        let sslSpan = ssl?.1
        let mode: TLSMode?
        if !useSSL {
            mode = TLSMode.none
        } else if let p = explicitPort {
            mode = ports.entry(for: p)?.tls == .implicit ? .implicit : .starttls
        } else {
            // No port: the standard SSL port for IMAP/POP; for SMTP several ports are tried.
            mode = direction == .incoming ? .implicit : nil
        }
        e.set(\.tls, mode, field: .tls, span: mode == nil ? nil : sslSpan)
        e.set(\.tlsRequired, useSSL, field: .tlsRequired, span: sslSpan)
        if useSSL { e.verifyCertificate = true }
        if explicitPort == nil, direction == .incoming, let mode {
            e.port = ports.defaultPort(for: proto, tls: mode, direction: direction)
            e.portIsDefault = e.port != nil
        }
        if let (value, node) = string(payload, "\(prefix)MailServerAuthentication") {
            if let mechanisms = Self.authentication[value] {
                e.set(\.auth, mechanisms, field: .auth, span: node.span)
                if mechanisms.isEmpty { e.credential = CredentialKind.none; e.spans[.credential] = node.span }
            } else {
                let names = Array(Self.authentication.keys).sorted()
                diagnostics.report("\(prefix)MailServerAuthentication must be one of \(names.joined(separator: ", ")), found '\(value)'\(Suggestion.phrase(for: value, in: names))", at: node.span)
            }
        }
        return e
    }

    /// S/MIME: encryption by default (SMIMEEncryptByDefault, formerly SMIMEEncryptionEnabled) is
    /// `always`; S/MIME that is only available per message (the per-message switch, a certificate,
    /// SMIMEEnabled) is `per-message`; no S/MIME is `never`.
    mutating func readSMIME(_ payload: PlistNode, name: String?, location: SourceSpan) {
        var identity = Identity(name: name, contentEncryption: ContentEncryption.never, location: location)
        let byDefault = bool(payload, "SMIMEEncryptByDefault") ?? bool(payload, "SMIMEEncryptionEnabled")
        if let (on, span) = byDefault, on {
            identity.contentEncryption = .always
            identity.spans["contentEncryption"] = span
        } else if let (_, span) = [bool(payload, "SMIMEEnablePerMessageSwitch"), bool(payload, "SMIMEEncryptByDefaultUserOverrideable"),
                                   bool(payload, "SMIMEEnabled")].compactMap({ $0 }).first(where: { $0.0 }) {
            identity.contentEncryption = .perMessage
            identity.spans["contentEncryption"] = span
        } else if let (_, node) = string(payload, "SMIMEEncryptionCertificateUUID") {
            identity.contentEncryption = .perMessage
            identity.spans["contentEncryption"] = node.span
        } else if let (_, span) = byDefault {
            identity.spans["contentEncryption"] = span
        }
        setup.identities.append(identity)
    }
}
