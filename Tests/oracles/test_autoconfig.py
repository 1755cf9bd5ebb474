"""Autoconfig (config-v1.1.xml, ISPDB): no program prints its resolved view (ORACLES.md §14), so an
independent parse with Python's xml.etree is the reference. For every corpus file and every
Examples/autoconfig file: each <incomingServer>/<outgoingServer> of a mail type, in order, with its
host, port and socketType, against `mailaudit model`. Well-formedness errors must agree in position.
"""
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, corpus_files, model

PLACEHOLDER = re.compile(r"^%[^%]+%$")
SOCKET = {"SSL": "implicit", "STARTTLS": "starttls", "plain": "none"}

# Files that must give an MA000, and why (everything else must parse without one).
KNOWN_PROBLEMS = {
    # `<port><993/port>`: not well-formed XML (xml.etree fails at the same place).
    "williamhatcher__autoconfig/.well-known/autoconfig/mail/config-v1.1.xml",
    # `<ssl>true</ssl>` instead of <socketType>: Thunderbird rejects both servers.
    "kian4130__autoconfig/mail/config-v1.1.xml",
    # `<authentication>password</authentication>` is not an autoconfig value: no server is readable.
    "mattrude__mail-autoconfig/mail/config-v1.1.xml",
}
# Not here: removed/v1.1_ya.ru has `<incomingServer type="pop">`, which Thunderbird's readFromXML
# skips, taking the IMAP server of the same file; a skipped server is no parse error when another
# of its direction is readable, and it is no endpoint.


def local(tag):
    return tag.rsplit("}", 1)[-1]


def expected_servers(root):
    """(protocol, direction, host, port, tls) per mail server, as the file says them."""
    out = []
    for provider in root:
        if local(provider.tag) != "emailProvider":
            continue
        for server in provider:
            kind = local(server.tag)
            typ = server.get("type")
            if kind == "incomingServer" and typ in ("imap", "pop3"):
                proto, direction = typ, "incoming"
            elif kind == "outgoingServer" and typ == "smtp":
                proto, direction = "smtp", "outgoing"
            else:
                continue
            fields = {}
            for child in server:
                name = local(child.tag)
                if name not in fields:  # the first of repeated elements (socketType: the first known one)
                    if name != "socketType" or (child.text or "").strip() in SOCKET or PLACEHOLDER.match((child.text or "").strip()):
                        fields[name] = (child.text or "").strip()
            host = fields.get("hostname") or None
            if host and PLACEHOLDER.match(host):
                host = None
            port = fields.get("port")
            port = int(port) if port and port.isdigit() and 1 <= int(port) <= 65535 else None
            tls = SOCKET.get(fields.get("socketType", ""))
            out.append((proto, direction, host, port, tls))
    return out


def ours(result):
    setup = result["setups"][0]
    return [(e["protocol"], e["direction"], e["host"], e["port"], e["tls"]) for e in setup["endpoints"]]


def files():
    examples = sorted((ROOT / "Examples" / "autoconfig").rglob("*.xml"))
    return [pytest.param(p, id=p.name if "Examples" in p.parts else str(p).split("corpus/autoconfig/")[-1]) for p in examples + corpus_files("autoconfig")]


@pytest.mark.parametrize("path", files())
def test_servers_match_an_independent_parse(path):
    result = model(path)
    assert result["setups"], f"{path}: not read as a setup ({result['errors']})"
    assert result["setups"][0]["format"] == "autoconfig", "detected by name or content"
    rel = str(path).split("corpus/autoconfig/")[-1]
    errors = result["errors"]
    if rel in KNOWN_PROBLEMS:
        assert errors, f"{rel} should give an MA000"
    else:
        assert not errors, f"{rel}: unexpected MA000 {errors}"
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        # Both parsers must stop at the same place (xml.etree counts columns from 0).
        line, column = e.position
        assert (errors[0]["line"], errors[0]["column"]) == (line, column + 1), errors[0]
        return
    assert ours(result) == expected_servers(root)


def test_corpus_distribution():
    """The corpus as a whole: every file read, findings as documented in the README's observations."""
    import subprocess
    from conftest import BIN, CORPUS
    if not (CORPUS / "autoconfig").exists():
        pytest.skip("the third-party corpus is not there")
    import json
    out = subprocess.run([BIN, "lint", "--format", "json", str(CORPUS / "autoconfig")], capture_output=True, text=True, timeout=300)
    report = json.loads(out.stdout)
    assert report["summary"]["files"] == len(corpus_files("autoconfig"))
    files_with = lambda rule: {f["path"] for f in report["findings"] if f["ruleId"] == rule}
    # README: "35 [current ISPDB] files list at least one server with socketType plain"; 34 removed ones.
    plain = {p for p in files_with("MA102")}
    assert len([p for p in plain if "/ispdb/" in p]) == 35
    assert len([p for p in plain if "/removed/" in p]) == 34
    # pdx.edu (IMAP on 587), arubapec.it (POP3 on 993), charter.net (SSL on 587) in the current ISPDB.
    mismatched = {p.rsplit("/", 1)[-1] for p in files_with("MA107") if "/ispdb/" in p}
    assert mismatched == {"pdx.edu.xml", "arubapec.it.xml", "charter.net.xml"}
