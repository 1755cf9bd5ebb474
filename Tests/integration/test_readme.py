"""Every `mailaudit` command and every file in README.md is run here, so the README cannot drift
from what the program does.

- A fenced block whose first line is a comment naming a file (`# .mailaudit.yml`,
  `# policies/no-pop3-at-acme.yml`, `# .msmtprc`) is that file: it is written to a scratch folder
  and checked as what it is (a configuration loads, a rule loads and its example is reported, a
  mail configuration reads without MA000 and its suppressions suppress, a pre-commit
  configuration names a hook of .pre-commit-hooks.yaml).
- A ```text block that starts with `$ mailaudit …` is run from the repository and its output
  compared with the block. The one normalisation: a line that is only `…` stands for any number
  of lines, and `…` inside a line for any text, so the README can elide long output.
- Each `mailaudit …` line of an ```sh block is run in the scratch folder (a copy of Examples/ and
  the files above) and must be accepted: exit status 0 or 1, never a usage error or a crash; 2
  (an input that cannot be read) only where the command names the reader's own files (`~/…`,
  `/etc/…`) or probes example hosts. Commands of other programs (`swift build`, `scripts/…`,
  `cp`) are not run.
- The option synopsis under "Commands" names only options the binary's `--help` lists, and the
  keys of the JSON example are keys of a real JSON report.
- The native YAML example reads without MA000.
"""
import json
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import tempfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")
README = ROOT / "README.md"

pytestmark = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason="needs the built mailaudit binary (MAILAUDIT_BIN)")

HOW_TO_UPDATE = (
    "README.md no longer matches what mailaudit does. If the program is right, update the README "
    "block at the line named above: run the command and paste its output (keep `…` where you elide "
    "lines or the middle of a line); if the README is right, fix the program."
)


class Block:
    def __init__(self, language, line, text):
        self.language, self.line, self.text = language, line, text

    @property
    def named_file(self):
        """The path a block's first-line comment names (`# .msmtprc`), or None."""
        first = self.text.split("\n", 1)[0]
        m = re.fullmatch(r"(?:#|//) ((?:~/)?[\w./-]+\.?[\w-]*)", first.strip())
        if m and ("." in m.group(1) or "/" in m.group(1)):
            return m.group(1).removeprefix("~/")
        return None


def blocks():
    out, language, start, lines = [], None, 0, []
    for number, line in enumerate(README.read_text().split("\n"), 1):
        if language is None and line.startswith("```"):
            language, start, lines = line[3:].strip(), number, []
        elif language is not None and line.startswith("```"):
            out.append(Block(language, start, "\n".join(lines) + "\n"))
            language = None
        elif language is not None:
            lines.append(line)
    return out


def run(args, cwd, **kwargs):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("MAILAUDIT_CONFIG", None)
    return subprocess.run([BIN, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env, **kwargs)


def where(block):
    return f"README.md:{block.line} ({block.language or 'no language'} block)"


def matches(expected, actual):
    """The README's lines against the real ones: `…` alone is any number of lines, within a line any text."""
    patterns = []
    for line in expected:
        if line.strip() == "…":
            patterns.append(None)
        else:
            patterns.append(re.compile("".join(".*?" if part == "…" else re.escape(part) for part in re.split("(…)", line)) + r"\Z"))

    # Lines that match, with `None` as a gap of any length: linear per gap by trying each end.
    def from_(p, a):
        if p == len(patterns):
            return a == len(actual)
        if patterns[p] is None:
            return any(from_(p + 1, k) for k in range(a, len(actual) + 1))
        return a < len(actual) and patterns[p].match(actual[a]) is not None and from_(p + 1, a + 1)

    return from_(0, 0)


@pytest.fixture(scope="module")
def scratch():
    """A folder with Examples/ and every file the README writes, in README order."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        shutil.copytree(ROOT / "Examples", folder / "Examples")
        for block in blocks():
            if block.named_file:
                path = folder / block.named_file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block.text)
        yield folder


def test_the_readme_has_what_these_tests_look_for():
    found = blocks()
    assert sum(1 for b in found if b.named_file) >= 4, "the README's example files lost their first-line file names"
    assert any(b.language == "text" and b.text.startswith("$ mailaudit ") for b in found)
    assert sum(1 for b in found if b.language == "sh" and "mailaudit " in b.text) >= 3


@pytest.mark.parametrize("block", [b for b in blocks() if b.language == "text" and b.text.startswith("$ mailaudit ")], ids=lambda b: f"line{b.line}")
def test_shown_output_is_what_the_command_prints(block):
    command, *expected = block.text.rstrip("\n").split("\n")
    result = run(shlex.split(command[2:])[1:], cwd=ROOT)
    actual = (result.stdout + result.stderr).rstrip("\n").split("\n")
    assert matches(expected, actual), f"{where(block)}: `{command[2:]}` printed\n\n" + "\n".join(actual) + f"\n\n{HOW_TO_UPDATE}"


def commands(block):
    """The `mailaudit …` command lines of a shell block (after a `&&`, before a `#` comment)."""
    for line in block.text.split("\n"):
        code = line.split("  #", 1)[0].strip()
        for part in code.split("&&"):
            words = shlex.split(part)
            while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                words = words[1:]  # `NAME=value command`: the command is what follows
            if words and (words[0] == "mailaudit" or words[0].endswith("/mailaudit")):
                yield words[1:]


SHELL_COMMANDS = [(b, c) for b in blocks() if b.language == "sh" for c in commands(b)]


@pytest.mark.parametrize("block,args", SHELL_COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, list) else f"line{v.line}")
def test_shell_commands_are_accepted(block, args, scratch):
    # Probes get a short timeout: the README's hosts are example names that do not answer.
    extra = ["--timeout", "1"] if args[:1] == ["probe"] or "--verify" in args else []
    result = run(args + extra, cwd=scratch)
    elsewhere = any(a.startswith(("~", "/")) for a in args) or args[:1] == ["probe"]
    assert result.returncode in ((0, 1, 2) if elsewhere else (0, 1)), f"{where(block)}: `mailaudit {' '.join(args)}` exited {result.returncode}\n{result.stderr}\n{HOW_TO_UPDATE}"
    assert "Usage:" not in result.stderr and "Error:" not in result.stderr, f"{where(block)}: {result.stderr}\n{HOW_TO_UPDATE}"


def named(suffix):
    return [b for b in blocks() if b.named_file and b.named_file.endswith(suffix)]


def test_the_configuration_example_loads(scratch):
    [block] = named(".mailaudit.yml")
    (scratch / "snapshots" / "mx1").mkdir(parents=True, exist_ok=True)
    result = run(["lint", "--print-config", "--config", block.named_file], cwd=scratch)
    assert result.returncode == 0, f"{where(block)}: {result.stderr}\n{HOW_TO_UPDATE}"
    assert "MA203" in result.stdout


def test_the_custom_rule_example_loads_and_reports_its_example(scratch):
    [block] = [b for b in blocks() if b.named_file and b.text.split("\n", 2)[1].startswith("id: ")]
    rule = yaml.safe_load(block.text)
    listed = run(["rules", "--rules", block.named_file], cwd=scratch)
    assert listed.returncode == 0 and rule["id"] in listed.stdout, f"{where(block)}: {listed.stderr}\n{HOW_TO_UPDATE}"
    for n, example in enumerate(rule["examples"]):
        path = scratch / f"rule-example-{n}.mailaudit.yml"
        path.write_text(example["config"].replace("↓", ""))
        result = run(["lint", "--rules", block.named_file, "--as", example["format"], path.name], cwd=scratch)
        reported = f"[{rule['id']} " in result.stdout
        assert reported == (example["expect"] == "finding"), f"{where(block)}: example {n}\n{result.stdout}{result.stderr}\n{HOW_TO_UPDATE}"


def test_the_suppression_example_is_a_file_its_program_reads_and_it_suppresses(scratch):
    [block] = [b for b in blocks() if b.named_file and "mailaudit: disable=" in b.text]
    result = run(["lint", "--format", "json", block.named_file], cwd=scratch)
    report = json.loads(result.stdout)
    assert report["errors"] == [], f"{where(block)}: {report['errors']}\n{HOW_TO_UPDATE}"
    disabled = set(re.findall(r"disable=([A-Z0-9,]+)", block.text))
    suppressed = {f["ruleId"] for f in report["findings"] if f["suppressed"]}
    unused = {f["ruleId"] for f in report["findings"] if f["ruleId"] in ("MA001", "MA002")}
    assert {i for ids in disabled for i in ids.split(",")} <= suppressed and not unused, f"{where(block)}: {report['findings']}\n{HOW_TO_UPDATE}"
    # The program itself reads it (msmtp refuses a comment after a value), when it is installed.
    msmtp = shutil.which("msmtp")
    if block.named_file.endswith("msmtprc") and msmtp:
        (scratch / block.named_file).chmod(0o600)
        first = re.search(r"^account (\S+)", block.text, re.M).group(1)
        checked = subprocess.run([msmtp, "-C", block.named_file, "--pretend", f"--account={first}"], cwd=scratch, capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, f"{where(block)}: msmtp rejects it: {checked.stderr}\n{HOW_TO_UPDATE}"


def test_the_pre_commit_example_names_a_hook_we_define():
    [block] = named(".pre-commit-config.yaml")
    config = yaml.safe_load(block.text)
    ours = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    used = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert used <= ours, f"{where(block)}: {used - ours}\n{HOW_TO_UPDATE}"


def test_the_native_format_example_reads_cleanly(scratch):
    [block] = [b for b in blocks() if b.language == "yaml" and b.text.startswith("mailaudit: 1")]
    path = scratch / "native-example.mailaudit.yml"
    path.write_text(block.text)
    report = json.loads(run(["lint", "--format", "json", path.name], cwd=scratch).stdout)
    assert report["errors"] == [], f"{where(block)}: {report['errors']}\n{HOW_TO_UPDATE}"


def test_the_command_synopsis_names_real_options():
    [block] = [b for b in blocks() if b.text.startswith("mailaudit [lint]")]
    helps = {}
    for line in block.text.split("\n"):
        m = re.match(r"mailaudit (\w+)", line)
        command = "lint" if line.startswith("mailaudit [lint]") or line.startswith("  ") else (m.group(1) if m else None)
        if command and command not in helps:
            helps[command] = run([command, "--help"], cwd=ROOT).stdout
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", line):
            assert option in helps[command], f"{where(block)}: `{option}` is not an option of `mailaudit {command}`\n{HOW_TO_UPDATE}"


def test_the_json_example_shows_real_keys():
    [block] = [b for b in blocks() if b.language == "json"]
    real = set()

    def keys(value):
        if isinstance(value, dict):
            real.update(value)
            for v in value.values():
                keys(v)
        elif isinstance(value, list):
            for v in value:
                keys(v)

    keys(json.loads(run(["lint", "--format", "json", "Examples/"], cwd=ROOT).stdout))
    shown = set(re.findall(r'"(\w+)":', block.text))
    assert shown <= real, f"{where(block)}: keys no real report has: {sorted(shown - real)}\n{HOW_TO_UPDATE}"
