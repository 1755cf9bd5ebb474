#!/usr/bin/env bash
# Regenerates Tests/Fixtures/help/: the --help text of mailaudit and of each subcommand, at 80
# columns. A test fails while they differ from the binary, so a changed flag is a reviewed diff.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -q --product mailaudit
bin="$(swift build --show-bin-path)/mailaudit"
out=Tests/Fixtures/help
rm -f "$out"/*.txt
mkdir -p "$out"
export COLUMNS=80 LINES=25
"$bin" --help > "$out/mailaudit.txt"
# The subcommands, as the root help lists them ("  lint (default)   Lint files…").
for command in $(sed -n '/^SUBCOMMANDS:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p' "$out/mailaudit.txt"); do
  "$bin" "$command" --help > "$out/$command.txt"
done
