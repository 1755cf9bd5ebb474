#!/usr/bin/env python3
"""Writes Fuzz/dictionaries/<format>.dict, the libFuzzer dictionary of each format.

The words are the string literals the format's parser compares input against: those of the
Swift files in the format's folder (Formats/<Name>/, the one whose `FormatDescription` declares the id
and its siblings) and of the shared readers it uses
(INILexer, KeywordLines, XMLTree, …), plus a few syntax tokens per format listed below, plus
what every format goes through: inline suppression comments and line endings.
libFuzzer cannot see Swift string comparisons, so without these words it rarely builds a
keyword byte by byte. Run it after a parser learns new keywords: scripts/generate-fuzz-dictionaries.py
"""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
FORMATS = ROOT / "Sources/MailAuditFormats/Formats"
SHARED = ROOT / "Sources/MailAuditFormats/Shared"
OUT = ROOT / "Fuzz/dictionaries"

# Read in every format: the inline suppression scanner and the decoder.
COMMON = ["mailaudit: disable=", "mailaudit: disable-file=", " reason=\"", " until=2026-01-01", "\r\n", "\ufeff"]

# PHP as the PHP formats read it (Shared/PHP): tags, comments, strings, arrays, concatenation.
PHP = ["<?php\n", "?>", "<?=", "//", "#", "/*", "*/", "'", "\"", "\\'", "$", "{$", "=>", "array(", "[", "]",
       " . ", ";\n", "<<<EOT\n", "\nEOT;\n", "if (", ") {", "}", "else", "endif;", "getenv(", "true", "false", "null"]

# Syntax the literals do not spell out (XML markup, section brackets, includes).
EXTRA = {
    "autoconfig": ['<?xml version="1.0"?>', "<", "</", "/>", ">", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#"],
    "autodiscover": ['<?xml version="1.0" encoding="utf-8"?>', "<", "</", "/>", ">", "<!--", "-->", "{", "}", "\":\""],
    "mobileconfig": ['<?xml version="1.0" encoding="UTF-8"?>', "<plist>", "<dict>", "</dict>", "<key>", "</key>",
                     "<string>", "</string>", "<array>", "</array>", "<integer>", "<true/>", "<false/>", "<", "</"],
    "postfix": ["\n ", " = ", "$", "${", "}", "-o ", "inet", "unix"],
    "dovecot": [" {\n", "}\n", " = ", "!include ", "!include_try ", "$", "%{", "<"],
    "exim": ["begin ", ".include ", ".ifdef ", ".endif", "${", "}", " = ", "\\\n"],
    "opensmtpd": ["listen on ", "table ", "action ", "match ", " port ", "<", ">", "\\\n"],
    "mutt": ["set ", "source ", "account-hook ", "folder-hook ", "\"", "'", "`", "\\\n"],
    "dotenv": ["=", "export ", "\"", "'", "${", "}", "#"],
    "django": ["=", "\"", "'", "#"],
    "gitlab": ["gitlab_rails['", "'] = ", "external_url '", "\"", "'", "#{", "}", "<<~EOS\n", "\nEOS\n", "%w(", "%q[",
               "\n=begin\n", "\n=end\n", "=>", "::", "if ", "\nend\n", " do\n", "\\\n", "{% if x %}\n", "{% endif %}\n", "__END__\n"],
    "spring": [": ", "=", "\n  ", "---\n", "${", "}"],
    "mailaudit-yaml": ["mailaudit: 1\n", ": ", "\n  ", "- ", "---\n", "&a ", "*a", "!!str "],
    "thunderbird": ['user_pref("', 'pref("', '", ', ");\n", "true", "false", "//", "/*", "*/"],
    "offlineimap": ["[", "]", " = ", "%(", ")s"],
    "getmail": ["[", "]", " = ", "%(", ")s"],
    "gitconfig": ["[", "]", " = ", "[sendemail]", "[include]", "path = "],
    "aerc": ["[", "]", " = ", "://"],
    "msmtp": ["account ", "defaults", "account default : ", "\"", "\\\n"],
    "mbsync": ["IMAPAccount ", "IMAPStore ", "Channel ", "\"", "\n\n"],
    "fetchmail": ["poll ", "defaults ", "\"", "'", ";"],
    "roundcube": PHP + ["$config['", "$config = [", "'ssl' => [", "ssl://", "tls://", "%u", "%p"],
    "nextcloud": PHP + ["$CONFIG = array (", "$CONFIG['", "'ssl' => array ("],
    "wordpress": PHP + ["define( '", "', ", " );", "WPMS_"],
    "gitea": ["[", "]", " = ", "[mailer]", "`", "\"\"\"", "{{ ", " }}", "{% if x %}\n", "{% endif %}\n"],
    "grafana": ["[", "]", " = ", "[smtp]", "\"\"\"", "${", "$__env{", "$__file{", "}"],
    "snappymail": ["{", "}", "[", "]", ": ", ", ", "\"", "\\u00", " = ", ";"],
}


def literals(path):
    """The short, single-line string literals of a Swift file, unescaped."""
    text = path.read_text()
    for match in re.finditer(r'(?<![#\\])"((?:[^"\\\n]|\\.)*)"', text):
        raw = match.group(1)
        if "\\(" in raw or not raw:
            continue
        value = raw.encode().decode("unicode_escape", errors="ignore") if "\\" in raw else raw
        if len(value) > 40 or value.count(" ") > 2 or not value.isprintable() and value not in ("\n", "\t"):
            continue
        yield value


def files_for(folder):
    own = sorted(folder.rglob("*.swift"))
    text = "".join(p.read_text() for p in own)
    shared = sorted(p for p in SHARED.rglob("*.swift") if "+" not in p.stem and p.stem != "FormatDescription" and re.search(r"\b" + p.stem + r"\b", text))
    return own + shared


def escape(word):
    out = []
    for byte in word.encode():
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\x{byte:02X}")
    return '"' + "".join(out) + '"'


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir()):
        found = re.search(r'static let description = FormatDescription\(\s*id: "([^"]+)"', "".join(p.read_text() for p in files_for(folder)))
        if not found:
            continue
        format_id = found.group(1)
        words = set(EXTRA.get(format_id, []) + COMMON)
        for source in files_for(folder):
            words.update(literals(source))
        lines = [f"# {format_id}: generated by scripts/generate-fuzz-dictionaries.py from "
                 + ", ".join(p.name for p in files_for(folder)) + "; do not edit"]
        lines += [escape(w) for w in sorted(words)]
        (OUT / f"{format_id}.dict").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
