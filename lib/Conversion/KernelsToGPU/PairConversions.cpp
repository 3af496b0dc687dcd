//===- PairConversions.cpp - two FP8 codes per cvt.rn.f16x2.e4m3x2 --------===//
//
// sieve-gpu-native-small-floats converts each E4M3 code on its own, the code
// in both bytes of the pair. Once a lane's chunk of a sum is unrolled (a
// GEMV lane reads eight consecutive codes), or where a tile form's thread
// decodes its chunk of sixteen, neighbouring codes are loads of adjacent
// bytes: two of them share one conversion, half the instructions.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/STLExtras.h"

namespace sieve {
#define GEN_PASS_DEF_GPUPAIRCONVERSIONSPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// A conversion of one code loaded from memory: the code in both bytes,
/// its load's memref and indices, the last index as base + offset.
struct SingleConversion {
  NVVM::ConvertF8x2ToF16x2Op convert;
  memref::LoadOp load;
  Value base;
  int64_t offset = 0;
};

std::optional<SingleConversion> matchSingle(NVVM::ConvertF8x2ToF16x2Op convert) {
  auto broadcast = convert.getSrc().getDefiningOp<vector::BroadcastOp>();
  auto load = broadcast ? broadcast.getSource().getDefiningOp<memref::LoadOp>() : nullptr;
  if (!load || load.getIndices().empty() || !load.getType().isInteger(8))
    return std::nullopt;
  // Its users take either element (both are the code's value).
  for (Operation *user : convert->getUsers())
    if (!isa<vector::ExtractOp>(user) || cast<vector::ExtractOp>(user).hasDynamicPosition())
      return std::nullopt;
  SingleConversion single{convert, load, load.getIndices().back(), 0};
  if (auto add = single.base.getDefiningOp<arith::AddIOp>())
    if (std::optional<int64_t> c = getConstantIntValue(add.getRhs())) {
      single.base = add.getLhs();
      single.offset = *c;
    }
  return single;
}

bool inWorkgroupMemory(Value memref) {
  auto space =
      dyn_cast_or_null<gpu::AddressSpaceAttr>(cast<MemRefType>(memref.getType()).getMemorySpace());
  return space && space.getValue() == gpu::AddressSpace::Workgroup;
}

/// Whether an op from `from` (excluded) to `to` (excluded) in one block may
/// write what `loaded` holds. A store to workgroup memory does not write a
/// memref elsewhere (a tile form's decoded weights stored between the loads
/// of its codes).
bool writesBetween(Operation *from, Operation *to, Value loaded) {
  for (Operation *op = from->getNextNode(); op && op != to; op = op->getNextNode()) {
    // The conversions (NVVM declares no effects for them) read registers.
    if (isMemoryEffectFree(op) || isa<memref::LoadOp, NVVM::ConvertF8x2ToF16x2Op>(op))
      continue;
    auto store = dyn_cast<memref::StoreOp>(op);
    if (store && inWorkgroupMemory(store.getMemRef()) && !inWorkgroupMemory(loaded))
      continue;
    return true;
  }
  return false;
}

struct GPUPairConversionsPass : impl::GPUPairConversionsPassBase<GPUPairConversionsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Sets of conversions whose codes differ only in the offset of their
    // last index: same block, memref, leading indices and base.
    SmallVector<SmallVector<SingleConversion>> sets;
    getOperation().walk([&](NVVM::ConvertF8x2ToF16x2Op convert) {
      std::optional<SingleConversion> single = matchSingle(convert);
      if (!single)
        return;
      for (SmallVector<SingleConversion> &set : sets) {
        SingleConversion other = set.front();
        if (other.convert->getBlock() == convert->getBlock() &&
            other.load.getMemRef() == single->load.getMemRef() && other.base == single->base &&
            llvm::equal(other.load.getIndices().drop_back(),
                        single->load.getIndices().drop_back())) {
          set.push_back(*single);
          return;
        }
      }
      sets.push_back({*single});
    });
    for (SmallVector<SingleConversion> &set : sets) {
      llvm::stable_sort(set, [](const SingleConversion &a, const SingleConversion &b) {
        return a.offset < b.offset;
      });
      // Offsets c and c + 1, lowest first, each conversion in one pair.
      for (size_t i = 0; i + 1 < set.size(); ++i)
        if (set[i + 1].offset == set[i].offset + 1 && pair(set[i], set[i + 1]))
          ++i;
    }
  }

  /// One conversion of the two codes at the earlier one's place.
  bool pair(SingleConversion a, SingleConversion b) {
    const bool aFirst = a.convert->isBeforeInBlock(b.convert);
    SingleConversion first = aFirst ? a : b, second = aFirst ? b : a;
    // The later code is loaded again at the first conversion: nothing may
    // write memory between that place and its own load.
    if (second.load->getBlock() != first.convert->getBlock())
      return false;
    Operation *from = first.convert, *to = second.load;
    if (to->isBeforeInBlock(from))
      std::swap(from, to);
    if (writesBetween(from, to, second.load.getMemRef()))
      return false;
    OpBuilder builder(first.convert);
    Location loc = first.convert.getLoc();
    Value index = second.base;
    if (second.offset != 0)
      index = arith::AddIOp::create(builder, loc, second.base,
                                    arith::ConstantIndexOp::create(builder, loc, second.offset));
    SmallVector<Value> indices(second.load.getIndices().drop_back());
    indices.push_back(index);
    Value secondCode = memref::LoadOp::create(builder, loc, second.load.getMemRef(), indices);
    Value codes =
        vector::FromElementsOp::create(builder, loc, VectorType::get({2}, builder.getI8Type()),
                                       ValueRange{first.load.getResult(), secondCode});
    auto both =
        NVVM::ConvertF8x2ToF16x2Op::create(builder, loc, first.convert.getType(), codes,
                                           first.convert.getRelu(), first.convert.getSrcType());
    first.convert.getResult().replaceAllUsesWith(both.getResult());
    for (Operation *user : llvm::make_early_inc_range(second.convert->getUsers())) {
      auto extract = cast<vector::ExtractOp>(user);
      OpBuilder at(extract);
      extract.replaceAllUsesWith(
          vector::ExtractOp::create(at, extract.getLoc(), both.getResult(), ArrayRef<int64_t>{1})
              .getResult());
      extract.erase();
    }
    for (Operation *dead : {first.convert.getOperation(), second.convert.getOperation()}) {
      Operation *broadcast = dead->getOperand(0).getDefiningOp();
      dead->erase();
      if (broadcast->use_empty()) {
        Operation *load = broadcast->getOperand(0).getDefiningOp();
        broadcast->erase();
        if (load->use_empty())
          load->erase();
      }
    }
    return true;
  }
};

} // namespace
} // namespace sieve
