"""Autodiscover (POX): no program prints its resolved view (ORACLES.md §14); an independent parse
with xml.etree is the reference. Every corpus file and Examples/autodiscover file: each <Protocol>
of type IMAP/POP3/SMTP in order, with Server, Port and the TLS mode that <Encryption> (else <SSL>,
on by default) gives, against `mailaudit model`. JSON Autodiscover files must give a precise MA000.
"""
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, corpus_files, model

PLACEHOLDER = re.compile(r"^%[^%]+%$")
TYPES = {"IMAP": ("imap", "incoming"), "POP3": ("pop3", "incoming"), "SMTP": ("smtp", "outgoing")}
IMPLICIT_PORTS = {465, 993, 995}

# Files that must give an MA000, and why.
# Not here: michal-hanus's <SSL>SSL</SSL> and <SSL>TLS</SSL>. SSL takes on/off, but clients read the
# response (Thunderbird takes anything but off as on): no MA000, the TLS mode stays unknown.
KNOWN_PROBLEMS = {
    # JSON: an Autodiscover v2 redirect to the POX URL, and a hosting panel's own JSON.
    "InfoKeyVault__autoconfig.ikv.tw/autodiscover/autodiscover.json",
    "jult__hestiacp-autoconfig-email-discovery/autodiscover/autodiscover.json",
}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def text(el, name):
    for child in el:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return None


def expected(root):
    out = []
    for el in root.iter():
        if local(el.tag) != "Protocol":
            continue
        typ = text(el, "Type") or el.get("Type") or ""
        if typ.upper() not in TYPES:
            continue
        proto, direction = TYPES[typ.upper()]
        host = text(el, "Server") or None
        if host and PLACEHOLDER.match(host):
            host = None
        port = text(el, "Port")
        port = int(port) if port and port.isdigit() else None
        enc, ssl = text(el, "Encryption"), text(el, "SSL")
        if enc is not None and not PLACEHOLDER.match(enc):
            tls = {"none": "none", "ssl": "implicit", "tls": "starttls"}.get(enc.lower())
        elif enc is not None:
            tls = None
        elif ssl is not None and ssl.lower() == "off":
            tls = "none"
        elif ssl is None or ssl.lower() == "on":
            tls = None if port is None else ("implicit" if port in IMPLICIT_PORTS else "starttls")
        else:
            tls = None  # not on/off (or a template value): unknown
        out.append((proto, direction, host, port, tls))
    return out


def files():
    examples = sorted((ROOT / "Examples" / "autodiscover").rglob("*.xml"))
    return [pytest.param(p, id=str(p).split("/Examples/")[-1].split("corpus/autodiscover/")[-1]) for p in examples + corpus_files("autodiscover")]


@pytest.mark.parametrize("path", files())
def test_protocols_match_an_independent_parse(path):
    result = model(path)
    rel = str(path).split("corpus/autodiscover/")[-1]
    assert result["setups"] and result["setups"][0]["format"] == "autodiscover"
    if rel in KNOWN_PROBLEMS:
        assert result["errors"], f"{rel} should give an MA000"
    else:
        assert not result["errors"], f"{rel}: unexpected MA000 {result['errors']}"
    if path.suffix == ".json":
        assert "JSON" in result["errors"][0]["message"]
        assert not result["setups"][0]["endpoints"]
        return
    root = ET.parse(path).getroot()
    got = [(e["protocol"], e["direction"], e["host"], e["port"], e["tls"]) for e in result["setups"][0]["endpoints"]]
    assert got == expected(root)
