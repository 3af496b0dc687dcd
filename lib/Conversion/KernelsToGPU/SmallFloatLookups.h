//===- SmallFloatLookups.h - The kernel IR's FP8/FP4 decode lookups -*- C++ -*-===//
//
// The kernel IR decodes a weight's E4M3 or E2M1 code by indexing a constant
// table (QuantArith's decodeFromTable). The GPU passes that decode codes
// another way (the chip's conversions, integer arithmetic) find those
// lookups here, by the tables' values, and replace the whole decode.
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_LIB_CONVERSION_KERNELSTOGPU_SMALLFLOATLOOKUPS_H
#define SIEVE_LIB_CONVERSION_KERNELSTOGPU_SMALLFLOATLOOKUPS_H

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace sieve::small_float_lookups {

enum class Format { E4M3, E2M1 };

/// A decode of one code: `decoded`'s result is the code's value (f32 or a
/// narrower float), `code` the integer it was computed from (only its low
/// 8 bits for E4M3, 4 for E2M1 matter).
struct Lookup {
  Format format;
  mlir::Value code;
  mlir::Operation *decoded;
};

/// The decode `extract` belongs to, where its table is the E4M3 magnitudes
/// (entry c the E4M3FN value of c < 128, 127 NaN; the lookup's sign ORed in
/// after it, the whole signed decode is the match) or the E2M1 values
/// (entry c the E2M1 value of c < 16). Each entry is compared with APFloat's
/// decoding of its code: other tables are not matched.
std::optional<Lookup> matchLookup(mlir::vector::ExtractOp extract);

/// The lookups of every `sieve.kernel` function in `module`, in walk order.
llvm::SmallVector<Lookup> kernelLookups(mlir::Operation *module);

/// Replaces `lookup.decoded` by `value` (f32): users that widened it to f32
/// take `value` itself; then erases the old decode as far as it is dead.
void replaceDecode(mlir::OpBuilder &b, const Lookup &lookup, mlir::Value value);

} // namespace sieve::small_float_lookups

#endif // SIEVE_LIB_CONVERSION_KERNELSTOGPU_SMALLFLOATLOOKUPS_H
