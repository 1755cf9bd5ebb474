"""Differential test for the grafana format: `grafana.ini` / `custom.ini` `[smtp]`.

Grafana prints no resolved configuration without starting (and is not packaged in Debian), so the
oracle is Python's `configparser` read with go-ini's rules (goini.py says each difference and why)
and, on top, what Grafana does with the section, written again here from its source:
`setting_smtp.go` (a value left empty keeps `defaults.ini`'s: enabled false, host localhost:25),
`notifications/smtp.go` (`net.SplitHostPort` on `host`, go-mail's `NewDialer`: implicit TLS exactly
on port 465, `startTLS_policy` otherwise) and `skip_verify`. Compared with `mailaudit model` on
every corpus file of kind `grafana`, every Examples/grafana file and the variants below: host,
port, tls, tlsRequired, verifyCertificate, auth and credential.
"""
import pytest

import goini
from conftest import ROOT, at_least, corpus_files, model

FIELDS = ["host", "port", "tls", "tlsRequired", "verifyCertificate", "auth", "credential"]

VARIANTS = {
    "disabled": "[smtp]\nenabled = false\nhost = smtp.example.com:587\n",
    "defaults-only": "[smtp]\nenabled = true\n",
    "empty-host-keeps-default": "[smtp]\nenabled = true\nhost =\nuser =\n",
    "opportunistic": "[smtp]\nenabled = true\nhost = smtp.example.com:587\nuser = a\npassword = p\n",
    "mandatory": "[smtp]\nenabled = true\nhost = smtp.example.com:587\nstartTLS_policy = MandatoryStartTLS\n",
    "no-starttls": "[smtp]\nenabled = true\nhost = smtp.example.com:25\nstartTLS_policy = NoStartTLS\nuser = a\n",
    "implicit-465": "[smtp]\nenabled = true\nhost = smtp.example.com:465\nstartTLS_policy = NoStartTLS\nskip_verify = true\n",
    "policy-case-matters": "[smtp]\nenabled = true\nhost = smtp.example.com:587\nstartTLS_policy = mandatorystarttls\n",
    "key-case-matters": "[smtp]\nenabled = true\nhost = smtp.example.com:587\nstarttls_policy = MandatoryStartTLS\n",
    "no-port": "[smtp]\nenabled = true\nhost = smtp.example.com\n",
    "ipv6": "[smtp]\nenabled = true\nhost = [2001:db8::25]:587\n",
    "triple-quoted-password": "[smtp]\nenabled = true\nhost = smtp.example.com:587\nuser = a\npassword = \"\"\"#p;w\"\"\"\n",
    "env-password": "[smtp]\nenabled = true\nhost = smtp.example.com:465\nuser = a\npassword = $__env{SMTP_PASSWORD}\n",
    "env-host": "[smtp]\nenabled = true\nhost = ${SMTP_HOST}\n",
    "bool-spellings": "[smtp]\nenabled = On\nhost = smtp.example.com:465\nskip_verify = yes\n",
    "inline-comment": "[smtp]\nenabled = true ; on\nhost = smtp.example.com:587 # provider\n",
}


def expect(text):
    """The endpoint Grafana 12 sends through, or None."""
    section = goini.read(text, "smtp")
    if section is None:
        return None
    s = {k: v for k, v in section.items() if v != ""}  # empty: defaults.ini's value stays
    if "enabled" not in s:
        return None
    if s["enabled"] is not None and not goini.go_bool(s["enabled"]):
        return None
    host, port = "localhost", 25
    if "host" in s:
        if s["host"] is None:
            host = port = None
        else:
            hp = goini.split_host_port(s["host"])
            if isinstance(hp, tuple) and hp[1].isdigit() and 1 <= int(hp[1]) <= 65535:
                host, port = hp[0] or None, int(hp[1])
            else:
                host = port = None
    policy = s.get("startTLS_policy", "")
    if port == 465:
        tls = "implicit"
    elif port is None and policy != "NoStartTLS":
        tls = None
    elif "startTLS_policy" in s and policy is None:
        tls = None
    else:
        tls = {"NoStartTLS": "none", "MandatoryStartTLS": "starttls"}.get(policy, "starttls")
    required = None if tls is None else tls == "implicit" or (tls == "starttls" and policy == "MandatoryStartTLS")
    verify = None
    if tls in ("implicit", "starttls"):
        skip = s.get("skip_verify", "false")
        verify = None if skip is None else not goini.go_bool(skip)
    user = s.get("user", "")
    auth = None if user is None else (["password"] if user else [])
    if "password" in s:
        credential = None if s["password"] is None else "inline"
    else:
        credential = "none"
    return {"host": host, "port": port, "tls": tls, "tlsRequired": required, "verifyCertificate": verify,
            "auth": auth, "credential": credential}


def compare(path):
    want = expect(path.read_text(errors="replace"))
    got = [e for s in model(path, "grafana")["setups"] for e in s["endpoints"]]
    if want is None:
        assert got == [], f"{path}: Grafana sends nothing, mailaudit has {got}"
        return
    assert len(got) == 1, f"{path}: {got}"
    for field in FIELDS:
        assert got[0].get(field) == want[field], f"{path}: {field} is {got[0].get(field)!r}, Grafana's reading says {want[field]!r}"


FILES = corpus_files("grafana") + sorted((ROOT / "Examples" / "grafana").rglob("*.ini"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name if "Examples" in str(p) else str(p).split("/grafana/", 1)[-1])
def test_files_against_grafana_reading(path):
    compare(path)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_against_grafana_reading(name, tmp_path):
    path = tmp_path / "grafana.ini"
    path.write_text("[paths]\ndata = /var/lib/grafana\n\n" + VARIANTS[name])
    compare(path)


def test_every_file_was_compared():
    assert len(FILES) >= at_least(11, 2)


# GF_SMTP_* in env files. The env file is read by python-dotenv (the reader the dotenv tests use);
# on top, Grafana's `applyEnvVariableOverrides`: `GF_SMTP_<KEY>` (upper case) replaces one `[smtp]`
# key when it is not empty, `GF_SMTP_PASSWORD__FILE` names a file holding the password, and every key
# the variables leave out is grafana.ini's, which an env file does not show: unknown (None).
ENV_VARIANTS = {
    "host-and-password": "GF_SMTP_ENABLED=true\nGF_SMTP_HOST=smtp.example.com:587\nGF_SMTP_USER=alerts\nGF_SMTP_PASSWORD=s3cret\n",
    "mandatory": "GF_SMTP_ENABLED=true\nGF_SMTP_HOST=smtp.example.com:587\nGF_SMTP_STARTTLS_POLICY=MandatoryStartTLS\nGF_SMTP_SKIP_VERIFY=true\n",
    "implicit-password-file": "GF_SMTP_HOST='smtp.example.com:465'\nGF_SMTP_PASSWORD__FILE=/run/secrets/smtp\n",
    "disabled": "GF_SMTP_ENABLED=false\nGF_SMTP_HOST=smtp.example.com:25\n",
    "empty-overrides-nothing": "GF_SMTP_HOST=\nGF_SECURITY_ADMIN_USER=admin\n",
    "no-port": "GF_SMTP_ENABLED=1\nGF_SMTP_HOST=smtp.example.com\n",
}


def expect_env(text):
    from io import StringIO
    from dotenv import dotenv_values
    env = {k: v for k, v in dotenv_values(stream=StringIO(text)).items() if v}
    keys = {"enabled": "GF_SMTP_ENABLED", "host": "GF_SMTP_HOST", "user": "GF_SMTP_USER", "password": "GF_SMTP_PASSWORD",
            "skip_verify": "GF_SMTP_SKIP_VERIFY", "startTLS_policy": "GF_SMTP_STARTTLS_POLICY"}
    s = {key: env[var] for key, var in keys.items() if var in env}
    if not s and "GF_SMTP_PASSWORD__FILE" not in env:
        return None
    if "enabled" in s and not goini.go_bool(s["enabled"]):
        return None
    host = port = None
    if "host" in s:
        hp = goini.split_host_port(s["host"])
        if isinstance(hp, tuple) and hp[1].isdigit() and 1 <= int(hp[1]) <= 65535:
            host, port = hp[0] or None, int(hp[1])
    policy = s.get("startTLS_policy")
    if port == 465:
        tls = "implicit"
    elif policy is None:
        tls = None
    elif port is None and policy != "NoStartTLS":
        tls = None
    else:
        tls = {"NoStartTLS": "none", "MandatoryStartTLS": "starttls"}.get(policy, "starttls")
    required = None if tls is None else tls == "implicit" or policy == "MandatoryStartTLS"
    verify = None
    if tls in ("implicit", "starttls") and "skip_verify" in s:
        verify = not goini.go_bool(s["skip_verify"])
    auth = None if "user" not in s else ["password"]
    credential = "inline" if "password" in s else "file" if "GF_SMTP_PASSWORD__FILE" in env else None
    return {"host": host, "port": port, "tls": tls, "tlsRequired": required, "verifyCertificate": verify,
            "auth": auth, "credential": credential}


@pytest.mark.parametrize("name", sorted(ENV_VARIANTS))
def test_env_variables_against_grafana_reading(name, tmp_path):
    path = tmp_path / ".env"
    path.write_text(ENV_VARIANTS[name])
    want = expect_env(ENV_VARIANTS[name])
    got = [e for s in model(path, "dotenv")["setups"] for e in s["endpoints"] if e.get("program", "grafana") == "grafana"]
    if want is None:
        assert got == []
        return
    assert len(got) == 1, got
    for field in FIELDS:
        assert got[0].get(field) == want[field], f"{name}: {field} is {got[0].get(field)!r}, Grafana's reading says {want[field]!r}"
