import Foundation
import MailAuditCore

/// Mail settings of applications and mail-server containers in env files (format `dotenv`,
/// FORMATS.md §17, §18, §19, §21):
/// - Laravel `MAIL_*` (`MAIL_MAILER`/`MAIL_DRIVER`, `MAIL_HOST`, `MAIL_PORT`, `MAIL_ENCRYPTION`,
///   `MAIL_SCHEME`, `MAIL_URL`, `MAIL_USERNAME`, `MAIL_PASSWORD`);
/// - Symfony Mailer `MAILER_DSN` and SwiftmailerBundle `MAILER_URL` (and Symfony ≤ 3's
///   `app/config/parameters.yml`, where the same values lived before they moved to `.env`);
/// - Django-style `EMAIL_HOST`/`EMAIL_PORT`/`EMAIL_USE_TLS`/`EMAIL_USE_SSL`/`EMAIL_HOST_USER`/
///   `EMAIL_HOST_PASSWORD` (and netbox-docker's `EMAIL_SERVER`/`EMAIL_USERNAME`/`EMAIL_PASSWORD`,
///   django-environ's `EMAIL_URL`);
/// - docker-mailserver `mailserver.env` and Mailu `.env`: the listeners the container opens;
/// - Grafana's `GF_SMTP_*` overrides of its `[smtp]` section (DotenvGrafana.swift).
/// An env file without mail settings is neither a finding nor an error: it has no endpoints.
struct DotenvFormat: ConfigFormat {
    init() {}
    static let description = FormatDescription(
        id: "dotenv",
        what: "mail settings in env files: Laravel `MAIL_*` (Laravel 13; `assume: { laravel: \"8\" }` for SwiftMailer, and `MAIL_DRIVER` files are read as Laravel ≤ 6), Symfony 8.0 `MAILER_DSN` (SwiftMailer 6.3 `MAILER_URL`), Django 5.2 `EMAIL_*`, docker-mailserver 14, Mailu 2024.06, Grafana 12 `GF_SMTP_*` (the `[smtp]` keys they leave out are `grafana.ini`'s: unknown)",
        names: [".env", ".env.*", "mailserver.env"],
        program: .pinnable(ProgramPin(key: "laravel", name: "Laravel", modelled: "13", changes: [
            .init(since: "9", what: "Symfony Mailer sends: STARTTLS whenever the server offers it and implicit TLS on port 465, whatever `MAIL_ENCRYPTION` says; before, SwiftMailer did what `MAIL_ENCRYPTION` says (`tls` STARTTLS, `ssl` implicit TLS, null none)"),
        ])))

    func matches(fileName: String, path: String) -> Bool {
        let name = fileName.lowercased()
        if Self.isSymfonyParameters(name) { return true }
        // `.env.php` (Laravel 4) and friends are code, `.envrc` (direnv) is shell.
        for code in [".php", ".js", ".ts", ".py", ".sh", ".rb", ".json", ".yml", ".yaml"] where name.hasSuffix(code) { return false }
        return name == ".env" || name.hasPrefix(".env.") || name.hasSuffix(".env")
    }

    static func isSymfonyParameters(_ name: String) -> Bool {
        ["parameters.yml", "parameters.yaml", "parameters.yml.dist", "parameters.yaml.dist"].contains(name)
    }

    /// `NAME=value` lines naming mail settings.
    func matches(content: SourceFile) -> Bool {
        var settings = 0, mail = 0, other = 0
        for line in content.lines.prefix(500) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            let body = t.hasPrefix("export ") ? String(t.dropFirst(7)) : t
            guard let eq = body.firstIndex(of: "="), body[..<eq].allSatisfy({ $0 == "_" || $0 == "." || ($0.isASCII && ($0.isLetter || $0.isNumber)) }), !body[..<eq].isEmpty else {
                other += 1
                continue
            }
            settings += 1
            let key = String(body[..<eq])
            if DotenvParseState.mailKeys.contains(key) { mail += 1 }
        }
        return mail > 0 && settings > other * 4
    }

    func parse(_ file: SourceFile, context: ParseContext) -> MailSetup {
        let name = (file.path as NSString).lastPathComponent.lowercased()
        if Self.isSymfonyParameters(name) {
            var setup = MailSetup(path: file.path, format: id)
            var diagnostics = Diagnostics()
            SymfonyParameters.read(file, ports: context.ports, into: &setup, diagnostics: &diagnostics)
            return setup.reporting(diagnostics)
        }
        var reader = DotenvParseState(file: file, ports: context.ports, fileName: name, versions: context.versions)
        reader.read()
        return reader.setup.reporting(reader.diagnostics)
    }
}

/// Maps the variables of one env file to endpoints, one application or container at a time.
struct DotenvParseState {
    /// What could not be read past, in the order it was met; filed in the setup when the parse ends.
    var diagnostics = Diagnostics()
    static let laravelKeys = ["MAIL_MAILER", "MAIL_DRIVER", "MAIL_HOST", "MAIL_PORT", "MAIL_ENCRYPTION", "MAIL_SCHEME", "MAIL_URL", "MAIL_USERNAME", "MAIL_PASSWORD"]
    static let djangoKeys = ["EMAIL_HOST", "EMAIL_SERVER", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_HOST_USER", "EMAIL_USERNAME", "EMAIL_HOST_PASSWORD", "EMAIL_PASSWORD", "EMAIL_URL", "EMAIL_BACKEND"]
    static let dmsKeys = ["SSL_TYPE", "ENABLE_POP3", "ENABLE_IMAP", "ENABLE_MANAGESIEVE", "SMTP_ONLY", "PERMIT_DOCKER", "POSTMASTER_ADDRESS", "OVERRIDE_HOSTNAME", "DMS_VMAIL_UID", "ENABLE_FAIL2BAN", "ENABLE_CLAMAV", "ENABLE_AMAVIS", "SPOOF_PROTECTION", "ENABLE_SRS", "ENABLE_OPENDKIM"]
    static let mailKeys: Set<String> = Set(laravelKeys + djangoKeys + ["MAILER_DSN", "MAILER_URL", "TLS_FLAVOR", "SSL_TYPE", "ENABLE_POP3", "ENABLE_IMAP"])

    let file: SourceFile
    let ports: PortTable
    let fileName: String
    let versions: ProgramVersions
    let env: EnvFile
    var setup: MailSetup

    init(file: SourceFile, ports: PortTable, fileName: String, versions: ProgramVersions = ProgramVersions()) {
        self.file = file
        self.ports = ports
        self.fileName = fileName
        self.versions = versions
        self.env = EnvFile(file)
        self.setup = MailSetup(path: file.path, format: DotenvFormat.description.id)
        diagnostics = env.diagnostics
    }

    mutating func read() {
        // Each application's settings, and the release whose defaults they are read with: a finding
        // that rests on a default names the programs this file configures.
        let applications: [(id: String, release: String, read: (inout DotenvParseState) -> Void)] = [
            ("laravel", versions.name("laravel"), { $0.laravel() }), ("symfony", "Symfony 8.0", { $0.symfonyMailer() }),
            ("swiftmailer", "SwiftMailer 6.3", { $0.swiftmailerURL() }), ("django", "Django 5.2", { $0.djangoEnv() }),
            ("docker-mailserver", "docker-mailserver 14", { $0.dockerMailserver() }), ("mailu", "Mailu 2024.06", { $0.mailu() }),
            ("grafana", "Grafana 12", { $0.grafanaEnv() }),
        ]
        var programs: [String] = []
        for application in applications {
            let before = setup.endpoints.count
            application.read(&self)
            guard setup.endpoints.count > before else { continue }
            programs.append(application.release)
            // Which application an endpoint belongs to, so its finding shows that application's fix.
            for index in before..<setup.endpoints.count { setup.endpoints[index].program = application.id }
        }
        if !programs.isEmpty { setup.modelledProgram = programs.joined(separator: ", ") }
    }

    // MARK: helpers

    /// Laravel's `env()`: `null`/`(null)` → null, `empty`/`(empty)` → "" (FORMATS.md §17).
    func laravelValue(_ e: EnvEntry?) -> String? {
        guard let v = e?.value else { return nil }
        switch v.lowercased() {
        case "null", "(null)": return nil
        case "empty", "(empty)": return ""
        default: return v
        }
    }

    func firstLocation(_ keys: [String]) -> SourceSpan {
        let spans = keys.compactMap { env.entry($0)?.lineSpan }
        return spans.min() ?? file.lineSpan(1)
    }

    mutating func addRelated(_ e: inout Endpoint, _ key: String, _ field: Endpoint.Field) {
        for old in env.overridden(key) { e.addRelated(old.valueSpan, for: field) }
        for ref in env.entry(key)?.references ?? [] { e.addRelated(ref, for: field) }
    }

    func port(_ text: String?) -> Int? {
        guard let text, let p = Int(text.trimmingCharacters(in: .whitespaces)), (1...65535).contains(p) else { return nil }
        return p
    }
}
