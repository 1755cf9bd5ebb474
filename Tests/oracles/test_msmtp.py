"""Differential test for the msmtp format (ORACLES.md §2): `msmtp -C FILE -a ACCOUNT --pretend`.

msmtp prints each account after its own resolution of `defaults`, `account X : Y` inheritance and
the default port. For every corpus file of kind `msmtp`, every Examples/msmtp file and the generated
variants below, each account msmtp knows is compared with `mailaudit model`: host, port, protocol,
tls mode (`tls` + `tls_starttls`), tlsRequired, verifyCertificate (`tls_certcheck`,
`tls_fingerprint`), auth (`none`/`choose`/mechanism) and credential (`password = *` / `passwordeval`).

msmtp runs `passwordeval` and `eval` commands at load time, so the oracle never sees a file we did
not write: each input is copied with every `passwordeval` argument replaced by `echo x` and every
`eval` line blanked (same line numbers), and both sides read that copy, in a network namespace.
"""
import os
import re
import subprocess

import pytest

from conftest import ROOT, at_least, corpus_files, model, require_program, run_isolated

VARIANTS = {
    # Inheritance: defaults apply to later accounts only; `X : Y` copies what Y set, not Y's defaults.
    "inherit": "defaults\nport 587\naccount A\nhost a.example\ndefaults\nport 2525\ntls on\n"
               "account X : A\naccount Y : A\nport 26\naccount Z : Y\ntls_starttls off\naccount default : Z\n",
    # Commands before the first account form the account `default`; they are not defaults.
    "preamble": "host pre.example\ntls on\naccount one\nhost one.example\n",
    # Empty arguments mean on; deprecated spellings.
    "flags": "account a\nhost a.example\ntls\ntls_nostarttls\ntls_nocertcheck\nauth\npassword \"x y\"\n"
             "account b\nhost b.example\ntls on\ntls_fingerprint ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab\nauth scram-sha-256\n"
             "account c\nhost c.example\ntls on\ntls_certcheck off\ntls_fingerprint 0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f:0f\nauth off\n",
    # Quotes around the whole argument are removed; blanks and tabs around it trimmed; CRLF.
    "quotes": "account q\r\n\thost   \"smtp.example.com\"  \r\n  # comment\r\nport\t\"587\"\r\ntls \"on\"\r\n",
    # lmtp has no default port: msmtp stops with "port not set".
    "lmtp": "account l\nhost localhost\nprotocol lmtp\n",
    "lmtp-port": "account l\nhost localhost\nprotocol lmtp\nport 24\n",
    # Broken lines: msmtp refuses the file, we report the line.
    "trailing-comment": "account a\nhost a.example\ntls on # yes\n",
    "unknown-command": "account a\nhost a.example\nTLS on\n",
    "bad-fingerprint": "account a\nhost a.example\ntls on\ntls_fingerprint 00:11:22\n",
    "bad-port": "account a\nhost a.example\nport 70000\n",
    "undefined-parent": "account a : nosuch\nhost a.example\n",
}


def sanitize(text):
    """The input with nothing msmtp would run: passwordeval → `echo x`, eval lines blanked."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(" \t")
        if re.match(r"passwordeval(\s|$)", stripped):
            line = "passwordeval echo x" + ("\r" if line.endswith("\r") else "")
        elif re.match(r"eval(\s|$)", stripped):
            line = "# (eval removed by the test)"
        out.append(line)
    return "\n".join(out)


def accounts(text):
    """Account names in file order, `default` first when commands come before any account."""
    names, seen_block = [], False
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        word = s.split()[0]
        if word == "account":
            names.append(s[len("account"):].split(":")[0].strip().strip('"'))
            seen_block = True
        elif word == "defaults":
            seen_block = True
        elif not seen_block:
            names.append("default")
            seen_block = True
    return names


def pretend(path, account, home):
    out = run_isolated(["sh", "-c", 'ip link set lo up 2>/dev/null; exec msmtp -C "$0" -a "$1" --pretend', str(path), account],
                       env={"HOME": str(home), "PATH": os.environ["PATH"]}, stdin=subprocess.DEVNULL)
    values = {}
    for line in out.stdout.splitlines():
        if " = " in line:
            k, v = line.split(" = ", 1)
            values[k.strip()] = v.strip()
    return out.returncode, values, out.stderr


def expected(values):
    """The model fields msmtp's view implies."""
    tls_on = values["tls"] == "on"
    starttls = values["tls_starttls"] == "on"
    auth = values["auth"].lower()
    e = {
        "host": values["host"] if values["host"] != "(not set)" else None,
        "port": int(values["port"]) if values["port"].isdigit() and values["port"] != "0" else None,
        "protocol": values["protocol"],
        "tls": ("starttls" if starttls else "implicit") if tls_on else "none",
        "tlsRequired": tls_on,
        "verifyCertificate": (values["tls_certcheck"] == "on") if tls_on else None,
        "auth": [] if auth == "none" else (["password"] if auth == "choose" else [auth]),
    }
    # --pretend runs passwordeval and then shows `password = *` too, so passwordeval decides first.
    if values["passwordeval"] != "(not set)":
        e["credential"] = "command"
    elif values["password"] == "*":
        e["credential"] = "inline"
    elif auth == "none":
        e["credential"] = "none"
    else:
        e["credential"] = None  # key ring, ~/.netrc or a prompt: not knowable from the file
    return e


FIELDS = ["host", "port", "protocol", "tls", "tlsRequired", "verifyCertificate", "auth", "credential"]


def inputs(tmp_path):
    files = [(p.name if "corpus" not in str(p) else str(p).split("/corpus/")[1], p.read_text())
             for p in corpus_files("msmtp") + sorted((ROOT / "Examples" / "msmtp").glob("*"))]
    files += [(f"variant:{k}", v) for k, v in VARIANTS.items()]
    out = []
    for n, (name, text) in enumerate(files):
        path = tmp_path / f"{n:02d}.msmtprc"
        path.write_text(sanitize(text), newline="")
        path.chmod(0o600)
        out.append((name, path))
    return out


def test_msmtp_agrees_with_pretend(tmp_path):
    require_program("msmtp")
    stats = {"files": 0, "accounts": 0, "fields": 0, "errors": 0}
    disagreements = []
    for name, path in inputs(tmp_path):
        stats["files"] += 1
        ours = model(path, "msmtp")
        setup = ours["setups"][0] if ours["setups"] else {"endpoints": []}
        errors = ours.get("errors", [])
        for account in accounts(path.read_text()):
            status, values, stderr = pretend(path, account, tmp_path)
            if status != 0:
                # msmtp refused the file or the account: we must say so, with a line.
                stats["errors"] += 1
                assert errors and all(e.get("line") for e in errors), f"{name} [{account}]: msmtp says {stderr.strip()!r}, we report nothing"
                continue
            want = expected(values)
            endpoints = setup["endpoints"]
            mine = next((e for e in endpoints if e["account"] == account), None)
            if mine is None:
                # An account decided by exactly the same lines as an earlier one is reported once.
                mine = next((e for e in endpoints if all(e[f] == want[f] for f in FIELDS)), None)
                assert mine is not None, f"{name}: account {account} missing from the model"
            stats["accounts"] += 1
            for f in FIELDS:
                stats["fields"] += 1
                if mine[f] != want[f]:
                    disagreements.append(f"{name} [{account}] {f}: msmtp {want[f]!r}, mailaudit {mine[f]!r}")
    print(f"\nmsmtp --pretend: {stats}")
    assert not disagreements, "\n".join(disagreements)
    assert stats["accounts"] >= at_least(30, 20)
