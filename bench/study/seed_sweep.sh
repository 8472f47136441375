#!/usr/bin/env bash
# Times the seed walkthrough (examples/eyeriss_glb_sweep.af: 32 design points,
# each an energy-optimal mapping search of a 4096^3 matmul on Eyeriss) with
# one thread and with every core, best of N runs, and compares it with the
# reference's own wall time for the same 32 points (the map_wall_s column of
# test/data/dse_eyeriss_glb_sweep.csv, measured on a 2-core machine), and
# with the generated kernels interpreted instead of JIT-compiled.
#
# Given a second afc binary (e.g. one built from the previous commit), it
# times that one too, interleaving the runs so that both see the same
# machine load, and prints the ratio: the before/after figure of a change.
#
#   bench/study/seed_sweep.sh [build-dir] [runs] [baseline-afc]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
runs=${2:-3}
baseline=${3:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Best wall time of $runs runs of each binary: afc run ... "$@". Prints
# "<best of afc> [<best of baseline>]".
best() {
  local bestNew= bestOld=
  for _ in $(seq "$runs"); do
    local bin
    for bin in "$build/bin/afc" ${baseline:+"$baseline"}; do
      local t0 t1 t
      t0=$(date +%s.%N)
      "$bin" run examples/eyeriss_glb_sweep.af --output-dir "$out" --quiet "$@"
      t1=$(date +%s.%N)
      t=$(echo "$t1 - $t0" | bc -l)
      if [ "$bin" = "$build/bin/afc" ]; then
        if [ -z "$bestNew" ] || (( $(echo "$t < $bestNew" | bc -l) )); then bestNew=$t; fi
      else
        if [ -z "$bestOld" ] || (( $(echo "$t < $bestOld" | bc -l) )); then bestOld=$t; fi
      fi
    done
  done
  echo "$bestNew $bestOld"
}

# One line of the report: label, then the figures of `best`.
row() {
  local label=$1 new=$2 old=${3:-}
  printf '  %s: %.3f s  (%.0fx faster than the reference)' "$label" "$new" \
    "$(echo "$reference / $new" | bc -l)"
  if [ -n "$old" ]; then
    printf '; baseline %.3f s, this build %.2fx its speed' "$old" \
      "$(echo "$old / $new" | bc -l)"
  fi
  printf '\n'
}

reference=$(awk -F, 'NR > 1 { s += $NF } END { printf "%.2f", s }' \
  test/data/dse_eyeriss_glb_sweep.csv)
read -r one oneOld <<<"$(best -j 1)"
read -r all allOld <<<"$(best)"
read -r interp interpOld <<<"$(best --no-jit)"
printf 'seed sweep, 32 points: reference %.2f s (recorded)\n' "$reference"
row "afc -j 1" "$one" "$oneOld"
row "afc -j $(nproc)" "$all" "$allOld"
row "afc -j $(nproc) --no-jit (kernels interpreted)" "$interp" "$interpOld"
printf '  JIT is %.2fx faster than interpreted kernels\n' \
  "$(echo "$interp / $all" | bc -l)"
