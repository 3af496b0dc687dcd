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
// Fused (fusion table row 5), the routing and the dispatch are one kernel of
// one workgroup: the tokens are routed in parallel, each copy's expert and
// weight staged in the rows' memory, then each expert's copies are counted
// and, after a prefix sum, placed, the experts in parallel; same arithmetic
// and order as the two kernels.
//
// v4.moe_combine, one token per workgroup: scans the permutation for the
// token's rows in sorted order (ascending expert id), sums them in an fp32
// row, adds the shared expert's row and rounds once, as the reference does.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"
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

/// weights[r, j] = s(experts[r, j]) (/ their sum) * routeScale, for j < k,
/// in output row `r`.
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

namespace {

/// Routes token `token` by score (v4.moe_route): `ids[outRow, j]` and
/// `weights[outRow, j]` for its k experts. `scores` is an [E] f32 scratch
/// the caller allocates once (an alloca in a loop would grow the stack on
/// every iteration).
void routeByScore(KernelBuilder &kb, v4::MoeRouteOp op, Value token, Value logits, Value bias,
                  Value ids, Value weights, Value outRow, Value scores) {
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  int64_t experts = cast<RankedTensorType>(op.getLogits().getType()).getDimSize(1);
  int64_t k = static_cast<int64_t>(op.getK());
  Value zero = kb.index(0), one = kb.index(1), count = kb.index(experts);
  Value negInf = kb.f32(-std::numeric_limits<double>::infinity());
  scf::ForOp::create(b, loc, zero, count, one, ValueRange{}, [&](OpBuilder &, Location,
                                                                 Value e, ValueRange) {
    Value logit = memref::LoadOp::create(b, loc, logits, ValueRange{token, e});
    memref::StoreOp::create(b, loc, routeScore(b, loc, logit), scores, ValueRange{e});
    scf::YieldOp::create(b, loc);
  });
  emitRankedPicks(
      b, loc, kb.index(k), count,
      [&](Value e) -> Value {
        Value biased = arith::AddFOp::create(b, loc, memref::LoadOp::create(b, loc, scores, e),
                                             memref::LoadOp::create(b, loc, bias, e));
        Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, biased, biased);
        return arith::SelectOp::create(b, loc, isNan, negInf, biased);
      },
      [&](Value j, Value e, Value) {
        memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), e),
                                ids, ValueRange{outRow, j});
      });
  emitRouteWeights(kb, outRow, k, ids, weights, op.getNormalize(),
                   op.getRouteScale().convertToDouble(),
                   [&](Value e) -> Value { return memref::LoadOp::create(b, loc, scores, e); });
}

/// Routes token `token` by its id (v4.moe_hash_route): table[id] gives the
/// experts, clamped into range as the ids are; results in row `outRow`.
void routeByHash(KernelBuilder &kb, v4::MoeHashRouteOp op, Value token, Value logits,
                 Value tokenIds, Value table, Value ids, Value weights, Value outRow) {
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  auto tableType = cast<RankedTensorType>(op.getTable().getType());
  int64_t experts = cast<RankedTensorType>(op.getLogits().getType()).getDimSize(1);
  int64_t vocab = tableType.getDimSize(0), k = tableType.getDimSize(1);
  Type i32 = b.getI32Type(), indexType = b.getIndexType();
  // Unsigned min: a negative id becomes huge first, so it clamps too.
  auto clamped = [&](Value id, int64_t size) -> Value {
    Value asIndex = arith::IndexCastUIOp::create(b, loc, indexType, id);
    return arith::MinUIOp::create(b, loc, asIndex, kb.index(size - 1));
  };
  Value id = clamped(memref::LoadOp::create(b, loc, tokenIds, ValueRange{token}), vocab);
  scf::ForOp::create(b, loc, kb.index(0), kb.index(k), kb.index(1), ValueRange{},
                     [&](OpBuilder &, Location, Value j, ValueRange) {
                       Value expert = clamped(
                           memref::LoadOp::create(b, loc, table, ValueRange{id, j}), experts);
                       memref::StoreOp::create(b, loc,
                                               arith::IndexCastOp::create(b, loc, i32, expert),
                                               ids, ValueRange{outRow, j});
                       scf::YieldOp::create(b, loc);
                     });
  emitRouteWeights(kb, outRow, k, ids, weights, op.getNormalize(),
                   op.getRouteScale().convertToDouble(), [&](Value e) {
                     return routeScore(
                         b, loc, memref::LoadOp::create(b, loc, logits, ValueRange{token, e}));
                   });
}

/// Places copy `copy` (token `token`, weight `weight`) at row `row` of the
/// dispatch's results: the token's input row (unless `copyRow` is false:
/// the caller copies the rows after placing all copies), its weight, its
/// copy index.
void placeCopy(OpBuilder &b, Location loc, int64_t width, Value input, Value token, Value weight,
               Value copy, Value rows, Value rowWeights, Value permutation, Value row,
               bool copyRow = true) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  if (copyRow)
    scf::ForOp::create(b, loc, zero, arith::ConstantIndexOp::create(b, loc, width), one,
                       ValueRange{}, [&](OpBuilder &, Location, Value x, ValueRange) {
                         Value v = memref::LoadOp::create(b, loc, input, ValueRange{token, x});
                         memref::StoreOp::create(b, loc, v, rows, ValueRange{row, x});
                         scf::YieldOp::create(b, loc);
                       });
  memref::StoreOp::create(b, loc, weight, rowWeights, ValueRange{row});
  memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), copy),
                          permutation, ValueRange{row});
}

} // namespace

FailureOr<func::FuncOp> emitMoeRouteKernel(v4::MoeRouteOp op, llvm::StringRef name,
                                           OpBuilder &moduleBuilder) {
  auto logitsType = cast<RankedTensorType>(op.getLogits().getType());
  auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
  if (logitsType.isDynamicDim(1))
    return op.emitOpError() << "needs a static expert count to become a kernel";
  KernelBuilder kb(moduleBuilder, op.getLoc(), name,
                   {logitsType, cast<RankedTensorType>(op.getBias().getType()), weightsType,
                    cast<RankedTensorType>(op.getExperts().getType())});
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value logits = kb.view(0, dynamicSizes), bias = kb.view(1, {}),
        weights = kb.view(2, dynamicSizes), ids = kb.view(3, dynamicSizes);
  auto scoresType = MemRefType::get({logitsType.getDimSize(1)}, kb.builder().getF32Type());
  kb.forWorkgroups(kb.rowCount(), [&](Value token) {
    Value scores = memref::AllocaOp::create(kb.builder(), kb.location(), scoresType);
    routeByScore(kb, op, token, logits, bias, ids, weights, token, scores);
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitMoeHashRouteKernel(v4::MoeHashRouteOp op, llvm::StringRef name,
                                               OpBuilder &moduleBuilder) {
  auto logitsType = cast<RankedTensorType>(op.getLogits().getType());
  auto tokensType = cast<RankedTensorType>(op.getTokens().getType());
  auto tableType = cast<RankedTensorType>(op.getTable().getType());
  auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
  if (logitsType.isDynamicDim(1) || !tableType.hasStaticShape())
    return op.emitOpError() << "needs a static expert count and table to become a kernel";
  KernelBuilder kb(moduleBuilder, op.getLoc(), name,
                   {logitsType, tokensType, tableType, weightsType,
                    cast<RankedTensorType>(op.getExperts().getType())});
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value logits = kb.view(0, dynamicSizes), tokenIds = kb.view(1, dynamicSizes),
        table = kb.view(2, {}), weights = kb.view(3, dynamicSizes),
        ids = kb.view(4, dynamicSizes);
  kb.forWorkgroups(kb.rowCount(), [&](Value token) {
    routeByHash(kb, op, token, logits, tokenIds, table, ids, weights, token);
  });
  // The table is read one row per token id.
  kb.kernel()->setAttr(kGatheredBindingsAttr, kb.builder().getDenseI64ArrayAttr({2}));
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
  Value zero = kb.index(0), one = kb.index(1), slots = kb.index(k);
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
                    placeCopy(b, loc, width, input, token,
                              memref::LoadOp::create(b, loc, weights, ValueRange{token, slot}),
                              copy, rows, rowWeights, permutation, row);
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

FailureOr<func::FuncOp> emitRouteDispatchKernel(v4::MoeDispatchOp op, Operation *route,
                                                llvm::StringRef name, OpBuilder &moduleBuilder) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto rowsType = cast<RankedTensorType>(op.getRows().getType());
  auto rowWeightsType = cast<RankedTensorType>(op.getRowWeights().getType());
  auto permutationType = cast<RankedTensorType>(op.getPermutation().getType());
  auto offsetsType = cast<RankedTensorType>(op.getExpertOffsets().getType());
  int64_t width = inputType.getDimSize(1), experts = static_cast<int64_t>(op.getNumExperts());
  int64_t k = cast<RankedTensorType>(op.getExperts().getType()).getDimSize(1);
  auto byScore = dyn_cast<v4::MoeRouteOp>(route);
  auto byHash = dyn_cast<v4::MoeHashRouteOp>(route);
  if ((!byScore && !byHash) || route->getResult(0) != op.getWeights() ||
      route->getResult(1) != op.getExperts() || ShapedType::isDynamic(width) ||
      ShapedType::isDynamic(k) ||
      cast<RankedTensorType>(route->getOperand(0).getType()).getDimSize(1) != experts)
    return op.emitOpError() << "cannot take in this routing (its experts and weights, static "
                               "sizes, the same expert count)";
  // The routing's bindings (the logits first: their token count is the
  // kernel's), then the dispatch's input, then its results.
  SmallVector<RankedTensorType> tensors;
  for (Value operand : route->getOperands())
    tensors.push_back(cast<RankedTensorType>(operand.getType()));
  unsigned inputBinding = tensors.size();
  tensors.append({inputType, rowsType, rowWeightsType, permutationType, offsetsType});
  KernelBuilder kb(moduleBuilder, op.getLoc(), name, tensors);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type i32 = b.getI32Type(), f32 = b.getF32Type(), indexType = b.getIndexType();
  Value tokens = kb.dim(0), zero = kb.index(0), one = kb.index(1), slots = kb.index(k),
        expertCount = kb.index(experts);
  Value copies = arith::MulIOp::create(b, loc, tokens, slots);
  auto copySizes = [&](RankedTensorType type) {
    return type.isDynamicDim(0) ? SmallVector<Value>{copies} : SmallVector<Value>{};
  };
  SmallVector<Value> tokenSizes = kb.dynamicLeadingSizes();
  SmallVector<Value> routeViews;
  for (auto [i, type] : llvm::enumerate(ArrayRef(tensors).take_front(inputBinding)))
    routeViews.push_back(kb.view(i, type.isDynamicDim(0) ? ArrayRef<Value>(tokenSizes)
                                                         : ArrayRef<Value>()));
  Value input = kb.view(inputBinding, tokenSizes),
        rows = kb.view(inputBinding + 1, copySizes(rowsType)),
        rowWeights = kb.view(inputBinding + 2, copySizes(rowWeightsType)),
        permutation = kb.view(inputBinding + 3, copySizes(permutationType)),
        offsets = kb.view(inputBinding + 4, {});

  if (byHash) // its table (binding 2) is read one row per token id
    kb.kernel()->setAttr(kGatheredBindingsAttr, b.getDenseI64ArrayAttr({2}));
  // One workgroup: no expert's offset is known before every token is
  // routed, and CPU workgroups do not wait for each other. Its threads route
  // the tokens, staging each copy's expert and weight at the start of the
  // rows (their owner's FusionTable check: a row holds 8 bytes), which the
  // last loop overwrites; then count each expert's copies, sum the offsets,
  // place each expert's copies in (token, slot) order (a counting sort, as
  // unfused), and copy the rows.
  kb.forWorkgroups(one, [&](Value) {
    Value stagedExperts = kb.flatView(inputBinding + 1, i32, zero, copies);
    Value stagedWeights = kb.flatView(inputBinding + 1, f32,
                                      arith::MulIOp::create(b, loc, copies, kb.index(4)), copies);
    auto copyOf = [&](Value token, Value slot) -> Value {
      return arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, token, slots), slot);
    };
    kb.forThreads(zero, tokens, one, [&](Value token) {
      // The thread's own scratch (hoisted out of the loop on a CPU).
      Value tokenIds = memref::AllocaOp::create(b, loc, MemRefType::get({1, k}, i32));
      Value tokenWeights = memref::AllocaOp::create(b, loc, MemRefType::get({1, k}, f32));
      if (byScore) {
        Value scores = memref::AllocaOp::create(b, loc, MemRefType::get({experts}, f32));
        routeByScore(kb, byScore, token, routeViews[0], routeViews[1], tokenIds, tokenWeights, zero,
                     scores);
      } else {
        routeByHash(kb, byHash, token, routeViews[0], routeViews[1], routeViews[2], tokenIds,
                    tokenWeights, zero);
      }
      scf::ForOp::create(
          b, loc, zero, slots, one, ValueRange{},
          [&](OpBuilder &, Location, Value slot, ValueRange) {
            Value copy = copyOf(token, slot);
            memref::StoreOp::create(
                b, loc, memref::LoadOp::create(b, loc, tokenIds, ValueRange{zero, slot}),
                stagedExperts, copy);
            memref::StoreOp::create(
                b, loc, memref::LoadOp::create(b, loc, tokenWeights, ValueRange{zero, slot}),
                stagedWeights, copy);
            scf::YieldOp::create(b, loc);
          });
    });
    // Visits the copies routed to expert `e` in copy order; `body` gets the
    // copy and returns the next value of the carried `start`.
    auto forEachCopyOf = [&](Value e, Value start,
                             llvm::function_ref<Value(Value copy, Value carried)> body) {
      Value expert = arith::IndexCastOp::create(b, loc, i32, e);
      return scf::ForOp::create(
                 b, loc, zero, copies, one, ValueRange{start},
                 [&](OpBuilder &, Location, Value copy, ValueRange carried) {
                   Value mine = arith::CmpIOp::create(
                       b, loc, arith::CmpIPredicate::eq,
                       memref::LoadOp::create(b, loc, stagedExperts, copy), expert);
                   auto branch = scf::IfOp::create(
                       b, loc, mine,
                       [&](OpBuilder &, Location) {
                         scf::YieldOp::create(b, loc, body(copy, carried[0]));
                       },
                       [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, carried[0]); });
                   scf::YieldOp::create(b, loc, branch.getResults());
                 })
          .getResult(0);
    };
    kb.forThreads(zero, expertCount, one, [&](Value e) {
      Value count = forEachCopyOf(
          e, zero, [&](Value, Value n) -> Value { return arith::AddIOp::create(b, loc, n, one); });
      memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, count), offsets,
                              ValueRange{e});
    });
    kb.forThreads(zero, one, one, [&](Value) {
      Value total =
          scf::ForOp::create(
              b, loc, zero, expertCount, one, ValueRange{zero},
              [&](OpBuilder &, Location, Value e, ValueRange running) {
                Value count = arith::IndexCastOp::create(
                    b, loc, indexType, memref::LoadOp::create(b, loc, offsets, ValueRange{e}));
                memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, running[0]),
                                        offsets, ValueRange{e});
                scf::YieldOp::create(b, loc,
                                     ValueRange{arith::AddIOp::create(b, loc, running[0], count)});
              })
              .getResult(0);
      memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, total), offsets,
                              ValueRange{expertCount});
    });
    kb.forThreads(zero, expertCount, one, [&](Value e) {
      Value first = arith::IndexCastOp::create(
          b, loc, indexType, memref::LoadOp::create(b, loc, offsets, ValueRange{e}));
      forEachCopyOf(e, first, [&](Value copy, Value row) -> Value {
        Value token = arith::DivUIOp::create(b, loc, copy, slots);
        placeCopy(b, loc, width, input, token, memref::LoadOp::create(b, loc, stagedWeights, copy),
                  copy, rows, rowWeights, permutation, row, /*copyRow=*/false);
        return arith::AddIOp::create(b, loc, row, one);
      });
    });
    // Row r is copy permutation[r]'s token (clamped: every row was placed).
    Value widthSize = kb.index(width);
    Value lastToken =
        arith::SubIOp::create(b, loc, arith::MaxUIOp::create(b, loc, tokens, one), one);
    kb.forThreads(zero, arith::MulIOp::create(b, loc, copies, widthSize), one, [&](Value flat) {
      Value row = arith::DivUIOp::create(b, loc, flat, widthSize);
      Value x = arith::RemUIOp::create(b, loc, flat, widthSize);
      Value copy = arith::IndexCastUIOp::create(
          b, loc, indexType, memref::LoadOp::create(b, loc, permutation, ValueRange{row}));
      Value token =
          arith::MinUIOp::create(b, loc, arith::DivUIOp::create(b, loc, copy, slots), lastToken);
      Value v = memref::LoadOp::create(b, loc, input, ValueRange{token, x});
      memref::StoreOp::create(b, loc, v, rows, ValueRange{row, x});
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
  // Each element of the token's sum is its own thread's: the rows are
  // scanned by every thread, each matching row added over the threads, in
  // row order.
  auto forEachElement = [&](llvm::function_ref<void(Value)> body) {
    kb.forThreads(zero, d, one, body);
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
