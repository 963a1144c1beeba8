#!/usr/bin/env bash
# `xbarsim sweep` end to end on generated differential arrays (a small version of issue 9's
# "done when" scenario):
#   1. a 2-parameter grid with .meas outputs gives identical result files with --jobs 1, --jobs 2
#      and (when MPIRUN is given) 2 MPI ranks, apart from the per-point wall time;
#   2. the same for a Monte Carlo sweep with a fixed seed;
#   3. a sweep killed with SIGTERM after a few points and then resumed has every point exactly
#      once, with the same results as an uninterrupted run;
#   4. one plot per measurement and swept parameter is drawn (SVG, when gnuplot is installed);
#   5. a failing point records its error, the others run, and the exit status is 1.
# usage: sweep.sh XBARSIM WORKDIR [MPIRUN XBARSIM_MPI]
set -euo pipefail
xbarsim=$1 workdir=$2 mpirun=${3:-} xbarsim_mpi=${4:-}
rm -rf "$workdir"
mkdir -p "$workdir"
cd "$workdir"

# Result files without the `seconds` column (last in results.csv, last key in points.jsonl).
strip_time() { sed -e 's/,[0-9.]*$//' "$1/results.csv"; sed -e 's/,"seconds":[0-9.]*}$/}/' "$1/points.jsonl"; }
same_results() {
  if ! diff <(strip_time "$1") <(strip_time "$2") > /dev/null; then
    echo "FAIL: $1 and $2 differ"; diff <(strip_time "$1") <(strip_time "$2") | head; exit 1
  fi
  echo "ok: $1 = $2"
}
# Every point 0..N-1 exactly once in both files.
complete() {
  local points=$1 directory=$2
  test "$(sed -n 's/^{"point":\([0-9]*\),.*/\1/p' "$directory/points.jsonl" | sort -n | uniq | wc -l)" -eq "$points"
  test "$(wc -l < "$directory/points.jsonl")" -eq "$points"
  test "$(tail -n +2 "$directory/results.csv" | cut -d, -f1 | sort -n | uniq | wc -l)" -eq "$points"
  test "$(tail -n +2 "$directory/results.csv" | wc -l)" -eq "$points"
}
add_measurements() {  # NETLIST ANALYSIS-LINES...: appends .meas lines before the analysis line
  local netlist=$1; shift
  local analysis; analysis=$(grep -E '^\.(op|tran)' "$netlist")
  sed -i -E '/^\.(op|tran|end)/d' "$netlist"
  printf '%s\n' "$@" "$analysis" ".end" >> "$netlist"
}

echo "== 1. grid: jobs 1, jobs 2${mpirun:+, 2 MPI ranks}"
"$xbarsim" gen array --rows 16 --cols 16 -o op16.cir > /dev/null
add_measurements op16.cir ".meas op ip0 find i(vsense0)" ".meas op in0 find i(vsense1)" ".meas op w0 param='ip0-in0'" \
  ".meas op ip15 find i(vsense30)" ".meas op in15 find i(vsense31)" ".meas op w15 param='ip15-in15'"
grid=(--param rwl=lin:0.5,10,5 --param rbl=dec:0.1,10,2)
"$xbarsim" sweep op16.cir "${grid[@]}" --seed 5 --jobs 1 -o grid-j1 -q
"$xbarsim" sweep op16.cir "${grid[@]}" --seed 5 --jobs 2 -o grid-j2 -q
complete 25 grid-j1
same_results grid-j1 grid-j2
if [[ -n $mpirun ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  "$mpirun" -n 2 --oversubscribe "$xbarsim_mpi" sweep op16.cir "${grid[@]}" --seed 5 -o grid-mpi2 -q
  same_results grid-j1 grid-mpi2
fi

echo "== 2. Monte Carlo"
mc=(--param rwl=list:1,5 --monte-carlo 4 --vary rdrv=gauss:100,10 --vary rbl=uniform:0.5,2 --seed 11)
"$xbarsim" sweep op16.cir "${mc[@]}" --jobs 1 -o mc-j1 -q
"$xbarsim" sweep op16.cir "${mc[@]}" --jobs 2 -o mc-j2 -q
complete 8 mc-j1
same_results mc-j1 mc-j2
grep -q '"seed": "11"' mc-j1/sweep.json
if [[ -n $mpirun ]]; then
  "$mpirun" -n 3 --oversubscribe "$xbarsim_mpi" sweep op16.cir "${mc[@]}" -o mc-mpi3 -q
  same_results mc-j1 mc-mpi3
fi

echo "== 3. kill with SIGTERM after a few points, then --resume"
"$xbarsim" gen array --rows 12 --cols 12 --analysis tran -o tran12.cir > /dev/null
stop=$(sed -n 's/^\.tran [^ ]* \([^ ]*\).*/\1/p' tran12.cir)
add_measurements tran12.cir ".meas tran iend find i(vsense0) at=$stop" ".meas tran imax max i(vsense0)" \
  ".meas tran iavg avg i(vsense1) from=0 to=$stop" ".meas tran ratio param='iavg/imax'"
slow=(--param rwl=lin:1,4,4 --param cline=list:1f,10f,50f --seed 3 --jobs 1 --no-plots)
"$xbarsim" sweep tran12.cir "${slow[@]}" -o whole -q
complete 12 whole
"$xbarsim" sweep tran12.cir "${slow[@]}" -o killed -q &
sweep_pid=$!
for _ in $(seq 1 600); do
  if [[ -f killed/points.jsonl ]] && (( $(wc -l < killed/points.jsonl) >= 3 )); then break; fi
  sleep 0.05
done
kill -TERM "$sweep_pid"
wait "$sweep_pid" || true
finished=$(wc -l < killed/points.jsonl)
echo "killed after $finished of 12 points"
if (( finished >= 12 )); then echo "FAIL: the sweep finished before it could be killed"; exit 1; fi
"$xbarsim" sweep tran12.cir "${slow[@]}" -o killed --resume | tee resume.log
grep -q "resuming, $finished points already" resume.log
grep -q "^sweep: $((12 - finished)) points run this time" resume.log
complete 12 killed
same_results whole killed
# A resume of a complete sweep runs nothing; a resume with another seed is refused.
"$xbarsim" sweep tran12.cir "${slow[@]}" -o killed --resume | grep -q "^sweep: 0 points run this time"
if "$xbarsim" sweep tran12.cir "${slow[@]}" --seed 4 -o killed --resume -q 2> refused.log; then
  echo "FAIL: resume with another seed was accepted"; exit 1
fi
grep -q "different sweep" refused.log

echo "== 4. plots"
for measurement in ip0 in0 w0 ip15 in15 w15; do
  for parameter in rwl rbl; do
    test -s "grid-j1/plots/${measurement}_vs_${parameter}.dat"
    test -s "grid-j1/plots/${measurement}_vs_${parameter}.gp"
    if command -v gnuplot > /dev/null; then grep -q "<svg" "grid-j1/plots/${measurement}_vs_${parameter}.svg"; fi
  done
done
echo "ok: 12 plots"

echo "== 5. a failing point"
status=0
"$xbarsim" sweep op16.cir --param rdrv=list:100,0,50 --seed 1 -o failing -q --no-plots || status=$?
test "$status" -eq 1
complete 3 failing
test "$(grep -c ',ok,' failing/results.csv)" -eq 2
grep -q '"point":1,.*"status":"error","error":"[^"]' failing/points.jsonl
echo "ok: failing point recorded"
echo "all sweep checks passed"
