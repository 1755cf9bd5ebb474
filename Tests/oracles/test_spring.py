"""Differential tests for the spring format (ORACLES.md §13: no Java oracle here).

Spring Boot and JavaMail cannot print their resolved mail settings without connecting, and no JVM
is installed for the tests. The oracle is an independent reading: PyYAML (`python3-yaml`) for
application*.yml (every document, flattened the way Spring's relaxed binding does) and a
java.util.Properties reader written from its specification for application*.properties. The
resolved keys are mapped to host, port, TLS mode, tlsRequired and certificate checking with the
JavaMail rules of FORMATS.md §20, and compared with `mailaudit model` for every corpus spring
file, every Examples/spring file and a set of written cases.
"""
import os
import re

import pytest

from conftest import CORPUS, ROOT, model

try:
    import yaml
except ImportError:  # a skip on a developer's machine, a failure in CI (python3-yaml)
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("PyYAML is not installed", allow_module_level=True)


def spring_files():
    files = sorted(p for p in (CORPUS / "spring").rglob("*") if p.is_file()) if (CORPUS / "spring").exists() else []
    return files + sorted(p for p in (ROOT / "Examples" / "spring").rglob("*") if p.is_file())


def read_properties(text):
    """java.util.Properties.load: continuation lines, `=`/`:`/blank separators, escapes."""
    out = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        while (len(line) - len(line.rstrip("\\"))) % 2 == 1 and i < len(lines):
            line = line[:-1] + lines[i].lstrip(" \t\f")
            i += 1
        m = re.match(r"((?:\\.|[^=:\s\\])*)\s*[=:]?\s*(.*)", line)
        key, value = m.group(1), m.group(2)

        def unescape(s):
            return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", lambda g: chr(int(g.group(1)[1:], 16)) if g.group(1).startswith("u") and len(g.group(1)) == 5
                          else {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(g.group(1), g.group(1)), s)
        out[normalize(unescape(key))] = unescape(value)
    return [(None, out)]


def normalize(key):
    key = key.replace("[", ".").replace("]", "")
    while ".." in key:
        key = key.replace("..", ".")
    return key


def flatten(node, prefix, out):
    if isinstance(node, dict):
        for k, v in node.items():
            k = str(k)
            if k.startswith("[") and k.endswith("]"):
                k = k[1:-1]
            flatten(v, normalize(f"{prefix}.{k}" if prefix else k), out)
    elif isinstance(node, list):
        for n, item in enumerate(node):
            flatten(item, f"{prefix}[{n}]", out)
        if prefix.endswith("on-profile") or prefix == "spring.profiles":
            out[prefix] = ",".join(map(str, node))
    elif prefix:
        out[prefix] = None if node is None else ("true" if node is True else "false" if node is False else str(node))


def read_yaml(text):
    docs = []
    for doc in yaml.safe_load_all(text):
        flat = {}
        flatten(doc or {}, "", flat)
        docs.append((flat.get("spring.config.activate.on-profile") or flat.get("spring.profiles"), flat))
    return docs


def expect(values):
    """The endpoint JavaMail connects to (FORMATS.md §20)."""
    host = values.get("spring.mail.host")
    if "spring.mail.host" not in values:
        return None
    proto = (values.get("spring.mail.protocol") or "smtp").lower()
    p = f"spring.mail.properties.mail.{proto}."

    def flag(k):
        return (values.get(k) or "").strip().lower() == "true"
    implicit = proto == "smtps" or flag(p + "ssl.enable") or flag("spring.mail.ssl.enabled") or "SSLSocketFactory" in (values.get(p + "socketFactory.class") or "")
    if implicit:
        tls, required = "implicit", True
    elif flag(p + "starttls.enable"):
        tls, required = "starttls", flag(p + "starttls.required")
    else:
        tls, required = "none", False
    port = values.get("spring.mail.port") or values.get(p + "port")
    port = int(port) if port else (465 if proto == "smtps" else 25)
    verify = None
    if tls != "none":
        trust = re.split(r"[ ,]+", values.get(p + "ssl.trust") or "")
        verify = not ("*" in trust or host in trust or (values.get(p + "ssl.checkserveridentity") or "").lower() == "false")
    return dict(host=host or None, port=port, tls=tls, tlsRequired=required, verifyCertificate=verify)


def expected_endpoints(path):
    text = path.read_text()
    docs = read_properties(text) if path.suffix == ".properties" else read_yaml(text)
    base = {}
    profiles = []
    for profile, values in docs:
        if profile:
            profiles.append(values)
        else:
            base.update(values)
    out = [e for e in [expect(base)] if e]
    for values in profiles:
        if any(k.startswith("spring.mail.") for k in values):
            e = expect({**base, **values})
            if e:
                out.append(e)
    return out


FILES = spring_files()
FIELDS = ["host", "port", "tls", "tlsRequired", "verifyCertificate"]


def compare(path):
    want = expected_endpoints(path)
    ours = model(path, "spring")
    assert not ours["errors"], ours["errors"]
    got = [e for s in ours["setups"] for e in s["endpoints"]]
    assert len(got) == len(want), f"model has {len(got)} endpoints, the independent reading {len(want)}"
    for g, w in zip(got, want):
        for field in FIELDS:
            assert g[field] == w[field], f"{path.name}: {field} is {g[field]!r}, expected {w[field]!r}"
    return len(want) * len(FIELDS)


@pytest.mark.parametrize("path", FILES, ids=[p.name if not str(p).startswith(str(CORPUS)) else str(p.relative_to(CORPUS)) for p in FILES])
def test_files(path):
    print(f"{path.name}: {compare(path)} fields compared")


CASES = {
    "plain.properties": "spring.mail.host=smtp.example.com\nspring.mail.username=u\nspring.mail.password=p\n",
    "starttls.properties": "spring.mail.host=h\nspring.mail.port=587\nspring.mail.properties.mail.smtp.starttls.enable=true\n",
    "required.properties": "spring.mail.host=h\nspring.mail.port=587\nspring.mail.properties.mail.smtp.starttls.enable=true\nspring.mail.properties.mail.smtp.starttls.required=true\n",
    "smtps.properties": "spring.mail.host=h\nspring.mail.protocol=smtps\n",
    "trust.properties": "spring.mail.host=h\nspring.mail.properties.mail.smtp.ssl.enable=true\nspring.mail.properties.mail.smtp.ssl.trust=h\n",
    "continued.properties": "spring.mail.host=h\\\n    ost.example.com\nspring.mail.port : 2525\nspring.mail.properties[mail.smtp.starttls.enable] true\n",
    "bracket.yml": "spring:\n  mail:\n    host: h\n    properties:\n      \"[mail.smtp.ssl.enable]\": true\n      mail.smtp.ssl.checkserveridentity: false\n",
    "profiles.yml": "spring:\n  mail:\n    host: a\n    port: 587\n---\nspring:\n  config:\n    activate:\n      on-profile: [prod, eu]\n  mail:\n    properties:\n      mail.smtp.starttls.enable: true\n",
    "legacy-profiles.yml": "spring:\n  mail:\n    host: a\n---\nspring:\n  profiles: test\n  mail:\n    host: b\n    port: 2525\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cases(name, tmp_path):
    path = tmp_path / name.split(".")[0] / ("application." + name.split(".")[1])
    path.parent.mkdir()
    path.write_text(CASES[name])
    compare(path)
