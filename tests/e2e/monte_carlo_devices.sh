#!/usr/bin/env bash
# Device-to-device Monte Carlo: a netlist whose devices call agauss/gauss/unif, swept with
# --monte-carlo. Every run must differ (new draws), and the files must not depend on --jobs.
# usage: monte_carlo_devices.sh XBARSIM NETLIST WORKDIR
set -euo pipefail
xbarsim=$1 netlist=$2 workdir=$3
rm -rf "$workdir" && mkdir -p "$workdir"
"$xbarsim" sweep "$netlist" --monte-carlo 8 --seed 11 --jobs 1 --out "$workdir/one" --no-plots > /dev/null
"$xbarsim" sweep "$netlist" --monte-carlo 8 --seed 11 --jobs 2 --out "$workdir/two" --no-plots > /dev/null
without_seconds() { cut -d, -f1-4 "$1"; }
diff <(without_seconds "$workdir/one/results.csv") <(without_seconds "$workdir/two/results.csv")
distinct=$(tail -n +2 "$workdir/one/results.csv" | cut -d, -f2 | sort -u | wc -l)
if [[ $distinct -ne 8 ]]; then
  echo "expected 8 different results from 8 Monte Carlo runs, got $distinct" >&2
  exit 1
fi
echo "8 runs, 8 different device draws, identical with 1 and 2 jobs"
