//===- KernelABI.cpp - Kernels behind the kernel ABI entry point ----------===//
//
// After conversion to LLVM, kernel @k takes its bindings as memref
// descriptors (allocated pointer, aligned pointer, offset, size, stride for
// memref<?xi8>), its push constants as i32 and its workgroup id as three
// i64. The runtime calls `int32_t k(const sieve_dispatch_state_t *, const
// sieve_workgroup_state_t *)` (sieve/hal/kernel_abi.h): this pass writes that
// entry point, which reads the structs and calls the kernel, renamed
// @k.workgroup and made internal so LLVM inlines it.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace sieve {
#define GEN_PASS_DEF_CPUKERNELABIPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// Fields of sieve_dispatch_state_t and sieve_workgroup_state_t, in order.
enum DispatchField { kWorkgroupCount, kConstantCount, kConstants, kBindingCount,
                     kBindingPtrs, kBindingLengths };
/// Codes the entry point returns for a dispatch that does not fit the kernel.
constexpr int32_t kTooFewBindings = 1, kTooFewConstants = 2;

class EntryBuilder {
public:
  EntryBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {
    MLIRContext *ctx = b.getContext();
    ptr = LLVM::LLVMPointerType::get(ctx);
    i32 = b.getI32Type();
    i64 = b.getI64Type();
    dispatchType = LLVM::LLVMStructType::getLiteral(
        ctx, {LLVM::LLVMArrayType::get(i32, 3), i32, ptr, i32, ptr, ptr});
    workgroupType =
        LLVM::LLVMStructType::getLiteral(ctx, {LLVM::LLVMArrayType::get(i32, 3), i32, ptr, i32});
  }

  Value field(Value dispatch, DispatchField f, Type type) {
    Value address = LLVM::GEPOp::create(b, loc, ptr, dispatchType, dispatch,
                                        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(f)});
    return LLVM::LoadOp::create(b, loc, type, address);
  }
  Value element(Value array, Type type, int64_t index) {
    Value address = LLVM::GEPOp::create(b, loc, ptr, type, array,
                                        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
    return LLVM::LoadOp::create(b, loc, type, address);
  }
  Value workgroupId(Value workgroup, int dim) {
    Value address = LLVM::GEPOp::create(b, loc, ptr, workgroupType, workgroup,
                                        ArrayRef<LLVM::GEPArg>{0, 0, dim});
    Value id = LLVM::LoadOp::create(b, loc, i32, address);
    return LLVM::ZExtOp::create(b, loc, i64, id);
  }
  Value constant(Type type, int64_t value) {
    return LLVM::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
  }
  /// Returns `code` unless `have >= need`; continues in a new block.
  void requireAtLeast(LLVM::LLVMFuncOp entry, Value have, int64_t need, int32_t code) {
    Value enough = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::uge, have,
                                        constant(i32, need));
    Block *current = b.getInsertionBlock();
    Block *fail = entry.addBlock();
    Block *next = entry.addBlock();
    b.setInsertionPointToEnd(current);
    LLVM::CondBrOp::create(b, loc, enough, next, fail);
    b.setInsertionPointToStart(fail);
    LLVM::ReturnOp::create(b, loc, constant(i32, code));
    b.setInsertionPointToStart(next);
  }

  OpBuilder &b;
  Location loc;
  Type ptr, i32, i64;
  LLVM::LLVMStructType dispatchType, workgroupType;
};

struct CPUKernelABIPass : impl::CPUKernelABIPassBase<CPUKernelABIPass> {
  void runOnOperation() override {
    SmallVector<LLVM::LLVMFuncOp> kernels;
    for (auto fn : getOperation().getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr("sieve.kernel"))
        kernels.push_back(fn);
    for (LLVM::LLVMFuncOp kernel : kernels)
      if (failed(wrap(kernel)))
        return signalPassFailure();
  }

  LogicalResult wrap(LLVM::LLVMFuncOp kernel) {
    auto bindingsAttr = kernel->getAttrOfType<IntegerAttr>("sieve.bindings");
    auto constantsAttr = kernel->getAttrOfType<IntegerAttr>("sieve.constants");
    if (!bindingsAttr || !constantsAttr)
      return kernel.emitOpError()
             << "has no sieve.bindings / sieve.constants counts (run "
                "sieve-cpu-distribute-workgroups before lowering)";
    int64_t bindings = bindingsAttr.getInt(), constants = constantsAttr.getInt();
    OpBuilder b(kernel);
    Location loc = kernel.getLoc();
    EntryBuilder e(b, loc);

    // The lowered signature the entry point calls.
    SmallVector<Type> expected;
    for (int64_t i = 0; i < bindings; ++i)
      expected.append({e.ptr, e.ptr, e.i64, e.i64, e.i64});
    expected.append(constants, e.i32);
    expected.append(3, e.i64);
    LLVM::LLVMFunctionType type = kernel.getFunctionType();
    if (type.getParams() != ArrayRef<Type>(expected) ||
        !isa<LLVM::LLVMVoidType>(type.getReturnType()))
      return kernel.emitOpError()
             << "expects the lowered signature of " << bindings << " bindings, "
             << constants << " push constants and a workgroup id, got " << type;

    std::string name = kernel.getSymName().str();
    kernel.setSymName(name + ".workgroup");
    kernel.setLinkage(LLVM::Linkage::Internal);
    // Loops must stay loops: kernels call nothing, not even memset/memcpy.
    kernel.setPassthroughAttr(b.getArrayAttr({b.getStringAttr("no-builtins")}));

    auto entryType = LLVM::LLVMFunctionType::get(e.i32, {e.ptr, e.ptr});
    auto entry = LLVM::LLVMFuncOp::create(b, loc, name, entryType);
    entry.setPassthroughAttr(b.getArrayAttr({b.getStringAttr("no-builtins")}));
    entry->setAttr("sieve.kernel", b.getUnitAttr());
    kernel->removeAttr("sieve.kernel");
    Block *start = entry.addEntryBlock(b);
    b.setInsertionPointToStart(start);
    Value dispatch = start->getArgument(0), workgroup = start->getArgument(1);

    e.requireAtLeast(entry, e.field(dispatch, kBindingCount, e.i32), bindings, kTooFewBindings);
    e.requireAtLeast(entry, e.field(dispatch, kConstantCount, e.i32), constants,
                     kTooFewConstants);
    SmallVector<Value> args;
    if (bindings > 0) {
      Value pointers = e.field(dispatch, kBindingPtrs, e.ptr);
      Value lengths = e.field(dispatch, kBindingLengths, e.ptr);
      Value zero = e.constant(e.i64, 0), one = e.constant(e.i64, 1);
      for (int64_t i = 0; i < bindings; ++i) {
        Value base = e.element(pointers, e.ptr, i);
        Value length = e.element(lengths, e.i64, i);
        args.append({base, base, zero, length, one});
      }
    }
    if (constants > 0) {
      Value values = e.field(dispatch, kConstants, e.ptr);
      for (int64_t j = 0; j < constants; ++j)
        args.push_back(e.element(values, e.i32, j));
    }
    for (int dim = 0; dim < 3; ++dim)
      args.push_back(e.workgroupId(workgroup, dim));
    LLVM::CallOp::create(b, loc, kernel, args);
    LLVM::ReturnOp::create(b, loc, e.constant(e.i32, 0));
    return success();
  }
};

} // namespace
} // namespace sieve
