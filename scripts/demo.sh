#!/usr/bin/env bash
# Sieve's main job on the bundled tiny model: install + build + generate the
# tiny-v4 checkpoint (scripts/setup.sh), then run text generation on it with the
# reference executor, import it into the v4 dialect with sieve-compile, compile
# it to CPU code, and show the DeepSeek tokenizer on a text prompt.
#
# tiny-v4 has a 512-token vocabulary (v4-architecture.md 17.1), so it is driven
# by token ids; the real tokenizer's ids only fit models with the full
# vocabulary (examples/small-v4, the real checkpoints).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIEVE_BUILD_DIR:-$root/build}"
bin="$build/bin"
"$root/scripts/setup.sh"

echo
echo "== numeric formats self-check"
"$bin/sieve-numerics" --self-check | tail -1

echo
echo "== generate 32 tokens on tiny-v4 (reference executor, greedy)"
"$bin/sieve-run" --backend=reference --weights "$build/models/tiny-v4" \
  --tokens 0,17,211,5,42,300,7,99 --max-new-tokens 32 --temperature 0

echo
echo "== compile tiny-v4 to its v4 graph, checked against the checkpoint: the KV cache layout"
"$bin/sieve-compile" "$build/models/tiny-v4" --checkpoint="$build/models/tiny-v4" \
  --compile-to=graph --print-cache-layout -o "$build/models/tiny-v4.graph.mlir"
echo "(graph written to $build/models/tiny-v4.graph.mlir)"

echo
echo "== compile tiny-v4 to CPU code: dispatches, the buffer plan, this CPU's vectorized kernels"
target="$build/models/tiny-v4.target.mlir"
"$bin/sieve-compile" "$build/models/tiny-v4" --compile-to=target -o "$target"
echo "$(grep -c 'program.dispatch @' "$target") dispatches of $(grep -c 'func.func @.*sieve.kernel' "$target") kernels, compiled and linked for cpu:host"
grep -o 'func.func @[a-z_]*(.*program.arena_bytes = [0-9]*' "$target" |
  sed -E 's/func.func @([a-z_]*)\(.*program.arena_bytes = ([0-9]*)/  @\1: arena of \2 bytes/'
echo "(kernels and host program written to $target)"

tok="$root/third_party/tokenizer/tokenizer.json"
if [[ -f "$tok" ]]; then
  echo
  echo "== DeepSeek tokenizer: 'Hello from Sieve!' as a V4 chat prompt"
  msg='[{"role": "user", "content": "Hello from Sieve!"}]'
  printf '%s' "$msg" | "$bin/sieve-tokenize" --chat --text
  echo
  printf '%s' "$msg" | "$bin/sieve-tokenize" --tokenizer "$tok" --chat
fi
