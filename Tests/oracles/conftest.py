"""Shared helpers for the differential tests: our model (`mailaudit model`) against the real programs.

A real program that is missing is a skip on a developer's machine and a failure in CI (CI=true):
scripts/test.sh installs them from scripts/apt-packages.txt.
"""
import json
import os
import pathlib
import shutil
import subprocess

import pytest
from reference_corpus import CORPUS

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")


def require_program(name):
    """The path of a real program, or skip (fail in CI) when it is not installed."""
    path = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None)
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"oracle '{name}' is not installed (scripts/apt-packages.txt)")
    pytest.skip(f"oracle '{name}' is not installed")


NO_CORPUS = "the third-party corpus is not there"
# For tests that read the corpus: skipped, with the reason, on a clone without it.
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=NO_CORPUS)


def corpus_files(kind, pattern="**/*"):
    """The corpus files of one kind, none when the corpus is absent: safe while collecting parameters
    (a test that needs them is marked `needs_corpus` or gets `or_skip` parameters)."""
    base = CORPUS / kind
    return sorted(p for p in base.glob(pattern) if p.is_file()) if base.exists() else []


def at_least(with_corpus, without_corpus):
    """How many comparisons a differential test must have made: the Examples and the test's own
    variants alone without the corpus, more with it (a test that compared nothing must fail)."""
    return with_corpus if CORPUS.exists() else without_corpus


def or_skip(params):
    """Parameters, or one skipped case saying why when the corpus is absent (an empty list would hide the reason)."""
    if params or CORPUS.exists():
        return params
    return [pytest.param(None, marks=pytest.mark.skip(reason=NO_CORPUS), id="no-corpus")]


def model(path, fmt=None, extra=()):
    """Our normalized model of one input, as `mailaudit model` prints it."""
    args = [BIN, "model", str(path)] + (["--as", fmt] if fmt else []) + list(extra)
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert out.returncode in (0, 2), f"mailaudit model crashed ({out.returncode}): {out.stderr}"
    return json.loads(out.stdout)


def assuming(directory, program, version):
    """`--config` for a configuration that pins the release of the oracle installed here: mailaudit models
    the current upstream release, the oracle may be older (Debian's fetchmail 6.4, Postfix 3.7)."""
    path = pathlib.Path(directory) / f"assume-{program}.mailaudit.yml"
    path.write_text(f'assume: {{ {program}: "{version}" }}\n')
    return ["--config", str(path)]


def lint_json(*paths, extra=()):
    out = subprocess.run([BIN, "lint", "--format", "json", *map(str, paths), *extra], capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1, 2), f"mailaudit lint crashed ({out.returncode}): {out.stderr}"
    return out.returncode, json.loads(out.stdout)


def run_isolated(args, **kwargs):
    """Runs a real program without network (`unshare -n`): configs may name commands it would run."""
    prefix = ["unshare", "-n"] if shutil.which("unshare") and os.geteuid() == 0 else []
    return subprocess.run(prefix + list(args), capture_output=True, text=True, timeout=60, **kwargs)
