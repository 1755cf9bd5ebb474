"""A standing real-world test: what each third-party corpus file yields is reviewed and recorded
in corpus-expectations.tsv; any change (a new finding, a lost one, a new MA000, a file read as
another format or no longer read) fails here with a diff, so it is reviewed, not noticed later.
Regenerate with the command in corpus_expectations.py.
"""
import difflib

import pytest

from conftest import needs_corpus
from corpus_expectations import current, recorded, render


@needs_corpus
def test_corpus_yields_the_reviewed_expectations():
    expected, actual = recorded(), render(current())
    if expected != actual:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "corpus-expectations.tsv (reviewed)", "mailaudit today", n=0))
        pytest.fail("what the corpus yields changed; review the diff, then regenerate with\n"
                    "  MAILAUDIT_BIN=$PWD/.build/debug/mailaudit python3 Tests/oracles/corpus_expectations.py --write\n\n" + diff)


@needs_corpus
def test_a_walk_over_the_corpus_is_not_misread():
    """Files that share a name or look with a mail config are skipped, never parsed as one: Cyrus SASL's
    smtpd.conf, compose files, and the mail settings of applications mailaudit has no format for
    (webmail, forges, CMSs: PHP arrays and YAML of their own). The applications it has a format for
    are read as theirs, and only their own files: Gogs' app.ini (Gitea's ancestor, another mailer),
    Mailu's webmail templates outside a `domains/` folder and RainLoop's installer template
    `default.ini.dist` are skipped."""
    table = current()
    not_formats = ("cyrus-sasl/", "compose/")
    own = {"roundcube/": "roundcube", "nextcloud/": "nextcloud", "wordpress/": "wordpress",
           "gitea/": "gitea", "grafana/": "grafana", "snappymail/": "snappymail", "gitlab/": "gitlab"}
    # The PHP applications' files are read as their own format or skipped (samples, templates).
    may_skip = ("roundcube/", "nextcloud/", "wordpress/")
    not_own = ("gitea/gogs__gogs/", "snappymail/Mailu__Mailu/", "snappymail/RainLoop__rainloop-webmail/rainloop/v/0.0.0/app/domains/default.ini.dist")
    for path, (how, _, errors) in table.items():
        if path.startswith(may_skip):
            kind = next(k for k in may_skip if path.startswith(k))
            assert how in (own[kind], "skipped") and errors == "-", f"{path}: read as {how}: {errors}"
            continue
        if path.startswith(not_formats + not_own) or path.endswith("-compose.yaml"):
            assert how == "skipped" and errors == "-", f"{path}: read as {how}: {errors}"
        for kind, format_id in own.items():
            if path.startswith(kind) and not path.startswith(not_own):
                assert how == format_id and errors == "-", f"{path}: read as {how}: {errors}"
