//===- KernelABI.cpp - GPU kernels behind their launch signature ----------===//
//
// convert-gpu-to-nvvm / -rocdl give kernel @k a memref descriptor per
// binding (allocated pointer, aligned pointer, offset, size, stride). The
// bare-pointer convention would give one pointer, but MLIR allows it only
// for static shapes, and bindings are memref<?xi8>. So this pass writes the
// launch signature itself (docs/architecture.md: binding pointers, then i32
// constants) as a new kernel that builds the descriptors and calls the old
// one, made internal and always inlined. Sizes are never read from a binding
// (sieve-gpu-form-kernels checks that), so the descriptor's size is 0.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"
#include "sieve/hal/kernel_abi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace sieve {
#define GEN_PASS_DEF_GPUKERNELABIPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// Attributes that make a function a GPU kernel (the target's kernel flag,
/// launch bounds): they belong to the launch signature.
bool isKernelAttribute(StringRef name) {
  return name.starts_with("nvvm.") || name.starts_with("rocdl.") || name.starts_with("gpu.") ||
         name == kernel_contract::kKernel || name == kernel_contract::kWorkgroupMemory;
}

struct GPUKernelABIPass : impl::GPUKernelABIPassBase<GPUKernelABIPass> {
  void runOnOperation() override {
    SmallVector<LLVM::LLVMFuncOp> kernels;
    for (auto fn : getOperation().getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(kernel_contract::kBindingCount))
        kernels.push_back(fn);
    for (LLVM::LLVMFuncOp kernel : kernels)
      if (failed(wrap(kernel)))
        return signalPassFailure();
  }

  LogicalResult wrap(LLVM::LLVMFuncOp kernel) {
    auto bindingsAttr = kernel->getAttrOfType<IntegerAttr>(kernel_contract::kBindingCount);
    auto constantsAttr = kernel->getAttrOfType<IntegerAttr>(kernel_contract::kConstantCount);
    if (!constantsAttr)
      return kernel.emitOpError() << "has " << kernel_contract::kBindingCount << " but no "
                                  << kernel_contract::kConstantCount;
    int64_t bindings = bindingsAttr.getInt(), constants = constantsAttr.getInt();
    MLIRContext *ctx = &getContext();
    OpBuilder b(kernel);
    Location loc = kernel.getLoc();
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    LLVM::LLVMFunctionType type = kernel.getFunctionType();
    if (type.getNumParams() != static_cast<unsigned>(5 * bindings + constants) ||
        !isa<LLVM::LLVMVoidType>(type.getReturnType()))
      return kernel.emitOpError() << "expects the lowered signature of " << bindings
                                  << " binding descriptors and " << constants
                                  << " push constants, got " << type;
    Type pointer = type.getParams().empty() || bindings == 0
                       ? Type(LLVM::LLVMPointerType::get(ctx))
                       : type.getParams()[0];
    SmallVector<Type> launch(bindings, pointer);
    launch.append(constants, i32);
    for (int64_t i = 0; i < bindings; ++i)
      if (type.getParams()[5 * i] != pointer || type.getParams()[5 * i + 2] != i64)
        return kernel.emitOpError() << "binding " << i
                                    << " is not lowered to a memref descriptor: " << type;
    for (int64_t j = 0; j < constants; ++j)
      if (type.getParams()[5 * bindings + j] != i32)
        return kernel.emitOpError() << "push constant " << j << " is not an i32: " << type;

    std::string name = kernel.getSymName().str();
    auto entry = LLVM::LLVMFuncOp::create(b, loc, name, LLVM::LLVMFunctionType::get(
                                                            LLVM::LLVMVoidType::get(ctx), launch));
    entry.setCConv(kernel.getCConv());
    // The runtime checks that every binding is aligned so (gpu_launch.h):
    // LLVM may then load consecutive elements as one vector.
    for (int64_t i = 0; i < bindings; ++i)
      entry.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                       b.getI64IntegerAttr(SIEVE_GPU_BINDING_ALIGNMENT));
    SmallVector<StringAttr> moved;
    for (NamedAttribute attr : kernel->getDiscardableAttrs())
      if (isKernelAttribute(attr.getName().getValue())) {
        entry->setAttr(attr.getName(), attr.getValue());
        moved.push_back(attr.getName());
      }
    for (StringAttr attr : moved)
      kernel->removeAttr(attr);
    kernel.setSymName(name + ".workgroup");
    kernel.setLinkage(LLVM::Linkage::Internal);
    kernel.setCConv(LLVM::CConv::C);
    kernel.setAlwaysInline(true);

    Block *start = entry.addEntryBlock(b);
    b.setInsertionPointToStart(start);
    Value zero = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(0));
    Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
    SmallVector<Value> args;
    for (int64_t i = 0; i < bindings; ++i) {
      Value base = start->getArgument(i);
      args.append({base, base, zero, zero, one});
    }
    for (int64_t j = 0; j < constants; ++j)
      args.push_back(start->getArgument(bindings + j));
    LLVM::CallOp::create(b, loc, kernel, args);
    LLVM::ReturnOp::create(b, loc, ValueRange());
    return success();
  }
};

} // namespace
} // namespace sieve
