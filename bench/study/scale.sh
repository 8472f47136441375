#!/usr/bin/env bash
# How the cost of a study grows with its size: peak memory (maximum
# resident set, from GNU time) and wall time of `afc run` on a one-parameter
# sweep of a small problem at 2,000, 20,000 and 100,000 points
# (bench/study/Inputs/param_sweep.af), and of elaborating a chain of
# N_EINSUMS=3000 matmuls (`afc check`). Both should grow linearly: memory per
# point is the row of the result table, not the whole sweep again. The study
# writes a report, so every point is committed to the result store
# (afc-results.sqlite) and the report is streamed back from it: rows are not
# held in memory. The last column is the store's size on disk.
#
#   bench/study/scale.sh [build-dir] [points...]   ($AFC: another afc binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
shift || true
points=("$@")
afc=${AFC:-$build/bin/afc}
[ ${#points[@]} -gt 0 ] || points=(2000 20000 100000)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ -x /usr/bin/time ] || { echo "scale.sh: needs GNU time (Debian: time)" >&2; exit 1; }

# Prints "<wall s> <peak MB>" of the command.
measure() {
  /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/stderr" ||
    { cat "$out/stderr" >&2; exit 1; }
  awk '{ printf "%8.2f s %8.1f MB\n", $1, $2 / 1024 }' "$out/time"
}

printf '%-40s %10s %11s\n' "what" "wall" "peak memory"
for n in "${points[@]}"; do
  printf '%-40s ' "afc run: $n-point parameter sweep"
  rm -rf "$out/run"
  measure "$afc" run bench/study/Inputs/param_sweep.af \
    -D NPTS="$n" --output-dir "$out/run" --quiet | tr -d '\n'
  if [ -f "$out/run/afc-results.sqlite" ]; then
    du -k "$out/run/afc-results.sqlite" | awk '{ printf " %8.1f MB store\n", $1 / 1024 }'
  else
    echo
  fi
done
printf '%-40s ' "afc check: N_EINSUMS=3000 matmuls"
measure "$afc" check stdlib/workloads/basic/matmuls.af -D N_EINSUMS=3000
