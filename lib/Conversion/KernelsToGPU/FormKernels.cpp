//===- FormKernels.cpp - Kernel IR functions become gpu.func kernels ------===//
//
// The GPU half of the kernel IR contract (KernelContract.h): the workgroup
// forall maps to blocks, inner thread foralls to the block's threads. What
// runs outside a thread forall runs in every thread of the block, so it may
// compute values but must not write memory; a kernel without thread foralls
// runs one thread per block.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/MathExtras.h"

#include <numeric>
#include <optional>

namespace sieve {
#define GEN_PASS_DEF_GPUFORMKERNELSPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

using kernel_contract::isThreadForall;

/// Whether `op` is nested in a thread forall below `root`.
bool insideThreadForall(Operation *op, Operation *root) {
  for (Operation *parent = op->getParentOp(); parent && parent != root;
       parent = parent->getParentOp())
    if (isThreadForall(parent))
      return true;
  return false;
}

/// Whether `op` writes memory (an op without the interface is assumed to).
bool writesMemory(Operation *op) {
  if (auto effects = dyn_cast<MemoryEffectOpInterface>(op))
    return effects.hasEffect<MemoryEffects::Write>();
  return !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() && op->getNumRegions() == 0 &&
         !isMemoryEffectFree(op);
}

struct GPUFormKernelsPass : impl::GPUFormKernelsPassBase<GPUFormKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    SmallVector<memref::GlobalOp> globals;
    for (Operation &op : module.getBody()->getOperations()) {
      if (auto fn = dyn_cast<func::FuncOp>(op); fn && fn->hasAttr(kernel_contract::kKernel))
        kernels.push_back(fn);
      else if (auto global = dyn_cast<memref::GlobalOp>(op))
        globals.push_back(global);
    }
    if (kernels.empty())
      return;
    if (blockSize < 1 || blockSize > 1024) {
      module.emitError() << "sieve-gpu-form-kernels: block-size must be in [1, 1024], got "
                         << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), b.getUnitAttr());
    auto gpuModule = gpu::GPUModuleOp::create(b, module.getLoc(), "kernels");
    Block &body = gpuModule.getBodyRegion().front();
    for (memref::GlobalOp global : globals)
      global->moveBefore(&body, body.end());
    for (func::FuncOp kernel : kernels)
      if (failed(form(kernel, gpuModule)))
        return signalPassFailure();
  }

  LogicalResult form(func::FuncOp kernel, gpu::GPUModuleOp gpuModule) {
    if (kernel.isExternal())
      return kernel.emitOpError() << "is a kernel without a body";
    FailureOr<kernel_contract::ArgumentCounts> counts = kernel_contract::countArguments(kernel);
    if (failed(counts))
      return failure();
    FailureOr<scf::ForallOp> forall = kernel_contract::workgroupForall(kernel);
    if (failed(forall))
      return failure();
    // The launch passes a pointer per binding, no length: a kernel reads
    // its sizes from push constants, never from a binding's memref.
    for (BlockArgument arg : kernel.getArguments().take_front(counts->bindings))
      for (Operation *user : arg.getUsers())
        if (!isa<memref::ViewOp>(user))
          return user->emitOpError()
                 << "uses binding " << arg.getArgNumber() << " of kernel @"
                 << kernel.getSymName()
                 << " other than through memref.view; a GPU launch passes a binding's "
                    "address without its length";

    SmallVector<scf::ForallOp> threadLoops;
    kernel.walk([&](scf::ForallOp loop) {
      if (isThreadForall(loop))
        threadLoops.push_back(loop);
    });
    int64_t threads = threadLoops.empty() ? 1 : blockSize;
    if (threads > 1 && failed(checkThreadContract(kernel, *forall)))
      return failure();

    OpBuilder b = OpBuilder::atBlockEnd(&gpuModule.getBodyRegion().front());
    Location loc = kernel.getLoc();
    auto fn = gpu::GPUFuncOp::create(b, loc, kernel.getSymName(), kernel.getFunctionType());
    fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    fn.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
    fn->setAttr(kernel_contract::kBindingCount, b.getI64IntegerAttr(counts->bindings));
    fn->setAttr(kernel_contract::kConstantCount, b.getI64IntegerAttr(counts->constants));

    // The kernel's body, its arguments now the gpu.func's.
    Block &entry = fn.getBody().front();
    Block &old = kernel.getBody().front();
    for (auto [from, to] : llvm::zip(old.getArguments(), entry.getArguments()))
      from.replaceAllUsesWith(to);
    entry.getOperations().splice(entry.end(), old.getOperations());
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    b.setInsertionPoint(ret);
    gpu::ReturnOp::create(b, ret.getLoc());
    ret.erase();

    // Workgroup scratch the threads share: allocas of the workgroup body
    // outside every thread loop.
    if (threads > 1) {
      SmallVector<memref::AllocaOp> shared;
      forall->getBody()->walk([&](memref::AllocaOp alloca) {
        if (!insideThreadForall(alloca, *forall))
          shared.push_back(alloca);
      });
      for (memref::AllocaOp alloca : shared)
        if (failed(moveToWorkgroupMemory(alloca, fn)))
          return failure();
    }
    uint64_t workgroupBytes = 0;
    for (BlockArgument buffer : fn.getWorkgroupAttributions()) {
      auto type = cast<MemRefType>(buffer.getType());
      // index is 64-bit in the GPU lowering.
      uint64_t elementBits = type.getElementType().isIndex() ? 64 : type.getElementTypeBitWidth();
      uint64_t bits = type.getNumElements() * elementBits;
      workgroupBytes += llvm::alignTo((bits + 7) / 8, 16);
    }
    fn->setAttr(kernel_contract::kWorkgroupMemory, b.getI64IntegerAttr(workgroupBytes));

    // One block per workgroup.
    scf::ForallOp loop = *forall;
    b.setInsertionPoint(loop);
    for (auto [iv, attr] : llvm::zip(loop.getInductionVars(), *loop.getMapping())) {
      auto dim = static_cast<gpu::Dimension>(
          static_cast<int>(cast<gpu::GPUBlockMappingAttr>(attr).getBlock()) -
          static_cast<int>(gpu::MappingId::DimX));
      iv.replaceAllUsesWith(gpu::BlockIdOp::create(b, loop.getLoc(), dim));
    }
    Block *workgroup = loop.getBody();
    workgroup->getTerminator()->erase();
    loop->getBlock()->getOperations().splice(Block::iterator(loop), workgroup->getOperations());
    loop.erase();

    SmallVector<scf::ForOp> loopsToSync = loopsReadingThreadWrites(fn);
    for (scf::ForallOp threadLoop : threadLoops)
      if (failed(distribute(threadLoop, threads)))
        return failure();
    syncLoopIterations(loopsToSync);
    // A thread's scratch is allocated once, first thing in the kernel (the
    // entry block splits where control flow is lowered): AMDGPU cannot
    // select a stack allocation after a branch, and NVPTX makes it a
    // dynamic one. Loop iterations use it one after another, as before.
    SmallVector<memref::AllocaOp> scratch;
    fn.walk([&](memref::AllocaOp alloca) { scratch.push_back(alloca); });
    auto privateSpace = gpu::AddressSpaceAttr::get(&getContext(), gpu::AddressSpace::Private);
    for (memref::AllocaOp alloca : scratch) {
      MemRefType type = alloca.getType();
      if (!type.hasStaticShape())
        return alloca.emitOpError() << "is per-thread scratch of a GPU kernel: it needs a "
                                       "static shape, got "
                                    << type;
      alloca->moveBefore(&entry, entry.begin());
      // In the private address space (AMDGPU selects stack objects only
      // there). Loads and stores take any memref type; other users keep
      // the default space.
      if (!type.getMemorySpace() && llvm::all_of(alloca->getUsers(), [](Operation *user) {
            return isa<memref::LoadOp, memref::StoreOp>(user);
          }))
        alloca.getResult().setType(MemRefType::get(type.getShape(), type.getElementType(),
                                                   type.getLayout(), privateSpace));
    }
    kernel.erase();
    return success();
  }

  /// Every thread runs what is outside the thread loops: it must not write
  /// memory, or the threads would race on it.
  LogicalResult checkThreadContract(func::FuncOp kernel, scf::ForallOp workgroup) {
    WalkResult result = workgroup.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isThreadForall(op)) {
        WalkResult nested = op->walk([&](scf::ForallOp inner) {
          if (inner != op && isThreadForall(inner)) {
            inner.emitOpError() << "is a thread loop inside a thread loop of kernel @"
                                << kernel.getSymName() << " (a block's threads map once)";
            return WalkResult::interrupt();
          }
          return WalkResult::advance();
        });
        return nested.wasInterrupted() ? WalkResult::interrupt() : WalkResult::skip();
      }
      if (writesMemory(op) && !isa<memref::AllocaOp>(op)) {
        op->emitOpError() << "writes memory outside the thread loops of kernel @"
                          << kernel.getSymName()
                          << "; every thread of a block runs it (put it in an scf.forall "
                             "mapped to #gpu.thread<x>)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  LogicalResult moveToWorkgroupMemory(memref::AllocaOp alloca, gpu::GPUFuncOp fn) {
    MemRefType type = alloca.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return alloca.emitOpError()
             << "is workgroup scratch of a GPU kernel: it needs a static shape, got " << type;
    // Users whose types do not name the buffer's, so they take the
    // workgroup memory space as it is (the address: wgmma's descriptors
    // hold it). Vector accesses would not: convert-vector-to-llvm runs
    // before the GPU lowering that maps the memory space.
    for (Operation *user : alloca->getUsers())
      if (!isa<memref::LoadOp, memref::StoreOp, memref::ExtractAlignedPointerAsIndexOp>(user))
        return user->emitOpError()
               << "uses workgroup scratch other than by memref.load/store or its address (the "
                  "scratch moves to GPU workgroup memory)";
    auto space = gpu::AddressSpaceAttr::get(&getContext(), gpu::AddressSpace::Workgroup);
    auto sharedType = MemRefType::get(type.getShape(), type.getElementType(),
                                      MemRefLayoutAttrInterface(), space);
    BlockArgument buffer = fn.addWorkgroupAttribution(sharedType, alloca.getLoc());
    // 16-byte aligned, as the bindings are: a lane's consecutive elements of
    // a tile (a matrix fragment's pair, a decoded chunk) are one vector
    // access for LLVM only where it knows the alignment.
    fn.setWorkgroupAttributionAttr(fn.getNumWorkgroupAttributions() - 1,
                                   LLVM::LLVMDialect::getAlignAttrName(),
                                   OpBuilder(fn).getI64IntegerAttr(16));
    alloca.getResult().replaceAllUsesWith(buffer);
    alloca.erase();
    return success();
  }

  /// `forall (%i) in (%n)` → `for %i = tid to %n step blockDim`, then a
  /// barrier: what the threads wrote is visible to all after the loop. A
  /// loop marked kSplitReductions gives each iteration a group of
  /// kSplitLanes threads instead, which split its sums and maxima
  /// (splitReduction) and share its trailing elementwise loops
  /// (shareAmongLanes).
  LogicalResult distribute(scf::ForallOp loop, int64_t threads) {
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    FailureOr<kernel_contract::ThreadLoopBounds> bounds = kernel_contract::threadLoopBounds(loop, b);
    if (failed(bounds))
      return failure();
    auto [lower, upper, step] = *bounds;
    const bool split =
        loop->hasAttr(kernel_contract::kSplitReductions) && threads % kSplitLanes == 0;
    Value thread = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value worker = thread, lane;
    if (split) {
      Value lanes = arith::ConstantIndexOp::create(b, loc, kSplitLanes);
      worker = arith::DivUIOp::create(b, loc, thread, lanes);
      lane = arith::RemUIOp::create(b, loc, thread, lanes);
    }
    Value start = arith::AddIOp::create(b, loc, lower, arith::MulIOp::create(b, loc, worker, step));
    Value stride = arith::MulIOp::create(
        b, loc, step,
        arith::ConstantIndexOp::create(b, loc, split ? threads / kSplitLanes : threads));
    auto perThread = scf::ForOp::create(b, loc, start, upper, stride);
    Block *body = loop.getBody();
    body->getTerminator()->erase();
    loop.getInductionVars()[0].replaceAllUsesWith(perThread.getInductionVar());
    perThread.getBody()->getOperations().splice(perThread.getBody()->begin(),
                                                body->getOperations());
    b.setInsertionPointAfter(perThread);
    gpu::BarrierOp::create(b, loc);
    loop.erase();
    if (split) {
      // The outermost splittable reductions: one inside a split one would
      // run its lane exchange in lanes that diverged.
      SmallVector<scf::ForOp> reductions;
      perThread.getBody()->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
        if (!splittableReduction(loop))
          return WalkResult::advance();
        reductions.push_back(loop);
        return WalkResult::skip();
      });
      for (scf::ForOp reduction : reductions)
        splitReduction(reduction, *splittableReduction(reduction), lane);
      for (Operation &op : perThread.getBody()->without_terminator())
        if (auto elementwise = dyn_cast<scf::ForOp>(op); elementwise && isLastWriter(elementwise))
          shareAmongLanes(elementwise, lane);
    }
    return success();
  }

  /// What an access to `memref` may alias, for telling accesses apart: a
  /// workgroup or private buffer is itself; every binding (a kernel
  /// argument) is one class, since the buffer plan may place two bindings
  /// in one buffer.
  static Value memoryClass(Value memref, gpu::GPUFuncOp fn) {
    while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
      memref = view.getViewSource();
    auto arg = dyn_cast<BlockArgument>(memref);
    if (arg && arg.getOwner() == &fn.getBody().front() && arg.getArgNumber() < fn.getNumArguments())
      return fn.getArgument(0);
    return memref;
  }

  /// The loops whose body holds thread loops and, outside them, reads
  /// memory those thread loops may write (like an attention block's scores
  /// in shared scratch): each of their iterations must end with a barrier,
  /// or a thread could still be reading when the next iteration's thread
  /// loops write again. A loop whose body reads only other memory outside
  /// its thread loops (a routing table, the kernel's inputs) needs none.
  static SmallVector<scf::ForOp> loopsReadingThreadWrites(gpu::GPUFuncOp fn) {
    SmallVector<scf::ForOp> loops;
    fn.walk([&](scf::ForOp loop) {
      bool holdsThreadLoops = false, unknown = false;
      llvm::SmallPtrSet<Value, 4> written, read;
      auto note = [&](Operation *op, bool inThreadLoop) {
        auto effects = dyn_cast<MemoryEffectOpInterface>(op);
        if (!effects) {
          if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() && !isMemoryEffectFree(op))
            unknown = true;
          return;
        }
        SmallVector<MemoryEffects::EffectInstance> instances;
        effects.getEffects(instances);
        for (MemoryEffects::EffectInstance &effect : instances) {
          const bool writes = isa<MemoryEffects::Write>(effect.getEffect());
          const bool reads = isa<MemoryEffects::Read>(effect.getEffect());
          if (!(inThreadLoop ? writes : reads))
            continue;
          Value value = effect.getValue();
          if (!value || !isa<MemRefType>(value.getType())) {
            unknown = true;
            continue;
          }
          (inThreadLoop ? written : read).insert(memoryClass(value, fn));
        }
      };
      loop.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (isThreadForall(op)) {
          holdsThreadLoops = true;
          op->walk([&](Operation *inner) { note(inner, /*inThreadLoop=*/true); });
          return WalkResult::skip();
        }
        note(op, /*inThreadLoop=*/false);
        return WalkResult::advance();
      });
      if (holdsThreadLoops &&
          (unknown || llvm::any_of(read, [&](Value v) { return written.contains(v); })))
        loops.push_back(loop);
    });
    return loops;
  }

  /// Each iteration of `loops` ends with a barrier, unless its body already
  /// ends with one (a thread loop's).
  static void syncLoopIterations(ArrayRef<scf::ForOp> loops) {
    for (scf::ForOp loop : loops) {
      Operation *yield = loop.getBody()->getTerminator();
      Operation *last = yield->getPrevNode();
      if (last && isa<gpu::BarrierOp>(last))
        continue;
      OpBuilder b(yield);
      gpu::BarrierOp::create(b, loop.getLoc());
    }
  }

  /// How the lanes of a group combine their parts of a split reduction.
  enum class Combine { Add, Maximum };

  /// A marked reduction (ReductionLoops.h: kReduction or kSplittableSum) of
  /// one f32 whose carried value is only combined with a term,
  /// `acc + term(i)` or `maximumf(acc, term(i))`: any split of the i
  /// combines to the whole (a maximum exactly, NaN winning in any order).
  static std::optional<Combine> splittableReduction(scf::ForOp loop) {
    if (!(loop->hasAttr(reduction_loops::kReduction) ||
          loop->hasAttr(reduction_loops::kSplittableSum)) ||
        loop.getNumRegionIterArgs() != 1 || !loop.getRegionIterArgs()[0].getType().isF32())
      return std::nullopt;
    Value acc = loop.getRegionIterArgs()[0];
    if (!acc.hasOneUse())
      return std::nullopt;
    Operation *combine = *acc.getUsers().begin();
    auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
    if (combine->getBlock() != loop.getBody() || yield.getOperand(0) != combine->getResult(0) ||
        !combine->getResult(0).hasOneUse())
      return std::nullopt;
    if (isa<arith::AddFOp>(combine))
      return Combine::Add;
    if (isa<arith::MaximumFOp>(combine))
      return Combine::Maximum;
    return std::nullopt;
  }

  /// Lane l of the group takes iterations l, l + kSplitLanes, ... of
  /// `reduction`, and the group's parts are combined by exchanges between
  /// lanes: every lane has the whole result after it (an exchange combines
  /// a and b in one lane and b and a in its partner, which is the same
  /// value). A sum starts from its initial value in lane 0 and from zero in
  /// the others; a maximum from its initial value in every lane.
  static void splitReduction(scf::ForOp reduction, Combine combine, Value lane) {
    // A lane's chunk of consecutive iterations is one iteration of the
    // unrolled loop (its step a chunk's).
    if (int64_t chunk = laneChunk(reduction)) {
      const int64_t lower = *getConstantIntValue(reduction.getLowerBound());
      FailureOr<UnrolledLoopInfo> unrolled = loopUnrollByFactor(reduction, chunk);
      if (succeeded(unrolled) && unrolled->mainLoopOp) {
        reduction = *unrolled->mainLoopOp;
        // Every lane's chunk starts where the whole loop's chunks do: at
        // lower + a multiple of `chunk`.
        foldChunkOffsets(reduction, std::gcd(chunk, lower));
      }
    }
    OpBuilder b(reduction);
    Location loc = reduction.getLoc();
    Value step = reduction.getStep();
    reduction.setLowerBound(arith::AddIOp::create(b, loc, reduction.getLowerBound(),
                                                  arith::MulIOp::create(b, loc, lane, step)));
    reduction.setStep(
        arith::MulIOp::create(b, loc, step, arith::ConstantIndexOp::create(b, loc, kSplitLanes)));
    if (combine == Combine::Add) {
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                          arith::ConstantIndexOp::create(b, loc, 0));
      Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
      reduction.getInitArgsMutable()[0].assign(
          arith::SelectOp::create(b, loc, first, reduction.getInitArgs()[0], zero));
    }
    b.setInsertionPointAfter(reduction);
    Value part = reduction.getResult(0);
    SmallVector<OpOperand *> uses =
        llvm::to_vector(llvm::map_range(part.getUses(), [](OpOperand &use) { return &use; }));
    Value total = part;
    for (int64_t distance = kSplitLanes / 2; distance >= 1; distance /= 2) {
      Value exchanged =
          gpu::ShuffleOp::create(b, loc, total, static_cast<int32_t>(distance),
                                 static_cast<int32_t>(kSplitLanes), gpu::ShuffleMode::XOR)
              .getShuffleResult();
      total = combine == Combine::Add
                  ? arith::AddFOp::create(b, loc, total, exchanged).getResult()
                  : arith::MaximumFOp::create(b, loc, total, exchanged).getResult();
    }
    for (OpOperand *use : uses)
      use->set(total);
  }

  /// `value` as a constant where it is one or a sum or product of constants
  /// (the unroller offsets copy c by step * c).
  static std::optional<int64_t> foldedConstant(Value value) {
    if (std::optional<int64_t> c = getConstantIntValue(value))
      return c;
    Operation *op = value.getDefiningOp();
    if (!isa_and_nonnull<arith::AddIOp, arith::MulIOp>(op))
      return std::nullopt;
    std::optional<int64_t> lhs = foldedConstant(op->getOperand(0));
    std::optional<int64_t> rhs = foldedConstant(op->getOperand(1));
    if (!lhs || !rhs)
      return std::nullopt;
    return isa<arith::AddIOp>(op) ? *lhs + *rhs : *lhs * *rhs;
  }

  /// In `loop`, whose induction variable is a multiple of `multiple`: the
  /// quotient and remainder of iv + c (c >= 0) by a divisor d of `multiple`
  /// are iv / d + c / d and c % d. A chunk's copy c of an FP4 loop then
  /// reads byte iv / 2 + c / 2 and shifts by a constant, so the two codes of
  /// a byte share its load and the chunk's bytes are one vector load.
  static void foldChunkOffsets(scf::ForOp loop, int64_t multiple) {
    Value iv = loop.getInductionVar();
    auto offsetOf = [&](Value index) -> std::optional<int64_t> {
      if (index == iv)
        return 0;
      auto add = index.getDefiningOp<arith::AddIOp>();
      if (!add)
        return std::nullopt;
      Value other = add.getLhs() == iv ? add.getRhs() : add.getRhs() == iv ? add.getLhs() : Value();
      std::optional<int64_t> c = other ? foldedConstant(other) : std::nullopt;
      if (!c || *c < 0)
        return std::nullopt;
      return c;
    };
    SmallVector<Operation *> divisions;
    loop.getBody()->walk([&](Operation *op) {
      if (isa<arith::DivUIOp, arith::RemUIOp>(op))
        divisions.push_back(op);
    });
    for (Operation *op : divisions) {
      std::optional<int64_t> divisor = getConstantIntValue(op->getOperand(1));
      std::optional<int64_t> offset = offsetOf(op->getOperand(0));
      if (!divisor || *divisor <= 0 || multiple % *divisor != 0 || !offset ||
          (*offset == 0 && isa<arith::DivUIOp>(op)))
        continue;
      OpBuilder b(op);
      Location loc = op->getLoc();
      Type type = op->getResult(0).getType();
      auto constant = [&](int64_t value) -> Value {
        return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
      };
      Value folded;
      if (isa<arith::RemUIOp>(op)) {
        folded = constant(*offset % *divisor);
      } else {
        folded = arith::DivUIOp::create(b, loc, iv, op->getOperand(1));
        if (*offset / *divisor != 0)
          folded = arith::AddIOp::create(b, loc, folded, constant(*offset / *divisor));
      }
      op->getResult(0).replaceAllUsesWith(folded);
      op->erase();
    }
  }

  /// How many consecutive iterations each lane of a split reduction takes
  /// at a time: the largest of kLaneChunks whose group share (kSplitLanes
  /// chunks) divides the static trip count, else 0 (one at a time).
  /// Consecutive iterations read consecutive elements (a weight row's
  /// bytes, an activation row's values), which LLVM then loads as one
  /// vector per lane (the launch's bindings are 16-byte aligned) instead of
  /// a byte or two per lane.
  static int64_t laneChunk(scf::ForOp loop) {
    std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound());
    std::optional<int64_t> upper = getConstantIntValue(loop.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!lower || !upper || !step || *step <= 0 || *upper <= *lower ||
        (*upper - *lower) % *step != 0)
      return 0;
    // Sixteen only for a stream of bytes (FP8 and FP4 codes): wider
    // elements fill a 16-byte load with eight, and sixteen spilled
    // registers in the attention kernels' dot products.
    const bool readsBytes =
        loop.getBody()
            ->walk([](memref::LoadOp load) {
              return load.getType().isInteger(8) ? WalkResult::interrupt() : WalkResult::advance();
            })
            .wasInterrupted();
    const int64_t trips = (*upper - *lower) / *step;
    for (int64_t chunk : kLaneChunks)
      if ((chunk <= 8 || readsBytes) && trips % (kSplitLanes * chunk) == 0)
        return chunk;
    return 0;
  }

  /// Whether `loop`, an op of a split thread loop's body, is an elementwise
  /// loop (reduction_loops::kElementwise: each iteration stores its own
  /// element) after which the iteration reads no memory: the group's lanes
  /// may share its iterations without waiting for each other, since no lane
  /// reads what another stored before the thread loop's barrier.
  static bool isLastWriter(scf::ForOp loop) {
    if (!loop->hasAttr(reduction_loops::kElementwise) || loop.getNumResults() != 0)
      return false;
    for (Operation *next = loop->getNextNode(); next; next = next->getNextNode()) {
      WalkResult reads = next->walk([](Operation *op) {
        auto effects = dyn_cast<MemoryEffectOpInterface>(op);
        if (effects
                ? effects.hasEffect<MemoryEffects::Read>()
                : !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() && !isMemoryEffectFree(op))
          return WalkResult::interrupt();
        return WalkResult::advance();
      });
      if (reads.wasInterrupted())
        return false;
    }
    return true;
  }

  /// Lane l of the group runs iterations l, l + kSplitLanes, ... of the
  /// elementwise `loop` (every lane ran all of them before, storing the same
  /// values).
  static void shareAmongLanes(scf::ForOp loop, Value lane) {
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    Value step = loop.getStep();
    loop.setLowerBound(arith::AddIOp::create(b, loc, loop.getLowerBound(),
                                             arith::MulIOp::create(b, loc, lane, step)));
    loop.setStep(
        arith::MulIOp::create(b, loc, step, arith::ConstantIndexOp::create(b, loc, kSplitLanes)));
  }

  /// Threads splitting one sum: a warp on NVIDIA GPUs, half a wave on
  /// AMD's wave64 chips (the exchanges stay within it).
  static constexpr int64_t kSplitLanes = 32;
  /// Consecutive iterations a lane may take at a time in a split reduction
  /// (laneChunk), the largest first: 16 FP8 codes are one 16-byte load (the
  /// widest a lane issues), 8 bf16 values too.
  static constexpr int64_t kLaneChunks[] = {16, 8};
};

} // namespace
} // namespace sieve
