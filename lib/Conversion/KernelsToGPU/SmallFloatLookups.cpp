//===- SmallFloatLookups.cpp - The kernel IR's FP8/FP4 decode lookups -----===//

#include "SmallFloatLookups.h"

#include "sieve/Conversion/KernelContract.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace sieve::small_float_lookups {
namespace {

/// Which decode table `values` is: entry c the E4M3FN value of code c for
/// c < 128 (the magnitudes; 127 is NaN), or the E2M1 value of c for c < 16.
std::optional<Format> tableFormat(DenseElementsAttr values) {
  auto type = cast<ShapedType>(values.getType());
  if (type.getRank() != 1 || !isa<FloatType>(type.getElementType()))
    return std::nullopt;
  auto matches = [&](const llvm::fltSemantics &format, unsigned bits) {
    int64_t code = 0;
    for (APFloat entry : values.getValues<APFloat>()) {
      APFloat expected(format, APInt(bits, static_cast<uint64_t>(code++)));
      if (entry.isNaN() != expected.isNaN())
        return false;
      bool lost = false;
      expected.convert(entry.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
      if (!entry.isNaN() && (lost || !entry.bitwiseIsEqual(expected)))
        return false;
    }
    return true;
  };
  if (type.getNumElements() == 128 && matches(APFloat::Float8E4M3FN(), 8))
    return Format::E4M3;
  if (type.getNumElements() == 16 && matches(APFloat::Float4E2M1FN(), 4))
    return Format::E2M1;
  return std::nullopt;
}

/// The integer code `position` was masked from: index_cast(andi(code, mask)).
Value maskedCode(Value position, int64_t mask) {
  auto cast = position.getDefiningOp<arith::IndexCastOp>();
  auto andi = cast ? cast.getIn().getDefiningOp<arith::AndIOp>() : nullptr;
  if (!andi || getConstantIntValue(andi.getRhs()) != mask ||
      !andi.getLhs().getType().isSignlessInteger())
    return nullptr;
  return andi.getLhs();
}

/// The E4M3 lookup's whole decode: bitcast(ori(bitcast(extract), sign)) with
/// sign = shl(andi(code, 128), w - 8), truncated to w bits where w < 32.
/// Returns the final bitcast, whose value is the signed decode of `code`.
arith::BitcastOp signedDecode(vector::ExtractOp extract, Value code) {
  if (!extract->hasOneUse())
    return nullptr;
  auto magnitude = dyn_cast<arith::BitcastOp>(*extract->user_begin());
  if (!magnitude || !magnitude->hasOneUse())
    return nullptr;
  auto withSign = dyn_cast<arith::OrIOp>(*magnitude->user_begin());
  if (!withSign || !withSign->hasOneUse())
    return nullptr;
  auto result = dyn_cast<arith::BitcastOp>(*withSign->user_begin());
  if (!result)
    return nullptr;
  Value sign = withSign.getLhs() == magnitude.getResult() ? withSign.getRhs() : withSign.getLhs();
  if (auto trunc = sign.getDefiningOp<arith::TruncIOp>())
    sign = trunc.getIn();
  auto shift = sign.getDefiningOp<arith::ShLIOp>();
  auto bit = shift ? shift.getLhs().getDefiningOp<arith::AndIOp>() : nullptr;
  const int64_t width = extract.getType().getIntOrFloatBitWidth();
  if (!bit || bit.getLhs() != code || getConstantIntValue(bit.getRhs()) != 128 ||
      getConstantIntValue(shift.getRhs()) != width - 8)
    return nullptr;
  return result;
}

/// Erases `op` and then its operands' producers as they become unused
/// (the old lookup, its sign and mask). Each op is visited once: a
/// producer reached twice (the code feeds the mask and the sign) must not
/// be looked at after it was erased.
void eraseIfDead(Operation *op) {
  SmallVector<Operation *> work = {op};
  llvm::SmallPtrSet<Operation *, 16> queued = {op};
  while (!work.empty()) {
    Operation *next = work.pop_back_val();
    if (!isOpTriviallyDead(next))
      continue;
    SmallVector<Operation *> producers;
    for (Value operand : next->getOperands())
      if (Operation *producer = operand.getDefiningOp())
        producers.push_back(producer);
    next->erase();
    for (Operation *producer : producers)
      if (queued.insert(producer).second)
        work.push_back(producer);
  }
}

} // namespace

std::optional<Lookup> matchLookup(vector::ExtractOp extract) {
  if (extract.getDynamicPosition().size() != 1 || isa<VectorType>(extract.getType()))
    return std::nullopt;
  auto table = extract.getSource().getDefiningOp<arith::ConstantOp>();
  auto values = table ? dyn_cast<DenseElementsAttr>(table.getValue()) : nullptr;
  std::optional<Format> format = values ? tableFormat(values) : std::nullopt;
  if (!format)
    return std::nullopt;
  const bool e4m3 = *format == Format::E4M3;
  Value code = maskedCode(extract.getDynamicPosition().front(), e4m3 ? 127 : 15);
  if (!code)
    return std::nullopt;
  // E4M3: the whole signed decode (the table holds magnitudes); E2M1's
  // table holds signed values already.
  Operation *decoded = e4m3 ? signedDecode(extract, code) : extract.getOperation();
  if (!decoded)
    return std::nullopt;
  return Lookup{*format, code, decoded};
}

SmallVector<Lookup> kernelLookups(Operation *module) {
  SmallVector<Lookup> lookups;
  module->walk([&](vector::ExtractOp extract) {
    auto kernel = extract->getParentOfType<func::FuncOp>();
    if (!kernel || !kernel->hasAttr(kernel_contract::kKernel))
      return;
    if (std::optional<Lookup> lookup = matchLookup(extract))
      lookups.push_back(*lookup);
  });
  return lookups;
}

void replaceDecode(OpBuilder &b, const Lookup &lookup, Value value) {
  Operation *decoded = lookup.decoded;
  for (Operation *user : llvm::make_early_inc_range(decoded->getUsers()))
    if (auto widen = dyn_cast<arith::ExtFOp>(user); widen && widen.getType() == value.getType()) {
      widen.replaceAllUsesWith(value);
      widen.erase();
    }
  Type element = decoded->getResult(0).getType();
  if (!decoded->use_empty())
    decoded->getResult(0).replaceAllUsesWith(
        element == value.getType()
            ? value
            : arith::TruncFOp::create(b, decoded->getLoc(), element, value).getResult());
  eraseIfDead(decoded);
}

} // namespace sieve::small_float_lookups
