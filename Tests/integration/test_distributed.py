"""Auditing on many machines: the corpus (or generated setups, so this always runs) linted as a Dask
distributed job, each partition calling `mailaudit lint --format jsonl --files-from - -0`, merges to
exactly what one local run reports; and `--shard 1/3`, `2/3`, `3/3` together are the unsharded run.
The README shows the same with Spark's `RDD.pipe` and a Kubernetes Indexed Job."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from reference_corpus import CORPUS  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")
pytestmark = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason="needs the built mailaudit binary (MAILAUDIT_BIN)")


def generated_setups(folder, count=90):
    """Setups of several formats and kinds, some insecure, one broken: what a customer tree holds."""
    for n in range(count):
        customer = folder / f"customer{n:03d}"
        customer.mkdir()
        port, tls = [(993, "none"), (993, "implicit"), (143, "starttls"), (110, "none")][n % 4]
        (customer / "mail.mailaudit.yml").write_text(
            f"mailaudit: 1\naccounts:\n  - name: a{n}\n    incoming: {{protocol: imap, host: imap{n}.example.com, port: {port}, tls: {tls}}}\n")
        if n % 3 == 0:
            (customer / ".msmtprc").write_text(
                f"account m{n}\nhost smtp{n}.example.com\nport {[25, 587, 465][n % 3 or 1]}\nauth on\nuser u{n}\npassword Pw{n}-x9!q\ntls off\n")
        if n % 10 == 0:
            (customer / "notes.txt").write_text("not a mail configuration\n")
    (folder / "broken.mailaudit.yml").write_text("mailaudit: 1\naccounts: [\n")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    if CORPUS.exists():
        return CORPUS
    folder = tmp_path_factory.mktemp("customers")
    generated_setups(folder)
    return folder


def all_files(tree):
    return sorted(str(p) for p in tree.rglob("*") if p.is_file())


def lint(arguments, stdin=b""):
    out = subprocess.run([BIN, "lint", "--format", "jsonl", "--fail-on", "never", *arguments],
                         input=stdin, capture_output=True, timeout=600)
    assert out.returncode in (0, 2), out.stderr.decode()
    return [json.loads(line) for line in out.stdout.decode().splitlines()]


def merged(objects):
    """Findings and errors as sets (a finding by path, line, rule and fingerprint), counts summed."""
    findings = {(o["path"], o["line"], o["ruleId"], o["fingerprint"], (o["suppressed"] or {}).get("kind"))
                for o in objects if o["type"] == "finding"}
    errors = {(o["path"], o["line"], o["message"]) for o in objects if o["type"] == "error"}
    counts = {}
    for o in objects:
        if o["type"] == "summary":
            for field in ("files", "findings", "error", "warning", "note", "suppressed", "parseErrors", "skipped"):
                counts[field] = counts.get(field, 0) + o[field]
    return findings, errors, counts


def dask_distributed():
    try:
        from dask.distributed import Client, LocalCluster
        import dask.bag
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("dask[distributed] is not installed (scripts/test.sh installs it from PyPI)")
        pytest.skip("dask[distributed] is not installed")
    return Client, LocalCluster, dask.bag


def test_a_dask_job_over_partitions_equals_one_local_run(tree):
    Client, LocalCluster, bag = dask_distributed()
    files = all_files(tree)
    assert len(files) > 50
    local = lint(["--files-from", "-", "-0"], "\0".join(files).encode())

    def lint_partition(paths, binary=BIN):
        # Runs on a Dask worker process: one mailaudit per partition, its paths on standard input.
        import json as json_
        import subprocess as subprocess_
        out = subprocess_.run([binary, "lint", "--format", "jsonl", "--fail-on", "never", "--files-from", "-", "-0"],
                              input="\0".join(paths).encode(), capture_output=True, timeout=600)
        if out.returncode not in (0, 2):
            raise RuntimeError(out.stderr.decode())
        return [json_.loads(line) for line in out.stdout.decode().splitlines()]

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        partitions = bag.from_sequence(files, npartitions=8)
        distributed = partitions.map_partitions(lint_partition).compute()
    assert partitions.npartitions > 2
    assert sum(1 for o in distributed if o["type"] == "summary") == partitions.npartitions, "one summary line per partition"
    assert merged(distributed) == merged(local)
    findings, errors, counts = merged(local)
    assert findings and counts["files"] > 0


def test_shards_together_equal_the_unsharded_walk(tree):
    whole = merged(lint([str(tree)]))
    parts = [lint(["--shard", f"{i}/3", str(tree)]) for i in (1, 2, 3)]
    for part in parts:
        assert merged(part)[2]["files"] > 0, "each shard lints a part"
    union = [o for part in parts for o in part]
    assert merged(union) == whole
    # Exactly once: no finding appears in two shards.
    total = sum(len(merged(part)[0]) for part in parts)
    assert total == len(whole[0])
