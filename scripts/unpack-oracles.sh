#!/usr/bin/env bash
# Unpacks the MTAs that conflict with postfix (exim4, opensmtpd) into a private folder instead of
# installing them, for the differential tests (Tests/oracles/test_exim.py, test_opensmtpd.py):
#   apt-get download + dpkg-deb -x, the libraries they link against installed normally,
#   and the system user Exim insists on (Debian-exim).
# Idempotent; prints the folder. Usage: scripts/unpack-oracles.sh [DIR]
# (default $MAILAUDIT_ORACLE_ROOT or /opt/mailaudit-oracles). Needs root (or sudo -n) to install.
set -euo pipefail

ROOT=${1:-${MAILAUDIT_ORACLE_ROOT:-/opt/mailaudit-oracles}}
# exim4-daemon-heavy rather than -light: it has the lookups (LDAP, SQL) real configurations use,
# so `exim -bP` reads more of them.
PACKAGES=(exim4-daemon-heavy exim4-base exim4-config opensmtpd)
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi

have_all() {
  [ -x "$ROOT/exim4-daemon-heavy/usr/sbin/exim4" ] && [ -x "$ROOT/opensmtpd/usr/sbin/smtpd" ] \
    && [ -f "$ROOT/.complete" ]
}

if ! have_all; then
  mkdir -p "$ROOT/debs"
  cd "$ROOT/debs"
  rm -f ./*.deb
  if ! apt-get download "${PACKAGES[@]}" >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    apt-get download "${PACKAGES[@]}" >/dev/null
  fi
  # Runtime libraries the binaries link against (plain library packages; they conflict with nothing).
  libs=()
  for deb in ./*.deb; do
    name=$(dpkg-deb -f "$deb" Package)
    rm -rf "${ROOT:?}/$name"
    dpkg-deb -x "$deb" "$ROOT/$name"
    for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/(.*)//' -e 's/|.*//' -e 's/[[:space:]]//g'); do
      case "$dep" in lib*) dpkg -s "$dep" >/dev/null 2>&1 || libs+=("$dep") ;; esac
    done
  done
  if [ ${#libs[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${libs[@]}" >/dev/null
  fi
  touch "$ROOT/.complete"
fi

# Exim refuses to run without its system user.
if ! getent passwd Debian-exim >/dev/null; then
  $SUDO useradd --system --no-create-home --shell /usr/sbin/nologin Debian-exim
fi

# A binary that cannot load its libraries is no oracle: fail here, not in the middle of the tests.
for bin in "$ROOT/exim4-daemon-heavy/usr/sbin/exim4" "$ROOT/opensmtpd/usr/sbin/smtpd"; do
  if ldd "$bin" | grep -q "not found"; then
    echo "unpack-oracles: $bin misses libraries:" >&2
    ldd "$bin" | grep "not found" >&2
    exit 1
  fi
done
echo "$ROOT"
