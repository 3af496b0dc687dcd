//===- EmulateGPU.cpp - GPU kernels as host code for the SIMT emulator ---===//
//
// The GPU kernels' own semantics (threads that meet at barriers, lanes that
// exchange values, warps that multiply fragments on the matrix units) are
// what a CPU run of the kernel IR cannot check. This pass keeps everything
// the NVVM or ROCDL pipeline made and replaces only what needs the hardware
// by calls into the SIMT emulator (sieve/hal/simt_abi.h), which runs each
// thread of a block as a fiber. The result is host LLVM IR in the CPU kernel
// ABI, so the conformance suite dispatches it like any CPU kernel.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToGPU/Passes.h"
#include "sieve/hal/simt_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <cstddef>

namespace sieve {
#define GEN_PASS_DEF_GPUEMULATEPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// The table slot of a sieve_simt_runtime_t member.
#define SIMT_SLOT(member) unsigned(offsetof(sieve_simt_runtime_t, member) / sizeof(void *))

/// The special registers by their NVVM op names.
const llvm::StringMap<int32_t> &specialRegisters() {
  static const llvm::StringMap<int32_t> registers = {
      {"nvvm.read.ptx.sreg.tid.x", SIEVE_SIMT_THREAD_ID_X},
      {"nvvm.read.ptx.sreg.tid.y", SIEVE_SIMT_THREAD_ID_Y},
      {"nvvm.read.ptx.sreg.tid.z", SIEVE_SIMT_THREAD_ID_Z},
      {"nvvm.read.ptx.sreg.ntid.x", SIEVE_SIMT_BLOCK_DIM_X},
      {"nvvm.read.ptx.sreg.ntid.y", SIEVE_SIMT_BLOCK_DIM_Y},
      {"nvvm.read.ptx.sreg.ntid.z", SIEVE_SIMT_BLOCK_DIM_Z},
      {"nvvm.read.ptx.sreg.ctaid.x", SIEVE_SIMT_BLOCK_ID_X},
      {"nvvm.read.ptx.sreg.ctaid.y", SIEVE_SIMT_BLOCK_ID_Y},
      {"nvvm.read.ptx.sreg.ctaid.z", SIEVE_SIMT_BLOCK_ID_Z},
      {"nvvm.read.ptx.sreg.nctaid.x", SIEVE_SIMT_GRID_DIM_X},
      {"nvvm.read.ptx.sreg.nctaid.y", SIEVE_SIMT_GRID_DIM_Y},
      {"nvvm.read.ptx.sreg.nctaid.z", SIEVE_SIMT_GRID_DIM_Z},
      {"nvvm.read.ptx.sreg.laneid", SIEVE_SIMT_LANE_ID},
      {"nvvm.read.ptx.sreg.warpsize", SIEVE_SIMT_WARP_SIZE},
      {"rocdl.workitem.id.x", SIEVE_SIMT_THREAD_ID_X},
      {"rocdl.workitem.id.y", SIEVE_SIMT_THREAD_ID_Y},
      {"rocdl.workitem.id.z", SIEVE_SIMT_THREAD_ID_Z},
      {"rocdl.workgroup.dim.x", SIEVE_SIMT_BLOCK_DIM_X},
      {"rocdl.workgroup.dim.y", SIEVE_SIMT_BLOCK_DIM_Y},
      {"rocdl.workgroup.dim.z", SIEVE_SIMT_BLOCK_DIM_Z},
      {"rocdl.workgroup.id.x", SIEVE_SIMT_BLOCK_ID_X},
      {"rocdl.workgroup.id.y", SIEVE_SIMT_BLOCK_ID_Y},
      {"rocdl.workgroup.id.z", SIEVE_SIMT_BLOCK_ID_Z},
      {"rocdl.grid.dim.x", SIEVE_SIMT_GRID_DIM_X},
      {"rocdl.grid.dim.y", SIEVE_SIMT_GRID_DIM_Y},
      {"rocdl.grid.dim.z", SIEVE_SIMT_GRID_DIM_Z},
      {"rocdl.wavefrontsize", SIEVE_SIMT_WARP_SIZE},
  };
  return registers;
}

/// Builds calls into the emulator's table.
class RuntimeCalls {
public:
  RuntimeCalls(OpBuilder &b, LLVM::GlobalOp table) : b(b), table(table) {}

  /// The loaded table pointer.
  Value tablePointer(Location loc) {
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    Value address = LLVM::AddressOfOp::create(b, loc, ptr, table.getSymName());
    return LLVM::LoadOp::create(b, loc, ptr, address);
  }

  /// Calls slot `slot` of the table at `tablePtr` (or loads the table).
  Value call(Location loc, unsigned slot, Type result, ValueRange args, Value tablePtr = {}) {
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    if (!tablePtr)
      tablePtr = tablePointer(loc);
    Value entry =
        LLVM::GEPOp::create(b, loc, ptr, ptr, tablePtr, ArrayRef<LLVM::GEPArg>{int32_t(slot)});
    Value fn = LLVM::LoadOp::create(b, loc, ptr, entry);
    SmallVector<Type> argTypes(args.getTypes());
    auto type = LLVM::LLVMFunctionType::get(
        result ? result : LLVM::LLVMVoidType::get(b.getContext()), argTypes);
    SmallVector<Value> operands = {fn};
    llvm::append_range(operands, args);
    auto callOp = LLVM::CallOp::create(b, loc, type, operands);
    return result ? callOp.getResult() : Value();
  }

  Value i32(Location loc, int64_t value) {
    return LLVM::ConstantOp::create(b, loc, b.getI32Type(), b.getI32IntegerAttr(int32_t(value)));
  }

private:
  OpBuilder &b;
  LLVM::GlobalOp table;
};

struct GPUEmulatePass : impl::GPUEmulatePassBase<GPUEmulatePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
    if (gpuModules.size() != 1) {
      module.emitError() << "sieve-gpu-emulate expects one gpu.module of NVVM kernels, found "
                         << gpuModules.size();
      return signalPassFailure();
    }
    gpu::GPUModuleOp kernels = gpuModules.front();
    if (failed(emulate(module, kernels)))
      return signalPassFailure();
  }

  LogicalResult emulate(ModuleOp module, gpu::GPUModuleOp kernels) {
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Location loc = kernels.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    Type i32 = b.getI32Type();

    // Shared memory: each kernel lays out the workgroup globals it uses
    // from offset 0 of the block's arena, which the emulator allocates (and
    // poisons) per block, as a GPU gives each kernel's block its own.
    llvm::StringMap<LLVM::GlobalOp> sharedGlobals;
    for (auto global : kernels.getOps<LLVM::GlobalOp>()) {
      if (global.getAddrSpace() != unsigned(NVVM::NVVMMemorySpace::Shared))
        continue;
      if (global.getValueOrNull() || global.getInitializerBlock())
        return global.emitOpError() << "is initialized shared memory, which a GPU does not have";
      if (storageBytes(global.getGlobalType()) == 0)
        return global.emitOpError() << "has a type whose size the emulator cannot tell";
      sharedGlobals[global.getSymName()] = global;
    }
    // Per kernel, over the functions it calls (its `.workgroup` body): each
    // global's offset, and the bytes in all. A function two kernels call
    // would need both layouts at once.
    SymbolTable symbols(kernels);
    llvm::DenseMap<Operation *, Operation *> kernelOf;
    llvm::DenseMap<Operation *, llvm::StringMap<uint64_t>> sharedOffsets;
    llvm::DenseMap<Operation *, uint64_t> sharedBytes;
    for (auto kernel : kernels.getOps<LLVM::LLVMFuncOp>()) {
      if (!kernel->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName()) &&
          !kernel->hasAttr(ROCDL::ROCDLDialect::getKernelFuncAttrName()))
        continue;
      llvm::StringMap<uint64_t> &offsets = sharedOffsets[kernel];
      uint64_t &bytes = sharedBytes[kernel];
      SmallVector<LLVM::LLVMFuncOp> work = {kernel};
      while (!work.empty()) {
        LLVM::LLVMFuncOp fn = work.pop_back_val();
        auto [it, inserted] = kernelOf.try_emplace(fn, kernel);
        if (!inserted) {
          if (it->second != kernel.getOperation())
            return fn.emitOpError() << "is called by two kernels, whose shared memory the "
                                       "emulator lays out apart";
          continue;
        }
        fn.walk([&](Operation *op) {
          if (auto call = dyn_cast<LLVM::CallOp>(op)) {
            if (auto callee = call.getCallee())
              if (auto target = symbols.lookup<LLVM::LLVMFuncOp>(*callee))
                work.push_back(target);
            return;
          }
          auto address = dyn_cast<LLVM::AddressOfOp>(op);
          if (!address)
            return;
          auto global = sharedGlobals.find(address.getGlobalName());
          if (global == sharedGlobals.end() || offsets.count(address.getGlobalName()))
            return;
          uint64_t align = std::max<uint64_t>(global->second.getAlignment().value_or(16), 16);
          bytes = (bytes + align - 1) / align * align;
          offsets[address.getGlobalName()] = bytes;
          bytes += storageBytes(global->second.getGlobalType());
        });
      }
      if (bytes > UINT32_MAX)
        return kernel.emitOpError() << "uses " << bytes << " bytes of shared memory";
    }
    for (auto fn : kernels.getOps<LLVM::LLVMFuncOp>()) {
      if (kernelOf.count(fn))
        continue;
      WalkResult unowned = fn.walk([&](LLVM::AddressOfOp address) {
        return sharedGlobals.count(address.getGlobalName()) ? WalkResult::interrupt()
                                                            : WalkResult::advance();
      });
      if (unowned.wasInterrupted())
        return fn.emitOpError()
               << "uses shared memory but no kernel calls it, so the emulator cannot place it";
    }

    // Pointers of every address space become host pointers.
    AttrTypeReplacer replacer;
    replacer.addReplacement([&](LLVM::LLVMPointerType type) -> std::optional<Type> {
      if (type.getAddressSpace() == 0)
        return std::nullopt;
      return LLVM::LLVMPointerType::get(ctx);
    });
    replacer.recursivelyReplaceElementsIn(kernels, /*replaceAttrs=*/true, /*replaceLocs=*/false,
                                          /*replaceTypes=*/true);
    for (auto global : kernels.getOps<LLVM::GlobalOp>())
      global.setAddrSpace(0);

    // The table the emulator fills in.
    b.setInsertionPointToStart(kernels.getBody());
    auto table = LLVM::GlobalOp::create(b, loc, ptr, /*isConstant=*/false, LLVM::Linkage::External,
                                        SIEVE_SIMT_RUNTIME_SYMBOL, Attribute());
    {
      Block *init = b.createBlock(&table.getInitializerRegion());
      b.setInsertionPointToStart(init);
      LLVM::ReturnOp::create(b, loc, ValueRange{LLVM::ZeroOp::create(b, loc, ptr)});
    }
    RuntimeCalls calls(b, table);

    // What needs the hardware becomes a call; each op is its own site.
    int32_t site = 0;
    SmallVector<Operation *> replaced;
    WalkResult walk = kernels.walk([&](Operation *op) -> WalkResult {
      Dialect *dialect = op->getDialect();
      if (!dialect || (dialect->getNamespace() != NVVM::NVVMDialect::getDialectNamespace() &&
                       dialect->getNamespace() != ROCDL::ROCDLDialect::getDialectNamespace()))
        return WalkResult::advance();
      b.setInsertionPoint(op);
      Location at = op->getLoc();
      StringRef name = op->getName().getStringRef();
      if (auto it = specialRegisters().find(name); it != specialRegisters().end()) {
        Value value = calls.call(at, SIMT_SLOT(special_register), i32, {calls.i32(at, it->second)});
        op->getResult(0).replaceAllUsesWith(value);
      } else if (isa<NVVM::Barrier0Op, ROCDL::BarrierOp, ROCDL::SBarrierOp>(op) ||
                 (isa<NVVM::BarrierOp>(op) && op->getNumOperands() == 0 &&
                  op->getNumResults() == 0)) {
        calls.call(at, SIMT_SLOT(barrier), Type(), {calls.i32(at, site++)});
      } else if (isa<ROCDL::MbcntLoOp, ROCDL::MbcntHiOp>(op)) {
        Value high = calls.i32(at, isa<ROCDL::MbcntHiOp>(op) ? 1 : 0);
        Value count = calls.call(at, SIMT_SLOT(lane_mask_count), i32,
                                 {high, op->getOperand(0), op->getOperand(1)});
        op->getResult(0).replaceAllUsesWith(count);
      } else if (isa<ROCDL::DsBpermuteOp>(op)) {
        if (!op->getResult(0).getType().isInteger(32))
          return op->emitOpError() << "has no SIMT emulation for this form (i32 values)";
        Value value = calls.call(at, SIMT_SLOT(bpermute), i32,
                                 {calls.i32(at, site++), op->getOperand(0), op->getOperand(1)});
        op->getResult(0).replaceAllUsesWith(value);
      } else if (isa<ROCDL::CvtScaleF32PkF32Fp8Op, ROCDL::CvtScaleF32PkF32Fp4Op>(op)) {
        if (failed(emulateScaledConversion(b, calls, op)))
          return WalkResult::interrupt();
      } else if (isa<ROCDL::CvtScaleF32PkFp8F32Op, ROCDL::CvtScaleF32PkFp4F32Op>(op)) {
        if (failed(emulateScaledTruncation(b, calls, op)))
          return WalkResult::interrupt();
      } else if (isa<ROCDL::mfma_f32_16x16x16bf16_1k>(op)) {
        if (failed(emulateMfma(b, calls, op, site++)))
          return WalkResult::interrupt();
      } else if (isa<ROCDL::mfma_scale_f32_16x16x128_f8f6f4>(op)) {
        if (failed(emulateScaledMfma(b, calls, op, site++)))
          return WalkResult::interrupt();
      } else if (auto shuffle = dyn_cast<NVVM::ShflOp>(op)) {
        if (failed(emulateShuffle(b, calls, shuffle, site++)))
          return WalkResult::interrupt();
      } else if (auto mma = dyn_cast<NVVM::MmaOp>(op)) {
        if (failed(emulateMma(b, calls, mma, site++)))
          return WalkResult::interrupt();
      } else if (auto wgmma = dyn_cast<NVVM::WgmmaMmaAsyncOp>(op)) {
        if (failed(emulateWgmma(b, calls, wgmma, site++)))
          return WalkResult::interrupt();
      } else if (isa<NVVM::WgmmaFenceAlignedOp, NVVM::WgmmaGroupSyncAlignedOp,
                     NVVM::WgmmaWaitGroupSyncOp, NVVM::FenceProxyOp>(op)) {
        // The emulator completes each wgmma at its call, reading the same
        // memory the threads wrote: the order these ops give holds already.
      } else if (isa<NVVM::Tcgen05AllocOp, NVVM::Tcgen05DeallocOp, NVVM::Tcgen05StOp,
                     NVVM::Tcgen05LdOp, NVVM::Tcgen05MMABlockScaleOp, NVVM::Tcgen05CommitOp>(op)) {
        if (failed(emulateTcgen05(b, calls, op, site++)))
          return WalkResult::interrupt();
      } else if (isa<NVVM::MBarrierInitOp, NVVM::MBarrierInvalOp, NVVM::MBarrierTryWaitOp>(op)) {
        if (failed(emulateMbarrier(b, calls, op, site++)))
          return WalkResult::interrupt();
      } else if (isa<NVVM::Tcgen05FenceOp, NVVM::Tcgen05WaitOp, NVVM::FenceMbarrierInitOp>(op)) {
        // The emulator completes each tcgen05.ld, st and mma at its call
        // and keeps one block's mbarriers: nothing is left to order or wait
        // for.
      } else if (auto relinquish = dyn_cast<NVVM::Tcgen05RelinquishAllocPermitOp>(op)) {
        // It gives up this CTA's later allocations for other CTAs', and
        // the emulator runs one block at a time (an allocation after it
        // goes unchecked).
        if (relinquish.getGroup() != NVVM::CTAGroupKind::CTA_1)
          return op->emitOpError() << "has no SIMT emulation for this form (cta_group::1)";
      } else if (auto convert = dyn_cast<NVVM::ConvertF8x2ToF16x2Op>(op)) {
        if (!isa<Float8E4M3FNType>(convert.getSrcType()) || convert.getRelu())
          return op->emitOpError() << "has no SIMT emulation for this form (E4M3FN without relu)";
        Value codes = LLVM::BitcastOp::create(b, at, b.getI16Type(), convert.getSrc());
        Value wide = LLVM::ZExtOp::create(b, at, i32, codes);
        Value halves = calls.call(at, SIMT_SLOT(e4m3x2_to_f16x2), i32, {wide});
        op->getResult(0).replaceAllUsesWith(
            LLVM::BitcastOp::create(b, at, convert.getDst().getType(), halves));
      } else if (auto convert = dyn_cast<NVVM::ConvertF32x2ToF8x2Op>(op)) {
        if (!isa<Float8E4M3FNType>(convert.getDstTy()) ||
            convert.getRnd() != NVVM::FPRoundingMode::RN ||
            convert.getSat() != NVVM::SaturationMode::SATFINITE || convert.getRelu())
          return op->emitOpError()
                 << "has no SIMT emulation for this form (E4M3FN, rn, satfinite, without relu)";
        Value a = LLVM::BitcastOp::create(b, at, i32, convert.getA());
        Value second = LLVM::BitcastOp::create(b, at, i32, convert.getB());
        Value codes = calls.call(at, SIMT_SLOT(f32x2_to_e4m3x2), i32, {a, second});
        Value packed = LLVM::TruncOp::create(b, at, b.getI16Type(), codes);
        Type resultType = convert.getDst().getType();
        if (resultType != packed.getType()) // vector<2xi8>
          packed = LLVM::BitcastOp::create(b, at, resultType, packed);
        op->getResult(0).replaceAllUsesWith(packed);
      } else if (auto convert = dyn_cast<NVVM::ConvertF32x2ToF4x2Op>(op)) {
        // The op is always rn.satfinite (and E2M1 its only FP4 type).
        if (convert.getRelu())
          return op->emitOpError() << "has no SIMT emulation for this form (without relu)";
        Value a = LLVM::BitcastOp::create(b, at, i32, convert.getA());
        Value second = LLVM::BitcastOp::create(b, at, i32, convert.getB());
        Value codes = calls.call(at, SIMT_SLOT(f32x2_to_e2m1x2), i32, {a, second});
        op->getResult(0).replaceAllUsesWith(LLVM::TruncOp::create(b, at, b.getI8Type(), codes));
      } else if (auto convert = dyn_cast<NVVM::ConvertF4x2ToF16x2Op>(op)) {
        if (!isa<Float4E2M1FNType>(convert.getSrcType()) || convert.getRelu())
          return op->emitOpError() << "has no SIMT emulation for this form (E2M1FN without relu)";
        Value wide = LLVM::ZExtOp::create(b, at, i32, convert.getSrc());
        Value halves = calls.call(at, SIMT_SLOT(e2m1x2_to_f16x2), i32, {wide});
        op->getResult(0).replaceAllUsesWith(
            LLVM::BitcastOp::create(b, at, convert.getDst().getType(), halves));
      } else {
        return op->emitOpError() << "has no SIMT emulation";
      }
      replaced.push_back(op);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    for (Operation *op : replaced)
      op->erase();

    // Address space casts are now from a pointer to itself.
    SmallVector<LLVM::AddrSpaceCastOp> casts;
    kernels.walk([&](LLVM::AddrSpaceCastOp cast) { casts.push_back(cast); });
    for (LLVM::AddrSpaceCastOp cast : casts) {
      cast.getResult().replaceAllUsesWith(cast.getArg());
      cast.erase();
    }

    // The GPUs convert between f32 and bf16 in one instruction; host code
    // would call compiler-rt's __truncsfbf2, which kernels cannot link (and
    // LLVM narrows an extension's users to bf16 arithmetic, which x86
    // promotes through it). Integer arithmetic instead, as on the CPU.
    SmallVector<Operation *> bf16Conversions;
    kernels.walk([&](Operation *op) {
      if (auto truncation = dyn_cast<LLVM::FPTruncOp>(op);
          truncation && getElementTypeOrSelf(truncation.getType()).isBF16())
        bf16Conversions.push_back(op);
      if (auto extension = dyn_cast<LLVM::FPExtOp>(op);
          extension && getElementTypeOrSelf(extension.getArg().getType()).isBF16())
        bf16Conversions.push_back(op);
    });
    for (Operation *op : bf16Conversions) {
      if (auto truncation = dyn_cast<LLVM::FPTruncOp>(op))
        expandBf16Truncation(b, truncation);
      else
        expandBf16Extension(b, cast<LLVM::FPExtOp>(op));
    }

    // Shared globals become their offsets in the emulator's arena.
    SmallVector<LLVM::AddressOfOp> sharedUses;
    kernels.walk([&](LLVM::AddressOfOp address) {
      if (sharedGlobals.count(address.getGlobalName()))
        sharedUses.push_back(address);
    });
    for (LLVM::AddressOfOp address : sharedUses) {
      b.setInsertionPoint(address);
      Location at = address.getLoc();
      Value base = calls.call(at, SIMT_SLOT(shared_memory), ptr, {});
      Value field = LLVM::GEPOp::create(
          b, at, ptr, b.getI8Type(), base,
          ArrayRef<LLVM::GEPArg>{int32_t(
              sharedOffsets[kernelOf.lookup(address->getParentOfType<LLVM::LLVMFuncOp>())].lookup(
                  address.getGlobalName()))});
      address.getResult().replaceAllUsesWith(field);
      address.erase();
    }
    for (auto &entry : sharedGlobals)
      entry.second.erase();

    // Each kernel behind the CPU kernel ABI.
    SmallVector<LLVM::LLVMFuncOp> entries;
    for (auto fn : kernels.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName()) ||
          fn->hasAttr(ROCDL::ROCDLDialect::getKernelFuncAttrName()))
        entries.push_back(fn);
    for (LLVM::LLVMFuncOp kernel : entries)
      if (failed(wrapKernel(b, calls, kernel, sharedBytes.lookup(kernel))))
        return failure();
    for (auto fn : kernels.getOps<LLVM::LLVMFuncOp>()) {
      SmallVector<StringAttr> gpuAttributes;
      for (NamedAttribute attr : fn->getDiscardableAttrs())
        if (attr.getName().strref().starts_with("nvvm.") ||
            attr.getName().strref().starts_with("gpu.") ||
            attr.getName().strref().starts_with("rocdl."))
          gpuAttributes.push_back(attr.getName());
      for (StringAttr name : gpuAttributes)
        fn->removeAttr(name);
      // Loops stay loops, as in CPU kernels: the library links nothing, not
      // even memset.
      SmallVector<Attribute> passthrough;
      if (ArrayAttr existing = fn.getPassthroughAttr())
        llvm::append_range(passthrough, existing);
      passthrough.push_back(b.getStringAttr("no-builtins"));
      fn.setPassthroughAttr(b.getArrayAttr(passthrough));
    }

    // The kernels' module is now the host module.
    Block *hostBody = module.getBody();
    for (Operation &op : llvm::make_early_inc_range(kernels.getBody()->getOperations()))
      op.moveBefore(hostBody, hostBody->end());
    kernels.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
    return success();
  }

  /// `element` in the shape of `like`: a scalar, or a vector of as many.
  static Type withElementOf(Type like, Type element) {
    if (auto vector = dyn_cast<VectorType>(like))
      return vector.clone(element);
    return element;
  }

  /// The i32 constant `value`, splat where `type` is a vector of i32.
  static Value i32Constant(OpBuilder &b, Location at, Type type, uint32_t value) {
    APInt bits(32, value);
    if (auto vector = dyn_cast<VectorType>(type))
      return LLVM::ConstantOp::create(b, at, type, DenseElementsAttr::get(vector, bits));
    return LLVM::ConstantOp::create(b, at, type, b.getIntegerAttr(type, bits));
  }

  /// f32 to bf16 rounded to nearest even, NaN kept NaN (quiet), in integer
  /// arithmetic on scalars or vectors.
  static void expandBf16Truncation(OpBuilder &b, LLVM::FPTruncOp truncation) {
    Location at = truncation.getLoc();
    b.setInsertionPoint(truncation);
    Value value = truncation.getArg();
    Type i32 = withElementOf(value.getType(), b.getI32Type());
    auto constant = [&](uint32_t v) { return i32Constant(b, at, i32, v); };
    Value bits = LLVM::BitcastOp::create(b, at, i32, value);
    Value high = LLVM::LShrOp::create(b, at, bits, constant(16));
    Value odd = LLVM::AndOp::create(b, at, high, constant(1));
    Value bias = LLVM::AddOp::create(b, at, odd, constant(0x7fff));
    Value rounded =
        LLVM::LShrOp::create(b, at, LLVM::AddOp::create(b, at, bits, bias), constant(16));
    Value quiet = LLVM::OrOp::create(b, at, high, constant(0x40));
    Value isNan = LLVM::FCmpOp::create(b, at, LLVM::FCmpPredicate::uno, value, value);
    Value result = LLVM::SelectOp::create(b, at, isNan, quiet, rounded);
    Value narrow =
        LLVM::TruncOp::create(b, at, withElementOf(value.getType(), b.getI16Type()), result);
    truncation.getResult().replaceAllUsesWith(
        LLVM::BitcastOp::create(b, at, truncation.getType(), narrow));
    truncation.erase();
  }

  /// bf16 to f32 (or wider) as a shift of the bits.
  static void expandBf16Extension(OpBuilder &b, LLVM::FPExtOp extension) {
    Location at = extension.getLoc();
    b.setInsertionPoint(extension);
    Value value = extension.getArg();
    Type i32 = withElementOf(value.getType(), b.getI32Type());
    Value bits =
        LLVM::BitcastOp::create(b, at, withElementOf(value.getType(), b.getI16Type()), value);
    Value wide = LLVM::ShlOp::create(b, at, LLVM::ZExtOp::create(b, at, i32, bits),
                                     i32Constant(b, at, i32, 16));
    Value result =
        LLVM::BitcastOp::create(b, at, withElementOf(value.getType(), b.getF32Type()), wide);
    if (result.getType() != extension.getType())
      result = LLVM::FPExtOp::create(b, at, extension.getType(), result);
    extension.getResult().replaceAllUsesWith(result);
    extension.erase();
  }

  /// shfl.sync as a call: i32 and f32 values (the emulator moves 32 bits).
  LogicalResult emulateShuffle(OpBuilder &b, RuntimeCalls &calls, NVVM::ShflOp shuffle,
                               int32_t site) {
    Location at = shuffle.getLoc();
    Type i32 = b.getI32Type();
    Value value = shuffle.getVal();
    Type valueType = value.getType();
    if (!valueType.isInteger(32) && !valueType.isF32())
      return shuffle.emitOpError()
             << "has no SIMT emulation for " << valueType << " (i32 and f32 only)";
    int32_t mode = 0;
    switch (shuffle.getKind()) {
    case NVVM::ShflKind::up:
      mode = SIEVE_SIMT_SHUFFLE_UP;
      break;
    case NVVM::ShflKind::down:
      mode = SIEVE_SIMT_SHUFFLE_DOWN;
      break;
    case NVVM::ShflKind::bfly:
      mode = SIEVE_SIMT_SHUFFLE_BFLY;
      break;
    case NVVM::ShflKind::idx:
      mode = SIEVE_SIMT_SHUFFLE_IDX;
      break;
    }
    Value bits = valueType.isF32() ? LLVM::BitcastOp::create(b, at, i32, value) : value;
    Value packed = calls.call(at, SIMT_SLOT(shuffle), b.getI64Type(),
                              {calls.i32(at, site), calls.i32(at, mode), shuffle.getThreadMask(),
                               bits, shuffle.getOffset(), shuffle.getMaskAndClamp()});
    Value result = LLVM::TruncOp::create(b, at, i32, packed);
    if (valueType.isF32())
      result = LLVM::BitcastOp::create(b, at, valueType, result);
    if (!shuffle.getReturnValueAndIsValid()) {
      shuffle.getResult().replaceAllUsesWith(result);
      return success();
    }
    Value shifted = LLVM::LShrOp::create(
        b, at, packed, LLVM::ConstantOp::create(b, at, b.getI64Type(), b.getI64IntegerAttr(32)));
    Value valid = LLVM::TruncOp::create(b, at, b.getI1Type(), shifted);
    Type structType = shuffle.getResult().getType();
    Value pair = LLVM::PoisonOp::create(b, at, structType);
    pair = LLVM::InsertValueOp::create(b, at, pair, result, ArrayRef<int64_t>{0});
    pair = LLVM::InsertValueOp::create(b, at, pair, valid, ArrayRef<int64_t>{1});
    shuffle.getResult().replaceAllUsesWith(pair);
    return success();
  }

  /// mma.sync m16n8k16 on bf16 with f32 accumulators as a call; other
  /// shapes and types are refused by name.
  LogicalResult emulateMma(OpBuilder &b, RuntimeCalls &calls, NVVM::MmaOp mma, int32_t site) {
    Location at = mma.getLoc();
    NVVM::MMAShapeAttr shape = mma.getShape();
    bool bf16 = mma.getMultiplicandAPtxType() == NVVM::MMATypes::bf16 &&
                mma.getMultiplicandBPtxType() == NVVM::MMATypes::bf16;
    auto f32 = b.getF32Type();
    auto result = dyn_cast<LLVM::LLVMStructType>(mma.getRes().getType());
    bool f32Accumulators = result && result.getBody().size() == 4 &&
                           llvm::all_of(result.getBody(), [&](Type t) { return t == f32; });
    if (shape.getM() != 16 || shape.getN() != 8 || shape.getK() != 16 || !bf16 ||
        mma.getLayoutA() != NVVM::MMALayout::row || mma.getLayoutB() != NVVM::MMALayout::col ||
        !f32Accumulators || mma.getOperandA().size() != 4 || mma.getOperandB().size() != 2 ||
        mma.getOperandC().size() != 4)
      return mma.emitOpError()
             << "has no SIMT emulation for this form (m16n8k16, row x col, bf16 x bf16 + f32)";
    auto vectorType = VectorType::get({4}, f32);
    Value c = LLVM::PoisonOp::create(b, at, vectorType);
    for (auto [i, value] : llvm::enumerate(mma.getOperandC()))
      c = LLVM::InsertElementOp::create(b, at, c, value, calls.i32(at, int64_t(i)));
    SmallVector<Value> args = {calls.i32(at, site)};
    llvm::append_range(args, mma.getOperandA());
    llvm::append_range(args, mma.getOperandB());
    args.push_back(c);
    Value d = calls.call(at, SIMT_SLOT(mma_m16n8k16_bf16), vectorType, args);
    Value out = LLVM::PoisonOp::create(b, at, result);
    for (int64_t i = 0; i < 4; ++i) {
      Value element = LLVM::ExtractElementOp::create(b, at, d, calls.i32(at, i));
      out = LLVM::InsertValueOp::create(b, at, out, element, ArrayRef<int64_t>{i});
    }
    mma.getRes().replaceAllUsesWith(out);
    return success();
  }

  /// wgmma.mma_async m64nNk16, f32 += bf16 x bf16 from two shared-memory
  /// descriptors (A row-major, B column-major: both K-major), as a call
  /// that updates the thread's accumulators in a stack array; other forms
  /// are refused by name.
  LogicalResult emulateWgmma(OpBuilder &b, RuntimeCalls &calls, NVVM::WgmmaMmaAsyncOp wgmma,
                             int32_t site) {
    Location at = wgmma.getLoc();
    NVVM::MMAShapeAttr shape = wgmma.getShape();
    const int64_t n = shape.getN();
    auto f32 = b.getF32Type();
    auto accumulators = dyn_cast<LLVM::LLVMStructType>(wgmma.getInouts().getType());
    const bool f32Accumulators =
        accumulators && int64_t(accumulators.getBody().size()) == n / 2 &&
        llvm::all_of(accumulators.getBody(), [&](Type t) { return t == f32; });
    if (shape.getM() != 64 || shape.getK() != 16 || n < 8 || n > 256 || n % 8 != 0 ||
        wgmma.getTypeA() != NVVM::WGMMATypes::bf16 || wgmma.getTypeB() != NVVM::WGMMATypes::bf16 ||
        wgmma.getTypeD() != NVVM::WGMMATypes::f32 || !f32Accumulators ||
        wgmma.getScaleD() != NVVM::WGMMAScaleOut::one ||
        wgmma.getScaleA() != NVVM::WGMMAScaleIn::one ||
        wgmma.getScaleB() != NVVM::WGMMAScaleIn::one ||
        wgmma.getLayoutA() != NVVM::MMALayout::row || wgmma.getLayoutB() != NVVM::MMALayout::col ||
        wgmma.getSatfinite())
      return wgmma.emitOpError() << "has no SIMT emulation for this form (m64nNk16, bf16 x bf16 + "
                                    "f32, row x col, no scaling or negation)";
    // The array lives in the kernel's entry block: one per call site, not
    // one per loop iteration.
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    Value array;
    {
      OpBuilder::InsertionGuard guard(b);
      auto fn = wgmma->getParentOfType<LLVM::LLVMFuncOp>();
      b.setInsertionPointToStart(&fn.getBody().front());
      Value count = calls.i32(at, n / 2);
      array = LLVM::AllocaOp::create(b, at, ptr, f32, count, /*alignment=*/16);
    }
    SmallVector<Value> slots;
    for (int64_t i = 0; i < n / 2; ++i) {
      Value value = LLVM::ExtractValueOp::create(b, at, wgmma.getInouts(), ArrayRef<int64_t>{i});
      slots.push_back(
          LLVM::GEPOp::create(b, at, ptr, f32, array, ArrayRef<LLVM::GEPArg>{int32_t(i)}));
      LLVM::StoreOp::create(b, at, value, slots.back());
    }
    calls.call(at, SIMT_SLOT(wgmma_m64nNk16_bf16), Type(),
               {calls.i32(at, site), calls.i32(at, n), wgmma.getDescriptorA(),
                wgmma.getDescriptorB(), array});
    Value out = LLVM::PoisonOp::create(b, at, accumulators);
    for (auto [i, slot] : llvm::enumerate(slots)) {
      Value value = LLVM::LoadOp::create(b, at, f32, slot);
      out = LLVM::InsertValueOp::create(b, at, out, value, ArrayRef<int64_t>{int64_t(i)});
    }
    wgmma.getResults().replaceAllUsesWith(out);
    return success();
  }

  /// The alignment of stackSlot's slots, which their loads and stores
  /// state: by default those assume a vector's natural alignment (up to
  /// 512 bytes for 128 x i32), which the slot does not have.
  static constexpr unsigned kSlotAlignment = 16;

  /// The stack slot (in the function's entry block: one per call site, not
  /// one per loop iteration) that passes a value of `type` by pointer.
  static Value stackSlot(OpBuilder &b, RuntimeCalls &calls, Operation *op, Type type) {
    OpBuilder::InsertionGuard guard(b);
    auto fn = op->getParentOfType<LLVM::LLVMFuncOp>();
    b.setInsertionPointToStart(&fn.getBody().front());
    return LLVM::AllocaOp::create(b, op->getLoc(), LLVM::LLVMPointerType::get(b.getContext()), type,
                                  calls.i32(op->getLoc(), 1), kSlotAlignment);
  }

  /// sm_100a's tensor memory (tcgen05, cta_group::1) as calls: allocation,
  /// 32x32b loads and stores (the registers through a stack slot), the
  /// block-scaled MMA from shared-memory descriptors, and the commit's
  /// mbarrier arrival. A tensor-memory address is the kernel's 32-bit one,
  /// which the emulator takes as that i32: the operand of the
  /// `llvm.inttoptr` that made the !llvm.ptr<6> (a host pointer by now,
  /// never dereferenced), or the pointer's low 32 bits.
  LogicalResult emulateTcgen05(OpBuilder &b, RuntimeCalls &calls, Operation *op, int32_t site) {
    Location at = op->getLoc();
    Type i32 = b.getI32Type();
    auto address = [&](Value pointer) -> Value {
      if (auto made = pointer.getDefiningOp<LLVM::IntToPtrOp>();
          made && made.getArg().getType() == i32)
        return made.getArg();
      return LLVM::PtrToIntOp::create(b, at, i32, pointer);
    };
    if (auto alloc = dyn_cast<NVVM::Tcgen05AllocOp>(op)) {
      if (alloc.getGroup() != NVVM::CTAGroupKind::CTA_1)
        return op->emitOpError() << "has no SIMT emulation for this form (cta_group::1)";
      calls.call(at, SIMT_SLOT(tcgen05_alloc), Type(),
                 {calls.i32(at, site), alloc.getAddr(), alloc.getNCols()});
      return success();
    }
    if (auto dealloc = dyn_cast<NVVM::Tcgen05DeallocOp>(op)) {
      if (dealloc.getGroup() != NVVM::CTAGroupKind::CTA_1)
        return op->emitOpError() << "has no SIMT emulation for this form (cta_group::1)";
      calls.call(at, SIMT_SLOT(tcgen05_dealloc), Type(),
                 {calls.i32(at, site), address(dealloc.getTaddr()), dealloc.getNCols()});
      return success();
    }
    if (isa<NVVM::Tcgen05StOp, NVVM::Tcgen05LdOp>(op)) {
      auto store = dyn_cast<NVVM::Tcgen05StOp>(op);
      auto load = dyn_cast<NVVM::Tcgen05LdOp>(op);
      const bool packed = store ? store.getUnpack() : load.getPack();
      const NVVM::Tcgen05LdStShape shape = store ? store.getShape() : load.getShape();
      Value offset = store ? store.getOffset() : load.getOffset();
      if (shape != NVVM::Tcgen05LdStShape::SHAPE_32X32B || packed || offset)
        return op->emitOpError()
               << "has no SIMT emulation for this form (32x32b, no pack or unpack, no offset)";
      Type type = store ? store.getVal().getType() : load.getRes().getType();
      auto vector = dyn_cast<VectorType>(type);
      const int64_t count = vector ? vector.getNumElements() : 1;
      Value slot = stackSlot(b, calls, op, type);
      Value tmem = address(store ? store.getTmemAddr() : load.getTmemAddr());
      if (store) {
        LLVM::StoreOp::create(b, at, store.getVal(), slot, kSlotAlignment);
        calls.call(at, SIMT_SLOT(tcgen05_st_32x32b), Type(),
                   {calls.i32(at, site), tmem, slot, calls.i32(at, count)});
        return success();
      }
      calls.call(at, SIMT_SLOT(tcgen05_ld_32x32b), Type(),
                 {calls.i32(at, site), tmem, slot, calls.i32(at, count)});
      load.getRes().replaceAllUsesWith(LLVM::LoadOp::create(b, at, type, slot, kSlotAlignment));
      return success();
    }
    if (auto mma = dyn_cast<NVVM::Tcgen05MMABlockScaleOp>(op)) {
      const NVVM::Tcgen05MMABlockScale scale = mma.getBlockScale();
      if (mma.getKind() != NVVM::MMABlockScaleKind::MXF8F6F4 ||
          mma.getCtaGroup() != NVVM::CTAGroupKind::CTA_1 ||
          (scale != NVVM::Tcgen05MMABlockScale::DEFAULT &&
           scale != NVVM::Tcgen05MMABlockScale::BLOCK32) ||
          mma.getCollectorOp() != NVVM::Tcgen05MMACollectorOp::DISCARD ||
          !mma.getMatrixA().getType().isInteger(64))
        return op->emitOpError() << "has no SIMT emulation for this form (kind::mxf8f6f4, "
                                    "cta_group::1, block32, collector discard, A in shared "
                                    "memory)";
      Value enableInputD = LLVM::ZExtOp::create(b, at, i32, mma.getEnableInputD());
      calls.call(at, SIMT_SLOT(tcgen05_mma_block_scale), Type(),
                 {calls.i32(at, site), address(mma.getMatrixD()), mma.getMatrixA(),
                  mma.getMatrixB(), mma.getIdesc(), address(mma.getScaleA()),
                  address(mma.getScaleB()), enableInputD});
      return success();
    }
    auto commit = cast<NVVM::Tcgen05CommitOp>(op);
    if (commit.getGroup() != NVVM::CTAGroupKind::CTA_1 || commit.getMulticastMask())
      return op->emitOpError()
             << "has no SIMT emulation for this form (cta_group::1, no multicast)";
    calls.call(at, SIMT_SLOT(tcgen05_commit), Type(), {calls.i32(at, site), commit.getAddr()});
    return success();
  }

  /// mbarrier.init, inval and try_wait.parity on a shared::cta barrier as
  /// calls; the emulator keeps the barriers' state.
  LogicalResult emulateMbarrier(OpBuilder &b, RuntimeCalls &calls, Operation *op, int32_t site) {
    Location at = op->getLoc();
    if (auto init = dyn_cast<NVVM::MBarrierInitOp>(op)) {
      if (init.getPredicate())
        return op->emitOpError() << "has no SIMT emulation for this form (no predicate)";
      calls.call(at, SIMT_SLOT(mbarrier_init), Type(),
                 {calls.i32(at, site), init.getAddr(), init.getCount()});
      return success();
    }
    if (auto inval = dyn_cast<NVVM::MBarrierInvalOp>(op)) {
      calls.call(at, SIMT_SLOT(mbarrier_inval), Type(), {calls.i32(at, site), inval.getAddr()});
      return success();
    }
    // The parity form (an i32 phase) without a time limit: the kernel asks
    // again until it is true, and the emulator lets the other threads run
    // in between. Its scope and relaxation are moot: the emulator runs one
    // block, its memory sequentially consistent.
    auto wait = cast<NVVM::MBarrierTryWaitOp>(op);
    if (!wait.getStateOrPhase().getType().isInteger(32) || wait.getTicks())
      return op->emitOpError()
             << "has no SIMT emulation for this form (an i32 phase parity, no time limit)";
    Value done = calls.call(at, SIMT_SLOT(mbarrier_try_wait_parity), b.getI32Type(),
                            {calls.i32(at, site), wait.getAddr(), wait.getStateOrPhase()});
    wait.getRes().replaceAllUsesWith(
        LLVM::ICmpOp::create(b, at, LLVM::ICmpPredicate::ne, done, calls.i32(at, 0)));
    return success();
  }

  /// gfx950's scaled conversions of two FP8 or FP4 codes to f32, at scale 1
  /// (the kernels scale the products themselves).
  LogicalResult emulateScaledConversion(OpBuilder &b, RuntimeCalls &calls, Operation *op) {
    Location at = op->getLoc();
    auto fp8 = dyn_cast<ROCDL::CvtScaleF32PkF32Fp8Op>(op);
    auto fp4 = dyn_cast<ROCDL::CvtScaleF32PkF32Fp4Op>(op);
    Value source = fp8 ? fp8.getSrc() : fp4.getSrc();
    Value scale = fp8 ? fp8.getScale() : fp4.getScale();
    if (!matchPattern(scale, m_OneFloat()) || !source.getType().isInteger(32))
      return op->emitOpError() << "has no SIMT emulation for this form (an i32 source, scale 1)";
    // The pair's place in the source word: a 16-bit half for FP8, a byte for FP4.
    const int64_t shift = fp8 ? (fp8.getSrcLoHiSel() ? 16 : 0) : 8 * fp4.getSrcSelIndex();
    const int64_t mask = fp8 ? 0xffff : 0xff;
    Value codes = LLVM::LShrOp::create(b, at, source, calls.i32(at, shift));
    codes = LLVM::AndOp::create(b, at, codes, calls.i32(at, mask));
    Value bits = calls.call(at, fp8 ? SIMT_SLOT(e4m3x2_to_f32x2) : SIMT_SLOT(e2m1x2_to_f32x2),
                            b.getI64Type(), {codes});
    op->getResult(0).replaceAllUsesWith(
        LLVM::BitcastOp::create(b, at, op->getResult(0).getType(), bits));
    return success();
  }

  /// gfx950's scaled conversions of two f32 to FP8 or FP4 codes, at scale
  /// 1: the codes of src0 and src1 (in that order: byte 0 or the low nibble
  /// first) replace the selected 16-bit half or byte of the old value. The
  /// PTX conversions' table slots round alike; they take the operands the
  /// other way round.
  LogicalResult emulateScaledTruncation(OpBuilder &b, RuntimeCalls &calls, Operation *op) {
    Location at = op->getLoc();
    auto fp8 = dyn_cast<ROCDL::CvtScaleF32PkFp8F32Op>(op);
    auto fp4 = dyn_cast<ROCDL::CvtScaleF32PkFp4F32Op>(op);
    Value scale = fp8 ? fp8.getScale() : fp4.getScale();
    if (!matchPattern(scale, m_OneFloat()))
      return op->emitOpError() << "has no SIMT emulation for this form (scale 1)";
    if (fp4 && fp4.getDstSelIndex() > 3)
      return op->emitOpError() << "selects byte " << fp4.getDstSelIndex() << " of a 4-byte word";
    Type i32 = b.getI32Type();
    Value src0 = LLVM::BitcastOp::create(b, at, i32, fp8 ? fp8.getSrc0() : fp4.getSrc0());
    Value src1 = LLVM::BitcastOp::create(b, at, i32, fp8 ? fp8.getSrc1() : fp4.getSrc1());
    Value codes = calls.call(at, fp8 ? SIMT_SLOT(f32x2_to_e4m3x2) : SIMT_SLOT(f32x2_to_e2m1x2), i32,
                             {src1, src0});
    const int64_t shift = fp8 ? (fp8.getDstLoHiSel() ? 16 : 0) : 8 * fp4.getDstSelIndex();
    const uint32_t field = uint32_t(fp8 ? 0xffff : 0xff) << shift;
    Value old =
        fp8 ? LLVM::BitcastOp::create(b, at, i32, fp8.getOldVdst()).getResult() : fp4.getOldVdst();
    Value kept = LLVM::AndOp::create(b, at, old, calls.i32(at, int32_t(~field)));
    Value placed = LLVM::ShlOp::create(b, at, codes, calls.i32(at, shift));
    Value word = LLVM::OrOp::create(b, at, kept, placed);
    Type resultType = op->getResult(0).getType();
    op->getResult(0).replaceAllUsesWith(
        resultType == i32 ? word : LLVM::BitcastOp::create(b, at, resultType, word).getResult());
    return success();
  }

  /// v_mfma_f32_16x16x16_bf16 as a call: A's and B's four bf16 as i64.
  LogicalResult emulateMfma(OpBuilder &b, RuntimeCalls &calls, Operation *mfma, int32_t site) {
    Location at = mfma->getLoc();
    for (unsigned i = 3; i < 6; ++i)
      if (mfma->getNumOperands() != 6 || !matchPattern(mfma->getOperand(i), m_Zero()))
        return mfma->emitOpError() << "has no SIMT emulation for this form (cbsz, abid and blgp 0)";
    auto i16x4 = VectorType::get({4}, b.getI16Type());
    auto f32x4 = VectorType::get({4}, b.getF32Type());
    if (mfma->getOperand(0).getType() != i16x4 || mfma->getOperand(1).getType() != i16x4 ||
        mfma->getOperand(2).getType() != f32x4)
      return mfma->emitOpError() << "has unexpected operand types";
    Value a = LLVM::BitcastOp::create(b, at, b.getI64Type(), mfma->getOperand(0));
    Value bOperand = LLVM::BitcastOp::create(b, at, b.getI64Type(), mfma->getOperand(1));
    Value d = calls.call(at, SIMT_SLOT(mfma_f32_16x16x16_bf16), f32x4,
                         {calls.i32(at, site), a, bOperand, mfma->getOperand(2)});
    mfma->getResult(0).replaceAllUsesWith(d);
    return success();
  }

  /// gfx950's v_mfma_scale_f32_16x16x128_f8f6f4 on E4M3FN or E2M1 operands
  /// as a call: A and B in stack slots (the emulator takes them by
  /// pointer), the formats from cbsz and blgp, each side's E8M0 byte picked
  /// by its opsel.
  LogicalResult emulateScaledMfma(OpBuilder &b, RuntimeCalls &calls, Operation *mfma,
                                  int32_t site) {
    Location at = mfma->getLoc();
    auto f32x4 = VectorType::get({4}, b.getF32Type());
    if (mfma->getNumOperands() != 9 || mfma->getOperand(2).getType() != f32x4 ||
        mfma->getResult(0).getType() != f32x4 || !mfma->getOperand(6).getType().isInteger(32) ||
        !mfma->getOperand(8).getType().isInteger(32))
      return mfma->emitOpError() << "has unexpected operand types";
    // Operands: a, b, c, cbsz, blgp, opselA, scaleA, opselB, scaleB.
    APInt cbsz, blgp, opselA, opselB;
    if (!matchPattern(mfma->getOperand(3), m_ConstantInt(&cbsz)) ||
        !matchPattern(mfma->getOperand(4), m_ConstantInt(&blgp)) ||
        !matchPattern(mfma->getOperand(5), m_ConstantInt(&opselA)) ||
        !matchPattern(mfma->getOperand(7), m_ConstantInt(&opselB)))
      return mfma->emitOpError()
             << "has no SIMT emulation for this form (constant cbsz, blgp and opsel)";
    // The words a lane holds: 32 codes of 8 or 4 bits.
    auto words = [](const APInt &format) -> int64_t {
      if (format == 0)
        return 8; // E4M3FN
      if (format == 4)
        return 4; // E2M1
      return 0;
    };
    for (const APInt &format : {cbsz, blgp})
      if (!words(format))
        return mfma->emitOpError() << "has no SIMT emulation for format " << format.getZExtValue()
                                   << " (E4M3FN = 0 and E2M1 = 4 only)";
    for (const APInt &opsel : {opselA, opselB})
      if (opsel.getZExtValue() > 3)
        return mfma->emitOpError()
               << "selects byte " << opsel.getZExtValue() << " of a 4-byte scale word";
    Type i32 = b.getI32Type();
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    auto fn = mfma->getParentOfType<LLVM::LLVMFuncOp>();
    auto spill = [&](Value operand, const APInt &format, StringRef side) -> FailureOr<Value> {
      auto type = VectorType::get({words(format)}, i32);
      if (operand.getType() != type)
        return mfma->emitOpError() << "has " << side << " of type " << operand.getType()
                                   << ", but format " << format.getZExtValue() << " takes " << type;
      // The slot lives in the function's entry block, as the wgmma's
      // accumulators do: one per call site, not one per loop iteration.
      Value slot;
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&fn.getBody().front());
        slot = LLVM::AllocaOp::create(b, at, ptr, type, calls.i32(at, 1), /*alignment=*/32);
      }
      LLVM::StoreOp::create(b, at, operand, slot);
      return slot;
    };
    FailureOr<Value> a = spill(mfma->getOperand(0), cbsz, "A");
    if (failed(a))
      return failure();
    FailureOr<Value> bOperand = spill(mfma->getOperand(1), blgp, "B");
    if (failed(bOperand))
      return failure();
    auto scaleByte = [&](Value word, const APInt &opsel) -> Value {
      Value shifted =
          LLVM::LShrOp::create(b, at, word, calls.i32(at, 8 * int64_t(opsel.getZExtValue())));
      return LLVM::AndOp::create(b, at, shifted, calls.i32(at, 0xff));
    };
    Value scaleA = scaleByte(mfma->getOperand(6), opselA);
    Value scaleB = scaleByte(mfma->getOperand(8), opselB);
    Value scales =
        LLVM::OrOp::create(b, at, scaleA, LLVM::ShlOp::create(b, at, scaleB, calls.i32(at, 8)));
    Value formats = calls.i32(at, int64_t(cbsz.getZExtValue() | blgp.getZExtValue() << 8));
    Value d =
        calls.call(at, SIMT_SLOT(mfma_scale_f32_16x16x128), f32x4,
                   {calls.i32(at, site), *a, *bOperand, formats, scales, mfma->getOperand(2)});
    mfma->getResult(0).replaceAllUsesWith(d);
    return success();
  }

  /// Renames kernel `@k` and defines `@k(dispatch, workgroup) -> i32`, which
  /// asks the emulator to run one block of `@k.simt_thread`, the kernel
  /// called with the launch's arguments.
  LogicalResult wrapKernel(OpBuilder &b, RuntimeCalls &calls, LLVM::LLVMFuncOp kernel,
                           uint64_t sharedBytes) {
    MLIRContext *ctx = b.getContext();
    Location loc = kernel.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    Type i32 = b.getI32Type();
    LLVM::LLVMFunctionType type = kernel.getFunctionType();
    ArrayRef<Type> params = type.getParams();
    size_t bindings = 0;
    while (bindings < params.size() && isa<LLVM::LLVMPointerType>(params[bindings]))
      ++bindings;
    if (!llvm::all_of(params.drop_front(bindings), [](Type t) { return t.isInteger(32); }) ||
        !isa<LLVM::LLVMVoidType>(type.getReturnType()))
      return kernel.emitOpError()
             << "is not in the GPU kernel ABI (binding pointers, then i32 constants)";
    auto block = kernel->getAttrOfType<DenseI32ArrayAttr>("gpu.known_block_size");
    if (!block || block.size() != 3)
      return kernel.emitOpError() << "has no gpu.known_block_size, which the emulator needs";

    // Nothing calls a kernel, so renaming it needs no use updated.
    std::string name = kernel.getSymName().str();
    kernel.setSymName(name + ".simt_kernel");

    b.setInsertionPointAfter(kernel);
    // A thread: the kernel with the launch's arguments.
    auto threadType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
    auto thread = LLVM::LLVMFuncOp::create(b, loc, name + ".simt_thread", threadType,
                                           LLVM::Linkage::Internal);
    {
      OpBuilder::InsertionGuard guard(b);
      Block *entry = thread.addEntryBlock(b);
      b.setInsertionPointToStart(entry);
      SmallVector<Value> args;
      for (auto [i, param] : llvm::enumerate(params)) {
        Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, entry->getArgument(0),
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        Value address = LLVM::LoadOp::create(b, loc, ptr, slot);
        args.push_back(LLVM::LoadOp::create(b, loc, param, address));
      }
      LLVM::CallOp::create(b, loc, kernel, args);
      LLVM::ReturnOp::create(b, loc, ValueRange());
    }

    // Its shape for the emulator.
    // NVIDIA's warps are 32 lanes; the CDNA chips Sieve targets run waves of 64.
    const int32_t warpSize =
        kernel->hasAttr(ROCDL::ROCDLDialect::getKernelFuncAttrName()) ? 64 : 32;
    SmallVector<int32_t> info = {block[0],          block[1],
                                 block[2],          int32_t(sharedBytes),
                                 int32_t(bindings), int32_t(params.size() - bindings),
                                 warpSize};
    auto infoType = LLVM::LLVMArrayType::get(i32, info.size());
    auto infoGlobal = LLVM::GlobalOp::create(
        b, loc, infoType, /*isConstant=*/true, LLVM::Linkage::Internal, name + ".simt_info",
        DenseElementsAttr::get(RankedTensorType::get({int64_t(info.size())}, i32),
                               ArrayRef<int32_t>(info)));

    // The CPU kernel ABI's entry: one call, one block.
    auto entryType = LLVM::LLVMFunctionType::get(i32, {ptr, ptr});
    auto entryFn = LLVM::LLVMFuncOp::create(b, loc, name, entryType, LLVM::Linkage::External);
    OpBuilder::InsertionGuard guard(b);
    Block *body = entryFn.addEntryBlock(b);
    Block *run = entryFn.addBlock();
    Block *missing = entryFn.addBlock();
    b.setInsertionPointToStart(body);
    Value tablePtr = calls.tablePointer(loc);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    Value absent = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, tablePtr, null);
    LLVM::CondBrOp::create(b, loc, absent, missing, run);
    b.setInsertionPointToStart(missing);
    // No emulator: a nonzero status, as any failed kernel returns.
    LLVM::ReturnOp::create(b, loc, ValueRange{calls.i32(loc, -1)});
    b.setInsertionPointToStart(run);
    Value threadAddress = LLVM::AddressOfOp::create(b, loc, ptr, thread.getSymName());
    Value infoAddress = LLVM::AddressOfOp::create(b, loc, ptr, infoGlobal.getSymName());
    Value status = calls.call(
        loc, SIMT_SLOT(run_block), i32,
        {threadAddress, body->getArgument(0), body->getArgument(1), infoAddress}, tablePtr);
    LLVM::ReturnOp::create(b, loc, ValueRange{status});
    return success();
  }

  /// The bytes of a global's type, or 0 where it is not a plain array of
  /// scalars.
  static uint64_t storageBytes(Type type) {
    if (auto array = dyn_cast<LLVM::LLVMArrayType>(type))
      return array.getNumElements() * storageBytes(array.getElementType());
    if (type.isIntOrFloat())
      return (type.getIntOrFloatBitWidth() + 7) / 8;
    return 0;
  }
};

} // namespace
} // namespace sieve
