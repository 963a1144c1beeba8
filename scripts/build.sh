#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages) and builds xbarsim (Release) into build/, with MPI
# sweeps (-DXBARSIM_MPI=ON adds build/xbarsim-mpi, the same front end linked with MPI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DXBARSIM_MPI=ON
cmake --build build -j"$jobs"
