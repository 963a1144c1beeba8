#!/usr/bin/env bash
# Writes the benchmark netlist: a SIZE x SIZE differential crossbar (2 x SIZE physical columns),
# 1 Ohm wire segments, 100 Ohm drivers, virtual-ground readout (0 V sense sources at the bit-line
# ends), cells at 15 levels between 1 and 100 uS, and a .op.
# usage: benchmarks/generate_crossbar.sh SIZE FILE
set -euo pipefail
n=$1 file=$2
awk -v n="$n" 'BEGIN {
  srand(1); cols = 2 * n
  printf "differential crossbar %d x %d\n", n, n
  for (i = 0; i < n; i++) { printf "Vin%d in%d 0 %.3f\nRdrv%d in%d w%d_0 100\n", i, i, 0.05 + 0.15 * rand(), i, i, i }
  for (i = 0; i < n; i++) for (c = 0; c < cols; c++) printf "Rw%d_%d w%d_%d w%d_%d 1\n", i, c, i, c, i, c + 1
  for (i = 0; i < n; i++) for (c = 0; c < cols; c++) printf "Rc%d_%d w%d_%d b%d_%d %.6g\n", i, c, i, c + 1, c, i, 1 / (1e-6 + 99e-6 * int(15 * rand()) / 14)
  for (c = 0; c < cols; c++) { for (i = 0; i < n - 1; i++) printf "Rb%d_%d b%d_%d b%d_%d 1\n", c, i, c, i, c, i + 1; printf "Vs%d b%d_%d 0 0\n", c, c, n - 1 }
  print ".op"; print ".end"
}' > "$file"
