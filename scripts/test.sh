#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need, builds, runs the Swift tests
# and the differential tests against the real programs (Tests/oracles).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=$(sed -e 's/#.*//' scripts/apt-packages.txt | tr -s ' \n' '\n' | grep -v '^$' || true)
missing=()
for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
  # Postfix asks how to configure itself unless told; its tests run it from a private directory.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections 2>/dev/null || true
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
python3 -c 'import jsonschema, pytest, yaml, pre_commit, dask.distributed, html5lib' 2>/dev/null || python3 -m pip install -q jsonschema pytest pyyaml pre-commit 'dask[distributed]' html5lib

# The third-party corpus of real configuration files, when a folder beside the clone holds one
# (corpus/SOURCES.tsv): the corpus tests read it from MAILAUDIT_CORPUS and are skipped without it.
if [ -z "${MAILAUDIT_CORPUS:-}" ]; then
  for candidate in ../*/corpus; do
    if [ -f "$candidate/SOURCES.tsv" ]; then export MAILAUDIT_CORPUS="$(cd "$candidate" && pwd)"; break; fi
  done
fi
echo "third-party corpus: ${MAILAUDIT_CORPUS:-none (the tests that need it are skipped)}"

# Exactly the dependency revisions Package.resolved pins: a stale file fails here, not re-resolved.
swift build --force-resolved-versions
set +e
swift test --force-resolved-versions 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Linking)'
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "swift test failed ($status)"; exit "$status"; }

# Dovecot 2.4's doveconf (Tests/oracles/test_dovecot.py): a Debian trixie chroot, from the
# mirror this machine's apt already uses (ORACLES.md §0.1). About 30 s and 250 MB, made once.
DOVECOT24_ROOT=${MAILAUDIT_DOVECOT24_ROOT:-/opt/dovecot24-root}
if [ ! -x "$DOVECOT24_ROOT/usr/bin/doveconf" ] && [ "$(id -u)" = 0 ]; then
  command -v mmdebstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  rm -rf "$DOVECOT24_ROOT"
  mmdebstrap --quiet --variant=apt \
    --include=dovecot-core,dovecot-imapd,dovecot-pop3d,dovecot-lmtpd,dovecot-submissiond,dovecot-managesieved,dovecot-sieve,dovecot-mysql,dovecot-ldap \
    trixie "$DOVECOT24_ROOT" "deb $mirror trixie main" >/dev/null || echo "warning: no Dovecot 2.4 chroot (mmdebstrap failed)"
fi

# MTAs that conflict with postfix as packages (exim4, opensmtpd): unpacked, not installed.
bash scripts/unpack-oracles.sh >/dev/null
MAILAUDIT_BIN="$(swift build --show-bin-path)/mailaudit" python3 -m pytest -q -rs Tests/oracles Tests/integration

# Fuzzing (scripts/fuzz.sh): each format family for a bounded time, the whole step under 5 minutes;
# fails on a crash, an input that takes over 10 s or one that needs over 2 GB.
bash scripts/fuzz.sh "${MAILAUDIT_FUZZ_SECONDS:-30}"
