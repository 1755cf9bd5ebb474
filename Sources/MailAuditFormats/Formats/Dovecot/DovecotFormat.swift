import Foundation
import MailAuditCore

/// Dovecot 2.3 and 2.4: `dovecot.conf` with its `!include`s (FORMATS §14). Each `inet_listener` of the
/// imap/pop3/submission/managesieve login services whose protocol is enabled is a server endpoint,
/// Dovecot's built-in listeners (imap 143, imaps 993, pop3 110, pop3s 995, submission 587, sieve 4190)
/// included. Settings in `protocol X {}` apply to X's listeners; `local`/`remote` filters describe what
/// particular clients get and are left out: the model is what an arbitrary remote client gets.
struct DovecotFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "dovecot",
        what: "Dovecot 2.3 and 2.4 (the file says which)",
        names: ["dovecot.conf", "dovecot/conf.d/*.conf"],
        namesNote: "(with its `!include`s)",
        program: .fixed("Dovecot 2.3"))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if DovecotFiles.isDriverFile(name) { return false }
        if DovecotFiles.isRootName(name) { return true }
        // conf.d/*.conf and friends: only in a Dovecot folder, and only when no dovecot.conf includes them.
        guard name.hasSuffix(".conf") || name.hasSuffix(".conf.tpl"),
              path.lowercased().split(separator: "/").dropLast().contains(where: { $0.contains("dovecot") }) else { return false }
        return !DovecotFiles.hasRoot(near: path)
    }

    func matches(content: SourceFile) -> Bool {
        DovecotSniff.looksLikeDovecot(content) || DovecotSniff.isDovecotPath(content.path)
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        var reader = DovecotParseState(context: context, setup: MailSetup(path: file.path, format: id))
        reader.read(root: file)
        return reader.setup.reporting(reader.diagnostics)
    }
}

enum DovecotFiles {
    static func isRootName(_ name: String) -> Bool {
        guard name.hasPrefix("dovecot") else { return false }
        return name.hasSuffix(".conf") || name.hasSuffix(".conf.in") || name.hasSuffix(".conf.tpl")
    }

    /// `dovecot-sql.conf.ext`, `dovecot-ldap.conf`, …: arguments of a passdb/userdb/dict driver, not dovecot.conf syntax.
    /// Written out rather than as a regular expression: it runs for every file named, and the first
    /// regular expression of a run costs milliseconds of ICU set-up.
    static func isDriverFile(_ name: String) -> Bool {
        guard name.hasPrefix("dovecot-") else { return false }
        var rest = name.dropFirst("dovecot-".count)
        if rest.hasSuffix(".ext") { rest = rest.dropLast(".ext".count) }
        guard rest.hasSuffix(".conf") else { return false }
        let driver = rest.dropLast(".conf".count)
        if ["sql", "ldap", "oauth2", "dict"].contains(driver) { return true }
        guard driver.hasPrefix("dict-"), driver.count > "dict-".count else { return false }
        return driver.dropFirst("dict-".count).utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// Whether a dovecot.conf sits beside the file, or beside the `conf.d` folder holding it.
    static func hasRoot(near path: String) -> Bool {
        let directory = path.folderPath
        var candidates = [directory]
        if (directory as NSString).lastPathComponent == "conf.d" { candidates.append(directory.folderPath) }
        for dir in candidates {
            for name in ["dovecot.conf", "dovecot.conf.tpl", "dovecot.conf.in"] {
                let p = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: p) { return true }
            }
        }
        return false
    }
}

enum DovecotSniff {
    static let keys = ["protocols", "disable_plaintext_auth", "auth_allow_cleartext", "ssl_min_protocol", "login_greeting",
                       "mail_location", "mail_home", "auth_mechanisms", "dovecot_config_version", "ssl_cert", "ssl_key",
                       "first_valid_uid", "mail_plugins", "mail_uid", "mail_driver", "ssl_server_cert_file", "auth_username_format"]
    static let sections = ["service", "protocol", "passdb", "userdb", "namespace", "plugin", "inet_listener", "unix_listener", "remote", "local"]

    /// A file named explicitly in a Dovecot folder (`conf.d/10-metrics.conf`, all comments) or named after Dovecot.
    static func isDovecotPath(_ path: String) -> Bool {
        let lower = path.lowercased()
        let name = (lower as NSString).lastPathComponent
        guard [".conf", ".ext", ".inc", ".conf.tpl", ".conf.in"].contains(where: { name.hasSuffix($0) }) || name.hasPrefix("dovecot") else { return false }
        return name.hasPrefix("dovecot") || lower.split(separator: "/").dropLast().contains { $0.contains("dovecot") }
    }

    static func looksLikeDovecot(_ file: SourceFile) -> Bool {
        for raw in file.lines.prefix(400) {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("!include") { return true }
            let word = String(t.prefix { $0.isLetter || $0 == "_" })
            if t.hasSuffix("{"), sections.contains(word) { return true }
            if keys.contains(word), t.dropFirst(word.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") { return true }
        }
        return false
    }
}

/// One `key = value` with where it was written and which clients it applies to.
struct DovecotAssignment {
    enum Scope: Equatable { case global, protocols([String]), other }
    var key: String
    /// The value after `$key` expansion; nil when unknowable (template placeholder, `<file`, template condition).
    var value: String?
    var span: SourceSpan
    var scope: Scope
    /// The root file's `!include` line that led here (for settings in files outside the linted tree).
    var anchor: SourceSpan? = nil
}

/// An `inet_listener NAME { … }` block (several blocks of one name merge, later values win).
struct DovecotListener {
    var name: String
    var location: SourceSpan
    var settings: [String: DovecotAssignment] = [:]
    var related: [String: [SourceSpan]] = [:]
}

struct DovecotService {
    var name: String
    var location: SourceSpan
    var listeners: [DovecotListener] = []
    /// Where each listener name is in `listeners`.
    var listenerIndex: [String: Int] = [:]
}

struct DovecotParseState {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    let context: ParseContext
    var setup: MailSetup
    var assignments: [DovecotAssignment] = []
    var services: [DovecotService] = []
    /// Where each service name is in `services`: files with thousands of sections are not searched per line.
    var serviceIndex: [String: Int] = [:]
    /// Whether a 2.4-only setting was read (see `version`), kept as they are recorded.
    var declares24 = false
    /// The current value of each global setting while reading (for `$name` expansion).
    var current: [String: String?] = [:]
    var includeStack: [String] = []
    var sawProtocolsInclude = false
    /// The root file's `!include` line being read through, if any.
    var anchor: SourceSpan?
    var rootFile: SourceFile?

    struct Section {
        var name: String
        var argument: String
        var span: SourceSpan
        /// Opened inside a Jinja `{% if %}`.
        var conditional: Bool
    }
    var sections: [Section] = []

    init(context: ParseContext, setup: MailSetup) {
        self.context = context
        self.setup = setup
    }

    mutating func read(root: SourceFile) {
        rootFile = root
        if looksLikeDriverFile(root) {
            diagnostics.report("this is a passdb/userdb/dict driver file (`driver`, `connect`, queries, LDAP hosts), passed to Dovecot with `args = \((root.path as NSString).lastPathComponent)`, not a dovecot.conf: it has no listeners to audit; lint the dovecot.conf instead", at: SourceSpan(path: root.path, line: 1, column: 1))
            return
        }
        includeStack = [standardized(root.path)]
        readFile(root)
        buildEndpoints()
    }

    /// A file of only driver keys (the old `dovecot-sql.conf` names say nothing about their content).
    func looksLikeDriverFile(_ file: SourceFile) -> Bool {
        let driverKeys: Set<String> = ["driver", "connect", "password_query", "user_query", "iterate_query", "hosts", "uris", "dn",
                                       "dnpass", "base", "ldap_version", "auth_bind", "pass_attrs", "user_attrs", "default_pass_scheme",
                                       "tokeninfo_url", "introspection_url", "client_id", "client_secret", "map", "tls", "scope",
                                       "pass_filter", "user_filter", "iterate_attrs", "iterate_filter", "auth_bind_userdn", "sasl_bind"]
        var keys = 0, driver = 0, depth = 0
        for raw in file.lines {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("#") || t.isEmpty { continue }
            if t.hasSuffix("{") { depth += 1; continue }
            if t == "}" { depth = max(0, depth - 1); continue }
            guard depth == 0, let eq = t.firstIndex(of: "=") else { continue }
            let key = t[..<eq].trimmingCharacters(in: .whitespaces)
            keys += 1
            if driverKeys.contains(key) { driver += 1 }
        }
        return keys > 0 && driver * 2 > keys && (driver >= 2)
    }

    func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (context.folders.workingDirectory as NSString).appendingPathComponent(path)
        return ((absolute as NSString).standardizingPath as NSString).resolvingSymlinksInPath
    }
}
