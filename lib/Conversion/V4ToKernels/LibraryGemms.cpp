//===- LibraryGemms.cpp - Prefill GEMMs as library kernel dispatches -------===//
//
// `sieve-compile --cpu-gemm=onednn`: the prefill's GEMMs (the FP8
// projections, the grouped wo_a, the routed MXFP4 experts) run as dispatches
// of library kernels the runtime provides (oneDNN's bf16 GEMM on the CPU)
// instead of generated kernels. The generated GEMMs compute one activation
// row per workgroup, which is what decode wants (one pass over the weight);
// a prefill of hundreds of rows is better served by a GEMM that blocks rows
// and columns in registers, which a tuned library has.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/V4ToKernels/Passes.h"

#include "OpKernelEmitters.h"

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

/// The library kernels (runtime/src/hal/cpu/onednn_matmul.h): their names
/// and ABI.
struct LibraryKernelKind {
  llvm::StringLiteral name;
  unsigned bindings, constants;
};
/// Activation [M, G * K] bf16, weight [G * N, K] E4M3, its block scales, the
/// result [M, G * N]; constants M, N, K, bn, bk, columns per workgroup, G.
constexpr LibraryKernelKind kFp8WeightGemm{"matmul_fp8w", 4, 7};
/// Activation [M, K] bf16 sorted by expert, weight [E, N, K] E2M1, its
/// [E, N, K / 32] scales, the [E + 1] offsets, the result [M, N]; constants
/// M, N, K, E, columns per workgroup.
constexpr LibraryKernelKind kMxfp4ExpertsGemm{"grouped_matmul_mxfp4w", 5, 5};

/// The declaration of library kernel `kind` in `@kernels`, made once per
/// result type.
func::FuncOp libraryKernel(ModuleOp module, llvm::StringRef library, const LibraryKernelKind &kind,
                           Type result) {
  auto executable = module.lookupSymbol<program::ExecutableOp>(kExecutableName);
  if (!executable) {
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    executable = program::ExecutableOp::create(b, module.getLoc(), kExecutableName);
  }
  std::string name = (kind.name + "_" + (result.isBF16() ? "bf16" : "f32")).str();
  std::string symbol = (library + "_" + name).str();
  if (auto existing = executable.lookupSymbol<func::FuncOp>(symbol))
    return existing;
  MLIRContext *context = module.getContext();
  SmallVector<Type> arguments(
      kind.bindings, MemRefType::get({ShapedType::kDynamic}, IntegerType::get(context, 8)));
  arguments.append(kind.constants, IntegerType::get(context, 32));
  OpBuilder b = OpBuilder::atBlockEnd(&executable.getBlock());
  auto kernel =
      func::FuncOp::create(b, module.getLoc(), symbol, FunctionType::get(context, arguments, {}));
  kernel.setPrivate();
  kernel->setAttr("sieve.kernel", UnitAttr::get(context));
  kernel->setAttr(program::ProgramDialect::kLibraryAttr,
                  StringAttr::get(context, (library + "." + name).str()));
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

/// The activation as bf16 values: the quantized `input`'s codes times
/// `scales` (one per `block` values), exact in bf16.
Value decodedActivation(Value input, Value scales, int64_t block, OpBuilder &b, Location loc) {
  auto codes = cast<RankedTensorType>(input.getType());
  auto quantize = input.getDefiningOp<v4::QuantizeOp>();
  if (quantize && quantize.getScales() == scales &&
      static_cast<int64_t>(quantize.getBlock()) == block &&
      cast<RankedTensorType>(quantize.getInput().getType()).getElementType().isBF16())
    return v4::SimulateQuantOp::create(b, loc, quantize.getInput(), codes.getElementType(), block,
                                       quantize.getRule());
  return v4::DequantizeOp::create(b, loc, codes.clone(b.getBF16Type()), input, scales, block);
}

/// One library GEMM: `activation` [..., G * K] (G groups of K), the E4M3
/// weight [G * N, K] with its [G * N / bn, K / bk] scales, the result of
/// `resultType` [..., G, N] (G > 1) or [..., N].
struct LibraryGemm {
  Value activation, weight, weightScales;
  RankedTensorType resultType;
  int64_t groups, n, k, blockRows, blockDepth;
};

/// The dispatch of `kernel` computing `gemm` before `at`: the activation
/// viewed [M, G * K], the result [M, G * N] viewed back to its type.
Value emitLibraryGemm(const LibraryGemm &gemm, func::FuncOp kernel, Operation *at) {
  OpBuilder b(at);
  Location loc = at->getLoc();
  auto activationType = cast<RankedTensorType>(gemm.activation.getType());
  // Leading dimensions are rows; the activation's trailing ones (the last,
  // or heads and head dim for groups) and the result's are columns.
  const int64_t activationRank = activationType.getRank();
  const int64_t resultRank = gemm.resultType.getRank();
  const int64_t leading = resultRank - (gemm.groups > 1 ? 2 : 1);
  auto rowsThenRest = [&](int64_t rank) {
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t d = 0; d < rank; ++d)
      groups[d < leading ? 0 : 1].push_back(d);
    return groups;
  };
  // A view, and none for what is [rows, columns] already.
  Value rows2d = activationRank == 2 ? gemm.activation
                                     : tensor::CollapseShapeOp::create(b, loc, gemm.activation,
                                                                       rowsThenRest(activationRank))
                                           .getResult();
  auto rows2dType = cast<RankedTensorType>(rows2d.getType());
  Value m = tensor::DimOp::create(b, loc, rows2d, 0);
  auto i32 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  };
  SmallVector<Value> constants = {arith::IndexCastOp::create(b, loc, b.getI32Type(), m),
                                  i32(gemm.n),
                                  i32(gemm.k),
                                  i32(gemm.blockRows),
                                  i32(gemm.blockDepth),
                                  i32(kColumnsPerWorkgroup),
                                  i32(gemm.groups)};
  Value workgroups = arith::ConstantIndexOp::create(
      b, loc, gemm.groups * ((gemm.n + kColumnsPerWorkgroup - 1) / kColumnsPerWorkgroup));
  auto product2dType = RankedTensorType::get({rows2dType.getDimSize(0), gemm.groups * gemm.n},
                                             gemm.resultType.getElementType());
  SmallVector<Value> resultDims;
  if (product2dType.isDynamicDim(0))
    resultDims.push_back(m);
  auto kernelRef = SymbolRefAttr::get(b.getStringAttr(kExecutableName),
                                      {FlatSymbolRefAttr::get(kernel.getSymNameAttr())});
  auto dispatch =
      program::DispatchOp::create(b, loc, TypeRange{product2dType}, kernelRef, workgroups,
                                  ValueRange{rows2d, gemm.weight, gemm.weightScales}, constants,
                                  resultDims, b.getDenseI64ArrayAttr({-1}));
  if (resultRank == 2)
    return dispatch.getResult(0);
  // Back to the result's shape: its leading sizes are the activation's.
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < resultRank; ++d)
    sizes.push_back(
        d < leading && gemm.resultType.isDynamicDim(d)
            ? OpFoldResult(tensor::DimOp::create(b, loc, gemm.activation, d).getResult())
            : OpFoldResult(b.getIndexAttr(gemm.resultType.getDimSize(d))));
  return tensor::ExpandShapeOp::create(b, loc, gemm.resultType, dispatch.getResult(0),
                                       rowsThenRest(resultRank), sizes);
}

/// Erases `ops` in order, each once it has no users.
void eraseUnused(ArrayRef<Operation *> ops) {
  for (Operation *op : ops)
    if (op && op->use_empty())
      op->erase();
}

LogicalResult rewrite(v4::Fp8MatmulOp op, func::FuncOp kernel) {
  OpBuilder b(op);
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  Value activation =
      decodedActivation(op.getInput(), op.getInputScales(), op.getBlock()[1], b, op.getLoc());
  LibraryGemm gemm{activation,       op.getWeight(),           op.getWeightScales(),
                   op.getType(),
                   /*groups=*/1,     weightType.getDimSize(0), weightType.getDimSize(1),
                   op.getBlock()[0], op.getBlock()[1]};
  Value product = emitLibraryGemm(gemm, kernel, op);
  auto quantize = op.getInput().getDefiningOp<v4::QuantizeOp>();
  op.replaceAllUsesWith(product);
  op.erase();
  eraseUnused({quantize});
  return success();
}

/// Whether `op` is the routed experts' GEMM the library kernel computes:
/// groups, a [M, K] activation, static weights, a bf16 or f32 result.
bool isLibraryExpertsGemm(v4::Mxfp4MatmulOp op) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto weight = cast<RankedTensorType>(op.getWeight().getType());
  auto scales = cast<RankedTensorType>(op.getWeightScales().getType());
  Type out = op.getType().getElementType();
  return op.getGroupOffsets() && input.getRank() == 2 && !input.isDynamicDim(1) &&
         weight.getRank() == 3 && weight.hasStaticShape() && scales.hasStaticShape() &&
         weight.getDimSize(2) % 32 == 0 && (out.isBF16() || out.isF32());
}

LogicalResult rewrite(v4::Mxfp4MatmulOp op, func::FuncOp kernel) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  const int64_t experts = weightType.getDimSize(0), n = weightType.getDimSize(1),
                k = weightType.getDimSize(2);
  Value activation = decodedActivation(op.getInput(), op.getInputScales(),
                                       static_cast<int64_t>(op.getActBlock()), b, loc);
  Value m = tensor::DimOp::create(b, loc, activation, 0);
  auto i32 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  };
  SmallVector<Value> constants = {arith::IndexCastOp::create(b, loc, b.getI32Type(), m), i32(n),
                                  i32(k), i32(experts), i32(kColumnsPerWorkgroup)};
  Value workgroups = arith::ConstantIndexOp::create(
      b, loc, experts * ((n + kColumnsPerWorkgroup - 1) / kColumnsPerWorkgroup));
  SmallVector<Value> resultDims;
  if (op.getType().isDynamicDim(0))
    resultDims.push_back(m);
  auto kernelRef = SymbolRefAttr::get(b.getStringAttr(kExecutableName),
                                      {FlatSymbolRefAttr::get(kernel.getSymNameAttr())});
  auto dispatch = program::DispatchOp::create(
      b, loc, TypeRange{op.getType()}, kernelRef, workgroups,
      ValueRange{activation, op.getWeight(), op.getWeightScales(), op.getGroupOffsets()}, constants,
      resultDims, b.getDenseI64ArrayAttr({-1}));
  auto quantize = op.getInput().getDefiningOp<v4::QuantizeOp>();
  op.replaceAllUsesWith(dispatch.getResult(0));
  op.erase();
  eraseUnused({quantize});
  return success();
}

bool isScaleBlock(int64_t block) { return block == 32 || block == 64 || block == 128; }

/// A grouped_linear (wo_a) whose weight is E4M3 codes decoded with
/// broadcast tile scales, as the library GEMM with groups; none otherwise.
std::optional<LibraryGemm> libraryGroupedLinear(v4::GroupedLinearOp op) {
  auto weight = detail::groupedLinearWeight(op);
  if (!weight || !weight->second)
    return std::nullopt;
  v4::DequantizeOp dequantize = weight->first.dequantize;
  auto codes = cast<RankedTensorType>(dequantize.getCodes().getType());
  auto tiles = cast<RankedTensorType>(weight->first.scales.getType());
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto result = op.getType();
  Type out = result.getElementType();
  if (!isa<Float8E4M3FNType>(codes.getElementType()) || !codes.hasStaticShape() ||
      !tiles.hasStaticShape() || codes.getRank() != 2 || tiles.getRank() != 2 ||
      !input.getElementType().isBF16() || !(out.isBF16() || out.isF32()) || result.getRank() < 3 ||
      input.getRank() != result.getRank())
    return std::nullopt;
  const int64_t groups = static_cast<int64_t>(op.getGroups());
  const int64_t k = codes.getDimSize(1), rowsPerScale = weight->first.rowsPerScale;
  if (codes.getDimSize(0) % groups != 0 || k % tiles.getDimSize(1) != 0 ||
      !isScaleBlock(rowsPerScale) || !isScaleBlock(k / tiles.getDimSize(1)))
    return std::nullopt;
  return LibraryGemm{op.getInput(),
                     dequantize.getCodes(),
                     weight->first.scales,
                     result,
                     groups,
                     codes.getDimSize(0) / groups,
                     k,
                     rowsPerScale,
                     k / tiles.getDimSize(1)};
}

LogicalResult rewrite(v4::GroupedLinearOp op, const LibraryGemm &gemm, func::FuncOp kernel) {
  auto weight = detail::groupedLinearWeight(op);
  Operation *expand = op.getWeight().getDefiningOp();
  Operation *dequantize = weight->first.dequantize;
  Operation *collapse = dequantize->getOperand(1).getDefiningOp();
  Operation *broadcast = weight->second;
  Operation *broadcastInit = weight->second.getInit().getDefiningOp();
  Value product = emitLibraryGemm(gemm, kernel, op);
  op.replaceAllUsesWith(product);
  op.erase();
  // The bf16 weight is no longer made (it would be a dispatch of its own).
  eraseUnused({expand, dequantize, collapse, broadcast, broadcastInit});
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
      SmallVector<v4::Mxfp4MatmulOp> expertGemms;
      SmallVector<std::pair<v4::GroupedLinearOp, LibraryGemm>> groupedLinears;
      function.walk([&](Operation *op) {
        if (auto matmul = dyn_cast<v4::Fp8MatmulOp>(op); matmul && isLibraryGemm(matmul))
          gemms.push_back(matmul);
        if (auto matmul = dyn_cast<v4::Mxfp4MatmulOp>(op); matmul && isLibraryExpertsGemm(matmul))
          expertGemms.push_back(matmul);
        if (auto linear = dyn_cast<v4::GroupedLinearOp>(op))
          if (std::optional<LibraryGemm> gemm = libraryGroupedLinear(linear))
            groupedLinears.push_back({linear, *gemm});
      });
      for (v4::Fp8MatmulOp op : gemms)
        if (failed(rewrite(
                op, libraryKernel(module, library, kFp8WeightGemm, op.getType().getElementType()))))
          return signalPassFailure();
      for (auto &[op, gemm] : groupedLinears)
        if (failed(rewrite(
                op, gemm,
                libraryKernel(module, library, kFp8WeightGemm, op.getType().getElementType()))))
          return signalPassFailure();
      for (v4::Mxfp4MatmulOp op : expertGemms)
        if (failed(rewrite(op, libraryKernel(module, library, kMxfp4ExpertsGemm,
                                             op.getType().getElementType()))))
          return signalPassFailure();
    }
  }
};

} // namespace
} // namespace sieve
