#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit tests and end-to-end
# cross-checks against ngspice). This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j"$jobs"
