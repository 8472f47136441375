#!/usr/bin/env bash
# Times the seed walkthrough (examples/eyeriss_glb_sweep.af: 32 design points,
# each an energy-optimal mapping search of a 4096^3 matmul on Eyeriss) with
# one thread and with every core, best of N runs, and compares it with the
# reference's own wall time for the same 32 points (the map_wall_s column of
# test/data/dse_eyeriss_glb_sweep.csv, measured on a 2-core machine), and
# with the generated kernels interpreted instead of JIT-compiled.
#
#   bench/study/seed_sweep.sh [build-dir] [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
runs=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

best() { # best wall time of $runs runs of: afc run ... "$@"
  local best=
  for _ in $(seq "$runs"); do
    local t0 t1 t
    t0=$(date +%s.%N)
    "$build/bin/afc" run examples/eyeriss_glb_sweep.af --output-dir "$out" --quiet "$@"
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  echo "$best"
}

reference=$(awk -F, 'NR > 1 { s += $NF } END { printf "%.2f", s }' \
  test/data/dse_eyeriss_glb_sweep.csv)
one=$(best -j 1)
all=$(best)
interp=$(best --no-jit)
printf 'seed sweep, 32 points: reference %.2f s (recorded)\n' "$reference"
printf '  afc -j 1: %.3f s  (%.0fx faster)\n' "$one" "$(echo "$reference / $one" | bc -l)"
printf '  afc -j %s: %.3f s  (%.0fx faster)\n' "$(nproc)" "$all" "$(echo "$reference / $all" | bc -l)"
printf '  afc -j %s --no-jit (kernels interpreted): %.3f s  (JIT %.2fx faster)\n' \
  "$(nproc)" "$interp" "$(echo "$interp / $all" | bc -l)"
