"""No secret leaves mailaudit: every file of the third-party corpus gets a planted password (the
values of its password settings replaced, URLs given a password, a password setting added in the
format's own syntax), and no piece of it (6 characters or more) may appear in any output: every
--format, a --report file, `model`, a baseline file, and standard error. The files run in a
few batched invocations (one lint run writes every format), so the check takes seconds."""
import os
import pathlib
import re
import subprocess
import tempfile

import pytest
from reference_corpus import CORPUS

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")

TOKEN = "Qz7vK2xW9pL4mN8r"
PIECE = 6
FORMATS = ["text", "json", "jsonl", "sarif", "github", "junit", "markdown", "html"]

# A password setting added at the end of a file, in the syntax of the format its folder holds.
APPENDED = {
    "aerc": "source = imaps://ann:{t}@imap.example.com",
    "dovecot": "passdb static {{ password = {t} }}",
    "postfix": "smtp_sasl_password_maps = static:ann:{t}",
    "msmtp": "password {t}",
    "mbsync": "Pass {t}",
    "mutt": 'set imap_pass = "{t}"',
    "fetchmail": 'poll mail.example.com user "ann" password "{t}"',
    "getmail": "password {t}",
    "offlineimap": "remotepass {t}",
    "gitconfig": "[sendemail]\n\tsmtpServer = smtp://ann:{t}@smtp.example.com\n\tsmtpPass = \"{t}",
    "laravel": 'MAIL_PASSWORD="{t}',
    "mailu": "SMTP_PASSWORD={t}",
    "django": 'EMAIL_HOST_PASSWORD = "{t}',
    "thunderbird": 'user_pref("mail.smtpserver.smtp9.password", "{t}");',
    "symfony": "MAILER_DSN=smtp://mail.example.com:25?username=ann&password={t}",
    "cyrus-sasl": "sql_passwd: {t}",
    "opensmtpd": 'table secrets {{ "ann" = "{t}" }}',
    "roundcube": "<?php $config['smtp_pass'] = '{t}';",
    "nextcloud": "<?php $CONFIG['mail_smtppassword'] = '{t}'; $CONFIG['mail_smtpauth'] = true;",
    "wordpress": "<?php define( 'WPMS_SMTP_PASS', '{t}' );",
}

# Values of settings whose name says password, in the common syntaxes (key = value, key: value,
# key value, "key" => "value", XML elements and property-list keys), and URL user-info. A value is
# on the setting's own line: an empty `SECRET_KEY =` does not own the section header below it.
KEY = r"[\w.\-]*(?:password|passwd|passphrase|_pass|pass_|remotepass|smtppass|secret)[\w.\-]*"
VALUE_PATTERNS = [
    re.compile(r"(?im)^(\s*(?:set\s+|export\s+)?" + KEY + r"[ \t]*(?:=|:|[ \t])[ \t]*[\"']?)([^\"'\s#;<>{}]{2,})"),
    re.compile(r"(?i)([\"']" + KEY + r"[\"']\]?\s*(?:=>|=|:|,)\s*[\"'])([^\"'\n]{2,})"),
    re.compile(r"(?i)(<(Password|password)>)([^<\n]+)(?=</)"),
    re.compile(r"(?i)(<key>\w*Password</key>\s*<(?:string|integer)>)([^<\n]+)"),
]
USERINFO = re.compile(r"(://[A-Za-z0-9._%+\-]+)(@[A-Za-z0-9.\-\[]+)")


def plant(text):
    for pattern in VALUE_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + TOKEN, text)
    return USERINFO.sub(lambda m: m.group(1) + ":" + TOKEN + m.group(2), text)


def planted_copy(target):
    """The corpus with secrets planted; returns how many files hold the token."""
    count = 0
    for kind in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for path in sorted(p for p in kind.rglob("*") if p.is_file()):
            out = target / path.relative_to(CORPUS)
            out.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                out.write_bytes(data)
                continue
            text = plant(text)
            extra = APPENDED.get(kind.name)
            if extra and path.suffix not in (".yml", ".yaml", ".json", ".xml"):
                text = text.rstrip("\n") + "\n" + extra.format(t=TOKEN) + "\n"
            count += TOKEN in text
            out.write_text(text, encoding="utf-8")
    return count


def pieces():
    return {TOKEN[i:i + PIECE] for i in range(len(TOKEN) - PIECE + 1)}


def leaks(name, text):
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        hit = next((p for p in pieces() if p in line), None)
        if hit:
            found.append(f"{name}:{number}: {line.strip()[:300]}")
    return found


def run(args, cwd):
    proc = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    return proc


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs the third-party corpus")
@pytest.mark.skipif(not os.access(BIN, os.X_OK), reason="needs the built mailaudit binary (MAILAUDIT_BIN)")
def test_no_planted_secret_in_any_output():
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        tree = work / "corpus"
        planted = planted_copy(tree)
        assert planted > 200, f"only {planted} files got a planted secret"
        # One run writes every format: text on standard output, the others as --report files.
        args = ["lint", "--format", "text", "--fail-on", "never", "corpus"]
        for fmt in FORMATS[1:]:
            args += ["--report", f"{fmt}:report.{fmt}"]
        proc = run(args, work)
        assert proc.returncode in (0, 2), proc.stderr[-2000:]
        found = leaks("lint --format text", proc.stdout) + leaks("lint (stderr)", proc.stderr)
        for fmt in FORMATS[1:]:
            found += leaks(f"--report {fmt}", (work / f"report.{fmt}").read_text())
        # jsonl on standard output is streamed file by file: a path of its own.
        proc = run(["lint", "--format", "jsonl", "--fail-on", "never", "corpus"], work)
        found += leaks("lint --format jsonl (streamed)", proc.stdout) + leaks("lint --format jsonl (stderr)", proc.stderr)
        proc = run(["model", "corpus"], work)
        found += leaks("model", proc.stdout) + leaks("model (stderr)", proc.stderr)
        proc = run(["baseline", "corpus", "--output", "baseline.json"], work)
        found += leaks("baseline (stderr)", proc.stderr) + leaks("baseline.json", (work / "baseline.json").read_text())
        assert not found, "planted secret printed:\n" + "\n".join(found[:40])
