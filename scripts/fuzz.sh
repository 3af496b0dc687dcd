#!/usr/bin/env bash
# Fuzzes every libFuzzer target for SECONDS each (default 600), one after the
# other, from its seed corpus in test/fuzz/corpus, under ASan + UBSan. New
# inputs and any crash land in build-asan/fuzz/TARGET/; the script ends with
# a line per target and exits non-zero if any target found something.
#
#   scripts/fuzz.sh 600                  # every target, 10 minutes each
#   scripts/fuzz.sh 60 config_fuzzer     # some targets
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIEVE_ASAN_BUILD_DIR:-$root/build-asan}"
seconds="${1:-600}"
shift || true

# Build (and nothing else) through sanitize.sh's configuration.
"$root/scripts/sanitize.sh" --build-only > /dev/null

targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in "$root"/test/fuzz/corpus/*/; do
    targets+=("$(basename "$dir")")
  done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
summary=()
for t in "${targets[@]}"; do
  fuzzer="$build/bin/$t"
  if [[ ! -x "$fuzzer" ]]; then
    summary+=("$t: not built")
    status=1
    continue
  fi
  log="$build/fuzz/$t/fuzz.log"
  mkdir -p "$build/fuzz/$t"
  echo "fuzz: $t for ${seconds} s (log: $log)"
  if "$root/test/fuzz/run_fuzzer.sh" "$build/fuzz/$t" "$fuzzer" "$root/test/fuzz/corpus/$t" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=4096 \
      -max_len=1048576 -print_final_stats=1 > "$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    summary+=("$t: ${seconds} s, ${runs} runs, no finding")
  else
    summary+=("$t: FINDING, see $log and $build/fuzz/$t/artifacts/")
    status=1
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
