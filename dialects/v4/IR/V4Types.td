//===- V4Types.td - v4 typed cache values ------------------*- tablegen -*-===//
//
// The per-layer decode state of v4-architecture.md section 11.1 as types.
// Verifiers check what every producer and consumer would otherwise re-check:
// ratios, the overlap factor, dtypes and positive extents.
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_V4_TYPES_TD
#define SIEVE_V4_TYPES_TD

include "v4/IR/V4Base.td"
include "v4/IR/V4Interfaces.td"

def V4_Batch : AttrParameter<"int64_t", "batch rows (max_batch_size)">;
def V4_Ratio : AttrParameter<"int64_t", "compression ratio: 4 or a power of two in [8, 128]">;
def V4_Capacity : AttrParameter<"int64_t", "maximum number of entries (max_seq_len / ratio)">;
def V4_RowDim : AttrParameter<"int64_t", "width of one row">;
def V4_Element : AttrParameter<"::mlir::Type",
    "row encoding: bf16, or f8E4M3FN for the production FP8 layout">;
def V4_RopeDims : DefaultValuedParameter<"int64_t", "0",
    "trailing RoPE dims kept in bf16 by the FP8 layout (0 for bf16 rows)">;

class V4_CacheType<string name, string typeMnemonic>
    : V4_Type<name, typeMnemonic, [
        DeclareTypeInterfaceMethods<V4_CacheTypeInterface>]> {
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def V4_WindowCacheType : V4_CacheType<"WindowCache", "window"> {
  let summary = "raw sliding-window ring of main KV rows";
  let description = [{
    The last `rows` main KV rows of each batch row; position `p` lives in
    slot `p mod rows` (section 7.3). `rows` is the model's `window_size`
    (128 for V4). Rows are stored as `element = bf16` (the reference's
    storage, section 11.1) or `element = f8E4M3FN` (the production layout of
    section 11.2: the first `dim - rope` values as E4M3 codes with one E8M0
    scale per 64, the last `rope` in bf16, padded to 8 bytes: 584 bytes for
    V4), which holds the reference's FP8-simulated rows exactly. Contents:
    `tensor<batch x rows x dim x bf16>`, zero when created; storage: the
    contents for bf16, `tensor<batch x rows x row_bytes x i8>` for FP8.

    ```mlir
    !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>
    !v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN, rope = 64>
    ```
  }];
  let parameters = (ins V4_Batch:$batch,
                        AttrParameter<"int64_t", "ring slots (window_size)">:$rows,
                        V4_RowDim:$dim, V4_Element:$element, V4_RopeDims:$rope);
}

def V4_CompressedCacheType : V4_CacheType<"CompressedCache", "compressed"> {
  let summary = "compressed main KV entries of a CSA or HCA layer";
  let description = [{
    Entry `c` summarizes tokens `c*ratio ... c*ratio + ratio - 1` (section
    7.4). `ratio` is 4 (CSA, overlapping compressor) or a power of two in
    [8, 128] (HCA; 128 in V4, smaller ratios are used by the test configs of
    section 17.1). `capacity` is the maximum number of entries
    (`max_seq_len / ratio`). Rows are encoded as in `!v4.window` (`bf16`, or
    `f8E4M3FN` with `rope` bf16 dims). Contents:
    `tensor<batch x capacity x dim x bf16>`, zero when created.

    ```mlir
    !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>
    ```
  }];
  let parameters = (ins V4_Batch:$batch, V4_Ratio:$ratio,
                        V4_Capacity:$capacity, V4_RowDim:$dim,
                        V4_Element:$element, V4_RopeDims:$rope);
}

def V4_IndexerCacheType : V4_CacheType<"IndexerCache", "indexer_keys"> {
  let summary = "lightning-indexer keys of a CSA layer";
  let description = [{
    Compressed indexer keys (ratio 4, section 7.5) after Hadamard and FP4
    simulation. `dim` is `index_head_dim` (128 for V4); it must be a power of
    two and a multiple of the FP4 block (32). Keys are stored as `bf16`,
    `f8E4M3FN` (E4M3 codes and one fp32 scale per key: 132 bytes for V4) or
    `f4E2M1FN` (MXFP4: E2M1 pairs and one E8M0 scale per 32, 68 bytes), the
    last holding the reference's FP4-simulated keys exactly. Contents:
    `tensor<batch x capacity x dim x bf16>`, zero when created.

    ```mlir
    !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>
    ```
  }];
  let parameters = (ins V4_Batch:$batch, V4_Capacity:$capacity,
                        V4_RowDim:$dim, V4_Element:$element);
  let extraClassDeclaration = [{
    /// Indexer keys are always produced by a ratio-4 compressor.
    static constexpr int64_t kRatio = 4;
  }];
}

def V4_CompressorStateType : V4_CacheType<"CompressorState", "compressor_state"> {
  let summary = "fp32 state of a token compressor";
  let description = [{
    The pending tokens of a compressor (section 7.4): `kv_state` and
    `score_state`, each `[batch, coff*ratio, coff*dim]` fp32, where
    `coff = 2` for the overlapping ratio-4 compressor and 1 otherwise.
    Score rows already include `ape`. Contents:
    `tensor<2 x batch x coff*ratio x coff*dim x f32>` (index 0 = kv,
    1 = score); created with kv = 0 and score = -inf.

    ```mlir
    !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>
    ```
  }];
  let parameters = (ins V4_Batch:$batch, V4_Ratio:$ratio,
                        AttrParameter<"int64_t", "overlap factor: 2 for ratio 4, else 1">:$coff,
                        AttrParameter<"int64_t", "width d of one compressed entry">:$dim);
  let extraClassDeclaration = [{
    /// Whether this is the overlapping (ratio 4) compressor.
    bool isOverlapping() const { return getCoff() == 2; }
  }];
}

def V4_AnyCache : AnyTypeOf<[V4_WindowCacheType, V4_CompressedCacheType,
                             V4_IndexerCacheType, V4_CompressorStateType],
                            "v4 cache">;

#endif // SIEVE_V4_TYPES_TD
