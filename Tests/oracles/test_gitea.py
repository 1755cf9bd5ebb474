"""Differential test for the gitea format: Gitea's/Forgejo's `app.ini` `[mailer]`.

Gitea cannot print its resolved mailer settings without starting (and it is not packaged in
Debian), so the oracle is Python's `configparser` read with go-ini's rules (goini.py says each
difference and why) and, on top, Gitea's own `loadMailerFrom` and SMTP sender written again here
from Gitea's source: ENABLED, the old keys (MAILER_TYPE, HOST, IS_TLS_ENABLED, SKIP_VERIFY) only
where the new one is absent, the port from the protocol and the protocol from the port, and what
each protocol does on the wire. Compared with `mailaudit model` on every corpus file of kind
`gitea` (Gogs' own app.ini files among them: read as Gitea they configure no mailer), every
Examples/gitea file and the variants below: host, port, tls, tlsRequired, verifyCertificate, auth
and credential.
"""
import pytest

import goini
from conftest import ROOT, at_least, corpus_files, model

FIELDS = ["host", "port", "tls", "tlsRequired", "verifyCertificate", "auth", "credential"]
HEAD = "APP_NAME = Forge\nRUN_USER = git\n\n[server]\nDOMAIN = git.example.com\n\n[database]\nDB_TYPE = sqlite3\n\n"

VARIANTS = {
    "disabled": "[mailer]\nENABLED = false\nPROTOCOL = smtp\nSMTP_ADDR = mail.example.com\n",
    "absent": "[server]\nDOMAIN = x\n",
    "smtps-default-port": "[mailer]\nENABLED = true\nPROTOCOL = smtps\nSMTP_ADDR = mail.example.com\nUSER = u\nPASSWD = p\n",
    "starttls-default-port": "[mailer]\nENABLED = true\nPROTOCOL = smtp+starttls\nSMTP_ADDR = mail.example.com\nFORCE_TRUST_SERVER_CERT = true\n",
    "startls-typo": "[mailer]\nENABLED = true\nPROTOCOL = smtp+startls\nSMTP_ADDR = mail.example.com\n",
    "plain-smtp": "[mailer]\nENABLED = true\nPROTOCOL = smtp\nSMTP_ADDR = mail.example.com\nUSER = u\nPASSWD = `p#w;d`\n",
    "infer-from-25": "[mailer]\nENABLED = true\nSMTP_ADDR = mail.example.com\nSMTP_PORT = 25\n",
    "infer-from-587": "[mailer]\nENABLED = true\nSMTP_ADDR = mail.example.com\nSMTP_PORT = 587 ; submission\n",
    "infer-other-port": "[mailer]\nENABLED = true\nSMTP_ADDR = mail.example.com\nSMTP_PORT = 2525\n",
    "infer-nothing": "[mailer]\nENABLED = true\nSMTP_ADDR = mail.example.com\n",
    "unix-socket": "[mailer]\nENABLED = true\nSMTP_ADDR = /run/postfix/submission.sock\n",
    "sendmail": "[mailer]\nENABLED = true\nPROTOCOL = sendmail\n",
    "old-host-tls": "[mailer]\nENABLED = true\nHOST = smtp.gmail.com:465\nIS_TLS_ENABLED = true\nUSER = a@example.com\nPASSWD = \"secret\"\n",
    "old-host-no-tls": "[mailer]\nENABLED = true\nHOST = mail.example.com:587\nIS_TLS_ENABLED = false\nSKIP_VERIFY = true\n",
    "old-host-no-port": "[mailer]\nENABLED = true\nHOST = mail.example.com\nSMTP_PORT = 587\n",
    "old-host-empty": "[mailer]\nENABLED = true\nHOST = :25\n",
    "old-mailer-type": "[mailer]\nENABLED = true\nMAILER_TYPE = sendmail\nHOST = mail.example.com:25\n",
    "new-beats-old": "[mailer]\nENABLED = true\nPROTOCOL = smtps\nIS_TLS_ENABLED = false\nSMTP_ADDR = a.example.com\nHOST = b.example.com:25\nSMTP_PORT = 465\nFORCE_TRUST_SERVER_CERT = false\nSKIP_VERIFY = true\n",
    "section-twice": "[mailer]\nENABLED = true\nPROTOCOL = smtp\n[server]\nDOMAIN = x\n[mailer]\nPROTOCOL = smtps\nSMTP_ADDR = mail.example.com\n",
    "case-sensitive": "[mailer]\nENABLED = true\nprotocol = smtp\nSMTP_ADDR = mail.example.com\nSMTP_PORT = 465\n",
    "colon-delimiter": "[mailer]\nENABLED: true\nPROTOCOL: smtps\nSMTP_ADDR: mail.example.com\n",
    "template": "[mailer]\nENABLED = {{ mail_enabled }}\n{% if mail_tls %}\nPROTOCOL = smtps\n{% endif %}\nSMTP_ADDR = {{ host }}\nSMTP_PORT = 465\nUSER = forge\nPASSWD = {{ vault_pw }}\n",
    "indented": "[mailer]\n  ENABLED = true\n  PROTOCOL = smtps\n  SMTP_ADDR = mail.example.com\n",
}


def expect(text):
    """The endpoint Gitea sends through (Gitea 1.24 `loadMailerFrom` + `SMTPSender.Send`), or None."""
    m = goini.read(text, "mailer")
    if m is None or "ENABLED" not in m:
        return None
    if m["ENABLED"] is not None and not goini.go_bool(m["ENABLED"]):
        return None
    proto, has_proto = m.get("PROTOCOL"), "PROTOCOL" in m
    if not has_proto and "MAILER_TYPE" in m:
        if m["MAILER_TYPE"] == "sendmail" or m["MAILER_TYPE"] is None:
            proto, has_proto = m["MAILER_TYPE"], True
    addr = m.get("SMTP_ADDR", "")
    port = m.get("SMTP_PORT", "")
    if "SMTP_ADDR" not in m and "HOST" in m:
        host = m["HOST"]
        if host is None:
            addr = None
            port = None if port == "" else port
        else:
            hp = goini.split_host_port(host)
            assert hp != "invalid"
            h, p = (host, "") if hp == "missing" else hp
            addr = h or "127.0.0.1"
            if port == "":
                port = p
    if not has_proto and "IS_TLS_ENABLED" in m:
        tls = m["IS_TLS_ENABLED"]
        proto, has_proto = (None if tls is None else "smtps" if goini.go_bool(tls) else "smtp+starttls"), True
    if proto == "smtp+startls":
        proto = "smtp+starttls"
    if not has_proto:
        proto = ""
    default_port = False
    if port == "" and proto is not None:
        port = {"smtp": "25", "smtps": "465", "smtp+starttls": "587"}.get(proto, "")
        default_port = port != ""
    elif port == "":
        port = None
    if proto == "":
        if addr and ("/" in addr or "\\" in addr):
            return None
        if port is None:
            proto = None
        else:
            proto = {"25": "smtp", "465": "smtps", "587": "smtp+starttls"}.get(port, "smtps")
            if port == "":
                port, default_port = "465", True
    if proto in ("sendmail", "dummy", "smtp+unix"):
        return None
    force = m.get("FORCE_TRUST_SERVER_CERT") if "FORCE_TRUST_SERVER_CERT" in m else m.get("SKIP_VERIFY", "false")
    tls = {"smtps": "implicit", "smtp+starttls": "starttls", None: None}.get(proto, "none")
    verify = None if tls in (None, "none") or force is None else not goini.go_bool(force)
    user = m.get("USER", "")
    auth = None if user is None else (["password"] if user else [])
    if "PASSWD" in m:
        password = m["PASSWD"]
        credential = None if password is None else "inline" if password else "none"
    else:
        credential = "none" if auth == [] else None
    return {
        "host": addr or None,
        "port": int(port) if port and port.isdigit() and 1 <= int(port) <= 65535 else None,
        "tls": tls,
        "tlsRequired": None if tls is None else tls == "implicit",
        "verifyCertificate": verify,
        "auth": auth,
        "credential": credential,
    }


def compare(path):
    want = expect(path.read_text(errors="replace"))
    got = [e for s in model(path, "gitea")["setups"] for e in s["endpoints"]]
    if want is None:
        assert got == [], f"{path}: Gitea sends nothing, mailaudit has {got}"
        return 1
    assert len(got) == 1, f"{path}: {got}"
    for field in FIELDS:
        assert got[0].get(field) == want[field], f"{path}: {field} is {got[0].get(field)!r}, Gitea's reading says {want[field]!r}"
    return len(FIELDS)


@pytest.mark.parametrize("path", corpus_files("gitea") + sorted((ROOT / "Examples" / "gitea").rglob("*.ini")),
                         ids=lambda p: p.name if "Examples" in str(p) else str(p).split("/gitea/", 1)[-1])
def test_files_against_gitea_reading(path):
    compare(path)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_against_gitea_reading(name, tmp_path):
    path = tmp_path / "app.ini"
    path.write_text(HEAD + VARIANTS[name])
    compare(path)


def test_every_file_was_compared():
    files = corpus_files("gitea") + sorted((ROOT / "Examples" / "gitea").rglob("*.ini"))
    assert len(files) >= at_least(10, 2)
