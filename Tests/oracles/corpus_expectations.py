"""What every file of the third-party corpus yields, one reviewed line per file.

`Tests/oracles/corpus-expectations.tsv` holds, per corpus file (path relative to the corpus):
  - how it was read: a format id, `included` (read as part of another file's setup) or `skipped`
    (a directory walk looked at it and did not recognise it);
  - the rule ids it yields, with counts (`MA102x3 MA103`), or `-`;
  - its MA000 messages, or `-`.
The corpus is walked once, as `mailaudit lint .` in its folder would walk it.

Regenerate after reviewing what changed (a changed line is a changed verdict on a real file):
    MAILAUDIT_BIN=$PWD/.build/debug/mailaudit python3 Tests/oracles/corpus_expectations.py --write
"""
import collections
import json
import pathlib
import subprocess
import sys

sys.path[:0] = [str(pathlib.Path(__file__).resolve().parent), str(pathlib.Path(__file__).resolve().parents[1])]
from conftest import BIN, CORPUS  # noqa: E402

EXPECTATIONS = pathlib.Path(__file__).resolve().parent / "corpus-expectations.tsv"
HEADER = "# path\tread as\trule ids\tMA000 (parse errors)\n"


def _run(*args):
    out = subprocess.run([BIN, *args], cwd=CORPUS, capture_output=True, text=True, timeout=600)
    assert out.returncode in (0, 1, 2), f"mailaudit {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}"
    return json.loads(out.stdout)


def _one_line(text):
    return " ".join(text.split()).replace("\t", " ")


def current():
    """The corpus as mailaudit reads it today: {path: (read as, rule ids, MA000 messages)}."""
    files = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
                   if p.is_file() and p.name not in ("README.md", "SOURCES.tsv"))
    model = _run("model", ".")
    report = _run("lint", "--format", "json", ".")
    read_as = {}
    for setup in model["setups"]:
        for included in setup.get("includedFiles", []):
            read_as.setdefault(included, "included")
    for setup in model["setups"]:
        read_as[setup["path"]] = setup["format"]
    rules = collections.defaultdict(collections.Counter)
    for finding in report["findings"]:
        rules[finding["path"]][finding["ruleId"]] += 1
    errors = collections.defaultdict(list)
    for error in report["errors"]:
        errors[error["path"]].append(f'{error.get("line") or 0}: {_one_line(error["message"])}')
    out = {}
    for path in files:
        ids = " ".join(f"{rid}x{n}" if n > 1 else rid for rid, n in sorted(rules[path].items())) or "-"
        out[path] = (read_as.get(path, "skipped"), ids, " | ".join(errors[path]) or "-")
    return out


def render(table):
    return HEADER + "".join(f"{path}\t{how}\t{ids}\t{errs}\n" for path, (how, ids, errs) in sorted(table.items()))


def recorded():
    return EXPECTATIONS.read_text(encoding="utf-8") if EXPECTATIONS.exists() else ""


if __name__ == "__main__":
    if not CORPUS.exists():
        sys.exit("the third-party corpus is not there")
    text = render(current())
    if "--write" in sys.argv:
        EXPECTATIONS.write_text(text, encoding="utf-8")
        print(f"wrote {EXPECTATIONS} ({text.count(chr(10)) - 1} files)")
    else:
        sys.stdout.write(text)
