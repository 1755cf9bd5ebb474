#!/usr/bin/env bash
# Regenerates what is written from the code: docs/rules.md from the rule pack, and the format tables
# of README.md and Examples/README.md from the formats' descriptions (tests fail while any is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -q --product mailaudit
swift build -q --product generate-docs
"$(swift build --show-bin-path)/mailaudit" rules --format markdown > docs/rules.md
"$(swift build --show-bin-path)/generate-docs"
