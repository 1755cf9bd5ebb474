"""A directory walk over a typical server tree reads the mail configurations by name, and nothing else.

The tree is built from real files of the corpus: /etc with Postfix, Dovecot, GitLab and a Cyrus
SASL `smtpd.conf`; /var/www with Roundcube, Nextcloud and WordPress; a docker-compose project with
Gitea and Grafana. Decoys sit beside them: another application's `config.php`, another program's
`app.ini`, a Grafana `custom.ini` without `[smtp]`, a gem's `lib/gitlab.rb`, the compose file and
files no format reads. `mailaudit model` says which file was read as which format; `mailaudit lint
--format json` counts what the walk passed over (`summary.skipped`) and must not complain about
any of it.

The web applications' formats arrive one by one. An expectation whose format is not registered in
the binary under test is held to what a walk does with an unknown file (skipped, read as nothing
else); once the format is registered, its file must be read as that format.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from reference_corpus import CORPUS

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MAILAUDIT_BIN") or str(ROOT / ".build" / "debug" / "mailaudit")

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="the third-party corpus is not there (MAILAUDIT_CORPUS)")

# place in the tree -> (corpus file, the format that must read it)
REAL = {
    "etc/postfix/main.cf": ("postfix/Mailu__Mailu/core/postfix/conf/main.cf", "postfix"),
    "etc/dovecot/dovecot.conf": ("dovecot/Mailu__Mailu/core/dovecot/conf/dovecot.conf", "dovecot"),
    "etc/gitlab/gitlab.rb": ("gitlab/charandas__gitlab-config/gitlab.rb", "gitlab"),
    "var/www/roundcube/config/config.inc.php": ("roundcube/Mailu__Mailu/webmails/roundcube/config/config.inc.php", "roundcube"),
    "var/www/nextcloud/config/config.php": ("nextcloud/theking2__srv-nas-pi/containers/nextcloud/config.php", "nextcloud"),
    "var/www/wordpress/wp-config.php": ("wordpress/kainosinnovative__Kainoswebsitebackup/wp-config.php", "wordpress"),
    "srv/forge/gitea/gitea/conf/app.ini": ("gitea/gmarxcc__gitea-old/data/gitea/conf/app.ini", "gitea"),
    "srv/forge/grafana/grafana.ini": ("grafana/Moomers__purr.services/config/grafana/grafana.ini", "grafana"),
}

# Files that belong to a setup read above and are not read on their own.
PARTS = {
    "etc/postfix/master.cf": "postfix/Mailu__Mailu/core/postfix/conf/master.cf",
}

# place in the tree -> corpus file, or text; none of them is a mail configuration mailaudit reads.
DECOYS = {
    # Cyrus SASL's smtpd.conf (pwcheck_method: …) is not OpenSMTPD's.
    "etc/sasl2/smtpd.conf": "cyrus-sasl/david-hill__binarystorm/etc/sasl2/smtpd.conf",
    "etc/postfix/sasl/smtpd.conf": "cyrus-sasl/kiwi-cam__postfixmta/etc/postfix/sasl/smtpd.conf",
    # A compose file is YAML that is neither mailaudit's own nor Spring's.
    "srv/forge/docker-compose.yml": "compose/Mailu__Mailu/docs/compose/docker-compose.yml",
    # Another PHP application's config.php and config.inc.php.
    "var/www/shop/config.php": "<?php\n$config = array();\n$config['db_host'] = 'localhost';\n$config['db_user'] = 'shop';\n$config['theme'] = 'default';\nreturn $config;\n",
    "var/www/shop/includes/config.inc.php": "<?php\ndefine('DB_SERVER', 'localhost');\ndefine('HTTP_SERVER', 'https://shop.example.org');\n",
    # Another program's app.ini (Gitea's needs [mailer] or its own sections).
    "srv/forge/otherapp/app.ini": "[server]\nport = 8080\n\n[database]\nhost = db\nname = app\n",
    # Grafana's custom.ini without [smtp].
    "srv/forge/grafana/custom.ini": "[server]\nhttp_port = 3000\n\n[auth.anonymous]\nenabled = true\n",
    # A gem's lib/gitlab.rb is Ruby, not Omnibus's gitlab.rb.
    "usr/lib/ruby/vendor_ruby/gitlab.rb": "# frozen_string_literal: true\n\nrequire 'gitlab/version'\n\nmodule Gitlab\n  def self.client(options = {})\n    Gitlab::Client.new(options)\n  end\nend\n",
    "etc/hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost\n",
    "var/www/wordpress/index.php": "<?php\ndefine( 'WP_USE_THEMES', true );\nrequire __DIR__ . '/wp-blog-header.php';\n",
    "srv/forge/gitea/README.md": "# Forge\n\nGitea and Grafana for the team.\n",
}


def registered_formats():
    """The format ids of the binary under test (its error message for an unknown `--as` lists them)."""
    out = subprocess.run([BIN, "model", "--as", "no-such-format", "x"], capture_output=True, text=True, timeout=60)
    found = re.search(r"formats: (.*)", out.stderr)
    assert found, f"no list of formats in: {out.stderr}"
    return {f.strip() for f in found.group(1).split(",")}


def build_tree(base):
    for place, (source, _) in REAL.items():
        target = base / place
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / source, target)
    for place, source in PARTS.items():
        shutil.copyfile(CORPUS / source, base / place)
    for place, source in DECOYS.items():
        target = base / place
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.startswith(("<?php", "[", "#", "127.")) or "\n" in source:
            target.write_text(source)
        else:
            shutil.copyfile(CORPUS / source, target)


def run(base, *args):
    out = subprocess.run([BIN, *args, "."], cwd=base, capture_output=True, text=True, timeout=300)
    assert out.returncode in (0, 1, 2), f"mailaudit {' '.join(args)} crashed ({out.returncode}): {out.stderr}"
    return json.loads(out.stdout)


def relative(path):
    return str(path)[2:] if str(path).startswith("./") else str(path)


def test_walk_reads_the_mail_configurations_and_nothing_else(tmp_path):
    build_tree(tmp_path)
    formats = registered_formats()
    expected = {(place, fmt) for place, (_, fmt) in REAL.items() if fmt in formats}
    pending = sorted(place for place, (_, fmt) in REAL.items() if fmt not in formats)

    model = run(tmp_path, "model")
    read = {(relative(s["path"]), s["format"]) for s in model["setups"]}
    assert read == expected, (
        f"read as: {sorted(read)}\nexpected: {sorted(expected)}\n"
        f"(formats not registered yet, so their files are expected to be skipped: {pending})")

    lint = run(tmp_path, "lint", "--format", "json")
    complained = {relative(e["path"]) for e in lint["errors"]}
    assert not complained & (set(DECOYS) | set(pending)), f"a skipped file got an error: {lint['errors']}"
    # Every decoy and every file whose format is not registered yet is passed over; so is master.cf
    # as a file of its own (`skipped` counts what the walk did not lint by itself: main.cf's setup reads it).
    assert lint["summary"]["skipped"] == len(DECOYS) + len(pending) + len(PARTS), (
        f"skipped {lint['summary']['skipped']}, expected {len(DECOYS)} decoys + {len(pending)} pending {pending} + {len(PARTS)} parts")
    # ... and read with it: this master.cf's services have findings of their own.
    assert {relative(f["path"]) for f in lint["findings"]} >= set(PARTS), "master.cf was not read with main.cf"
