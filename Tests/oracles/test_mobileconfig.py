"""Apple configuration profiles: no program prints a resolved view on Linux (ORACLES.md §14: plutil
is macOS only), so Python's plistlib is the reference. For every com.apple.mail.managed payload of
every corpus profile and Examples/mobileconfig file: account type, host names, explicit ports and
IncomingMailServerUseSSL/OutgoingMailServerUseSSL (false when absent) against `mailaudit model`.
"""
import plistlib

import pytest

from conftest import ROOT, corpus_files, model

IMPLICIT_PORTS = {465, 993, 995}


def expected(profile):
    payloads = [profile] if profile.get("PayloadType") == "com.apple.mail.managed" else profile.get("PayloadContent", [])
    out = []
    for p in payloads:
        if p.get("PayloadType") != "com.apple.mail.managed":
            continue
        kind = {"EmailTypeIMAP": "imap", "EmailTypePOP": "pop3"}.get(p.get("EmailAccountType"))
        for prefix, proto, direction in (("Incoming", kind, "incoming"), ("Outgoing", "smtp", "outgoing")):
            if proto is None:
                continue
            port = p.get(f"{prefix}MailServerPortNumber")
            ssl = bool(p.get(f"{prefix}MailServerUseSSL", False))
            out.append((proto, direction, p.get(f"{prefix}MailServerHostName") or None, port, ssl))
    return out


def ours(result):
    out = []
    for e in result["setups"][0]["endpoints"]:
        port = None if e["portIsDefault"] else e["port"]
        out.append((e["protocol"], e["direction"], e["host"], port, e["tls"] != "none"))
    return out


def files():
    examples = sorted((ROOT / "Examples" / "mobileconfig").glob("*.mobileconfig"))
    return [pytest.param(p, id=p.name) for p in examples + corpus_files("mobileconfig")]


@pytest.mark.parametrize("path", files())
def test_payloads_match_plistlib(path):
    result = model(path)
    assert result["setups"] and result["setups"][0]["format"] == "mobileconfig", "by name or content (ios-profile.xml)"
    assert not result["errors"], result["errors"]
    with open(path, "rb") as f:
        profile = plistlib.load(f)
    assert ours(result) == expected(profile)
    # With SSL on, the mode follows the port: implicit on 465/993/995, STARTTLS elsewhere.
    for e in result["setups"][0]["endpoints"]:
        if e["tls"] != "none" and e["port"] is not None:
            assert e["tls"] == ("implicit" if e["port"] in IMPLICIT_PORTS else "starttls")
