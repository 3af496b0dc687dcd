//===- PlanBuffers.cpp - flat entry points and one arena each -------------===//
//
// The static buffer plan of the host program (Passes.td has the contract).
// Sizes are bounded by interval arithmetic over the host's index
// computations, from `v4.max_tokens` on the entry point; offsets are
// assigned greedily, largest buffer first, at the lowest address that no
// buffer alive at the same time occupies (the classic first-fit-decreasing
// heuristic for interval graphs: within a few percent of the optimum on
// layered networks, where lifetimes are short and repeat).
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/V4ToKernels/Passes.h"

#include "program/IR/ProgramOps.h"
#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

#include <algorithm>

namespace sieve {
#define GEN_PASS_DEF_PLANBUFFERSPASS
#include "sieve/Conversion/V4ToKernels/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

using program::ProgramDialect;

/// Inlines every call in `entry` (repeatedly: an MTP entry calls its block),
/// cloning the callee's single block. Layer functions have no recursion and
/// one block each; anything else is an error.
LogicalResult inlineCalls(func::FuncOp entry, SymbolTable &symbols) {
  while (true) {
    func::CallOp call;
    entry.walk([&](func::CallOp op) {
      call = op;
      return WalkResult::interrupt();
    });
    if (!call)
      return success();
    auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
    if (!callee || callee.isExternal() || !callee.getBody().hasOneBlock())
      return call.emitOpError() << "calls @" << call.getCallee()
                                << ", which is not a one-block function the plan can inline";
    if (callee == entry)
      return call.emitOpError() << "is recursive";
    Block &body = callee.getBody().front();
    IRMapping mapping;
    mapping.map(body.getArguments(), call.getOperands());
    OpBuilder b(call);
    for (Operation &op : body.without_terminator())
      b.clone(op, mapping);
    for (auto [result, returned] :
         llvm::zip_equal(call.getResults(), body.getTerminator()->getOperands()))
      result.replaceAllUsesWith(mapping.lookupOrDefault(returned));
    call.erase();
  }
}

/// A closed range of integers the host can compute for an index value.
struct Interval {
  int64_t lo = 0, hi = 0;
};

/// The ceiling the plan accepts for any bound: past it a size is not a
/// plan, it is a bug (and products would overflow).
constexpr int64_t kMaxBound = int64_t(1) << 48;

/// Upper bounds of the sizes in one entry point, from `maxTokens` for every
/// dynamic size of its arguments.
class SizeBounds {
public:
  SizeBounds(func::FuncOp entry, std::optional<int64_t> maxTokens)
      : entry(entry), maxTokens(maxTokens) {}

  /// The op whose result is being sized, for diagnostics.
  Operation *sizing = nullptr;

  /// The range of index (or integer) value `v`.
  FailureOr<Interval> of(Value v) {
    if (auto it = memo.find(v); it != memo.end())
      return it->second;
    FailureOr<Interval> range = compute(v);
    if (failed(range))
      return failure();
    if (range->hi > kMaxBound || range->lo < -kMaxBound)
      return emitError(v.getLoc()) << "the buffer plan bounds this size by " << range->hi
                                   << ", past its limit of " << kMaxBound;
    memo[v] = *range;
    return *range;
  }

  /// The range of size `d` of tensor `t`.
  FailureOr<Interval> dim(Value t, int64_t d) {
    auto shaped = cast<ShapedType>(t.getType());
    if (!shaped.isDynamicDim(d))
      return Interval{shaped.getDimSize(d), shaped.getDimSize(d)};
    if (auto arg = dyn_cast<BlockArgument>(t)) {
      if (!maxTokens)
        return entry.emitOpError()
               << "has argument " << arg.getArgNumber()
               << " with a dynamic size but no v4.max_tokens to bound it";
      return Interval{0, *maxTokens};
    }
    Operation *def = t.getDefiningOp();
    if (auto dispatch = dyn_cast<program::DispatchOp>(def)) {
      unsigned result = cast<OpResult>(t).getResultNumber();
      if (Value tied = dispatch.getTiedOperand(result))
        return dim(tied, d);
      unsigned position = 0;
      for (OpResult earlier : dispatch->getResults().take_front(result))
        if (auto earlierType = dyn_cast<ShapedType>(earlier.getType()))
          position += earlierType.getNumDynamicDims();
      for (int64_t k = 0; k < d; ++k)
        position += shaped.isDynamicDim(k);
      return of(dispatch.getResultDims()[position]);
    }
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def))
      return of(cast<Value>(expand.getMixedOutputShape()[d]));
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
      Interval product{1, 1};
      SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
      for (int64_t k : groups[d]) {
        FailureOr<Interval> size = dim(collapse.getSrc(), k);
        if (failed(size))
          return failure();
        product = multiply(product, *size);
      }
      return product;
    }
    if (auto castOp = dyn_cast<tensor::CastOp>(def))
      return dim(castOp.getSource(), d);
    return def->emitOpError() << "has a dynamic size the buffer plan cannot bound";
  }

private:
  static Interval multiply(Interval a, Interval b) {
    // Both are sizes here (non-negative); clamp so a runaway stays a runaway.
    auto mul = [](int64_t x, int64_t y) {
      return x != 0 && y > kMaxBound * 4 / x ? kMaxBound * 4 : x * y;
    };
    return {mul(a.lo, b.lo), mul(a.hi, b.hi)};
  }

  FailureOr<Interval> binary(Operation *op, function_ref<Interval(Interval, Interval)> combine) {
    FailureOr<Interval> a = of(op->getOperand(0)), b = of(op->getOperand(1));
    if (failed(a) || failed(b))
      return failure();
    return combine(*a, *b);
  }

  FailureOr<Interval> divide(Operation *op, bool ceil) {
    FailureOr<Interval> a = of(op->getOperand(0)), b = of(op->getOperand(1));
    if (failed(a) || failed(b))
      return failure();
    if (b->lo <= 0 || a->lo < 0)
      return op->emitOpError() << "divides sizes by a value the buffer plan cannot bound";
    auto div = [ceil](int64_t x, int64_t y) { return ceil ? (x + y - 1) / y : x / y; };
    return Interval{div(a->lo, b->hi), div(a->hi, b->lo)};
  }

  FailureOr<Interval> affine(AffineExpr expr, ArrayRef<Interval> dims,
                             ArrayRef<Interval> symbols, Operation *op) {
    if (auto c = dyn_cast<AffineConstantExpr>(expr))
      return Interval{c.getValue(), c.getValue()};
    if (auto d = dyn_cast<AffineDimExpr>(expr))
      return dims[d.getPosition()];
    if (auto s = dyn_cast<AffineSymbolExpr>(expr))
      return symbols[s.getPosition()];
    auto bin = cast<AffineBinaryOpExpr>(expr);
    FailureOr<Interval> lhs = affine(bin.getLHS(), dims, symbols, op);
    FailureOr<Interval> rhs = affine(bin.getRHS(), dims, symbols, op);
    if (failed(lhs) || failed(rhs))
      return failure();
    switch (bin.getKind()) {
    case AffineExprKind::Add:
      return Interval{lhs->lo + rhs->lo, lhs->hi + rhs->hi};
    case AffineExprKind::Mul:
      if (lhs->lo >= 0 && rhs->lo >= 0)
        return multiply(*lhs, *rhs);
      break;
    case AffineExprKind::FloorDiv:
    case AffineExprKind::CeilDiv:
      if (rhs->lo > 0 && lhs->lo >= 0) {
        bool ceil = bin.getKind() == AffineExprKind::CeilDiv;
        auto div = [ceil](int64_t x, int64_t y) { return ceil ? (x + y - 1) / y : x / y; };
        return Interval{div(lhs->lo, rhs->hi), div(lhs->hi, rhs->lo)};
      }
      break;
    case AffineExprKind::Mod:
      if (rhs->lo > 0 && rhs->lo == rhs->hi)
        return Interval{0, rhs->hi - 1};
      break;
    default:
      break;
    }
    std::string text;
    llvm::raw_string_ostream os(text);
    expr.print(os);
    return op->emitOpError() << "computes a size with '" << text
                             << "', which the buffer plan cannot bound";
  }

  FailureOr<Interval> compute(Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return emitError(sizing ? sizing->getLoc() : arg.getLoc())
             << "sizes a buffer by argument " << arg.getArgNumber()
             << "; the buffer plan bounds sizes by token counts only";
    Operation *op = v.getDefiningOp();
    APInt constant;
    if (matchPattern(v, m_ConstantInt(&constant)))
      return Interval{constant.getSExtValue(), constant.getSExtValue()};
    if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtUIOp, arith::ExtSIOp>(op))
      return of(op->getOperand(0));
    if (auto dimOp = dyn_cast<tensor::DimOp>(op)) {
      std::optional<int64_t> index = dimOp.getConstantIndex();
      if (!index)
        return dimOp.emitOpError() << "takes a size the buffer plan cannot name";
      return dim(dimOp.getSource(), *index);
    }
    if (isa<arith::AddIOp>(op))
      return binary(op, [](Interval a, Interval b) { return Interval{a.lo + b.lo, a.hi + b.hi}; });
    if (isa<arith::SubIOp>(op))
      return binary(op, [](Interval a, Interval b) { return Interval{a.lo - b.hi, a.hi - b.lo}; });
    if (isa<arith::MinSIOp, arith::MinUIOp>(op))
      return binary(op, [](Interval a, Interval b) {
        return Interval{std::min(a.lo, b.lo), std::min(a.hi, b.hi)};
      });
    if (isa<arith::MaxSIOp, arith::MaxUIOp>(op))
      return binary(op, [](Interval a, Interval b) {
        return Interval{std::max(a.lo, b.lo), std::max(a.hi, b.hi)};
      });
    if (isa<arith::MulIOp>(op)) {
      FailureOr<Interval> a = of(op->getOperand(0)), b = of(op->getOperand(1));
      if (failed(a) || failed(b))
        return failure();
      if (a->lo < 0 || b->lo < 0)
        return op->emitOpError() << "multiplies a size the buffer plan cannot bound";
      return multiply(*a, *b);
    }
    if (isa<arith::DivUIOp, arith::DivSIOp, arith::FloorDivSIOp>(op))
      return divide(op, /*ceil=*/false);
    if (isa<arith::CeilDivUIOp, arith::CeilDivSIOp>(op))
      return divide(op, /*ceil=*/true);
    if (auto select = dyn_cast<arith::SelectOp>(op)) {
      FailureOr<Interval> a = of(select.getTrueValue()), b = of(select.getFalseValue());
      if (failed(a) || failed(b))
        return failure();
      return Interval{std::min(a->lo, b->lo), std::max(a->hi, b->hi)};
    }
    if (auto apply = dyn_cast<affine::AffineApplyOp>(op)) {
      AffineMap map = apply.getAffineMap();
      SmallVector<Interval> dims, symbols;
      for (auto [i, operand] : llvm::enumerate(apply.getMapOperands())) {
        FailureOr<Interval> range = of(operand);
        if (failed(range))
          return failure();
        (i < map.getNumDims() ? dims : symbols).push_back(*range);
      }
      return affine(map.getResult(0), dims, symbols, op);
    }
    return op->emitOpError() << "computes a size the buffer plan cannot bound";
  }

  func::FuncOp entry;
  std::optional<int64_t> maxTokens;
  llvm::DenseMap<Value, Interval> memo;
};

/// Bytes of a tensor with `sizes`: FP4 and other sub-byte elements are
/// packed along the last dimension (kernels view bindings the same way).
int64_t storageBytes(ShapedType type, ArrayRef<int64_t> sizes) {
  unsigned bits = type.getElementTypeBitWidth();
  int64_t leading = 1;
  for (int64_t size : sizes.drop_back())
    leading *= size;
  int64_t last = sizes.empty() ? 1 : sizes.back();
  return leading * ((last * std::max(bits, 1u) + 7) / 8);
}

/// One buffer of an entry point. Views and in-place updates of a value are
/// the same buffer; only buffers made inside the entry point are placed.
struct Buffer {
  enum class Kind { Arena, Cache, Input, Weight };
  Kind kind = Kind::Arena;
  int64_t bytes = 0;
  unsigned first = 0, last = 0; // lifetime, in op positions
  int64_t offset = -1;
};

/// The plan of one entry point.
class EntryPlanner {
public:
  explicit EntryPlanner(func::FuncOp entry)
      : entry(entry), bounds(entry, maxTokensOf(entry)) {}

  LogicalResult run();

private:
  static std::optional<int64_t> maxTokensOf(func::FuncOp entry) {
    if (auto attr = entry->getAttrOfType<IntegerAttr>("v4.max_tokens"))
      return attr.getInt();
    return std::nullopt;
  }

  LogicalResult collect();
  LogicalResult checkCacheResults();
  void assignOffsets();
  void record();

  /// A new buffer holding `v`, made at op `position`.
  LogicalResult makeBuffer(Value v, Buffer::Kind kind, unsigned position);
  /// The upper bound of `v`'s bytes.
  FailureOr<int64_t> boundBytes(Value v);

  func::FuncOp entry;
  SizeBounds bounds;
  std::vector<Buffer> buffers;
  llvm::DenseMap<Value, unsigned> bufferOf;
  /// The version of a value: views share it, an in-place update starts a
  /// new one. Each version's last reader, to prove no stale read follows an
  /// update.
  llvm::DenseMap<Value, unsigned> versionOf;
  std::vector<unsigned> versionLastUse;
  /// Per in-place update: the version it overwrites, and where.
  SmallVector<std::tuple<unsigned, program::DispatchOp, unsigned, Value>> updates;
  int64_t arenaBytes = 0;
};

FailureOr<int64_t> EntryPlanner::boundBytes(Value v) {
  auto shaped = dyn_cast<ShapedType>(v.getType());
  if (auto cache = dyn_cast<v4::CacheTypeInterface>(v.getType()))
    shaped = cache.getStorageType();
  if (!shaped || !shaped.hasRank())
    return emitError(v.getLoc()) << "makes a " << v.getType()
                                 << ", which the buffer plan cannot size";
  SmallVector<int64_t> sizes;
  bounds.sizing = v.getDefiningOp();
  for (int64_t d = 0; d < shaped.getRank(); ++d) {
    if (isa<v4::CacheTypeInterface>(v.getType())) {
      sizes.push_back(shaped.getDimSize(d));
      continue;
    }
    FailureOr<Interval> size = bounds.dim(v, d);
    if (failed(size))
      return failure();
    sizes.push_back(std::max<int64_t>(size->hi, 0));
  }
  int64_t bytes = storageBytes(shaped, sizes);
  if (bytes > kMaxBound)
    return emitError(v.getLoc()) << "makes a buffer of up to " << bytes
                                 << " bytes, past the buffer plan's limit";
  return bytes;
}

LogicalResult EntryPlanner::makeBuffer(Value v, Buffer::Kind kind, unsigned position) {
  Buffer buffer;
  buffer.kind = kind;
  buffer.first = buffer.last = position;
  if (kind == Buffer::Kind::Arena) {
    FailureOr<int64_t> bytes = boundBytes(v);
    if (failed(bytes))
      return failure();
    buffer.bytes = *bytes;
  }
  bufferOf[v] = buffers.size();
  buffers.push_back(buffer);
  versionOf[v] = versionLastUse.size();
  versionLastUse.push_back(position);
  return success();
}

LogicalResult EntryPlanner::collect() {
  Block &body = entry.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    auto kind = isa<v4::CacheTypeInterface>(arg.getType()) ? Buffer::Kind::Cache
                                                          : Buffer::Kind::Input;
    if (isa<ShapedType, v4::CacheTypeInterface>(arg.getType()) &&
        failed(makeBuffer(arg, kind, 0)))
      return failure();
  }
  auto isBufferValue = [](Value v) {
    return isa<ShapedType, v4::CacheTypeInterface>(v.getType());
  };
  unsigned end = static_cast<unsigned>(body.getOperations().size());
  unsigned position = 0;
  for (Operation &op : body) {
    ++position;
    if (op.getNumRegions() != 0)
      return op.emitOpError() << "has regions; the buffer plan takes a flat host program";
    // Sizes are not reads: tensor.dim neither extends a lifetime nor reads
    // a stale version.
    if (!isa<tensor::DimOp>(op))
      for (Value operand : op.getOperands())
        if (isBufferValue(operand)) {
          unsigned use = isa<func::ReturnOp>(op) ? end : position;
          Buffer &buffer = buffers[bufferOf.lookup(operand)];
          buffer.last = std::max(buffer.last, use);
          unsigned &version = versionLastUse[versionOf.lookup(operand)];
          version = std::max(version, use);
        }
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(op)) {
      bufferOf[op.getResult(0)] = bufferOf.lookup(op.getOperand(0));
      versionOf[op.getResult(0)] = versionOf.lookup(op.getOperand(0));
      continue;
    }
    if (isa<v4::ParamOp>(op)) {
      if (failed(makeBuffer(op.getResult(0), Buffer::Kind::Weight, position)))
        return failure();
      continue;
    }
    if (auto dispatch = dyn_cast<program::DispatchOp>(op)) {
      for (OpResult result : dispatch->getResults()) {
        Value tied = dispatch.getTiedOperand(result.getResultNumber());
        if (!tied) {
          if (failed(makeBuffer(result, Buffer::Kind::Arena, position)))
            return failure();
          continue;
        }
        // The update is the same buffer, as a new version of its contents.
        unsigned buffer = bufferOf.lookup(tied);
        Buffer::Kind kind = buffers[buffer].kind;
        if (kind != Buffer::Kind::Arena && kind != Buffer::Kind::Cache)
          return dispatch.emitOpError()
                 << "writes result " << result.getResultNumber()
                 << " in place into a weight or an input, which the program must not change";
        bufferOf[result] = buffer;
        updates.push_back({versionOf.lookup(tied), dispatch, position, tied});
        versionOf[result] = versionLastUse.size();
        versionLastUse.push_back(position);
      }
      continue;
    }
    if (isa<tensor::FromElementsOp>(op)) {
      if (failed(makeBuffer(op.getResult(0), Buffer::Kind::Arena, position)))
        return failure();
      continue;
    }
    for (Value result : op.getResults())
      if (isBufferValue(result))
        return op.emitOpError() << "makes a " << result.getType()
                                << " that the buffer plan cannot place (only dispatches, "
                                   "views and host-filled tensors make buffers)";
  }
  // No reader of a value may follow the dispatch that overwrote it: that
  // reader would need the old contents, a copy.
  for (auto [version, dispatch, position, value] : updates)
    if (versionLastUse[version] > position)
      return dispatch.emitOpError()
             << "updates a " << value.getType()
             << " in place that is read again later; the old value would need a copy";
  return success();
}

LogicalResult EntryPlanner::checkCacheResults() {
  Block &body = entry.getBody().front();
  Operation *terminator = body.getTerminator();
  for (unsigned i = 0; i < entry.getNumResults(); ++i) {
    auto name = entry.getResultAttrOfType<StringAttr>(i, "v4.cache");
    if (!name)
      continue;
    std::optional<unsigned> argument;
    for (unsigned a = 0; a < entry.getNumArguments(); ++a)
      if (entry.getArgAttrOfType<StringAttr>(a, "v4.cache") == name)
        argument = a;
    if (!argument)
      return entry.emitOpError() << "returns cache '" << name.getValue()
                                 << "' that no argument passes in";
    if (bufferOf.lookup(terminator->getOperand(i)) !=
        bufferOf.lookup(body.getArgument(*argument)))
      return entry.emitOpError() << "returns cache '" << name.getValue()
                                 << "' in a buffer other than its argument's; it would need a copy";
  }
  return success();
}

void EntryPlanner::assignOffsets() {
  SmallVector<unsigned> order;
  for (auto [i, buffer] : llvm::enumerate(buffers))
    if (buffer.kind == Buffer::Kind::Arena)
      order.push_back(i);
  llvm::stable_sort(order, [&](unsigned a, unsigned b) {
    return buffers[a].bytes > buffers[b].bytes;
  });
  constexpr int64_t alignment = ProgramDialect::kBufferAlignment;
  SmallVector<unsigned> placed;
  for (unsigned index : order) {
    Buffer &buffer = buffers[index];
    SmallVector<std::pair<int64_t, int64_t>> taken; // [offset, end) alive meanwhile
    for (unsigned other : placed) {
      const Buffer &o = buffers[other];
      if (o.first <= buffer.last && buffer.first <= o.last)
        taken.push_back({o.offset, o.offset + o.bytes});
    }
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [begin, end] : taken) {
      if (offset + buffer.bytes <= begin)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(end, alignment));
    }
    buffer.offset = offset;
    arenaBytes = std::max(arenaBytes, offset + buffer.bytes);
    placed.push_back(index);
  }
}

void EntryPlanner::record() {
  Builder b(entry.getContext());
  entry->setAttr(ProgramDialect::kArenaBytesAttr, b.getI64IntegerAttr(arenaBytes));
  for (Operation &op : entry.getBody().front()) {
    if (!isa<program::DispatchOp, tensor::FromElementsOp>(op))
      continue;
    SmallVector<int64_t> offsets, bytes;
    auto dispatch = dyn_cast<program::DispatchOp>(op);
    for (OpResult result : op.getResults()) {
      if (dispatch && dispatch.getTiedOperand(result.getResultNumber())) {
        offsets.push_back(-1);
        bytes.push_back(0);
        continue;
      }
      const Buffer &buffer = buffers[bufferOf.lookup(result)];
      offsets.push_back(buffer.offset);
      bytes.push_back(buffer.bytes);
    }
    op.setAttr(ProgramDialect::kBufferOffsetsAttr, b.getDenseI64ArrayAttr(offsets));
    op.setAttr(ProgramDialect::kBufferBytesAttr, b.getDenseI64ArrayAttr(bytes));
  }
}

LogicalResult EntryPlanner::run() {
  if (!entry.getBody().hasOneBlock())
    return entry.emitOpError() << "has more than one block; the buffer plan takes a flat program";
  if (failed(collect()) || failed(checkCacheResults()))
    return failure();
  assignOffsets();
  record();
  return success();
}

struct PlanBuffersPass : impl::PlanBuffersPassBase<PlanBuffersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> entries, layers;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (function.isExternal())
        continue;
      (function.isPrivate() ? layers : entries).push_back(function);
    }
    for (func::FuncOp entry : entries)
      if (failed(inlineCalls(entry, symbols)))
        return signalPassFailure();
    for (func::FuncOp layer : layers)
      if (SymbolTable::symbolKnownUseEmpty(layer, module))
        layer.erase();
    for (func::FuncOp entry : entries)
      if (failed(EntryPlanner(entry).run()))
        return signalPassFailure();
  }
};

} // namespace
} // namespace sieve
