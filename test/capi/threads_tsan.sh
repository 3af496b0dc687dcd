#!/bin/sh
# The C API under ThreadSanitizer: libsieve.so built alone (no LLVM) with
# clang-22 -fsanitize=thread, examples/embed-cpp built the same way against
# its installed package, then several sessions generating on several
# threads of one model (and the CPU device's worker threads under each).
# Any data race ends the run (halt_on_error); the tokens must be the ones
# the release build's one-thread run gives.
#   threads_tsan.sh BUILD_DIR SOURCE_DIR WORK_DIR
# The runtime tree goes beside build/ (build-tsan-runtime/) so ccache,
# keyed on paths relative to the checkout, hits on later runs.
set -eu
build=$1 source=$(cd "$2" && pwd) work=$3
rm -rf "$work" && mkdir -p "$work"
bin=$build/bin
tree=$source/build-tsan-runtime
launcher=
command -v ccache > /dev/null && launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
export CCACHE_BASEDIR="$source"
flags="-fsanitize=thread -O1 -g"
log=$work/build.log
# shellcheck disable=SC2086
CC=clang-22 CXX=clang++-22 cmake -S "$source" -B "$tree" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIEVE_SANITIZE=thread \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DSIEVE_BUILD_COMPILER=OFF -DSIEVE_BUILD_TESTS=OFF $launcher > "$log" 2>&1 ||
  { cat "$log"; exit 1; }
ninja -C "$tree" sieve_runtime_shared >> "$log" 2>&1 || { tail -30 "$log"; exit 1; }
cmake --install "$tree" --prefix "$work/prefix" --component runtime >> "$log" 2>&1
CC=clang-22 CXX=clang++-22 cmake -S "$source/examples/embed-cpp" -B "$work/embed-cpp" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="$flags" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >> "$log" 2>&1 ||
  { cat "$log"; exit 1; }
cmake --build "$work/embed-cpp" >> "$log" 2>&1 || { tail -30 "$log"; exit 1; }

"$bin/sieve-gen" "$source/examples/tiny-v4/config.json" --seed 3 -o "$work/ckpt" > /dev/null
# Four slots: four sessions at once.
"$bin/sieve-compile" "$work/ckpt/config.json" --max-batch=4 -o "$work/tiny.sieve"
set -- 0,15,7,99,3 0,42,8 0,5,6,7,8,9,10 0,1,2 0,300,301,302
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
"$work/embed-cpp/embed-cpp" "$work/tiny.sieve" "$work/ckpt" 4 "$@" > "$work/four.out"
"$work/embed-cpp/embed-cpp" "$work/tiny.sieve" "$work/ckpt" 1 "$@" > "$work/one.out"
cmp "$work/one.out" "$work/four.out"
test "$(grep -c '^prompt ' "$work/four.out")" -eq 5
echo "embed-cpp under ThreadSanitizer: 5 prompts on 4 threads, no race, the tokens of one thread"
