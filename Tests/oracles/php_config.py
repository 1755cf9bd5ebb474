"""PHP itself as the oracle for configuration files written in PHP (roundcube, nextcloud, wordpress).

`php` (Debian `php-cli`) includes a *copy* of the file and prints what it left behind as JSON: the
arrays `$config`, `$rcmail_config` and `$CONFIG`, and the constants it defined. Including runs the
file, so this is done only on copies in a fresh temporary folder, with no php.ini (`-n`), an empty
environment (every `getenv()` is false), inside `unshare -n` (no network) and with a timeout: a
configuration can at most read files and burn CPU for a minute, which is safe enough for the
third-party corpus and our own fixtures. mailaudit itself never runs them.

A file PHP cannot load (a Jinja template, a missing `require`, a syntax error) gives None, with PHP's
message; the tests list those files instead of comparing them.
"""
import json
import re
import os
import shutil
import subprocess
import tempfile

from conftest import require_program

DUMP = r"""
// The dump runs at shutdown, so that a file that ends in a fatal error (wp-config.php's
// `require_once ABSPATH . 'wp-settings.php'` on a copy) still shows what it defined before it.
register_shutdown_function(function () {
    while (ob_get_level()) { ob_end_clean(); }
    if (!empty($GLOBALS['__unloadable'])) { return; }
    $constants = get_defined_constants(true);
    echo json_encode([
        'config' => $GLOBALS['config'] ?? null,
        'rcmail_config' => $GLOBALS['rcmail_config'] ?? null,
        'CONFIG' => $GLOBALS['CONFIG'] ?? null,
        'constants' => array_diff_key($constants['user'] ?? [], ['RCUBE_INSTALL_PATH' => 1]) ?: new stdClass(),
    ], JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_PRESERVE_ZERO_FRACTION);
});
// Roundcube's bootstrap defines it before defaults.inc.php is read.
define('RCUBE_INSTALL_PATH', getcwd() . '/');
ob_start();
try {
    include $argv[1];
} catch (ParseError $e) {
    // A syntax error (a template, a broken file): PHP refuses the whole file.
    $GLOBALS['__unloadable'] = true;
    while (ob_get_level()) { ob_end_clean(); }
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage());
    exit(3);
} catch (Throwable $e) {
    // A run-time error (a missing `require`d file): what ran before it stands.
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage());
}
"""


def php_read(path, siblings=()):
    """What PHP leaves after including a copy of `path` (and of `siblings`, copied beside it), or
    (None, message) when PHP cannot load it."""
    php = require_program("php")
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, os.path.basename(str(path)))
        shutil.copyfile(path, copy)
        for sibling in siblings:
            shutil.copyfile(sibling, os.path.join(tmp, os.path.basename(str(sibling))))
        prefix = ["unshare", "-n"] if shutil.which("unshare") and os.geteuid() == 0 else []
        out = subprocess.run(prefix + ["timeout", "60", php, "-n", "-d", "display_errors=stderr", "-d", "error_reporting=0",
                                       "-r", DUMP, copy], capture_output=True, text=True, timeout=90, cwd=tmp, env={})
        if not out.stdout.startswith("{"):
            return None, (out.stderr or out.stdout).strip()[:300]
        return json.loads(out.stdout), None


def php_include_chain(paths):
    """PHP's reading of several files included in order (Roundcube: defaults.inc.php, then config.inc.php),
    each file's `$config` kept apart: [(config, rcmail_config), …], or (None, message)."""
    results = []
    for path in paths:
        values, error = php_read(path)
        if values is None:
            return None, error
        results.append(values)
    return results, None


def truthy(value):
    """PHP's (bool) cast of a decoded JSON value."""
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, (list, dict)):
        return len(value) > 0
    return bool(value)


def integer(value):
    """PHP's (int) cast of a decoded JSON value."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        text = value.lstrip(" \t\n\r")
        sign = -1 if text.startswith("-") else 1
        text = text[1:] if text[:1] in "+-" else text
        digits = ""
        for c in text:
            if not c.isdigit():
                break
            digits += c
        return sign * int(digits) if digits else 0
    return 0


def entries(value):
    """A PHP array as decoded JSON (a list for 0..n-1 keys, else an object) → [(key, value)] with int keys."""
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, dict):
        return [(int(k) if k.lstrip("-").isdigit() and (k == "0" or not k.lstrip("-").startswith("0")) else k, v) for k, v in value.items()]
    return []


def get(value, key):
    for k, v in entries(value):
        if k == key:
            return v
    return None


def placeholder(text):
    """Template placeholders mailaudit reads as unknown: Jinja `{{ x }}`, iRedMail's `PH_NAME`, autoconf's `@NAME@`."""
    return isinstance(text, str) and re.search(r"\{\{|\{%|\bPH_[A-Z0-9_]+|@[A-Z_]+@", text) is not None


def dynamic(path):
    """Whether a file computes values (environment, server variables, templates): then mailaudit
    says unknown where PHP, run here with an empty environment, gives some value."""
    text = open(path, encoding="utf-8", errors="replace").read()
    return any(marker in text for marker in ("getenv", "$_SERVER", "$_ENV", "{{", "{%", "file_get_contents", "?:", "??"))


def compare(path, ours, expected, fields):
    """Endpoint by endpoint: every field must agree; where the file computes values, only the ones we know."""
    loose = dynamic(path)
    if loose:
        # A connection of which we know nothing (all its settings computed or inside an `if`) may not
        # exist in PHP's run with an empty environment: it is not compared.
        known = [f for f in fields if f not in ("direction", "protocol")]
        ours = [e for e in ours if any(e.get(f) is not None for f in known) or len(expected) > 0]
    assert len(ours) == len(expected), f"{path}: {len(ours)} endpoints, PHP's reading gives {len(expected)}: {ours} / {expected}"
    compared = 0
    for got, want in zip(ours, expected):
        for field in fields:
            if loose and got.get(field) is None:
                continue
            assert got.get(field) == want.get(field), f"{path}: {got.get('protocol')} {field} is {got.get(field)!r}, PHP's reading gives {want.get(field)!r}"
            compared += 1
    return compared
