"""Differential test for the nextcloud format: PHP itself reads config.php (php_config.py) and the SMTP
connection is derived from its `$CONFIG` by Nextcloud 26+'s Mailer.php on Symfony Mailer's
EsmtpTransport (Debian's php-symfony-mailer 5.4 shows the same rules: implicit TLS when asked for
or on port 465, otherwise STARTTLS when offered); our `mailaudit model` must agree on every corpus
file PHP can load and on the Examples. Corpus files PHP cannot load are listed, not compared.
"""
import os

import pytest

from conftest import ROOT, at_least, corpus_files, model, needs_corpus
from php_config import compare, entries, get, integer, php_read, placeholder, truthy

FIELDS = ["direction", "protocol", "host", "port", "tls", "tlsRequired", "verifyCertificate", "auth", "credential"]
MAIL_KEYS = ["mail_smtpmode", "mail_smtphost", "mail_smtpport", "mail_smtpsecure", "mail_smtpauth", "mail_smtpname",
             "mail_smtppassword", "mail_smtpstreamoptions"]


def expect(config):
    c = {k: v for k, v in entries(config) if isinstance(k, str)}
    out = []
    if any(k in c for k in MAIL_KEYS) and c.get("mail_smtpmode") not in ("sendmail", "qmail"):
        host = c.get("mail_smtphost", "127.0.0.1")
        host = str(host) if host not in (None, "", False) and not placeholder(host) else None
        port = integer(c.get("mail_smtpport", 25))
        implicit = c.get("mail_smtpsecure") == "ssl" or port == 465 or (port == 0 and host != "localhost")
        if port == 0:
            port = 465 if implicit else 25
        tls = "implicit" if implicit else "starttls"
        verify = True
        ssl = get(c.get("mail_smtpstreamoptions"), "ssl")
        for key, off in (("verify_peer", False), ("verify_peer_name", False), ("allow_self_signed", True)):
            value = get(ssl, key)
            if value is not None and truthy(value) == off:
                verify = False
                break
        auth, credential = [], "none"
        if truthy(c.get("mail_smtpauth", False)):
            name = c.get("mail_smtpname", "")
            if name in ("", None):
                auth, credential = [], "none"
            else:
                password = c.get("mail_smtppassword")
                auth, credential = ["password"], "inline" if isinstance(password, str) and password else None
        out.append(dict(direction="outgoing", protocol="smtp", host=host, port=port, tls=tls, tlsRequired=implicit,
                        verifyCertificate=verify, auth=auth, credential=credential))
    proto = c.get("overwriteprotocol")
    if proto in ("http", "https"):
        out.append(dict(direction="webmail", protocol="http", tls="implicit" if proto == "https" else "none",
                        port=443 if proto == "https" else 80))
    return out


CANNOT_LOAD = {}


def check(path):
    values, error = php_read(path)
    if values is None:
        CANNOT_LOAD[str(path)] = error
        return 0
    ours = [e for s in model(path, "nextcloud")["setups"] for e in s["endpoints"]]
    want = expect(values["CONFIG"])
    # The web side's host comes from overwritehost or overwrite.cli.url; compared through the Examples' goldens.
    fields = FIELDS if all(e["direction"] != "webmail" for e in want) else [f for f in FIELDS if f not in ("host",)]
    return compare(path, ours, want, fields)


@needs_corpus
def test_every_corpus_file_php_can_load():
    compared = sum(check(p) for p in corpus_files("nextcloud"))
    assert compared >= at_least(30, 0), compared
    for path, error in sorted(CANNOT_LOAD.items()):
        print(f"PHP cannot load {os.path.relpath(path, ROOT)}: {error}")
    # Known: a Jinja template, and a sample whose settings sit between unclosed doc comments.
    assert len([p for p in CANNOT_LOAD if "nextcloud/" in p]) <= 2, CANNOT_LOAD


@pytest.mark.parametrize("path", sorted((ROOT / "Examples" / "nextcloud").rglob("config.php")), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples(path):
    assert check(path) >= 9


VARIANTS = {
    "defaults": "<?php\n$CONFIG = ['mail_smtpmode' => 'smtp'];\n",
    "string_port": "<?php\n$CONFIG = array('mail_smtphost' => 'smtp.example.com', 'mail_smtpport' => '465');\n",
    "port_zero": "<?php\n$CONFIG = array('mail_smtphost' => 'smtp.example.com', 'mail_smtpport' => 'none');\n",
    "auth_without_name": "<?php\n$CONFIG = array('mail_smtphost' => 'h.example', 'mail_smtpauth' => 'yes', 'mail_smtppassword' => 'x');\n",
    "nested": "<?php\n$CONFIG = [];\n$CONFIG['mail_smtphost'] = 'h.example';\n$CONFIG['mail_smtpstreamoptions']['ssl']['verify_peer_name'] = false;\n",
    "sendmail": "<?php\n$CONFIG = array('mail_smtpmode' => 'sendmail', 'mail_smtphost' => 'x');\n",
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants(name, tmp_path):
    path = tmp_path / "config.php"
    path.write_text(VARIANTS[name])
    check(path)
    assert str(path) not in CANNOT_LOAD
