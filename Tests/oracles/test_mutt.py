"""Differential test for the mutt format (ORACLES.md §4): `mutt -n -F FILE -Q var …` and
`neomutt -n -F FILE -Q var …` print the variables after the whole file (and what it sources) is read.

For every corpus file of kind `mutt`, every Examples/mutt file and the generated variants below,
both programs are asked for the variables that decide the endpoints; the endpoints they imply (the
URL in `smtp_url`, `folder`, `spoolfile`, `record`, `postponed`, `pop_host`; `+`/`=` relative to
`folder`; TLS from the scheme and `ssl_force_tls`/`ssl_starttls`; the default port of the scheme;
`ssl_verify_host`; the lowest `ssl_use_*` switched on; whether a password variable is set) must be
in `mailaudit model`'s endpoints with the same protocol, host, port, tls, tlsRequired,
verifyCertificate and minTLSVersion; `crypt_autoencrypt` / `crypt_opportunistic_encrypt` must give
the identity's contentEncryption; and every "Error in FILE, line N" they print must be a problem we
report on that line. (Endpoints from `mailboxes` and hooks are not visible to `-Q`: ours may have more.)

mutt runs back-ticks while reading, so both sides read a copy in which every back-tick command is
replaced by `echo x` and `source cmd|` lines are blanked; HOME is an empty folder; the programs run
in a network namespace, with the copy's folder as working directory (mutt resolves relative
`source` paths against it; NeoMutt and mailaudit against the sourcing file: the same for files at
the top, which is all the variants below use, except `nested-source`, compared with NeoMutt only).
"""
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, corpus_files, lint_json, model, require_program, run_isolated

VARIANTS = {
    "defaults-smtp": "set smtp_url = smtp://ann@smtp.example.com/\n",
    "opportunistic": "set smtp_url = 'smtp://ann@smtp.example.com:587'\nunset ssl_force_tls\nset folder=imap://imap.example.com/\n",
    "plain": "set smtp_url = smtp://smtp.example.com:2525\nset ssl_force_tls=no ssl_starttls=no\nset spoolfile=pop://pop.example.com/\n",
    "toggles": "set folder=imap://imap.example.com/\ntoggle ssl_force_tls\nset invssl_force_tls\nset nossl_force_tls\ntoggle ssl_starttls\n",
    "reset": "set folder=imaps://imap.example.com/\nunset ssl_verify_host\nreset ssl_verify_host\nset &ssl_use_tlsv1_2\n",
    "versions": "set folder = imaps://imap.example.com:1993\nset ssl_verify_host = no\nset ssl_use_tlsv1 = yes ssl_use_tlsv1_1\n",
    "quoting": "set from = ann@example.com ; set smtp_url = \"smtps://$from@smtp.example.com\" # c\n"
               "set \\\n  folder = 'imaps://$from@imap.example.com/' # literal\nset spoolfile = +INBOX\n",
    "passwords": "set folder = imaps://ann@imap.example.com/\nset imap_pass = \"s3cr\\\"et\"\nset pop_host = pops://ann@pop.example.com\n"
                 "set pop_pass = `pass show mail`\nset smtp_url = \"smtps://ann:hunter2@smtp.example.com:465\"\n",
    "crypto-always": "set crypt_autoencrypt = yes\nset crypt_opportunistic_encrypt\n",
    "crypto-opportunistic": "set pgp_default_key = 0x12345678\nset crypt_opportunistic_encrypt\n",
    "crypto-manual": "set pgp_default_key = 0x12345678\nunset crypt_autoencrypt\n",
    "errors": "set ssl_force_tsl = no\nset folder = imaps://imap.example.com/\nset ssl_verify_host = maybe\nsource missing.rc\n",
    "source-local": "source local.rc\nset folder = imaps://imap.example.com/\n",
}
# Files written next to the variants (sourced by them).
SIDE_FILES = {"local.rc": "set ssl_use_tlsv1_1 = yes\nunset ssl_force_tls\nset smtp_url = smtp://smtp.example.com:587\n"}

QUERIES = ["folder", "spoolfile", "smtp_url", "pop_host", "record", "postponed", "ssl_force_tls", "ssl_starttls",
           "ssl_verify_host", "ssl_use_sslv3", "ssl_use_tlsv1", "ssl_use_tlsv1_1", "ssl_use_tlsv1_2", "ssl_use_tlsv1_3",
           "imap_pass", "pop_pass", "smtp_pass", "crypt_autoencrypt", "crypt_opportunistic_encrypt", "tunnel"]
NEOMUTT_NAMES = {"spoolfile": "spool_file", "crypt_autoencrypt": "crypt_auto_encrypt"}
DEFAULT_PORTS = {("imap", False): 143, ("imap", True): 993, ("pop3", False): 110, ("pop3", True): 995,
                 ("smtp", False): 25, ("smtp", True): 465}
SCHEMES = {"imap": ("imap", False), "imaps": ("imap", True), "pop": ("pop3", False), "pops": ("pop3", True),
           "smtp": ("smtp", False), "smtps": ("smtp", True)}


def sanitize(text):
    text = re.sub(r"`[^`\n]*`", "`echo x`", text)
    return "\n".join("# (piped source removed by the test)" if re.match(r"\s*source\s.*\|\s*$", l) else l for l in text.split("\n"))


def query(program, path, home):
    names = [NEOMUTT_NAMES.get(q, q) if program == "neomutt" else q for q in QUERIES]
    args = [program, "-n", "-F", str(path)] + [a for n in names for a in ("-Q", n)]
    out = run_isolated(args, cwd=str(path.parent), env={"HOME": str(home), "PATH": os.environ["PATH"], "TERM": "dumb"},
                       stdin=subprocess.DEVNULL)
    values = {}
    for line in out.stdout.splitlines():
        m = re.match(r'^(?:set )?(\w+)(?: = |=)"?(.*?)"?$', line)
        if m:
            values[m.group(1)] = m.group(2)
            continue
        m = re.match(r"^(\w+) is (set|unset)$", line)
        if m:
            values[m.group(1)] = "yes" if m.group(2) == "set" else "no"
    values = {next((k for k, v in NEOMUTT_NAMES.items() if v == name), name): v for name, v in values.items()}
    errors = re.findall(r"Error in (.+?), line (\d+): ?(.*)", out.stderr)
    return values, [(os.path.realpath(f), int(n), message) for f, n, message in errors]


# Known differences: errors the programs print that mailaudit deliberately does not report.
KNOWN_ERRORS = [
    # Key bindings, macros and colours are not mail settings; mailaudit does not check them.
    (r"no such function in map|macro: too many arguments|no such object|: unknown function", "bind/macro/color"),
    # mailaudit accepts the variable names of both programs (one muttrc often serves both);
    # mutt does not know NeoMutt's names (spool_file, real_name, …) and NeoMutt dropped some of mutt's.
    (r"^(\w+): unknown variable$", "name of the other program"),
]
# `source ~/.mutt/colors.`cmd``: the file name comes from a command mailaudit never runs, so whether
# the file exists is unknowable to it (the programs ran the test's `echo x` and found no such file).
SOURCE_BY_COMMAND = "source of a file named by a back-tick command"
NEOMUTT_ONLY_MAILBOX_CHECK = "neomutt checks that local `mailboxes` exist on this machine (empty message)"


def known_error(program, message, line_text):
    for pattern, why in KNOWN_ERRORS:
        m = re.search(pattern, message)
        if m and (why != "name of the other program" or other_program_knows(program, m.group(1))):
            return why
    if re.match(r"\s*source\s.*`", line_text or ""):
        return SOURCE_BY_COMMAND
    if program == "neomutt" and message == "" and re.match(r"\s*(mailboxes|named-mailboxes)\b|\s*\+|\s*=", line_text or ""):
        return NEOMUTT_ONLY_MAILBOX_CHECK
    return None


def other_program_knows(program, name):
    other = "neomutt" if program == "mutt" else "mutt"
    if shutil.which(other) is None:
        return False
    out = subprocess.run([other, "-n", "-F", "/dev/null", "-Q", name], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                         env={"HOME": "/nonexistent", "PATH": os.environ["PATH"]}, timeout=30)
    return out.returncode == 0


def parse_url(text):
    m = re.match(r"^(\w+)://(?:([^/]*)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?", text or "")
    if not m or m.group(1).lower() not in SCHEMES:
        return None
    return SCHEMES[m.group(1).lower()], m.group(3), int(m.group(4)) if m.group(4) else None


def rejected_variables(path, errors):
    """Variables whose `set` the program rejected ("invalid value"): mailaudit models them as
    unknown rather than as the value the program kept, so their fields are expected to be null."""
    lines = path.read_text().splitlines()
    names = set()
    for file, line, message in errors:
        if ("invalid value" in message or "Usage: set variable=" in message or "Invalid boolean value" in message) and os.path.realpath(file) == os.path.realpath(path) and 0 < line <= len(lines):
            names.update(re.findall(r"\bset\s+(\w+)", lines[line - 1]))
    return names


def expected_endpoints(v, rejected=frozenset()):
    """The endpoints mutt's variables imply (the rules of FORMATS.md §2)."""
    def on(name):
        return v.get(name) in ("yes", "ask-yes")
    folder = v.get("folder", "")
    out = {}
    for name in ["smtp_url", "pop_host", "folder", "spoolfile", "record", "postponed"]:
        text = v.get(name, "")
        if text[:1] in "+=" and text:
            text = folder + ("" if folder.endswith("/") else "/") + text[1:]
        url = parse_url(text)
        if not url:
            continue
        (proto, implicit), host, port = url
        if (name == "smtp_url") != (proto == "smtp"):
            continue
        if implicit:
            tls, required = "implicit", True
        elif on("ssl_force_tls"):
            tls, required = ("starttls" if v.get("ssl_starttls") != "no" else None), True
        else:
            tls, required = ("none" if v.get("ssl_starttls") == "no" else "starttls"), False
        minimum = next((ver for var, ver in [("ssl_use_sslv3", "ssl3"), ("ssl_use_tlsv1", "tls1.0"), ("ssl_use_tlsv1_1", "tls1.1"),
                                             ("ssl_use_tlsv1_2", "tls1.2"), ("ssl_use_tlsv1_3", "tls1.3")] if on(var)), None)
        port = port or DEFAULT_PORTS[(proto, implicit)]
        encrypted = tls not in (None, "none")
        if not implicit and "ssl_force_tls" in rejected:
            tls, required = None, None
        verify = None if "ssl_verify_host" in rejected else on("ssl_verify_host")
        out.setdefault((proto, host, port), {"protocol": proto, "host": host, "port": port, "tls": tls, "tlsRequired": required,
                                             "verifyCertificate": verify if encrypted else None,
                                             "minTLSVersion": minimum if encrypted else None})
    return out


FIELDS = ["protocol", "host", "port", "tls", "tlsRequired", "verifyCertificate", "minTLSVersion"]


def inputs(tmp_path):
    items = [(str(p).split("/corpus/")[1] if "/corpus/" in str(p) else p.name, p.read_text())
             for p in corpus_files("mutt") + sorted((ROOT / "Examples" / "mutt").glob("*"))]
    items += [(f"variant:{k}", v) for k, v in VARIANTS.items()]
    out = []
    for n, (name, text) in enumerate(items):
        d = tmp_path / f"in{n:02d}"
        d.mkdir()
        for side, body in SIDE_FILES.items():
            (d / side).write_text(body)
        path = d / "muttrc"
        path.write_text(sanitize(text))
        out.append((name, path))
    return out


@pytest.mark.parametrize("program", ["mutt", "neomutt"])
def test_mutt_agrees_with_query(program, tmp_path):
    require_program(program)
    home = tmp_path / "home"
    home.mkdir()
    stats = {"files": 0, "endpoints": 0, "fields": 0, "identities": 0, "error lines": 0, "known differences": 0}
    disagreements = []
    for name, path in inputs(tmp_path):
        stats["files"] += 1
        values, errors = query(program, path, home)
        ours = model(path, "mutt")
        setup = ours["setups"][0]
        ours_by_key = {(e["protocol"], e["host"], e["port"]): e for e in setup["endpoints"]}
        for key, want in expected_endpoints(values, rejected_variables(path, errors)).items():
            mine = ours_by_key.get(key)
            if mine is None:
                disagreements.append(f"{name}: {program} implies {key}, mailaudit has {sorted(ours_by_key)}")
                continue
            stats["endpoints"] += 1
            for f in FIELDS:
                stats["fields"] += 1
                if mine[f] != want[f]:
                    disagreements.append(f"{name} {key} {f}: {program} {want[f]!r}, mailaudit {mine[f]!r}")
        encryption = [i["contentEncryption"] for i in setup["identities"]]
        if values.get("crypt_autoencrypt") == "yes":
            want_enc = ["always"]
        elif values.get("crypt_opportunistic_encrypt") == "yes":
            want_enc = ["opportunistic"]
        else:
            want_enc = None  # per-message when PGP/S-MIME is set up, else no identity: not in -Q's view
        if want_enc is not None:
            stats["identities"] += 1
            if encryption != want_enc:
                disagreements.append(f"{name}: {program} says {want_enc}, mailaudit identity {encryption}")
        reported = {(os.path.realpath(e["path"]) if e["path"].startswith("/") else os.path.realpath(path.parent / e["path"]), e.get("line"))
                    for e in ours.get("errors", [])}
        # A `source` that cannot be followed (missing, under ~, …) is a note, MA003, not a parse error.
        _, linted = lint_json(path, extra=("--as", "mutt"))
        reported |= {(os.path.realpath(f["path"]) if f["path"].startswith("/") else os.path.realpath(f["path"]), f["line"])
                     for f in linted["findings"] if f["ruleId"] == "MA003"}
        lines = path.read_text().split("\n")
        for file, line, message in errors:
            stats["error lines"] += 1
            start = line
            while file == os.path.realpath(path) and 1 < start <= len(lines) + 1 and lines[start - 2].endswith("\\"):
                start -= 1  # the programs name the last line of a command continued with `\`
            text = lines[start - 1] if file == os.path.realpath(path) and 0 < start <= len(lines) else ""
            if (file, line) not in reported and known_error(program, message, text):
                stats["known differences"] += 1
                continue
            if (file, line) not in reported:
                disagreements.append(f"{name}: {program} reports an error at {os.path.basename(file)}:{line}, mailaudit does not ({sorted(reported)})")
    print(f"\n{program} -Q: {stats}")
    assert not disagreements, "\n".join(disagreements)
    assert stats["endpoints"] >= 20


def test_nested_source_is_relative_to_the_including_file(tmp_path):
    """NeoMutt (and mailaudit) resolve `source` against the sourcing file; mutt against the working directory."""
    require_program("neomutt")
    (tmp_path / "accounts").mkdir()
    (tmp_path / "muttrc").write_text("source accounts/work.rc\n")
    (tmp_path / "accounts" / "work.rc").write_text("set smtp_url = smtp://smtp.example.com:587\nsource tls.rc\n")
    (tmp_path / "accounts" / "tls.rc").write_text("unset ssl_force_tls\n")
    (tmp_path / "tls.rc").write_text("set ssl_force_tls\n")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    out = run_isolated(["neomutt", "-n", "-F", str(tmp_path / "muttrc"), "-Q", "ssl_force_tls"], cwd=str(elsewhere),
                       env={"HOME": str(elsewhere), "PATH": os.environ["PATH"]}, stdin=subprocess.DEVNULL)
    assert "ssl_force_tls = no" in out.stdout
    e = model(tmp_path / "muttrc", "mutt")["setups"][0]["endpoints"][0]
    assert e["tlsRequired"] is False
