//===- LibraryGemms.cpp - Prefill FP8 GEMMs as library kernel dispatches ---===//
//
// `sieve-compile --cpu-gemm=onednn`: the prefill's dense FP8 GEMMs run as
// dispatches of a library kernel the runtime provides (oneDNN's bf16 GEMM on
// the CPU) instead of generated kernels. The generated GEMMs compute one
// activation row per workgroup, which is what decode wants (one pass over
// the weight); a prefill of hundreds of rows is better served by a GEMM
// that blocks rows and columns in registers, which a tuned library has.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/V4ToKernels/Passes.h"

#include "program/IR/ProgramOps.h"
#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/SetVector.h"

namespace sieve {
#define GEN_PASS_DEF_LIBRARYGEMMSPASS
#include "sieve/Conversion/V4ToKernels/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

constexpr llvm::StringLiteral kExecutableName = "kernels";
/// Output columns per workgroup: a multiple of every FP8 weight-scale block
/// (32, 64, 128), so a workgroup's weight rows take whole scale rows.
constexpr int64_t kColumnsPerWorkgroup = 128;

/// The functions each phase's entry points reach through calls.
llvm::SetVector<func::FuncOp> reachedFrom(ModuleOp module, SymbolTable &symbols,
                                          llvm::StringRef phase) {
  SmallVector<func::FuncOp> work;
  for (auto function : module.getOps<func::FuncOp>())
    if (auto attr = function->getAttrOfType<StringAttr>("v4.phase");
        attr && attr.getValue() == phase)
      work.push_back(function);
  llvm::SetVector<func::FuncOp> reached;
  while (!work.empty()) {
    func::FuncOp function = work.pop_back_val();
    if (!reached.insert(function))
      continue;
    function.walk([&](func::CallOp call) {
      if (auto callee = symbols.lookup<func::FuncOp>(call.getCallee()))
        work.push_back(callee);
    });
  }
  return reached;
}

/// The library kernel's declaration in `@kernels`, made once per result type.
FailureOr<func::FuncOp> libraryKernel(ModuleOp module, llvm::StringRef library, Type result) {
  auto executable = module.lookupSymbol<program::ExecutableOp>(kExecutableName);
  if (!executable) {
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    executable = program::ExecutableOp::create(b, module.getLoc(), kExecutableName);
  }
  std::string out = result.isBF16() ? "bf16" : "f32";
  std::string symbol = (library + "_matmul_fp8w_" + out).str();
  if (auto existing = executable.lookupSymbol<func::FuncOp>(symbol))
    return existing;
  MLIRContext *context = module.getContext();
  Type binding = MemRefType::get({ShapedType::kDynamic}, IntegerType::get(context, 8));
  Type i32 = IntegerType::get(context, 32);
  // Bindings: activation [M, K] bf16, weight [N, K] E4M3, its block scales,
  // the result [M, N]; constants: M, N, K, bn, bk, columns per workgroup.
  SmallVector<Type> arguments(4, binding);
  arguments.append(6, i32);
  OpBuilder b = OpBuilder::atBlockEnd(&executable.getBlock());
  auto kernel =
      func::FuncOp::create(b, module.getLoc(), symbol, FunctionType::get(context, arguments, {}));
  kernel.setPrivate();
  kernel->setAttr("sieve.kernel", UnitAttr::get(context));
  kernel->setAttr(program::ProgramDialect::kLibraryAttr,
                  StringAttr::get(context, (library + ".matmul_fp8w_" + out).str()));
  return kernel;
}

/// Whether `op` is one the library kernel computes: no groups, a static
/// [N, K] weight, an activation of rank 2 or more, a bf16 or f32 result.
bool isLibraryGemm(v4::Fp8MatmulOp op) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto weight = cast<RankedTensorType>(op.getWeight().getType());
  Type out = op.getType().getElementType();
  return !op.getGroupOffsets() && input.getRank() >= 2 && weight.getRank() == 2 &&
         weight.hasStaticShape() && !input.isDynamicDim(input.getRank() - 1) &&
         (out.isBF16() || out.isF32()) && op.getBlock().size() == 2;
}

/// The activation as bf16 values: the quantized input's codes times scales.
Value decodedActivation(v4::Fp8MatmulOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  int64_t block = op.getBlock()[1];
  auto codes = cast<RankedTensorType>(op.getInput().getType());
  auto quantize = op.getInput().getDefiningOp<v4::QuantizeOp>();
  if (quantize && quantize.getScales() == op.getInputScales() &&
      static_cast<int64_t>(quantize.getBlock()) == block &&
      cast<RankedTensorType>(quantize.getInput().getType()).getElementType().isBF16())
    return v4::SimulateQuantOp::create(b, loc, quantize.getInput(), codes.getElementType(), block,
                                       quantize.getRule());
  return v4::DequantizeOp::create(b, loc, codes.clone(b.getBF16Type()), op.getInput(),
                                  op.getInputScales(), block);
}

LogicalResult rewrite(v4::Fp8MatmulOp op, func::FuncOp kernel) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  RankedTensorType resultType = op.getType();
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t rank = resultType.getRank();
  int64_t n = weightType.getDimSize(0), k = weightType.getDimSize(1);
  Value activation = decodedActivation(op, b);

  // [..., K] as [M, K]: a view, no copy.
  SmallVector<ReassociationIndices> rowsAndLast(2);
  for (int64_t d = 0; d + 1 < rank; ++d)
    rowsAndLast[0].push_back(d);
  rowsAndLast[1].push_back(rank - 1);
  Value rows2d = rank == 2
                     ? activation
                     : tensor::CollapseShapeOp::create(b, loc, activation, rowsAndLast).getResult();
  auto rows2dType = cast<RankedTensorType>(rows2d.getType());
  Value m = tensor::DimOp::create(b, loc, rows2d, 0);
  auto i32 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  };
  SmallVector<Value> constants = {arith::IndexCastOp::create(b, loc, b.getI32Type(), m),
                                  i32(n),
                                  i32(k),
                                  i32(op.getBlock()[0]),
                                  i32(op.getBlock()[1]),
                                  i32(kColumnsPerWorkgroup)};
  Value workgroups =
      arith::ConstantIndexOp::create(b, loc, (n + kColumnsPerWorkgroup - 1) / kColumnsPerWorkgroup);
  auto product2dType =
      RankedTensorType::get({rows2dType.getDimSize(0), n}, resultType.getElementType());
  SmallVector<Value> resultDims;
  if (product2dType.isDynamicDim(0))
    resultDims.push_back(m);
  auto kernelRef = SymbolRefAttr::get(b.getStringAttr(kExecutableName),
                                      {FlatSymbolRefAttr::get(kernel.getSymNameAttr())});
  auto dispatch =
      program::DispatchOp::create(b, loc, TypeRange{product2dType}, kernelRef, workgroups,
                                  ValueRange{rows2d, op.getWeight(), op.getWeightScales()},
                                  constants, resultDims, b.getDenseI64ArrayAttr({-1}));
  Value product = dispatch.getResult(0);
  if (rank != 2) {
    // Back to the op's shape: its leading sizes are the activation's.
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d + 1 < rank; ++d)
      sizes.push_back(resultType.isDynamicDim(d)
                          ? OpFoldResult(tensor::DimOp::create(b, loc, activation, d).getResult())
                          : OpFoldResult(b.getIndexAttr(resultType.getDimSize(d))));
    sizes.push_back(b.getIndexAttr(n));
    product = tensor::ExpandShapeOp::create(b, loc, resultType, product, rowsAndLast, sizes);
  }
  auto quantize = op.getInput().getDefiningOp<v4::QuantizeOp>();
  op.replaceAllUsesWith(product);
  op.erase();
  if (quantize && quantize->use_empty())
    quantize.erase();
  return success();
}

struct LibraryGemmsPass : impl::LibraryGemmsPassBase<LibraryGemmsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (library != "onednn") {
      module.emitError() << "sieve-library-gemms: unknown GEMM library '" << library
                         << "' (known: onednn)";
      return signalPassFailure();
    }
    SymbolTable symbols(module);
    llvm::SetVector<func::FuncOp> prefill = reachedFrom(module, symbols, "prefill");
    llvm::SetVector<func::FuncOp> decode = reachedFrom(module, symbols, "decode");
    for (func::FuncOp function : prefill) {
      // A function decode also runs keeps its generated GEMVs.
      if (decode.contains(function))
        continue;
      SmallVector<v4::Fp8MatmulOp> gemms;
      function.walk([&](v4::Fp8MatmulOp op) {
        if (isLibraryGemm(op))
          gemms.push_back(op);
      });
      for (v4::Fp8MatmulOp op : gemms) {
        FailureOr<func::FuncOp> kernel =
            libraryKernel(module, library, op.getType().getElementType());
        if (failed(kernel) || failed(rewrite(op, *kernel)))
          return signalPassFailure();
      }
    }
  }
};

} // namespace
} // namespace sieve
