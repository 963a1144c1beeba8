#!/usr/bin/env bash
# End-to-end test of `xbarsim check` on a netlist that states what must happen, in comment lines:
#   * expect-exit: 1
#   * expect-output: FAIL: 2 of 3 vectors          (one line each; all must occur in stdout+stderr)
# It also asks for the JSON report and overlay plots, which must exist whenever the engines compared
# (exit status 0 or 1).
# usage: expect_check.sh XBARSIM NETLIST WORKDIR
set -uo pipefail
xbarsim=$1 netlist=$2 workdir=$3
name=$(basename "$netlist" .cir)
rm -rf "${workdir:?}/$name"
mkdir -p "$workdir/$name"
expected_exit=$(grep -m1 -i '^\* *expect-exit:' "$netlist" | sed 's/^[^:]*: *//')
output=$("$xbarsim" check "$netlist" --timeout 120 --json "$workdir/$name/check.json" --plot "$workdir/$name/plots" 2>&1)
status=$?
echo "$output"
echo "exit status $status"
failed=0
if [[ "$status" != "$expected_exit" ]]; then
  echo "FAIL: expected exit status $expected_exit" >&2
  failed=1
fi
while IFS= read -r expected; do
  if [[ "$output" != *"$expected"* ]]; then
    echo "FAIL: expected the output to contain: $expected" >&2
    failed=1
  fi
done < <(grep -i '^\* *expect-output:' "$netlist" | sed 's/^[^:]*: *//')
if [[ "$status" == 0 || "$status" == 1 ]]; then
  for file in "$workdir/$name/check.json" "$workdir/$name/plots/01_"*.dat "$workdir/$name/plots/01_"*.gp; do
    [[ -s "$file" ]] || { echo "FAIL: missing report file $file" >&2; failed=1; }
  done
fi
exit $failed
