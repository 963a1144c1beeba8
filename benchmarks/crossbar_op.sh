#!/usr/bin/env bash
# Benchmark: `.op` of a differential crossbar (benchmarks/generate_crossbar.sh), xbarsim against
# ngspice on the same netlist in the same run, whole process against whole process; results must
# agree (1e-6 of each vector's peak) before a time is printed. Prints one Markdown table row per
# size: xbarsim's whole process, its linear solve (analyses time from --stats), the solver that
# ran with its conjugate-gradient iterations, ngspice's whole process and the ratio.
# usage: benchmarks/crossbar_op.sh [SIZE ...]   (logical rows = weights = SIZE; default 8 16 32)
set -euo pipefail
cd "$(dirname "$0")/.."
xbarsim=build/xbarsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
((${#sizes[@]})) || sizes=(8 16 32)

seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null 2>&1; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }

echo "| rows x weights | unknowns | xbarsim (s) | of which analysis (s) | solver, CG iterations | ngspice (s) | ngspice / xbarsim |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for n in "${sizes[@]}"; do
  netlist=$work/crossbar_$n.cir
  benchmarks/generate_crossbar.sh "$n" "$netlist"
  ours=$(seconds "$xbarsim" run "$netlist" -r "$work/x.raw" -q)
  "$xbarsim" run "$netlist" -r "$work/x.raw" -q --stats > "$work/stats.txt"
  unknowns=$(awk '/^stats: unknowns/ {gsub(",", "", $3); print $3}' "$work/stats.txt")
  analysis=$(awk '/^stats: parse/ {print $(NF-1)}' "$work/stats.txt")
  solver=$(awk '/^stats: solver/ {print $3}' "$work/stats.txt")
  iterations=$(awk '/^stats: factorisations/ {gsub("\\(", ""); for (i = 1; i <= NF; ++i) if ($i == "iterations)") print $(i-1)}' "$work/stats.txt")
  theirs=$(seconds ngspice -b -r "$work/n.raw" "$netlist")
  "$xbarsim" compare "$work/x.raw" "$work/n.raw" --reltol 1e-6 > "$work/compare.txt" || { echo "results differ at size $n" >&2; cat "$work/compare.txt" >&2; exit 1; }
  printf "| %d x %d | %s | %.3f | %.4f | %s, %s | %.3f | %.0f |\n" "$n" "$n" "$unknowns" "$ours" "$analysis" "$solver" "$iterations" "$theirs" \
    "$(awk -v a="$theirs" -v b="$ours" 'BEGIN { print a / b }')"
done
