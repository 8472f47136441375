#!/usr/bin/env bash
# Times `afc map` (metric EDP, unfused) of one 3 x 3 ResNet convolution
# (stdlib/workloads/cnns/conv2d.af at its defaults) on the stdlib
# architectures, each with a time limit, and says whether the search
# finished. The reference's time for this case is not recorded; the
# mapper's goal for it is about 2 s.
#
#   bench/regression/conv.sh [build-dir] [seconds per architecture]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
limit=${2:-60}
# ws16x16: a plain 16 x 16 weight-stationary array (bench/regression);
# tpu_v4i/16: tpu_v4i with its array cut to 16 x 16.
for case in ws16x16 eyeriss simba tpu_v4i tpu_v4i/16; do
  arch=${case%%/*}
  defines=()
  [ "$case" = tpu_v4i/16 ] && defines=(-D TPU_V4I_ARRAY=16)
  spec=stdlib/arches/$arch.af
  [ -f "$spec" ] || spec=bench/regression/$arch.af
  t0=$(date +%s.%N)
  stats=$("$build/bin/afc" map "$spec" stdlib/workloads/cnns/conv2d.af \
    "${defines[@]}" \
    --metric=edp --unfused --max-time="$limit" --quiet --format=json \
    2> >(grep -v 'warning: the search stopped' >&2) |
    grep '"stats"' || true)
  t1=$(date +%s.%N)
  evaluated=$(sed -n 's/.*"pmappings_evaluated": \([0-9]*\).*/\1/p' <<<"$stats")
  complete=$(sed -n 's/.*"complete": \([a-z]*\).*/\1/p' <<<"$stats")
  printf 'conv3x3 on %-10s %7.2f s  %12s pmappings costed  %s\n' "$case" \
    "$(echo "$t1 - $t0" | bc -l)" "${evaluated:-?}" \
    "$([ "$complete" = true ] && echo "complete" || echo "STOPPED at the time limit")"
done
