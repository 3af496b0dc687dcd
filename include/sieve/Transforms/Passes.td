//===- Passes.td - Sieve graph passes ----------------------*- tablegen -*-===//
//
// Graph-level passes over the v4 model graph (after import, before dispatch
// formation). Definitions carry the `Pass` suffix; their files do not
// (CacheLayout.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_TRANSFORMS_PASSES_TD
#define SIEVE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CacheLayoutPass : Pass<"v4-cache-layout", "mlir::ModuleOp"> {
  let summary = "Describe the KV cache of an entry function: per-layer bytes "
                "per token and fixed bytes";
  let description = [{
    Analyses the `v4` cache arguments of the entry function `entry` (default
    `@decode`): cache arguments named `layers.N.<role>` / `mtp.N.<role>` by a
    `v4.cache` argument attribute (the importer's naming) are grouped per
    layer; unnamed ones form a group each. For every layer it derives from
    the cache types alone:

    - the kind: `swa` (window only), `csa` (compressed ratio 4 + indexer
      keys), `hca` (compressed, other ratios);
    - bytes per token: compressed entry bytes / ratio plus indexer key bytes
      / 4, the asymptotic cache growth (v4-architecture.md 11.1);
    - fixed bytes: the raw window ring plus compressor states, independent
      of context length;
    - capacity bytes: everything as allocated for `max_seq_len` tokens.

    The totals are attached to the function as
    `v4.cache_layout = {bytes_per_token = ..., fixed_bytes = ...,
    capacity_bytes = ..., layers = ...}`; with `print=true` a table goes to
    stdout (from C++, `createCacheLayoutPass(options, stream)` picks the
    stream, so a tool writing IR to stdout keeps the two apart). For V4-Flash (bf16 reference layout) the total is 6,880 bytes per
    token, for V4-Pro 9,848; `sieve-compile --print-cache-layout` also
    cross-checks the figure against the runtime's `computeCacheSizes`.

    A module without the entry function is left unchanged. A `v4.cache`
    attribute that is not a string is an error.

    Example:

    ```
    sieve-opt graph.mlir --v4-cache-layout=entry=decode print=true -o /dev/null
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"decode\"",
           "Function whose cache arguments are described">,
    Option<"print", "print", "bool", /*default=*/"false",
           "Print the per-layer table (to stdout from the command line)">,
  ];
}

#endif // SIEVE_TRANSFORMS_PASSES_TD
