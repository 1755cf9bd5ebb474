"""Differential tests: our Exim model against Exim 4.96 itself (Debian's exim4-daemon-heavy, unpacked
by scripts/unpack-oracles.sh because it conflicts with postfix as a package).

For every Examples/exim file, every corpus file of the kind and the fixtures below:
  * `exim -C FILE -bP daemon_smtp_ports tls_on_connect_ports local_interfaces smtp_banner ...`:
    listener ports, implicit-TLS ports and the (unexpanded) banner must equal our model's;
  * `exim -C FILE -bh 192.0.2.10 -oMi 127.0.0.1.PORT` (a fake SMTP session, no network) for each
    listener that is not TLS-on-connect: STARTTLS in the EHLO answer <=> our tls is starttls, and
    AUTH PLAIN/LOGIN offered before TLS <=> our allowsPlaintextAuth; the mechanisms offered are in our auth;
  * `exim -C FILE -bP transport NAME` for each smtp transport: port, smtps, hosts_require_tls;
  * a file Exim refuses: we report MA000 on the same line (environment-only errors are listed below).
"""
import os
import pathlib
import re
import shutil
import socket
import tempfile

import pytest

from conftest import ROOT, corpus_files, model, needs_corpus, run_isolated

ORACLE_ROOT = pathlib.Path(os.environ.get("MAILAUDIT_ORACLE_ROOT", "/opt/mailaudit-oracles"))
EXIM = ORACLE_ROOT / "exim4-daemon-heavy" / "usr" / "sbin" / "exim4"
CLIENT = "192.0.2.10"

# Errors that come from this machine, not from the file: Exim checks users, groups and lookups it
# was built with while reading, which a static linter cannot and should not know.
ENVIRONMENT_ERRORS = [
    r"user \S+ was not found",
    r"group \S+ was not found",
    r"main option \"\S+\" unknown",  # an option of a lookup or feature this build lacks
]

# Files whose Exim error is on a line we deliberately do not report, and why.
KNOWN_DIFFERENCES = {
    # None at present: every configuration error Exim reported on these files is on a line where
    # we report MA000 too.
}

FIXTURES = {
    "defaults.conf": "# nothing set: port 25, STARTTLS to everybody, the default banner\n",
    "three-ports.conf": """\
daemon_smtp_ports = 25 : 465 : 587
tls_on_connect_ports = 465
tls_advertise_hosts = *
acl_smtp_rcpt = accept
begin authenticators
plain_server:
  driver = plaintext
  public_name = PLAIN
  server_condition = ${if eq{$auth2}{u}{yes}{no}}
  server_set_id = $auth2
  server_prompts = :
login_server:
  driver = plaintext
  public_name = LOGIN
  server_prompts = "Username:: : Password::"
  server_condition = ${if eq{$auth1}{u}{yes}{no}}
  server_advertise_condition = ${if eq{$tls_in_cipher}{}{}{*}}
""",
    "no-tls.conf": """\
daemon_smtp_ports = smtp : submission
tls_advertise_hosts =
smtp_banner = "$smtp_active_hostname ESMTP ready\\x21"
begin authenticators
cram:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = ${if eq{$auth1}{u}{secret}fail}
""",
    "tls-only-auth.conf": """\
daemon_smtp_port = 587
auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}
smtp_banner = $smtp_active_hostname ESMTP
begin authenticators
plain:
  driver = plaintext
  server_condition = yes
""",
    "macros.conf": """\
MAIN_TLS_ENABLE = yes
.ifdef MAIN_TLS_ENABLE
.ifndef MAIN_TLS_ADVERTISE_HOSTS
MAIN_TLS_ADVERTISE_HOSTS = *
.endif
tls_advertise_hosts = MAIN_TLS_ADVERTISE_HOSTS
.else
tls_advertise_hosts =
.endif
.ifdef _HAVE_OPENSSL
tls_on_connect_ports = 465
.elifdef _HAVE_GNUTLS
tls_on_connect_ports = 2465
.endif
PORTS = 25 : 2465 : \\
        587
# a comment inside nothing
daemon_smtp_ports = PORTS
begin authenticators
PLAIN:
  driver = plaintext
  server_condition = yes
  public_name = PLAIN
""",
    "interfaces.conf": """\
local_interfaces = <; 127.0.0.1.25 ; [::1]:587 ; 127.0.0.2
daemon_smtp_ports = 2525
""",
    "transports.conf": """\
begin transports
remote_smtp:
  driver = smtp
smarthost:
  driver = smtp
  hosts = smtp.example.net
  port = 587
  hosts_require_tls = *
  tls_verify_hosts = *
  hosts_require_auth = *
wrapper:
  driver = smtp
  protocol = smtps
  hosts_avoid_tls =
begin authenticators
client_login:
  driver = plaintext
  public_name = LOGIN
  client_send = : relayuser : notsecret
""",
}


def exim_binary():
    if EXIM.exists():
        return str(EXIM)
    if os.environ.get("CI") == "true":
        pytest.fail(f"Exim oracle missing at {EXIM}: run scripts/unpack-oracles.sh")
    pytest.skip("Exim oracle not unpacked (scripts/unpack-oracles.sh)")


def exim(binary, path, *args, stdin=None):
    return run_isolated([binary, "-C", str(path), *args], input=stdin)


def parse_bp(text):
    values = {}
    for line in text.splitlines():
        if " = " in line:
            k, v = line.split(" = ", 1)
            values[k.strip()] = v
        elif line.endswith(" ="):
            values[line[:-2].strip()] = ""
    return values


def resolve_port(text):
    text = text.strip()
    if text.isdigit():
        return int(text)
    return socket.getservbyname(text, "tcp")


def split_list(value):
    """An Exim list: `a : b`, `<; a ; b`, `::` for a literal colon."""
    value = value.strip()
    sep = ":"
    if len(value) > 1 and value[0] == "<" and not value[1].isspace() and not value[1].isalnum():
        sep, value = value[1], value[2:]
    items, current, i = [], "", 0
    while i < len(value):
        if value[i] == sep:
            if value[i + 1:i + 2] == sep:
                current += sep
                i += 2
                continue
            items.append(current.strip())
            current = ""
        else:
            current += value[i]
        i += 1
    items.append(current.strip())
    return [x for x in items if x]


def interface_port(item):
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        return host, (rest[1:] if rest[:1] in (":", ".") and rest[1:] else None)
    if ":" in item or item.count(".") == 4:
        host, dot, port = item.rpartition(".")
        if dot and port.isdigit():
            return host, port
    return item, None


def exim_error(result):
    """(file, line, message) of a configuration error, or None."""
    m = re.search(r"configuration error in line (\d+) of (\S+):\n\s*(.+)", result.stdout + result.stderr)
    if m:
        return m.group(2), int(m.group(1)), m.group(3).strip()
    m = re.search(r"configuration error:\n\s*(.+)", result.stdout + result.stderr)
    if m:
        return None, None, m.group(1).strip()
    return None, None, (result.stdout + result.stderr).strip()[:300]


def ehlo(binary, path, port):
    result = exim(binary, path, "-bh", CLIENT, "-oMi", f"127.0.0.1.{port}", stdin="EHLO client.example\r\nQUIT\r\n")
    lines = [l for l in result.stdout.splitlines() if re.match(r"^\d{3}[ -]", l)]
    assert lines and lines[0].startswith("220"), f"no greeting from exim -bh on port {port}: {result.stdout}{result.stderr}"
    caps = [l[4:] for l in lines if l.startswith("250")]
    auth = next((c.split()[1:] for c in caps if c.upper().startswith("AUTH ")), [])
    return {"greeting": lines[0][4:], "starttls": any(c.upper() == "STARTTLS" for c in caps), "auth": [a.lower() for a in auth]}


def files_to_check(tmp_path):
    fixtures = []
    d = tmp_path / "fixtures"
    d.mkdir()
    for name, text in FIXTURES.items():
        p = d / name
        p.write_text(text)
        fixtures.append(p)
    # An include, followed from an absolute path.
    inc = d / "tls-part.conf"
    inc.write_text("tls_on_connect_ports = 465\n")
    main = d / "with-include.conf"
    main.write_text(f"daemon_smtp_ports = 25 : 465\n.include {inc}\n.include_if_exists {d}/absent.conf\n")
    fixtures.append(main)
    examples = sorted((ROOT / "Examples" / "exim").glob("*")) if (ROOT / "Examples" / "exim").exists() else []
    return examples + fixtures


def check_file(binary, path, fmt="exim"):
    ours = model(path, fmt)
    setup = ours["setups"][0] if ours.get("setups") else {"endpoints": []}
    our_errors = ours.get("errors", [])
    keys = ["daemon_smtp_ports", "tls_on_connect_ports", "local_interfaces", "smtp_banner", "tls_advertise_hosts", "auth_advertise_hosts"]
    result = exim(binary, path, "-bP", *keys)
    if result.returncode != 0:
        file, line, message = exim_error(result)
        if any(re.search(p, message) for p in ENVIRONMENT_ERRORS):
            return f"environment: {message}"
        if str(path) in KNOWN_DIFFERENCES:
            return KNOWN_DIFFERENCES[str(path)]
        assert line is not None, f"{path}: exim failed without a line: {message}"
        lines = {e.get("line") for e in our_errors if os.path.realpath(e["path"]) == os.path.realpath(file or str(path))}
        assert line in lines, f"{path}: exim refuses line {line} ({message}); we report MA000 on lines {sorted(lines)}"
        return f"refused at line {line}: {message} (MA000 on the same line)"
    assert not our_errors, f"{path}: exim reads this file, we report {our_errors}"
    bp = parse_bp(result.stdout)

    # Listeners.
    daemon = [resolve_port(p) for p in split_list(bp["daemon_smtp_ports"])]
    expected = set()
    interfaces = split_list(bp.get("local_interfaces", ""))
    for item in interfaces or ["0.0.0.0"]:
        _, port = interface_port(item)
        expected |= {resolve_port(port)} if port else set(daemon)
    servers = [e for e in setup["endpoints"] if e["role"] == "server"]
    assert {e["port"] for e in servers} == expected, f"{path}: listener ports"
    implicit = {resolve_port(p) for p in split_list(bp["tls_on_connect_ports"])}
    for e in servers:
        assert (e["tls"] == "implicit") == (e["port"] in implicit), f"{path}: port {e['port']} implicit TLS"
        assert e["banner"] == bp["smtp_banner"], f"{path}: banner"

    # What a client sees before TLS, per listener port.
    for port in sorted({e["port"] for e in servers} - implicit):
        seen = ehlo(binary, path, port)
        for e in (e for e in servers if e["port"] == port):
            if e["tls"] is not None:
                assert seen["starttls"] == (e["tls"] == "starttls"), f"{path}: STARTTLS on {port}: exim {seen['starttls']}, ours {e['tls']}"
            plaintext = bool({"plain", "login"} & set(seen["auth"]))
            if e["allowsPlaintextAuth"] is not None:
                assert plaintext == e["allowsPlaintextAuth"], f"{path}: plaintext AUTH before TLS on {port}: exim {seen['auth']}, ours {e['allowsPlaintextAuth']}"
            assert set(seen["auth"]) <= set(e["auth"] or []), f"{path}: AUTH {seen['auth']} not in our {e['auth']}"

    # smtp transports.
    for e in (e for e in setup["endpoints"] if e["role"] == "client"):
        t = exim(binary, path, "-bP", "transport", e["account"])
        assert t.returncode == 0, t.stderr
        values = parse_bp(t.stdout)
        protocol = values.get("protocol", "smtp")
        assert (e["tls"] == "implicit") == (protocol == "smtps"), f"{path}: transport {e['account']} protocol"
        port = values.get("port", "")
        if port and "$" not in port:
            assert e["port"] == resolve_port(port), f"{path}: transport {e['account']} port"
        if values.get("hosts_require_tls", "") == "*" or protocol == "smtps":
            assert e["tlsRequired"] is True, f"{path}: transport {e['account']} TLS required"
        elif values.get("hosts_require_tls", "") == "":
            assert e["tlsRequired"] is False, f"{path}: transport {e['account']} TLS optional"
    return f"agrees ({len(servers)} listeners)"


def test_exim_fixtures_and_examples(tmp_path):
    binary = exim_binary()
    outcomes = {p.name: check_file(binary, p) for p in files_to_check(tmp_path)}
    print(outcomes)
    assert outcomes


@needs_corpus
def test_exim_corpus():
    binary = exim_binary()
    outcomes = {}
    for p in corpus_files("exim"):
        outcomes[str(p)] = check_file(binary, p)
    print("\n".join(f"{k}: {v}" for k, v in outcomes.items()))
    assert len(outcomes) == 5


def test_exim_include_loop_is_an_error(tmp_path):
    a, b = tmp_path / "a.conf", tmp_path / "b.conf"
    a.write_text(f"daemon_smtp_ports = 25\n.include {b}\n")
    b.write_text(f"tls_on_connect_ports = 465\n.include {a}\n")
    ours = model(a, "exim")
    assert any("include loop" in e["message"] for e in ours["errors"]), ours["errors"]
    assert [e["port"] for e in ours["setups"][0]["endpoints"]] == [25]


def test_exim_corpus_c051_repaired(tmp_path):
    """C051 is the only corpus file with authenticators, but Exim 4.96 refuses it: line 1 is a mail
    header (`From: …`, the file was posted by mail), it runs as user `vmail`, and its ACL uses
    `demime`, removed in Exim 4.84; `exim -bh` also needs its lookup files. With those repaired (line numbers kept), Exim reads it,
    and its PLAIN/LOGIN authenticators (no server_advertise_condition) must be offered before TLS."""
    binary = exim_binary()
    source = [p for p in corpus_files("exim") if p.name == "C051"]
    if not source:
        pytest.skip("C051 not in the corpus")
    lines = source[0].read_text().splitlines()
    lines[0] = "# " + lines[0]
    text = "\n".join(lines).replace("vmail", "Debian-exim")
    text = re.sub(r"(?m)^(\s*)demime\s*=.*$", r"\1condition = true", text)
    # Lookup files of the original machine, needed by `exim -bh` (host lists, local domains).
    # (in a folder the unprivileged Exim user can read: pytest's tmp_path is private to root)
    shared = pathlib.Path(tempfile.mkdtemp(prefix="mailaudit-exim-"))
    shared.chmod(0o755)
    (shared / "locals").write_text("")
    (shared / "locals").chmod(0o644)
    text = text.replace("/apps/conf/mail/locals", str(shared / "locals")).replace(" : net-dbmnz;/etc/mail/popauth.db", "")
    repaired = tmp_path / "C051"
    repaired.write_text(text + "\n")
    try:
        assert check_file(binary, repaired).startswith("agrees")
    finally:
        shutil.rmtree(shared)
    ours = model(repaired, "exim")["setups"][0]["endpoints"]
    assert ours[0]["allowsPlaintextAuth"] is True and ours[0]["auth"] == ["plain", "login"]


def test_exim_debian_template():
    """Debian's own exim4.conf.template, from the unpacked exim4-config package."""
    binary = exim_binary()
    template = ORACLE_ROOT / "exim4-config" / "etc" / "exim4" / "exim4.conf.template"
    if not template.exists():
        pytest.skip("exim4-config not unpacked")
    assert check_file(binary, template) != ""
