#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [FAMILY ...]
#
# Builds the libFuzzer target (Fuzz/, with AddressSanitizer, in .build-fuzz/), writes the seeds
# (the rule examples, Examples/ and the third-party corpus when it is there), then fuzzes each
# format family for SECONDS (default 30) with its dictionary (Fuzz/dictionaries/). Exits 1 when an
# input crashes, takes longer than 10 s or needs more than 2 GB, naming the reproducer; 0 otherwise.
#
# A reproducer is a selector byte and the file: `tail -c +2 REPRODUCER | mailaudit lint --as FORMAT -`.
# Inputs worth keeping accumulate in .fuzz/corpus/ (ignored by git) and seed the next local run.
#
# Environment: MAILAUDIT_CORPUS  the third-party corpus folder, when there is one (scripts/test.sh finds it).
#              FUZZ_SEED         libFuzzer's seed (CI: 1, so a run is repeatable; otherwise 0, random)
#              FUZZ_RUNS         inputs per family at most (CI: 2000, the same on every machine; otherwise -1, no limit)
#              FUZZ_MAX_LEN      the largest input in bytes (default 4096: keeps each run fast and
#                                the known slow-input classes mostly out; 16384 for long local runs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SECONDS_PER_FAMILY=${1:-30}
if ! [[ $SECONDS_PER_FAMILY =~ ^[0-9]+$ ]] || (( SECONDS_PER_FAMILY < 1 )); then
    echo "usage: $0 [SECONDS] [FAMILY ...]" >&2
    exit 64
fi
shift $(( $# > 0 ? 1 : 0 ))

# Formats that share machinery (and often the same mistakes) are fuzzed together.
declare -A FAMILIES=(
    [xml]="autoconfig autodiscover mobileconfig"
    [servers]="postfix dovecot exim opensmtpd"
    [clients]="msmtp mbsync fetchmail mutt getmail offlineimap gitconfig aerc"
    [apps]="dotenv django spring mailaudit-yaml thunderbird"
    [php]="roundcube nextcloud wordpress"
    [webapps]="gitea grafana snappymail gitlab"
)
ORDER=(xml servers clients apps php webapps)
if (( $# > 0 )); then ORDER=("$@"); fi
for family in "${ORDER[@]}"; do
    [[ -n ${FAMILIES[$family]:-} ]] || { echo "unknown family '$family'; families: ${!FAMILIES[*]}" >&2; exit 64; }
done

CORPUS=${MAILAUDIT_CORPUS:-}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
# CI fuzzes from a fixed seed, so a red run is repeatable and a new crash is found by a developer's
# longer run (FUZZ_SEED=0: a fresh random seed each time, the default outside CI), not by chance in CI.
SEED=${FUZZ_SEED:-$([ "${CI:-}" = true ] && echo 1 || echo 0)}
# In CI also a fixed number of inputs per family (within the time bound), so a fast and a slow
# machine try the same inputs; -1 (the default elsewhere) means no limit but the time.
RUNS=${FUZZ_RUNS:-$([ "${CI:-}" = true ] && echo 2000 || echo -1)}
WORK=$ROOT/.fuzz
SCRATCH=$ROOT/.build-fuzz
# Leak reports at exit come from Foundation's and the rule pack's lifetime-long objects, not from
# inputs; growth per input is caught by -rss_limit_mb and -malloc_limit_mb.
export ASAN_OPTIONS=detect_leaks=0
# A debug build under AddressSanitizer uses several times the stack per call of the release binary
# (a 600-deep plist overflows 8 MB there, not in release): 64 MB keeps the fuzzer's stack overflows
# to those the release binary would have too. With -max_len, nesting stays within what that covers.
ulimit -s 65536 2>/dev/null || echo "fuzz: cannot raise the stack limit to 64 MB; deep nesting may report stack overflows the release binary does not have"

echo "fuzz: building the fuzz target (AddressSanitizer, libFuzzer)"
start=$(date +%s)
# Same dependency versions as the main package.
cp Package.resolved Fuzz/Package.resolved
swift build -c debug --package-path Fuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -vE "^\[[0-9]+/[0-9]+\] |Cannot export local symbol" || true
BIN=$SCRATCH/debug/mailaudit-fuzz
[ -x "$BIN" ] || { echo "fuzz: the build failed" >&2; exit 1; }
echo "fuzz: built in $(( $(date +%s) - start )) s"

rm -rf "$WORK/seeds" "$WORK/dictionaries"
mkdir -p "$WORK/seeds" "$WORK/corpus" "$WORK/artifacts" "$WORK/logs" "$WORK/dictionaries" "$WORK/empty"
sources=(Examples)
if [ -d "$CORPUS" ]; then
    sources+=("$CORPUS")
else
    echo "fuzz: no third-party corpus (set MAILAUDIT_CORPUS); seeding from Examples/ and the rule examples only"
fi
"$BIN" --write-seeds "$WORK/seeds" "${sources[@]}" > "$WORK/logs/seeds.txt"
echo "fuzz: seeds per format: $(tr '\n' ' ' < "$WORK/logs/seeds.txt")"
# A format no family names would never be fuzzed.
for format in $(cut -d' ' -f1 "$WORK/logs/seeds.txt"); do
    [[ " ${FAMILIES[*]} " == *" $format "* ]] || { echo "fuzz: format '$format' is in no family of scripts/fuzz.sh" >&2; exit 1; }
done

failed=0
for family in "${ORDER[@]}"; do
    formats=${FAMILIES[$family]}
    seed_dirs=()
    dict=$WORK/dictionaries/$family.dict
    : > "$dict"
    for format in $formats; do
        [ -d "$WORK/seeds/$format" ] && seed_dirs+=("$WORK/seeds/$format")
        cat "Fuzz/dictionaries/$format.dict" >> "$dict"
    done
    mkdir -p "$WORK/corpus/$family"
    log=$WORK/logs/$family.log
    # From an empty folder with no standard input: an include the fuzzer writes finds nothing to read there.
    set +e
    (cd "$WORK/empty" && MAILAUDIT_FUZZ_FORMATS=${formats// /,} timeout --kill-after=10 $(( SECONDS_PER_FAMILY + 120 )) \
        "$BIN" -max_total_time="$SECONDS_PER_FAMILY" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -max_len="$MAX_LEN" -detect_leaks=0 -dict="$dict" -print_final_stats=1 -seed="$SEED" -runs="$RUNS" \
        -artifact_prefix="$WORK/artifacts/$family-" "$WORK/corpus/$family" "${seed_dirs[@]}" \
        < /dev/null > "$log" 2>&1)
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    if [ "$status" -eq 0 ]; then
        echo "fuzz: $family ($formats): ${runs:-?} inputs, ${rate:-?}/s, no crash"
    else
        failed=1
        reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        echo "fuzz: $family ($formats): FAILED (status $status) after ${runs:-?} inputs" >&2
        grep -E "ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error|SUMMARY" "$log" | head -5 >&2 || true
        echo "fuzz:   reproducer: ${reproducer:-none written}; log: $log" >&2
        echo "fuzz:   replay: (cd $WORK/empty && ulimit -s 65536 && ASAN_OPTIONS=detect_leaks=0 MAILAUDIT_FUZZ_FORMATS=${formats// /,} $BIN ${reproducer:-REPRODUCER})" >&2
        echo "fuzz:   minimize: add -minimize_crash=1 -runs=10000 -exact_artifact_path=FILE" >&2
    fi
done
exit "$failed"
