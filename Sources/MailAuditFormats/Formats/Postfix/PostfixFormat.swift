import Foundation
import MailAuditCore

/// Postfix: `main.cf` and `master.cf` (FORMATS §13). The two files of one directory are one setup: the
/// parser, given either, reads the other beside it (`main.cf.tpl` pairs with `master.cf.tpl`), and a
/// directory walk only picks `master.cf` when no `main.cf` sits next to it, so nothing is linted twice.
/// Every `smtpd` inet service is a server endpoint (a master.cf `-o` beats main.cf, which beats Postfix's
/// compiled-in default); the `smtp` delivery transport is the client endpoint toward `relayhost` or MX hosts.
struct PostfixFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "postfix",
        what: "Postfix 3.11 (`assume: { postfix: \"3.10\" }` for older)",
        names: ["main.cf", "master.cf"],
        namesNote: "(a directory with both is one setup)",
        program: .pinnable(ProgramPin(key: "postfix", name: "Postfix", modelled: "3.11", changes: [
            .init(since: "3.11", what: "with `compatibility_level = 3.11` or higher, `smtp_tls_security_level` defaults to `may` (opportunistic STARTTLS for outgoing mail); before, it was empty (no TLS)"),
        ])))

    func matches(fileName: String, path: String) -> Bool {
        // `main.cf`, `master.cf` and their templates; `main.cf.amavisd`, `main.cf.bak`, … are fragments and
        // copies: read when named (by content), not picked up in a directory walk.
        guard PostfixFiles.isSetupName(fileName) else { return false }
        switch PostfixFiles.kind(ofName: fileName) {
        case .main?: return true
        case .master?:
            // master.cf is read with the main.cf beside it; a lone master.cf is an input of its own, and so is one
            // whose main.cf cannot be read (50 MB, not UTF-8): its services are not lost with it.
            guard let sibling = PostfixFiles.siblingPath(of: path), FileManager.default.fileExists(atPath: sibling) else { return true }
            return (try? SourceFile.load(path: sibling)) == nil
        case nil: return false
        }
    }

    func matches(content: SourceFile) -> Bool {
        PostfixSniff.looksLikeMaster(content) || PostfixSniff.looksLikeMain(content)
    }

    /// The file and its sibling → statements (`PostfixSyntax`) → effective settings per service
    /// (`PostfixResolver`) → endpoints (`PostfixMapper`).
    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var setup = MailSetup(path: file.path, format: id)
        var diagnostics = Diagnostics()
        let files = PostfixFilePair.read(file, context: context, into: &setup, diagnostics: &diagnostics)
        var syntax = PostfixSyntax()
        let main = files.main.map { syntax.mainAssignments($0) } ?? [:]
        let services = files.master.map { syntax.services($0) } ?? []
        diagnostics.report(contentsOf: syntax.diagnostics)
        var mapper = PostfixMapper(context: context, resolver: PostfixResolver(main: main), services: services, setup: setup, diagnostics: diagnostics)
        let fallbackFile = files.main ?? files.master ?? file
        mapper.mapEndpoints(hasMaster: files.master != nil, hasMain: files.main != nil, fallback: SourceSpan(path: fallbackFile.path, line: 1, column: 1))
        return mapper.setup.reporting(mapper.diagnostics)
    }
}

/// File names: `main.cf[.X]` and `master.cf[.X]`, and the sibling each pairs with.
enum PostfixFiles {
    enum Kind { case main, master }

    static func kind(ofName name: String) -> Kind? {
        if name == "main.cf" || name.hasPrefix("main.cf.") { return .main }
        if name == "master.cf" || name.hasPrefix("master.cf.") { return .master }
        return nil
    }

    static let templateSuffixes = ["", ".tpl", ".j2", ".jinja", ".jinja2", ".in", ".template", ".erb", ".tmpl"]

    static func isSetupName(_ name: String) -> Bool {
        templateSuffixes.contains { name == "main.cf" + $0 || name == "master.cf" + $0 }
    }

    /// `dir/main.cf.tpl` ↔ `dir/master.cf.tpl`; nil for names that are neither.
    static func siblingPath(of path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        let directory = path.folderPath
        let other: String
        switch kind(ofName: name) {
        case .main?: other = "master.cf" + name.dropFirst("main.cf".count)
        case .master?: other = "main.cf" + name.dropFirst("master.cf".count)
        case nil: return nil
        }
        return directory.isEmpty ? other : (directory as NSString).appendingPathComponent(other)
    }
}

/// Content sniffing for files whose name says nothing (`postfix-amavis.cf`, `--as` not given).
enum PostfixSniff {
    static let serviceTypes: Set<String> = ["inet", "unix", "fifo", "pass", "unix-dgram"]

    /// A master.cf service line: `name type private unpriv chroot wakeup maxproc command`.
    static func isServiceLine(_ line: Substring) -> Bool {
        var text = line
        if let prefix = PostfixLexer.conditionPrefix(text) { text = text.dropFirst(prefix) }
        guard let first = text.first, !first.isWhitespace, first != "#" else { return false }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 8, serviceTypes.contains(String(fields[1])) else { return false }
        return fields[2...6].allSatisfy { $0.allSatisfy { "-yYnN0123456789?".contains($0) } }
    }

    static func looksLikeMaster(_ file: SourceFile) -> Bool {
        file.lines.prefix(400).contains(where: isServiceLine)
    }

    /// Names only Postfix uses (exim shares `smtp_*`-looking words, so those alone do not count).
    static let distinctive: [String] = ["smtpd_", "postscreen_", "myhostname", "mydestination", "mynetworks", "myorigin",
                                        "relayhost", "inet_interfaces", "inet_protocols", "alias_maps", "alias_database",
                                        "virtual_alias_", "virtual_mailbox_", "virtual_transport", "content_filter",
                                        "smtp_tls_", "smtp_sasl_", "compatibility_level", "mailbox_size_limit",
                                        "append_dot_mydomain", "disable_vrfy_command", "transport_maps", "relay_domains",
                                        "queue_directory", "setgid_group", "default_transport", "milter_default_action"]

    static func looksLikeMain(_ file: SourceFile) -> Bool {
        var hits = 0
        for raw in file.lines.prefix(400) {
            var line = raw
            if let prefix = PostfixLexer.conditionPrefix(line) { line = line.dropFirst(prefix) }
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("[") && t.hasSuffix("]") { return false }          // INI
            if t.hasSuffix("{") || t.hasPrefix("begin ") || t.hasPrefix("!include") { return false }  // dovecot, exim
            guard let first = line.first, first.isLetter, let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-" }) else { continue }
            if distinctive.contains(where: { name.hasPrefix($0) }) || name.hasSuffix("_destination_recipient_limit") { hits += 1 }
        }
        return hits >= 1
    }
}

/// The main.cf and master.cf of one setup: the file given and the sibling beside it.
struct PostfixFilePair {
    var main: SourceFile?
    var master: SourceFile?

    /// Reads the sibling of `file` through the include policy; a sibling that exists but cannot be read is
    /// a problem of the setup (an unreadable main.cf only explains why master.cf's services get defaults).
    static func read(_ file: SourceFile, context: ParseContext, into setup: inout MailSetup, diagnostics: inout Diagnostics) -> PostfixFilePair {
        var pair = PostfixFilePair()
        let name = (file.path as NSString).lastPathComponent
        let isMaster: Bool
        switch PostfixFiles.kind(ofName: name) {
        case .main?: isMaster = false
        case .master?: isMaster = true
        case nil: isMaster = PostfixSniff.looksLikeMaster(file) && !PostfixSniff.looksLikeMain(file)
        }
        if isMaster { pair.master = file } else { pair.main = file }
        if let siblingPath = PostfixFiles.siblingPath(of: file.path) {
            do {
                // The first file a setup includes: never past the include limit, so never nil.
                if let sibling = try context.include(siblingPath) {
                    if isMaster { pair.main = sibling } else { pair.master = sibling }
                    setup.includedFiles.append(sibling.path)
                }
            } catch {
                // A missing sibling is normal (either file alone); one that exists but cannot be read is not. An
                // unreadable main.cf is reported as an input of its own: here it only explains the defaults.
                if context.folders.exists(siblingPath) {
                    if isMaster {
                        diagnostics.report("the main.cf beside this master.cf cannot be read (\(error.message)), so its services are read with Postfix's defaults", at: .start(of: file.path))
                    } else {
                        diagnostics.report(error)
                    }
                }
            }
        }
        return pair
    }
}
