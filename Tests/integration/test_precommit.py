"""The pre-commit framework runs mailaudit through .pre-commit-hooks.yaml (the `mailaudit-system`
hook with the built binary on PATH; the `swift` hook builds the same binary)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")


def pre_commit():
    found = shutil.which("pre-commit")
    if found:
        return [found]
    probe = subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-m", "pre_commit"]
    if os.environ.get("CI") == "true":
        pytest.fail("pre-commit is not installed (scripts/test.sh installs it from PyPI)")
    pytest.skip("pre-commit is not installed")


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_pre_commit_runs_the_hook_on_recognized_files():
    command = pre_commit()
    with tempfile.TemporaryDirectory() as tmp:
        repo = pathlib.Path(tmp)
        git("init", "-q", cwd=repo)
        git("config", "user.email", "t@example.invalid", cwd=repo)
        git("config", "user.name", "t", cwd=repo)
        (repo / "notes.txt").write_text("not a mail config\n")
        (repo / "office.mailaudit.yml").write_text(
            "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, port: 993, tls: none}\n")
        # Our hook definition as a local hook (a `repo:` URL would need the network); JSON is YAML.
        hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
        hook = next(h for h in hooks if h["id"] == "mailaudit-system")
        (repo / ".pre-commit-config.yaml").write_text(json.dumps({"repos": [{"repo": "local", "hooks": [hook]}]}))
        git("add", ".", cwd=repo)
        env = dict(os.environ, PATH=str(pathlib.Path(BIN).parent) + os.pathsep + os.environ["PATH"],
                   PRE_COMMIT_HOME=str(repo / ".cache"))
        failed = subprocess.run([*command, "run", "--all-files"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "office.mailaudit.yml:4:" in failed.stdout and "MA101" in failed.stdout
        assert "notes.txt" not in failed.stdout
        (repo / "office.mailaudit.yml").write_text(
            "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, tls: implicit, auth: [plain], keyring: true}\n")
        git("add", ".", cwd=repo)
        passed = subprocess.run([*command, "run", "--all-files"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert passed.returncode == 0, passed.stdout + passed.stderr


def test_pre_commit_on_changed_files_judges_only_those():
    """pre-commit passes only the staged files: baseline entries and `ignore:` entries about the
    other files must not fail the hook (--strict-baseline, MA001 with fail_on: note)."""
    command = pre_commit()
    insecure = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, port: 993, tls: none}\n"
    clean = "mailaudit: 1\naccounts:\n  - name: a\n    incoming: {protocol: imap, host: h, tls: implicit, auth: [plain], keyring: true}\n"
    with tempfile.TemporaryDirectory() as tmp:
        repo = pathlib.Path(tmp)
        git("init", "-q", cwd=repo)
        git("config", "user.email", "t@example.invalid", cwd=repo)
        git("config", "user.name", "t", cwd=repo)
        (repo / "office.mailaudit.yml").write_text(insecure)
        (repo / "branch.mailaudit.yml").write_text(insecure)
        (repo / ".mailaudit.yml").write_text(
            "fail_on: note\nignore:\n  - { rule: MA203, paths: [ \"branch.mailaudit.yml\" ], reason: \"POP3 until the move\" }\n")
        env = dict(os.environ, PATH=str(pathlib.Path(BIN).parent) + os.pathsep + os.environ["PATH"],
                   PRE_COMMIT_HOME=str(repo / ".cache"))
        recorded = subprocess.run([BIN, "baseline", ".", "--output", ".mailaudit-baseline.json"], cwd=repo, env=env, capture_output=True, text=True)
        assert recorded.returncode == 0, recorded.stderr
        hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
        hook = dict(next(h for h in hooks if h["id"] == "mailaudit-system"), args=["--baseline", ".mailaudit-baseline.json", "--strict-baseline"])
        (repo / ".pre-commit-config.yaml").write_text(json.dumps({"repos": [{"repo": "local", "hooks": [hook]}]}))
        git("add", ".", cwd=repo)
        git("commit", "-q", "--no-verify", "-m", "baseline", cwd=repo)

        # An unrelated edit of one file: only it is linted, and nothing about the other fails the hook.
        (repo / "office.mailaudit.yml").write_text("# the office account\n" + insecure)
        git("add", "office.mailaudit.yml", cwd=repo)
        edited = subprocess.run([*command, "run", "--verbose"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert edited.returncode == 0, edited.stdout + edited.stderr
        assert "branch.mailaudit.yml" not in edited.stdout and "MA001" not in edited.stdout

        # Fixing it makes its own entry stale, which --strict-baseline reports; the other's are not listed.
        (repo / "office.mailaudit.yml").write_text(clean)
        git("add", "office.mailaudit.yml", cwd=repo)
        fixed = subprocess.run([*command, "run", "--verbose"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert fixed.returncode == 1, fixed.stdout + fixed.stderr
        assert "  office.mailaudit.yml: MA101" in fixed.stdout and "  branch.mailaudit.yml:" not in fixed.stdout, fixed.stdout
