import Foundation
import MailAuditCore

/// Microsoft Autodiscover POX responses (FORMATS §12): one client endpoint per `<Protocol>` of
/// type IMAP, POP3 or SMTP. `<Encryption>` (None, SSL, TLS, Auto) decides the TLS mode; without
/// it `<SSL>` does (default on: implicit TLS on an implicit-TLS port, STARTTLS elsewhere).
/// The JSON form (`autodiscover.json`, Autodiscover v2) holds no server settings, only where the
/// POX response is: it gets a precise MA000 rather than a silent pass.
struct AutodiscoverFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "autodiscover",
        what: "Microsoft Autodiscover (POX, schema 2006a)",
        names: ["autodiscover.xml"],
        sniffed: .xml,
        commentMarkers: ["<!--"],
        fenceLanguage: "xml",
        program: .fixed("Autodiscover POX 2006a"),
        exampleVariants: [.crlf])

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        return name == "autodiscover.xml" || name == "autodiscover.json"
    }

    func matches(content: SourceFile) -> Bool {
        XMLSniff.rootName(of: content) == "Autodiscover"
    }

    /// JSON Autodiscover (v2 answers only point at the POX service) holds no server settings to read:
    /// a walk passes over `autodiscover.json`; named on the command line it is still explained.
    func confirms(content: SourceFile) -> Bool {
        content.text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" }).first != "{"
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = AutodiscoverMapper(file: file, ports: context.ports)
        if file.text.drop(while: { $0.isWhitespace }).first == "{" {
            reader.readJSON()
        } else {
            reader.read()
        }
        return reader.setup.reporting(reader.diagnostics)
    }
}

private struct AutodiscoverMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let ports: PortTable
    var setup: MailSetup

    static let mailTypes: [String: (MailProtocol, Direction)] = [
        "IMAP": (.imap, .incoming), "POP3": (.pop3, .incoming), "SMTP": (.smtp, .outgoing),
    ]
    /// Exchange protocol types: not mail endpoints of the model.
    static let exchangeTypes: Set<String> = ["EXCH", "EXPR", "EXHTTP", "WEB", "MOBILESYNC", "CERTPRINCIPALNAME", "DAV", "RPC"]
    static let encryptionValues: [String: TLSMode?] = ["None": TLSMode.none, "SSL": .implicit, "TLS": .starttls, "Auto": nil]

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: AutodiscoverFormat.description.id)
    }

    /// `{"Protocol": "AutodiscoverV1", "Url": "…"}` only says where the XML is; other JSON is not Autodiscover.
    mutating func readJSON() {
        let object = (try? JSONSerialization.jsonObject(with: Data(file.text.utf8))) as? [String: Any]
        if let object, let url = object["Url"] as? String, object["Protocol"] != nil {
            let line = file.lines.firstIndex { $0.contains("\"Url\"") }.map { $0 + 1 } ?? 1
            diagnostics.report("this is an Autodiscover v2 JSON response: it holds no mail server settings, only the URL of the POX response (\(url)); mailaudit reads the POX XML (autodiscover.xml), so lint that file instead", at: file.lineSpan(line))
        } else if object != nil {
            diagnostics.report("JSON Autodiscover is not supported, and this JSON is not an Autodiscover v2 response either (no \"Protocol\" and \"Url\" keys); mailaudit reads the POX XML response (autodiscover.xml)", at: file.lineSpan(1))
        } else {
            diagnostics.report("this file starts like JSON but is not valid JSON; mailaudit reads Autodiscover as the POX XML response (autodiscover.xml)", at: file.lineSpan(1))
        }
    }

    mutating func read() {
        let tree = XMLTree.parse(file)
        if let error = tree.error { diagnostics.report(error) }
        guard let root = tree.root else {
            if tree.error == nil { diagnostics.report("the file holds no XML element: an Autodiscover response is an <Autodiscover> document", at: .start(of: file.path)) }
            return
        }
        guard root.name == "Autodiscover" else {
            diagnostics.report("the document element is <\(root.name)>, not <Autodiscover>: this is not an Autodiscover response", at: root.span)
            return
        }
        if root.child("Response") == nil, let request = root.child("Request") {
            diagnostics.report("this is an Autodiscover request, not a response: it holds no server settings", at: request.span)
            return
        }
        // An empty <Autodiscover/> (or one holding only comments) is a valid response with no settings.
        for response in root.children("Response") {
            if let error = response.child("Error") {
                diagnostics.report("this Autodiscover response is an error response (\(error.child("Message")?.trimmedText ?? error.trimmedText)): it holds no server settings", at: error.span)
            }
            for account in response.children("Account") {
                for proto in account.children("Protocol") where proto.isComplete {
                    readProtocol(proto)
                }
            }
        }
    }

    mutating func readProtocol(_ element: XMLTree.Element) {
        let typeElement = element.child("Type")
        guard let type = typeElement?.trimmedText ?? element.attributes["Type"] else {
            diagnostics.report("<Protocol> has no <Type> (IMAP, POP3, SMTP)", at: element.span)
            return
        }
        let typeSpan = typeElement?.valueSpan ?? element.attributeSpans["Type"] ?? element.span
        guard let (proto, direction) = Self.mailTypes[type.uppercased()] else {
            if !Self.exchangeTypes.contains(type.uppercased()) {
                diagnostics.report("<Type>\(type)</Type> is not a protocol type of Autodiscover (IMAP, POP3, SMTP, or the Exchange types EXCH, EXPR, EXHTTP, WEB)\(Suggestion.phrase(for: type, in: ["IMAP", "POP3", "SMTP"]))", at: typeSpan)
            }
            return
        }
        var e = Endpoint(role: .client, location: element.span)
        e.direction = direction
        e.set(\.protocol, proto, field: .protocol, span: typeSpan)

        if let server = element.child("Server"), !server.trimmedText.isEmpty, !XMLSniff.isPlaceholder(server.trimmedText) {
            e.set(\.host, server.trimmedText, field: .host, span: server.valueSpan)
        }
        var port: Int?
        if let portElement = element.child("Port") {
            let text = portElement.trimmedText
            if let p = Int(text), (1...65535).contains(p) {
                port = p
                e.set(\.port, p, field: .port, span: portElement.valueSpan)
            } else if !XMLSniff.isPlaceholder(text) {
                diagnostics.report("<Port> must be a number from 1 to 65535, found '\(text)'", at: portElement.valueSpan)
            }
        }

        // TLS: <Encryption> overrides <SSL>; <SSL> is on when absent.
        if let encryption = element.child("Encryption"), XMLSniff.isPlaceholder(encryption.trimmedText) {
            // a template value: the TLS mode is unknown until it is filled in
        } else if let encryption = element.child("Encryption") {
            let value = encryption.trimmedText
            if let match = Self.encryptionValues.first(where: { $0.key.lowercased() == value.lowercased() }) {
                let span = encryption.valueSpan
                e.set(\.tls, match.value, field: .tls, span: match.value == nil ? nil : span)
                // Auto lets the client choose, so nothing requires TLS.
                e.set(\.tlsRequired, match.value.map { $0 != TLSMode.none } ?? false, field: .tlsRequired, span: span)
                if let ssl = element.child("SSL") { e.addRelated(ssl.valueSpan, for: .tls) }
            } else {
                diagnostics.report("<Encryption> must be None, SSL, TLS or Auto, found '\(value)'\(Suggestion.phrase(for: value, in: Array(Self.encryptionValues.keys)))", at: encryption.valueSpan)
            }
        } else if let ssl = element.child("SSL") {
            // A template value (%SERVER/IMAP/SSL_ON%) leaves the TLS mode unknown.
            switch XMLSniff.isPlaceholder(ssl.trimmedText) ? "%" : ssl.trimmedText.lowercased() {
            case "%": break
            case "on": setTLSFromSSL(&e, port: port, span: ssl.valueSpan)
            case "off":
                e.set(\.tls, TLSMode.none, field: .tls, span: ssl.valueSpan)
                e.set(\.tlsRequired, false, field: .tlsRequired, span: ssl.valueSpan)
            default:
                // Another value (`SSL`, `TLS`, …) is not an error to the clients: Thunderbird takes
                // anything but `off` as on, and what Outlook does is not documented. The TLS mode
                // stays unknown rather than defaulted either way.
                e.spans[.tls] = ssl.valueSpan
            }
        } else {
            setTLSFromSSL(&e, port: port, span: nil)
        }
        if let tls = e.tls, tls != TLSMode.none { e.verifyCertificate = true }

        // Authentication: AuthRequired off means none; else SPA (default on) means NTLM, off a password.
        let authRequired = element.child("AuthRequired")
        if let authRequired, authRequired.trimmedText.lowercased() == "off" {
            e.set(\.auth, [], field: .auth, span: authRequired.valueSpan)
            e.credential = CredentialKind.none
        } else if let package = element.child("AuthPackage"), !package.trimmedText.isEmpty {
            let mechanism: String
            switch package.trimmedText.lowercased() {
            case "basic": mechanism = "plain"
            case "kerb", "kerbntlm", "negotiate", "nego2": mechanism = "gssapi"
            case "certificate": mechanism = "external"
            case let other: mechanism = other
            }
            e.set(\.auth, [mechanism], field: .auth, span: package.valueSpan)
        } else if let spa = element.child("SPA") {
            switch spa.trimmedText.lowercased() {
            case "on": e.set(\.auth, ["ntlm"], field: .auth, span: spa.valueSpan)
            case "off": e.set(\.auth, ["password"], field: .auth, span: spa.valueSpan)
            default: diagnostics.report("<SPA> must be on or off, found '\(spa.trimmedText)'", at: spa.valueSpan)
            }
        } else {
            e.set(\.auth, ["ntlm"], field: .auth, span: nil)  // SPA is on when absent
        }
        if let authRequired, !["on", "off"].contains(authRequired.trimmedText.lowercased()) {
            diagnostics.report("<AuthRequired> must be on or off, found '\(authRequired.trimmedText)'", at: authRequired.valueSpan)
        }
        setup.endpoints.append(e)
    }

    /// `<SSL>on</SSL>` (or no `<SSL>`): implicit TLS on an implicit-TLS port, STARTTLS elsewhere; required either way.
    func setTLSFromSSL(_ e: inout Endpoint, port: Int?, span: SourceSpan?) {
        let mode: TLSMode? = port.map { ports.entry(for: $0)?.tls == .implicit ? .implicit : .starttls }
        e.set(\.tls, mode, field: .tls, span: mode == nil ? nil : span)
        e.set(\.tlsRequired, true, field: .tlsRequired, span: span)
    }
}
