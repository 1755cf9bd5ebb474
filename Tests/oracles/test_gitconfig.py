"""Differential test for the gitconfig format (ORACLES.md §7).

`git config --file FILE --includes --null --get-regexp '^sendemail[.]'` prints every sendemail key
with its value exactly as git's own parser read it (quotes, escapes, comments and continuation
lines applied, `[include]` followed). git send-email has no dump mode, so its documented
semantics (git 2.39 `git-send-email`: a path as smtpServer is a local program, `ssl` = implicit TLS
on 465, `tls` = required STARTTLS, otherwise plain SMTP on 25, an empty smtpSslCertPath turns
certificate checks off, AUTH only with smtpUser) are applied here, in Python, to git's values, and
compared with `mailaudit model`: which endpoints exist, host, port, tls, tlsRequired,
verifyCertificate, auth and credential. For files git refuses ("bad config line N"), our first
MA000 must name the same line.
"""
import json
import os
import socket
import subprocess

import pytest

from conftest import ROOT, corpus_files, model, require_program

SMTP_KEYS = {"smtpserver", "smtpserverport", "smtpencryption", "smtpsslcertpath", "smtpuser", "smtppass", "smtpauth", "sendmailcmd"}

VARIANTS = {
    "plain.gitconfig": "[sendemail]\n\tsmtpServer = smtp.example.com\n",
    "quoted.gitconfig": '[SendEmail]\n\tsmtpServer = "smtp.example.com" ; comment\n\tsmtpPass = "a;b#c"\n\tsmtpUser = ann\n\tsmtpServerPort = "5\\\n87"\n\tsmtpEncryption = tl\\\ns\n',
    "identities.gitconfig": '[sendemail]\n\tsmtpServer = a.example\n\tsmtpEncryption = ssl\n[sendemail "Work"]\n\tsmtpServer = b.example\n\tsmtpServerPort = submission\n\tsmtpEncryption = tls\n\tsmtpSslCertPath = ""\n\tsmtpUser = w\n\tsmtpAuth = PLAIN LOGIN\n[sendemail "nosmtp"]\n\tto = x@example.org\n',
    "chosen.gitconfig": '[sendemail]\n\tidentity = work\n\tsmtpServer = a.example\n[sendemail "work"]\n\tsmtpServer = b.example\n\tsmtpEncryption = ssl\n\tsmtpServerPort = 2465\n',
    "oldsub.gitconfig": "[sendemail.work]\n\tsmtpServer = c.example\n\tsmtpEncryption = SSL\n[sendemail] smtpserver = d.example\n\tsmtpauth = none\n\tsmtpuser = u\n",
    "program.gitconfig": "[sendemail]\n\tsmtpEncryption = tls\n\tsmtpServer = /usr/bin/msmtp\n",
    "sendmailcmd.gitconfig": "[sendemail]\n\tsmtpServer = e.example\n\tsendmailCmd = msmtp -a x\n",
    "include.gitconfig": "[include]\n\tpath = mail.inc\n\tpath = missing.inc\n[sendemail]\n\tsmtpServerPort = 587\n",
    "mail.inc": "[sendemail]\n\tsmtpServer = f.example\n\tsmtpEncryption = tls\n\tsmtpUser = me\n",
    "bad-quote.gitconfig": '[sendemail]\n\tsmtpServer = g.example\n\tsmtpPass = "open\n\tsmtpEncryption = ssl\n',
    "bad-escape.gitconfig": "[user]\n\tname = a\n[sendemail]\n\tsmtpServer = h\\qx\n",
    "bad-header.gitconfig": '[sendemail "x]\n\tsmtpServer = i.example\n',
    "bad-key.gitconfig": "[sendemail]\n\tsmtp_server = j.example\n",
}


def git_values(path):
    out = subprocess.run(["git", "config", "--file", str(path), "--includes", "--null", "--get-regexp", "^sendemail[.]"],
                         capture_output=True, text=True, env={**os.environ, "HOME": str(path.parent)})
    if out.returncode not in (0, 1):
        return None, out.stderr
    items = []
    for record in out.stdout.split("\0"):
        if not record:
            continue
        key, _, value = record.partition("\n")
        items.append((key, value if "\n" in record else None))
    return items, None


def endpoints_from(items):
    """git send-email's reading of sendemail.* (read_config with identity first, then plain)."""
    base, ids = {}, {}
    for key, value in items:
        parts = key.split(".")
        if value is None:
            continue
        if len(parts) == 2:
            base[parts[1]] = value
        else:
            ids.setdefault(".".join(parts[1:-1]), {})[parts[-1]] = value
    identities = [name for name, vals in ids.items() if SMTP_KEYS & vals.keys()]
    chosen = base.get("identity")
    todo = ([] if chosen in identities else [(None, base)] if base else []) + [(n, {**base, **ids[n]}) for n in identities]
    result = {}
    for name, v in todo:
        server = v.get("smtpserver")
        if "sendmailcmd" in v or server is None or server.startswith("/"):
            continue
        enc = v.get("smtpencryption", "")
        tls = {"ssl": "implicit", "tls": "starttls"}.get(enc, "none")
        port = v.get("smtpserverport")
        if port is None:
            port = 465 if tls == "implicit" else 25
        elif not port.isdigit():
            port = socket.getservbyname(port, "tcp")
        user = "smtpuser" in v
        auth = v.get("smtpauth", "").lower().split()
        expected = {"host": server, "port": int(port), "tls": tls, "tlsRequired": tls != "none",
                    "verifyCertificate": None if tls == "none" else v.get("smtpsslcertpath", "x") != "",
                    "auth": ([] if auth == ["none"] else (auth or ["password"])) if user else []}
        if not user or auth == ["none"]:
            expected["credential"] = "none"
        elif "smtppass" in v:
            expected["credential"] = "inline"
        result[name] = expected
    return result


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    require_program("git")
    files = corpus_files("gitconfig") + sorted((ROOT / "Examples" / "gitconfig").glob("*"))
    gen = tmp_path_factory.mktemp("gitconfig")
    for name, body in VARIANTS.items():
        (gen / name).write_text(body)
        if name.endswith(".gitconfig"):
            files.append(gen / name)
    return files


def test_gitconfig_agrees_with_git(files):
    compared = refused = 0
    for path in files:
        items, error = git_values(path)
        ours = model(path, "gitconfig")
        endpoints = ours["setups"][0]["endpoints"] if ours["setups"] else []
        if items is None:
            # "fatal: bad config line 3 in file …": our first error names the same line.
            line = int(error.split("bad config line ")[1].split()[0])
            assert ours["errors"] and ours["errors"][0]["line"] == line, f"{path}: git: {error.strip()} / ours: {ours['errors']}"
            refused += 1
            continue
        expected = endpoints_from(items)
        by_name = {e["account"]: e for e in endpoints}
        assert set(by_name) == set(expected), f"{path}: endpoints {sorted(by_name, key=str)} vs git {sorted(expected, key=str)}"
        for name, want in expected.items():
            got = {k: by_name[name][k] for k in want}
            assert got == want, f"{path}: identity {name}"
            compared += 1
    assert compared >= 8 and refused >= 3
