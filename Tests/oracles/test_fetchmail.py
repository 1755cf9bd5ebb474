"""Differential test for the fetchmail format (ORACLES.md §3): `fetchmail -f FILE --configdump`.

fetchmail prints its parsed run-control file (defaults merged into every entry) as a Python literal.
For every corpus file of kind `fetchmail`, every Examples/fetchmail file and the variants below, each
server entry's users are compared, in order, with `mailaudit model`: host (`via` or the poll name),
protocol, port (`service`/`port`, resolved with the system's services database; absent: the
protocol's default, FORMATS.md §3), tls (`ssl` → implicit, `sslproto ''` → none, else STARTTLS),
tlsRequired (`ssl`, a non-empty `sslproto`, `sslcertck` or `sslfingerprint`: what makes fetchmail
6.4.37 refuse a server without STLS, checked against a fake server), verifyCertificate
(`sslcertck`, or a pinned `sslfingerprint`), minTLSVersion (`sslproto`), auth and credential
(`password`). A file fetchmail refuses must get a problem on the line it names.

--configdump runs nothing (plugin, mda and preconnect commands run only when polling); it still runs
in a network namespace, on 0600 copies (fetchmail refuses group/world-readable files).
"""
import ast
import os
import re
import socket

import pytest

from conftest import ROOT, assuming, at_least, corpus_files, model, require_program, run_isolated

VARIANTS = {
    "defaults-and-polls": "defaults proto imap ssl\npoll a.example user ann password 'x'\n"
                          "poll b.example proto pop3 user bob sslproto TLS1.2+\n"
                          "skip c.example via real.c.example service pop3s proto POP3 user carl ssl\n",
    "opportunistic": "poll mail.example proto pop3 user ann password secret no sslcertck\n",
    "plaintext": "poll mail.example proto imap user ann sslproto ''\n",
    "pinned": "poll mail.example proto imap port 1143 user ann no sslcertck sslfingerprint 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89'\n",
    "auth": "poll mail.example proto imap auth cram-md5 user ann\npoll pop.example proto apop user bob there with password \"p\\x41ss\" is bob here\n",
    "etrn": "poll mx.example proto etrn\n",
    "multi-user": "poll pop.example with proto POP3 interval 60:\n  user 'a' there with password 'x' is 'b' here;\n  user 'c' there is 'd' here, ssl, sslproto tls1.3+\n",
    "services": "poll imap.example proto imap service imaps user a ssl\npoll pop.example proto pop3 service pop3 user b\n",
    "auto": "poll mail.example user ann ssl\n",
    "noise-and-joined-no": "set daemon 300\npoll mail.example protocol IMAP\n  user ann there has password 'x' is ann here\n  options ssl nokeep fetchall\n",
    # Broken files: fetchmail refuses them with a line number.
    "server-after-user": "poll mail.example user ann password x proto imap\n",
    "case": "poll mail.example proto imap user ann KEEP ssl\n",
    "unterminated": "poll mail.example proto imap user ann password 'x\n",
}

PROTOCOLS = {"IMAP": "imap", "POP3": "pop3", "APOP": "pop3", "RPOP": "pop3", "SDPS": "pop3", "ETRN": "etrn", "ODMR": "odmr"}
DEFAULT_SERVICE = {("pop3", False): "pop3", ("pop3", True): "pop3s", ("imap", False): "imap2", ("imap", True): "imaps", ("etrn", False): "smtp"}
VERSIONS = {"auto": "tls1.0", "ssl23": "tls1.0", "ssl3": "ssl3", "ssl3+": "ssl3", "tls1": "tls1.0", "tls1+": "tls1.0",
            "tls1.1": "tls1.1", "tls1.1+": "tls1.1", "tls1.2": "tls1.2", "tls1.2+": "tls1.2", "tls1.3": "tls1.3", "tls1.3+": "tls1.3"}
AUTH = {"any": ["password"], "password": ["password"], "cram-md5": ["cram-md5"], "gssapi": ["gssapi"], "kerberos_v5": ["gssapi"],
        "ntlm": ["ntlm"], "otp": ["otp"], "msn": ["msn"], "external": ["external"], "ssh": []}
FIELDS = ["host", "protocol", "port", "tls", "tlsRequired", "verifyCertificate", "minTLSVersion", "auth", "credential"]


def configdump(path, home):
    out = run_isolated(["fetchmail", "-f", str(path), "--configdump"], env={"HOME": str(home), "PATH": os.environ["PATH"]})
    if out.returncode != 0:
        return None, out.stderr
    text = out.stdout[out.stdout.index("fetchmailrc = ") + len("fetchmailrc = "):]
    text = re.sub(r"\bTRUE\b", "True", re.sub(r"\bFALSE\b", "False", text))
    return ast.literal_eval(text.strip()), out.stderr


def installed_version(home):
    """`This is fetchmail release 6.4.37+GSS+…` → "6.4.37"."""
    out = run_isolated(["fetchmail", "--version"], env={"HOME": str(home), "PATH": os.environ["PATH"]})
    return re.search(r"release (\d+(?:\.\d+)+)", out.stdout + out.stderr).group(1)


def expected(server, user):
    proto = PROTOCOLS.get(server["protocol"])
    ssl = bool(user["ssl"])
    sslproto = user["sslproto"]
    if ssl:
        tls = "implicit"
    elif sslproto == "" or proto == "etrn":
        tls = "none"
    else:
        tls = "starttls"
    service = server["service"]
    if service is None:
        name = DEFAULT_SERVICE.get((proto, ssl))
        port = socket.getservbyname(name, "tcp") if name else None
    elif service.isdigit():
        port = int(service)
    else:
        port = socket.getservbyname(service, "tcp")
    fingerprint = bool(user["sslfingerprint"])
    auth = AUTH.get(server["auth"], [server["auth"]])
    if server["auth"] == "any" and server["protocol"] == "APOP":
        auth = ["apop"]
    if proto == "etrn":
        auth = []
    return {
        "host": server["via"] or server["pollname"],
        "protocol": proto,
        "port": port,
        "tls": tls,
        "tlsRequired": tls == "implicit" or (tls == "starttls" and (bool(sslproto) or bool(user["sslcertck"]) or fingerprint)),
        "verifyCertificate": None if tls == "none" else (bool(user["sslcertck"]) or fingerprint),
        "minTLSVersion": None if tls == "none" else VERSIONS.get((sslproto or "").lower()),
        "auth": auth,
        # ETRN needs no login: fetchmail fills in the user name as a placeholder password.
        "credential": "inline" if user["password"] and proto != "etrn" else ("none" if auth == [] else None),
    }


def inputs(tmp_path):
    items = [(str(p).split("/corpus/")[1] if "/corpus/" in str(p) else p.name, p.read_text())
             for p in corpus_files("fetchmail") + sorted((ROOT / "Examples" / "fetchmail").glob("*"))]
    items += [(f"variant:{k}", v) for k, v in VARIANTS.items()]
    out = []
    for n, (name, text) in enumerate(items):
        path = tmp_path / f"{n:02d}.fetchmailrc"
        path.write_text(text)
        path.chmod(0o600)
        out.append((name, path))
    return out


def test_fetchmail_agrees_with_configdump(tmp_path):
    require_program("fetchmail")
    # mailaudit models the current release; compare with the installed one's defaults.
    pinned = assuming(tmp_path, "fetchmail", installed_version(tmp_path))
    stats = {"files": 0, "entries": 0, "fields": 0, "refused": 0}
    disagreements = []
    for name, path in inputs(tmp_path):
        stats["files"] += 1
        ours = model(path, "fetchmail", extra=pinned)
        dump, stderr = configdump(path, tmp_path)
        if dump is None:
            stats["refused"] += 1
            lines = {int(n) for n in re.findall(r":(\d+): ", stderr)}
            reported = {e.get("line") for e in ours.get("errors", [])}
            # fetchmail names the line where it noticed the error; for an unterminated string that is the end of the file.
            assert lines and (lines & reported or any(l > len(path.read_text().splitlines()) for l in lines) and reported), \
                f"{name}: fetchmail refuses it ({stderr.strip()!r}), mailaudit reports {sorted(reported)}"
            continue
        endpoints = ours["setups"][0]["endpoints"]
        position = 0
        for server in dump["servers"]:
            for user in server["users"]:
                stats["entries"] += 1
                want = expected(server, user)
                if position >= len(endpoints):
                    disagreements.append(f"{name}: {server['pollname']} user {user['remote']} missing from the model")
                    continue
                mine = endpoints[position]
                position += 1
                for f in FIELDS:
                    if f == "protocol" and want[f] is None and server["protocol"] == "unknown?!?":
                        continue  # AUTO (and POP2) print as "unknown?!?"; mailaudit says null for AUTO
                    stats["fields"] += 1
                    if mine[f] != want[f]:
                        disagreements.append(f"{name} [{server['pollname']} / {user['remote']}] {f}: fetchmail {want[f]!r}, mailaudit {mine[f]!r}")
        if position != len(endpoints):
            disagreements.append(f"{name}: mailaudit has {len(endpoints)} endpoints, fetchmail {position} users")
    print(f"\nfetchmail --configdump: {stats}")
    assert not disagreements, "\n".join(disagreements)
    assert stats["entries"] >= at_least(25, 18)
