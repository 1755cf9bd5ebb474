"""Thunderbird prefs.js / user.js: Thunderbird has no headless dump (ORACLES.md §14). The reference
is the prefs themselves, read two independent ways: a small Python reader of `user_pref()` lines for
every file, and, for the Examples (files this project wrote, so running them is safe), node
evaluating the file with `user_pref`/`pref` defined (ORACLES.md's suggestion), inside `unshare -n`.
Corpus files are third-party JavaScript-like text and are never executed.
From the prefs, the servers Thunderbird would use (type imap/pop3, and SMTP servers) with host,
port (Thunderbird's default when absent) and TLS mode are compared with `mailaudit model`.
"""
import json
import re

import pytest

from conftest import ROOT, corpus_files, or_skip, model, require_program, run_isolated

STATEMENT = re.compile(r'^\s*(user_pref|pref|sticky_pref)\(\s*"([^"]+)"\s*,\s*("(?:[^"\\]|\\.)*"|-?\d+|true|false)\s*\)\s*;', re.M)
SOCKET = {0: "none", 1: "starttls", 2: "starttls", 3: "implicit"}
DEFAULT_PORTS = {("imap", "none"): 143, ("imap", "starttls"): 143, ("imap", "implicit"): 993,
                 ("pop3", "none"): 110, ("pop3", "starttls"): 110, ("pop3", "implicit"): 995}


def python_prefs(text):
    """user_pref beats pref; the later statement wins. Comments are removed first."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"^\s*(#|//).*$", "", text, flags=re.M)
    user, default = {}, {}
    for fn, name, raw in STATEMENT.findall(text):
        value = json.loads(raw) if raw.startswith('"') else (raw == "true" if raw in ("true", "false") else int(raw))
        (user if fn == "user_pref" else default)[name] = value
    return {**default, **user}


def node_prefs(path):
    script = """
const fs = require('fs'), vm = require('vm');
const user = {}, dflt = {};
const sandbox = { user_pref: (k, v) => { user[k] = v; }, pref: (k, v) => { dflt[k] = v; }, sticky_pref: (k, v) => { dflt[k] = v; } };
vm.runInNewContext(fs.readFileSync(process.argv[1], 'utf8'), sandbox);
process.stdout.write(JSON.stringify(Object.assign({}, dflt, user)));
"""
    out = run_isolated([require_program("node"), "-e", script, str(path)])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def expected(prefs):
    def get(branch, key, field, default=None):
        return prefs.get(f"{branch}.{key}.{field}", prefs.get(f"{branch}.default.{field}", default))

    def keys(branch):
        seen = []
        for name in prefs:
            if name.startswith(branch + "."):
                key = name[len(branch) + 1:].split(".", 1)[0]
                if key != "default" and key not in seen:
                    seen.append(key)
        return seen

    out = []
    for key in keys("mail.server"):
        typ = prefs.get(f"mail.server.{key}.type")
        if typ not in ("imap", "pop3"):
            continue
        tls = SOCKET[get("mail.server", key, "socketType", 0)]
        port = prefs.get(f"mail.server.{key}.port", 0)
        host = prefs.get(f"mail.server.{key}.realhostname") or prefs.get(f"mail.server.{key}.hostname") or None
        out.append(("incoming", typ, host, port if port > 0 else DEFAULT_PORTS[(typ, tls)], tls))
    smtp = keys("mail.smtpserver")
    smtp += [k for k in str(prefs.get("mail.smtpservers", "")).split(",") if k and k not in smtp]
    for key in smtp:
        tls = SOCKET[prefs.get(f"mail.smtpserver.{key}.try_ssl", prefs.get("mail.smtpserver.default.try_ssl", 0))]
        port = prefs.get(f"mail.smtpserver.{key}.port", 0)
        out.append(("outgoing", "smtp", prefs.get(f"mail.smtpserver.{key}.hostname") or None,
                    port if port > 0 else (465 if tls == "implicit" else 587), tls))
    return sorted(out, key=repr)


def ours(path):
    result = model(path, "thunderbird")
    assert not result["errors"], result["errors"]
    setup = result["setups"][0]
    return sorted(((e["direction"], e["protocol"], e["host"], e["port"], e["tls"]) for e in setup["endpoints"]), key=repr)


EXAMPLES = sorted((ROOT / "Examples" / "thunderbird").rglob("*.js"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p).split("Examples/")[-1])
def test_examples_against_node(path):
    from_node = node_prefs(path)
    assert python_prefs(path.read_text()) == from_node, "the Python reader agrees with JavaScript"
    assert ours(path) == expected(from_node)


@pytest.mark.parametrize("path", or_skip(corpus_files("thunderbird")),
                         ids=lambda p: str(p).split("corpus/thunderbird/")[-1])
def test_corpus_against_python_reader(path):
    prefs = python_prefs(path.read_text(encoding="utf-8"))
    assert ours(path) == expected(prefs)
    # Identities are read for every mail.identity.<key> (the default branch excluded).
    idents = {n.split(".")[2] for n in prefs if n.startswith("mail.identity.") and n.split(".")[2] != "default"}
    assert len(model(path, "thunderbird")["setups"][0]["identities"]) == len(idents)
