"""Differential tests for the django format (ORACLES.md §13).

Two oracles for settings.py:
- Python's own parser (`ast`): the top-level assignments whose value `ast.literal_eval` accepts
  are the literal settings; any other top-level or nested assignment of the name is computed
  (unknown). Run on every Examples/django file and a set of written modules.
- Django itself (Debian `python3-django`, 3.2): `django diffsettings` imports the module and
  prints the settings that differ from the defaults. Importing runs the module, so it only runs
  on files this repository wrote (Examples/django and the written modules), never on corpus files.
The django corpus kind holds env files (netbox.env, healthchecks .env, wger prod.env); their
EMAIL_* variables are compared in test_dotenv.py.
"""
import ast
import os
import re
import subprocess

import pytest

from conftest import ROOT, model

NAMES = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"]
COMPUTED = object()


def ast_settings(text):
    """name → literal value, or COMPUTED; the last assignment wins, nested ones make it unknown."""
    tree = ast.parse(text)
    out = {}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            targets = [node.target.id]
        for name in targets:
            if name not in NAMES:
                continue
            top = node in tree.body
            try:
                value = ast.literal_eval(node.value) if top else COMPUTED
            except ValueError:
                value = COMPUTED
            out[(node.lineno, name)] = value
    latest = {}
    for (_, name), value in sorted(out.items()):
        latest[name] = value
    # A nested assignment anywhere makes the name unknown, wherever it comes.
    for (line, name), value in out.items():
        if value is COMPUTED:
            latest[name] = COMPUTED
    return latest


def expect(settings):
    """Django's SMTP backend from its settings (global defaults: localhost, 25, no TLS)."""
    if not any(n in settings for n in NAMES[1:]):
        backend = settings.get("EMAIL_BACKEND")
        if not (isinstance(backend, str) and backend.endswith("smtp.EmailBackend")):
            return None
    backend = settings.get("EMAIL_BACKEND")
    if isinstance(backend, str) and not backend.endswith("smtp.EmailBackend"):
        return None
    host = settings.get("EMAIL_HOST", "localhost")
    port = settings.get("EMAIL_PORT", 25)
    tls, ssl = settings.get("EMAIL_USE_TLS", False), settings.get("EMAIL_USE_SSL", False)
    if tls is COMPUTED or ssl is COMPUTED:
        mode = "starttls" if tls is True else "implicit" if ssl is True else None
    elif tls and ssl:
        mode = None
    else:
        mode = "implicit" if ssl else "starttls" if tls else "none"
    return dict(host=None if host is COMPUTED or not host else host,
                port=None if port is COMPUTED else int(port),
                tls=mode, tlsRequired=None if mode is None else mode != "none")


FIELDS = ["host", "port", "tls", "tlsRequired"]

MODULES = {
    "plain": "EMAIL_HOST = 'mail.example.com'\n",
    "starttls": "EMAIL_HOST = \"smtp.example.com\"\nEMAIL_PORT = 587\nEMAIL_USE_TLS = True\nEMAIL_HOST_USER = 'u'\nEMAIL_HOST_PASSWORD = 'p'\n",
    "ssl_default_port": "EMAIL_HOST = 'h'\nEMAIL_USE_SSL = True\n",
    "annotated": "EMAIL_HOST: str = 'h'\nEMAIL_PORT: int = 0x24b\n",
    "adjacent": "EMAIL_HOST = ('smtp.'\n              'example.com')\nEMAIL_PORT = 465\nEMAIL_USE_SSL = True\n",
    "docstring": '"""\nEMAIL_HOST = "not this"\n"""\nEMAIL_HOST = "h"\nEMAIL_PORT = 2525\n',
    "computed": "import os\nEMAIL_HOST = os.environ.get('EMAIL_HOST', 'x')\nEMAIL_PORT = int(os.environ['P'])\nEMAIL_USE_TLS = True\n",
    "conditional": "DEBUG = False\nEMAIL_HOST = 'h'\nEMAIL_USE_TLS = True\nif DEBUG:\n    EMAIL_USE_TLS = False\n",
    "console": "EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'\nEMAIL_HOST = 'h'\n",
}


def example_files():
    return sorted((ROOT / "Examples" / "django").rglob("*.py"))


def written(tmp_path, name, text):
    d = tmp_path / name
    d.mkdir()
    (d / "settings.py").write_text(text)
    return d / "settings.py"


def compare_ast(path):
    want = expect(ast_settings(path.read_text()))
    ours = model(path, "django")
    got = [e for s in ours["setups"] for e in s["endpoints"]]
    if want is None:
        assert got == []
        return 0
    assert len(got) == 1, got
    for field in FIELDS:
        assert got[0][field] == want[field], f"{path}: {field} is {got[0][field]!r}, ast says {want[field]!r}"
    return len(FIELDS)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_against_ast(path):
    print(f"{path.name}: {compare_ast(path)} fields compared")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_against_ast(name, tmp_path):
    compare_ast(written(tmp_path, name, MODULES[name]))


def diffsettings(path):
    """Django's own view of a settings module we wrote (runs it)."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import django"], capture_output=True)
    if probe.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("python3-django is not installed (scripts/apt-packages.txt)")
        pytest.skip("python3-django is not installed")
    env = dict(os.environ, PYTHONPATH=str(path.parent.parent), EMAIL_HOST_PASSWORD="from-the-environment", DEBUG="")
    out = subprocess.run(["/usr/bin/python3", "-m", "django", "diffsettings", "--all", f"--settings={path.parent.name}.settings"],
                         capture_output=True, text=True, env=env, timeout=60, cwd=path.parent.parent)
    assert out.returncode == 0, out.stderr
    values = {}
    for line in out.stdout.splitlines():
        m = re.match(r"^(?:### )?(EMAIL_[A-Z_]+) = (.*)$", line)
        if m:
            values[m.group(1)] = ast.literal_eval(m.group(2))
    return values


@pytest.mark.parametrize("name", ["plain", "starttls", "ssl_default_port", "annotated", "adjacent", "docstring"])
def test_modules_against_django(name, tmp_path):
    """Literal settings: Django's resolved values equal the model's."""
    path = written(tmp_path, name, "SECRET_KEY = 'x'\n" + MODULES[name])
    (path.parent / "__init__.py").write_text("")
    values = diffsettings(path)
    [got] = [e for s in model(path, "django")["setups"] for e in s["endpoints"]]
    assert got["host"] == values["EMAIL_HOST"]
    assert got["port"] == values["EMAIL_PORT"]
    tls = "implicit" if values["EMAIL_USE_SSL"] else "starttls" if values["EMAIL_USE_TLS"] else "none"
    assert got["tls"] == tls


@pytest.mark.parametrize("path", example_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_against_django(path, tmp_path):
    copy = tmp_path / path.parent.name / "settings.py"
    copy.parent.mkdir()
    copy.write_text("SECRET_KEY = 'x'\n" + path.read_text())
    (copy.parent / "__init__.py").write_text("")
    values = diffsettings(copy)
    [got] = [e for s in model(path, "django")["setups"] for e in s["endpoints"]]
    assert got["host"] == values["EMAIL_HOST"] and got["port"] == values["EMAIL_PORT"]
    tls = "implicit" if values["EMAIL_USE_SSL"] else "starttls" if values["EMAIL_USE_TLS"] else "none"
    assert got["tls"] == tls
    # The password read from the environment is unknown to us; a literal one is inline.
    assert got["credential"] == ("inline" if "EMAIL_HOST_PASSWORD = \"" in path.read_text() else None)
