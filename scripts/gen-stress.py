#!/usr/bin/env python3
"""Generate large or pathological inputs to check that every parser is linear in its input.

    scripts/gen-stress.py CASE SIZE DIR     writes one input under DIR, prints its path
    scripts/gen-stress.py --list            lists the cases

SIZE is a count (accounts, services) for the cases marked "count", else bytes.
Time each with the release binary on n and 4n: linear work takes about 4x as long.

    f=$(scripts/gen-stress.py msmtp-accounts 16000 /tmp/stress)
    /usr/bin/time -f '%e s %M KB' .build/release/mailaudit lint --format json "$f" >/dev/null
"""

import os
import sys


def repeat(unit, size, head="", tail=""):
    """head, then unit(0), unit(1), ... until SIZE bytes, then tail."""
    parts, total, i = [head], len(head), 0
    while total < size:
        chunk = unit(i)
        parts.append(chunk)
        total += len(chunk)
        i += 1
    parts.append(tail)
    return "".join(parts)


def msmtp_accounts(n):
    return "".join(f"account a{i}\nhost smtp{i}.example.com\nport 587\ntls on\nauth on\n" for i in range(n))


def master_services(n):
    # Listeners on distinct addresses, each with an insecure override: several findings apiece.
    head = "smtpd_tls_security_level = may\n"
    services = "".join(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}:25 inet n - y - - smtpd -o smtpd_tls_security_level=none\n"
                       for i in range(n))
    return {"main.cf": head, "master.cf": services}


CASES = {
    # name: (kind, file name, generator(size) -> text or {file name: text})
    "msmtp-accounts": ("count", "msmtprc", msmtp_accounts),
    "msmtp-lines": ("bytes", "msmtprc", lambda n: repeat(lambda i: f"host h{i}.example.com\n", n, "account a\n")),
    "postfix-braces": ("bytes", "main.cf", lambda n: "smtpd_banner = " + "{" * n + "\n"),
    "postfix-dollar-braces": ("bytes", "main.cf", lambda n: "smtpd_banner = " + "${" * (n // 2) + "\n"),
    "postfix-params": ("bytes", "main.cf", lambda n: repeat(lambda i: f"param_{i} = $myhostname, value{i}\n", n)),
    "postfix-master": ("count", "postfix", master_services),
    "dovecot-braces": ("bytes", "dovecot.conf", lambda n: "ssl_cipher_list = " + "{" * n + "\n"),
    "dovecot-dollar-braces": ("bytes", "dovecot.conf", lambda n: "ssl_cipher_list = " + "%{" * (n // 2) + "\n"),
    "dovecot-listeners": ("bytes", "dovecot.conf", lambda n: repeat(
        lambda i: f"service s{i} {{\n  inet_listener l{i} {{\n    port = {i % 60000 + 1}\n    ssl = no\n  }}\n}}\n", n,
        "protocols = imap\n")),
    "mutt-unknown": ("bytes", "muttrc", lambda n: repeat(lambda i: f"set unknown_variable_{i} = yes\n", n)),
    "mutt-known": ("bytes", "muttrc", lambda n: repeat(lambda i: f"set smtp_url = \"smtp://u{i}@smtp.example.com:587/\"\n", n)),
    "fetchmail-unknown": ("bytes", "fetchmailrc", lambda n: repeat(lambda i: f"bogus{i} ", n, "poll pop.example.com proto pop3 ")),
    "fetchmail-polls": ("bytes", "fetchmailrc", lambda n: repeat(
        lambda i: f"poll pop{i}.example.com proto pop3 user \"u{i}\" password \"p\" is u here\n", n)),
    "mbsync-accounts": ("bytes", "mbsyncrc", lambda n: repeat(
        lambda i: f"IMAPAccount a{i}\nHost h{i}.example.com\nUser u\nSSLType None\n\nIMAPStore s{i}\nAccount a{i}\n\n", n)),
    "offlineimap-repos": ("bytes", "offlineimaprc", lambda n: repeat(
        lambda i: f"[Account a{i}]\nremoterepository = r{i}\n\n[Repository r{i}]\ntype = IMAP\nremotehost = h{i}.example.com\nssl = no\n\n", n,
        "[general]\naccounts = a0\n\n")),
    "getmail-lines": ("bytes", "getmailrc", lambda n: repeat(lambda i: f"option{i} = value{i}\n", n,
                                                              "[retriever]\ntype = SimplePOP3Retriever\nserver = pop.example.com\n")),
    "gitconfig-sections": ("bytes", "gitconfig", lambda n: repeat(
        lambda i: f"[sendemail \"s{i}\"]\n\tsmtpServer = smtp{i}.example.com\n\tsmtpServerPort = 25\n", n)),
    "aerc-accounts": ("bytes", "accounts.conf", lambda n: repeat(
        lambda i: f"[A{i}]\nsource = imap://u@imap{i}.example.com\noutgoing = smtp://u@smtp{i}.example.com:25\n\n", n)),
    "thunderbird-prefs": ("bytes", "prefs.js", lambda n: repeat(
        lambda i: f'user_pref("mail.server.server{i}.hostname", "imap{i}.example.com");\n'
                  f'user_pref("mail.server.server{i}.type", "imap");\nuser_pref("mail.server.server{i}.socketType", 0);\n', n,
        'user_pref("mail.accountmanager.accounts", "account1");\n')),
    "autoconfig-servers": ("bytes", "config-v1.1.xml", lambda n: repeat(
        lambda i: f'<incomingServer type="imap"><hostname>imap{i}.example.com</hostname><port>143</port>'
                  f'<socketType>plain</socketType><authentication>password-cleartext</authentication></incomingServer>\n', n,
        '<?xml version="1.0"?>\n<clientConfig version="1.1"><emailProvider id="example.com">\n',
        "</emailProvider></clientConfig>\n")),
    "autodiscover-protocols": ("bytes", "autodiscover.xml", lambda n: repeat(
        lambda i: f"<Protocol><Type>IMAP</Type><Server>imap{i}.example.com</Server><Port>143</Port><SSL>off</SSL></Protocol>\n", n,
        '<?xml version="1.0"?>\n<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">'
        '<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account>\n',
        "</Account></Response></Autodiscover>\n")),
    "exim-transports": ("bytes", "exim4.conf", lambda n: repeat(
        lambda i: f"t{i}:\n  driver = smtp\n  hosts = smtp{i}.example.com\n  port = 25\n", n,
        "daemon_smtp_ports = 25 : 465 : 587\nbegin transports\n")),
    "exim-macros": ("bytes", "exim4.conf", lambda n: repeat(lambda i: f"MACRO_{i} = value {i}\n", n)),
    "opensmtpd-listens": ("bytes", "smtpd.conf", lambda n: repeat(
        lambda i: f"listen on 10.{i // 65536}.{i // 256 % 256}.{i % 256} port 25\n", n)),
    "dotenv-lines": ("bytes", ".env", lambda n: repeat(lambda i: f"APP_SETTING_{i}=\"value {i}\"\n", n,
                                                       "MAIL_MAILER=smtp\nMAIL_HOST=smtp.example.com\nMAIL_PORT=25\n")),
    "spring-properties": ("bytes", "application.properties", lambda n: repeat(
        lambda i: f"app.setting{i}=value{i}\n", n, "spring.mail.host=smtp.example.com\nspring.mail.port=25\n")),
    "spring-yaml": ("bytes", "application.yml", lambda n: repeat(
        lambda i: f"  key{i}: value{i}\n", n, "spring:\n  mail:\n    host: smtp.example.com\n    port: 25\napp:\n")),
    "django-lines": ("bytes", "settings.py", lambda n: repeat(lambda i: f"SETTING_{i} = \"value {i}\"\n", n,
                                                             "EMAIL_HOST = \"smtp.example.com\"\nEMAIL_PORT = 25\n")),
    "yaml-accounts": ("bytes", "stress.mailaudit.yml", lambda n: repeat(
        lambda i: f"  - name: a{i}\n    protocol: imap\n    host: imap{i}.example.com\n    port: 143\n    tls: none\n", n,
        "mailaudit: 1\naccounts:\n")),
    "mobileconfig-payloads": ("bytes", "stress.mobileconfig", lambda n: repeat(
        lambda i: f"<dict><key>PayloadType</key><string>com.apple.mail.managed</string>"
                  f"<key>IncomingMailServerHostName</key><string>imap{i}.example.com</string>"
                  f"<key>IncomingMailServerPortNumber</key><integer>143</integer>"
                  f"<key>IncomingMailServerUseSSL</key><false/></dict>\n", n,
        '<?xml version="1.0"?>\n<plist version="1.0"><dict><key>PayloadContent</key><array>\n',
        "</array></dict></plist>\n")),
}


def main(argv):
    if argv[1:] == ["--list"]:
        for name, (kind, _, _) in CASES.items():
            print(f"{name}\t{kind}")
        return 0
    if len(argv) != 4 or argv[1] not in CASES or not argv[2].isdigit():
        print(__doc__.strip(), file=sys.stderr)
        return 64
    name, size, out = argv[1], int(argv[2]), argv[3]
    _, file_name, generate = CASES[name]
    content = generate(size)
    folder = os.path.join(out, f"{name}-{size}")
    os.makedirs(folder, exist_ok=True)
    files = content if isinstance(content, dict) else {file_name: content}
    for fname, text in files.items():
        with open(os.path.join(folder, fname), "w") as f:
            f.write(text)
    print(folder if isinstance(content, dict) else os.path.join(folder, file_name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
