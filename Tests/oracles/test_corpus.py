"""Every file of the third-party corpus is handled: findings, clean, or a precise MA000 — never a crash,
never silence about a file mailaudit claims to understand (the corpus README).

Each file is linted on its own, as a user names it; then each kind's folder is walked.
"""
import json
import subprocess

import pytest

from conftest import BIN, CORPUS, or_skip

# Kinds mailaudit does not claim: named explicitly, they get a clear "cannot tell the format"
# MA000 instead of a guess. (compose files are docker-compose YAML, mta-sts policies are text.)
UNCLAIMED_KINDS = {"mta-sts", "compose"}


def corpus():
    if not CORPUS.exists():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in ("README.md", "SOURCES.tsv"))


def lint(*args):
    out = subprocess.run([BIN, "lint", "--format", "json", *map(str, args)], capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1, 2), f"crash or usage error ({out.returncode}) on {args}: {out.stderr[-2000:]}"
    return out.returncode, json.loads(out.stdout)


@pytest.mark.parametrize("path", or_skip(corpus()), ids=lambda p: str(p.relative_to(CORPUS)) if p else None)
def test_every_corpus_file_is_linted_or_precisely_refused(path):
    status, report = lint(path)
    kind = path.relative_to(CORPUS).parts[0]
    errors = report["errors"]
    if kind in UNCLAIMED_KINDS and errors and "cannot tell the format" in errors[0]["message"]:
        return
    # A file we read is counted; one we could not read says where and why.
    assert report["summary"]["files"] == 1 or errors, f"{path}: neither linted nor refused"
    for e in errors:
        assert e["message"], f"{path}: an empty error message"
        assert e["line"] is not None and e["line"] >= 1, f"{path}: MA000 without a position: {e}"
    failing = report["summary"]["error"] + report["summary"]["warning"]  # --fail-on warning, the default
    assert status == (2 if errors else (1 if failing else 0))


def test_walking_the_whole_corpus_does_not_crash():
    if not CORPUS.exists():
        pytest.skip("the third-party corpus is not there")
    status, report = lint(CORPUS)
    assert report["summary"]["files"] > 300
    assert status in (1, 2)
