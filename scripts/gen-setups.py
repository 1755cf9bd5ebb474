#!/usr/bin/env python3
"""Generate N deterministic native-YAML mailaudit setups for benchmarking.

    scripts/gen-setups.py [--clean] [--seed S] N DIR

Writes DIR/setup-00001.mailaudit.yml ... DIR/setup-NNNNN.mailaudit.yml in the
native format (see the README). Each file has 2-5 accounts (incoming
imap/pop3 + outgoing smtp) and, in about 30% of the files, a server with
listeners; about 1.2 KB a file on average.

Default mode: mostly secure settings, with a minority of insecure ones
(tls: none, port 25 submission, tls_required: false, inline password:,
verify_certificate: false, old min_tls_version, ...), so lint finds things.

--clean: every endpoint uses implicit TLS (IMAP 993, SMTP 465), auth [plain],
password_command, verify_certificate: true, min_tls_version "1.2",
content_encryption: always; server listeners are implicit TLS with
authentication required. Used to show that memory does not grow with the
number of clean files.

File i depends only on (seed, mode, i), not on N, so the first K files of a
run with N > K are identical to a run with K.
"""

import argparse
import os
import random
import sys

WORDS = [
    "office", "home", "work", "personal", "support", "billing", "sales", "ops",
    "alerts", "newsletter", "team", "lab", "legal", "hr", "dev", "noreply",
    "archive", "family", "club", "board",
]
DOMAINS = [
    "example.com", "example.org", "example.net", "mail.test", "corp.example",
    "school.example", "shop.example", "isp.example",
]


def q(s):
    """Double-quoted YAML scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def endpoint_lines(lines, key, ep, indent, as_flow=False):
    pad = " " * indent
    if as_flow:
        lines.append(f"{pad}{key}: {flow(ep)}")
        return
    lines.append(f"{pad}{key}:")
    pad2 = " " * (indent + 2)
    for k, v in ep:
        lines.append(f"{pad2}{k}: {v}")


def flow(items):
    return "{ " + ", ".join(f"{k}: {v}" for k, v in items) + " }"


def secret_lines(rng, name, clean):
    if clean:
        return [("password_command", q(f"pass show mail/{name}"))]
    r = rng.random()
    if r < 0.10:
        return [("password", q("".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(12))))]
    if r < 0.22:
        return [("keyring", "true")]
    return [("password_command", q(f"pass show mail/{name}"))]


def incoming(rng, name, domain, clean):
    ep = []
    if clean:
        ep += [("protocol", "imap"), ("host", f"imap.{domain}"), ("port", "993"),
               ("tls", "implicit"),
               ("verify_certificate", "true"), ("min_tls_version", q("1.2")),
               ("auth", "[plain]")]
        ep += secret_lines(rng, name, True)
        return ep
    proto = "imap" if rng.random() < 0.8 else "pop3"
    host = f"{proto}.{domain}"
    implicit_port, starttls_port = (993, 143) if proto == "imap" else (995, 110)
    r = rng.random()
    if r < 0.70:
        tls, port = "implicit", implicit_port
    elif r < 0.88:
        tls, port = "starttls", starttls_port
    elif r < 0.95:
        tls, port = "none", starttls_port
    else:
        tls, port = "none", implicit_port      # plaintext on an implicit-TLS port
    ep += [("protocol", proto), ("host", host)]
    if rng.random() < 0.85:
        ep.append(("port", str(port)))
    ep.append(("tls", tls))
    if tls == "starttls" and rng.random() < 0.3:
        ep.append(("tls_required", "false"))
    elif tls != "none" and rng.random() < 0.4:
        ep.append(("tls_required", "true"))
    if tls != "none":
        if rng.random() < 0.06:
            ep.append(("verify_certificate", "false"))
        elif rng.random() < 0.3:
            ep.append(("verify_certificate", "true"))
        r = rng.random()
        if r < 0.05:
            ep.append(("min_tls_version", q("1.0")))
        elif r < 0.55:
            ep.append(("min_tls_version", q(rng.choice(["1.2", "1.2", "1.3"]))))
    ep.append(("auth", rng.choice(["[plain]", "[plain]", "[login]", "[oauth2]", "plain", "[cram-md5]"])))
    ep += secret_lines(rng, name, False)
    return ep


def outgoing(rng, name, domain, clean):
    ep = []
    if clean:
        ep += [("protocol", "smtp"), ("host", f"smtp.{domain}"), ("port", "465"),
               ("tls", "implicit"),
               ("verify_certificate", "true"), ("min_tls_version", q("1.2")),
               ("auth", "[plain]")]
        ep += secret_lines(rng, name, True)
        return ep
    r = rng.random()
    if r < 0.60:
        tls, port = "implicit", 465
    elif r < 0.85:
        tls, port = "starttls", 587
    elif r < 0.93:
        tls, port = "starttls", 25              # submission on the relay port
    else:
        tls, port = "none", rng.choice([25, 587])
    ep += [("protocol", "smtp"), ("host", f"smtp.{domain}")]
    if rng.random() < 0.9:
        ep.append(("port", str(port)))
    ep.append(("tls", tls))
    if tls == "starttls" and rng.random() < 0.3:
        ep.append(("tls_required", "false"))
    elif tls != "none" and rng.random() < 0.3:
        ep.append(("tls_required", "true"))
    if tls != "none":
        if rng.random() < 0.05:
            ep.append(("verify_certificate", "false"))
        if rng.random() < 0.4:
            ep.append(("min_tls_version", q(rng.choice(["1.2", "1.2", "1.3", "1.1"]))))
    ep.append(("auth", rng.choice(["[plain]", "[login]", "[plain, login]", "[oauth2]"])))
    if rng.random() < 0.5:
        ep += secret_lines(rng, name, False)
    return ep


def listeners(rng, clean):
    if clean:
        out = [[("protocol", "imap"), ("port", "993"), ("tls", "implicit"),
                ("auth", "[plain]"), ("plaintext_auth", "false"), ("require_auth", "true")],
               [("protocol", "smtp"), ("port", "465"), ("tls", "implicit"),
                ("auth", "[plain]"), ("plaintext_auth", "false"), ("require_auth", "true")]]
        return out
    out = []
    if rng.random() < 0.7:
        out.append([("protocol", "smtp"), ("port", "25"), ("tls", "starttls"),
                    ("tls_required", "false")])
    sub = [("protocol", "smtp"), ("port", "587"), ("tls", "starttls"), ("auth", "[plain, login]")]
    if rng.random() < 0.15:
        sub.append(("plaintext_auth", "true"))
    else:
        sub.append(("plaintext_auth", "false"))
    if rng.random() < 0.5:
        sub.append(("require_auth", "true"))
    out.append(sub)
    if rng.random() < 0.85:
        out.append([("protocol", "imap"), ("port", "993"), ("tls", "implicit")])
    else:
        out.append([("protocol", "imap"), ("port", "143"), ("tls", "none"),
                    ("auth", "[plain]"), ("plaintext_auth", "true")])
    if rng.random() < 0.3:
        out.append([("protocol", "pop3"), ("port", "995"), ("tls", "implicit")])
    return out


def make_setup(seed, index, clean):
    mode = "clean" if clean else "mixed"
    rng = random.Random(f"mailaudit-bench:{seed}:{mode}:{index}")
    lines = [f"# gen-setups {mode} {seed}/{index}", "mailaudit: 1", "accounts:"]
    n_accounts = rng.choices([2, 3, 4, 5], weights=[40, 35, 17, 8])[0]
    used = set()
    for a in range(n_accounts):
        while True:
            name = f"{rng.choice(WORDS)}-{rng.randint(1, 99)}"
            if name not in used:
                used.add(name)
                break
        domain = f"{rng.choice(['', 'eu.', 'us.', 'mx.'])}{rng.choice(DOMAINS)}"
        lines.append(f"  - name: {name}")
        # Block style mostly; flow mappings for some endpoints (both are common).
        endpoint_lines(lines, "incoming", incoming(rng, name, domain, clean), 4,
                       as_flow=rng.random() < 0.3)
        endpoint_lines(lines, "outgoing", outgoing(rng, name, domain, clean), 4,
                       as_flow=rng.random() < 0.5)
        if clean:
            lines.append("    content_encryption: always")
        elif rng.random() < 0.6:
            lines.append("    content_encryption: " +
                         rng.choice(["always", "always", "opportunistic", "per-message", "never"]))
    if rng.random() < 0.3:
        lines.append("servers:")
        lines.append(f"  - name: mx{rng.randint(1, 9)}")
        lines.append("    listeners:")
        for lst in listeners(rng, clean):
            lines.append("      - " + flow(lst))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clean", action="store_true", help="every file is clean (no findings expected)")
    ap.add_argument("--seed", default="1", help="seed (default 1)")
    ap.add_argument("n", type=int, help="number of files")
    ap.add_argument("dir", help="output directory (created if missing)")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("N must be at least 1")
    os.makedirs(args.dir, exist_ok=True)
    width = max(5, len(str(args.n)))
    total = 0
    for i in range(1, args.n + 1):
        text = make_setup(args.seed, i, args.clean).encode()
        total += len(text)
        path = os.path.join(args.dir, f"setup-{i:0{width}d}.mailaudit.yml")
        with open(path, "wb") as f:
            f.write(text)
    print(f"{args.n} files, {total} bytes, {total / args.n:.0f} bytes/file average -> {args.dir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
