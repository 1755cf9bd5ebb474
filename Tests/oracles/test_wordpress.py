"""Differential test for the wordpress format: PHP itself defines the constants of wp-config.php
(php_config.py; the file's final `require_once ABSPATH . 'wp-settings.php'` fails on a copy, so the
dump runs from a shutdown function) and the SMTP connection is derived from them by WP Mail SMTP's
rules (Options::is_const_enabled/is_const_defined/get_const_value, PHPMailer's SMTPSecure and
SMTPAutoTLS); our `mailaudit model` must agree on every corpus file and on the Examples.
"""
import os

import pytest

from conftest import ROOT, at_least, corpus_files, model, needs_corpus
from php_config import compare, integer, php_read, truthy

FIELDS = ["host", "port", "tls", "tlsRequired", "auth", "credential"]
SMTP = ["WPMS_SMTP_HOST", "WPMS_SMTP_PORT", "WPMS_SSL", "WPMS_SMTP_AUTOTLS", "WPMS_SMTP_AUTH", "WPMS_SMTP_USER", "WPMS_SMTP_PASS"]


def expect(constants):
    c = constants or {}
    if c.get("WPMS_ON") is not True:
        return []
    mailer = c.get("WPMS_MAILER")
    if mailer and mailer != "smtp":
        return []
    if mailer != "smtp" and not any(k in c for k in SMTP):
        return []
    host = c.get("WPMS_SMTP_HOST") if truthy(c.get("WPMS_SMTP_HOST")) else None
    port = integer(c["WPMS_SMTP_PORT"]) if truthy(c.get("WPMS_SMTP_PORT")) else None
    tls = required = None
    if "WPMS_SSL" in c:
        encryption = c["WPMS_SSL"] or "none"
        if encryption == "ssl":
            tls, required = "implicit", True
        elif encryption == "tls":
            tls, required = "starttls", True
        elif encryption == "none" and "WPMS_SMTP_AUTOTLS" in c:
            tls, required = ("starttls", False) if truthy(c["WPMS_SMTP_AUTOTLS"]) else ("none", False)
    password = c.get("WPMS_SMTP_PASS")
    credential = "inline" if isinstance(password, str) and password else None
    auth = None
    if "WPMS_SMTP_AUTH" in c:
        auth = ["password"] if truthy(c["WPMS_SMTP_AUTH"]) else []
        if not auth and credential is None:
            credential = "none"
    return [dict(host=host, port=port, tls=tls, tlsRequired=required, auth=auth, credential=credential)]


def check(path):
    values, error = php_read(path)
    assert values is not None, f"PHP cannot load {path}: {error}"
    ours = [e for s in model(path, "wordpress")["setups"] for e in s["endpoints"]]
    return compare(path, ours, expect(values["constants"]), FIELDS)


@needs_corpus
def test_every_corpus_file():
    compared = sum(check(p) for p in corpus_files("wordpress"))
    assert compared >= at_least(12, 0), compared


@pytest.mark.parametrize("path", sorted((ROOT / "Examples" / "wordpress").rglob("wp-config.php")), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples(path):
    assert check(path) >= 5


VARIANTS = {
    "off_as_string": "<?php\ndefine('WPMS_ON', 'true');\ndefine('WPMS_SMTP_HOST', 'h');\n",
    "autotls": "<?php\ndefine('WPMS_ON', true);\ndefine('WPMS_SMTP_HOST', 'smtp.example.com');\ndefine('WPMS_SMTP_PORT', '587');\ndefine('WPMS_SSL', '');\ndefine('WPMS_SMTP_AUTOTLS', 1);\n",
    "api_mailer": "<?php\ndefine('WPMS_ON', true);\ndefine('WPMS_MAILER', 'mailgun');\ndefine('WPMS_SSL', '');\n",
    "concat_and_redefine": "<?php\ndefine('WPMS_ON', true);\ndefine('WPMS_SMTP_HOST', 'smtp.' . 'example.com');\ndefine('WPMS_SMTP_HOST', 'ignored');\nconst WPMS_SSL = 'tls';\n",
    "auth_off": "<?php\ndefine('WPMS_ON', true);\ndefine('WPMS_SMTP_AUTH', false);\ndefine('WPMS_SMTP_PASS', 'unused');\n",
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants(name, tmp_path):
    path = tmp_path / "wp-config.php"
    path.write_text(VARIANTS[name])
    check(path)
