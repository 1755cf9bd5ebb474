"""Differential test for the roundcube format: PHP itself reads config.inc.php (php_config.py) and the
connections are derived from its values by Roundcube 1.6's rules (rcube_smtp::connect, rcmail::login,
rcube_utils::parse_host_uri, parse_socket_options); our `mailaudit model` must agree on every corpus
file PHP can load and on the Examples. Corpus files PHP cannot load (Jinja templates, a `require` of
a generated file) are listed, not compared.
"""
import os
import re

import pytest

from conftest import ROOT, at_least, corpus_files, model, needs_corpus
from php_config import compare, entries, get, php_read, placeholder, truthy

FIELDS = ["direction", "protocol", "host", "port", "tls", "tlsRequired", "verifyCertificate", "auth", "credential"]
BUILTIN = {"imap_host": "localhost:143", "smtp_host": "localhost:587", "smtp_user": "%u", "smtp_pass": "%p"}


def props(values):
    out = {}
    for name in ("config", "rcmail_config"):
        out.update({k: v for k, v in entries(values.get(name)) if isinstance(k, str)})
    # fix_legacy_props: the old name is read as the new one when the new one is not set in that file.
    for new, old in (("imap_host", "default_host"), ("smtp_host", "smtp_server")):
        if out.get(old) is not None:
            if out.get(new) is None:
                out[new] = out[old]
            del out[old]
    return out


def parse_host_uri(text, plain, ssl):
    m = re.match(r"^(?:([A-Za-z][A-Za-z0-9+.-]*)://)?(\[[^\]]*\]|[^:/?]*)(?::(\d+))?", text)
    scheme, host, port = m.group(1), m.group(2).strip("[]"), m.group(3)
    scheme = scheme.lower() if scheme else None
    if port:
        port = int(port)
    elif scheme and (scheme == "ssl" or (scheme != "tls" and scheme.endswith("s"))):
        port = ssl
    else:
        port = plain
    return scheme, host, port


def verify(options, host, tls):
    if tls not in ("starttls", "implicit"):
        return None
    if not options:
        return True
    ssl = get(options, "ssl")
    for k, v in entries(options):
        if isinstance(k, str) and k != "ssl" and re.fullmatch(re.escape(k.lower()).replace(r"\*", ".*"), (host or "").lower()):
            ssl = get(v, "ssl")
            break
    if not ssl:
        return True
    for key, off in (("verify_peer", False), ("verify_peer_name", False), ("allow_self_signed", True)):
        value = get(ssl, key)
        if value is not None and truthy(value) == off:
            return False
    return True


def connection(text, direction, protocol, plain, ssl_port, implicit, options, auth, credential):
    if "://" not in text and placeholder(text):
        # The placeholder may stand for a scheme as well as a host.
        return dict(direction=direction, protocol=protocol, host=None, port=None, tls=None, tlsRequired=None,
                    verifyCertificate=None, auth=auth, credential=credential)
    scheme, host, port = parse_host_uri(text, plain, ssl_port)
    tls = {None: "none", "tls": "starttls"}.get(scheme, "implicit" if scheme in implicit else None)
    if "%" in host or placeholder(host) or not host:
        host = None
    return dict(direction=direction, protocol=protocol, host=host, port=port, tls=tls,
                tlsRequired=None if tls is None else tls != "none", verifyCertificate=verify(options, host, tls),
                auth=auth, credential=credential)


def expect(defaults, config):
    p = dict(BUILTIN)
    p.update(defaults)
    p.update(config)
    out = []
    imap = p.get("imap_host")
    hosts = [imap] if isinstance(imap, str) and imap else [(k if isinstance(k, str) else v) for k, v in entries(imap)] if isinstance(imap, (list, dict)) else []
    auth_type = p.get("imap_auth_type")
    for h in hosts:
        out.append(connection(h, "incoming", "imap", 143, 993, ("ssl", "imaps"), p.get("imap_conn_options"),
                              [auth_type.lower()] if auth_type else ["password"], None))
    smtp = p.get("smtp_host")
    if smtp is None:
        smtp = "localhost:587"
    targets = [v or "localhost" for _, v in entries(smtp)] if isinstance(smtp, (list, dict)) else [smtp or "localhost"]
    user, password = p.get("smtp_user"), p.get("smtp_pass")
    user, password = "%u" if user is None else user, "%p" if password is None else password
    if placeholder(user) or placeholder(password):
        auth = None
    elif user and password:
        auth = [p["smtp_auth_type"].lower()] if p.get("smtp_auth_type") else ["password"]
    else:
        auth = []
    credential = "inline" if isinstance(password, str) and password and password != "%p" and not placeholder(password) else ("none" if auth == [] else None)
    for h in targets:
        out.append(connection(h, "outgoing", "smtp", 587, 465, ("ssl",), p.get("smtp_conn_options"), auth, credential))
    path = p.get("request_path")
    if isinstance(path, str) and re.match(r"(?i)https?://", path):
        secure = path.lower().startswith("https://") or truthy(p.get("force_https"))
        m = re.match(r"(?i)https?://([^/:?#]*)(?::(\d+))?", path)
        out.append(dict(direction="webmail", protocol="http", host=m.group(1) or None,
                        port=int(m.group(2)) if m.group(2) else (443 if path.lower().startswith("https://") else 80),
                        tls="implicit" if secure else "none", tlsRequired=None, verifyCertificate=None, auth=None, credential=None))
    return out


def files():
    examples = sorted((ROOT / "Examples" / "roundcube").rglob("config.inc.php"))
    corpus = [p for p in corpus_files("roundcube") if p.name != "defaults.inc.php"]
    return examples + corpus


CANNOT_LOAD = {}


def check(path):
    defaults_path = path.parent / "defaults.inc.php"
    defaults = {}
    if defaults_path.exists():
        values, error = php_read(defaults_path)
        assert values is not None, error
        defaults = props(values)
    values, error = php_read(path)
    if values is None:
        CANNOT_LOAD[str(path)] = error
        return 0
    want = expect(defaults, props(values))
    ours = [e for s in model(path, "roundcube")["setups"] for e in s["endpoints"]]
    return compare(path, ours, want, FIELDS)


@needs_corpus
def test_every_corpus_file_php_can_load():
    compared = sum(check(p) for p in files())
    # Each loaded file gives at least its IMAP and SMTP connection.
    assert compared >= at_least(150, 20), compared
    # Named, not hidden: the files PHP itself refuses, and why.
    for path, error in sorted(CANNOT_LOAD.items()):
        print(f"PHP cannot load {os.path.relpath(path, ROOT)}: {error}")
    assert all(("{{" in open(p).read() or "require" in open(p).read()) for p in CANNOT_LOAD), CANNOT_LOAD


@pytest.mark.parametrize("path", sorted((ROOT / "Examples" / "roundcube").rglob("config.inc.php")), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples(path):
    assert check(path) >= 10


VARIANTS = {
    "legacy": "<?php\n$config['default_host'] = 'tls://imap.example.com';\n$config['smtp_server'] = 'ssl://smtp.example.com';\n$config['smtp_port'] = 25;\n",
    "list": "<?php\n$config['imap_host'] = ['ssl://a.example.com' => 'A', 'b.example.com:1143', 'tls://c'];\n",
    "per_host_options": "<?php\n$config['imap_host'] = 'ssl://mail.example.com';\n$config['imap_conn_options'] = ['*.example.com' => ['ssl' => ['verify_peer_name' => false]]];\n",
    "concat": "<?php\n$host = 'x';\n$config['smtp_host'] = 'tls://' . 'smtp.example.com' . ':' . 2525;\n$config['smtp_user'] = '';\n",
    "nested_update": "<?php\n$config['smtp_host'] = 'tls://s:587';\n$config['smtp_conn_options']['ssl']['allow_self_signed'] = true;\n",
    "chained": "<?php\n$config['imap_host'] = 'tls://i';\n$config['imap_conn_options'] = $config['smtp_conn_options'] = ['ssl' => ['verify_peer' => 0]];\n",
    "webmail": "<?php\n$config['force_https'] = false;\n$config['request_path'] = 'http://webmail.example.com:8080/rc/';\n",
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants(name, tmp_path):
    path = tmp_path / "config.inc.php"
    path.write_text(VARIANTS[name])
    assert check(path) >= 10
