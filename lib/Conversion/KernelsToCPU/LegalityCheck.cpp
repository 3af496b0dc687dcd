//===- LegalityCheck.cpp - What the CPU target cannot compile --------------===//
//
// LLVM reports an op it cannot select by aborting the process, and a call
// out of a kernel only at link time. Both are diagnosed here, at the op.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace sieve {
#define GEN_PASS_DEF_CPUCHECKLEGALITYPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// LLVM intrinsics that x86 code generation turns into libm or libc calls.
bool lowersToLibraryCall(Operation *op) {
  return isa<LLVM::ExpOp, LLVM::Exp2Op, LLVM::Exp10Op, LLVM::LogOp, LLVM::Log2Op,
             LLVM::Log10Op, LLVM::PowOp, LLVM::SinOp, LLVM::CosOp, LLVM::TanOp,
             LLVM::FRemOp, LLVM::MemcpyOp, LLVM::MemmoveOp, LLVM::MemsetOp>(op);
}

struct CPUCheckLegalityPass : impl::CPUCheckLegalityPassBase<CPUCheckLegalityPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    bool legal = true;
    // A conversion cast left over is the symptom of an op that was not
    // lowered; name that op, not its casts or the ops nested in it.
    SmallVector<Operation *> casts;
    module.walk<WalkOrder::PreOrder>([&](Operation *op) -> WalkResult {
      if (op == module.getOperation())
        return WalkResult::advance();
      if (isa<UnrealizedConversionCastOp>(op)) {
        casts.push_back(op);
        return WalkResult::advance();
      }
      if (!isa<LLVM::LLVMDialect>(op->getDialect())) {
        op->emitOpError() << "cannot be compiled for the CPU target: it was not "
                             "lowered to the LLVM dialect";
        legal = false;
        return WalkResult::skip();
      }
      if (lowersToLibraryCall(op)) {
        op->emitOpError() << "would become a library call on the CPU target; "
                             "kernels call nothing outside themselves";
        legal = false;
        return WalkResult::advance();
      }
      if (auto call = dyn_cast<LLVM::CallOp>(op)) {
        auto callee = call.getCallee()
                          ? symbols.lookup<LLVM::LLVMFuncOp>(*call.getCallee())
                          : LLVM::LLVMFuncOp();
        if (!callee || callee.isExternal()) {
          op->emitOpError() << "calls "
                            << (call.getCallee() ? "@" + call.getCallee()->str()
                                                 : std::string("through a pointer"))
                            << ", which is not a kernel function: kernels call "
                               "nothing outside themselves (CPU target)";
          legal = false;
        }
      }
      return WalkResult::advance();
    });
    if (legal)
      for (Operation *cast : casts) {
        cast->emitOpError() << "is a type conversion the lowering to the CPU target "
                               "left unresolved";
        legal = false;
      }
    if (!legal)
      signalPassFailure();
  }
};

} // namespace
} // namespace sieve
