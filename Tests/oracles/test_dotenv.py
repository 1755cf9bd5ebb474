"""Differential tests for the dotenv format (ORACLES.md §13).

Three real programs read env files and mail DSNs:
- python-dotenv (PyPI `python-dotenv`, Debian `python3-dotenv`) prints the resolved variables;
- vlucas/phpdotenv (Debian `php-vlucas-phpdotenv`), the loader Laravel uses, and symfony/dotenv
  (`php-symfony-dotenv`), the one Symfony uses;
- symfony/mailer's `EsmtpTransportFactory` (`php-symfony-mailer`, 5.4) turns a DSN, or the DSN
  Laravel ≥ 9 builds from MAIL_* (scheme, host, port), into host, port, implicit TLS and verify_peer.

For every env file of the corpus kinds laravel, symfony, django, docker-mailserver and mailu and
every Examples/dotenv file, the variables the loaders resolve are mapped to endpoints here, in
Python, independently of the Swift parser, and compared with `mailaudit model`: host, port, TLS
mode, tlsRequired (and verifyCertificate where the DSN says it). The mapping rules are the
documented behaviour of each application (FORMATS.md §17-§21); the loaders and Symfony's factory
are the oracles for the parts they implement.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT, model, require_program

ENV_KINDS = ["laravel", "symfony", "django", "docker-mailserver", "mailu"]
PHP_DOTENV = "/usr/share/php/Dotenv/autoload.php"
PHP_SYMFONY_DOTENV = "/usr/share/php/Symfony/Component/Dotenv/autoload.php"
PHP_MAILER = "/usr/share/php/Symfony/Component/Mailer/autoload.php"

PHPDOTENV_SCRIPT = r"""<?php
require '%s';
try {
  $vars = Dotenv\Dotenv::createArrayBacked(dirname($argv[1]), basename($argv[1]))->load();
  echo json_encode($vars);
} catch (Exception $e) { echo json_encode(['__error__' => $e->getMessage()]); }
""" % PHP_DOTENV

SYMFONY_DOTENV_SCRIPT = r"""<?php
require '%s';
try {
  echo json_encode((new Symfony\Component\Dotenv\Dotenv())->parse(file_get_contents($argv[1]), $argv[1]));
} catch (Exception $e) { echo json_encode(['__error__' => $e->getMessage()]); }
""" % PHP_SYMFONY_DOTENV

# argv: a DSN string, or "-" scheme host port (the Dsn Laravel's MailManager builds).
MAILER_SCRIPT = r"""<?php
require '%s';
use Symfony\Component\Mailer\Transport\Dsn;
use Symfony\Component\Mailer\Transport\Smtp\EsmtpTransportFactory;
$dsn = $argv[1] === '-' ? new Dsn($argv[2], $argv[3], null, null, $argv[4] === '' ? null : (int)$argv[4]) : Dsn::fromString($argv[1]);
$t = (new EsmtpTransportFactory())->create($dsn); $s = $t->getStream(); $o = $s->getStreamOptions();
echo json_encode(['host' => $s->getHost(), 'port' => $s->getPort(), 'implicit' => $s->isTLS(),
                  'verify_peer' => $o['ssl']['verify_peer'] ?? true]);
""" % PHP_MAILER


# ---------------------------------------------------------------------------------------------
# The programs


def python_dotenv(path):
    """python-dotenv's view: in this interpreter, or Debian's python3 with python3-dotenv."""
    try:
        from dotenv import dotenv_values  # noqa: PLC0415
        return dict(dotenv_values(path, interpolate=True))
    except ImportError:
        pass
    code = "import json,sys; from dotenv import dotenv_values; print(json.dumps(dict(dotenv_values(sys.argv[1]))))"
    out = subprocess.run(["/usr/bin/python3", "-c", code, str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("python-dotenv is not installed (scripts/apt-packages.txt: python3-dotenv)")
        pytest.skip("python-dotenv is not installed")
    return json.loads(out.stdout)


def undefined_reference(path, key):
    import re  # noqa: PLC0415
    raw = {}
    for line in pathlib.Path(path).read_text().splitlines():
        m = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)", line)
        if m:
            raw.setdefault(m.group(1), m.group(2))
    refs = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_.]*)", raw.get(key, ""))
    return any(r not in raw for r in refs)


@pytest.fixture(scope="module")
def php(tmp_path_factory):
    """Runs one of the PHP oracle scripts; skips (fails in CI) without PHP and the Debian packages."""
    binary = require_program("php")
    for lib in (PHP_DOTENV, PHP_SYMFONY_DOTENV, PHP_MAILER):
        if not os.path.exists(lib):
            if os.environ.get("CI") == "true":
                pytest.fail(f"{lib} is missing (scripts/apt-packages.txt)")
            pytest.skip(f"{lib} is missing")
    base = tmp_path_factory.mktemp("php")
    scripts = {}
    for name, text in (("phpdotenv", PHPDOTENV_SCRIPT), ("symfony-dotenv", SYMFONY_DOTENV_SCRIPT), ("mailer", MAILER_SCRIPT)):
        p = base / f"{name}.php"
        p.write_text(text)
        scripts[name] = str(p)

    def run(name, *args):
        out = subprocess.run([binary, scripts[name], *map(str, args)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, f"{name} failed: {out.stderr}"
        return json.loads(out.stdout)
    return run


def env_files():
    files = []
    for kind in ENV_KINDS:
        base = CORPUS / kind
        for p in sorted(base.rglob("*")) if base.exists() else []:
            name = p.name.lower()
            if p.is_file() and (name == ".env" or name.startswith(".env.") or name.endswith(".env")):
                files.append(p)
    files += sorted(p for p in (ROOT / "Examples" / "dotenv").rglob("*") if p.is_file())
    return files


def ids(paths):
    return [str(p.relative_to(CORPUS) if str(p).startswith(str(CORPUS)) else p.relative_to(ROOT)) for p in paths]


FILES = env_files()  # the Examples at least: never empty


# ---------------------------------------------------------------------------------------------
# The documented mapping, written again in Python from the resolved variables


def laravel_value(v):
    """Laravel's env(): null/(null) → None, empty/(empty) → ""."""
    if v is None:
        return None
    if v.lower() in ("null", "(null)"):
        return None
    if v.lower() in ("empty", "(empty)"):
        return ""
    return v


def expect_laravel(values, php):
    keys = ["MAIL_MAILER", "MAIL_DRIVER", "MAIL_HOST", "MAIL_PORT", "MAIL_ENCRYPTION", "MAIL_SCHEME", "MAIL_URL", "MAIL_USERNAME", "MAIL_PASSWORD"]
    if not any(k in values for k in keys):
        return []
    swift = "MAIL_MAILER" not in values and "MAIL_DRIVER" in values
    mailer = (laravel_value(values.get("MAIL_MAILER", values.get("MAIL_DRIVER"))) or "smtp").lower()
    if mailer not in ("smtp", "failover", "roundrobin"):
        return []
    if laravel_value(values.get("MAIL_URL")):
        return expect_dsn(values["MAIL_URL"], php)
    scheme = (laravel_value(values.get("MAIL_SCHEME")) or "").lower()
    host = laravel_value(values.get("MAIL_HOST"))
    if host is None and "MAIL_HOST" not in values:
        host = "127.0.0.1" if "MAIL_SCHEME" in values else "smtp.mailgun.org"
    port = int(values["MAIL_PORT"]) if laravel_value(values.get("MAIL_PORT")) else (2525 if "MAIL_SCHEME" in values else 587)
    enc = (laravel_value(values.get("MAIL_ENCRYPTION")) or "").lower()
    if swift:
        tls = {"tls": "starttls", "ssl": "implicit"}.get(enc, "none")
        return [dict(host=host or None, port=port, tls=tls, tlsRequired=tls != "none")]
    # Laravel ≥ 9 MailManager: the scheme it passes to Symfony's factory.
    if not scheme:
        scheme = ("smtps" if port == 465 else "smtp") if enc == "tls" else ""
    t = php("mailer", "-", scheme, host or "", port)
    return [dict(host=host or None, port=t["port"], tls="implicit" if t["implicit"] else "starttls", tlsRequired=bool(t["implicit"]))]


def expect_dsn(text, php):
    """Symfony Mailer DSNs through EsmtpTransportFactory (5.4; see KNOWN for newer options)."""
    text = text.strip()
    if not text:
        return []
    parts = [text]
    for wrapper in ("failover(", "roundrobin("):
        if text.lower().startswith(wrapper) and text.endswith(")"):
            parts = text[len(wrapper):-1].split()
    out = []
    for dsn in parts:
        scheme = dsn.split("://", 1)[0].lower()
        if scheme not in ("smtp", "smtps"):
            continue  # null://, sendmail://, provider transports: not compared
        t = php("mailer", dsn)
        implicit = bool(t["implicit"])
        out.append(dict(host=t["host"], port=t["port"], tls="implicit" if implicit else "starttls", tlsRequired=implicit,
                        verifyCertificate=bool(t["verify_peer"])))
    return out


def expect_swiftmailer_url(text):
    """SwiftmailerBundle: encryption from the query; port 465 for ssl, else 25."""
    from urllib.parse import urlsplit, parse_qs  # noqa: PLC0415
    if not text or "://" not in text:
        return []
    u = urlsplit(text.strip())
    if u.scheme not in ("smtp", "gmail"):
        return []
    enc = "ssl" if u.scheme == "gmail" else (parse_qs(u.query).get("encryption", [""])[0] or "")
    tls = {"tls": "starttls", "ssl": "implicit"}.get(enc, "none")
    host = "smtp.gmail.com" if u.scheme == "gmail" else u.hostname
    return [dict(host=host, port=u.port or (465 if enc == "ssl" else 25), tls=tls, tlsRequired=tls != "none")]


def truthy(v):
    return (v or "").strip().lower() in ("true", "1", "yes", "on", "y", "t")


def expect_django(values):
    names = ["EMAIL_HOST", "EMAIL_SERVER", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_HOST_USER",
             "EMAIL_USERNAME", "EMAIL_HOST_PASSWORD", "EMAIL_PASSWORD", "EMAIL_URL"]
    if not any(k in values for k in names):
        return []
    host = values.get("EMAIL_HOST", values.get("EMAIL_SERVER", "localhost"))
    port = int(values["EMAIL_PORT"]) if values.get("EMAIL_PORT") else 25
    tls, ssl = truthy(values.get("EMAIL_USE_TLS")), truthy(values.get("EMAIL_USE_SSL"))
    if tls and ssl:
        mode = None
    else:
        mode = "implicit" if ssl else "starttls" if tls else "none"
    return [dict(host=host or None, port=port, tls=mode, tlsRequired=None if mode is None else mode != "none")]


DMS_PORTS = {"smtp": 25, "submission": 587, "submissions": 465, "imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995, "managesieve": 4190}


def expect_dms(values, name):
    dms_keys = ["SSL_TYPE", "ENABLE_POP3", "ENABLE_IMAP", "ENABLE_MANAGESIEVE", "SMTP_ONLY", "PERMIT_DOCKER", "POSTMASTER_ADDRESS",
                "OVERRIDE_HOSTNAME", "DMS_VMAIL_UID", "ENABLE_FAIL2BAN", "ENABLE_CLAMAV", "ENABLE_AMAVIS", "SPOOF_PROTECTION", "ENABLE_SRS", "ENABLE_OPENDKIM"]
    if name != "mailserver.env" and sum(k in values for k in dms_keys) < 3:
        return []

    def flag(k, default):
        v = (values.get(k) or "").strip()
        return default if v == "" else v == "1"
    tls_on = bool((values.get("SSL_TYPE") or "").strip())
    services = ["smtp", "submission", "submissions"]
    if not flag("SMTP_ONLY", False):
        services += ["imap", "imaps"] if flag("ENABLE_IMAP", True) else []
        services += ["pop3", "pop3s"] if flag("ENABLE_POP3", False) else []
        services += ["managesieve"] if flag("ENABLE_MANAGESIEVE", False) else []
    host = values.get("OVERRIDE_HOSTNAME") or None
    out = []
    for s in services:
        implicit_port = s in ("submissions", "imaps", "pop3s")
        if tls_on:
            tls, req = ("implicit", True) if implicit_port else ("starttls", s != "smtp")
        elif implicit_port and s != "submissions":
            tls, req = None, None
        else:
            tls, req = "none", False
        out.append(dict(host=host, port=DMS_PORTS[s], tls=tls, tlsRequired=req))
    relay = (values.get("DEFAULT_RELAY_HOST") or "").strip()
    if relay:
        h, _, p = relay.rpartition(":") if "]:" in relay or (":" in relay and not relay.startswith("[")) else (relay, "", "")
        out.append(dict(host=h.strip("[]"), port=int(p) if p else 25, tls="starttls", tlsRequired=True))
    elif (values.get("RELAY_HOST") or "").strip():
        out.append(dict(host=values["RELAY_HOST"].strip(), port=int(values.get("RELAY_PORT") or 25), tls="starttls", tlsRequired=True))
    return out


def expect_mailu(values):
    if "TLS_FLAVOR" not in values:
        return []
    flavor = (values["TLS_FLAVOR"] or "").lower()
    on = flavor != "notls"
    host = (values.get("HOSTNAMES") or "").split(",")[0].strip() or None
    services = ["smtp", "imap", "pop3", "submission"] + (["submissions", "imaps", "pop3s"] if on else [])
    out = []
    for s in services:
        if not on:
            tls, req = "none", False
        elif s in ("submissions", "imaps", "pop3s"):
            tls, req = "implicit", True
        else:
            tls, req = "starttls", s != "smtp"
        out.append(dict(host=host, port=DMS_PORTS[s], tls=tls, tlsRequired=req))
    web = (values.get("WEBMAIL") or "none").lower() not in ("", "none") or (values.get("ADMIN") or "").lower() == "true"
    if web:
        modes = {"cert": ["implicit"], "letsencrypt": ["implicit"], "mail": ["none", "implicit"], "mail-letsencrypt": ["none", "implicit"]}.get(flavor, ["none"])
        for m in modes:
            out.append(dict(host=host, port=443 if m == "implicit" else 80, tls=m, tlsRequired=m == "implicit"))
    return out


def expected(path, values, php):
    out = []
    for e in expect_laravel(values, php):
        out.append(("laravel", e))
    if values.get("MAILER_DSN") is not None:
        out += [("symfony", e) for e in expect_dsn(values["MAILER_DSN"], php)]
    if values.get("MAILER_URL") is not None:
        out += [("symfony", e) for e in expect_swiftmailer_url(values["MAILER_URL"])]
    out += [("django", e) for e in expect_django(values)]
    out += [("docker-mailserver", e) for e in expect_dms(values, path.name.lower())]
    out += [("mailu", e) for e in expect_mailu(values)]
    return out


# Known differences between the oracles and our model, each with the reason. Keyed by
# (file name, account, port, field).
KNOWN = {
    # Symfony 5.4 (the Debian oracle) predates the DSN options `auto_tls` (7.1) and `require_tls`
    # (7.3); the model follows current Symfony. Only the Examples use them.
}

FIELDS = ["host", "port", "tls", "tlsRequired", "verifyCertificate"]


# ---------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_loaders_agree_on_mail_variables(path, php):
    """The three loaders resolve every mail variable of the file the same way (where they load it)."""
    values = python_dotenv(path)
    mail = {k: v for k, v in values.items() if k.startswith(("MAIL_", "MAILER_", "EMAIL_", "SSL_TYPE", "TLS_FLAVOR", "ENABLE_", "RELAY_", "HOSTNAMES"))}
    for loader in ("phpdotenv", "symfony-dotenv"):
        other = php(loader, path)
        if "__error__" in other:
            # phpdotenv and symfony/dotenv refuse unquoted values with blanks and inline text that
            # python-dotenv and compose accept (wger's `WGER_INSTANCE=https://wger.de # comment` is
            # fine; a value like `A=b c` is not). A refusal must not be about a mail variable.
            assert not any(k in other["__error__"] for k in mail), other["__error__"]
            continue
        for k, v in mail.items():
            # A `${VAR}` the file does not define: phpdotenv keeps the text, python-dotenv and
            # symfony/dotenv make it empty, and the model says unknown (the real environment decides).
            if undefined_reference(path, k):
                continue
            if k in other and v is not None:
                assert other[k] == v, f"{loader} reads {k} as {other[k]!r}, python-dotenv as {v!r}"


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_model_matches_resolved_variables(path, php):
    values = python_dotenv(path)
    want = expected(path, values, php)
    ours = model(path, "dotenv")
    assert not ours["errors"], ours["errors"]
    got = [(e["account"].split(" ")[0], e) for s in ours["setups"] for e in s["endpoints"]]
    assert len(got) == len(want), f"model has {[(a, e['port']) for a, e in got]}, expected {[(a, e['port']) for a, e in want]}"
    compared = 0
    for (account, ours_e), (want_account, want_e) in zip(sorted(got, key=lambda x: (x[0], x[1]["port"] or 0, x[1]["tls"] or "")),
                                                         sorted(want, key=lambda x: (x[0], x[1]["port"] or 0, x[1]["tls"] or ""))):
        assert account == want_account
        for field in FIELDS:
            if field not in want_e:
                continue
            key = (path.name, account, want_e["port"], field)
            if key in KNOWN:
                continue
            assert ours_e[field] == want_e[field], f"{account} port {want_e['port']}: {field} is {ours_e[field]!r}, the oracle says {want_e[field]!r}"
            compared += 1
    print(f"{path.name}: {len(want)} endpoints, {compared} fields compared")


DSNS = [
    "smtp://user:pass@smtp.example.com", "smtp://localhost", "smtp://localhost:25", "smtp://127.0.0.1",
    "smtp://h:587", "smtp://h:465", "smtp://h:2525?verify_peer=0", "smtp://h:587?verify_peer=false",
    "smtp://h:587?verify_peer=", "smtps://h", "smtps://h:2465", "smtp://[::1]", "smtp://u:p%40ss@h.example:587",
]


@pytest.mark.parametrize("dsn", DSNS)
def test_dsn_against_symfony_factory(dsn, php, tmp_path):
    """Each DSN in a .env: our host, port, TLS and verification against EsmtpTransportFactory."""
    f = tmp_path / ".env"
    f.write_text(f"MAILER_DSN={dsn}\n")
    [want] = expect_dsn(dsn, php)
    [got] = model(f, "dotenv")["setups"][0]["endpoints"]
    for field in FIELDS:
        want_value = want[field]
        if field == "host":
            want_value = want_value.strip("[]")
        assert got[field] == want_value, f"{dsn}: {field} is {got[field]!r}, Symfony says {want_value!r}"


def test_options_newer_than_the_oracle(php, tmp_path):
    """auto_tls (7.1) and require_tls (7.3) are ignored by the 5.4 oracle: listed, not skipped."""
    f = tmp_path / ".env"
    f.write_text("MAILER_DSN=smtp://h:2525?auto_tls=false\n")
    [got] = model(f, "dotenv")["setups"][0]["endpoints"]
    [old] = expect_dsn("smtp://h:2525?auto_tls=false", php)
    assert old["tls"] == "starttls" and got["tls"] == "none"  # 5.4 ignores the option; 7.1+ honours it


def test_symfony_parameters_files(php):
    """Symfony ≤ 3 `parameters.yml(.dist)`: `mailer_dsn` read with PyYAML, resolved by Symfony's factory."""
    yaml = pytest.importorskip("yaml")
    files = sorted((CORPUS / "symfony").rglob("parameters.y*ml*")) if (CORPUS / "symfony").exists() else []
    if not files:
        pytest.skip("no parameters.yml in the corpus")
    for path in files:
        params = (yaml.safe_load(path.read_text()) or {}).get("parameters") or {}
        want = expect_dsn(params["mailer_dsn"], php) if params.get("mailer_dsn") else []
        got = [e for s in model(path, "dotenv")["setups"] for e in s["endpoints"]]
        assert len(got) == len(want)
        for g, w in zip(got, want):
            for field in FIELDS:
                assert g[field] == w[field], f"{path.name}: {field} is {g[field]!r}, Symfony says {w[field]!r}"
