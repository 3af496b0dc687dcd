//===- LegalityCheck.cpp - What a GPU target cannot compile ---------------===//
//
// LLVM aborts the process on an op it cannot select for a chip, and an
// undefined device function surfaces only in ptxas or the HSACO link. Both
// are diagnosed here, at the op, naming the op and the chip.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace sieve {
#define GEN_PASS_DEF_GPUCHECKLEGALITYPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// The small-float conversions NVVM's ops select to on `chip`: none on an
/// AMD chip, whatever it converts with ROCDL's.
NativeSmallFloats nvidiaConverts(StringRef chip) {
  return chip.starts_with("sm_") ? nativeSmallFloats(chip) : NativeSmallFloats{};
}

/// An op LLVM 22 cannot select on some chips, found by compiling it; a name
/// ending in '.' names every op it begins.
struct UnselectableOp {
  StringRef op;
  bool (*onChip)(StringRef chip);
  StringRef why;
};

const UnselectableOp kUnselectable[] = {
    // LLVM 22's NVPTX backend aborts on the warp-level block-scaled MMA for
    // the sm_100 family; the tensor-core form there is tcgen05.mma.block_scale.
    {"nvvm.mma.block_scale", [](StringRef chip) { return chip.starts_with("sm_10"); },
     "LLVM 22 cannot select it for this chip (use nvvm.tcgen05.mma.block_scale)"},
    // The small-float conversions, legal exactly where
    // sieve-gpu-native-small-floats uses them (nativeSmallFloats): NVPTX
    // aborts on them on other chips, and AMDGPU emits gfx950's scaled
    // conversions for gfx942 too, which has no such instruction.
    {"nvvm.convert.f8x2.to.f16x2", [](StringRef chip) { return !nvidiaConverts(chip).e4m3; },
     "LLVM 22 cannot select it for this chip (cvt from e4m3x2 needs sm_89)"},
    {"nvvm.convert.f32x2.to.f8x2", [](StringRef chip) { return !nvidiaConverts(chip).e4m3; },
     "LLVM 22 cannot select it for this chip (cvt to e4m3x2 needs sm_89)"},
    {"nvvm.convert.f4x2.to.f16x2", [](StringRef chip) { return !nvidiaConverts(chip).e2m1; },
     "LLVM 22 cannot select it for this chip (cvt from e2m1x2 needs an sm_100a-family chip)"},
    {"nvvm.convert.f32x2.to.f4x2", [](StringRef chip) { return !nvidiaConverts(chip).e2m1; },
     "LLVM 22 cannot select it for this chip (cvt to e2m1x2 needs an sm_100a-family chip)"},
    // wgmma where sieve-gpu-tile-products uses it (hasWgmma).
    {"nvvm.wgmma.mma_async", [](StringRef chip) { return !hasWgmma(chip); }, "wgmma needs sm_90a"},
    {"nvvm.wgmma.fence.aligned", [](StringRef chip) { return !hasWgmma(chip); },
     "wgmma needs sm_90a"},
    {"nvvm.wgmma.commit.group.sync.aligned", [](StringRef chip) { return !hasWgmma(chip); },
     "wgmma needs sm_90a"},
    {"nvvm.wgmma.wait.group.sync.aligned", [](StringRef chip) { return !hasWgmma(chip); },
     "wgmma needs sm_90a"},
    {"rocdl.cvt.scalef32.pk.f32.fp8", [](StringRef chip) { return chip != "gfx950"; },
     "the chip has no such instruction (gfx950's scaled conversions)"},
    {"rocdl.cvt.scalef32.pk.f32.fp4", [](StringRef chip) { return chip != "gfx950"; },
     "the chip has no such instruction (gfx950's scaled conversions)"},
    {"rocdl.cvt.scalef32.pk.fp8.f32", [](StringRef chip) { return chip != "gfx950"; },
     "the chip has no such instruction (gfx950's scaled conversions)"},
    {"rocdl.cvt.scalef32.pk.fp4.f32", [](StringRef chip) { return chip != "gfx950"; },
     "the chip has no such instruction (gfx950's scaled conversions)"},
    // tcgen05 (every op of the family: the prefix), where
    // sieve-gpu-tile-products uses it (hasTcgen05).
    {"nvvm.tcgen05.", [](StringRef chip) { return !hasTcgen05(chip); },
     "tcgen05 (the tensor memory and its MMAs) needs an sm_100a-family chip"},
    // gfx950's scaled MFMA, where sieve-gpu-tile-products uses it.
    {"rocdl.mfma.scale.f32.16x16x128.f8f6f4", [](StringRef chip) { return chip != "gfx950"; },
     "the chip has no such instruction (gfx950's scaled MFMA)"},
};

struct GPUCheckLegalityPass : impl::GPUCheckLegalityPassBase<GPUCheckLegalityPass> {
  using Base::Base;

  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    SymbolTable symbols(module);
    bool legal = true;
    SmallVector<Operation *> casts;
    module.walk<WalkOrder::PreOrder>([&](Operation *op) -> WalkResult {
      if (op == module.getOperation())
        return WalkResult::advance();
      if (isa<UnrealizedConversionCastOp>(op)) {
        casts.push_back(op);
        return WalkResult::advance();
      }
      if (!isa<LLVM::LLVMDialect, NVVM::NVVMDialect, ROCDL::ROCDLDialect>(op->getDialect())) {
        op->emitOpError() << "cannot be compiled for " << chip
                          << ": it was not lowered to the LLVM, NVVM or ROCDL dialect";
        legal = false;
        return WalkResult::skip();
      }
      for (const UnselectableOp &entry : kUnselectable)
        if ((entry.op.ends_with(".") ? op->getName().getStringRef().starts_with(entry.op)
                                     : op->getName().getStringRef() == entry.op) &&
            entry.onChip(chip)) {
          op->emitOpError() << "cannot be compiled for " << chip << ": " << entry.why;
          legal = false;
        }
      if (auto call = dyn_cast<LLVM::CallOp>(op)) {
        auto callee = call.getCallee() ? symbols.lookup<LLVM::LLVMFuncOp>(*call.getCallee())
                                       : LLVM::LLVMFuncOp();
        if (!callee || callee.isExternal()) {
          op->emitOpError() << "calls "
                            << (call.getCallee() ? "@" + call.getCallee()->str()
                                                 : std::string("through a pointer"))
                            << ", which is not a kernel function: kernels call nothing "
                               "outside themselves ("
                            << chip << ")";
          legal = false;
        }
      }
      return WalkResult::advance();
    });
    if (legal)
      for (Operation *cast : casts) {
        cast->emitOpError() << "is a type conversion the lowering for " << chip
                            << " left unresolved";
        legal = false;
      }
    if (!legal)
      signalPassFailure();
  }
};

} // namespace
} // namespace sieve
