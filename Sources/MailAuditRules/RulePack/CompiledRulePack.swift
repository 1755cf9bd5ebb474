// Generated from Rules/ by scripts/generate-rulepack.sh: do not edit, run it after changing Rules/.
// The built-in rule pack without its examples, and the port table, as Swift literals.
import MailAuditCore

enum CompiledRulePack {
    static func rules() -> [Rule] {
        [rule_MA000(), rule_MA001(), rule_MA002(), rule_MA003(), rule_MA101(), rule_MA102(), rule_MA103(), rule_MA104(), rule_MA105(), rule_MA106(), rule_MA107(), rule_MA201(), rule_MA202(), rule_MA203(), rule_MA204(), rule_MA205(), rule_MA301(), rule_MA302(), rule_MA401(), rule_MA501(), rule_MA601(), rule_MA701(), rule_MA702(), rule_MA801(), rule_MA802(), rule_MA803(), rule_MA804(), rule_MA805(), rule_MA806()]
    }

    static func ports() -> PortTable {
        PortTable(entries: [
            PortTable.Entry(port: 25, service: "smtp", protocol: MailProtocol.smtp, also: [], tls: TLSMode.starttls, status: "standard", description: "SMTP relay between MTAs, STARTTLS opportunistic; many ISPs block it for end users"),
            PortTable.Entry(port: 50, service: "re-mail-ck", protocol: MailProtocol.rmcp, also: [], tls: TLSMode.none, status: "legacy", description: "Remote Mail Checking Protocol (RMCP), legacy and rarely used"),
            PortTable.Entry(port: 80, service: "http", protocol: MailProtocol.http, also: [], tls: TLSMode.none, status: "standard", description: "Webmail over HTTP, without encryption"),
            PortTable.Entry(port: 109, service: "pop2", protocol: MailProtocol.pop2, also: [], tls: TLSMode.none, status: "obsolete", description: "POP2, obsolete and unsupported"),
            PortTable.Entry(port: 110, service: "pop3", protocol: MailProtocol.pop3, also: [], tls: TLSMode.starttls, status: "standard", description: "POP3 with STARTTLS (STLS); POP3 is outdated, IMAP is preferred"),
            PortTable.Entry(port: 143, service: "imap", protocol: MailProtocol.imap, also: [], tls: TLSMode.starttls, status: "standard", description: "IMAP with STARTTLS"),
            PortTable.Entry(port: 174, service: "mailq", protocol: MailProtocol.mailq, also: [], tls: TLSMode.none, status: "obsolete", description: "mailq, obsolete mail-queue protocol"),
            PortTable.Entry(port: 209, service: "qmtp", protocol: MailProtocol.qmtp, also: [], tls: TLSMode.none, status: "legacy", description: "Quick Mail Transfer Protocol (QMTP), legacy and rarely used"),
            PortTable.Entry(port: 220, service: "imap3", protocol: MailProtocol.imap3, also: [MailProtocol.imap], tls: TLSMode.none, status: "legacy", description: "IMAP3, legacy; some systems still run IMAP there"),
            PortTable.Entry(port: 406, service: "imsp", protocol: MailProtocol.imsp, also: [], tls: TLSMode.none, status: "legacy", description: "Interactive Mail Support Protocol (IMSP), legacy and rarely used"),
            PortTable.Entry(port: 443, service: "https", protocol: MailProtocol.http, also: [], tls: TLSMode.implicit, status: "standard", description: "Webmail over HTTPS (implicit TLS)"),
            PortTable.Entry(port: 465, service: "submissions", protocol: MailProtocol.smtp, also: [], tls: TLSMode.implicit, status: "standard", description: "Message submission for clients over implicit TLS (RFC 8314)"),
            PortTable.Entry(port: 587, service: "submission", protocol: MailProtocol.smtp, also: [], tls: TLSMode.starttls, status: "standard", description: "Message submission for clients with STARTTLS (RFC 6409, formerly RFC 4409)"),
            PortTable.Entry(port: 993, service: "imaps", protocol: MailProtocol.imap, also: [], tls: TLSMode.implicit, status: "standard", description: "IMAP over implicit TLS"),
            PortTable.Entry(port: 995, service: "pop3s", protocol: MailProtocol.pop3, also: [], tls: TLSMode.implicit, status: "standard", description: "POP3 over implicit TLS; still POP3"),
            PortTable.Entry(port: 1109, service: "kpop", protocol: MailProtocol.kpop, also: [MailProtocol.pop3], tls: TLSMode.none, status: "legacy", description: "KPOP, POP over Kerberos; very rare"),
            PortTable.Entry(port: 2525, service: "alt-submission", protocol: MailProtocol.smtp, also: [], tls: TLSMode.starttls, status: "alternative", description: "Alternative submission port, not IANA-assigned, widely offered when 25 is blocked (STARTTLS or implicit TLS)"),
            PortTable.Entry(port: 4190, service: "managesieve", protocol: MailProtocol.managesieve, also: [], tls: TLSMode.starttls, status: "standard", description: "ManageSieve (RFC 5804) with STARTTLS"),
        ], defaults: [
            PortTable.Default(protocol: MailProtocol.smtp, direction: Direction.relay, tls: nil, port: 25),
            PortTable.Default(protocol: MailProtocol.smtp, direction: nil, tls: TLSMode.implicit, port: 465),
            PortTable.Default(protocol: MailProtocol.smtp, direction: nil, tls: TLSMode.starttls, port: 587),
            PortTable.Default(protocol: MailProtocol.smtp, direction: nil, tls: TLSMode.none, port: 587),
            PortTable.Default(protocol: MailProtocol.imap, direction: nil, tls: TLSMode.implicit, port: 993),
            PortTable.Default(protocol: MailProtocol.imap, direction: nil, tls: TLSMode.starttls, port: 143),
            PortTable.Default(protocol: MailProtocol.imap, direction: nil, tls: TLSMode.none, port: 143),
            PortTable.Default(protocol: MailProtocol.pop3, direction: nil, tls: TLSMode.implicit, port: 995),
            PortTable.Default(protocol: MailProtocol.pop3, direction: nil, tls: TLSMode.starttls, port: 110),
            PortTable.Default(protocol: MailProtocol.pop3, direction: nil, tls: TLSMode.none, port: 110),
            PortTable.Default(protocol: MailProtocol.managesieve, direction: nil, tls: nil, port: 4190),
            PortTable.Default(protocol: MailProtocol.http, direction: nil, tls: TLSMode.implicit, port: 443),
            PortTable.Default(protocol: MailProtocol.http, direction: nil, tls: TLSMode.starttls, port: 80),
            PortTable.Default(protocol: MailProtocol.http, direction: nil, tls: TLSMode.none, port: 80),
            PortTable.Default(protocol: MailProtocol.pop2, direction: nil, tls: nil, port: 109),
            PortTable.Default(protocol: MailProtocol.kpop, direction: nil, tls: nil, port: 1109),
            PortTable.Default(protocol: MailProtocol.imap3, direction: nil, tls: nil, port: 220),
            PortTable.Default(protocol: MailProtocol.imsp, direction: nil, tls: nil, port: 406),
            PortTable.Default(protocol: MailProtocol.qmtp, direction: nil, tls: nil, port: 209),
            PortTable.Default(protocol: MailProtocol.rmcp, direction: nil, tls: nil, port: 50),
            PortTable.Default(protocol: MailProtocol.mailq, direction: nil, tls: nil, port: 174),
        ])
    }

    private static func rule_MA000() -> Rule {
        Rule(
            id: "MA000", name: "parse-error", severity: Severity.error, scope: Rule.Scope.meta,
            summary: "Input could not be read or parsed",
            clauses: [],
            message: "The file could not be read or parsed, so its mail settings were not checked.",
            rationale: "A file that cannot be parsed cannot be audited: every setting in it goes unchecked, and the\nprogram that reads it will probably reject it too, or read it differently than its author meant.\nmailaudit reports the problem at the position the parser gives, as an error, and exits with\nstatus 2, so a CI job never passes on a file it did not actually read. The other inputs are\nstill linted and reported.\n\nCorrect the syntax at the reported position (an unclosed quote or bracket, two settings written\non one line, a wrong indentation) and run mailaudit again. If the file is in a format mailaudit\ndetected wrongly, name the format with `--as FORMAT`; if it is not a mail configuration at all,\nexclude it with `exclude:` in `.mailaudit.yml`.\n",
            fix: RuleFix(general: "Correct the syntax at the position shown; name the format with `--as FORMAT` if it was detected wrongly.", byFormat: [("mailaudit-yaml", "one `key: value` per line, nested by indentation (`port: 993` on its own line)"), ("offlineimap", "write a literal `%` as `%%` (values go through Python's ConfigParser interpolation)"), ("getmail", "each section once: one `[retriever]`, one `[destination]`, one `[options]` per file"), ("gitconfig", "close the quote: `\"…\"` (`git config --file FILE --list` shows the line)"), ("aerc", "a port from 1 to 65535 after the host (`:993`), or none"), ("dotenv", "`KEY=value`, one per line, with `=` between name and value"), ("spring", "`\\uXXXX` with four hex digits (`\\u00e9`), one `key=value` per line"), ("django", "close the string: `\"…\"` (`python -m py_compile settings.py` shows the line)"), ("postfix", "`name = value` in main.cf, with the `=` (`postfix check` reports the line)"), ("dovecot", "close every `{` with `}` (`doveconf -n` reports the line)")]),
            references: ["YAML 1.2.2 specification, https://yaml.org/spec/1.2.2/"],
            tags: ["meta", "parse"],
            examples: [], source: "Rules/MA000.yml")
    }

    private static func rule_MA001() -> Rule {
        Rule(
            id: "MA001", name: "unused-suppression", severity: Severity.note, scope: Rule.Scope.meta,
            summary: "Suppression comment that matches no finding",
            clauses: [],
            message: "This suppression matches no finding on the line it covers; remove it or correct the rule id.",
            messages: ["comment": "this suppression of {rules} matches no finding; remove it", "ignore-entry": "this ignore entry for {rule} matches no finding; remove it"],
            rationale: "A suppression that suppresses nothing hides nothing today, but it stays armed: if the same rule\nlater fires on that line for a new and real reason, the finding is hidden without anyone having\nlooked at it. Unused suppressions are usually left over after a fix, or carry a mistyped rule\nid and never worked at all. Keeping only suppressions that are in use keeps each one an\nexplicit, reviewed exception.\n\nDelete the `mailaudit: disable=…` comment, or, if a finding was meant to be suppressed, correct\nthe rule id (`mailaudit rules` lists them) and put the comment on the line before the setting\nthe finding points at, or at the end of that line.\n",
            fix: RuleFix(general: "Delete the `mailaudit: disable=…` comment, or correct its rule id and put it on the line before the setting the finding points at.", byFormat: [("mailaudit-yaml", "delete the `# mailaudit: disable=…` comment, or move it right above the setting it is meant for"), ("dotenv", "delete the `# mailaudit: disable=…` comment, or move it right above the setting it is meant for")]),
            references: ["mailaudit README, section Suppressions"],
            tags: ["meta", "suppressions"],
            examples: [], source: "Rules/MA001.yml")
    }

    private static func rule_MA002() -> Rule {
        Rule(
            id: "MA002", name: "expired-suppression", severity: Severity.warning, scope: Rule.Scope.meta,
            summary: "Suppression comment past its until= date",
            clauses: [],
            message: "This suppression expired on its until= date and no longer suppresses the finding; fix the finding or renew the suppression with a reason.",
            messages: ["comment": "the suppression of {rules} expired on {date}, so it no longer suppresses; fix the finding or renew the date", "ignore-entry": "the configuration's ignore entry for {rule} expired on {date}, so it no longer suppresses; fix the findings or renew the date"],
            rationale: "An `until=` date on a suppression is a promise that the exception is temporary and will be\nfixed by then. Once the date has passed the suppression stops working and the finding is\nreported again; this rule says why it reappeared, so the reviewer sees a broken promise rather\nthan a mysterious new finding. Expiring suppressions keep temporary exceptions from quietly\nbecoming permanent.\n\nFix the underlying finding and delete the comment. If the exception is still justified, write a\nnew `until=YYYY-MM-DD` date and an updated `reason=\"…\"`, so the decision is reviewed again.\n",
            fix: RuleFix(general: "Fix the finding and delete the comment, or, after a new review, write a later `until=YYYY-MM-DD` and an updated `reason=\"…\"`.", byFormat: [("mailaudit-yaml", "fix the finding and delete the `# mailaudit: disable=…` comment, or write a later `until=` after review")]),
            references: ["mailaudit README, section Suppressions"],
            tags: ["meta", "suppressions"],
            examples: [], source: "Rules/MA002.yml")
    }

    private static func rule_MA003() -> Rule {
        Rule(
            id: "MA003", name: "include-not-followed", severity: Severity.note, scope: Rule.Scope.meta,
            summary: "Include or sourced file that was not read",
            clauses: [],
            message: "An include or sourced file was not read, so the settings it may hold were not checked.",
            messages: ["command": "'{path}' is included here but its name or content comes from a command, which mailaudit never runs, so it was not read", "home": "'{path}' is included here but lies in a home folder (~), which is not the audited setup's, so it was not read", "missing": "'{path}' is included here but is not there, so the settings it may hold were not checked", "outside-tree": "'{path}' is included here but lies outside the audited folder, so it was not read (its contents would be this machine's, not the audited setup's); map a copy of the server's files with --root DIR to follow it"],
            rationale: "Mail configurations pull in other files: Dovecot's `!include conf.d/*.conf`, mutt's `source`,\nExim's `.include`, OpenSMTPD's `include`, git's `[include] path`. When the named file is not\nthere, or lives outside the folder being audited, or under a home folder (`~`), or its name comes\nfrom a command, mailaudit does not read it, and says so here, with the path and the reason, in\nthe way ShellCheck's SC1091 reports a `source` it cannot follow. This is a note and not a parse\nerror: a copy of a server's configuration in a repository often lacks files that exist on the\nserver, and reading the auditing machine's own `/etc` or home instead would make the findings\ndepend on who runs mailaudit. The same files give the same findings on every machine.\n\nNothing is wrong in the file itself. To audit what the include holds, add a copy of it next to\nthe configuration (relative includes are always followed), or lint a copy of the server's files\nwith `--root DIR` (or `root:` in `.mailaudit.yml`) so that absolute paths such as\n`/etc/dovecot/conf.d/10-ssl.conf` are read below DIR. To silence the note for a file that is\ndeliberately absent, switch the rule off for those paths with an `ignore:` entry.\n",
            fix: RuleFix(general: "Nothing is wrong in the file: lint a copy of the server's tree with `--root DIR` (or `root:` in `.mailaudit.yml`), or put the included file next to the configuration.", byFormat: [("dovecot", "absolute paths: lint a copy of the server's files with `--root DIR`; a missing relative file: add it to the audited folder"), ("gitconfig", "`path = ~/…` is followed only for a file in your own home: lint it there, or lint the included file as well"), ("mutt", "`~` is followed only for a file in your own home: lint it there, or lint the sourced file as well")]),
            references: ["ShellCheck SC1091, https://www.shellcheck.net/wiki/SC1091", "Dovecot configuration file syntax (!include, !include_try), https://doc.dovecot.org/configuration_manual/config_file/config_file_syntax/", "mutt manual, section Reading initialization commands from another file (source)"],
            tags: ["meta", "includes"],
            examples: [], source: "Rules/MA003.yml")
    }

    private static func rule_MA101() -> Rule {
        Rule(
            id: "MA101", name: "plaintext-on-implicit-tls-port", severity: Severity.error, scope: Rule.Scope.endpoint,
            summary: "Implicit-TLS port used without TLS",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "port.tls", test: Condition.Test.equals(FieldValue.string("implicit"))), Condition.leaf(field: "tls", test: Condition.Test.noneOf([FieldValue.string("implicit")]))]), at: "tls", message: "{endpoint}: port {port} is the implicit-TLS port for {protocol}, but the connection uses tls: {tls}, so nothing switches encryption on."),
            ],
            message: "{endpoint}: port {port} is the implicit-TLS port for {protocol}, but the connection uses tls: {tls}, so nothing switches encryption on.",
            rationale: "On ports 465, 993, 995 and 443 the TLS handshake is the very first thing on the connection,\nbefore any protocol greeting. A port meant for encryption proves nothing by itself, though: only\nthe tls setting makes the client or server actually start TLS, so the setting must say so. With\ntls left at `none` or `starttls` the connection either fails, or worse, talks in clear text to\nwhatever accepts it there, such as a misconfigured server or an attacker. RFC 8314 makes\nimplicit TLS on these ports the preferred way to reach mail submission and access services.\n\nSet `tls: implicit` on this endpoint (in other formats: msmtp `tls on` with `tls_starttls off`,\nThunderbird \"SSL/TLS\", Laravel `MAIL_ENCRYPTION=ssl`). If the server really only offers\nSTARTTLS, use its STARTTLS port instead: 587 for SMTP, 143 for IMAP, 110 for POP3, with\n`tls: starttls`.\n",
            fix: RuleFix(general: "Use TLS from the first byte on this port (`tls: implicit`), or move to the STARTTLS port (587, 143, 110) with `tls: starttls`.", byFormat: [("mailaudit-yaml", "`tls: implicit`, or the STARTTLS port (587, 143, 110) with `tls: starttls`"), ("msmtp", "`tls on` with `tls_starttls off`, or `port 587` with `tls_starttls on`"), ("mutt", "`smtps://` or `imaps://` in the URL (`smtp://` and `imap://` mean STARTTLS)"), ("fetchmail", "add `ssl` to the user entry (`user \"…\" ssl`), or poll the STARTTLS port with `sslproto TLS1+`"), ("mbsync", "`TLSType IMAPS` (isync 1.4 and older: `SSLType IMAPS`)"), ("offlineimap", "`ssl = yes` (the default) for `remoteport = 993`"), ("getmail", "`type = SimpleIMAPSSLRetriever` (or `SimplePOP3SSLRetriever`) for port 993/995"), ("gitconfig", "`smtpEncryption = ssl` for port 465, or `smtpEncryption = tls` with `smtpServerPort = 587`"), ("aerc", "`smtps://` or `imaps://` in the URL (`smtp://` is STARTTLS)"), ("thunderbird", "Connection security SSL/TLS: `user_pref(\"mail.server.….socketType\", 3)` (SMTP: `mail.smtpserver.….try_ssl` 3)"), ("autoconfig", "`<socketType>SSL</socketType>` for port 993, 995 or 465"), ("mobileconfig", "`<true/>` for `IncomingMailServerUseSSL` / `OutgoingMailServerUseSSL` on port 993, 995 or 465"), ("autodiscover", "`<SSL>on</SSL>` (and `<Encryption>SSL</Encryption>` where given) on port 993, 995 or 465"), ("postfix", "`-o smtpd_tls_wrappermode=yes` on the port-465 service in master.cf (`smtp_tls_wrappermode = yes` for a relay on 465)"), ("dovecot", "`ssl = yes` in the `inet_listener imaps` / `pop3s` block"), ("exim", "`tls_on_connect_ports = 465` (Exim speaks STARTTLS on every other port)"), ("opensmtpd", "`listen on … smtps pki NAME` for port 465 (`tls` there means STARTTLS)"), ("dotenv", "docker-mailserver `SSL_TYPE=letsencrypt` (or `manual`); Laravel `MAIL_ENCRYPTION=ssl` (11+: `MAIL_SCHEME=smtps`); Symfony `smtps://` in `MAILER_DSN`"), ("dotenv/laravel", "`MAIL_SCHEME=smtps` (Laravel 10 and older: `MAIL_ENCRYPTION=ssl`)"), ("dotenv/symfony", "`smtps://` in `MAILER_DSN`"), ("dotenv/docker-mailserver", "`SSL_TYPE=letsencrypt` (or `manual` with a certificate)"), ("spring", "`spring.mail.properties.mail.smtp.ssl.enable=true` instead of `starttls.enable` on port 465"), ("django", "`EMAIL_USE_SSL = True` instead of `EMAIL_USE_TLS` on port 465"), ("roundcube", "`ssl://` before the host for port 993 or 465 (`$config['imap_host'] = 'ssl://mail.example.com:993'`)"), ("gitea", "`PROTOCOL = smtps` on port 465"), ("snappymail", "`\"type\": 1` (SSL/TLS) on 993 and 465; `imap_secure = \"SSL\"` in an INI domain")]),
            references: ["RFC 8314 §3", "RFC 8314 §3.3", "RFC 8314 §4.1"],
            tags: ["security", "transport-encryption"],
            examples: [], source: "Rules/MA101.yml")
    }

    private static func rule_MA102() -> Rule {
        Rule(
            id: "MA102", name: "unencrypted-connection", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "Connection without TLS",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "tls", test: Condition.Test.equals(FieldValue.string("none"))), Condition.not(Condition.leaf(field: "port.tls", test: Condition.Test.equals(FieldValue.string("implicit")))), Condition.not(Condition.leaf(field: "direction", test: Condition.Test.equals(FieldValue.string("webmail")))), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true))))]), at: "tls", message: "{endpoint}: the connection is not encrypted (tls: {tls}); messages, addresses and any credentials on it cross the network in clear text."),
            ],
            message: "{endpoint}: the connection is not encrypted (tls: {tls}); messages, addresses and any credentials on it cross the network in clear text.",
            rationale: "Without TLS, everything on the connection (message bodies, headers, addresses, and usually the\nlogin) can be read and altered by anyone on the path: a shared Wi-Fi, an ISP, a compromised\nrouter. Current practice is to encrypt every connection by default, not only the ones thought\nsensitive; RFC 8314 deprecates cleartext mail access and submission, and RFC 7258 treats\npervasive monitoring as an attack to design against. This applies to servers as well: a\nlistener without TLS forces every client that uses it to go without.\nTraffic to loopback (`localhost`, 127.0.0.0/8, `::1`, or a listener bound only to them) never\nleaves the machine, so this rule does not apply to it.\n\nSwitch TLS on: for a client, `tls: implicit` on 993 (IMAP), 995 (POP3) or 465 (SMTP submission),\nor `tls: starttls` on 143, 110 or 587; for a server listener, configure a certificate and offer\nTLS on that listener (Postfix `smtpd_tls_security_level = may` or `encrypt`, Dovecot\n`ssl = required`). Webmail is covered by MA601.\n",
            fix: RuleFix(general: "Turn TLS on: STARTTLS on 143, 110 or 587, or implicit TLS on 993, 995 or 465; on a server, a certificate and TLS on the listener.", byFormat: [("mailaudit-yaml", "`tls: starttls` on 143, 110 or 587, or `tls: implicit` on 993, 995 or 465"), ("msmtp", "`tls on` (STARTTLS; add `tls_starttls off` on port 465)"), ("mutt", "`set ssl_force_tls = yes` (and `imaps://` or `smtps://` URLs where the server offers them)"), ("fetchmail", "`sslproto TLS1.2+` (an empty `sslproto ''` turns STARTTLS off), or `ssl` on port 993/995"), ("mbsync", "`TLSType STARTTLS` or `TLSType IMAPS` (isync 1.4 and older: `SSLType`), not `None`"), ("offlineimap", "`ssl = yes` (the default; port 993), or `starttls = yes` on port 143"), ("getmail", "`type = SimpleIMAPSSLRetriever` (or `SimplePOP3SSLRetriever`)"), ("gitconfig", "`smtpEncryption = tls` (STARTTLS, port 587) or `smtpEncryption = ssl` (port 465)"), ("aerc", "`imaps://` or `smtps://` (or plain `imap://`/`smtp://`, which is STARTTLS) instead of `+insecure`"), ("thunderbird", "Connection security STARTTLS: `user_pref(\"mail.server.….socketType\", 2)` (3 for SSL/TLS; SMTP: `mail.smtpserver.….try_ssl`)"), ("autoconfig", "`<socketType>STARTTLS</socketType>` on 143, 110 or 587, or `SSL` on 993, 995 or 465"), ("mobileconfig", "`<true/>` for `IncomingMailServerUseSSL` / `OutgoingMailServerUseSSL`"), ("autodiscover", "`<Encryption>TLS</Encryption>` (STARTTLS) or `<SSL>on</SSL>`"), ("postfix", "`smtpd_tls_security_level = may` with a certificate (`smtpd_tls_chain_files`); `smtp_tls_security_level = may` for mail it sends"), ("dovecot", "`ssl = required` (or `yes`) with a certificate"), ("exim", "`tls_advertise_hosts = *` with `tls_certificate` and `tls_privatekey`"), ("opensmtpd", "`listen on … tls pki` NAME, with `pki` NAME `cert` and `key` lines"), ("dotenv", "docker-mailserver `SSL_TYPE=letsencrypt`, Mailu `TLS_FLAVOR=letsencrypt`; Laravel `MAIL_ENCRYPTION=tls`; Symfony `encryption=tls` in `MAILER_URL`, no `auto_tls=false`"), ("dotenv/laravel", "`MAIL_ENCRYPTION=tls`"), ("dotenv/symfony", "no `auto_tls=false` in `MAILER_DSN` (or `smtps://`)"), ("dotenv/swiftmailer", "`encryption=tls` in `MAILER_URL`"), ("dotenv/docker-mailserver", "`SSL_TYPE=letsencrypt` (or `manual` with a certificate)"), ("dotenv/mailu", "`TLS_FLAVOR=letsencrypt` (or `cert`), not `notls`"), ("spring", "`spring.mail.properties.mail.smtp.starttls.enable=true` and `…starttls.required=true`"), ("django", "`EMAIL_USE_TLS = True` (port 587) or `EMAIL_USE_SSL = True` (port 465)"), ("roundcube", "`ssl://` (implicit TLS) or `tls://` (STARTTLS) before the host in `imap_host`/`smtp_host`"), ("wordpress", "`define( 'WPMS_SSL', 'ssl' )` on port 465, or `'tls'` on 587"), ("gitea", "`PROTOCOL = smtps` (implicit TLS on 465)"), ("grafana", "`startTLS_policy = MandatoryStartTLS`, or `host = smtp.example.com:465`"), ("snappymail", "`\"type\": 1` (SSL/TLS) or `\"type\": 2` (STARTTLS); `smtp_secure = \"TLS\"` in an INI domain")]),
            references: ["RFC 8314 §4.1", "RFC 7258", "RFC 3207", "RFC 2595"],
            tags: ["security", "transport-encryption"],
            examples: [], source: "Rules/MA102.yml")
    }

    private static func rule_MA103() -> Rule {
        Rule(
            id: "MA103", name: "cleartext-authentication", severity: Severity.error, scope: Rule.Scope.endpoint,
            summary: "Credentials can cross the wire unencrypted",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.any([Condition.all([Condition.leaf(field: "role", test: Condition.Test.equals(FieldValue.string("client"))), Condition.leaf(field: "tls", test: Condition.Test.equals(FieldValue.string("none"))), Condition.leaf(field: "authenticates", test: Condition.Test.equals(FieldValue.bool(true)))]), Condition.all([Condition.leaf(field: "role", test: Condition.Test.equals(FieldValue.string("server"))), Condition.leaf(field: "allowsPlaintextAuth", test: Condition.Test.equals(FieldValue.bool(true)))])]), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true))))]), at: "auth", message: "{endpoint}: credentials can cross the network in clear text, because authentication happens or is accepted without TLS (tls: {tls})."),
            ],
            message: "{endpoint}: credentials can cross the network in clear text, because authentication happens or is accepted without TLS (tls: {tls}).",
            rationale: "A password sent without TLS can be captured once and reused for as long as it is valid. The\ncommon mechanisms PLAIN and LOGIN carry the password merely base64-encoded, which is no\nprotection at all. A server that accepts authentication before TLS invites clients to do\nexactly that, and it cannot tell a client that never tried TLS from one whose STARTTLS was\nstripped by an attacker. RFC 2595 §2.3 and RFC 8314 §4.1 require that cleartext passwords are\nonly accepted inside TLS.\nTraffic to loopback (`localhost`, 127.0.0.0/8, `::1`, or a listener bound only to them) never\nleaves the machine, so this rule does not apply to it.\n\nFor a client: switch TLS on for this endpoint (`tls: implicit` on 465/993/995, or\n`tls: starttls` with `tls_required: true` on 587/143/110) before sending credentials. For a\nserver: refuse authentication until TLS is active, with `plaintext_auth: false` (Dovecot 2.3\n`disable_plaintext_auth = yes`, Dovecot 2.4 `auth_allow_cleartext = no`, Postfix\n`smtpd_tls_auth_only = yes`).\n",
            fix: RuleFix(general: "Send credentials only over TLS (a client: TLS on this endpoint); a server: refuse authentication until TLS is active.", byFormat: [("mailaudit-yaml", "a client: `tls: starttls` or `tls: implicit`; a server listener: `plaintext_auth: false`"), ("msmtp", "`tls on` in the account or in `defaults` (add `tls_starttls off` on port 465)"), ("mutt", "`set ssl_force_tls = yes`, or `imaps://` / `smtps://` URLs"), ("fetchmail", "`ssl` on port 993/995, or `sslproto TLS1.2+` for STARTTLS"), ("mbsync", "`TLSType IMAPS` or `TLSType STARTTLS` (isync 1.4 and older: `SSLType`)"), ("offlineimap", "`ssl = yes` (the default), or `starttls = yes` on port 143"), ("getmail", "`type = SimpleIMAPSSLRetriever` (or `SimplePOP3SSLRetriever`)"), ("gitconfig", "`smtpEncryption = tls` (STARTTLS, port 587) or `smtpEncryption = ssl` (port 465)"), ("aerc", "`smtps://` (or `smtp://`, STARTTLS from aerc 0.15) instead of `smtp+insecure://`"), ("thunderbird", "Connection security STARTTLS: `user_pref(\"mail.server.….socketType\", 2)` (3 for SSL/TLS)"), ("autoconfig", "`<socketType>STARTTLS</socketType>` (or `SSL` on 993, 995, 465) for this server"), ("mobileconfig", "`<true/>` for `IncomingMailServerUseSSL` / `OutgoingMailServerUseSSL`"), ("autodiscover", "`<Encryption>TLS</Encryption>` (STARTTLS) or `<SSL>on</SSL>`"), ("postfix", "`smtpd_tls_auth_only = yes` (or `-o smtpd_tls_auth_only=yes` on the service in master.cf)"), ("dovecot", "`disable_plaintext_auth = yes` (Dovecot 2.4: `auth_allow_cleartext = no`)"), ("exim", "`server_advertise_condition = ${if def:tls_in_cipher}` in each PLAIN/LOGIN authenticator"), ("dotenv", "docker-mailserver `SSL_TYPE=letsencrypt`, Mailu `TLS_FLAVOR=letsencrypt`; Laravel `MAIL_ENCRYPTION=tls`; Symfony `smtps://` or no `auto_tls=false`"), ("dotenv/laravel", "`MAIL_ENCRYPTION=tls`"), ("dotenv/symfony", "`smtps://` in `MAILER_DSN`, or no `auto_tls=false`"), ("dotenv/docker-mailserver", "`SSL_TYPE=letsencrypt` (or `manual` with a certificate)"), ("dotenv/mailu", "`TLS_FLAVOR=letsencrypt` (or `cert`), not `notls`"), ("spring", "`spring.mail.properties.mail.smtp.starttls.enable=true` and `…starttls.required=true`"), ("django", "`EMAIL_USE_TLS = True` (port 587) or `EMAIL_USE_SSL = True` (port 465)"), ("roundcube", "`ssl://` or `tls://` before the host in `imap_host`/`smtp_host`"), ("wordpress", "`define( 'WPMS_SSL', 'ssl' )` on port 465, or `'tls'` on 587"), ("gitea", "`PROTOCOL = smtps` (implicit TLS on 465)"), ("grafana", "`startTLS_policy = MandatoryStartTLS`, or `host = smtp.example.com:465`"), ("snappymail", "`\"type\": 1` (SSL/TLS) or `\"type\": 2` (STARTTLS); `imap_secure = \"SSL\"` in an INI domain")]),
            references: ["RFC 2595 §2.3", "RFC 8314 §4.1", "RFC 4954", "RFC 4616"],
            tags: ["security", "authentication", "transport-encryption"],
            examples: [], source: "Rules/MA103.yml")
    }

    private static func rule_MA104() -> Rule {
        Rule(
            id: "MA104", name: "opportunistic-tls", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "STARTTLS used but not required",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "tls", test: Condition.Test.equals(FieldValue.string("starttls"))), Condition.leaf(field: "tlsRequired", test: Condition.Test.equals(FieldValue.bool(false))), Condition.not(Condition.all([Condition.leaf(field: "direction", test: Condition.Test.equals(FieldValue.string("relay"))), Condition.not(Condition.leaf(field: "port.service", test: Condition.Test.oneOf([FieldValue.string("submission"), FieldValue.string("submissions"), FieldValue.string("alt-submission")])))])), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true))))]), at: "tlsRequired", message: "{endpoint}: STARTTLS is used but not required (tlsRequired: false), so an attacker who strips STARTTLS gets the session in clear text."),
            ],
            message: "{endpoint}: STARTTLS is used but not required (tlsRequired: false), so an attacker who strips STARTTLS gets the session in clear text.",
            rationale: "STARTTLS begins in clear text and upgrades the connection only when both sides agree. The\nserver's offer of STARTTLS travels unprotected, so an attacker in the path can simply delete it\n(RFC 3207 §6); a side that does not insist on TLS then carries on unencrypted without any\nwarning, credentials included. Requiring TLS turns this silent downgrade into a visible failure.\nRelay between MTAs is the exception — on port 25, and on the hand-off ports of content filters\nand signers (10024, 10025, …) — because the other side may not support TLS, and enforcement\nbelongs to MTA-STS or DANE. A relay client on a submission port (a smarthost that takes a\npassword) is not exempt.\nTraffic to loopback (`localhost`, 127.0.0.0/8, `::1`, or a listener bound only to them) never\nleaves the machine, so this rule does not apply to it.\n\nSet `tls_required: true` (msmtp `tls on`, fetchmail `sslproto` with `sslcertck`, Thunderbird\n\"STARTTLS\" rather than \"STARTTLS, if available\", Postfix `smtpd_tls_security_level = encrypt` on\nthe submission service, Dovecot `ssl = required`). Better still, use implicit TLS: port 465, 993\nor 995 with `tls: implicit`.\n",
            fix: RuleFix(general: "Require TLS instead of using it when offered, or better, use implicit TLS (465, 993, 995).", byFormat: [("mailaudit-yaml", "`tls_required: true`, or better `tls: implicit` on 465, 993 or 995"), ("mutt", "`set ssl_force_tls = yes`"), ("fetchmail", "`sslproto TLS1.2+ sslcertck` on the poll entry (or `ssl` on port 993/995)"), ("offlineimap", "`ssl = yes` (the default: implicit TLS on 993; offlineimap's STARTTLS is only used when offered)"), ("thunderbird", "Connection security STARTTLS, not \"STARTTLS, if available\": `user_pref(\"mail.server.….socketType\", 2)`"), ("postfix", "`-o smtpd_tls_security_level=encrypt` on the submission service in master.cf (to a smarthost on 587: `smtp_tls_security_level = encrypt`)"), ("dovecot", "`ssl = required`"), ("exim", "implicit TLS: `tls_on_connect_ports = 465` with 465 in `daemon_smtp_ports` (or an ACL with `!encrypted = *`)"), ("opensmtpd", "`tls-require` instead of `tls` on the `listen on` line"), ("dotenv", "Symfony 7.3+: `?require_tls=true` on `MAILER_DSN`; Laravel implicit TLS: `MAIL_PORT=465` (`MAIL_ENCRYPTION=ssl`)"), ("dotenv/laravel", "implicit TLS: `MAIL_PORT=465` with `MAIL_ENCRYPTION=ssl`"), ("dotenv/symfony", "`?require_tls=true` on `MAILER_DSN` (Symfony 7.3+), or `smtps://` on port 465"), ("spring", "`spring.mail.properties.mail.smtp.starttls.required=true`"), ("nextcloud", "`'mail_smtpsecure' => 'ssl'` with `'mail_smtpport' => 465` (since Nextcloud 26 `tls` is only opportunistic STARTTLS)"), ("wordpress", "`define( 'WPMS_SSL', 'tls' )` (STARTTLS required) or `'ssl'` on port 465"), ("gitea", "`PROTOCOL = smtps` on 465: Gitea's `smtp+starttls` goes on in clear text without STARTTLS"), ("grafana", "`startTLS_policy = MandatoryStartTLS` (or `host = …:465`)"), ("snappymail", "`\"type\": 2` (STARTTLS, required) instead of 9 (auto-detect), or `\"type\": 1` on 465/993"), ("dotenv/grafana", "`GF_SMTP_STARTTLS_POLICY=MandatoryStartTLS` (or `GF_SMTP_HOST=…:465`)")]),
            references: ["RFC 3207 §6", "RFC 2595 §2.2", "RFC 8314 §5.2", "RFC 8461", "RFC 7672"],
            tags: ["security", "transport-encryption"],
            examples: [], source: "Rules/MA104.yml")
    }

    private static func rule_MA105() -> Rule {
        Rule(
            id: "MA105", name: "certificate-verification-disabled", severity: Severity.error, scope: Rule.Scope.endpoint,
            summary: "TLS certificate is not verified",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "verifyCertificate", test: Condition.Test.equals(FieldValue.bool(false))), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true))))]), at: "verifyCertificate", message: "{endpoint}: certificate verification is disabled (verifyCertificate: false), so anyone in the network path can present their own certificate and read the session."),
            ],
            message: "{endpoint}: certificate verification is disabled (verifyCertificate: false), so anyone in the network path can present their own certificate and read the session.",
            rationale: "TLS without certificate verification still encrypts, but it no longer knows with whom. An\nattacker in the path presents a certificate of their own, the client accepts it, and the\nattacker reads and relays everything, passwords included. Verification is what makes TLS\nprotect against active attackers; RFC 8314 §5.3 forbids treating such a session as\nconfidential, and RFC 7817 describes how mail clients check the server's identity.\nTraffic to loopback (`localhost`, 127.0.0.0/8, `::1`, or a listener bound only to them) never\nleaves the machine, so this rule does not apply to it.\n\nSet `verify_certificate: true` (or remove the setting; it is the default). If the server uses a\nprivate CA or a self-signed certificate, trust that CA or pin its fingerprint explicitly (msmtp\n`tls_trust_file` or `tls_fingerprint`, fetchmail `sslcertfile`, mbsync `CertificateFile`)\ninstead of switching verification off. Fix an expired or mismatched certificate on the server.\n",
            fix: RuleFix(general: "Verify the server's certificate; for a private CA or a self-signed certificate, trust that CA or pin the fingerprint instead.", byFormat: [("mailaudit-yaml", "`verify_certificate: true` (the default)"), ("msmtp", "`tls_certcheck on` (the default); for a self-signed certificate, `tls_fingerprint` or `tls_trust_file`"), ("mutt", "`set ssl_verify_host = yes` (the default; and `ssl_verify_dates = yes`)"), ("fetchmail", "`sslcertck` (with `sslfingerprint` for a self-signed certificate)"), ("offlineimap", "`ssl = yes` with `sslcacertfile = OS-DEFAULT` (or `cert_fingerprint`): offlineimap does not verify STARTTLS"), ("getmail", "`ca_certs = /etc/ssl/certs/ca-certificates.crt` in `[retriever]`"), ("gitconfig", "`smtpSslCertPath = /etc/ssl/certs` (an empty value switches verification off)"), ("aerc", "`imaps://` / `smtps://` without `+insecure`"), ("postfix", "`smtp_tls_security_level = secure` (or `verify`) for the relay"), ("exim", "`tls_verify_hosts = *` in the smtp transport (`tls_verify_certificates = system` is the default)"), ("opensmtpd", "`tls` without `no-verify` on the `relay` action"), ("dotenv", "Symfony: drop `verify_peer=0` from `MAILER_DSN`; docker-mailserver relay: `smtp_tls_security_level = secure` in `postfix-main.cf`"), ("dotenv/symfony", "drop `verify_peer=0` from `MAILER_DSN`"), ("dotenv/docker-mailserver", "`smtp_tls_security_level = secure` for the relay in `postfix-main.cf`"), ("spring", "drop `spring.mail.properties.mail.smtp.ssl.trust=*` (add a private CA to the JVM trust store instead)"), ("roundcube", "remove `verify_peer => false`/`verify_peer_name => false` from `imap_conn_options`/`smtp_conn_options` (give `cafile` for a private CA)"), ("nextcloud", "remove `verify_peer`/`verify_peer_name`/`allow_self_signed` from `mail_smtpstreamoptions` (give `cafile` for a private CA)"), ("gitea", "`FORCE_TRUST_SERVER_CERT = false` (the default; also drop `SKIP_VERIFY`)"), ("grafana", "`skip_verify = false` (the default)"), ("snappymail", "`\"verify_peer\": true`, `\"verify_peer_name\": true` and `\"allow_self_signed\": false` in `ssl`"), ("dotenv/grafana", "`GF_SMTP_SKIP_VERIFY=false` (the default)")]),
            references: ["RFC 8314 §5.3", "RFC 7817", "RFC 9525"],
            tags: ["security", "certificates", "transport-encryption"],
            examples: [], source: "Rules/MA105.yml")
    }

    private static func rule_MA106() -> Rule {
        Rule(
            id: "MA106", name: "obsolete-tls-version", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "TLS versions below 1.2 are accepted",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "minTLSVersion", test: Condition.Test.lessThan(FieldValue.string("tls1.2"))), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true))))]), at: "minTLSVersion", message: "{endpoint}: the minimum TLS version is {minTLSVersion}, below TLS 1.2; TLS 1.0 and 1.1 are deprecated (RFC 8996) and SSL is broken."),
            ],
            message: "{endpoint}: the minimum TLS version is {minTLSVersion}, below TLS 1.2; TLS 1.0 and 1.1 are deprecated (RFC 8996) and SSL is broken.",
            rationale: "TLS 1.0 and 1.1 depend on SHA-1 and MD5, lack modern authenticated ciphers, and were formally\ndeprecated by RFC 8996; SSL 2 and 3 are broken outright. Allowing them lets an attacker push a\nconnection down to the weakest version both sides accept. Every maintained mail client and\nserver supports TLS 1.2, so a minimum of 1.2 costs nothing in practice.\nTraffic to loopback (`localhost`, 127.0.0.0/8, `::1`, or a listener bound only to them) never\nleaves the machine, so this rule does not apply to it.\n\nSet `min_tls_version: \"1.2\"` (or \"1.3\"). Equivalents: Postfix\n`smtpd_tls_mandatory_protocols = >=TLSv1.2`, Dovecot `ssl_min_protocol = TLSv1.2`, msmtp\n`tls_priorities` without TLS 1.0/1.1, Thunderbird `security.tls.version.min = 3`.\n",
            fix: RuleFix(general: "Allow TLS 1.2 and later only.", byFormat: [("mailaudit-yaml", "`min_tls_version: \"1.2\"` (or \"1.3\")"), ("msmtp", "`tls_priorities NORMAL:-VERS-TLS1.0:-VERS-TLS1.1`, or no `tls_priorities` at all"), ("mutt", "`set ssl_use_tlsv1 = no` and `set ssl_use_tlsv1_1 = no`"), ("fetchmail", "`sslproto TLS1.2+`"), ("mbsync", "`SSLVersions TLSv1.2 TLSv1.3` with `SSLType IMAPS` (not the old `UseIMAPS`)"), ("offlineimap", "`ssl_version = tls1_2`, or no `ssl_version` at all"), ("getmail", "`ssl_version = tlsv1_2`, or no `ssl_version` at all"), ("thunderbird", "`user_pref(\"security.tls.version.min\", 3)` (3 is TLS 1.2)"), ("postfix", "`smtpd_tls_protocols = >=TLSv1.2` (likewise `smtpd_tls_mandatory_protocols` and `smtp_tls_protocols`)"), ("dovecot", "`ssl_min_protocol = TLSv1.2`"), ("exim", "`tls_require_ciphers = NORMAL:-VERS-TLS1.0:-VERS-TLS1.1` (GnuTLS; OpenSSL: `openssl_options = +no_tlsv1 +no_tlsv1_1`)"), ("spring", "`spring.mail.properties.mail.smtp.ssl.protocols=TLSv1.2 TLSv1.3`")]),
            references: ["RFC 8996 §4", "RFC 8996 §5", "RFC 9325 §3.1.1", "RFC 8314 §4.1"],
            tags: ["security", "transport-encryption"],
            examples: [], source: "Rules/MA106.yml")
    }

    private static func rule_MA107() -> Rule {
        Rule(
            id: "MA107", name: "tls-mode-port-mismatch", severity: Severity.error, scope: Rule.Scope.endpoint,
            summary: "TLS mode or protocol does not fit the port",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.any([Condition.all([Condition.leaf(field: "tls", test: Condition.Test.equals(FieldValue.string("implicit"))), Condition.leaf(field: "port.tls", test: Condition.Test.equals(FieldValue.string("starttls"))), Condition.not(Condition.leaf(field: "port.status", test: Condition.Test.equals(FieldValue.string("alternative"))))]), Condition.leaf(field: "port.protocolMatches", test: Condition.Test.equals(FieldValue.bool(false)))]), at: "port", message: "{endpoint}: port {port} is the {port.service} port ({port.protocol} with tls: {port.tls}), which does not fit this connection's {protocol} with tls: {tls}."),
            ],
            message: "{endpoint}: port {port} is the {port.service} port ({port.protocol} with tls: {port.tls}), which does not fit this connection's {protocol} with tls: {tls}.",
            rationale: "Each mail port implies both a protocol and a way of starting TLS. Implicit TLS on a STARTTLS\nport (25, 587, 143, 110, 4190) makes the client send a TLS handshake while the server sends a\nplain-text greeting, so the connection fails, and some clients then retry without encryption.\nA protocol on another protocol's port (IMAP on 995, POP3 on 993, SMTP on 143) is almost always\na copy-and-paste mistake that either does not work or talks to a service nobody meant to use.\nPort 2525 is offered with either TLS mode by providers, so it is not checked for the mode.\n\nMake port, protocol and tls agree: SMTP submission on 465 with `tls: implicit` or on 587 with\n`tls: starttls`; IMAP on 993 (`implicit`) or 143 (`starttls`); POP3 on 995 (`implicit`) or 110\n(`starttls`); ManageSieve on 4190 (`starttls`). Usually only the port number is wrong.\n",
            fix: RuleFix(general: "Make port, protocol and TLS mode agree: SMTP 465 implicit or 587 STARTTLS, IMAP 993 or 143, POP3 995 or 110, ManageSieve 4190 STARTTLS.", byFormat: [("mailaudit-yaml", "`port: 465` for SMTP with `tls: implicit` (587 is `tls: starttls`); IMAP `port: 993`, POP3 `port: 995`"), ("msmtp", "`port 465` with `tls_starttls off`, or `tls_starttls on` for port 587"), ("mutt", "`smtps://…:465` or `smtp://…:587` (likewise `imaps://…:993`)"), ("fetchmail", "`service 993` for IMAP with `ssl` (995 is POP3)"), ("mbsync", "`Port 993` with `SSLType IMAPS` (or `Port 143` with `SSLType STARTTLS`)"), ("offlineimap", "`remoteport = 993` (or leave it out) with `ssl = yes`"), ("getmail", "`port = 995` for an SSL POP3 retriever (993 for IMAP), or leave it out"), ("gitconfig", "`smtpEncryption = tls` on port 587, or `smtpServerPort = 465` with `smtpEncryption = ssl`"), ("aerc", "`smtps://…:465` (or `smtp://…:587`)"), ("thunderbird", "`user_pref(\"mail.server.….port\", 993)` with SSL/TLS (143 with STARTTLS)"), ("autoconfig", "`<port>995</port>` for POP3 with `SSL` (993 is IMAP)"), ("mobileconfig", "`<integer>993</integer>` for IMAP with SSL (995 is POP3)"), ("autodiscover", "`<Encryption>TLS</Encryption>` on port 587, or `<Port>465</Port>` with `SSL`"), ("postfix", "the `submissions` service (port 465) for `smtpd_tls_wrappermode=yes`; `submission` (587) is STARTTLS"), ("dovecot", "`port = 993` in `inet_listener imaps` with `ssl = yes` (143 is STARTTLS)"), ("exim", "`tls_on_connect_ports = 465` with 465 in `daemon_smtp_ports` (587 is STARTTLS)"), ("opensmtpd", "`listen on … port 465 smtps` (or `port 587 tls` for STARTTLS)"), ("dotenv", "`MAIL_PORT=465` for `MAIL_SCHEME=smtps` (587 is STARTTLS with `smtp`)"), ("spring", "`spring.mail.port=465` with `ssl.enable=true` (587 is `starttls.enable=true`)"), ("django", "`EMAIL_PORT = 465` with `EMAIL_USE_SSL` (587 is `EMAIL_USE_TLS`)"), ("roundcube", "`tls://` on port 587 or 143, `ssl://` only on 465 or 993"), ("gitea", "`SMTP_PORT = 465` for `PROTOCOL = smtps` (587 is `smtp+starttls`)"), ("snappymail", "`\"type\": 2` (STARTTLS) on 143 and 587, `\"type\": 1` only on 993 and 465")]),
            references: ["RFC 8314 §3", "RFC 6409 §3.1", "RFC 3207", "RFC 5804", "IANA Service Name and Transport Protocol Port Number Registry"],
            tags: ["correctness", "transport-encryption"],
            examples: [], source: "Rules/MA107.yml")
    }

    private static func rule_MA201() -> Rule {
        Rule(
            id: "MA201", name: "pop2-in-use", severity: Severity.error, scope: Rule.Scope.endpoint,
            summary: "POP2 is obsolete",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.any([Condition.leaf(field: "protocol", test: Condition.Test.equals(FieldValue.string("pop2"))), Condition.leaf(field: "port.protocol", test: Condition.Test.equals(FieldValue.string("pop2")))]), at: "protocol", message: "{endpoint}: the connection uses POP2 (protocol {protocol}, port {port}), a protocol obsolete since the 1980s that no current server supports."),
            ],
            message: "{endpoint}: the connection uses POP2 (protocol {protocol}, port {port}), a protocol obsolete since the 1980s that no current server supports.",
            rationale: "POP2 (RFC 937, 1985) was replaced by POP3 in 1988 and has been obsolete ever since. It has no\nTLS, no STARTTLS and no modern authentication, so everything, password included, crosses the\nnetwork in clear text. No maintained server implements it: a setting that still names POP2 or\nport 109 is either dead configuration or points at an unmaintained service that should not be\nreachable.\n\nUse IMAP over implicit TLS instead: `protocol: imap`, `port: 993`, `tls: implicit`. If port 109\nis open on a server, close it.\n",
            fix: RuleFix(general: "Use IMAP over implicit TLS (port 993) instead of POP2, and close port 109 on a server.", byFormat: [("mailaudit-yaml", "`protocol: imap`, `port: 993`, `tls: implicit`"), ("getmail", "`type = SimpleIMAPSSLRetriever` without `port = 109` (or `SimplePOP3SSLRetriever` on 995)"), ("fetchmail", "`proto IMAP` with `ssl` on the user entry")]),
            references: ["RFC 937", "RFC 1939", "RFC 8314 §3.2"],
            tags: ["security", "legacy"],
            examples: [], source: "Rules/MA201.yml")
    }

    private static func rule_MA202() -> Rule {
        Rule(
            id: "MA202", name: "obsolete-mailq-port", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "Obsolete mailq service",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.any([Condition.leaf(field: "protocol", test: Condition.Test.equals(FieldValue.string("mailq"))), Condition.leaf(field: "port.protocol", test: Condition.Test.equals(FieldValue.string("mailq")))]), at: "port", message: "{endpoint}: port {port} (protocol {protocol}) is the obsolete mailq service, which no current mail software needs."),
            ],
            message: "{endpoint}: port {port} (protocol {protocol}) is the obsolete mailq service, which no current mail software needs.",
            rationale: "Port 174 was registered for remotely listing a mail server's queue. The service has no current\nspecification, no encryption and no authentication worth the name, and no maintained MTA needs\nit. If it answers at all, it shows strangers which messages are waiting for whom; if it is only\nconfigured, it is dead weight that confuses audits.\n\nRemove the mailq listener or endpoint and close port 174. Inspect the queue locally with the\nMTA's own tools instead (`mailq`, `postqueue -p`, `exim -bp`).\n",
            fix: RuleFix(general: "Remove the mailq service and close port 174; look at the queue on the host with `mailq`, `postqueue -p` or `exim -bp`.", byFormat: [("mailaudit-yaml", "remove the `protocol: mailq` listener (`mailq` or `postqueue -p` on the host shows the queue)"), ("gitconfig", "`smtpServerPort = 587` (with `smtpEncryption = tls`) or 465 (`ssl`)")]),
            references: ["IANA Service Name and Transport Protocol Port Number Registry (port 174, mailq)"],
            tags: ["security", "legacy"],
            examples: [], source: "Rules/MA202.yml")
    }

    private static func rule_MA203() -> Rule {
        Rule(
            id: "MA203", name: "deprecated-pop3", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "POP3 in use; prefer IMAP",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.leaf(field: "protocol", test: Condition.Test.equals(FieldValue.string("pop3"))), at: "protocol", message: "{endpoint}: POP3 downloads mail to one device and usually deletes it from the server; prefer IMAP on port 993 with tls: implicit."),
            ],
            message: "{endpoint}: POP3 downloads mail to one device and usually deletes it from the server; prefer IMAP on port 993 with tls: implicit.",
            rationale: "POP3 (RFC 1939) downloads messages to one device and usually deletes them from the server. It\nhas no folders, no shared read or answered flags and no server-side search, so several devices\ndrift apart, and mail kept only on one laptop is lost with it. IMAP (RFC 9051) keeps the mailbox\non the server and synchronizes every client. POP3 over TLS on port 995 is still POP3: the port\nfixes the encryption, not the model. Where POP3 is a deliberate choice (fetchmail feeding a\nlocal delivery agent, say), disable this rule in `.mailaudit.yml`.\n\nSwitch the account to IMAP: `protocol: imap`, `port: 993`, `tls: implicit` (or 143 with\n`tls: starttls`). On a server, offer IMAP and phase out the POP3 listeners on 110 and 995.\n",
            fix: RuleFix(general: "Use IMAP instead of POP3 (993 with implicit TLS); on a server, offer IMAP and phase out the POP3 listeners.", byFormat: [("mailaudit-yaml", "`protocol: imap` with `port: 993` and `tls: implicit`"), ("mutt", "`imaps://` instead of `pops://` (`set spoolfile = \"imaps://…/INBOX\"`)"), ("fetchmail", "`proto IMAP` (with `ssl`)"), ("getmail", "`type = SimpleIMAPSSLRetriever` instead of `SimplePOP3SSLRetriever`"), ("thunderbird", "an IMAP account for this server: `user_pref(\"mail.server.….type\", \"imap\")`"), ("autoconfig", "`<incomingServer type=\"imap\">` on `<port>993</port>`"), ("mobileconfig", "`<string>EmailTypeIMAP</string>` with port `<integer>993</integer>`"), ("autodiscover", "`<Type>IMAP</Type>` on `<Port>993</Port>`"), ("dovecot", "`protocols = imap` (without `pop3`)"), ("dotenv", "docker-mailserver `ENABLE_POP3=0`; Mailu always serves POP3: do not publish ports 110 and 995 in the compose file"), ("dotenv/docker-mailserver", "`ENABLE_POP3=0`"), ("dotenv/mailu", "Mailu always serves POP3: do not publish ports 110 and 995 in the compose file")]),
            references: ["RFC 1939", "RFC 9051", "RFC 8314 §3.1", "RFC 8314 §3.2"],
            tags: ["legacy", "best-practice"],
            examples: [], source: "Rules/MA203.yml")
    }

    private static func rule_MA204() -> Rule {
        Rule(
            id: "MA204", name: "legacy-mail-protocol", severity: Severity.note, scope: Rule.Scope.endpoint,
            summary: "Legacy, rarely used mail protocol or port",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.any([Condition.leaf(field: "port.status", test: Condition.Test.equals(FieldValue.string("legacy"))), Condition.leaf(field: "protocol", test: Condition.Test.oneOf([FieldValue.string("rmcp"), FieldValue.string("qmtp"), FieldValue.string("imsp"), FieldValue.string("imap3"), FieldValue.string("kpop")]))]), at: "port", message: "{endpoint}: {protocol} on port {port} is a legacy mail protocol or port that is rarely used and rarely maintained."),
            ],
            message: "{endpoint}: {protocol} on port {port} is a legacy mail protocol or port that is rarely used and rarely maintained.",
            rationale: "RMCP (port 50, RFC 1339), QMTP (209), IMSP (406), IMAP3 (220, RFC 1203) and KPOP (1109) are\nhistorical protocols that few programs still implement, and those few see little maintenance\nor security review. Most of them have no TLS at all. Some sites run ordinary IMAP on port 220 or\nPOP3 on 1109, which works but surprises every tool and administrator that meets it. This is a\nnote, not a problem in itself; it points at something worth a second look.\n\nMove to the standard protocols and ports: IMAP on 993 with `tls: implicit` for mail access, SMTP\nsubmission on 465 or 587 for sending, and SMTP on 25 between MTAs. Close the legacy port once\nnothing uses it.\n",
            fix: RuleFix(general: "Use the standard protocols and ports: IMAP on 993 with implicit TLS, SMTP submission on 465 or 587, SMTP on 25 between MTAs.", byFormat: [("mailaudit-yaml", "`protocol: imap`, `port: 993`, `tls: implicit`; on a server, remove the legacy listener (such as `protocol: qmtp`)"), ("offlineimap", "`remoteport = 993` (or leave it out) with `ssl = yes`"), ("aerc", "`imaps://…:993` (or no port)"), ("fetchmail", "`proto IMAP` with `ssl` instead of KPOP")]),
            references: ["RFC 1339", "RFC 1203", "https://cr.yp.to/proto/qmtp.txt", "RFC 8314 §3"],
            tags: ["legacy"],
            examples: [], source: "Rules/MA204.yml")
    }

    private static func rule_MA205() -> Rule {
        Rule(
            id: "MA205", name: "udp-transport", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "Mail protocol over UDP",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.leaf(field: "transport", test: Condition.Test.equals(FieldValue.string("udp"))), at: "transport", message: "{endpoint}: {protocol} on port {port} is set to transport: {transport}; mail protocols run over TCP, and nothing sent this way is reliable or encrypted."),
            ],
            message: "{endpoint}: {protocol} on port {port} is set to transport: {transport}; mail protocols run over TCP, and nothing sent this way is reliable or encrypted.",
            rationale: "SMTP, IMAP and POP3 are stateful, line-based dialogues that assume a reliable, ordered byte\nstream such as TCP provides (RFC 5321, RFC 9051 §2.1, RFC 1939 §3). Over UDP, datagrams can be\nlost, duplicated or reordered, and the TLS these protocols use is not defined over datagrams.\nA UDP setting is a configuration mistake: at best the connection fails, at worst something\nunexpected answers on that port.\n\nSet `transport: tcp` (or remove the setting; TCP is the default) and, on a server, close the UDP\nport.\n",
            fix: RuleFix(general: "Use TCP (the default) and close the UDP port on a server.", byFormat: [("mailaudit-yaml", "`transport: tcp`, or no `transport` at all (TCP is the default)")]),
            references: ["RFC 5321", "RFC 9051 §2.1", "RFC 1939 §3"],
            tags: ["correctness", "transport"],
            examples: [], source: "Rules/MA205.yml")
    }

    private static func rule_MA301() -> Rule {
        Rule(
            id: "MA301", name: "client-submission-on-port-25", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "Client submits mail on port 25",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "role", test: Condition.Test.equals(FieldValue.string("client"))), Condition.leaf(field: "direction", test: Condition.Test.equals(FieldValue.string("outgoing"))), Condition.leaf(field: "port.service", test: Condition.Test.equals(FieldValue.string("smtp"))), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true))))]), at: "port", message: "{endpoint}: the client submits mail on port {port}, the MTA relay port that many ISPs block for end users; submit on 587 (STARTTLS) or 465 (implicit TLS)."),
            ],
            message: "{endpoint}: the client submits mail on port {port}, the MTA relay port that many ISPs block for end users; submit on 587 (STARTTLS) or 465 (implicit TLS).",
            rationale: "Port 25 is for relay between mail servers. Because infected home computers used it to send spam\ndirectly, most ISPs, mobile networks and cloud providers block outgoing port 25 for end users,\nso a client set up for 25 works at the office and fails on the next network, or is silently\nredirected. Submission ports are meant for clients: 587 (RFC 6409) with STARTTLS and 465\n(RFC 8314) with implicit TLS require authentication and apply the policies a mail provider\nneeds for its users. Port 2525 is a common alternative where neither is reachable.\nTraffic to loopback (`localhost`, 127.0.0.0/8, `::1`, or a listener bound only to them) never\nleaves the machine, so this rule does not apply to it.\n\nSet `port: 465` with `tls: implicit` (preferred), or `port: 587` with `tls: starttls`, and keep\n`auth` set. Use `port: 2525` only where the provider documents it.\n",
            fix: RuleFix(general: "Submit mail on port 587 (STARTTLS) or 465 (implicit TLS), with authentication; port 25 is for MTA-to-MTA relay.", byFormat: [("mailaudit-yaml", "`port: 587` with `tls: starttls`, or `port: 465` with `tls: implicit`"), ("msmtp", "`port 587` (or `tls_starttls off`, which makes the default port 465)"), ("mutt", "`smtp://…:587` or `smtps://…` (465) in `smtp_url`: without a port, `smtp://` is 25"), ("gitconfig", "`smtpServerPort = 587` with `smtpEncryption = tls` (or 465 with `ssl`)"), ("aerc", "`:587` in the `outgoing` URL (or `smtps://` for 465)"), ("thunderbird", "`user_pref(\"mail.smtpserver.….port\", 587)` (465 with `try_ssl` 3)"), ("autoconfig", "`<port>587</port>` with `<socketType>STARTTLS</socketType>` (or 465 with `SSL`)"), ("mobileconfig", "`<integer>587</integer>` for `OutgoingMailServerPortNumber` (or 465 with SSL)"), ("autodiscover", "`<Port>587</Port>` with `<Encryption>TLS</Encryption>` (or 465 with `SSL`)"), ("dotenv", "`EMAIL_PORT=587` / `MAIL_PORT=587` (465 with implicit TLS)"), ("spring", "`spring.mail.port=587` (465 with `ssl.enable=true`)"), ("django", "`EMAIL_PORT = 587` with `EMAIL_USE_TLS = True` (or 465 with `EMAIL_USE_SSL`)"), ("wordpress", "`define( 'WPMS_SMTP_PORT', 587 )` with `WPMS_SSL` `'tls'` (or 465 with `'ssl'`)"), ("gitea", "`PROTOCOL = smtps` with `SMTP_PORT = 465` (or `smtp+starttls` on 587)"), ("grafana", "`host = smtp.example.com:465` (or 587 with `startTLS_policy = MandatoryStartTLS`)"), ("snappymail", "`\"port\": 465` with `\"type\": 1` (or 587 with `\"type\": 2`) in `SMTP`")]),
            references: ["RFC 6409 §3.1", "RFC 8314 §3.3", "RFC 5068", "M3AAWG Managing Port 25 for Residential or Dynamic IP Space"],
            tags: ["deliverability", "best-practice"],
            examples: [], source: "Rules/MA301.yml")
    }

    private static func rule_MA302() -> Rule {
        Rule(
            id: "MA302", name: "unauthenticated-submission", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "Mail submission without authentication",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.any([Condition.all([Condition.leaf(field: "role", test: Condition.Test.equals(FieldValue.string("client"))), Condition.leaf(field: "direction", test: Condition.Test.equals(FieldValue.string("outgoing"))), Condition.leaf(field: "port.service", test: Condition.Test.oneOf([FieldValue.string("submission"), FieldValue.string("submissions"), FieldValue.string("alt-submission")])), Condition.leaf(field: "auth", test: Condition.Test.equals(FieldValue.list([])))]), Condition.all([Condition.leaf(field: "role", test: Condition.Test.equals(FieldValue.string("server"))), Condition.leaf(field: "direction", test: Condition.Test.equals(FieldValue.string("outgoing"))), Condition.leaf(field: "authRequired", test: Condition.Test.equals(FieldValue.bool(false)))])]), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true))))]), at: "auth", message: "{endpoint}: mail submission is not authenticated, so the server cannot tell who is sending and anyone who reaches it can send mail through it."),
            ],
            message: "{endpoint}: mail submission is not authenticated, so the server cannot tell who is sending and anyone who reaches it can send mail through it.",
            rationale: "The submission ports exist so that known users can hand mail to their provider, and RFC 6409\n§4.3 requires a submission server to refuse mail from sessions that have not authenticated.\nA client that submits without authentication depends on the server trusting its IP address,\nwhich breaks on another network and makes every sender on that network look alike. A server\nwhose submission listener does not require authentication lets anyone who can reach it send\nmail as a local user, or worse, relay spam to the whole internet.\nTraffic to loopback (`localhost`, 127.0.0.0/8, `::1`, or a listener bound only to them) never\nleaves the machine, so this rule does not apply to it.\n\nFor a client, name a mechanism and a credential source: `auth: [plain]` with `password_command:`\nor `keyring: true` (or `auth: [oauth2]`). For a server, set `require_auth: true` on the\nsubmission listener (Postfix master.cf\n`-o smtpd_client_restrictions=permit_sasl_authenticated,reject` and\n`-o smtpd_sasl_auth_enable=yes`).\n",
            fix: RuleFix(general: "A client: log in with a user and a credential source; a server: require authentication on the submission listener.", byFormat: [("mailaudit-yaml", "a client: `auth: [plain]` with `password_command:` or `keyring: true`; a server listener: `require_auth: true`"), ("msmtp", "`auth on` with `user` and `passwordeval` (or a keyring entry)"), ("mutt", "a user name in `smtp_url` (`smtps://…@…`), with `smtp_pass` from a command or `smtp_oauth_refresh_command`"), ("gitconfig", "`smtpUser = …` (git asks for the password through the credential helper)"), ("aerc", "`smtp+plain://…@…` (a user name; or `+oauthbearer`) with `outgoing-cred-cmd`"), ("thunderbird", "`user_pref(\"mail.smtpserver.….authMethod\", 3)` (normal password) or OAuth2 (10)"), ("autoconfig", "`<authentication>password-cleartext</authentication>` (over TLS) or `OAuth2`"), ("mobileconfig", "`<string>EmailAuthPassword</string>` for `OutgoingMailServerAuthentication`"), ("autodiscover", "`<AuthRequired>on</AuthRequired>`"), ("postfix", "`-o smtpd_client_restrictions=permit_sasl_authenticated,reject` on the submission service in master.cf"), ("opensmtpd", "`auth` on the `listen on` line of the submission port"), ("dotenv", "a user and password: Laravel `MAIL_USERNAME` with `MAIL_PASSWORD=${…}`, Django-style `EMAIL_HOST_USER`, Symfony `user:pass@` in `MAILER_DSN`"), ("dotenv/laravel", "`MAIL_USERNAME` with `MAIL_PASSWORD=${…}`"), ("dotenv/django", "`EMAIL_HOST_USER` with `EMAIL_HOST_PASSWORD=${…}`"), ("dotenv/symfony", "`user:pass@` in `MAILER_DSN`, the password from the environment"), ("spring", "`spring.mail.username`, `spring.mail.password=${…}` and `spring.mail.properties.mail.smtp.auth=true`"), ("django", "`EMAIL_HOST_USER` with `EMAIL_HOST_PASSWORD = os.environ[…]`"), ("wordpress", "`define( 'WPMS_SMTP_AUTH', true )` with `WPMS_SMTP_USER`, the password from the environment"), ("gitea", "`USER = forge@example.com` (the password from `GITEA__mailer__PASSWD`)"), ("grafana", "`user = alerts@example.com` with `password = $__file{/run/secrets/smtp_password}`"), ("snappymail", "`\"useAuth\": true` in `SMTP` (`smtp_auth = On` in an INI domain)")]),
            references: ["RFC 6409 §4.3", "RFC 6409 §3.3", "RFC 4954", "RFC 8314 §3.3"],
            tags: ["security", "authentication"],
            examples: [], source: "Rules/MA302.yml")
    }

    private static func rule_MA401() -> Rule {
        Rule(
            id: "MA401", name: "selective-only-encryption", severity: Severity.warning, scope: Rule.Scope.identity,
            summary: "Encryption applied only to selected messages or destinations",
            clauses: [
                Rule.Clause(scope: Rule.Scope.identity, when: Condition.leaf(field: "contentEncryption", test: Condition.Test.oneOf([FieldValue.string("per-message"), FieldValue.string("opportunistic")])), at: "contentEncryption", message: "{identity}: content encryption is {contentEncryption} instead of always, so only some messages are encrypted, and exactly those stand out as the ones worth attention."),
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.leaf(field: "selectiveTLS", test: Condition.Test.equals(FieldValue.bool(true))), at: "selectiveTLS", message: "{endpoint}: TLS is enabled only for selected destinations while the default is no encryption, so every other connection runs in clear text and the encrypted ones stand out."),
            ],
            message: "{identity}: content encryption is {contentEncryption} instead of always, so only some messages are encrypted, and exactly those stand out as the ones worth attention.",
            rationale: "Encrypting only the messages someone judged sensitive singles them out: an observer learns\nwhich messages matter, between whom and when, and everything else, often just as revealing,\nstays readable. Per-message encryption also depends on the sender remembering every time, and\nopportunistic encryption silently falls back to clear text. Encryption should be the default,\nso that an encrypted message looks like every other message. The same holds for transport:\nenabling TLS only for a list of chosen destinations (Postfix `smtp_tls_security_level = none`\nwith a TLS policy map) leaves all other mail in clear text.\n\nSet `content_encryption: always` for the identity (Thunderbird \"Require encryption by default\",\nmutt `crypt_autoencrypt=yes` with `crypt_opportunistic_encrypt=no`), and publish or collect the\nkeys needed. On a server, make TLS the default for all destinations (Postfix\n`smtp_tls_security_level = may`, or `dane`/`encrypt` with MTA-STS) and use the policy map only\nto tighten, never to switch TLS on, for particular destinations.\n",
            fix: RuleFix(general: "Encrypt by default rather than per message or when keys happen to be at hand; on a server, TLS for every destination, the policy map only to tighten.", byFormat: [("mailaudit-yaml", "`content_encryption: always` for the identity; a server listener: `tls: starttls` instead of `selective_tls`"), ("mutt", "`set crypt_autoencrypt = yes` (not `crypt_opportunistic_encrypt` or a `send-hook`)"), ("aerc", "`pgp-opportunistic-encrypt = false`, and encrypt each message on purpose (`:encrypt`)"), ("thunderbird", "\"Require encryption by default\": `user_pref(\"mail.identity.….encryptionpolicy\", 2)`"), ("mobileconfig", "`SMIMEEncryptByDefault` `<true/>` instead of `SMIMEEnablePerMessageSwitch`"), ("postfix", "`smtp_tls_security_level = may` (TLS by default; the policy map only tightens)")]),
            references: ["RFC 8551", "RFC 9580", "RFC 7435", "RFC 8461", "RFC 7672", "Postfix TLS_README, https://www.postfix.org/TLS_README.html"],
            tags: ["security", "privacy", "content-encryption"],
            examples: [], source: "Rules/MA401.yml")
    }

    private static func rule_MA501() -> Rule {
        Rule(
            id: "MA501", name: "plaintext-password-in-config", severity: Severity.warning, scope: Rule.Scope.endpoint,
            summary: "Password written in the configuration file",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.leaf(field: "credential", test: Condition.Test.equals(FieldValue.string("inline"))), at: "credential", message: "{endpoint}: the password is written in the configuration file (credential: inline), so anyone who can read the file, its backups or its history has it."),
            ],
            message: "{endpoint}: the password is written in the configuration file (credential: inline), so anyone who can read the file, its backups or its history has it.",
            rationale: "A password written into a configuration file travels wherever the file goes: backups, dotfile\nrepositories, container images, support tickets, screen shares. File permissions protect only\nthe one copy on disk. Mail passwords often unlock much more than mail (single sign-on, password\nresets for other services), so a leaked config file can become a leaked identity. Reading the\nsecret at run time from a password manager or keyring keeps it out of the file entirely.\n\nRemove `password:` and use `password_command:` (msmtp `passwordeval`, mutt `` set\nimap_pass=`pass show mail/office` ``, offlineimap `remotepasseval`), `keyring: true`, or\n`password_file:` pointing at a file readable only by you. Prefer OAuth2 or an app-specific\npassword where the provider offers it, and change any password that has been committed.\n",
            fix: RuleFix(general: "Take the password out of the file: a command that reads it from a password manager or keyring, or a file only you can read; change a password that was ever committed.", byFormat: [("mailaudit-yaml", "`password_command: \"pass show …\"` (or `keyring: true`, `password_file:`) instead of `password:`"), ("msmtp", "`passwordeval \"pass show …\"` (or the keyring: no `password` line) instead of `password`"), ("mutt", "a command in backquotes instead of the password: set imap_pass = \"`pass show …`\""), ("fetchmail", "no `password` on the user entry: fetchmail then reads `~/.netrc`, or asks"), ("mbsync", "`PassCmd \"pass show …\"` instead of `Pass`"), ("offlineimap", "`remotepasseval = …` (a keyring call) or `remotepassfile` instead of `remotepass`"), ("getmail", "`password_command = (\"pass\", \"…\")` instead of `password`"), ("gitconfig", "no `smtpPass`: a credential helper (`[credential] helper = libsecret`) keeps it"), ("aerc", "`source-cred-cmd = …` (or `outgoing-cred-cmd`) instead of a password in the URL"), ("autoconfig", "remove `<password>`: the client asks for it"), ("mobileconfig", "remove `IncomingPassword` / `OutgoingPassword`: the device asks for it"), ("exim", "`${lookup{…}lsearch{/etc/exim4/passwd.client}}` in `client_send` instead of the password"), ("dotenv", "keep the value out of the file: `MAIL_PASSWORD=${…}` from the environment or a secret store (docker-mailserver: `RELAY_PASSWORD` likewise)"), ("dotenv/laravel", "keep the value out of the file: `MAIL_PASSWORD=${…}` from the environment or a secret store"), ("dotenv/docker-mailserver", "keep the value out of the file: `RELAY_PASSWORD=${…}` from the environment or a secret store"), ("dotenv/django", "keep the value out of the file: `EMAIL_HOST_PASSWORD=${…}` from the environment or a secret store"), ("dotenv/symfony", "keep the password out of the file: `MAILER_DSN=smtp://user:${MAILER_PASSWORD}@host` from the environment or a secret store"), ("spring", "`spring.mail.password=${SMTP_PASSWORD}` from the environment"), ("django", "`EMAIL_HOST_PASSWORD = os.environ[\"EMAIL_HOST_PASSWORD\"]`"), ("roundcube", "`$config['smtp_pass'] = '%p'` (the user's own login) or `getenv(…)`"), ("nextcloud", "`'mail_smtppassword' => getenv('SMTP_PASSWORD')`, or a `*.config.php` that reads a secret file"), ("wordpress", "`define( 'WPMS_SMTP_PASS', getenv( 'WPMS_SMTP_PASS' ) )`"), ("gitea", "drop `PASSWD` from app.ini and set `GITEA__mailer__PASSWD` in the service's environment"), ("grafana", "`password = $__file{/run/secrets/smtp_password}` (or `$__env{SMTP_PASSWORD}`)"), ("dotenv/grafana", "`GF_SMTP_PASSWORD__FILE=/run/secrets/smtp_password` instead of `GF_SMTP_PASSWORD`")]),
            references: ["CWE-256: Plaintext Storage of a Password", "CWE-312: Cleartext Storage of Sensitive Information"],
            tags: ["security", "secrets"],
            examples: [], source: "Rules/MA501.yml")
    }

    private static func rule_MA601() -> Rule {
        Rule(
            id: "MA601", name: "webmail-over-http", severity: Severity.error, scope: Rule.Scope.endpoint,
            summary: "Webmail served over plain HTTP",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "direction", test: Condition.Test.equals(FieldValue.string("webmail"))), Condition.leaf(field: "tls", test: Condition.Test.equals(FieldValue.string("none")))]), at: "tls", message: "{endpoint}: webmail is served over plain HTTP on port {port} (tls: {tls}), so logins, session cookies and mail cross the network unencrypted."),
            ],
            message: "{endpoint}: webmail is served over plain HTTP on port {port} (tls: {tls}), so logins, session cookies and mail cross the network unencrypted.",
            rationale: "Webmail over plain HTTP sends the login form, the session cookie and every message in clear\ntext. Anyone on the same network can read the mailbox or take over the session without even\nknowing the password. HTTPS (RFC 9110 §4.2.2) is the only acceptable way to serve webmail, and\nHSTS (RFC 6797) keeps browsers from being downgraded to HTTP afterwards.\n\nServe webmail over HTTPS and use an `https://` URL (`url: \"https://webmail.example.com/\"`). Have\nthe HTTP site only redirect to HTTPS, and send a `Strict-Transport-Security` header.\n",
            fix: RuleFix(general: "Serve webmail over HTTPS with an `https://` URL; let the HTTP site only redirect, and send `Strict-Transport-Security`.", byFormat: [("mailaudit-yaml", "`url: \"https://…\"`"), ("dotenv", "Mailu `TLS_FLAVOR=letsencrypt` (or `cert`), not `notls`"), ("roundcube", "`$config['force_https'] = true;` and an `https://` `request_path`"), ("nextcloud", "`'overwriteprotocol' => 'https'` behind an HTTPS proxy")]),
            references: ["RFC 9110 §4.2.2", "RFC 6797", "RFC 8314 §4.1"],
            tags: ["security", "transport-encryption", "webmail"],
            examples: [], source: "Rules/MA601.yml")
    }

    private static func rule_MA701() -> Rule {
        Rule(
            id: "MA701", name: "banner-discloses-software", severity: Severity.note, scope: Rule.Scope.endpoint,
            summary: "Greeting banner names the server software or OS",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "role", test: Condition.Test.equals(FieldValue.string("server"))), Condition.not(Condition.leaf(field: "loopback", test: Condition.Test.equals(FieldValue.bool(true)))), Condition.leaf(field: "banner", test: Condition.Test.matches(RegexBox(checked: "(?i)(\\b(postfix|dovecot|exim4?|sendmail|opensmtpd|courier|cyrus|qmail|haraka|zimbra|microsoft|ubuntu|debian|centos|red ?hat|rhel|fedora|almalinux|suse|freebsd|openbsd|netbsd|windows)\\b|\\$mail_name|\\$mail_version|\\$\\{?version_number|\\$[vz]\\b|(^|[^.0-9])[0-9]+\\.[0-9]+\\.[0-9]+(\\.?$|\\.[^0-9]|[^.0-9]))")))]), at: "banner", message: "{endpoint}: the greeting names the server software or operating system ('{banner}'), which tells attackers which exploits to try."),
            ],
            message: "{endpoint}: the greeting names the server software or operating system ('{banner}'), which tells attackers which exploits to try.",
            rationale: "The greeting is the first thing every client, scanner and attacker sees, before any\nauthentication. A banner naming the software, its version or the operating system lets an\nattacker match the server against known vulnerabilities without probing, and internet-wide\nscanners index these banners. RFC 5321 §7.5 explicitly allows servers to leave this information\nout. Hiding it does not fix a vulnerable server, but it costs nothing and removes a free hint.\nDefault greetings count, as for every server: Postfix's, Exim's and Dovecot's name the software\nunless the configuration sets a neutral one. OpenSMTPD's greeting is compiled in\n(`<hostname> ESMTP OpenSMTPD`): the configuration can change only the host name in it\n(`listen on … hostname NAME`), so hiding the name takes a patched build — or accept it and\nsuppress this note for `smtpd.conf`. A listener bound only to loopback greets local programs\nalone and is not reported.\n\nUse a neutral greeting such as `banner: \"mail.example.com ESMTP\"`: Postfix\n`smtpd_banner = $myhostname ESMTP`, Dovecot `login_greeting = Ready.`, Exim\n`smtp_banner = $smtp_active_hostname ESMTP`, Sendmail `SmtpGreetingMessage=$j ESMTP`.\n",
            fix: RuleFix(general: "Use a greeting that names the host only, not the software or its version.", byFormat: [("mailaudit-yaml", "`banner: \"mail.example.com ESMTP\"` (IMAP, POP3: `banner: \"Ready.\"`)"), ("postfix", "`smtpd_banner = $myhostname ESMTP`"), ("dovecot", "`login_greeting = Ready.` (one greeting for IMAP, POP3 and ManageSieve)"), ("exim", "`smtp_banner = $smtp_active_hostname ESMTP`"), ("opensmtpd", "the greeting always names OpenSMTPD: accept the note, or listen on loopback only (`listen on localhost`)")]),
            references: ["RFC 5321 §7.5", "Postfix smtpd_banner, https://www.postfix.org/postconf.5.html#smtpd_banner", "Dovecot login_greeting"],
            tags: ["security", "hardening", "information-disclosure"],
            examples: [], source: "Rules/MA701.yml")
    }

    private static func rule_MA702() -> Rule {
        Rule(
            id: "MA702", name: "vrfy-enabled", severity: Severity.note, scope: Rule.Scope.endpoint,
            summary: "SMTP server answers VRFY",
            clauses: [
                Rule.Clause(scope: Rule.Scope.endpoint, when: Condition.all([Condition.leaf(field: "role", test: Condition.Test.equals(FieldValue.string("server"))), Condition.leaf(field: "protocol", test: Condition.Test.equals(FieldValue.string("smtp"))), Condition.leaf(field: "allowsVRFY", test: Condition.Test.equals(FieldValue.bool(true)))]), at: "allowsVRFY", message: "{endpoint}: the SMTP server answers VRFY (allowsVRFY: true), so anyone can test which addresses exist."),
            ],
            message: "{endpoint}: the SMTP server answers VRFY (allowsVRFY: true), so anyone can test which addresses exist.",
            rationale: "VRFY asks the server whether an address exists, and answers it for anyone who connects. Spammers\nuse it to harvest valid addresses and attackers to enumerate user names before guessing\npasswords. Legitimate mail delivery never needs it. RFC 5321 §7.3 lets servers disable VRFY or\nanswer it without confirming anything, and most sites do.\n\nSet `vrfy: false` (Postfix `disable_vrfy_command = yes`, Sendmail `PrivacyOptions=goaway`; Exim\nrefuses VRFY unless an `acl_smtp_vrfy` ACL accepts it, so remove that ACL). If a monitoring tool\nneeds VRFY, allow it only from that tool's address.\n",
            fix: RuleFix(general: "Turn VRFY off (allow it only from a monitoring host that needs it).", byFormat: [("mailaudit-yaml", "`vrfy: false`"), ("postfix", "`disable_vrfy_command = yes`")]),
            references: ["RFC 5321 §3.5.3", "RFC 5321 §7.3", "Postfix disable_vrfy_command, https://www.postfix.org/postconf.5.html#disable_vrfy_command"],
            tags: ["security", "hardening", "information-disclosure"],
            examples: [], source: "Rules/MA702.yml")
    }

    private static func rule_MA801() -> Rule {
        Rule(
            id: "MA801", name: "implicit-tls-not-working", severity: Severity.error, scope: Rule.Scope.meta,
            summary: "Implicit TLS configured, but the server completes no TLS handshake",
            clauses: [],
            message: "The configuration says implicit TLS, but no TLS handshake completed: the server answered in plaintext or not at all.",
            rationale: "A port meant for encryption does not mean encryption is on: only connecting shows what the\nserver really does there. This probe finding (`mailaudit probe`, `mailaudit lint --verify`) means\nthe endpoint is set up for implicit TLS — or the port is one of 465, 993, 995, 443 — but the\nserver answered the TLS ClientHello in plaintext (a listener with `ssl = no` in Dovecot, a\nmissing `smtpd_tls_wrappermode=yes` in Postfix), reset the connection, or said nothing. Clients\nconfigured correctly cannot connect at all, and clients that fall back to plaintext send their\npassword in clear text to whatever listens there.\n\nTurn TLS on for the listener: Dovecot `inet_listener imaps { port = 993; ssl = yes }` (with\n`ssl_cert`/`ssl_key`), Postfix `-o smtpd_tls_wrappermode=yes` on the submissions service in\nmaster.cf, Exim `tls_on_connect_ports = 465`. If the server only offers STARTTLS, point the\nconfiguration at its STARTTLS port (587, 143, 110) with `tls: starttls` instead. Check with\n`mailaudit probe HOST:PORT` or `openssl s_client -connect HOST:PORT`.\n",
            fix: RuleFix(general: "Serve TLS from the first byte on this port, or point the configuration at the server's STARTTLS port (587, 143, 110) with STARTTLS.", byFormat: [("postfix", "`-o smtpd_tls_wrappermode=yes` on the submissions service in master.cf"), ("dovecot", "`ssl = yes` in the `inet_listener imaps` / `pop3s` block, with a certificate"), ("exim", "`tls_on_connect_ports = 465`")]),
            references: ["RFC 8314 §3", "RFC 8314 §7.3", "mailaudit live verification (README)"],
            tags: ["probe", "security", "transport-encryption"],
            examples: [], source: "Rules/MA801.yml")
    }

    private static func rule_MA802() -> Rule {
        Rule(
            id: "MA802", name: "starttls-not-offered", severity: Severity.error, scope: Rule.Scope.meta,
            summary: "STARTTLS configured, but the server does not offer it or the upgrade fails",
            clauses: [],
            message: "The configuration says STARTTLS, but the server does not advertise STARTTLS/STLS, or the upgrade fails.",
            rationale: "STARTTLS works only if the server lists it (in its EHLO reply, IMAP CAPABILITY or POP3 CAPA) and\nthen completes the TLS handshake. This probe finding (`mailaudit probe`, `mailaudit lint\n--verify`) means the endpoint is set up for STARTTLS — or the port is one of 25, 587, 143, 110,\n4190 — but the server does not advertise STARTTLS/STLS, refuses the command, or the handshake\nafter it fails. A client that requires TLS cannot connect; a client that only uses TLS \"when\navailable\" silently continues in clear text, credentials included. A missing STARTTLS is also\nwhat an attacker who strips it from the capability list produces, so it must never be normal.\n\nEnable TLS on the server: Postfix `smtpd_tls_security_level = may` (or `encrypt` on submission)\nwith `smtpd_tls_cert_file`/`smtpd_tls_key_file`, Dovecot `ssl = yes` with `ssl_cert`/`ssl_key`,\nExim `tls_advertise_hosts = *` with a certificate. If the server really has no STARTTLS, use its\nimplicit-TLS port (465, 993, 995) with `tls: implicit`. Check with `mailaudit probe HOST:PORT`\nor `openssl s_client -starttls smtp -connect HOST:PORT`.\n",
            fix: RuleFix(general: "Offer STARTTLS on the server (a certificate and TLS on the listener), or use the implicit-TLS port (465, 993, 995).", byFormat: [("postfix", "`smtpd_tls_security_level = may` (`encrypt` on submission) with `smtpd_tls_chain_files`"), ("dovecot", "`ssl = yes` (or `required`) with a certificate"), ("exim", "`tls_advertise_hosts = *` with `tls_certificate` and `tls_privatekey`")]),
            references: ["RFC 3207", "RFC 2595 §3–4", "RFC 8314 §4.1", "RFC 3501 §6.2.1"],
            tags: ["probe", "security", "transport-encryption"],
            examples: [], source: "Rules/MA802.yml")
    }

    private static func rule_MA803() -> Rule {
        Rule(
            id: "MA803", name: "auth-before-tls", severity: Severity.error, scope: Rule.Scope.meta,
            summary: "The server offers authentication before TLS",
            clauses: [],
            message: "The server offers authentication before TLS (AUTH, IMAP LOGIN without LOGINDISABLED, or POP3 USER), so passwords can cross the network in clear text.",
            rationale: "Credentials must never cross an unencrypted connection. This probe finding (`mailaudit probe`,\n`mailaudit lint --verify`) means the server, on the plaintext part of a connection, offers to\nauthenticate: an SMTP `AUTH` line in the EHLO reply, IMAP `AUTH=` mechanisms or `LOGIN` without\n`LOGINDISABLED`, POP3 `USER` or `SASL` in the CAPA list. Any client that is misconfigured, or whose\nSTARTTLS was stripped by an attacker, then sends its password in clear text, and the server\naccepts it. The probe connects from a second loopback address when it checks a server on the same\nmachine, because Dovecot treats a client with its own address as secured and allows plaintext\nlogin to it only.\n\nOffer authentication only inside TLS: Postfix `smtpd_tls_auth_only = yes` (and\n`smtpd_tls_security_level = encrypt` on submission), Dovecot `disable_plaintext_auth = yes`\n(2.3) or `auth_allow_cleartext = no` (2.4), or `ssl = required`; Exim\n`server_advertise_condition = ${if def:tls_in_cipher}` on each authenticator. Better still,\nserve clients on implicit-TLS ports (465, 993, 995) only.\n",
            fix: RuleFix(general: "Offer authentication only after TLS, or serve clients on the implicit-TLS ports (465, 993, 995) only.", byFormat: [("postfix", "`smtpd_tls_auth_only = yes`"), ("dovecot", "`disable_plaintext_auth = yes` (Dovecot 2.4: `auth_allow_cleartext = no`)"), ("exim", "`server_advertise_condition = ${if def:tls_in_cipher}` on each authenticator")]),
            references: ["RFC 8314 §4.1", "RFC 3207 §4.1", "RFC 2595 §3.1", "RFC 4954 §4"],
            tags: ["probe", "security", "authentication"],
            examples: [], source: "Rules/MA803.yml")
    }

    private static func rule_MA804() -> Rule {
        Rule(
            id: "MA804", name: "certificate-invalid", severity: Severity.error, scope: Rule.Scope.meta,
            summary: "The server certificate does not verify for the host name",
            clauses: [],
            message: "The server's certificate does not verify: the chain is not trusted, it has expired, or it does not name the host.",
            rationale: "TLS protects against an attacker in the middle only if the client checks the certificate: a\ntrusted chain, valid dates, and the host name it connected to. This probe finding (`mailaudit\nprobe`, `mailaudit lint --verify`) means a full verification of the server's certificate failed,\nand says why: self-signed or issued by an authority the system does not trust, expired or not\nyet valid, or issued for another name. Clients that verify refuse to connect; clients that were\ntold to accept any certificate to make it work can no longer tell the real server from an\nattacker's.\n\nInstall a certificate from a trusted authority (for example Let's Encrypt) that names every host\nname clients use (`mail.example.com`, `imap.example.com` …) in its subjectAltName, include the\nintermediate certificates in the file the server serves, and renew it before it expires. For a\nprivate CA, distribute the CA certificate to the clients and probe with `--ca-file CA.pem`.\n",
            fix: RuleFix(general: "Serve a certificate from a trusted CA that names every host name clients use, with its intermediates, and renew it in time.", byFormat: []),
            references: ["RFC 6125", "RFC 8314 §4.3", "RFC 5280 §6"],
            tags: ["probe", "security", "certificates"],
            examples: [], source: "Rules/MA804.yml")
    }

    private static func rule_MA805() -> Rule {
        Rule(
            id: "MA805", name: "weak-tls-negotiated", severity: Severity.warning, scope: Rule.Scope.meta,
            summary: "The server negotiates TLS below 1.2",
            clauses: [],
            message: "The server negotiated TLS below 1.2.",
            rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and MD5 in the handshake and on\nCBC cipher suites with known attacks, and current clients refuse them. This probe finding\n(`mailaudit probe`, `mailaudit lint --verify`) means that a client offering every version from\nTLS 1.0 to 1.3 ended up with TLS 1.0 or 1.1: the server supports nothing newer, or is capped\nbelow 1.2. The negotiated cipher suite is named in the message.\n\nAllow TLS 1.2 and 1.3 on the server and turn the old versions off: Postfix\n`smtpd_tls_protocols = >=TLSv1.2` and `smtpd_tls_mandatory_protocols = >=TLSv1.2`, Dovecot\n`ssl_min_protocol = TLSv1.2`, Exim `openssl_options = +no_tlsv1 +no_tlsv1_1`. Update an OpenSSL\nthat cannot do TLS 1.2.\n",
            fix: RuleFix(general: "Allow only TLS 1.2 and 1.3 on the server.", byFormat: [("postfix", "`smtpd_tls_protocols = >=TLSv1.2` and `smtpd_tls_mandatory_protocols = >=TLSv1.2`"), ("dovecot", "`ssl_min_protocol = TLSv1.2`"), ("exim", "`openssl_options = +no_tlsv1 +no_tlsv1_1` (GnuTLS: `tls_require_ciphers = NORMAL:-VERS-TLS1.0:-VERS-TLS1.1`)")]),
            references: ["RFC 8996", "RFC 8314 §4.1", "BSI TR-02102-2"],
            tags: ["probe", "security", "transport-encryption"],
            examples: [], source: "Rules/MA805.yml")
    }

    private static func rule_MA806() -> Rule {
        Rule(
            id: "MA806", name: "endpoint-unreachable", severity: Severity.note, scope: Rule.Scope.meta,
            summary: "No connection, or no greeting within the timeout",
            clauses: [],
            message: "No connection to the server, or no greeting within the timeout, so nothing could be verified.",
            rationale: "A probe can only verify a server it reaches. This probe finding (`mailaudit probe`, `mailaudit\nlint --verify`) means the connection was refused, timed out, or the host name did not resolve,\nor the connection was made but the server sent no greeting of its protocol within `--timeout`\n(it hung, reset the connection, or sent something else). It is a note, not a verdict: the\nconfiguration may name a host that is only reachable from another network. But a server that\naccepts connections and then says nothing makes clients hang too, and a name that does not\nresolve is often a typo.\n\nCheck the host name and port in the configuration, and that the server runs and listens there\n(`ss -ltnp`, the firewall). Probe from a machine that can reach it, or raise `--timeout` for a\nslow link. For server listeners, `--verify-host` names the address they are probed at.\n",
            fix: RuleFix(general: "Check the host and port, that the server listens there (`ss -ltnp`) and that no firewall is in the way; or raise `--timeout`.", byFormat: []),
            references: ["RFC 5321 §4.5.3.2", "mailaudit live verification (README)"],
            tags: ["probe", "reachability"],
            examples: [], source: "Rules/MA806.yml")
    }
}
