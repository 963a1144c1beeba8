#!/usr/bin/env bash
# Runs a netlist's .meas lines in ngspice (batch mode prints "name = value") and in `xbarsim run`,
# and compares every measurement within the relative tolerance in the netlist's
# `* measure-tolerance: X` comment.
# usage: measure_vs_ngspice.sh XBARSIM NETLIST WORKDIR
set -euo pipefail
xbarsim=$1 netlist=$2 workdir=$3
mkdir -p "$workdir"
name=$(basename "$netlist" .cir)
tolerance=$(sed -n 's/^\* measure-tolerance: *\([^ ]*\).*/\1/p' "$netlist")
(cd "$workdir" && ngspice -b "$netlist" > "$name.ngspice.log" 2>&1)
"$xbarsim" run "$netlist" -r "$workdir/$name.raw" > "$workdir/$name.xbarsim.log"
# ngspice: "vmax                =  9.957560e-01 at=  7.000000e-06"; xbarsim: "  vmax                 = 0.995756".
awk '/^[a-z][a-z0-9_]* *= / {print $1, $3}' "$workdir/$name.ngspice.log" | sort > "$workdir/$name.ngspice.txt"
awk '/^  [a-z][a-z0-9_]* *= / {print $1, $3}' "$workdir/$name.xbarsim.log" | sort > "$workdir/$name.xbarsim.txt"
expected=$(grep -ciE '^\.meas' "$netlist")
test "$(wc -l < "$workdir/$name.ngspice.txt")" -eq "$expected" || { echo "ngspice measured fewer than $expected"; cat "$workdir/$name.ngspice.log"; exit 1; }
join "$workdir/$name.ngspice.txt" "$workdir/$name.xbarsim.txt" | awk -v tolerance="$tolerance" -v expected="$expected" '
  { difference = $2 - $3; if (difference < 0) difference = -difference
    scale = ($2 < 0 ? -$2 : $2); if (scale < 1e-30) scale = 1e-30
    status = (difference <= tolerance * scale) ? "ok" : "MISMATCH"
    printf "%-10s ngspice %-14.8g xbarsim %-14.8g relative %.2e %s\n", $1, $2, $3, difference / scale, status
    if (status != "ok") failed = 1; compared++ }
  END { if (compared != expected) { print "compared " compared " of " expected " measurements"; exit 1 } exit failed }'
