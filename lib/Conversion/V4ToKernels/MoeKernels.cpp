//===- MoeKernels.cpp - MoE routing, dispatch and combine as kernels -------===//
//
// v4.moe_route and v4.moe_hash_route, one token per workgroup, follow
// ref::routeScores / topExperts / routeWeights: s = sqrt(softplus(logit))
// with softplus linear above 20, experts by emitRankedPicks over s + bias
// (a NaN biased score ranks as -inf, so k <= E experts are always found),
// weights summed in slot order, then divided and scaled in the reference's
// order. exp and log1p are MLIR's polynomial approximations (no libm), so
// weights may differ from the reference in the last f32 bits, and an expert
// whose biased score ties another's within that error may be swapped.
// Hash routing reads table[token]; token ids and table entries are clamped
// into range so a bad id reads a wrong row, never out of bounds (the runtime
// validates both before they reach a kernel).
//
// v4.moe_dispatch, one expert per workgroup: the expert's offset is the
// number of token copies routed to lower experts, then its copies are
// written in (token, slot) order. Every workgroup reads the T*k ids twice;
// no atomics and no shared counters, so the result is deterministic.
//
// v4.moe_combine, one token per workgroup: scans the permutation for the
// token's rows in sorted order (ascending expert id), sums them in an fp32
// row, adds the shared expert's row and rounds once, as the reference does.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "RankedPicks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;

namespace sieve::detail {

namespace {

/// sqrt(softplus(x)), softplus(x) = x above 20, else log1p(exp(x)).
Value routeScore(OpBuilder &b, Location loc, Value logit) {
  Value threshold = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(20.0f));
  Value smooth = math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, logit));
  Value linear = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, logit, threshold);
  return math::SqrtOp::create(b, loc, arith::SelectOp::create(b, loc, linear, logit, smooth));
}

/// weights[t, j] = s(experts[t, j]) (/ their sum) * routeScale, for j < k.
void emitRouteWeights(KernelBuilder &kb, Value token, int64_t k, Value experts, Value weights,
                      bool normalize, double routeScale,
                      llvm::function_ref<Value(Value)> scoreOfExpert) {
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value zero = kb.index(0), one = kb.index(1), slots = kb.index(k);
  auto scoreAt = [&](Value j) {
    Value id = memref::LoadOp::create(b, loc, experts, ValueRange{token, j});
    return scoreOfExpert(arith::IndexCastOp::create(b, loc, b.getIndexType(), id));
  };
  Value sum = scf::ForOp::create(b, loc, zero, slots, one, ValueRange{kb.f32(0.0)},
                                 [&](OpBuilder &, Location, Value j, ValueRange acc) {
                                   scf::YieldOp::create(
                                       b, loc,
                                       ValueRange{arith::AddFOp::create(b, loc, acc[0],
                                                                        scoreAt(j))});
                                 })
                  .getResult(0);
  Value scale = kb.f32(routeScale);
  scf::ForOp::create(b, loc, zero, slots, one, ValueRange{}, [&](OpBuilder &, Location, Value j,
                                                                 ValueRange) {
    Value weight = scoreAt(j);
    if (normalize)
      weight = arith::DivFOp::create(b, loc, weight, sum);
    memref::StoreOp::create(b, loc, arith::MulFOp::create(b, loc, weight, scale), weights,
                            ValueRange{token, j});
    scf::YieldOp::create(b, loc);
  });
}

} // namespace

FailureOr<func::FuncOp> emitMoeRouteKernel(v4::MoeRouteOp op, llvm::StringRef name,
                                           OpBuilder &moduleBuilder) {
  auto logitsType = cast<RankedTensorType>(op.getLogits().getType());
  auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
  int64_t experts = logitsType.getDimSize(1), k = static_cast<int64_t>(op.getK());
  if (ShapedType::isDynamic(experts))
    return op.emitOpError() << "needs a static expert count to become a kernel";
  KernelBuilder kb(moduleBuilder, op.getLoc(), name,
                   {logitsType, cast<RankedTensorType>(op.getBias().getType()), weightsType,
                    cast<RankedTensorType>(op.getExperts().getType())});
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value logits = kb.view(0, dynamicSizes), bias = kb.view(1, {}),
        weights = kb.view(2, dynamicSizes), ids = kb.view(3, dynamicSizes);
  Value zero = kb.index(0), one = kb.index(1), count = kb.index(experts);
  Value negInf = kb.f32(-std::numeric_limits<double>::infinity());

  kb.forWorkgroups(kb.rowCount(), [&](Value token) {
    Value scores = memref::AllocaOp::create(b, loc, MemRefType::get({experts}, f32));
    scf::ForOp::create(b, loc, zero, count, one, ValueRange{}, [&](OpBuilder &, Location,
                                                                   Value e, ValueRange) {
      Value logit = memref::LoadOp::create(b, loc, logits, ValueRange{token, e});
      memref::StoreOp::create(b, loc, routeScore(b, loc, logit), scores, ValueRange{e});
      scf::YieldOp::create(b, loc);
    });
    emitRankedPicks(
        b, loc, kb.index(k), count,
        [&](Value e) -> Value {
          Value biased =
              arith::AddFOp::create(b, loc, memref::LoadOp::create(b, loc, scores, e),
                                    memref::LoadOp::create(b, loc, bias, e));
          Value isNan =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, biased, biased);
          return arith::SelectOp::create(b, loc, isNan, negInf, biased);
        },
        [&](Value j, Value e, Value) {
          memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), e),
                                  ids, ValueRange{token, j});
        });
    emitRouteWeights(kb, token, k, ids, weights, op.getNormalize(),
                     op.getRouteScale().convertToDouble(), [&](Value e) -> Value {
                       return memref::LoadOp::create(b, loc, scores, e);
                     });
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitMoeHashRouteKernel(v4::MoeHashRouteOp op, llvm::StringRef name,
                                               OpBuilder &moduleBuilder) {
  auto logitsType = cast<RankedTensorType>(op.getLogits().getType());
  auto tokensType = cast<RankedTensorType>(op.getTokens().getType());
  auto tableType = cast<RankedTensorType>(op.getTable().getType());
  auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
  int64_t experts = logitsType.getDimSize(1);
  if (ShapedType::isDynamic(experts) || !tableType.hasStaticShape())
    return op.emitOpError() << "needs a static expert count and table to become a kernel";
  int64_t vocab = tableType.getDimSize(0), k = tableType.getDimSize(1);
  KernelBuilder kb(moduleBuilder, op.getLoc(), name,
                   {logitsType, tokensType, tableType, weightsType,
                    cast<RankedTensorType>(op.getExperts().getType())});
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type i32 = b.getI32Type(), indexType = b.getIndexType();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value logits = kb.view(0, dynamicSizes), tokenIds = kb.view(1, dynamicSizes),
        table = kb.view(2, {}), weights = kb.view(3, dynamicSizes),
        ids = kb.view(4, dynamicSizes);
  Value zero = kb.index(0), one = kb.index(1);
  // Unsigned min: a negative id becomes huge first, so it clamps too.
  auto clamped = [&](Value id, int64_t size) -> Value {
    Value asIndex = arith::IndexCastUIOp::create(b, loc, indexType, id);
    return arith::MinUIOp::create(b, loc, asIndex, kb.index(size - 1));
  };

  kb.forWorkgroups(kb.rowCount(), [&](Value token) {
    Value id = clamped(memref::LoadOp::create(b, loc, tokenIds, ValueRange{token}), vocab);
    scf::ForOp::create(b, loc, zero, kb.index(k), one, ValueRange{}, [&](OpBuilder &, Location,
                                                                         Value j, ValueRange) {
      Value expert = clamped(memref::LoadOp::create(b, loc, table, ValueRange{id, j}), experts);
      memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, expert), ids,
                              ValueRange{token, j});
      scf::YieldOp::create(b, loc);
    });
    emitRouteWeights(kb, token, k, ids, weights, op.getNormalize(),
                     op.getRouteScale().convertToDouble(), [&](Value e) {
                       return routeScore(
                           b, loc, memref::LoadOp::create(b, loc, logits, ValueRange{token, e}));
                     });
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitMoeDispatchKernel(v4::MoeDispatchOp op, llvm::StringRef name,
                                              OpBuilder &moduleBuilder) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto expertsType = cast<RankedTensorType>(op.getExperts().getType());
  auto rowsType = cast<RankedTensorType>(op.getRows().getType());
  int64_t width = inputType.getDimSize(1), k = expertsType.getDimSize(1);
  int64_t experts = static_cast<int64_t>(op.getNumExperts());
  if (ShapedType::isDynamic(width) || ShapedType::isDynamic(k))
    return op.emitOpError() << "needs a static width and expert count per token to become a "
                               "kernel";
  auto rowWeightsType = cast<RankedTensorType>(op.getRowWeights().getType());
  auto permutationType = cast<RankedTensorType>(op.getPermutation().getType());
  KernelBuilder kb(moduleBuilder, op.getLoc(), name,
                   {inputType, expertsType, cast<RankedTensorType>(op.getWeights().getType()),
                    rowsType, rowWeightsType, permutationType,
                    cast<RankedTensorType>(op.getExpertOffsets().getType())});
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type i32 = b.getI32Type();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value zero = kb.index(0), one = kb.index(1), slots = kb.index(k), d = kb.index(width);
  Value copies = arith::MulIOp::create(b, loc, kb.dim(0), slots);
  auto copySizes = [&](RankedTensorType type) {
    return type.isDynamicDim(0) ? SmallVector<Value>{copies} : SmallVector<Value>{};
  };
  Value input = kb.view(0, dynamicSizes), ids = kb.view(1, dynamicSizes),
        weights = kb.view(2, dynamicSizes), rows = kb.view(3, copySizes(rowsType)),
        rowWeights = kb.view(4, copySizes(rowWeightsType)),
        permutation = kb.view(5, copySizes(permutationType)), offsets = kb.view(6, {});
  Value lastExpert = kb.index(experts - 1);

  kb.forWorkgroups(kb.index(experts), [&](Value e) {
    Value expert = arith::IndexCastOp::create(b, loc, i32, e);
    auto idAt = [&](Value copy) -> Value {
      Value token = arith::DivUIOp::create(b, loc, copy, slots);
      Value slot = arith::RemUIOp::create(b, loc, copy, slots);
      return memref::LoadOp::create(b, loc, ids, ValueRange{token, slot});
    };
    Value first =
        scf::ForOp::create(
            b, loc, zero, copies, one, ValueRange{zero},
            [&](OpBuilder &, Location, Value copy, ValueRange count) {
              Value lower = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idAt(copy),
                                                  expert);
              Value step = arith::SelectOp::create(b, loc, lower, one, zero);
              scf::YieldOp::create(b, loc,
                                   ValueRange{arith::AddIOp::create(b, loc, count[0], step)});
            })
            .getResult(0);
    memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, first), offsets,
                            ValueRange{e});
    Value end =
        scf::ForOp::create(
            b, loc, zero, copies, one, ValueRange{first},
            [&](OpBuilder &, Location, Value copy, ValueRange cursor) {
              Value mine = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, idAt(copy),
                                                 expert);
              auto branch = scf::IfOp::create(
                  b, loc, mine,
                  [&](OpBuilder &, Location) {
                    Value row = cursor[0];
                    Value token = arith::DivUIOp::create(b, loc, copy, slots);
                    Value slot = arith::RemUIOp::create(b, loc, copy, slots);
                    scf::ForOp::create(
                        b, loc, zero, d, one, ValueRange{},
                        [&](OpBuilder &, Location, Value x, ValueRange) {
                          Value v = memref::LoadOp::create(b, loc, input, ValueRange{token, x});
                          memref::StoreOp::create(b, loc, v, rows, ValueRange{row, x});
                          scf::YieldOp::create(b, loc);
                        });
                    memref::StoreOp::create(
                        b, loc, memref::LoadOp::create(b, loc, weights, ValueRange{token, slot}),
                        rowWeights, ValueRange{row});
                    memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, copy),
                                            permutation, ValueRange{row});
                    scf::YieldOp::create(b, loc,
                                         ValueRange{arith::AddIOp::create(b, loc, row, one)});
                  },
                  [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, cursor[0]); });
              scf::YieldOp::create(b, loc, branch.getResults());
            })
            .getResult(0);
    Value isLast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e, lastExpert);
    scf::IfOp::create(b, loc, isLast, [&](OpBuilder &, Location) {
      memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, end), offsets,
                              ValueRange{kb.index(experts)});
      scf::YieldOp::create(b, loc);
    });
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitMoeCombineKernel(v4::MoeCombineOp op, llvm::StringRef name,
                                             OpBuilder &moduleBuilder) {
  auto rowsType = cast<RankedTensorType>(op.getRows().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t width = rowsType.getDimSize(1);
  if (ShapedType::isDynamic(width))
    return op.emitOpError() << "needs a static width to become a kernel";
  SmallVector<RankedTensorType> tensors = {rowsType,
                                           cast<RankedTensorType>(op.getPermutation().getType())};
  Value shared = op.getShared();
  if (shared)
    tensors.push_back(cast<RankedTensorType>(shared.getType()));
  tensors.push_back(resultType);
  // The token count is the extra push constant when the result's is dynamic.
  const bool dynamicTokens = resultType.isDynamicDim(0);
  SmallVector<PushConstant> extras;
  if (dynamicTokens)
    extras.push_back(PushConstant::resultSize(0, 0));
  KernelBuilder kb(moduleBuilder, op.getLoc(), name, tensors, extras);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type();
  Value rowCount = kb.dim(0);
  Value tokens = dynamicTokens ? kb.extraConstant(0) : kb.index(resultType.getDimSize(0));
  SmallVector<Value> rowSizes = kb.dynamicLeadingSizes();
  SmallVector<Value> tokenSizes;
  if (dynamicTokens)
    tokenSizes.push_back(tokens);
  Value rows = kb.view(0, rowSizes), permutation = kb.view(1, rowSizes);
  Value sharedRows = shared ? kb.view(2, tokenSizes) : Value();
  Value out = kb.view(shared ? 3 : 2, tokenSizes);
  Value zero = kb.index(0), one = kb.index(1), d = kb.index(width);
  // k = R / T; at least 1 so that a malformed R < T cannot divide by zero.
  Value perToken = arith::MaxUIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, rowCount, arith::MaxUIOp::create(b, loc, tokens, one)),
      one);
  auto widen = [&](Value v) -> Value {
    return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };
  auto forEachElement = [&](llvm::function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, zero, d, one, ValueRange{},
                       [&](OpBuilder &, Location, Value x, ValueRange) {
                         body(x);
                         scf::YieldOp::create(b, loc);
                       });
  };

  kb.forWorkgroups(tokens, [&](Value token) {
    Value sum = memref::AllocaOp::create(b, loc, MemRefType::get({width}, f32));
    forEachElement([&](Value x) { memref::StoreOp::create(b, loc, kb.f32(0.0), sum, x); });
    scf::ForOp::create(b, loc, zero, rowCount, one, ValueRange{}, [&](OpBuilder &, Location,
                                                                      Value r, ValueRange) {
      // A negative entry becomes huge and belongs to no token.
      Value source = arith::IndexCastUIOp::create(
          b, loc, b.getIndexType(), memref::LoadOp::create(b, loc, permutation, r));
      Value owner = arith::DivUIOp::create(b, loc, source, perToken);
      Value mine = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, owner, token);
      scf::IfOp::create(b, loc, mine, [&](OpBuilder &, Location) {
        forEachElement([&](Value x) {
          Value v = widen(memref::LoadOp::create(b, loc, rows, ValueRange{r, x}));
          Value acc = memref::LoadOp::create(b, loc, sum, x);
          memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, acc, v), sum, x);
        });
        scf::YieldOp::create(b, loc);
      });
      scf::YieldOp::create(b, loc);
    });
    forEachElement([&](Value x) {
      Value value = memref::LoadOp::create(b, loc, sum, x);
      if (sharedRows)
        value = arith::AddFOp::create(
            b, loc, value, widen(memref::LoadOp::create(b, loc, sharedRows, ValueRange{token, x})));
      if (resultType.getElementType() != f32)
        value = arith::TruncFOp::create(b, loc, resultType.getElementType(), value);
      memref::StoreOp::create(b, loc, value, out, ValueRange{token, x});
    });
  });
  return kb.kernel();
}

} // namespace sieve::detail
