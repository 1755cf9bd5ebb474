"""Differential test for the snappymail format: SnappyMail/RainLoop `domains/*.json` and `*.ini`.

The oracle is PHP itself reading the file as SnappyMail does (`json_decode($text, true)` for JSON,
`parse_ini_file($path)` for INI; Debian `php-cli`), printed as JSON; on top of it, SnappyMail's
own reading is written again here from its source (`RainLoop\\Model\\Domain::fromArray` and
`fromIniArray`, `MailSo\\Net\\ConnectSettings`, `SSLContext`, `ConnectionSecurityType`). Reading a
file this way runs nothing from it (`parse_ini_file` expands `${VAR}` from the environment, which
is emptied here), so every corpus file is read. Compared with `mailaudit model` per service
(IMAP, SMTP, Sieve) on every corpus file of kind `snappymail`, every Examples/snappymail file and
the variants below: host, port, tls, tlsRequired, verifyCertificate and auth.

Where PHP and mailaudit cannot agree by design: a template placeholder (`{{ FRONT_ADDRESS }}`,
Mailu's files are Jinja templates) is a literal string to PHP and unknown to mailaudit, so the
oracle treats a value holding `{{` as unknown too; a file PHP cannot decode (Mailu's JSON template
with `{% if %}` inside) yields no domain on either side.
"""
import json
import os
import subprocess

import pytest

from conftest import ROOT, at_least, corpus_files, model, require_program

FIELDS = ["host", "port", "tls", "tlsRequired", "verifyCertificate", "auth"]
PHP = r"""
$f = $argv[1];
$text = file_get_contents($f);
if (preg_match('/^\s*[\{\[]/', $text)) { $v = json_decode($text, true); }
else { $v = @parse_ini_file($f); }
echo json_encode($v === false ? null : $v);
"""

VARIANTS = {
    "json-auto-detect-465": {"IMAP": {"host": "h", "port": 993}, "SMTP": {"host": "h", "port": 465, "useAuth": True}, "Sieve": {"host": "h", "port": 4190, "enabled": False}},
    "json-auto-detect-587": {"IMAP": {"host": "h", "port": 143, "type": 9}, "SMTP": {"host": "h", "port": 587, "type": 9, "useAuth": False}, "Sieve": {"host": "h", "port": 4190}},
    "json-secure-key": {"IMAP": {"host": "h", "port": 993, "secure": 1, "ssl": {"verify_peer": True, "verify_peer_name": True, "allow_self_signed": True}}, "SMTP": {"host": "h", "port": 587, "secure": 2}, "Sieve": {"host": "h", "port": 4190, "secure": 0, "enabled": True}},
    "json-php-mail": {"IMAP": {"host": "h", "port": 143, "type": 2, "ssl": {"verify_peer_name": False}}, "SMTP": {"host": "h", "port": 25, "type": 0, "usePhpMail": True}, "Sieve": {"host": "h", "port": 4190}},
    "json-no-imap-host": {"IMAP": {"host": "", "port": 143, "type": 0}, "SMTP": {"host": "h", "port": 25, "type": 0}, "Sieve": {"host": "h", "port": 4190}},
    "json-flat-2.0": {"imapHost": "mail.example.org", "imapPort": 993, "imapSecure": 1, "useSieve": True, "sieveHost": "mail.example.org", "sievePort": 4190, "sieveSecure": 2,
                      "smtpHost": "mail.example.org", "smtpPort": 587, "smtpSecure": 2, "smtpAuth": True, "smtpPhpMail": False},
    "ini-ssl-tls": 'imap_host = "imap.example.org"\nimap_port = 993\nimap_secure = "SSL"\nsmtp_host = "smtp.example.org"\nsmtp_port = 587\nsmtp_secure = "TLS"\nsmtp_auth = On\nsieve_use = On\nsieve_host = "imap.example.org"\nsieve_secure = "tls"\n',
    "ini-bare-words": "imap_host = imap.example.org\nimap_port = 143\nimap_secure = None\nsmtp_host = smtp.example.org ; the relay\nsmtp_secure = SSL\nsmtp_port = 465\nsmtp_auth = Off\nsmtp_php_mail = no\n",
    "ini-smtp-port-default": 'imap_host = "imap.example.org"\nimap_port = 143\nsmtp_host = "smtp.example.org"\nsmtp_auth = yes\n',
}


def php_read(path):
    require_program("php")
    out = subprocess.run(["php", "-r", PHP, str(path)], capture_output=True, text=True, timeout=60, env={"PATH": os.environ["PATH"]})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def truthy(v):
    return bool(v) and v != "0"


def as_int(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return int(v)
    if isinstance(v, str):
        digits = ""
        for c in v.strip():
            if not c.isdigit():
                break
            digits += c
        return int(digits) if digits else 0
    return 0


def unknown(v):
    return isinstance(v, str) and ("{{" in v or "${" in v)


def services(d):
    """[(service, settings)] SnappyMail 2.38 loads from the decoded file, in its own shape."""
    if not isinstance(d, dict):
        return []
    if d.get("IMAP"):
        out = []
        for name in ("IMAP", "SMTP", "Sieve"):
            block = d.get(name)
            if not isinstance(block, dict):
                continue
            block = dict(block)
            if "type" not in block:
                block["type"] = block.get("secure", 9)
            out.append((name, block))
    elif d.get("imapHost"):
        out = [("IMAP", {"host": d.get("imapHost"), "port": d.get("imapPort"), "type": d.get("imapSecure", 0)}),
               ("SMTP", {"host": d.get("smtpHost"), "port": d.get("smtpPort"), "type": d.get("smtpSecure", 0),
                         "useAuth": d.get("smtpAuth"), "usePhpMail": d.get("smtpPhpMail")}),
               ("Sieve", {"host": d.get("sieveHost"), "port": d.get("sievePort"), "type": d.get("sieveSecure", 0), "enabled": d.get("useSieve")})]
    elif d.get("imap_host"):
        def sec(v):
            if unknown(v):
                return v
            return {"SSL": 1, "TLS": 2}.get(str(v or "").upper(), 0)
        out = [("IMAP", {"host": d["imap_host"], "port": d.get("imap_port", 0), "type": sec(d.get("imap_secure", ""))}),
               ("SMTP", {"host": d.get("smtp_host"), "port": d.get("smtp_port", 25), "type": sec(d.get("smtp_secure", "")),
                         "useAuth": d.get("smtp_auth"), "usePhpMail": d.get("smtp_php_mail")}),
               ("Sieve", {"host": d.get("sieve_host"), "port": d.get("sieve_port", 4190), "type": sec(d.get("sieve_secure", "")), "enabled": d.get("sieve_use")})]
    else:
        return []
    imap_host = out[0][1].get("host")
    if not unknown(imap_host) and not (isinstance(imap_host, str) and imap_host.strip()):
        return []
    return out


def expect(d):
    result = {}
    for name, s in services(d):
        if name == "Sieve" and not truthy(s.get("enabled")):
            continue
        if name == "SMTP" and truthy(s.get("usePhpMail")) and not unknown(s.get("usePhpMail")):
            continue
        host = s.get("host")
        host = None if unknown(host) or not isinstance(host, str) or not host.strip() else host.strip()
        port = None if unknown(s.get("port")) else as_int(s.get("port"))
        port = port if port and 1 <= port <= 65535 else None
        t = s.get("type")
        t = None if unknown(t) else as_int(t)
        if t == 9:
            tls = None if port is None else "implicit" if port in (465, 993, 995) else "starttls"
            required = None if tls is None else tls == "implicit"
        elif t in (0, 1, 2):
            tls = {0: "none", 1: "implicit", 2: "starttls"}[t]
            required = t != 0
        elif t is None:
            tls = required = None
        else:
            tls, required = "none", False
        verify = None
        if tls in ("implicit", "starttls"):
            ssl = s.get("ssl") or {}
            verify = not (("verify_peer" in ssl and not truthy(ssl["verify_peer"]))
                          or ("verify_peer_name" in ssl and not truthy(ssl["verify_peer_name"]))
                          or truthy(ssl.get("allow_self_signed")))
        sasl = s.get("sasl")
        auth = [m.lower() for m in sasl] if isinstance(sasl, list) and sasl else ["password"]
        if name == "SMTP" and "useAuth" in s and s["useAuth"] is not None and not unknown(s["useAuth"]) and not truthy(s["useAuth"]):
            auth = []
        result[name] = {"host": host, "port": port, "tls": tls, "tlsRequired": required, "verifyCertificate": verify, "auth": auth}
    return result


def compare(path):
    want = expect(php_read(path))
    got = {}
    for setup in model(path, "snappymail")["setups"]:
        for e in setup["endpoints"]:
            got[{"imap": "IMAP", "smtp": "SMTP", "managesieve": "Sieve"}[e["protocol"]]] = e
    assert sorted(got) == sorted(want), f"{path}: mailaudit has {sorted(got)}, SnappyMail loads {sorted(want)}"
    for name, fields in want.items():
        for field in FIELDS:
            assert got[name].get(field) == fields[field], f"{path} {name}: {field} is {got[name].get(field)!r}, SnappyMail's reading says {fields[field]!r}"


FILES = corpus_files("snappymail") + sorted(p for p in (ROOT / "Examples" / "snappymail").rglob("*") if p.is_file())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name if "Examples" in str(p) else str(p).split("/snappymail/", 1)[-1])
def test_files_against_php(path):
    compare(path)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_against_php(name, tmp_path):
    text = VARIANTS[name]
    path = tmp_path / "domains" / ("example.org.ini" if isinstance(text, str) else "example.org.json")
    path.parent.mkdir()
    path.write_text(text if isinstance(text, str) else json.dumps(text, indent=2))
    compare(path)


def test_every_file_was_compared():
    assert len(FILES) >= at_least(16, 4)
