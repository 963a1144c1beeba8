#!/usr/bin/env bash
# Installs what is missing, builds, and runs xbarsim's main job on its built-in default input.
# Until the CIBlock study lands, the main job simulates the bundled differential crossbar
# example netlist and writes its results under results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p results
netlist=netlists/examples/differential_crossbar_4x4.cir
echo "quickstart: simulating $netlist"
./build/xbarsim run "$netlist" -r results/differential_crossbar_4x4.raw --csv results/differential_crossbar_4x4 \
  --json results/differential_crossbar_4x4.json --stats
echo "quickstart: results are in $(pwd)/results/"
