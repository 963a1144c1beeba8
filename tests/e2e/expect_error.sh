#!/usr/bin/env bash
# End-to-end check of a bad-input netlist: xbarsim must exit with the expected status and print
# the expected diagnostic. The netlist states both in comment lines:
#   * expect-exit: 2
#   * expect-stderr: bad.cir:5:4: error: unknown element type
# usage: expect_error.sh XBARSIM NETLIST
set -uo pipefail
xbarsim=$1 netlist=$2
expected_exit=$(grep -m1 -i '^\* *expect-exit:' "$netlist" | sed 's/^[^:]*: *//')
expected_text=$(grep -m1 -i '^\* *expect-stderr:' "$netlist" | sed 's/^[^:]*: *//')
cd "$(dirname "$netlist")"
stderr=$("$xbarsim" run "$(basename "$netlist")" -r /dev/null -q 2>&1 >/dev/null)
status=$?
echo "exit $status; stderr: $stderr"
if [[ "$status" != "$expected_exit" ]]; then
  echo "FAIL: expected exit status $expected_exit" >&2
  exit 1
fi
if [[ "$stderr" != *"$expected_text"* ]]; then
  echo "FAIL: expected stderr to contain: $expected_text" >&2
  exit 1
fi
echo "ok"
