#!/usr/bin/env bash
# End-to-end cross-check of one netlist with `xbarsim check`: xbarsim against ngspice run through
# libngspice in its own process. Both engines must produce the same vectors (--same-vectors).
# Tolerances default to 1e-6 relative (of each vector's peak) + 1e-9 V / 1e-12 A, and can be set
# by a comment line in the netlist:   * xbarsim-test: reltol=1e-6 vabstol=1e-9 iabstol=1e-12
# The comparison is kept as WORKDIR/NAME.check.json.
# usage: check_with_ngspice.sh XBARSIM NETLIST WORKDIR
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
exec "$xbarsim" check "$netlist" --reltol "$reltol" --vabstol "$vabstol" --iabstol "$iabstol" --same-vectors \
  --timeout 300 --json "$workdir/$name.check.json"
