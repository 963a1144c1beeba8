#!/usr/bin/env bash
# Benchmark: `.op` of a differential crossbar (1 Ohm wire segments, 100 Ohm drivers, virtual-ground
# readout), xbarsim against ngspice on the same netlist in the same run, whole process against
# whole process. Prints one Markdown table row per size.
# usage: benchmarks/crossbar_op.sh [SIZE ...]   (logical rows = weights = SIZE; default 8 16 32)
set -euo pipefail
cd "$(dirname "$0")/.."
xbarsim=build/xbarsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
((${#sizes[@]})) || sizes=(8 16 32)

generate() {  # generate SIZE FILE: a SIZE x SIZE differential array (2*SIZE physical columns)
  local n=$1 file=$2
  awk -v n="$n" 'BEGIN {
    srand(1); cols = 2 * n
    printf "differential crossbar %d x %d\n", n, n
    for (i = 0; i < n; i++) { printf "Vin%d in%d 0 %.3f\nRdrv%d in%d w%d_0 100\n", i, i, 0.05 + 0.15 * rand(), i, i, i }
    for (i = 0; i < n; i++) for (c = 0; c < cols; c++) printf "Rw%d_%d w%d_%d w%d_%d 1\n", i, c, i, c, i, c + 1
    for (i = 0; i < n; i++) for (c = 0; c < cols; c++) printf "Rc%d_%d w%d_%d b%d_%d %.6g\n", i, c, i, c + 1, c, i, 1 / (1e-6 + 99e-6 * int(15 * rand()) / 14)
    for (c = 0; c < cols; c++) { for (i = 0; i < n - 1; i++) printf "Rb%d_%d b%d_%d b%d_%d 1\n", c, i, c, i, c, i + 1; printf "Vs%d b%d_%d 0 0\n", c, c, n - 1 }
    print ".op"; print ".end"
  }' > "$file"
}

seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null 2>&1; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }

echo "| rows x weights | unknowns | xbarsim (s) | ngspice (s) | ngspice / xbarsim |"
echo "| --- | --- | --- | --- | --- |"
for n in "${sizes[@]}"; do
  netlist=$work/crossbar_$n.cir
  generate "$n" "$netlist"
  unknowns=$("$xbarsim" run "$netlist" -r "$work/x.raw" -q --stats | awk '/unknowns/ {gsub(",", "", $3); print $3}')
  ours=$(seconds "$xbarsim" run "$netlist" -r "$work/x.raw" -q)
  theirs=$(seconds ngspice -b -r "$work/n.raw" "$netlist")
  "$xbarsim" compare "$work/x.raw" "$work/n.raw" --reltol 1e-6 > "$work/compare.txt" || { echo "results differ at size $n" >&2; cat "$work/compare.txt" >&2; exit 1; }
  printf "| %d x %d | %s | %.3f | %.3f | %.0f |\n" "$n" "$n" "$unknowns" "$ours" "$theirs" "$(awk -v a="$theirs" -v b="$ours" 'BEGIN { print a / b }')"
done
