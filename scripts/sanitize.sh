#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (clang-22), with every libFuzzer target's regression corpus and a short
# fuzzing run of each (ctest label `fuzz`), in build-asan/. Expects the
# packages scripts/setup.sh installs. Extra arguments go to ctest.
#
#   scripts/sanitize.sh                  # build, then every test
#   scripts/sanitize.sh --build-only     # build, no tests
#   SIEVE_FUZZ_SMOKE_SECONDS=60 scripts/sanitize.sh -L fuzz
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIEVE_ASAN_BUILD_DIR:-$root/build-asan}"

export CCACHE_BASEDIR="$root"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
export CUDA_HOME="${CUDA_HOME:-/usr/local/cuda}"

# -O1: fast enough for the reference executor's longer tests, and still
# every check (-fno-sanitize-recover makes each finding fatal). The debug
# info names paths relative to the checkout (-fdebug-prefix-map), so ccache
# does not hash the build directory into -g compiles and a fresh clone
# elsewhere hits the cache too.
if [[ ! -f "$build/build.ninja" ]]; then
  flags="-O1 -g -fdebug-prefix-map=$root=."
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
    -DSIEVE_SANITIZE=address,undefined -DSIEVE_BUILD_FUZZERS=ON \
    -DSIEVE_FUZZ_SMOKE_SECONDS="${SIEVE_FUZZ_SMOKE_SECONDS:-20}" \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
elif [[ -n "${SIEVE_FUZZ_SMOKE_SECONDS:-}" ]]; then
  cmake "$build" -DSIEVE_FUZZ_SMOKE_SECONDS="$SIEVE_FUZZ_SMOKE_SECONDS" > /dev/null
fi
ninja -C "$build" -j "${SIEVE_JOBS:-$(nproc)}"
if [[ "${1:-}" == "--build-only" ]]; then
  exit 0
fi

# Findings abort with a report; leaks are findings too. UBSan prints the
# stack of each report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

cd "$build"
ctest --output-on-failure -j "${SIEVE_JOBS:-$(nproc)}" "$@"
