#!/usr/bin/env bash
# End-to-end test of `xbarsim fit nlem` on bundled synthetic data: the command succeeds, writes
# every output file, the fitted .param card holds the known parameters within a tolerance, and
# the replay netlist (fitted device, measured stimulus) runs.
# usage: fit_nlem.sh XBARSIM DATA.csv WORKDIR TOLERANCE NAME=VALUE...   (TOLERANCE relative, e.g. 0.03)
set -uo pipefail
xbarsim=$1 data=$2 workdir=$3 tolerance=$4
shift 4
rm -rf "${workdir:?}"
"$xbarsim" fit nlem "$data" --out "$workdir"
status=$?
failed=0
if [[ "$status" != 0 ]]; then
  echo "FAIL: exit status $status" >&2
  failed=1
fi
for file in fitted.param replay.cir residuals.csv overlay.gp summary.json; do
  if [[ ! -s "$workdir/$file" ]]; then
    echo "FAIL: $workdir/$file was not written" >&2
    failed=1
  fi
done
if command -v gnuplot > /dev/null && [[ ! -s "$workdir/overlay.svg" ]]; then
  echo "FAIL: gnuplot is installed but $workdir/overlay.svg was not drawn" >&2
  failed=1
fi
for expected in "$@"; do
  name=${expected%%=*} value=${expected#*=}
  fitted=$(sed -n "s/^\.param nlem_$name=//p" "$workdir/fitted.param")
  if [[ -z "$fitted" ]]; then
    echo "FAIL: fitted.param has no nlem_$name" >&2
    failed=1
  elif ! awk -v f="$fitted" -v t="$value" -v tol="$tolerance" 'BEGIN { e = f / t - 1; exit !(e < tol && -e < tol) }'; then
    echo "FAIL: $name fitted $fitted, expected $value within $tolerance" >&2
    failed=1
  else
    echo "ok: $name fitted $fitted, expected $value"
  fi
done
if ! (cd "$workdir" && "$xbarsim" run replay.cir --quiet); then
  echo "FAIL: replay.cir does not run" >&2
  failed=1
fi
exit $failed
