#!/usr/bin/env bash
# Regenerates docs/rules.md from the rule pack (a test fails while it is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -q
"$(swift build --show-bin-path)/mailaudit" rules --format markdown > docs/rules.md
