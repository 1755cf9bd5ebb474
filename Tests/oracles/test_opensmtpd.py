"""Differential tests: our OpenSMTPD model against smtpd 6.8 itself (Debian's opensmtpd, unpacked by
scripts/unpack-oracles.sh because it conflicts with postfix as a package).

smtpd has no dump mode, only a validator (`smtpd -n -f FILE`), so the comparison is:
  * smtpd says "configuration OK" <=> we report no MA000;
  * every line smtpd rejects carries an MA000 of ours (smtpd's parser stops reporting after the
    first of several consecutive bad lines, so we may report more lines, never fewer); an error
    without a line (a fatal listener check) must appear in one of our messages;
  * for each listener of our model on a file smtpd accepts: adding `auth` to that `listen on` line
    is accepted by smtpd exactly when our tls is not `none` (smtpd: "auth requires tls/smtps"),
    so smtpd confirms our reading of tls/tls-require/smtps on every listener;
  * for each relay action: adding `tls` is refused exactly when our tls is `none` (smtp+notls://).

Files are copied before checking, keeping line numbers: table files and pki certificates are
replaced by files this test writes, and OpenBSD's `lo0` becomes Linux's `lo` (smtpd resolves the
interface while reading).
"""
import os
import pathlib
import re
import subprocess

import pytest

from conftest import ROOT, corpus_files, lint_json, model, needs_corpus, run_isolated

ORACLE_ROOT = pathlib.Path(os.environ.get("MAILAUDIT_ORACLE_ROOT", "/opt/mailaudit-oracles"))
SMTPD = ORACLE_ROOT / "opensmtpd" / "usr" / "sbin" / "smtpd"

# smtpd messages about this machine rather than the file.
ENVIRONMENT_ERRORS = [
    r"invalid virtual ip or interface",
    r"fopen: No such file",
    r"failed to load",
    # Table backends such as passwd, sqlite or ldap come from opensmtpd-extras, which the oracle lacks.
    r'table_create: backend "[^"]+" does not exist',
]

# Problems we report on files `smtpd -n` accepts: smtpd parses relay URLs only when it first
# relays, so a wrong scheme or an LMTP relay without a port passes its validator.
KNOWN_DIFFERENCES = [
    "invalid relay URL scheme",
    "lmtp:// needs a port",
    "the port after ':' must be a number",
]

FIXTURES = {
    "secure.smtpd.conf": """\
pki mx.example.test cert "/etc/ssl/mx.crt"
pki mx.example.test key  "/etc/ssl/private/mx.key"
table creds file:/etc/mail/creds
listen on 0.0.0.0 port 25 tls pki mx.example.test
listen on 0.0.0.0 port 587 tls-require pki mx.example.test auth
listen on 0.0.0.0 smtps pki mx.example.test auth
action "relay" relay host smtp+tls://relay@smarthost.example.test:587 auth <creds>
match from local for any action "relay"
""",
    "insecure.smtpd.conf": """\
# plaintext everywhere
lan = "0.0.0.0"
listen on $lan
listen on $lan port submission tls auth-optional
action "out" relay host smtp+notls://relay.example.test
action "mx" relay
match from any for any action "out"
""",
    "relays.smtpd.conf": """\
action "a" relay host smtps://smtp.example.test tls no-verify
action "d" relay host foo://smtp.example.test
action "e" relay host smtp+notls://smtp.example.test tls
action "b" relay tls
action "c" relay host smtp://smtp.example.test:2525
match from local for domain "a.example" action "a"
match from local for domain "b.example" action "b"
match from local for any action "c"
""",
    "broken.smtpd.conf": """\
listen on 127.0.0.1 port 2525 auth
action "r" relay
match from local for any action "r"
""",
    "continued.smtpd.conf": """\
listen on 127.0.0.1 \\
    port 587 \\
    tls
action "r" relay   # comment
match from local for any action "r"
""",
}


def smtpd_binary():
    if SMTPD.exists():
        return str(SMTPD)
    if os.environ.get("CI") == "true":
        pytest.fail(f"OpenSMTPD oracle missing at {SMTPD}: run scripts/unpack-oracles.sh")
    pytest.skip("OpenSMTPD oracle not unpacked (scripts/unpack-oracles.sh)")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d / "key.pem", "-out", d / "cert.pem",
                    "-days", "2", "-subj", "/CN=mx.example.test"], check=True, capture_output=True)
    os.chmod(d / "key.pem", 0o600)
    return d


def prepared_copy(text, workdir, pki):
    """The file with machine-specific paths replaced by files the test writes, and template
    placeholders (`{{ domain }}`, which mailaudit reads as unknown values) rendered (same line numbers)."""
    text = re.sub(r"\{\{[^{}\n]*\}\}", "rendered.example.org", text)
    def table(m):
        name = m.group(1)
        f = workdir / f"table-{name}"
        f.write_text("root: root\nrelay user:password\n")
        return f"table {name} file:{f}"
    text = re.sub(r"(?m)^(?:\s*)table\s+(\S+)\s+(?:(?:file|db):)?/\S+", table, text)
    text = re.sub(r'(pki\s+\S+\s+cert\s+)"?[^"\s]+"?', lambda m: f'{m.group(1)}"{pki / "cert.pem"}"', text)
    text = re.sub(r'(pki\s+\S+\s+key\s+)"?[^"\s]+"?', lambda m: f'{m.group(1)}"{pki / "key.pem"}"', text)
    text = re.sub(r"\blo0\b", "lo", text)
    return text


def smtpd(binary, path):
    # A private network namespace whose loopback is up: smtpd resolves `listen on` interfaces.
    r = run_isolated(["sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh", binary, "-n", "-f", str(path)])
    out = r.stdout + r.stderr
    located = [(int(m.group(1)), m.group(2)) for m in re.finditer(rf"{re.escape(str(path))}:(\d+): (.+)", out)]
    fatal = [m.group(1) for m in re.finditer(r"(?m)^smtpd: (.+)$", out)]
    return r.returncode, located, fatal, out


def check(binary, original, workdir, pki):
    copy = workdir / original.name
    copy.write_text(prepared_copy(original.read_text(), workdir, pki))
    ours = model(copy, "opensmtpd")
    our_lines = {e["line"] for e in ours.get("errors", []) if e.get("line")}
    our_messages = " | ".join(e["message"] for e in ours.get("errors", []))
    rc, located, fatal, out = smtpd(binary, copy)
    if rc == 0:
        unexplained = [e for e in ours.get("errors", []) if not any(k in e["message"] for k in KNOWN_DIFFERENCES)]
        assert not unexplained, f"{original}: smtpd accepts it, we report {unexplained}"
        mutations = check_mutations(binary, copy, ours, workdir)
        return f"OK; agrees ({mutations})"
    located = [(l, m) for l, m in located if not any(re.search(p, m) for p in ENVIRONMENT_ERRORS)]
    fatal = [m for m in fatal if not any(re.search(p, m) for p in ENVIRONMENT_ERRORS)]
    if not located and not fatal and "no rules" not in out:
        assert any(re.search(p, out) for p in ENVIRONMENT_ERRORS), f"{original}: smtpd refuses it: {out.strip()}"
        return f"environment only: {out.strip()[:200]}"
    for line, message in located:
        assert line in our_lines, f"{original}: smtpd rejects line {line} ({message}); our MA000 lines {sorted(our_lines)}"
    for message in fatal:
        assert message in our_messages, f"{original}: smtpd: {message}; ours: {our_messages}"
    assert our_lines, f"{original}: smtpd refuses it ({out.strip()}), we report nothing"
    return f"refused at lines {[l for l, _ in located]} {fatal}; MA000 on lines {sorted(our_lines)}"


def check_mutations(binary, copy, ours, workdir):
    creds = workdir / "mutation-creds"
    creds.write_text("label user:password\n")
    lines = copy.read_text().split("\n")
    checked = 0
    for e in ours["setups"][0]["endpoints"]:
        start, end = e["location"]["line"], e["location"]["endLine"]
        if e["role"] == "server":
            if e["auth"]:
                continue
            extra = " auth"
        elif e["credential"] == "none":
            extra = " auth <mailaudit_creds>"  # smtpd: only with `host` (our host is null for MX relays)
        else:
            continue
        mutated = list(lines)
        mutated[end - 1] = re.sub(r"\s*#.*$", "", mutated[end - 1]) + extra
        mutated.insert(0, f"table mailaudit_creds file:{creds}")
        m = workdir / ("mutated-" + copy.name)
        m.write_text("\n".join(mutated))
        rc, located, fatal, out = smtpd(binary, m)
        if e["role"] == "server":
            assert (rc == 0) == (e["tls"] != "none"), f"{copy}: line {start}+auth: smtpd {out.strip()}; our tls {e['tls']}"
        else:
            assert (rc == 0) == (e["host"] is not None), f"{copy}: line {start}+auth: smtpd {out.strip()}; our host {e['host']}"
        checked += 1
    return f"{checked} endpoints confirmed by mutation"


def test_opensmtpd_fixtures_and_examples(tmp_path, pki):
    binary = smtpd_binary()
    files = []
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for name, text in FIXTURES.items():
        (fixtures / name).write_text(text)
        files.append(fixtures / name)
    examples = ROOT / "Examples" / "opensmtpd"
    if examples.exists():
        files += sorted(p for p in examples.glob("*") if p.name.endswith("smtpd.conf"))
    work = tmp_path / "work"
    work.mkdir()
    outcomes = {p.name: check(binary, p, work, pki) for p in files}
    print("\n".join(f"{k}: {v}" for k, v in outcomes.items()))
    assert outcomes["broken.smtpd.conf"].startswith("refused")


@needs_corpus
def test_opensmtpd_corpus(tmp_path, pki):
    binary = smtpd_binary()
    outcomes = {}
    files = corpus_files("opensmtpd")
    for i, p in enumerate(files):
        work = tmp_path / str(i)
        work.mkdir()
        outcomes[str(p)] = check(binary, p, work, pki)
    print("\n".join(f"{k}: {v}" for k, v in outcomes.items()))
    assert len(outcomes) == len(files) >= 16  # every file checked; the corpus only grows


def test_opensmtpd_include_loop_and_missing_include(tmp_path):
    a, b = tmp_path / "a.smtpd.conf", tmp_path / "b.smtpd.conf"
    a.write_text(f'listen on 127.0.0.1\ninclude "{b}"\ninclude "{tmp_path}/absent.conf"\n')
    b.write_text(f'include "{a}"\nlisten on 127.0.0.1 port 587 tls\n')
    ours = model(a, "opensmtpd")
    messages = [e["message"] for e in ours["errors"]]
    assert any("include loop" in m for m in messages), messages
    # A missing include is a note (MA003 include-not-followed), not a parse error.
    assert not any("absent.conf" in m for m in messages), messages
    _, linted = lint_json(a, extra=("--as", "opensmtpd"))
    assert any(f["ruleId"] == "MA003" and "absent.conf" in f["message"] for f in linted["findings"]), linted["findings"]
    assert sorted(e["port"] for e in ours["setups"][0]["endpoints"]) == [25, 587]
