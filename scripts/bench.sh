#!/usr/bin/env bash
# scripts/bench.sh [N]   (default N=1000)
#
# Generates N native YAML setups deterministically (scripts/gen-setups.py,
# cached under .build/bench/), builds the release binary, and measures in one
# run, side by side:
#   * the floor: libyaml alone pulling every parser event of the same files,
#     single-threaded (scripts/yaml-floor.c), best of 3;
#   * `mailaudit lint --format json DIR > /dev/null`, best of 3 (wall clock);
#   * files/s, MB/s, the ratio mailaudit/floor, peak RSS (/usr/bin/time %M);
#   * one small file end to end (`mailaudit lint FILE`), best of 10;
#   * peak RSS for N clean files vs N/10 clean files (should not grow).
# The machine may be noisy: compare the ratios, which come from the same run.
#
# Environment: BENCH_SMALL_FILE=path  file for the small-file test
#              (default: the first generated setup).
#              BENCH_BIN=path  benchmark this binary; skip `swift build`.
# Exit status: 0 when the benchmark ran (targets missed are reported, not
# failed); 1 on real errors (build failure, mailaudit exit status >= 2, ...).
set -euo pipefail

N=${1:-1000}
if ! [[ $N =~ ^[0-9]+$ ]] || (( N < 10 )); then
    echo "usage: $0 [N]   (N >= 10, default 1000)" >&2
    exit 64
fi
N=$((10#$N))
NSMALL=$((N / 10))

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH=$ROOT/.build/bench
mkdir -p "$BENCH"

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- dependencies
missing=()
dpkg -s libyaml-dev >/dev/null 2>&1 || [[ -f /usr/include/yaml.h ]] || missing+=(libyaml-dev)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if (( ${#missing[@]} )); then
    if (( EUID == 0 )); then SUDO=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=(sudo -n)
    else die "missing ${missing[*]}; install them (apt-get install -y ${missing[*]})"
    fi
    note "installing ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
fi

# ---------------------------------------------------------------------- build
if [[ -n ${BENCH_BIN:-} ]]; then
    BIN=$BENCH_BIN
else
    command -v swift >/dev/null 2>&1 || die "swift not found in PATH"
    note "swift build -c release"
    if ! swift build -c release -q >"$BENCH/build.log" 2>&1; then
        tail -n 30 "$BENCH/build.log" >&2
        die "swift build -c release failed (full log: $BENCH/build.log)"
    fi
    BIN="$(swift build -c release --show-bin-path)/mailaudit"
fi
[[ -x $BIN ]] || die "no binary at $BIN"

FLOOR=$BENCH/yaml-floor
if [[ ! -x $FLOOR || scripts/yaml-floor.c -nt $FLOOR ]]; then
    cc -O2 -o "$FLOOR" scripts/yaml-floor.c -lyaml || die "cannot compile scripts/yaml-floor.c"
fi

# ------------------------------------------------------------------ test data
GEN_HASH=$(sha256sum scripts/gen-setups.py | cut -c1-16)
# gen KIND COUNT -> prints the directory (regenerated when the generator changed)
gen() {
    local kind=$1 count=$2 dir=$BENCH/$1-$2 flag=()
    [[ $kind == clean ]] && flag=(--clean)
    if [[ ! -d $dir || "$(cat "$dir.stamp" 2>/dev/null)" != "$GEN_HASH" ]]; then
        rm -rf "$dir" "$dir.stamp"
        python3 scripts/gen-setups.py "${flag[@]}" "$count" "$dir" 2>/dev/null \
            || die "scripts/gen-setups.py $kind $count failed"
        echo "$GEN_HASH" >"$dir.stamp"
    fi
    echo "$dir"
}
MIXED=$(gen mixed "$N")
CLEAN=$(gen clean "$N")
CLEAN_SMALL=$(gen clean "$NSMALL")
find "$MIXED" -type f -name '*.yml' | sort >"$BENCH/mixed-$N.list"
SMALL=${BENCH_SMALL_FILE:-$(head -n 1 "$BENCH/mixed-$N.list")}
[[ -f $SMALL ]] || die "small file $SMALL not found"

# -------------------------------------------------------------------- helpers
now() { date +%s.%N; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

# run_lint OUT ERR ARGS... : runs mailaudit, echoes wall seconds; dies on exit >= 2
run_lint() {
    local out=$1 err=$2 t0 t1 rc=0
    shift 2
    t0=$(now)
    "$BIN" "$@" >"$out" 2>"$err" || rc=$?
    t1=$(now)
    echo "$rc" >"$BENCH/last.rc"
    if (( rc > 1 )); then
        tail -n 20 "$err" >&2
        die "mailaudit $* exited with status $rc"
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

# peak_rss ARGS... : echoes "maxrss_kb cpu_seconds exit_status" for one mailaudit run
peak_rss() {
    local tf=$BENCH/time.out rc=0
    /usr/bin/time -f '%M %U %S' -o "$tf" "$BIN" "$@" >/dev/null 2>"$BENCH/rss.err" || rc=$?
    if (( rc > 1 )); then
        tail -n 20 "$BENCH/rss.err" >&2
        die "mailaudit $* exited with status $rc"
    fi
    # GNU time puts "Command exited with non-zero status N" before the numbers.
    tail -n 1 "$tf" | awk -v rc="$rc" '{ printf "%d %.3f %d\n", $1, $2 + $3, rc }'
}

# summary JSON : "files findings parseErrors" from a JSON report
summary() {
    python3 - "$1" <<'EOF'
import json, sys
try:
    s = json.load(open(sys.argv[1]))["summary"]
    print(s.get("files", "?"), s.get("findings", "?"), s.get("parseErrors", "?"))
except Exception:
    print("? ? ?")
EOF
}

# ---------------------------------------------------------------- measurement
note "measuring (N=$N, $(nproc) CPUs)"

# Floor: best of 3, the program's own read+parse time.
FLOOR_S=""
for _ in 1 2 3; do
    line=$("$FLOOR" <"$BENCH/mixed-$N.list") || die "yaml-floor failed on $MIXED"
    s=${line##*seconds=}
    BYTES=$(sed 's/.*bytes=\([0-9]*\).*/\1/' <<<"$line")
    FLOOR_S=$(min "$FLOOR_S" "$s")
done
FLOOR_RSS=$(/usr/bin/time -f '%M' "$FLOOR" <"$BENCH/mixed-$N.list" 2>&1 >/dev/null | tail -n 1)

# mailaudit: one warm-up run whose report is checked, then best of 3.
JSON=$BENCH/report-mixed-$N.json
run_lint "$JSON" "$BENCH/lint.err" lint --format json "$MIXED" >/dev/null
R_RC=$(cat "$BENCH/last.rc")
read -r R_FILES R_FINDINGS R_PARSE < <(summary "$JSON")
LINT_S=""
for _ in 1 2 3; do
    s=$(run_lint /dev/null "$BENCH/lint.err" lint --format json "$MIXED")
    LINT_S=$(min "$LINT_S" "$s")
done
out=$(peak_rss lint --format json "$MIXED")
read -r LINT_RSS LINT_CPU LINT_RC <<<"$out"

# One small file end to end (text output): best of 10. TIMER_S is what the
# same measurement gives for /bin/true (fork/exec + date); it is included.
TIMER_S=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
    t0=$(now); /bin/true; t1=$(now)
    TIMER_S=$(min "$TIMER_S" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
done
SMALL_S=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
    s=$(run_lint /dev/null "$BENCH/small.err" lint "$SMALL")
    SMALL_S=$(min "$SMALL_S" "$s")
done

# Memory with clean files: N vs N/10.
out=$(peak_rss lint --format json "$CLEAN")
read -r CLEAN_RSS CLEAN_CPU CLEAN_RC <<<"$out"
out=$(peak_rss lint --format json "$CLEAN_SMALL")
read -r CLEANS_RSS CLEANS_CPU CLEANS_RC <<<"$out"

# --------------------------------------------------------------------- report
awk -v n="$N" -v ns="$NSMALL" -v bytes="$BYTES" -v cpus="$(nproc)" \
    -v fs="$FLOOR_S" -v frss="$FLOOR_RSS" \
    -v ls="$LINT_S" -v lrss="$LINT_RSS" -v lcpu="$LINT_CPU" \
    -v ss="$SMALL_S" -v ts="$TIMER_S" -v small="${SMALL#"$ROOT"/}" \
    -v crss="$CLEAN_RSS" -v csrss="$CLEANS_RSS" -v crc="$CLEAN_RC" -v csrc="$CLEANS_RC" \
    -v rfiles="$R_FILES" -v rfind="$R_FINDINGS" -v rparse="$R_PARSE" -v rrc="$R_RC" '
function ok(c) { return c ? "ok" : "MISSED" }
BEGIN {
    mb = bytes / 1e6
    ratio = ls / fs
    printf "\nmailaudit bench: %d files, %.2f MB (%.0f B/file), %d CPUs; small file: %s\n\n", n, mb, bytes / n, cpus, small
    printf "%-34s %9s %10s %8s %11s\n", "", "wall s", "files/s", "MB/s", "peak RSS"
    printf "%-34s %9.3f %10.0f %8.1f %8.1f MB\n", "libyaml floor (events, 1 thread)", fs, n / fs, mb / fs, frss / 1024
    printf "%-34s %9.3f %10.0f %8.1f %8.1f MB\n", "mailaudit lint --format json", ls, n / ls, mb / ls, lrss / 1024
    printf "\n"
    printf "%-34s %8.2fx   target <= 1.5x   %s\n", "ratio mailaudit / floor", ratio, ok(ratio <= 1.5)
    printf "%-34s %8.2fx   (CPU s %.3f / floor s, all threads)\n", "cpu ratio mailaudit / floor", lcpu / fs, lcpu
    printf "%-34s %8.1f ms  target < 15 ms   %s   (incl. %.1f ms timer overhead)\n", "one small file, end to end", ss * 1000, ok(ss < 0.015), ts * 1000
    printf "%-34s %8.1f MB  target < 64 MB   %s\n", sprintf("peak RSS, %d clean files", n), crss / 1024, ok(crss < 65536)
    printf "%-34s %8.1f MB  growth x%.2f for 10x files\n", sprintf("peak RSS, %d clean files", ns), csrss / 1024, crss / csrss
    printf "%-34s %8.1f MB  target < 64 MB   %s\n", sprintf("peak RSS, %d mixed files", n), lrss / 1024, ok(lrss < 65536)
    printf "\nreport check: exit %s, summary.files=%s findings=%s parseErrors=%s\n", rrc, rfiles, rfind, rparse
    if (rrc == 0) printf "WARNING: mailaudit found nothing in the mixed set (exit 0; findings expected)\n"
    if (rfiles != n) printf "WARNING: the JSON report counts %s files, expected %d\n", rfiles, n
    if (crc != 0 || csrc != 0) printf "WARNING: clean sets produced findings (exit %s / %s)\n", crc, csrc
}'
