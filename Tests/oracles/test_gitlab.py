"""Differential tests for the gitlab format: Ruby's reading of gitlab.rb against `mailaudit model`.

The oracle is gitlab_settings.rb (Debian `ruby` and `ruby-mail`): Ruby's own parser finds the
top-level `gitlab_rails['key'] = value` statements, Ruby evaluates the literal ones into hashes that
stand in for Omnibus's settings objects, and the smtp_* settings go to the mailer (mail and net-smtp)
the way Omnibus's smtp_settings.rb passes them, which builds its SMTP session without connecting.
The session's host, port, TLS mode and certificate check, and whether it logs in, are compared with
our endpoint on every corpus file of the kind, the Examples and the variants below.

Why running Ruby on third-party files is safe enough here: Ruby parses the file, and evaluates only
top-level assignments whose value is a literal (no method of the file is called, no ENV or File is
read); it runs on a copy in a temporary folder, without network (`unshare -n` as root), and with a
time limit. A Jinja template (`gitlab.rb.j2`) is turned into Ruby of the same structure first.

mail_room (the IMAP reader of `incoming_email_*`) is not packaged; its defaults are GitLab's
(lib/gitlab/mail_room.rb: port 143, no TLS) and the IMAP endpoints are compared with the settings
Ruby read.
"""
import json
import pathlib
import shutil
import subprocess

import pytest

from conftest import ROOT, at_least, corpus_files, model, require_program, run_isolated

ORACLE = pathlib.Path(__file__).with_name("gitlab_settings.rb")

VARIANTS = {
    "defaults": "gitlab_rails['smtp_enable'] = true\n",
    "implicit-default-port": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_address'] = 'mail.example.net'\ngitlab_rails['smtp_tls'] = true\n",
    "starttls-off": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_address'] = \"h.example\"\ngitlab_rails['smtp_enable_starttls_auto'] = false\n",
    "both-refused": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_tls'] = true\ngitlab_rails['smtp_enable_starttls_auto'] = true\n",
    "ssl-and-string-port": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_ssl'] = true\ngitlab_rails['smtp_port'] = '465'\n",
    "verify-modes": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_openssl_verify_mode'] = 'client_once'\n",
    "verify-constant": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_openssl_verify_mode'] = OpenSSL::SSL::VERIFY_NONE\n",
    "verify-symbol": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_openssl_verify_mode'] = :none\n",
    "verify-unknown-name": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_openssl_verify_mode'] = 'strict'\n",
    "user-only": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_user_name'] = 'gitlab'\n",
    "auth-cram": "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_user_name'] = 'u'\ngitlab_rails['smtp_password'] = 'p'\ngitlab_rails['smtp_authentication'] = :cram_md5\n",
    "disabled": "gitlab_rails['smtp_enable'] = false\ngitlab_rails['smtp_address'] = 'smtp.example.com'\n",
    "absent": "external_url 'http://gitlab.example.com'\ngitlab_rails['smtp_address'] = 'smtp.example.com'\n",
    "truthy-string": "gitlab_rails['smtp_enable'] = 'false'\ngitlab_rails[:smtp_tls] = 'no'\ngitlab_rails['smtp_address'] = 'h'\n",
    "literals": (
        "=begin\ngitlab_rails['smtp_address'] = 'in a comment'\n=end\n"
        "gitlab_rails['ldap_servers'] = YAML.load <<-'EOS'\n  main:\n    gitlab_rails['smtp_port'] = 1\nEOS\n"
        "gitlab_rails['smtp_enable'] = (true)\n"
        "gitlab_rails['smtp_address'] =\n  'smtp.' \\\n  \"example\" + '.com'\n"
        "gitlab_rails['smtp_port'] = 0x1d1\ngitlab_rails['smtp_tls'] = %q(yes)\n"
        "gitlab_rails['env'] = { \"A\" => [1, 2.5, :b, nil], c: { 'd' => true } }\n"
        "gitlab_rails['smtp_domain'] = \"#{ENV['HOSTNAME']}\"\n"
        "__END__\ngitlab_rails['smtp_port'] = 25\n"
    ),
    "conditional": (
        "gitlab_rails['smtp_enable'] = true\ngitlab_rails['smtp_address'] = 'a.example.com'\n"
        "if ENV['PROD']\n  gitlab_rails['smtp_address'] = 'b.example.com'\nend\n"
        "gitlab_rails['smtp_port'] = 465 if ENV['SSL']\n"
        "unless x\n  gitlab_rails['smtp_user_name'] = 'u'\nend\ngitlab_rails['smtp_user_name'] = 'v'\n"
        "%w[a].each { |k| gitlab_rails['smtp_tls'] = true }\n"
    ),
    "computed": (
        "gitlab_rails['smtp_enable'] = ENV.fetch('SMTP', 'true') == 'true'\n"
        "gitlab_rails['smtp_address'] = ENV['SMTP_HOST']\ngitlab_rails['smtp_port'] = ENV.fetch('SMTP_PORT', '587').to_i\n"
        "gitlab_rails['smtp_password'] = File.read('/run/secrets/smtp')\ngitlab_rails['smtp_openssl_verify_mode'] = ENV['MODE']\n"
    ),
    "incoming": (
        "gitlab_rails['incoming_email_enabled'] = true\ngitlab_rails['incoming_email_address'] = 'in+%{key}@example.com'\n"
        "gitlab_rails['incoming_email_email'] = 'in@example.com'\ngitlab_rails['incoming_email_password'] = 'pw'\n"
        "gitlab_rails['incoming_email_host'] = 'imap.example.com'\n"
        "gitlab_rails['service_desk_email_enabled'] = true\ngitlab_rails['service_desk_email_address'] = 'desk+%{key}@example.com'\n"
        "gitlab_rails['service_desk_email_host'] = 'imap.example.com'\ngitlab_rails['service_desk_email_port'] = 993\n"
        "gitlab_rails['service_desk_email_ssl'] = true\n"
    ),
}


def require_mail_gem(ruby):
    if subprocess.run([ruby, "-e", "require 'mail'"], capture_output=True).returncode == 0:
        return
    if __import__("os").environ.get("CI") == "true":
        pytest.fail("Ruby's mail library is not installed (ruby-mail in scripts/apt-packages.txt)")
    pytest.skip("Ruby's mail library (Debian ruby-mail) is not installed")


def ruby_view(path, tmp_path):
    """What Ruby and GitLab's mailer read from a copy of the file."""
    ruby = require_program("ruby")
    require_mail_gem(ruby)
    work = tmp_path / "oracle"
    work.mkdir(exist_ok=True)
    copy = work / path.name
    shutil.copyfile(path, copy)
    out = run_isolated([ruby, str(ORACLE), str(copy)], cwd=work)
    assert out.returncode == 0, f"{path}: {out.stderr}"
    view = json.loads(out.stdout)
    assert "syntax_error" not in view, f"{path}: Ruby cannot parse it: {view['syntax_error']}"
    return view


TLS = {"implicit": ("implicit", True), "starttls-opportunistic": ("starttls", False),
       "starttls-required": ("starttls", True), "none": ("none", False)}


def expect_smtp(smtp):
    host = smtp["address"] if smtp["address"] not in ("unknown", "") else None
    port = smtp["port"]
    if isinstance(port, str):
        port = int(port) if port.isdigit() and 0 < int(port) < 65536 else None
    tls, required = TLS.get(smtp["tls"], (None, None))
    verify = smtp["verify_mode"]
    verify = None if verify in ("unknown", "rejected", None) or tls == "none" else bool(verify & 1)
    auth = smtp["auth"]
    auth = None if auth == "unknown" else [] if auth is None else ["oauth2" if auth == "xoauth2" else auth.replace("_", "-")]
    return dict(host=host, port=port, tls=tls, tlsRequired=required, verifyCertificate=verify, auth=auth)


def expect_imap(view, mailbox):
    """mail_room's connection for one mailbox (GitLab's defaults), or None when it makes none."""
    s, unknown = view["settings"], set(view["unknown"])

    def get(key, default=None):
        name = f"{mailbox}_{key}"
        return "unknown" if name in unknown else s.get(name, default)

    enabled, address = get("enabled"), get("address")
    if enabled in (None, False) or address in (None, "") or get("inbox_method", "imap") not in ("imap", "unknown"):
        return None
    ssl, start = get("ssl"), get("start_tls")
    if ssl == "unknown" or (start == "unknown" and ssl in (None, False)):
        tls = None
    elif ssl not in (None, False):
        tls = "implicit"
    elif start not in (None, False):
        tls = "starttls"
    else:
        tls = "none"
    host = get("host")
    port = get("port", 143)
    return dict(host=None if host in ("unknown", "") else host, port=None if port == "unknown" else int(port), tls=tls)


def ours(path):
    result = model(path, "gitlab")
    return [e for s in result["setups"] for e in s["endpoints"]]


def compare(path, tmp_path):
    """Compares one file; returns the number of fields compared."""
    view = ruby_view(path, tmp_path)
    endpoints = ours(path)
    compared = 0
    smtp = [e for e in endpoints if e.get("account") == "gitlab_rails"]
    if "smtp" not in view:
        assert smtp == [], f"{path}: GitLab sends through sendmail here, we modelled {smtp}"
    else:
        assert len(smtp) == 1, f"{path}: {endpoints}"
        for field, want in expect_smtp(view["smtp"]).items():
            assert smtp[0].get(field) == want, f"{path}: {field} is {smtp[0].get(field)!r}, Ruby and the mailer say {want!r}"
            compared += 1
    for mailbox in ("incoming_email", "service_desk_email"):
        want = expect_imap(view, mailbox)
        got = [e for e in endpoints if e.get("account") == mailbox]
        if want is None:
            assert got == [], f"{path}: mail_room reads no {mailbox} mailbox, we modelled {got}"
            continue
        assert len(got) == 1, f"{path}: {endpoints}"
        for field, value in want.items():
            assert got[0].get(field) == value, f"{path}: {mailbox} {field} is {got[0].get(field)!r}, expected {value!r}"
            compared += 1
    return compared


def example_files():
    return sorted((ROOT / "Examples" / "gitlab").rglob("gitlab.rb*"))


def test_corpus_against_ruby(tmp_path):
    files = corpus_files("gitlab")
    files = [f for f in files if f.name.startswith("gitlab.rb")]
    compared = sum(compare(f, tmp_path) for f in files + example_files())
    print(f"{len(files)} corpus files and {len(example_files())} Examples: {compared} fields compared")
    assert compared >= at_least(40, 12)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_against_ruby(name, tmp_path):
    d = tmp_path / name
    d.mkdir()
    path = d / "gitlab.rb"
    path.write_text(VARIANTS[name])
    compare(path, tmp_path)


def test_refused_settings_are_problems(tmp_path):
    """Where GitLab's mailer refuses the settings, the field is unknown and the file has a problem."""
    for name, field in [("both-refused", "tls"), ("verify-symbol", "verifyCertificate"), ("verify-unknown-name", "verifyCertificate")]:
        path = tmp_path / name / "gitlab.rb"
        path.parent.mkdir()
        path.write_text(VARIANTS[name])
        result = model(path, "gitlab")
        assert result["errors"], f"{name}: no problem reported"
        assert ours(path)[0][field] is None
