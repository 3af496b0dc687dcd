// RUN: sieve-opt %s --split-input-file --sieve-form-dispatches | FileCheck %s --check-prefix=CPU
// RUN: sieve-opt %s --split-input-file --sieve-form-dispatches="gemm-column-tile=64 gemm-row-tile=16" | FileCheck %s --check-prefix=GPU
// RUN: sieve-opt %s --split-input-file --sieve-form-dispatches=gemm-column-tile=64 | FileCheck %s --check-prefix=GEMV
// RUN: not sieve-opt %s --sieve-form-dispatches=gemm-column-tile=-1 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not sieve-opt %s --sieve-form-dispatches="gemm-column-tile=64 gemm-row-tile=24" 2>&1 | FileCheck %s --check-prefix=BAD-ROWS
// RUN: not sieve-opt %s --sieve-form-dispatches=gemm-row-tile=16 2>&1 | FileCheck %s --check-prefix=BAD-ROWS
// RUN: sieve-opt %s --split-input-file --sieve-form-dispatches="gemm-column-tile=64 gemm-row-tile=16 gemm-scaled-tiles=true" | FileCheck %s --check-prefix=SCALED
// RUN: not sieve-opt %s --sieve-form-dispatches="gemm-column-tile=64 gemm-scaled-tiles=true" 2>&1 | FileCheck %s --check-prefix=BAD-SCALED

// A 1024-output GEMM: the CPU's rule gives four tiles of 256 outputs per
// group of four rows; a module with GPU code (gemm-column-tile=64, recorded
// on the module) sixteen tiles of 64, per tile of 16 rows with the GEMMs'
// tile form (gemm-row-tile=16, recorded too), else per group of four rows.
// CPU: module {
// CPU-LABEL: func.func @gemv(
// CPU: %[[GROUPS:.*]] = arith.ceildivui %{{.*}}, %c4 : index
// CPU: %[[WG:.*]] = arith.muli %[[GROUPS]], %c4 : index
// CPU: program.dispatch @kernels::@fp8_matmul_0[%[[WG]]]
// GPU: module attributes {sieve.gemm_column_tile = 64 : i64, sieve.gemm_row_tile = 16 : i64} {
// GPU-LABEL: func.func @gemv(
// GPU: %[[GROUPS:.*]] = arith.ceildivui %{{.*}}, %c16 : index
// GPU: %[[WG:.*]] = arith.muli %[[GROUPS]], %c16 : index
// GPU: program.dispatch @kernels::@fp8_matmul_0[%[[WG]]]
// GEMV: module attributes {sieve.gemm_column_tile = 64 : i64} {
// GEMV-LABEL: func.func @gemv(
// GEMV: %[[GROUPS:.*]] = arith.ceildivui %{{.*}}, %c4 : index
// GEMV: %[[WG:.*]] = arith.muli %[[GROUPS]], %c16 : index
// GEMV: program.dispatch @kernels::@fp8_matmul_0[%[[WG]]]
// BAD: error: sieve-form-dispatches: gemm-column-tile must not be negative, got -1
// The tiles as codes and scales (gemm-scaled-tiles, recorded; the same
// workgroups), which need the tile form.
// SCALED: module attributes {sieve.gemm_column_tile = 64 : i64, sieve.gemm_row_tile = 16 : i64, sieve.gemm_scaled_tiles} {
// SCALED: %[[GROUPS:.*]] = arith.ceildivui %{{.*}}, %c16 : index
// BAD-SCALED: error: sieve-form-dispatches: gemm-scaled-tiles needs a gemm-row-tile
// BAD-ROWS: error: sieve-form-dispatches: gemm-row-tile must be a multiple of 16 up to 64, with a gemm-column-tile; got {{24|16}}
func.func @gemv(%codes: tensor<?x256xf8E4M3FN>, %scales: tensor<?x2xf8E8M0FNU>,
                %w: tensor<1024x256xf8E4M3FN>, %s: tensor<8x2xf8E8M0FNU>) -> tensor<?x1024xbf16> {
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<1024x256xf8E4M3FN>,
         tensor<8x2xf8E8M0FNU>) -> tensor<?x1024xbf16>
  return %y : tensor<?x1024xbf16>
}
