"""`swift build -c release --static-swift-stdlib` gives a binary that runs on its own (README)."""
import os
import pathlib
import shutil
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_static_binary_runs_alone():
    build = subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", ".build-static"],
                           cwd=ROOT, capture_output=True, text=True, timeout=2400)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    binary = ROOT / ".build-static" / "release" / "mailaudit"
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "mailaudit"
        shutil.copy2(binary, copy)
        libraries = subprocess.run(["ldd", str(copy)], capture_output=True, text=True).stdout
        assert "libswift" not in libraries and "libFoundation" not in libraries, libraries
        shutil.copytree(ROOT / "Examples" / "yaml", pathlib.Path(tmp) / "yaml")
        run = subprocess.run([str(copy), "lint", "--format", "json", "yaml"], cwd=tmp, env={}, capture_output=True, text=True, timeout=60)
        assert run.returncode == 1, run.stderr
        assert '"MA101"' in run.stdout
        rules = subprocess.run([str(copy), "rules"], cwd=tmp, env={}, capture_output=True, text=True, timeout=60)
        assert "MA101  plaintext-on-implicit-tls-port" in rules.stdout
