#!/usr/bin/env bash
# Times `afc map` (metric EDP, unfused) of cases of the same kind as the
# reference's regression suite that are not in it: other models, sizes and
# token counts on the suite's architectures, and the CNNs. The reference has
# no results for them, so this checks what it can without one: that each
# search finishes (not stopped by the time limit) within the mapper's goal
# for the suite, 5 s on 2 cores. Exit status 1 when one does not.
#
#   bench/regression/heldout.sh [build-dir] [seconds per case]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
limit=${2:-60}
goal=5
models=stdlib/workloads/transformers
prefill="-D BATCH_SIZE=1 -D DECODE=False -D N_NEW_TOKENS"
decode="-D BATCH_SIZE=1 -D DECODE=True -D N_NEW_TOKENS=1 -D N_CACHED_TOKENS"
# architecture | workload | parameters
cases="
tpu_v4i|$models/gpt/gpt3_6.7B.af|$prefill=2048
tpu_v4i|$models/gpt/gpt3_175B.af|$prefill=1024
tpu_v4i|$models/gpt/gpt3_175B.af|-D BATCH_SIZE=4 -D DECODE=True -D N_NEW_TOKENS=1 -D N_CACHED_TOKENS=1023
tpu_v4i|$models/llama/llama3_8B.af|$prefill=2048
tpu_v4i|$models/llama/llama3_8B.af|$decode=4095
tpu_v4i|$models/qwen/qwen3_8B.af|$prefill=512
tpu_v4i|$models/mixtral/mixtral8x22B.af|$prefill=512
simba|$models/gpt/gpt3_175B.af|$prefill=2048
simba|$models/llama/llama3_8B.af|$prefill=2048
simba|$models/qwen/qwen3_8B.af|$prefill=1024
simba|$models/mixtral/mixtral8x22B.af|$prefill=512
eyeriss|$models/gpt/gpt3_175B.af|$prefill=2048
eyeriss|$models/llama/llama3_8B.af|$prefill=1024
eyeriss|stdlib/workloads/cnns/mobilenet/mobilenet_various_separate.af|
simba|stdlib/workloads/cnns/mobilenet/mobilenet_various_separate.af|
tpu_v4i|stdlib/workloads/cnns/mobilenet/mobilenet_various_separate.af|
"
status=0
while IFS='|' read -r arch workload params; do
  [ -n "$arch" ] || continue
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086 # the parameters are separate words
  stats=$("$build/bin/afc" map "stdlib/arches/$arch.af" "$workload" $params \
    --metric=edp --unfused --max-time="$limit" --quiet --format=json \
    2> >(grep -v 'warning: the search stopped' >&2) |
    grep '"stats"' || true)
  t1=$(date +%s.%N)
  seconds=$(echo "$t1 - $t0" | bc -l)
  evaluated=$(sed -n 's/.*"pmappings_evaluated": \([0-9]*\).*/\1/p' <<<"$stats")
  complete=$(sed -n 's/.*"complete": \([a-z]*\).*/\1/p' <<<"$stats")
  verdict="within ${goal} s"
  if [ "$complete" != true ]; then
    verdict="NOT COMPLETE"
    status=1
  elif (($(echo "$seconds > $goal" | bc -l))); then
    verdict="SLOWER than ${goal} s"
    status=1
  fi
  printf '%-8s %-32s %-62s %6.2f s %10s pmappings  %s\n' "$arch" \
    "$(basename "$workload" .af)" "${params:--}" "$seconds" \
    "${evaluated:-?}" "$verdict"
done <<<"$cases"
exit $status
