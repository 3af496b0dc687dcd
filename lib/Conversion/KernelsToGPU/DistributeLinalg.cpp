//===- DistributeLinalg.cpp - a workgroup's linalg ops over its threads ---===//
//
// Kernels made of linalg ops (the projections and heads Sieve emits as
// linalg.matmul, fills, elementwise generics) have no thread loops of their
// own, so a GPU block would run them in one thread. Each such op becomes a
// thread forall over one of its parallel dimensions, the op inside on
// subviews that fix that dimension: its iterations write disjoint output
// elements, and FormKernels puts a barrier after every thread loop, so ops
// that read what an earlier one wrote see all of it. Kernels that write
// memory any other way are left alone (their loops are the emitter's to
// distribute), as are ops whose output may alias an input they read at
// another index.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace sieve {
#define GEN_PASS_DEF_GPUDISTRIBUTELINALGPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// The binding or scratch buffer `v` views (through subviews, views,
/// casts and reshapes: every ViewLikeOpInterface).
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether threads may split `op`'s iterations: every input that shares
/// a buffer with the output is read where it is written.
bool distributable(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics())
    return false;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    Value written = rootBuffer(init.get());
    for (OpOperand *input : op.getDpsInputOperands())
      if (isa<MemRefType>(input->get().getType()) && rootBuffer(input->get()) == written &&
          (input->get() != init.get() ||
           op.getMatchingIndexingMap(input) != op.getMatchingIndexingMap(&init)))
        return false;
  }
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
      return false;
  return true;
}

/// The parallel dimension the threads take: the longest known one of at
/// least a warp's length, else a dynamic one (a tile of tokens or columns),
/// else the longest, else the first; none when the op has no parallel
/// dimension.
std::optional<unsigned> threadDimension(linalg::LinalgOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  std::optional<unsigned> longest, dynamic, first;
  for (unsigned d = 0; d < sizes.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel)
      continue;
    if (!first)
      first = d;
    if (ShapedType::isDynamic(sizes[d])) {
      if (!dynamic)
        dynamic = d;
    } else if (sizes[d] > 1 && (!longest || sizes[d] > sizes[*longest])) {
      longest = d;
    }
  }
  if (longest && sizes[*longest] >= 32)
    return longest;
  if (dynamic)
    return dynamic;
  return longest ? longest : first;
}

/// `op` as a thread forall over dimension `dim`, the op inside on the
/// operands' slices at the thread's index.
void distribute(linalg::LinalgOp op, unsigned dim) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<Range> ranges = op.createLoopRanges(b, loc);
  auto mapping =
      b.getArrayAttr({gpu::GPUThreadMappingAttr::get(b.getContext(), gpu::MappingId::DimX)});
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{ranges[dim].offset},
                                      ArrayRef<OpFoldResult>{ranges[dim].size},
                                      ArrayRef<OpFoldResult>{ranges[dim].stride}, ValueRange{},
                                      mapping);
  // A contraction's sums (marked when lowered) may go over a group of threads.
  if (op.getNumReductionLoops() > 0)
    forall->setAttr(kernel_contract::kSplitReductions, b.getUnitAttr());
  b.setInsertionPointToStart(forall.getBody());
  Value iv = forall.getInductionVar(0);
  SmallVector<Value> operands;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    std::optional<unsigned> position =
        type ? op.getMatchingIndexingMap(&operand).getResultPosition(b.getAffineDimExpr(dim))
             : std::nullopt;
    if (!position) {
      operands.push_back(operand.get());
      continue;
    }
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = memref::getMixedSizes(b, loc, operand.get());
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    offsets[*position] = iv;
    sizes[*position] = b.getIndexAttr(1);
    operands.push_back(
        memref::SubViewOp::create(b, loc, operand.get(), offsets, sizes, strides));
  }
  Operation *inside = b.clone(*op.getOperation());
  inside->setOperands(operands);
  op->erase();
}

struct GPUDistributeLinalgPass : impl::GPUDistributeLinalgPassBase<GPUDistributeLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto kernel : getOperation().getOps<func::FuncOp>()) {
      if (!kernel->hasAttr(kernel_contract::kKernel) || kernel.isExternal())
        continue;
      FailureOr<scf::ForallOp> workgroup = kernel_contract::workgroupForall(kernel);
      if (failed(workgroup))
        return signalPassFailure();
      SmallVector<std::pair<linalg::LinalgOp, unsigned>> plan;
      if (planKernel(*workgroup, plan))
        for (auto [op, dim] : plan)
          distribute(op, dim);
    }
  }

  /// The workgroup's linalg ops and the dimension each is split over, when
  /// they are its only writes and there are no thread loops yet.
  bool planKernel(scf::ForallOp workgroup,
                  SmallVector<std::pair<linalg::LinalgOp, unsigned>> &plan) {
    Block *body = workgroup.getBody();
    WalkResult walk = body->walk([&](Operation *op) {
      if (kernel_contract::isThreadForall(op))
        return WalkResult::interrupt();
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        std::optional<unsigned> dim = threadDimension(linalgOp);
        if (op->getBlock() != body || !dim || !distributable(linalgOp))
          return WalkResult::interrupt();
        plan.push_back({linalgOp, *dim});
        return WalkResult::skip();
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(op);
      bool writes = effects ? effects.hasEffect<MemoryEffects::Write>()
                            : !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
                                  !isMemoryEffectFree(op);
      // Scratch is written by the ops that fill it, not by its allocation.
      if (writes && !isa<memref::AllocaOp>(op))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    return !walk.wasInterrupted() && !plan.empty();
  }
};

} // namespace
} // namespace sieve
