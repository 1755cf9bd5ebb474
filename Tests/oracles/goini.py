"""go-ini, as Gitea and Grafana read their INI files, on top of Python's `configparser`.

`configparser` is the independent reader; go-ini's rules that differ from it are applied here, each
for a reason written beside it:
- keys and section names are case-sensitive (configparser lower-cases keys): `optionxform = str`;
- keys before the first section belong to go-ini's DEFAULT section, which no other section inherits
  from (configparser refuses such a file, and its DEFAULT feeds every section): the file is read
  with a first header of its own and `default_section` set to a name no file uses;
- a section or key written twice is merged, the last value winning (configparser's `strict` fails);
- an indented line is a line of its own (configparser continues the previous value with it): lines
  are dedented first;
- an unquoted value ends at the first `#` or `;` anywhere (configparser's inline comments need a
  space before them): cut here;
- a value wrapped in `"…"` or `'…'` (exactly two of that quote), in backticks or in `\"\"\"` loses
  them (configparser keeps them);
- no interpolation (go-ini's `%(KEY)s` is not Python's `%(key)s`): such a value, a template
  placeholder (`{{ }}`, `{% %}`) and an environment variable filled in later (`${VAR}`, Grafana's
  `$__env{}`/`$__file{}`) are unknown (None), as they are to mailaudit;
- Jinja tag lines (`{% if %}`) are not settings; a setting between `{% if %}` and `{% endif %}` is
  unknown, since the rendered file may not have it.
Gitea ignores a trailing backslash (`IgnoreContinuation`); Grafana's go-ini continues the value on
the next line, which no file here does.
"""
import configparser
import re

TOP = "\x00top"
UNKNOWN_MARKERS = ("{{", "{%", "${", "$__env{", "$__file{", "$__vault{", "%(")


def _jinja_directive(line):
    t = line.strip()
    if len(t) < 4:
        return None
    if t.startswith("{#") and t.endswith("#}"):
        return "other"
    if t.startswith("{{") and t.endswith("}}") and t.count("{{") == 1:
        return "other"
    if not (t.startswith("{%") and t.endswith("%}")):
        return None
    if t.count("{%") != 1:
        return "other"
    inner = t[2:-2].strip("-+ \t")
    word = re.match(r"[A-Za-z_]*", inner).group(0)
    if word in ("if", "for", "macro", "block", "call", "filter", "with", "raw", "autoescape"):
        return "open"
    if word == "set":
        return "other" if "=" in inner else "open"
    if word in ("elif", "else"):
        return "middle"
    return "close" if word.startswith("end") else "other"


def _go_value(raw):
    v = raw.strip()
    if v.startswith('"""') and len(v) > 3:
        end = v.rfind('"""', 3)
        return v[3:end] if end >= 3 else v[3:]
    if v.startswith("`"):
        end = v.rfind("`", 1)
        return v[1:end] if end >= 1 else v[1:]
    cut = re.search(r"[#;]", v)
    if cut:
        v = v[:cut.start()].rstrip()
    for q in ('"', "'"):
        if len(v) >= 2 and v.startswith(q) and v.endswith(q) and v.count(q) == 2:
            v = v[1:-1]
    return v


def read(text, section):
    """{key: value or None (unknown)} of one section as go-ini reads it; None when it is not written."""
    lines, conditional, depth, open_tag = [], set(), 0, None
    for line in text.splitlines():
        if open_tag:  # inside a tag that goes on over several lines
            tag_close, tag_text = open_tag
            tag_text += " " + line
            lines.append("")
            if tag_close in line:
                open_tag = None
                d = _jinja_directive(tag_text)
                depth = max(depth + {"open": 1, "close": -1}.get(d, 0), 0)
            else:
                open_tag = (tag_close, tag_text)
            continue
        for tag_open, tag_close in (("{{", "}}"), ("{%", "%}"), ("{#", "#}")):
            at = line.rfind(tag_open)
            if at >= 0 and tag_close not in line[at:]:
                open_tag = (tag_close, line.strip())
                break
        if open_tag and "=" not in line:
            lines.append("")  # `{#` or `{% if x` opening a tag on the next lines
            continue
        d = _jinja_directive(line)
        if d is not None:
            depth += {"open": 1, "close": -1}.get(d, 0)
            depth = max(depth, 0)
            lines.append("")  # keep line numbers
            continue
        stripped = line.strip()
        if "{{" in stripped.split("=")[0]:
            lines.append("")  # `{{ k }} = {{ v }}`: a key only the template knows
            continue
        if stripped and not stripped.startswith(("#", ";", "[")) and "=" not in stripped and ":" not in stripped:
            lines.append("")  # a placeholder line that renders into settings we cannot see
            continue
        if depth > 0 and stripped and not stripped.startswith(("#", ";", "[")):
            conditional.add(len(lines))
            lines.append(stripped + "\x00cond")
            continue
        lines.append(stripped)
    cp = configparser.ConfigParser(interpolation=None, strict=False, default_section="\x00none",
                                   delimiters=("=", ":"), comment_prefixes=("#", ";"), empty_lines_in_values=False)
    cp.optionxform = str
    cp.read_string(f"[{TOP}]\n" + "\n".join(lines))
    if not cp.has_section(section):
        return None
    out = {}
    for key, raw in cp.items(section):
        cond = raw.endswith("\x00cond")
        raw = raw[:-5] if cond else raw
        value = _go_value(raw)
        if cond or any(m in raw for m in UNKNOWN_MARKERS):
            value = None
        out[key] = value
    return out


def go_bool(text, fallback=False):
    """go-ini MustBool: strconv.ParseBool's spellings and go-ini's own, else the fallback."""
    if text in ("1", "t", "T", "true", "TRUE", "True", "YES", "yes", "Yes", "y", "ON", "on", "On"):
        return True
    if text in ("0", "f", "F", "false", "FALSE", "False", "NO", "no", "No", "n", "OFF", "off", "Off"):
        return False
    return fallback


def split_host_port(text):
    """Go's net.SplitHostPort: (host, port), 'missing' or 'invalid'."""
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            return "invalid"
        rest = text[close + 1:]
        if rest == "":
            return "missing"
        if not rest.startswith(":") or ":" in rest[1:]:
            return "invalid"
        return text[1:close], rest[1:]
    if ":" not in text:
        return "missing"
    host, _, port = text.rpartition(":")
    if ":" in host or "[" in host or "]" in host:
        return "invalid"
    return host, port
