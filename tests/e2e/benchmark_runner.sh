#!/usr/bin/env bash
# benchmarks/run --quick end to end (tiny sizes, seconds): the report is written with its machine
# and version table, a targets table, one section per suite with a measured row per size (both
# engines' results agreeing in a and b, xbarsim agreeing with KLU in c, bsource cells with linear
# cells in d), its data files and the plot. Checks what was written, never how fast.
# usage: benchmark_runner.sh XBARSIM SOURCE_DIR WORKDIR
set -euo pipefail
xbarsim=$1 source=$2 workdir=$3
rm -rf "$workdir"
mkdir -p "$workdir"
report=$workdir/report
if ! bash "$source/benchmarks/run" --quick --xbarsim "$xbarsim" --out "$report" --work "$workdir/scratch" > "$workdir/run.log" 2>&1; then
  echo "benchmarks/run failed:"; cat "$workdir/run.log"; cat "$report/README.md" 2> /dev/null || true; exit 1
fi
readme=$report/README.md
failures=0
expect() {  # DESCRIPTION COMMAND...
  local description=$1
  shift
  if "$@"; then echo "ok: $description"; else echo "FAILED: $description"; failures=$((failures + 1)); fi
}
# Rows of README section "## LETTER." that start with ROW and contain TEXT.
rows() {  # LETTER ROW TEXT
  awk -v section="## $1." -v row="| $2 |" -v text="$3" '
    /^## / { inside = index($0, section) == 1 }
    inside && index($0, row) == 1 && (text == "" || index($0, text)) { n++ }
    END { print n + 0 }' "$readme"
}
has_rows() { [[ $(rows "$1" "$2" "$3") -ge ${4:-1} ]]; }

expect "README.md written" test -s "$readme"
expect "machine and versions" grep -q '^| cores | [0-9]' "$readme"
expect "xbarsim version" grep -q '^| xbarsim | xbarsim [0-9]' "$readme"
expect "regenerating command" grep -q '^    .*benchmarks/run .*--quick' "$readme"
expect "targets table, one line per target" test "$(grep -c '^| [a-f] | ' "$readme")" -ge 7
expect "no interrupted note" bash -c "! grep -q 'Run interrupted' '$readme'"
for size in 4 8; do
  expect "a: $size x $size .op row, results agree with ngspice" has_rows a "$size x $size" "| yes |"
  expect "b: $size x $size .tran row, results agree with ngspice" has_rows b "$size x $size" "| yes |"
done
expect "b: about 120 time points" has_rows b "8 x 8" "| 124 |"
for size in 8 16; do
  expect "c: $size x $size row, agrees with KLU" has_rows c "$size x $size" "| yes |"
done
expect "c: the first run's (cold) time beside the median" bash -c "grep -A20 '^## c\.' '$readme' | grep -q '^| rows x weights | unknowns | netlist (MB) | whole process (s) | first run, after 0 s idle (s) | peak memory'"
expect "c: scaling exponent" grep -q '^Scaling exponent over .*whole process [0-9.-]*, analysis' "$readme"
expect "d: linear, bsource and nlem rows" has_rows d "8 x 8" "" 3
expect "d: bsource row" has_rows d "8 x 8" "| bsource |"
expect "d: bsource agrees with linear" bash -c "grep '^| 8 x 8 | bsource |' '$readme' | grep -q '| yes |'"
expect "e: 8 x 8 row with about 1000 time points" bash -c "grep -A20 '^## e\.' '$readme' | grep -Eq '^\| 8 x 8 \| [0-9,]+ \| [0-9.]+ \| [0-9]+ \| .* \| 10[0-9][0-9] \|'"
expect "f: measured or skipped with a note" bash -c "grep -A16 '^## f\.' '$readme' | grep -Eq '^(\| 8 x 8 \||Skipped: no executable)'"
expect "data files" test "$(cat "$report"/data/a.tsv | wc -l)" -eq 3
expect "logs" test -s "$report/logs/a-8-xbarsim.txt"
if command -v gnuplot > /dev/null; then
  expect "plot" grep -q '<svg' "$report/time_vs_unknowns.svg"
  expect "plot in README" grep -q '(time_vs_unknowns.svg)' "$readme"
fi
expect "scratch files removed" test -z "$(ls -A "$workdir/scratch")"
if ((failures)); then
  echo "--- README.md"; cat "$readme"; echo "--- run.log"; cat "$workdir/run.log"
  exit 1
fi
