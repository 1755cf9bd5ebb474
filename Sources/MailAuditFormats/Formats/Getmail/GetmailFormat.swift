import Foundation
import MailAuditCore

/// getmail 4 / getmail6 rc files (`getmailrc`, `~/.getmail/*`, `~/.config/getmail/*`): Python
/// `RawConfigParser` (no interpolation). The `[retriever]` section is the endpoint; its `type` decides
/// protocol and TLS (getmail6 6.18, `getmailcore/retrievers.py`, `_retrieverbases.py`):
///
/// - `Simple…`/`BrokenUIDL…`/`Multidrop…` POP3 and IMAP retrievers never use TLS (getmail has no
///   STARTTLS); the `…SSLRetriever` types use implicit TLS. Default ports 110/995/143/993.
/// - SSL retrievers check the certificate only when `ca_certs` is set (or pin it with
///   `ssl_fingerprints`); otherwise the socket is wrapped with `CERT_NONE`.
/// - `ssl_version` pins the protocol (`tlsv1` is TLS 1.0 exactly); unset means the library default.
/// - `password` is written in the file; `password_command` runs a command; with neither, getmail asks
///   the Python keyring, then prompts (unknown to us); `[options] use_netrc` reads `~/.netrc`.
/// - A file with `[retriever]` written twice is refused by getmail (DuplicateSectionError): reported,
///   and every `[retriever]` is still modelled (getmail's example collection is such a file).
struct GetmailFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "getmail",
        what: "getmail 4 and 6 (getmail6 6.18 defaults)",
        names: ["getmailrc", ".getmail/*"],
        commentMarkers: ["#", ";"],
        program: .fixed("getmail6 6.18"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if name.hasPrefix("getmailrc") || name.hasPrefix(".getmailrc") || name.hasSuffix(".getmailrc") { return true }
        let components = path.split(separator: "/")
        guard components.count >= 2, !name.hasPrefix(".") else { return false }
        let parent = components[components.count - 2]
        // `~/.getmail/NAME` and `~/.config/getmail/NAME`; not the program's own state files.
        return (parent == ".getmail" || parent == "getmail") && !name.hasPrefix("oldmail-") && !name.hasSuffix(".log")
    }

    func matches(content: SourceFile) -> Bool {
        var retriever = false
        for line in content.lines.prefix(2000) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t == "[retriever]" { retriever = true; continue }
            if retriever, t.hasPrefix("type"), t.hasSuffix("Retriever") { return true }
        }
        return false
    }

    /// Any file in a `getmail` folder is claimed by its place alone: in a walk it needs a retriever.
    func confirms(content: SourceFile) -> Bool {
        let name = (content.path as NSString).lastPathComponent.lowercased()
        return name.contains("getmailrc") || matches(content: content)
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = GetmailMapper(file: file, ports: context.ports)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

struct GetmailMapper {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let file: SourceFile
    let ports: PortTable
    var setup: MailSetup

    init(file: SourceFile, ports: PortTable) {
        self.file = file
        self.ports = ports
        self.setup = MailSetup(path: file.path, format: GetmailFormat.description.id)
    }

    /// Retriever classes: protocol, TLS, the service whose port is the default.
    static let retrievers: [String: (MailProtocol, TLSMode, String)] = [
        "SimplePOP3Retriever": (.pop3, .none, "pop3"),
        "BrokenUIDLPOP3Retriever": (.pop3, .none, "pop3"),
        "MultidropPOP3Retriever": (.pop3, .none, "pop3"),
        "MultidropSDPSRetriever": (.pop3, .none, "pop3"),
        "SimplePOP3SSLRetriever": (.pop3, .implicit, "pop3s"),
        "BrokenUIDLPOP3SSLRetriever": (.pop3, .implicit, "pop3s"),
        "MultidropPOP3SSLRetriever": (.pop3, .implicit, "pop3s"),
        "SimpleIMAPRetriever": (.imap, .none, "imap"),
        "MultidropIMAPRetriever": (.imap, .none, "imap"),
        "SimpleIMAPSSLRetriever": (.imap, .implicit, "imaps"),
        "MultidropIMAPSSLRetriever": (.imap, .implicit, "imaps"),
    ]

    mutating func read() {
        let document = INILexer.lex(file, dialect: .pythonConfigParser)
        diagnostics.report(contentsOf: document.diagnostics)
        let options = document.sections(named: "options").last
        for s in document.sections {
            // Secrets are masked wherever they are written.
            if let p = s.last("password"), p.value?.isEmpty == false { setup.secrets.append(p.valueSpan) }
        }
        let retrievers = document.sections(named: "retriever")
        if retrievers.isEmpty, let first = document.sections.first, document.sections(named: "destination").isEmpty == false {
            diagnostics.report("no [retriever] section: getmail stops with \"missing section (retriever)\"", at: first.headerSpan)
        }
        for r in retrievers { readRetriever(r, options: options) }
    }

    mutating func boolean(_ e: INIEntry) -> Bool? {
        let text = (e.value ?? "").lowercased()
        if ["true", "yes", "on", "1"].contains(text) { return true }
        if ["false", "no", "off", "0"].contains(text) { return false }
        diagnostics.report("`\(e.key)` must be true or false, found '\(e.value ?? "")'", at: e.valueSpan)
        return nil
    }

    mutating func readRetriever(_ r: INISection, options: INISection?) {
        guard let typeEntry = r.last("type") else {
            diagnostics.report("[retriever] has no `type` (SimpleIMAPSSLRetriever, SimplePOP3SSLRetriever, …)", at: r.headerSpan)
            return
        }
        let type = typeEntry.value ?? ""
        guard let (proto, tls, service) = Self.retrievers[type] else {
            diagnostics.report("unknown retriever type '\(type)'\(Suggestion.phrase(for: type, in: Array(Self.retrievers.keys).sorted()))", at: typeEntry.valueSpan)
            return
        }
        var e = Endpoint(role: .client, location: r.headerSpan)
        e.direction = .incoming
        e.set(\.protocol, proto, field: .protocol, span: typeEntry.valueSpan)
        e.set(\.tls, tls, field: .tls, span: typeEntry.valueSpan)
        e.set(\.tlsRequired, tls == .implicit, field: .tlsRequired, span: typeEntry.valueSpan)

        if let s = r.last("server"), let host = s.value, !host.isEmpty {
            e.set(\.host, host, field: .host, span: s.valueSpan)
        } else {
            diagnostics.report("[retriever] has no `server`: getmail stops with \"server: missing required configuration parameter\"", at: r.headerSpan)
        }
        if let p = r.last("port") {
            if let port = Int(p.value ?? ""), (1...65535).contains(port) {
                e.set(\.port, port, field: .port, span: p.valueSpan)
            } else {
                diagnostics.report("port must be a number, found '\(p.value ?? "")'", at: p.valueSpan)
                e.spans[.port] = p.valueSpan  // rejected: unknown, not getmail's default
            }
        }
        if e.port == nil, e.spans[.port] == nil {
            e.port = ports.port(service: service)
            e.portIsDefault = true
        }

        if tls == .implicit {
            let ca = r.last("ca_certs").flatMap { $0.value?.isEmpty == false ? $0 : nil }
            let pins = r.last("ssl_fingerprints").flatMap { ($0.value ?? "").contains(where: { $0.isHexDigit }) ? $0 : nil }
            if let pinned = ca ?? pins {
                e.set(\.verifyCertificate, true, field: .verifyCertificate, span: pinned.valueSpan)
            } else {
                // No ca_certs: getmail wraps the socket with CERT_NONE. The retriever type chose that.
                e.set(\.verifyCertificate, false, field: .verifyCertificate, span: nil)
            }
            if let v = r.last("ssl_version") {
                let text = (v.value ?? "").lowercased()
                let versions: [String: TLSVersion?] = ["sslv23": nil, "sslv3": .ssl3, "tlsv1": .tls10, "tlsv1_1": .tls11, "tlsv1_2": .tls12]
                if let version = versions[text] {
                    if let version { e.set(\.minTLSVersion, version, field: .minTLSVersion, span: v.valueSpan) }
                } else {
                    diagnostics.report("unknown ssl_version '\(v.value ?? "")': getmail knows sslv23, sslv3, tlsv1, tlsv1_1, tlsv1_2\(Suggestion.phrase(for: text, in: Array(versions.keys)))", at: v.valueSpan)
                }
            }
        }

        // Authentication: getmail always logs in (USER/PASS or APOP for POP3, LOGIN or a SASL mechanism for IMAP).
        var mechanism = proto == .pop3 ? "password" : "login"
        var mechanismSpan: SourceSpan? = nil
        let flags: [(String, String)] = proto == .pop3 ? [("use_apop", "apop")] : [("use_cram_md5", "cram-md5"), ("use_kerberos", "gssapi"), ("use_xoauth2", "xoauth2")]
        for (key, name) in flags {
            if let f = r.last(key), boolean(f) == true { mechanism = name; mechanismSpan = f.valueSpan }
        }

        if let p = r.last("password") {
            e.set(\.credential, .inline, field: .credential, span: p.valueSpan)
        } else if let c = r.last("password_command"), (c.value ?? "").contains(where: { $0.isLetter || $0.isNumber || $0 == "/" }) {
            e.set(\.credential, .command, field: .credential, span: c.valueSpan)
        } else if let n = options?.last("use_netrc"), boolean(n) == true {
            e.set(\.credential, .file, field: .credential, span: n.valueSpan)
        }
        // Without a flag the login itself is the default; the password setting is where it shows.
        e.set(\.auth, [mechanism], field: .auth, span: mechanismSpan ?? e.spans[.credential])
        setup.endpoints.append(e)
    }
}
