#!/usr/bin/env bash
# Packs the gpu-run checks and the GPU benchmark for a machine that has a
# CUDA GPU and driver but no LLVM/MLIR and no package registry (the H100 or
# H200 the device tool lends for about 15 minutes). Run it after a build
# (scripts/setup.sh); it writes .gpu-kit/ (ignored by git, about 50 MB):
# runtime binaries, libxxhash, modules compiled here for NVIDIA chips, the
# conformance suite recorded on the emulated sm_90 (test/conformance/replay), the
# official known answer, and run.sh, which runs everything there in one go:
#
#   scripts/gpu-kit.sh
#   device run: carry [".gpu-kit"], command "bash .gpu-kit/run.sh"
#
# run.sh writes its logs and summary.txt to $OUT (or .gpu-kit/out).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SIEVE_BUILD_DIR:-$root/build}"
kit="$root/.gpu-kit"
rm -rf "$kit"
mkdir -p "$kit/bin" "$kit/lib" "$kit/data"
for tool in sieve-cuda-e2e-tests sieve-cuda-smoke sieve-run sieve-bench sieve-gen \
  sieve-conformance-replay; do
  cp "$build/bin/$tool" "$kit/bin/"
done
cp "$build/test/gpu/scale_add.ptx" "$kit/data/"
cp -r "$build/test/e2e/compiled/gpu-modules" "$kit/data/gpu-modules"
cp -r "$root/test/data/official-logits/tiny-v4-r128-seed4" "$kit/data/official"
# The shared libraries the runtime tools need beyond libc and libstdc++ (oneDNN
# and what it links: the GPU machine has none of them).
for lib in $(ldd "$build/bin/sieve-run" | awk '/libxxhash|libpcre2|libdnnl|libgomp|libOpenCL/ {print $3}'); do
  cp -L "$lib" "$kit/lib/"
done
# oneDNN alone is 39 MB and a device call carries 64 MiB: it travels compressed.
gzip -9 "$kit/lib/libdnnl.so.2"
# The benchmark model: small-v4 for Hopper (cubin) and later chips (PTX); its
# random checkpoint is made on the GPU machine (sieve-gen, under a minute).
mkdir -p "$kit/data/small-v4"
cp "$root/examples/small-v4/config.json" "$kit/data/small-v4/"
"$build/bin/sieve-compile" "$root/examples/small-v4/config.json" --target=nvidia:sm_90 \
  --target=nvidia:sm_80 --target=cpu:x86-64-v3 --max-seq-len=4096 --max-batch=1 \
  -o "$kit/data/small-v4.sieve"
# The decode-bandwidth model: V4-Flash's layer dimensions, four layers and 64
# of its 256 experts (examples/v4-flash-layers; 6.7 GiB, made there too).
mkdir -p "$kit/data/v4-flash-layers"
cp "$root/examples/v4-flash-layers/config.json" "$kit/data/v4-flash-layers/"
"$build/bin/sieve-compile" "$root/examples/v4-flash-layers/config.json" --target=nvidia:sm_90 \
  --target=nvidia:sm_80 --max-seq-len=4096 --max-batch=1 -o "$kit/data/v4-flash-layers.sieve"
# The same with GEMM tiles of 16 outputs (256 blocks for a 4096-output GEMV
# instead of 64, on 132 SMs): which one reads HBM faster decides the default.
"$build/bin/sieve-compile" "$root/examples/v4-flash-layers/config.json" --target=nvidia:sm_90 \
  --gpu-gemm-column-tile=16 --max-seq-len=4096 --max-batch=1 \
  -o "$kit/data/v4-flash-layers-tile16.sieve"
# The same without the prefill GEMMs' tile form (every row group a GEMV, no
# matrix units): whether the tile form prefills faster.
"$build/bin/sieve-compile" "$root/examples/v4-flash-layers/config.json" --target=nvidia:sm_90 \
  --gpu-gemm-row-tile=0 --max-seq-len=4096 --max-batch=1 \
  -o "$kit/data/v4-flash-layers-gemv.sieve"
# And with 32-row tiles: the weight tile's decode shared by twice the rows,
# the activation quantization as often (a row tile per workgroup either way).
"$build/bin/sieve-compile" "$root/examples/v4-flash-layers/config.json" --target=nvidia:sm_90 \
  --gpu-gemm-row-tile=32 --max-seq-len=4096 --max-batch=1 \
  -o "$kit/data/v4-flash-layers-rows32.sieve"
# The same on sm_90a: the prefill GEMMs' tile products on wgmma instead of
# mma.sync (whether wgmma's products outrun mma.sync's fragment loads).
"$build/bin/sieve-compile" "$root/examples/v4-flash-layers/config.json" --target=nvidia:sm_90a \
  --max-seq-len=4096 --max-batch=1 -o "$kit/data/v4-flash-layers-wgmma.sieve"
# The conformance suite on the GPU: every dispatch of the suite on the
# emulated sm_90, recorded with its PTX and cubin, inputs and checked outputs
# (test/conformance/replay), for sieve-conformance-replay to run on cuda:0.
recorded="$(mktemp -d)/conformance-sm_90"
mkdir -p "$recorded"
SIEVE_CONFORMANCE_SIMT_CHIP=sm_90 SIEVE_CONFORMANCE_RECORD="$recorded" \
  SIEVE_CONFORMANCE_RECORD_CODES=gpu "$build/bin/sieve-conformance-tests" > /dev/null
tar czf "$kit/data/conformance-sm_90.tar.gz" -C "$(dirname "$recorded")" conformance-sm_90
rm -rf "$(dirname "$recorded")"
# And the tile form's GEMMs on the emulated sm_90a (wgmma), which only a GPU
# can say the emulator reads as the hardware does.
recorded="$(mktemp -d)/conformance-sm_90a"
mkdir -p "$recorded"
SIEVE_CONFORMANCE_SIMT_CHIP=sm_90a SIEVE_CONFORMANCE_RECORD="$recorded" \
  SIEVE_CONFORMANCE_RECORD_CODES=gpu "$build/bin/sieve-conformance-tests" \
  --gtest_filter='*InTheGpuTileFormWithinOneBf16Ulp*:*InTheGpuTileFormOf32RowsWithinOneBf16Ulp*' \
  > /dev/null
tar czf "$kit/data/conformance-sm_90a.tar.gz" -C "$(dirname "$recorded")" conformance-sm_90a
rm -rf "$(dirname "$recorded")"
# Modules are mostly PTX text: they travel compressed (a fifth the size).
find "$kit/data" -name '*.sieve' -exec gzip -9 {} +
cat > "$kit/run.sh" <<'RUN'
#!/usr/bin/env bash
# On the GPU machine: the gpu-run checks, then small-v4 decode and prefill on
# cuda:0 (and on the host's CPU for the ratio). Each step's log goes to $OUT.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/out}"
mkdir -p "$out"
libs="$(mktemp -d)"
cp "$here"/lib/* "$libs/"
for packed in "$libs"/*.gz; do
  [ -e "$packed" ] && gunzip -f "$packed"
done
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
summary="$out/summary.txt"
: > "$summary"
find "$here/data" -name '*.sieve.gz' -exec gunzip -f {} +
work="$(mktemp -d)"
tar xzf "$here/data/conformance-sm_90.tar.gz" -C "$work"
tar xzf "$here/data/conformance-sm_90a.tar.gz" -C "$work"
step() { # name, timeout seconds, command...
  local name="$1" limit="$2"
  shift 2
  local start=$SECONDS
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  echo "$name: exit $rc in $((SECONDS - start)) s" | tee -a "$summary"
}
(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true) >> "$summary" 2>&1
# The checkpoints take a while to make: they are made while the checks run.
checkpoint="$(mktemp -d)/small-v4"
flash="$(mktemp -d)/v4-flash-layers"
(step gen 150 "$here/bin/sieve-gen" "$here/data/small-v4/config.json" --seed 1 \
  -o "$checkpoint" && step gen-flash 200 "$here/bin/sieve-gen" \
  "$here/data/v4-flash-layers/config.json" --seed 1 -o "$flash") &
step smoke 30 "$here/bin/sieve-cuda-smoke" "$here/data/scale_add.ptx"
step conformance 120 "$here/bin/sieve-conformance-replay" "$work/conformance-sm_90" \
  --device=cuda:0
step conformance-wgmma 60 "$here/bin/sieve-conformance-replay" "$work/conformance-sm_90a" \
  --device=cuda:0
step e2e 150 "$here/bin/sieve-cuda-e2e-tests" --modules "$here/data/gpu-modules" \
  --official "$here/data/official"
wait
step bench-cuda 120 "$here/bin/sieve-bench" "$here/data/small-v4.sieve" \
  --weights "$checkpoint" --device cuda:0 -p 128 -n 32 -r 1 --json
# Where a decode step's time goes: 64 prompt tokens, 16 steps, each kernel timed.
step profile-cuda 120 "$here/bin/sieve-run" "$here/data/small-v4.sieve" --weights "$checkpoint" \
  --device cuda:0 --tokens "$(seq -s, 1 64)" --max-new-tokens 16 --temperature 0 --profile
step bench-cpu 60 "$here/bin/sieve-bench" "$here/data/small-v4.sieve" \
  --weights "$checkpoint" --device cpu -p 64 -n 16 -r 1 --json
step bench-cuda-flash 150 "$here/bin/sieve-bench" "$here/data/v4-flash-layers.sieve" \
  --weights "$flash" --device cuda:0 -p 128 -n 16 -r 1 --json
step bench-cuda-flash-tile16 120 "$here/bin/sieve-bench" "$here/data/v4-flash-layers-tile16.sieve" \
  --weights "$flash" --device cuda:0 -p 128 -n 16 -r 1 --json
step bench-cuda-flash-gemv 120 "$here/bin/sieve-bench" "$here/data/v4-flash-layers-gemv.sieve" \
  --weights "$flash" --device cuda:0 -p 128 -n 16 -r 1 --json
step bench-cuda-flash-wgmma 120 "$here/bin/sieve-bench" "$here/data/v4-flash-layers-wgmma.sieve" \
  --weights "$flash" --device cuda:0 -p 128 -n 16 -r 1 --json
step bench-cuda-flash-rows32 120 "$here/bin/sieve-bench" "$here/data/v4-flash-layers-rows32.sieve" \
  --weights "$flash" --device cuda:0 -p 128 -n 16 -r 1 --json
step profile-cuda-flash 120 "$here/bin/sieve-run" "$here/data/v4-flash-layers.sieve" \
  --weights "$flash" --device cuda:0 --tokens "$(seq -s, 1 32)" --max-new-tokens 8 \
  --temperature 0 --profile
tail -n 5 "$out/e2e.log" >> "$summary"
tail -n 1 "$out/conformance.log" >> "$summary"
tail -n 1 "$out/conformance-wgmma.log" >> "$summary"
cat "$summary"
RUN
chmod +x "$kit/run.sh"
du -sh "$kit"
