//===- LegalityCheck.cpp - What the CPU target cannot compile --------------===//
//
// LLVM reports an op it cannot select by aborting the process, and a call
// out of a kernel only at link time. Both are diagnosed here, at the op.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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
    module.walk([&](Operation *op) {
      if (op == module.getOperation())
        return;
      if (!isa<LLVM::LLVMDialect>(op->getDialect())) {
        op->emitOpError() << "cannot be compiled for the CPU target: it was not "
                             "lowered to the LLVM dialect";
        legal = false;
        return;
      }
      if (lowersToLibraryCall(op)) {
        op->emitOpError() << "would become a library call on the CPU target; "
                             "kernels call nothing outside themselves";
        legal = false;
        return;
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
    });
    if (!legal)
      signalPassFailure();
  }
};

} // namespace
} // namespace sieve
