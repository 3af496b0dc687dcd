#!/usr/bin/env bash
# Sieve's main job on the bundled tiny model: install + build + generate the
# tiny-v4 checkpoint (scripts/setup.sh), compile it into a .sieve module for this
# CPU, run generation on the compiled module and on the reference executor (the
# same greedy tokens), show the module and the KV cache layout, and the DeepSeek
# tokenizer on a text prompt.
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

models="$build/models"
module="$models/tiny-v4.sieve"
prompt=0,17,211,5,42,300,7,99

echo
echo "== compile tiny-v4 into a module for this CPU"
"$bin/sieve-compile" "$models/tiny-v4" --weights="$models/tiny-v4" -o "$module"
"$bin/sieve-dump" "$module" | awk '
  /"weight_bytes"/ { gsub(/[,]/, ""); w = $2 }
  /"cache_bytes"/ { gsub(/[,]/, ""); c = $2 }
  /"name": "(prefill|decode|mtp|mtp_decode)"/ { gsub(/[",]/, ""); e = $2 }
  /"dispatches"/ && e { gsub(/[,]/, ""); printf "  @%s: %d dispatches\n", e, $2; e = "" }
  /"target": "cpu/ { gsub(/[",]/, ""); t = $2 }
  END { printf "  %d bytes of weights bound by name, %d bytes of caches, executable %s\n", w, c, t }'
echo "(module written to $module; sieve-dump shows it as JSON)"

echo
echo "== generate 32 tokens on tiny-v4, compiled for this CPU (greedy)"
"$bin/sieve-run" "$module" --weights "$models/tiny-v4" --tokens "$prompt" \
  --max-new-tokens 32 --temperature 0 --ignore-eos | tee "$models/demo-cpu.out"

echo
echo "== the same on the reference executor: the same tokens"
"$bin/sieve-run" --backend=reference --weights "$models/tiny-v4" --tokens "$prompt" \
  --max-new-tokens 32 --temperature 0 --ignore-eos | tee "$models/demo-ref.out"
if cmp -s "$models/demo-cpu.out" "$models/demo-ref.out"; then
  echo "(identical)"
else
  echo "(the tokens differ)" >&2
  exit 1
fi

echo
echo "== the KV cache layout, from the graph"
"$bin/sieve-compile" "$models/tiny-v4" --compile-to=graph --print-cache-layout \
  -o "$models/tiny-v4.graph.mlir"

tok="$root/third_party/tokenizer/tokenizer.json"
if [[ -f "$tok" ]]; then
  echo
  echo "== DeepSeek tokenizer: 'Hello from Sieve!' as a V4 chat prompt"
  msg='[{"role": "user", "content": "Hello from Sieve!"}]'
  printf '%s' "$msg" | "$bin/sieve-tokenize" --chat --text
  echo
  printf '%s' "$msg" | "$bin/sieve-tokenize" --tokenizer "$tok" --chat
fi
