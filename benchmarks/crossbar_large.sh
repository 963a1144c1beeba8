#!/usr/bin/env bash
# Benchmark: `.op` of large differential crossbars (benchmarks/generate_crossbar.sh), xbarsim
# alone (ngspice would take hours), one size at a time. Prints one Markdown table row per size:
# whole-process wall time and peak memory (GNU time), the parse/setup/analysis split and the
# solver's conjugate-gradient iterations from --stats; then the scaling exponent of whole-process
# and analysis time between the first and the last size (time ~ unknowns^exponent).
# A 1024 x 1024 netlist is ~200 MB of text; the script deletes each netlist after its run.
# usage: benchmarks/crossbar_large.sh [SIZE ...]   (default 256 512 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
xbarsim=build/xbarsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
((${#sizes[@]})) || sizes=(256 512 1024)

echo "| rows x weights | unknowns | whole process (s) | peak memory (MB) | parse + elaborate (s) | setup (s) | analysis (s) | CG iterations |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
first=() last=()
for n in "${sizes[@]}"; do
  netlist=$work/crossbar_$n.cir
  benchmarks/generate_crossbar.sh "$n" "$netlist"
  /usr/bin/time -v "$xbarsim" run "$netlist" -r "$work/x.raw" -q --stats > "$work/stats.txt" 2> "$work/time.txt"
  rm -f "$netlist" "$work/x.raw"
  unknowns=$(awk '/^stats: unknowns/ {gsub(",", "", $3); print $3}' "$work/stats.txt")
  read -r parse setup analysis < <(awk '/^stats: parse/ {print $3, $6, $9}' "$work/stats.txt")
  iterations=$(awk '/^stats: factorisations/ {gsub("\\(", ""); for (i = 1; i <= NF; ++i) if ($i == "iterations)") print $(i-1)}' "$work/stats.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + p[i]; print s}' "$work/time.txt")
  memory=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/time.txt")
  printf "| %d x %d | %s | %.2f | %s | %.2f | %.3f | %.3f | %s |\n" "$n" "$n" "$unknowns" "$wall" "$memory" "$parse" "$setup" "$analysis" "$iterations"
  ((${#first[@]})) || first=("$unknowns" "$wall" "$analysis")
  last=("$unknowns" "$wall" "$analysis")
done
if ((${#sizes[@]} > 1)); then
  awk -v u0="${first[0]}" -v t0="${first[1]}" -v a0="${first[2]}" -v u1="${last[0]}" -v t1="${last[1]}" -v a1="${last[2]}" 'BEGIN {
    printf "\nscaling exponent %s -> %s unknowns: whole process %.2f, analysis %.2f\n", u0, u1, log(t1 / t0) / log(u1 / u0), log(a1 / a0) / log(u1 / u0) }'
fi
