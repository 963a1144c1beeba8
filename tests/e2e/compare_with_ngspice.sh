#!/usr/bin/env bash
# End-to-end cross-check of one netlist: runs xbarsim and ngspice (batch, raw output) on the same
# file and compares every vector with `xbarsim compare` (both must hold the same vectors).
# Tolerances default to 1e-6 relative (of each vector's peak) + 1e-9 V / 1e-12 A, and can be set
# by a comment line in the netlist:   * xbarsim-test: reltol=1e-6 vabstol=1e-9 iabstol=1e-12
# usage: compare_with_ngspice.sh XBARSIM NETLIST WORKDIR
set -euo pipefail
xbarsim=$1 netlist=$2 workdir=$3
mkdir -p "$workdir"
name=$(basename "$netlist" .cir)
reltol=1e-6 vabstol=1e-9 iabstol=1e-12
if annotation=$(grep -m1 -i '^\* *xbarsim-test:' "$netlist"); then
  for setting in ${annotation#*:}; do
    case "$setting" in
      reltol=*) reltol=${setting#*=} ;;
      vabstol=*) vabstol=${setting#*=} ;;
      iabstol=*) iabstol=${setting#*=} ;;
      *) echo "unknown xbarsim-test setting '$setting' in $netlist" >&2; exit 2 ;;
    esac
  done
fi
"$xbarsim" run "$netlist" -r "$workdir/$name.xbarsim.raw" -q
if ! ngspice -b -r "$workdir/$name.ngspice.raw" "$netlist" > "$workdir/$name.ngspice.log" 2>&1; then
  echo "ngspice failed on $netlist:" >&2
  cat "$workdir/$name.ngspice.log" >&2
  exit 2
fi
if grep -qiE '^(error|.*fatal)' "$workdir/$name.ngspice.log"; then
  echo "ngspice reported an error on $netlist:" >&2
  grep -iE 'error|fatal' "$workdir/$name.ngspice.log" >&2
  exit 2
fi
"$xbarsim" compare "$workdir/$name.xbarsim.raw" "$workdir/$name.ngspice.raw" \
  --reltol "$reltol" --vabstol "$vabstol" --iabstol "$iabstol" --same-vectors
