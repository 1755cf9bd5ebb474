"""Differential test for the offlineimap format (ORACLES.md §8).

OfflineIMAP has no dump mode, so the oracle is a helper script that loads the file with the
installed offlineimap3's own `CustomConfigParser` and asks its `IMAPRepository` / `GmailRepository`
getters (the classes `offlineimap` itself uses) for every account's remote repository: host, port
(with the `imapserver.py` default 993/143), ssl, starttls, sslcacertfile, cert_fingerprint,
ssl_version and which password option is set. It never calls `getpassword()` or an `*eval` getter.

Compared with `mailaudit model` for every corpus file of kind `offlineimap`, every
Examples/offlineimap file and generated variants: host, port, tls (ssl → implicit, else starttls →
starttls, else none), tlsRequired, verifyCertificate, minTLSVersion and credential. A file the
parser refuses (DuplicateSectionError, interpolation errors, …) must give MA000 here too.
"""
import json
import os
import pathlib

import pytest

from conftest import ROOT, at_least, corpus_files, model, run_isolated

PYTHON = "/usr/bin/python3"  # Debian's python: the package's modules live there
ORACLE = r"""
import json, sys
sys.path.insert(0, '/usr/share/offlineimap3')
from offlineimap.CustomConfig import CustomConfigParser
from offlineimap.repository.IMAP import IMAPRepository
from offlineimap.repository.Gmail import GmailRepository
try:
    cfg = CustomConfigParser()
    cfg.read([sys.argv[1]])
except Exception as e:
    print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)})); sys.exit()
out = []
for sec in cfg.sections():
    if not sec.startswith('Account '):
        continue
    rec = {"account": sec[len('Account '):]}
    out.append(rec)
    try:
        rsec = 'Repository ' + cfg.get(sec, 'remoterepository')
        typ = cfg.get(rsec, 'type').strip()
        if typ not in ('IMAP', 'Gmail'):
            rec["error"] = "type %s" % typ; continue
        cls = GmailRepository if typ == 'Gmail' else IMAPRepository
        r = cls.__new__(cls)
        r.name = rsec[len('Repository '):]; r.config = cfg; r.localeval = None
        r._host = None; r._oauth2_request_url = None
        r.getsection = lambda s=rsec: s; r.getconfig = lambda: cfg
        if r.getpreauthtunnel() or r.gettransporttunnel():
            rec["tunnel"] = True; continue
        ssl = r.getssl()
        port = None if cfg.has_option(rsec, 'remoteporteval') else r.getport()
        rec.update(host=None if cfg.has_option(rsec, 'remotehosteval') else r.gethost(),
                   port=port if port is not None else (993 if ssl else 143),
                   ssl=ssl, starttls=r.getstarttls(), tls_level=r.gettlslevel(), ssl_version=r.getsslversion(),
                   cacertfile=r.getconf('sslcacertfile', None), fingerprint=r.get_ssl_fingerprint(),
                   password=[k for k in ('remotepasseval', 'remotepass', 'remotepassfile') if cfg.has_option(rsec, k)])
    except Exception as e:
        rec["error"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps({"accounts": out}))
"""

VERSIONS = {"tls1": "tls1.0", "tls1_1": "tls1.1", "tls1_2": "tls1.2", "ssl3": "ssl3"}

BASE = "[general]\naccounts = a\n[Account a]\nlocalrepository = l\nremoterepository = r\n[Repository l]\ntype = Maildir\nlocalfolders = ~/m\n[Repository r]\n"
VARIANTS = {
    "defaults": "type = IMAP\nremotehost = imap.example.com\n",
    "ssl-no": "type = IMAP\nremotehost = h.example\nssl = no\n",
    "ssl-0-starttls-off": "type = IMAP\nremotehost = h.example\nssl = 0\nstarttls = off\nremoteport = 1143\n",
    "ssl-true-port": "type = IMAP\nremotehost = h.example\nssl = True\nremoteport: 10993\nsslcacertfile = /etc/ssl/certs/ca-certificates.crt\n",
    "gmail-ssl-no": "type = Gmail\nremoteuser = a@gmail.com\nssl = no\n",
    "gmail-host": "type = Gmail\nremotehost = imap.example.org\n",
    "tls-no-ssl": "type = IMAP\nremotehost = h.example\ntls_level = tls_no_ssl\nssl_version = tls1_1\ncert_fingerprint = 00ff\n",
    "ssl3": "type = IMAP\nremotehost = h.example\nssl_version = ssl3\n",
    "interpolation": "type = IMAP\nremotehost = imap.%(dom)s\ndom = example.net\nremotepass = a%%b\n",
    "continuation": "type = IMAP\nremotehost = h.example\nfolderfilter = lambda f: f in ['INBOX',\n    'Sent']\nremotepassfile = ~/.pw\n",
    "tunnel": "type = IMAP\ntransporttunnel = openssl s_client -host h -port 993 -quiet\n",
    "bad-percent": "type = IMAP\nremotehost = h.example\nremotepass = 100%sure\n",
    "duplicate-section": "type = IMAP\nremotehost = h.example\n[Repository r]\nssl = no\n",
}


def oracle(path):
    out = run_isolated([PYTHON, "-c", ORACLE, str(path)])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def inputs(tmp_path_factory):
    files = corpus_files("offlineimap") + sorted((ROOT / "Examples" / "offlineimap").glob("*"))
    gen = tmp_path_factory.mktemp("offlineimap")
    for name, body in VARIANTS.items():
        p = gen / f"{name}.offlineimaprc"
        p.write_text(BASE + body)
        files.append(p)
    return files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    if not os.path.exists("/usr/share/offlineimap3/offlineimap"):
        if os.environ.get("CI") == "true":
            pytest.fail("offlineimap3 is not installed (scripts/apt-packages.txt)")
        pytest.skip("offlineimap3 is not installed")
    return inputs(tmp_path_factory)


def expected(rec):
    ssl = rec["ssl"]
    tls = "implicit" if ssl else ("starttls" if rec["starttls"] else "none")
    # With ssl offlineimap refuses to connect unless a CA file or a fingerprint is set, so the
    # certificate is always checked; STARTTLS is started without CA certificates (no check).
    verify = True if ssl else (False if rec["starttls"] else None)
    credential = {"remotepasseval": "command", "remotepass": "inline", "remotepassfile": "file"}.get(
        (rec["password"] or [None])[0])
    return {"host": rec["host"], "port": rec["port"], "tls": tls, "tlsRequired": ssl, "verifyCertificate": verify,
            "minTLSVersion": VERSIONS.get(rec["ssl_version"]) if ssl else None, "credential": credential}


def test_offlineimap_agrees_with_its_own_getters(files):
    compared = 0
    for path in files:
        truth = oracle(path)
        ours = model(path, "offlineimap")
        setup = ours["setups"][0] if ours["setups"] else {"endpoints": []}
        if "error" in truth:
            assert ours["errors"], f"{path}: offlineimap refuses the file ({truth['error']}), we report nothing"
            continue
        by_account = {e["account"]: e for e in setup["endpoints"]}
        for rec in truth["accounts"]:
            if "error" in rec:
                assert ours["errors"], f"{path}: account {rec['account']}: offlineimap fails ({rec['error']}), we report nothing"
                assert rec["account"] not in by_account
                continue
            if rec.get("tunnel"):
                assert rec["account"] not in by_account, f"{path}: a tunnel is not a network endpoint"
                continue
            endpoint = by_account.get(rec["account"])
            assert endpoint is not None, f"{path}: no endpoint for account {rec['account']}"
            got = {k: endpoint[k] for k in expected(rec)}
            assert got == expected(rec), f"{path}: account {rec['account']}"
            compared += 1
        assert len(by_account) == len([r for r in truth["accounts"] if "error" not in r and not r.get("tunnel")]), path
    assert compared >= at_least(15, 14)
