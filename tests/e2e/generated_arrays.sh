#!/usr/bin/env bash
# Generated differential arrays, cross-checked against ngspice with `xbarsim check`: several sizes,
# both layouts, every readout, op and tran, and the metrics command on each. The transient cases
# use 20 fF line capacitance: with the default 1 fF behind 100 Ohm drivers the input currents have
# sub-picosecond spikes at every pulse corner, which both engines resolve on different time grids,
# so comparing them through interpolation measures the grids, not the circuit.
# usage: generated_arrays.sh XBARSIM WORKDIR
set -euo pipefail
xbarsim=$1 workdir=$2
mkdir -p "$workdir"
configurations=(
  "op_4x4_interleaved_vg   --rows 4 --cols 4"
  "op_8x6_split_tia        --rows 8 --cols 6 --layout split --readout tia --seed 3"
  "op_12x12_resistor       --rows 12 --cols 12 --readout resistor --r-sense 50 --variation 0.05 --seed 5"
  "op_16x16_symmetric      --rows 16 --cols 16 --mapping symmetric --r-wire 2.5"
  "op_6x4_bsource          --rows 6 --cols 4 --cell bsource --bsource-expr g*v*(1+0.5*v*v)"
  "tran_4x3_coupled        --rows 4 --cols 3 --analysis tran --c-line 20e-15 --c-couple 10e-15"
  "tran_6x4_split_tia      --rows 6 --cols 4 --layout split --readout tia --analysis tran --tia-gain 1e4 --c-line 20e-15"
  "op_5x4_nlem_optical     --rows 5 --cols 4 --cell nlem --optical --optical-crosstalk 0.05"
)
for configuration in "${configurations[@]}"; do
  read -r name options <<< "$configuration"
  echo "== $name: $options"
  # shellcheck disable=SC2086
  "$xbarsim" gen array $options -o "$workdir/$name.cir"
  # Operating points agree to 1e-6 of each vector's peak. Transients are compared on the union of
  # two engines' time grids by interpolation, with both at reltol=1e-6 (set below): 1 % of peak,
  # the tolerance of the transient validation netlists.
  tolerances=(--reltol 1e-6)
  if [[ $name == tran_* ]]; then tolerances=(--reltol 1e-2 --vabstol 1e-6 --iabstol 1e-9); fi
  sed -i 's/^\.tran/.options reltol=1e-6\n.tran/' "$workdir/$name.cir"
  # Both engines hold the same vectors, except that ngspice also reports the N-LEM twin's internal nodes.
  same_vectors=(--same-vectors)
  if [[ $name == *nlem* ]]; then same_vectors=(); fi
  "$xbarsim" check "$workdir/$name.cir" "${tolerances[@]}" "${same_vectors[@]}" --worst 3
  "$xbarsim" run "$workdir/$name.cir" --array "$workdir/$name.json" --metrics "$workdir/$name-metrics" -r "$workdir/$name.raw" -q
  test -s "$workdir/$name-metrics/metrics.json"
done
echo "all generated arrays agree with ngspice"
