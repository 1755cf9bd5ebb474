"""Golden outputs: every report format and `model` over Examples/, compared byte for byte with
Tests/Fixtures/golden/. A change in any output shows up here, in review, as a diff of the golden
file. When the change is intended, regenerate them and read the diff:

    MAILAUDIT_BIN=.build/debug/mailaudit python3 Tests/integration/test_golden.py --write

Volatile values are replaced before comparing: the tool version (it changes with every release,
not with behaviour) becomes <VERSION>, and the checkout's own folder (SARIF's %SRCROOT%) <ROOT>.
The time the audit reports (html, markdown) name is fixed with SOURCE_DATE_EPOCH.
"""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "Tests" / "Fixtures" / "golden"
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")
REGENERATE = "MAILAUDIT_BIN=.build/debug/mailaudit python3 Tests/integration/test_golden.py --write"

# name of the golden file -> arguments after the binary (run from the repository root)
OUTPUTS = {f"lint.{fmt}": ["lint", "Examples/", "--format", fmt]
           for fmt in ("text", "json", "jsonl", "sarif", "github", "junit", "markdown", "html")}
OUTPUTS["model.json"] = ["model", "Examples/"]


def version():
    return subprocess.run([BIN, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def produce(args):
    # A fixed moment for the audit reports' "generated" line.
    env = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1796000000")
    env.pop("GITHUB_STEP_SUMMARY", None)
    run = subprocess.run([BIN, *args], cwd=ROOT, capture_output=True, text=True, env=env)
    assert run.returncode in (0, 1), f"mailaudit {' '.join(args)} exited {run.returncode}: {run.stderr}"
    return run.stdout.replace(version(), "<VERSION>").replace(f"file://{ROOT}/", "file://<ROOT>/")


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_matches_golden_file(name):
    expected_path = GOLDEN / name
    assert expected_path.exists(), f"no golden file {expected_path.relative_to(ROOT)}; create it with: {REGENERATE}"
    actual = produce(OUTPUTS[name])
    expected = expected_path.read_text()
    if actual != expected:
        actual_lines, expected_lines = actual.splitlines(), expected.splitlines()
        first = next((i for i, (a, e) in enumerate(zip(actual_lines, expected_lines)) if a != e),
                     min(len(actual_lines), len(expected_lines)))
        pytest.fail(
            f"`mailaudit {' '.join(OUTPUTS[name])}` differs from {expected_path.relative_to(ROOT)} "
            f"from line {first + 1}:\n  expected: {expected_lines[first] if first < len(expected_lines) else '(end)'}\n"
            f"  actual:   {actual_lines[first] if first < len(actual_lines) else '(end)'}\n"
            f"If the change is intended, regenerate with `{REGENERATE}` and review `git diff Tests/Fixtures/golden`.")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(f"usage: {REGENERATE}")
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, args in sorted(OUTPUTS.items()):
        (GOLDEN / name).write_text(produce(args))
        print(f"wrote {(GOLDEN / name).relative_to(ROOT)}")
