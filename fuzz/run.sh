#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for a bounded time on its seed
# corpus (fuzz/corpus/NAME). A crash, a leak, or an input slower than the timeout fails the run
# and leaves the input that caused it in fuzz/findings/.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     defaults: 20, every target
#   FUZZ_OPTIONS adds libFuzzer options, such as "-fork=2 -ignore_crashes=1" for a long run that
#   keeps going after a finding. FUZZ_CONFIGURATION=release builds the targets optimized (still with
#   AddressSanitizer): many times the executions per second, for long runs.
set -euo pipefail
seconds=${1:-20}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
scratch=$here/.build
flags=(--package-path "$here" --scratch-path "$scratch" -c "${FUZZ_CONFIGURATION:-debug}" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
echo "Building the fuzz targets with AddressSanitizer..."
if ! build_log=$(swift build "${flags[@]}" 2>&1); then
  echo "$build_log" >&2
  exit 1
fi
bin=$(swift build "${flags[@]}" --show-bin-path)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=($(cd "$here/corpus" && ls))
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/nozzle-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$here/findings"
failed=()
for target in "${targets[@]}"; do
  [[ -x $bin/fuzz-$target ]] || { echo "no fuzz target fuzz-$target" >&2; exit 2; }
  mkdir -p "$work/$target"
  echo "== fuzz-$target: $seconds s"
  # The first corpus folder collects new inputs; the committed seeds stay as they are.
  if "$bin/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$here/findings/$target-" ${FUZZ_OPTIONS:-} "$work/$target" "$here/corpus/$target" \
      >"$work/$target.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$work/$target.log" | tail -2
  else
    failed+=("$target")
    tail -40 "$work/$target.log"
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in fuzz/findings/)" >&2
  exit 1
fi
echo "fuzzing: no findings in ${#targets[@]} targets"
