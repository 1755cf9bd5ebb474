"""Differential test: our model of Postfix main.cf + master.cf against postconf's resolved view.

postconf prints what Postfix itself reads: `-M` the master.cf services (continuations folded),
`-P -x` every `-o` override with `$name` expanded, `-x NAME…` the expanded main.cf value or the
compiled-in default. From those we derive, with mailaudit's mapping, what each smtpd listener
and the smtp delivery client must look like, and compare field by field with `mailaudit model`.

Each setup is copied into a private directory as main.cf + master.cf (the layout postconf needs);
a missing master.cf is Postfix's stock one (/usr/share/postfix/master.cf.dist), as our parser
assumes, and a missing main.cf is empty. postconf needs a loopback interface: it runs in a private
network namespace with `lo` up (ORACLES.md §0).
"""
import functools
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import CORPUS, ROOT, assuming, corpus_files, model, require_program

EXAMPLES = ROOT / "Examples" / "postfix"
STOCK_MASTER = pathlib.Path("/usr/share/postfix/master.cf.dist")
SERVICE_PORTS = {"smtp": 25, "submission": 587, "submissions": 465, "smtps": 465}
TEMPLATE = re.compile(r"\{\{|\{%|\{#|%\{|\bPH_[A-Z0-9_]+|%[a-z_]+")

# Known, explained differences: {(label, field): why}. Nothing else may differ. Empty today: the one
# kind of disagreement we have (a `$macro` that no file defines: postconf expands it to "" with a
# warning, we say unknowable) does not occur in the fixtures or the corpus. Templates are handled
# below: postconf reads them with the Jinja tag lines dropped and our unknowable values are skipped.
KNOWN = {}


def postconf(directory, *args):
    """Runs postconf on a private config directory, without network (lo only)."""
    exe = require_program("postconf")
    command = " ".join([exe, "-c", str(directory), *args])
    prefix = ["unshare", "-n", "sh", "-c", f"ip link set lo up 2>/dev/null; {command}"] if shutil.which("unshare") and os.geteuid() == 0 else ["sh", "-c", command]
    return subprocess.run(prefix, capture_output=True, text=True, timeout=60)


def pairs():
    """(label, path we lint, main.cf text or None, master.cf text or None) for every fixture and corpus file."""
    out = []
    for setup in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        out.append((f"Examples/postfix/{setup.name}", setup / "main.cf", (setup / "main.cf").read_text(), (setup / "master.cf").read_text()))
    for f in corpus_files("postfix"):
        name = f.name
        text = f.read_text(errors="replace")
        if name.startswith("main.cf"):
            sibling = f.with_name("master.cf" + name[len("main.cf"):])
            out.append((str(f.relative_to(CORPUS)), f, text, sibling.read_text() if sibling.exists() else None))
        elif name.startswith("master.cf"):
            sibling = f.with_name("main.cf" + name[len("master.cf"):])
            out.append((str(f.relative_to(CORPUS)), f, sibling.read_text() if sibling.exists() else None, text))
        else:  # postfix-amavis.cf: a master.cf fragment, recognised by content
            out.append((str(f.relative_to(CORPUS)), f, None, text))
    return out


def render_for_oracle(text):
    """A template as postconf can read it: Jinja tag lines dropped, `%{x}` line switches on,
    placeholders in master.cf's numeric columns replaced by `-`. Values keep their placeholders
    (postconf stores them as text; our model calls them unknowable and the comparison skips them)."""
    if text is None:
        return None
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"\{%.*%\}|\{#.*#\}|\{\{-?\s*\"\\n\"\s*\}\}", stripped):
            continue
        line = re.sub(r"^%\{[A-Za-z0-9_]+\}", "", line)
        fields = line.split()
        if len(fields) >= 8 and not line[:1].isspace() and fields[1] in ("inet", "unix", "fifo", "pass", "unix-dgram"):
            fields[2:7] = ["-" if TEMPLATE.search(f) else f for f in fields[2:7]]
            line = " ".join(fields)
        out.append(line)
    return "\n".join(out) + "\n"


def values(text):
    """`name = value` lines of postconf output."""
    result = {}
    for line in text.splitlines():
        if " = " in line or line.endswith(" ="):
            name, _, value = line.partition(" =")
            result[name.strip()] = value.strip()
    return result


def min_version(text):
    """The same reading of a Postfix protocol list as the parser: SSLv2/3 count only when named."""
    order = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]
    names = {"sslv3": "ssl3", "tlsv1": "tls1.0", "tlsv1.1": "tls1.1", "tlsv1.2": "tls1.2", "tlsv1.3": "tls1.3", "sslv2": None}
    allowed = order[1:] if not re.search(r"(^|[\s,:=])SSLv3", text) else list(order)
    included = set()
    for token in re.split(r"[\s,:]+", text.strip()):
        if not token:
            continue
        for prefix, keep in ((">=", lambda v, x: order.index(v) >= order.index(x)), ("<=", lambda v, x: order.index(v) <= order.index(x))):
            if token.startswith(prefix):
                x = names.get(token[2:].lower())
                allowed = [v for v in allowed if x is None or keep(v, x)]
                break
        else:
            if token.startswith("!"):
                x = names.get(token[1:].lower())
                allowed = [v for v in allowed if v != x]
            else:
                x = names.get(token.lower())
                if x:
                    included.add(x)
    if included:
        allowed = [v for v in allowed if v in included]
    return allowed[0] if allowed else None


def refuses_unauthenticated(value):
    items = [i for i in re.split(r"[\s,]+", value.lower()) if i]
    harmless = {"permit_sasl_authenticated", "permit_mynetworks", "permit_tls_clientcerts", "permit_tls_all_clientcerts", "reject", "warn_if_reject"}
    return bool(items) and items[-1] == "reject" and all(i in harmless or i.startswith(("reject_", "defer_")) for i in items[:-1])


PARAMS = ["smtpd_tls_security_level", "smtpd_use_tls", "smtpd_enforce_tls", "smtpd_tls_wrappermode", "smtpd_tls_auth_only",
          "smtpd_sasl_auth_enable", "smtpd_tls_protocols", "smtpd_tls_mandatory_protocols", "disable_vrfy_command",
          "smtpd_client_restrictions", "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions",
          "smtp_tls_security_level", "smtp_use_tls", "smtp_enforce_tls", "smtp_tls_wrappermode", "smtp_tls_protocols",
          "smtp_tls_mandatory_protocols", "smtp_tls_policy_maps", "smtp_sasl_auth_enable", "relayhost", "smtpd_banner"]


def expected(directory):
    """What postconf says each endpoint is, as model fields (None where the oracle cannot run)."""
    services = postconf(directory, "-M")
    if services.returncode != 0:
        return None, services.stderr
    overrides = {}
    for line in postconf(directory, "-P", "-x").stdout.splitlines():
        key, _, value = line.partition(" = ")
        service, kind, param = key.rsplit("/", 2)
        overrides[(service, kind, param.strip())] = value.strip() if " = " in line else ""
    main = values(postconf(directory, "-x", *PARAMS).stdout)
    raw_banner = values(postconf(directory, "smtpd_banner").stdout).get("smtpd_banner", "")
    lines = [l.split() for l in services.stdout.splitlines() if l.strip()]
    pass_service = next((l for l in lines if l[1] == "pass" and l[7] == "smtpd"), None)
    endpoints = []

    def effective(service, kind, name):
        return overrides.get((service, kind, name), main.get(name, ""))

    for fields in lines:
        name, kind, command = fields[0], fields[1], fields[7]
        if kind == "inet" and command in ("smtpd", "postscreen"):
            src = (pass_service[0], "pass") if command == "postscreen" and pass_service else (name, kind)
            eff = lambda p: effective(src[0], src[1], p)
            host, _, port_text = name.rpartition(":")
            port = int(port_text) if port_text.isdigit() else SERVICE_PORTS.get(port_text)
            wrap = eff("smtpd_tls_wrappermode") == "yes"
            level = eff("smtpd_tls_security_level") or ("encrypt" if eff("smtpd_enforce_tls") == "yes" else "may" if eff("smtpd_use_tls") == "yes" else "none")
            tls = "implicit" if wrap else {"none": "none", "may": "starttls", "encrypt": "starttls"}.get(level)
            sasl = eff("smtpd_sasl_auth_enable") == "yes"
            required = any(refuses_unauthenticated(eff(p)) for p in ("smtpd_client_restrictions", "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions"))
            tls_required = wrap or level == "encrypt" or (tls == "starttls" and sasl and required and eff("smtpd_tls_auth_only") == "yes")
            enforced = wrap or level == "encrypt"
            banner = overrides.get((src[0], src[1], "smtpd_banner"), raw_banner)
            endpoints.append({
                "role": "server", "account": name, "port": port, "host": host.strip("[]") or None, "tls": tls, "tlsRequired": tls_required,
                "auth": ["password"] if sasl else [], "authRequired": required,
                "allowsVRFY": eff("disable_vrfy_command") != "yes",
                "minTLSVersion": None if tls == "none" else min_version(eff("smtpd_tls_mandatory_protocols" if enforced else "smtpd_tls_protocols")),
                "_banner_expanded": eff("smtpd_banner"), "_banner_raw": banner,
            })
    smtp_client = next((l for l in lines if l[0] == "smtp" and l[1] == "unix" and l[7] == "smtp"), None)
    if smtp_client:
        eff = lambda p: effective("smtp", "unix", p)
        relay = eff("relayhost").split(",")[0].strip()
        host, port = None, 25
        if relay:
            m = re.match(r"^\[([^\]]+)\](?::(\S+))?$|^([^:]+)(?::(\S+))?$", relay)
            host = m.group(1) or m.group(3)
            port_text = m.group(2) or m.group(4)
            if port_text:
                port = int(port_text) if port_text.isdigit() else SERVICE_PORTS.get(port_text)
        level = eff("smtp_tls_security_level") or ("encrypt" if eff("smtp_enforce_tls") == "yes" else "may" if eff("smtp_use_tls") == "yes" else "none")
        wrap = eff("smtp_tls_wrappermode") == "yes"
        mandatory = level not in ("none", "may", "dane")
        tls = "none" if level == "none" else ("implicit" if wrap else "starttls")
        endpoints.append({
            "role": "client", "account": "smtp", "host": host, "port": port, "tls": tls, "tlsRequired": mandatory,
            "auth": ["password"] if eff("smtp_sasl_auth_enable") == "yes" else [],
            "minTLSVersion": None if tls == "none" else min_version(eff("smtp_tls_mandatory_protocols" if mandatory else "smtp_tls_protocols")),
            "selectiveTLS": level == "none" and bool(eff("smtp_tls_policy_maps").strip()),
        })
    return endpoints, services.stderr


def expand_banner(ours, directory):
    """Our banner keeps `$name` of parameters the files do not set; expand those the way postconf does."""
    names = re.findall(r"\$\{?([a-z_]+)\}?", ours)
    vals = values(postconf(directory, "-x", *names).stdout) if names else {}
    return re.sub(r"\$\{?([a-z_]+)\}?", lambda m: vals.get(m.group(1), ""), ours)


FIELDS = ["port", "host", "tls", "tlsRequired", "auth", "authRequired", "allowsVRFY", "minTLSVersion", "selectiveTLS"]


PAIRS = pairs()


def unplaceable(want, template):
    """`PH_ADDRESS:PH_PORT`: where the listener will be is unknown until the template is rendered; not modelled."""
    return template and want["role"] == "server" and want["port"] is None and bool(TEMPLATE.search(want["account"]))


@functools.cache
def postfix_version():
    """The installed Postfix release (`mail_version`): what the model is pinned to for the comparison."""
    out = subprocess.run([require_program("postconf"), "-d", "mail_version"], capture_output=True, text=True, timeout=60)
    return values(out.stdout)["mail_version"]


@pytest.mark.parametrize("label,path,main_text,master_text", PAIRS, ids=[p[0] for p in PAIRS])
def test_model_matches_postconf(label, path, main_text, master_text, tmp_path):
    require_program("postconf")
    ours = model(path, extra=assuming(tmp_path, "postfix", postfix_version()))
    setups = [s for s in ours["setups"] if s["format"] == "postfix"]
    assert len(setups) == 1, f"{label}: expected one postfix setup, got {ours}"
    our_endpoints = setups[0]["endpoints"]
    with tempfile.TemporaryDirectory() as tmp:
        directory = pathlib.Path(tmp)
        (directory / "main.cf").write_text(render_for_oracle(main_text) or "")
        (directory / "master.cf").write_text(render_for_oracle(master_text) if master_text is not None else STOCK_MASTER.read_text())
        oracle, stderr = expected(directory)
        if oracle is None:
            # postconf refuses the file. Only templates may do that: we must read them without crashing
            # and with unknowns, and a real syntax error must be an MA000 of ours.
            assert TEMPLATE.search((main_text or "") + (master_text or "")) or ours["errors"], f"{label}: postconf failed ({stderr.strip()}) but we report nothing"
            return
        template = bool(TEMPLATE.search((main_text or "") + (master_text or "")))
        compared = skipped = 0
        for want in oracle:
            got = next((e for e in our_endpoints if e["role"] == want["role"] and e["account"] == want["account"]), None)
            if got is None and unplaceable(want, template):
                skipped += 1
                continue
            assert got is not None, f"{label}: postconf has {want['role']} {want['account']}, we do not ({[e['account'] for e in our_endpoints]})"
            for field in FIELDS:
                if field not in want:
                    continue
                if got[field] is None and (template or (label, field) in KNOWN):
                    skipped += 1
                    continue  # a template placeholder or a macro from a file we do not have: unknowable, not a guess
                if (label, field) in KNOWN and got[field] != want[field]:
                    continue
                assert got[field] == want[field], f"{label}: {want['role']} {want['account']} {field}: we say {got[field]!r}, postconf says {want[field]!r}"
                compared += 1
            if want["role"] == "server" and got["banner"] is not None:
                assert expand_banner(got["banner"], directory) == want["_banner_expanded"], f"{label}: {want['account']} banner"
                compared += 1
        servers = [e for e in our_endpoints if e["role"] == "server"]
        assert len(servers) == len([w for w in oracle if w["role"] == "server" and not unplaceable(w, template)]), f"{label}: listener count differs"
        assert compared > 0 or not oracle
        print(f"postconf agreement {label}: {len(oracle)} endpoints, {compared} values equal, {skipped} unknowable (template/undefined macro)")


def test_directory_is_one_setup(tmp_path):
    """A directory with main.cf + master.cf is one setup (master.cf is read with main.cf, not alone)."""
    shutil.copy(EXAMPLES / "insecure" / "main.cf", tmp_path / "main.cf")
    shutil.copy(EXAMPLES / "insecure" / "master.cf", tmp_path / "master.cf")
    ours = model(tmp_path)
    assert [s["format"] for s in ours["setups"]] == ["postfix"]
    assert ours["setups"][0]["includedFiles"][0].endswith("master.cf")
