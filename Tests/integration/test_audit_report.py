"""The audit report (`--format html`) as a reader and a browser meet it.

Structure: the page of Examples/ parses as HTML5 without a single parse error (html5lib, strict),
every finding and unreadable input appears exactly once, and nothing is loaded: no element names an
outside resource and the style sheet has no url().

Browser: Debian's `chromium` renders the report of Examples/ and of a generated audit of 1,000
setups to PNG and to A4 PDF. Nothing may overflow horizontally at 1280 px (a copy of the page with a
probe script reports `document.documentElement.scrollWidth`), the PDF's text (`pdftotext`) holds
every setup's path and verdict. How fast it renders is not asserted (the benchmark measures speed).
Screenshots and PDFs go to a folder the test prints (MAILAUDIT_REPORT_ARTIFACTS, or a temporary one): look at them.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")
ENV = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1796000000")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VERDICTS = ("could not be read", "errors: fix before use", "warnings: should be fixed", "notes only", "no findings")

pytestmark = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason="needs the built mailaudit binary (MAILAUDIT_BIN)")


def lint(args, cwd=ROOT):
    run = subprocess.run([BIN, "lint", *args], cwd=cwd, capture_output=True, text=True, env=ENV)
    assert run.returncode in (0, 1, 2), run.stderr
    return run.stdout


def reports(paths, cwd=ROOT):
    """The HTML page and the JSON report of one run."""
    with tempfile.TemporaryDirectory() as tmp:
        html, js = pathlib.Path(tmp, "r.html"), pathlib.Path(tmp, "r.json")
        lint(["--format", "html", "--output", str(html), "--report", f"json:{js}", *paths], cwd=cwd)
        return html.read_text(), json.loads(js.read_text())


@pytest.fixture(scope="module")
def artifacts():
    folder = pathlib.Path(os.environ.get("MAILAUDIT_REPORT_ARTIFACTS") or tempfile.mkdtemp(prefix="mailaudit-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots and PDFs of the audit report: {folder}")
    return folder


def test_the_page_is_valid_html5_with_every_finding_once_and_nothing_loaded():
    html5lib = pytest.importorskip("html5lib", reason="needs html5lib (pip install html5lib)")
    page, report = reports(["Examples/"])
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(page)  # raises on the first parse error
    articles = [a for a in document.iter("article") if "finding" in a.get("class", "").split()]
    assert len(articles) == len(report["findings"]) + len(report["errors"])
    texts = ["".join(a.itertext()) for a in articles]
    for f in report["findings"]:
        where = f"{f['path']}:{f['line']}:{f['column']}"
        hits = [t for t in texts if f"{f['ruleId']} {f['rule']}" in t and where in t and f["message"] in t]
        assert len(hits) == 1, f"{f['ruleId']} at {where} is in the page {len(hits)} times, not once"
    # Nothing is loaded: links only go to places in the page, no element names an outside resource.
    for element in document.iter():
        for name in ("src", "srcset", "data", "poster", "action", "formaction", "background"):
            assert name not in element.attrib, f"<{element.tag} {name}=…> loads a resource"
        href = element.get("href")
        if href is not None:
            assert href.startswith("#"), f"<{element.tag} href={href!r}> points out of the page"
    assert document.find(".//script") is None
    style = "".join(s.text or "" for s in document.iter("style"))
    assert "url(" not in style and "@import" not in style
    csp = [m.get("content") for m in document.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")


def generated_setups(folder, n=1000):
    """n msmtp setups of a few kinds: clean, warnings, errors, and some long lines and values."""
    for i in range(n):
        kind = i % 4
        lines = [f"account customer{i}", f"host mail{i}.example-customer-with-a-long-name.com"]
        if kind == 0:
            lines += ["port 465", "tls on", "tls_starttls off", "auth on", "passwordeval pass show mail"]
        elif kind == 1:
            lines += ["port 25", "tls off", "auth on", f"password s3cret{i}xyz"]
        elif kind == 2:
            lines += ["port 587", "tls on", "tls_certcheck off", "auth on", "user " + "x" * 300]
        else:
            lines += ["port 110", "tls off", "from " + "a" * 200 + "@example.com"]
        path = pathlib.Path(folder, f"site{i:04}", ".msmtprc")
        path.parent.mkdir(parents=True)
        path.write_text("\n".join(lines) + "\n")


def scroll_width(html_path, width=1280):
    """The page's scrollWidth at this window width: a copy of the page without its policy, with a
    script that writes the width into the title, printed by --dump-dom."""
    page = html_path.read_text()
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page, count=1)
    page = page.replace("</body>", "<script>document.title='W'+document.documentElement.scrollWidth</script></body>", 1)
    probe = html_path.with_name("probe-" + html_path.name)
    probe.write_text(page)
    dom = chromium(["--dump-dom", f"--window-size={width},2000", probe.as_uri()])
    probe.unlink()
    found = re.search(r"<title>W(\d+)</title>", dom)
    assert found, "the probe script did not run"
    return int(found.group(1))


def screenshot(html, png):
    """The page at 1280 px, kept with the artifacts for a person to look at. How long a browser
    takes is not asserted here: speed is measured by the benchmark, not by a timed test."""
    chromium(["--window-size=1280,2000", f"--screenshot={png}", html.as_uri()])


def chromium(args, timeout=120):
    run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", *args],
                         capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)")
@pytest.mark.parametrize("name", ["examples", "thousand-setups"])
def test_a_browser_renders_it_without_overflow_and_prints_every_verdict(name, artifacts, tmp_path):
    if name == "examples":
        lint(["--format", "html", "--output", str(artifacts / "examples.html"), "Examples/"])
        report = json.loads(lint(["--format", "json", "Examples/"]))
    else:
        generated_setups(tmp_path)
        lint(["--format", "html", "--output", str(artifacts / f"{name}.html"), "."], cwd=tmp_path)
        report = json.loads(lint(["--format", "json", "."], cwd=tmp_path))
    html = artifacts / f"{name}.html"
    assert scroll_width(html) <= 1280, "the page is wider than a 1280 px window"
    screenshot(html, artifacts / f"{name}.png")
    chromium([f"--print-to-pdf={artifacts / (name + '.pdf')}", html.as_uri()], timeout=300)
    text = subprocess.run(["pdftotext", str(artifacts / f"{name}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", "", text)
    paths = {f["path"] for f in report["findings"]} | {e["path"] for e in report["errors"]}
    for path in paths:
        assert re.sub(r"\s+", "", path) in squeezed, f"{path} is not in the PDF"
    verdicts = sum(re.sub(r"\s+", " ", text).count(v) for v in VERDICTS)
    assert verdicts >= report["summary"]["files"], "a setup's verdict is missing from the PDF"
