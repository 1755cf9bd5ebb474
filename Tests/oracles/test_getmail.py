"""Differential test for the getmail format (ORACLES.md §6).

`getmail --dump` validates the destination too (a Maildir path that must exist on this machine),
which the corpus files cannot satisfy, so the oracle does exactly what `getmail` does for the
retriever: the same `RawConfigParser` read (strict: a section or key written twice fails), then the
`getmailcore.retrievers` class named by `type` built with the `[retriever]` items, whose
`checkconf()` fills in the defaults (ports 110/995/143/993) and validates types. It prints the
resolved configuration (never the password itself; `password_command` is not run).

Compared with `mailaudit model` for every corpus file of kind `getmail`, every Examples/getmail
file and generated variants: protocol, host, port, tls, tlsRequired, verifyCertificate
(`ca_certs`/`ssl_fingerprints`), minTLSVersion (`ssl_version`) and credential.
"""
import json
import os

import pytest

from conftest import ROOT, at_least, corpus_files, model, run_isolated

PYTHON = "/usr/bin/python3"
ORACLE = r"""
import configparser, json, sys, tempfile
from getmailcore import retrievers
cp = configparser.RawConfigParser()
try:
    with open(sys.argv[1]) as f:
        cp.read_file(f)
    rtype = cp.get('retriever', 'type')
    args = {k: v for k, v in cp.items('retriever') if k not in ('type', 'configparser')}
    args['getmaildir'] = tempfile.mkdtemp()
    r = getattr(retrievers, rtype)(**args)
except Exception as e:
    print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)})); sys.exit()
c = r.conf
print(json.dumps({"type": rtype, "server": c.get("server"), "port": c.get("port"), "ca_certs": c.get("ca_certs"),
                  "ssl_fingerprints": list(c.get("ssl_fingerprints") or ()), "ssl_version": c.get("ssl_version"),
                  "password": c.get("password") is not None, "password_command": list(c.get("password_command") or ()),
                  "ssl": bool(getattr(r, "SSL", False))}))
"""

VERSIONS = {"sslv3": "ssl3", "tlsv1": "tls1.0", "tlsv1_1": "tls1.1", "tlsv1_2": "tls1.2"}

# Known differences, each with its reason (no blanket skips):
KNOWN = {
    # docker-mailserver's options fragment, concatenated with each retriever file by the image:
    # getmail refuses it alone ("missing section retriever"); it holds no endpoint, so we report it clean.
    "getmailrc_general.cf": "fragment without [retriever]",
}

VARIANTS = {
    "pop3-plain": "[retriever]\ntype = SimplePOP3Retriever\nserver = pop.example.com\nusername = a\npassword = x\n",
    "imap-plain-port": "[retriever]\ntype = MultidropIMAPRetriever\nserver = imap.example.com\nport = 1143\nusername = a\nenvelope_recipient = delivered-to:1\n",
    "pop3-ssl-ca": "[retriever]\ntype = BrokenUIDLPOP3SSLRetriever\nserver = 192.0.2.1\nusername = a\nca_certs = /etc/ssl/certs/ca-certificates.crt\nssl_version = tlsv1\n",
    "imap-ssl-pin": "[retriever]\ntype = SimpleIMAPSSLRetriever\nserver: imap.example.com\nusername: a\nssl_fingerprints = (\"" + "ab" * 32 + "\",)\npassword_command = (\"pass\", \"x\")\n",
    "sdps": "[retriever]\ntype = MultidropSDPSRetriever\nserver = pop.example.com\nusername = a\nenvelope_recipient = delivered-to:1\n",
    "ssl-version-12": "[retriever]\ntype = MultidropPOP3SSLRetriever\nserver = pop.example.com\nport = 1995\nusername = a\nenvelope_recipient = x\nssl_version = TLSv1_2\n",
    "dup-key": "[retriever]\ntype = SimpleIMAPSSLRetriever\nserver = a\nserver = b\nusername = a\n",
    "unknown-type": "[retriever]\ntype = SimpleIMAPSSLRetriver\nserver = a\nusername = a\n",
}


def oracle(path):
    out = run_isolated([PYTHON, "-c", ORACLE, str(path)])
    assert out.returncode == 0, out.stderr
    # getmail's logger writes trace lines to stdout first; the result is the last line.
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    if not os.path.exists("/usr/lib/python3/dist-packages/getmailcore"):
        if os.environ.get("CI") == "true":
            pytest.fail("getmail6 is not installed (scripts/apt-packages.txt)")
        pytest.skip("getmail6 is not installed")
    files = corpus_files("getmail") + sorted((ROOT / "Examples" / "getmail").glob("*"))
    gen = tmp_path_factory.mktemp("getmail")
    for name, body in VARIANTS.items():
        p = gen / f"{name}.getmailrc"
        p.write_text(body)
        files.append(p)
    return files


def expected(truth):
    t = truth["type"]
    ssl = truth["ssl"]
    verify = (bool(truth["ca_certs"]) or bool(truth["ssl_fingerprints"])) if ssl else None
    credential = "inline" if truth["password"] else ("command" if truth["password_command"] else None)
    return {"protocol": "imap" if "IMAP" in t else "pop3", "host": truth["server"], "port": truth["port"],
            "tls": "implicit" if ssl else "none", "tlsRequired": ssl, "verifyCertificate": verify,
            "minTLSVersion": VERSIONS.get((truth["ssl_version"] or "").lower()), "credential": credential}


def test_getmail_agrees_with_its_retriever_classes(files):
    compared = 0
    for path in files:
        truth = oracle(path)
        ours = model(path, "getmail")
        endpoints = ours["setups"][0]["endpoints"] if ours["setups"] else []
        if "error" in truth:
            if path.name in KNOWN:
                assert not endpoints and not ours["errors"], f"{path}: known difference changed"
                continue
            assert ours["errors"], f"{path}: getmail refuses the file ({truth['error']}), we report nothing"
            continue
        assert len(endpoints) == 1, f"{path}: {len(endpoints)} endpoints"
        got = {k: endpoints[0][k] for k in expected(truth)}
        assert got == expected(truth), path
        compared += 1
    assert compared >= at_least(10, 8)
