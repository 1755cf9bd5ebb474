#!/usr/bin/env bash
# scripts/bench-probe.sh [N]   (default N=200)
#
# Live-probe benchmark: starts Dovecot and Postfix on 127.0.0.1 (Tests/probe/servers.sh) with N
# extra Dovecot listeners (IMAP+STARTTLS, IMAPS, POP3+STLS, POP3S in turn), then measures
# `mailaudit probe` over those N loopback endpoints: wall time and peak RSS (/usr/bin/time), at
# the default concurrency (16) and with all N at once. Every probe does the full dialogue
# (greeting, capabilities, STARTTLS or implicit TLS, verified certificate, capabilities inside TLS).
# If testssl.sh is installed (Debian package testssl.sh, command `testssl`), its time for one
# implicit-TLS port is measured for comparison: default checks, and protocols only (-p).
#
# Environment: BENCH_BIN=path  use this binary instead of building the release one.
# Traffic goes to 127.0.0.1 only; the servers are stopped by PID at the end.
set -euo pipefail

N=${1:-200}
[[ $N =~ ^[0-9]+$ ]] && (( N >= 4 )) || { echo "usage: $0 [N]   (N >= 4, default 200)" >&2; exit 64; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  swift build -c release --product mailaudit >/dev/null
  BIN="$(swift build -c release --show-bin-path)/mailaudit"
fi
command -v /usr/bin/time >/dev/null || { echo "bench-probe: /usr/bin/time missing (Debian package time)" >&2; exit 1; }

DIR=$(mktemp -d /tmp/mailaudit-bench-probe.XXXXXX)
trap 'bash Tests/probe/servers.sh stop "$DIR"; rm -rf "$DIR"' EXIT
bash Tests/probe/servers.sh start "$DIR" "$N" >/dev/null
# shellcheck disable=SC1091
. "$DIR/ports.env"
mapfile -t TARGETS < "$DIR/extra-targets.txt"

# Warm-up: Dovecot spawns its login processes on demand.
"$BIN" probe --quiet --format json --ca-file "$CA_FILE" "${TARGETS[@]:0:4}" >/dev/null || true

run() {  # LABEL CONCURRENCY
  local out="$DIR/probe-$2.json"
  /usr/bin/time -f "%e %M" -o "$DIR/time-$2" "$BIN" probe --format json --timeout 5 --concurrency "$2" \
    --ca-file "$CA_FILE" "${TARGETS[@]}" > "$out" || true
  read -r wall rss < "$DIR/time-$2"
  local ok
  ok=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); p=d['probes']; print(sum(1 for x in p if x['reachable'] and not x['issues'] and (x['implicitTLS'] or {}).get('succeeded', False) | (x['startTLS'] or {}).get('succeeded', False)), len(p))" "$out")
  printf '%-34s %8.2f s   %6.1f MiB peak RSS   clean and TLS-verified: %s of %s\n' "$1" "$wall" "$(echo "$rss / 1024" | bc -l)" $ok
}

echo "mailaudit probe: $N loopback endpoints (Dovecot: ${N} listeners; binary $BIN)"
run "concurrency 16 (default)" 16
run "concurrency $N (all at once)" "$N"

if command -v testssl >/dev/null; then
  port=$(grep -m1 '/imaps$' "$DIR/extra-targets.txt" | sed 's|.*:\([0-9]*\)/.*|\1|')
  for args in "" "-p"; do
    start=$(date +%s.%N)
    testssl --quiet --color 0 --warnings off --openssl-timeout 5 $args "127.0.0.1:$port" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    printf '%-34s %8.2f s   (one IMAPS port)\n' "testssl ${args:-(default checks)}" "$(echo "$end - $start" | bc -l)"
  done
  start=$(date +%s.%N)
  "$BIN" probe --format json --ca-file "$CA_FILE" "127.0.0.1:$port/imaps" >/dev/null || true
  end=$(date +%s.%N)
  printf '%-34s %8.2f s   (the same port)\n' "mailaudit probe" "$(echo "$end - $start" | bc -l)"
else
  echo "testssl.sh not installed (apt-get install testssl.sh): no comparison"
fi
