// RUN: sieve-opt %s --split-input-file --cse --canonicalize | FileCheck %s

// Two layers' fresh caches are two values: CSE must not merge them (they
// become two buffers that each layer updates in place).
// CHECK-LABEL: func @two_layers_two_caches
// CHECK-COUNT-2: v4.cache_init : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
// CHECK-NOT: v4.cache_init
func.func @two_layers_two_caches()
    -> (!v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
        !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>) {
  %a = v4.cache_init : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
  %b = v4.cache_init : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
  return %a, %b : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
                  !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
}

// -----

// An unused fresh cache is still dead code.
// CHECK-LABEL: func @unused_cache
// CHECK-NOT: v4.cache_init
// CHECK: return
func.func @unused_cache() {
  %a = v4.cache_init : !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>
  return
}
