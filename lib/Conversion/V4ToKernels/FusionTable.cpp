//===- FusionTable.cpp - The fusion patterns, one row each ----------------===//
//
// | consumer                      | producers it computes     | when                          |
// | ----------------------------- | ------------------------- | ----------------------------- |
// | v4.fp8_matmul, v4.mxfp4_matmul | the v4.quantize of its    | E4M3 codes, ceil rule, block  |
// |                               | activation codes + scales | = the matmul's activation     |
// |                               |                           | block (per-token FP8 before   |
// |                               |                           | every FP8/MXFP4 GEMM)         |
//
// A fused producer whose every user fuses it has no dispatch of its own.
// Planned rows: dequantize into grouped_linear, rms_norm into the next
// projection's prologue, indexer_score with its top-k, moe_route with
// moe_dispatch (docs/compiler.md).
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/V4ToKernels/FusionTable.h"

#include "OpKernelEmitters.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace sieve {
namespace {

/// Row 1: the quantize producing a matmul's activation codes and scales.
v4::QuantizeOp fusableActivationQuantize(Value codes, Value scales, int64_t actBlock) {
  auto quantize = codes.getDefiningOp<v4::QuantizeOp>();
  if (!quantize || scales.getDefiningOp() != quantize.getOperation() ||
      codes != quantize.getCodes() || scales != quantize.getScales())
    return nullptr;
  if (quantize.getRule() != v4::ScaleRule::ceil ||
      !isa<Float8E4M3FNType>(quantize.getCodes().getType().getElementType()) ||
      static_cast<int64_t>(quantize.getBlock()) != actBlock)
    return nullptr;
  return quantize;
}

v4::QuantizeOp activationQuantizeOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, v4::QuantizeOp>(op)
      .Case<v4::Fp8MatmulOp>([](auto matmul) {
        return fusableActivationQuantize(matmul.getInput(), matmul.getInputScales(),
                                         matmul.getBlock()[1]);
      })
      .Case<v4::Mxfp4MatmulOp>([](auto matmul) {
        return fusableActivationQuantize(matmul.getInput(), matmul.getInputScales(),
                                         static_cast<int64_t>(matmul.getActBlock()));
      })
      .Default([](Operation *) { return nullptr; });
}

} // namespace

SmallVector<Operation *> fusedProducers(Operation *op) {
  if (v4::QuantizeOp quantize = activationQuantizeOf(op))
    return {quantize.getOperation()};
  return {};
}

FailureOr<func::FuncOp> emitFusedKernel(Operation *op, ArrayRef<Operation *> producers,
                                        StringRef name, OpBuilder &builder) {
  if (producers.empty())
    return emitOpKernel(op, name, builder);
  auto quantize = cast<v4::QuantizeOp>(producers.front());
  if (auto matmul = dyn_cast<v4::Fp8MatmulOp>(op))
    return detail::emitFp8MatmulKernel(matmul, name, builder, quantize);
  return detail::emitMxfp4MatmulKernel(cast<v4::Mxfp4MatmulOp>(op), name, builder, quantize);
}

SmallVector<Value> fusedKernelBindings(Operation *op, ArrayRef<Operation *> producers) {
  if (producers.empty())
    return kernelBindings(op);
  // The quantize's input replaces the activation codes and scales.
  SmallVector<Value> unfused = kernelBindings(op);
  SmallVector<Value> bindings = {cast<v4::QuantizeOp>(producers.front()).getInput()};
  bindings.append(unfused.begin() + 2, unfused.end());
  return bindings;
}

} // namespace sieve
