#!/usr/bin/env bash
# Regenerates the shell completions and the man page from the argument parser
# (docs/completions/, docs/mailaudit.1). A test fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -q
bin="$(swift build --show-bin-path)/mailaudit"
for shell in bash zsh fish; do "$bin" --generate-completion-script "$shell" > "docs/completions/mailaudit.$shell"; done
swift package plugin --allow-writing-to-package-directory generate-manual --output-directory docs >/dev/null
