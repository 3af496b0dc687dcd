//===- V4Interfaces.td - v4 type interfaces ----------------*- tablegen -*-===//

#ifndef SIEVE_V4_INTERFACES_TD
#define SIEVE_V4_INTERFACES_TD

include "mlir/IR/OpBase.td"

def V4_CacheTypeInterface : TypeInterface<"CacheTypeInterface"> {
  let cppNamespace = "::sieve::v4";
  let description = [{
    A typed cache value. Its contents (`getContentsType`) are the values it
    holds, what `v4.cache_read` returns: bf16 rows for KV and key caches
    whatever their encoding, fp32 for compressor state. Its storage
    (`getStorageType`) is how those values sit in memory: the same tensor for
    bf16 rows, bytes for the FP8 and MXFP4 row encodings; lowerings map it to
    a device buffer, and the cache layout counts its bytes.
  }];
  let methods = [
    InterfaceMethod<"Batch rows of the cache.", "int64_t", "getBatch">,
    InterfaceMethod<"The values the cache holds, as a tensor.",
                    "::mlir::RankedTensorType", "getContentsType">,
    InterfaceMethod<"The cache as stored, as a tensor.",
                    "::mlir::RankedTensorType", "getStorageType">,
  ];
}

#endif // SIEVE_V4_INTERFACES_TD
