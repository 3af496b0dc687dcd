#!/bin/sh
# libsieve.so and the runtime tools build without LLVM or MLIR, from the
# sources alone (-DSIEVE_BUILD_COMPILER=OFF), and link neither.
#   runtime_alone.sh SOURCE_DIR
# The tree goes beside build/ (build-runtime-only/) so ccache, keyed on
# paths relative to the checkout, hits what the main build compiled.
set -eu
source=$1
work=$source/build-runtime-only
launcher=
command -v ccache > /dev/null && launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
export CCACHE_BASEDIR="$source"
mkdir -p "$work"
log=$work/build.log
# shellcheck disable=SC2086
cmake -S "$source" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIEVE_BUILD_COMPILER=OFF \
  -DSIEVE_BUILD_TESTS=OFF -DCMAKE_C_COMPILER=cc -DCMAKE_CXX_COMPILER=c++ $launcher > "$log" 2>&1 ||
  { cat "$log"; exit 1; }
ninja -C "$work" sieve_runtime_shared sieve-run >> "$log" 2>&1 || { tail -30 "$log"; exit 1; }
if ldd "$work/lib/libsieve.so" "$work/bin/sieve-run" | grep -i -E 'mlir|llvm'; then
  echo "the runtime links LLVM or MLIR"
  exit 1
fi
echo "libsieve.so and sieve-run built without the compiler"
