#!/usr/bin/env bash
# scripts/bench.sh [N]   (default N=10000)
#
# Measures the release binary in one run, side by side, and prints each figure
# next to its goal:
#   * native YAML: N generated setups (scripts/gen-setups.py, cached under
#     .build/bench/) with `mailaudit lint --format json DIR`, best of 3, against
#     the floor: libyaml alone pulling every parser event of the same files on
#     one core (scripts/yaml-floor.c), best of 3. Goal: within 1.5x of the floor.
#   * real files: the corpus named by MAILAUDIT_CORPUS copied 10 times, in MB/s
#     of the files mailaudit reads, against the floor's MB/s. Goal: at least half
#     the floor's MB/s. Skipped, with a message, without MAILAUDIT_CORPUS.
#   * one small file end to end (`mailaudit lint FILE`), the median of 11 runs.
#     Goal: <= 15 ms.
#   * peak RSS (/usr/bin/time %M) for 1k, 10k and 100k clean files, and whether
#     it grows with the count. Goal: <= 64 MB whatever the count.
# The machine may be noisy: compare the ratios, which come from the same run.
#
# Environment: BENCH_SMALL_FILE=path  file for the small-file test
#                (default: the first generated setup).
#              BENCH_BIN=path  benchmark this binary; skip `swift build`.
#              BENCH_COMPARE_BIN=path  also time this binary (say, main's) in the
#                same run, on the same files: the "before" of a change.
#              BENCH_RSS_COUNTS="1000 10000 100000"  the clean-file counts.
#              MAILAUDIT_CORPUS=dir  the real-file corpus.
# Exit status: 0 when the benchmark ran (goals missed are reported, not
# failed); 1 on real errors (build failure, mailaudit exit status >= 2, ...).
set -euo pipefail

N=${1:-10000}
if ! [[ $N =~ ^[0-9]+$ ]] || (( N < 10 )); then
    echo "usage: $0 [N]   (N >= 10, default 10000)" >&2
    exit 64
fi
N=$((10#$N))
RSS_COUNTS=${BENCH_RSS_COUNTS:-1000 10000 100000}

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
for count in $RSS_COUNTS; do gen clean "$count" >/dev/null; done

# The real-file corpus copied 10 times (copied again when the corpus changes).
CORPUS_X10=""
if [[ -n ${MAILAUDIT_CORPUS:-} && -d ${MAILAUDIT_CORPUS:-} ]]; then
    CORPUS_X10=$BENCH/corpus-x10
    stamp="$(cd "$MAILAUDIT_CORPUS" && pwd) $(find "$MAILAUDIT_CORPUS" -type f -printf '%s %P\n' | sort | sha256sum | cut -c1-16)"
    if [[ ! -d $CORPUS_X10 || "$(cat "$CORPUS_X10.stamp" 2>/dev/null)" != "$stamp" ]]; then
        rm -rf "$CORPUS_X10" "$CORPUS_X10.stamp"
        for i in 0 1 2 3 4 5 6 7 8 9; do
            mkdir -p "$CORPUS_X10/copy$i"
            cp -R "$MAILAUDIT_CORPUS/." "$CORPUS_X10/copy$i/" || die "cannot copy $MAILAUDIT_CORPUS"
        done
        echo "$stamp" >"$CORPUS_X10.stamp"
    fi
else
    note "MAILAUDIT_CORPUS is not set (or not a directory): the real-file measurement is skipped"
fi
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
    if (( rc > ${MAX_RC:-1} )); then
        tail -n 20 "$err" >&2
        die "mailaudit $* exited with status $rc"
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

# peak_rss ARGS... : echoes "maxrss_kb cpu_seconds exit_status" for one mailaudit run
peak_rss() {
    local tf=$BENCH/time.out rc=0
    /usr/bin/time -f '%M %U %S' -o "$tf" "$BIN" "$@" >/dev/null 2>"$BENCH/rss.err" || rc=$?
    if (( rc > ${MAX_RC:-1} )); then
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

# read_bytes DIR : the bytes of the files mailaudit reads in DIR (the setups `mailaudit model`
# lists, and the files they include), each once
read_bytes() {
    local rc=0
    "$BIN" model "$1" >"$BENCH/model.json" 2>/dev/null || rc=$?
    (( rc <= 2 )) || die "mailaudit model $1 exited with status $rc"
    python3 - "$BENCH/model.json" <<'EOF'
import json, os, sys
setups = json.load(open(sys.argv[1]))["setups"]
paths = {s["path"] for s in setups} | {p for s in setups for p in s.get("includedFiles", [])}
print(len(setups), sum(os.path.getsize(p) for p in paths if os.path.isfile(p)))
EOF
}

# best_of K ARGS... : the best wall time of K runs of $BIN ARGS (output discarded)
best_of() {
    local k=$1 best="" s i
    shift
    for ((i = 0; i < k; i++)); do
        s=$(run_lint /dev/null "$BENCH/lint.err" "$@")
        best=$(min "$best" "$s")
    done
    echo "$best"
}

# median_small BIN : the median wall time of 11 runs of `BIN lint SMALL`
median_small() {
    local times=() t0 t1
    for _ in 1 2 3 4 5 6 7 8 9 10 11; do
        t0=$(now); "$1" lint "$SMALL" >/dev/null 2>&1 || true; t1=$(now)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 6p
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

# mailaudit on native YAML: one warm-up run whose report is checked, then best of 3.
JSON=$BENCH/report-mixed-$N.json
run_lint "$JSON" "$BENCH/lint.err" lint --format json "$MIXED" >/dev/null
R_RC=$(cat "$BENCH/last.rc")
read -r R_FILES R_FINDINGS R_PARSE < <(summary "$JSON")
LINT_S=$(best_of 3 lint --format json "$MIXED")
read -r LINT_RSS LINT_CPU _ < <(peak_rss lint --format json "$MIXED")

# Real files: the bytes of the files mailaudit reads (its report lists them), best of 3.
REAL_S="" REAL_BYTES=0 REAL_FILES=0 REAL_RSS=0
if [[ -n $CORPUS_X10 ]]; then
    read -r REAL_FILES REAL_BYTES < <(read_bytes "$CORPUS_X10")
    # Third-party files include some that do not parse (exit 2): that is expected here.
    REAL_S=$(cd "$CORPUS_X10" && MAX_RC=2 best_of 3 lint --format json .)
    read -r REAL_RSS _ _ < <(MAX_RC=2 peak_rss lint --format json "$CORPUS_X10")
fi

# One small file end to end (text output): the median of 11 runs. TIMER_S is the same
# measurement of /bin/true (fork/exec + date); it is included in the figure.
TIMER_S=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
    t0=$(now); /bin/true; t1=$(now)
    TIMER_S=$(min "$TIMER_S" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
done
SMALL_S=$(median_small "$BIN")

# Memory with clean files: does it grow with the count?
RSS_ROWS=""
for count in $RSS_COUNTS; do
    read -r rss _ rc < <(peak_rss lint --format json "$BENCH/clean-$count")
    (( rc == 0 )) || note "WARNING: $count clean files produced findings (exit $rc)"
    RSS_ROWS+="$count $rss "
done

# The "before": the same timings of another binary, in this run, on the same files.
C_LINT_S="" C_REAL_S="" C_SMALL_S=""
if [[ -n ${BENCH_COMPARE_BIN:-} ]]; then
    [[ -x $BENCH_COMPARE_BIN ]] || die "no binary at $BENCH_COMPARE_BIN"
    C_LINT_S=$(BIN=$BENCH_COMPARE_BIN best_of 3 lint --format json "$MIXED")
    if [[ -n $CORPUS_X10 ]]; then C_REAL_S=$(cd "$CORPUS_X10" && MAX_RC=2 BIN=$BENCH_COMPARE_BIN best_of 3 lint --format json .); fi
    C_SMALL_S=$(median_small "$BENCH_COMPARE_BIN")
fi

# --------------------------------------------------------------------- report
awk -v n="$N" -v bytes="$BYTES" -v cpus="$(nproc)" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v fs="$FLOOR_S" -v frss="$FLOOR_RSS" \
    -v ls="$LINT_S" -v lrss="$LINT_RSS" -v lcpu="$LINT_CPU" \
    -v rs="$REAL_S" -v rbytes="$REAL_BYTES" -v rfilesn="$REAL_FILES" -v rrss="$REAL_RSS" \
    -v ss="$SMALL_S" -v ts="$TIMER_S" -v small="${SMALL#"$ROOT"/}" -v rssrows="$RSS_ROWS" \
    -v cls="$C_LINT_S" -v crs="$C_REAL_S" -v css="$C_SMALL_S" \
    -v rfiles="$R_FILES" -v rfind="$R_FINDINGS" -v rparse="$R_PARSE" -v rrc="$R_RC" '
function ok(c) { return c ? "ok" : "MISSED" }
BEGIN {
    mb = bytes / 1e6
    ratio = ls / fs
    printf "\nmailaudit bench: %d CPUs, load average %s at the end\n", cpus, load
    printf "native YAML: %d files, %.2f MB (%.0f B/file); small file: %s\n\n", n, mb, bytes / n, small
    printf "%-36s %9s %10s %8s %11s\n", "", "wall s", "files/s", "MB/s", "peak RSS"
    printf "%-36s %9.3f %10.0f %8.1f %8.1f MB\n", "libyaml floor (events, 1 thread)", fs, n / fs, mb / fs, frss / 1024
    printf "%-36s %9.3f %10.0f %8.1f %8.1f MB\n", "mailaudit lint --format json", ls, n / ls, mb / ls, lrss / 1024
    if (rs != "")
        printf "%-36s %9.3f %10.0f %8.1f %8.1f MB   (%d files, %.2f MB read)\n", "real files (corpus x10)", rs, rfilesn / rs, rbytes / 1e6 / rs, rrss / 1024, rfilesn, rbytes / 1e6
    printf "\n"
    printf "%-36s %8.2fx   goal <= 1.5x       %s\n", "native YAML: mailaudit / floor", ratio, ok(ratio <= 1.5)
    printf "%-36s %8.2fx   (CPU s %.3f / floor s, all threads)\n", "native YAML: CPU / floor", lcpu / fs, lcpu
    if (rs != "") {
        share = (rbytes / rs) / (bytes / fs)
        printf "%-36s %8.2f    goal >= 0.5        %s   (%.1f vs %.1f MB/s)\n", "real files: MB/s / floor MB/s", share, ok(share >= 0.5), rbytes / 1e6 / rs, mb / fs
    } else
        printf "%-36s %8s    (MAILAUDIT_CORPUS not set)\n", "real files: MB/s / floor MB/s", "skipped"
    printf "%-36s %8.1f ms  goal <= 15 ms      %s   (median of 11; incl. %.1f ms timer overhead)\n", "one small file, end to end", ss * 1000, ok(ss <= 0.015), ts * 1000
    k = split(rssrows, r, " ")
    first = 0; last = 0
    for (i = 1; i + 1 <= k; i += 2) {
        printf "%-36s %8.1f MB  goal <= 64 MB      %s\n", sprintf("peak RSS, %d clean files", r[i]), r[i + 1] / 1024, ok(r[i + 1] <= 65536)
        if (first == 0) first = r[i + 1]
        last = r[i + 1]
    }
    if (first > 0) printf "%-36s %8.2fx   %s\n", "peak RSS, most files / fewest", last / first, (last / first <= 1.25 ? "flat: does not grow with the count" : "GROWS with the count")
    if (cls != "") {
        printf "\nbefore (BENCH_COMPARE_BIN), same run: native %.3f s (%.2fx floor)", cls, cls / fs
        if (crs != "") printf ", real files %.3f s (%.1f MB/s)", crs, rbytes / 1e6 / crs
        printf ", small file %.1f ms\n", css * 1000
        printf "speed-up: native %.2fx", cls / ls
        if (crs != "") printf ", real files %.2fx", crs / rs
        printf ", small file %.2fx\n", css / ss
    }
    printf "\nreport check: exit %s, summary.files=%s findings=%s parseErrors=%s\n", rrc, rfiles, rfind, rparse
    if (rrc == 0) printf "WARNING: mailaudit found nothing in the mixed set (exit 0; findings expected)\n"
    if (rfiles != n) printf "WARNING: the JSON report counts %s files, expected %d\n", rfiles, n
}'
