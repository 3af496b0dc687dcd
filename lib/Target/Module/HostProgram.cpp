//===- HostProgram.cpp - Entry points as .sieve host programs -------------===//

#include "HostProgram.h"

#include "program/IR/ProgramDialect.h"
#include "program/IR/ProgramOps.h"
#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace sieve::module_writer {

FailureOr<fb::ElementType> elementTypeOf(Type type, Location loc) {
  if (type.isInteger(8))
    return fb::ElementType::I8;
  if (type.isInteger(32))
    return fb::ElementType::I32;
  if (type.isInteger(64))
    return fb::ElementType::I64;
  if (type.isBF16())
    return fb::ElementType::BF16;
  if (type.isF16())
    return fb::ElementType::F16;
  if (type.isF32())
    return fb::ElementType::F32;
  if (isa<Float8E4M3FNType>(type))
    return fb::ElementType::F8E4M3FN;
  if (isa<Float4E2M1FNType>(type))
    return fb::ElementType::F4E2M1FN;
  if (isa<Float8E8M0FNUType>(type))
    return fb::ElementType::F8E8M0FNU;
  return emitError(loc) << "the module has no element type for " << type;
}

ModuleTables::ModuleTables(program::ExecutableOp executable)
    : executableName(executable.getSymName().str()) {
  for (auto kernel : executable.getBlock().getOps<func::FuncOp>()) {
    if (!kernel->hasAttr("sieve.kernel"))
      continue;
    kernelIndex[kernel.getSymName()] = kernels.size();
    kernels.push_back(kernel);
  }
}

FailureOr<uint32_t> ModuleTables::cache(StringRef name, Type type, Location loc) {
  auto [it, inserted] = cacheIndex.try_emplace(name, caches.size());
  if (inserted) {
    caches.push_back({name.str(), type});
    return it->second;
  }
  if (caches[it->second].type != type)
    return emitError(loc) << "cache '" << name << "' is " << type
                          << " here but " << caches[it->second].type
                          << " in an earlier entry point";
  return it->second;
}

uint32_t ModuleTables::weight(v4::ParamOp param) {
  auto [it, inserted] = weightIndex.try_emplace(param.getName(), weights.size());
  if (inserted)
    weights.push_back(param);
  return it->second;
}

FailureOr<uint32_t> ModuleTables::kernel(SymbolRefAttr ref, Location loc) const {
  if (ref.getRootReference().getValue() != executableName || ref.getNestedReferences().size() != 1)
    return emitError(loc) << "dispatch of " << ref << " names no kernel of @" << executableName;
  auto it = kernelIndex.find(ref.getLeafReference().getValue());
  if (it == kernelIndex.end())
    return emitError(loc) << "dispatch of " << ref << " names no kernel of @" << executableName;
  return it->second;
}

namespace {

using Extents = SmallVector<fb::Extent, 4>;

fb::Extent staticExtent(int64_t size) { return fb::Extent(size, -1); }

/// Builds one entry point's program: registers for index/i32/i1 values,
/// buffers for tensors and caches, steps in program order.
class ProgramBuilder {
public:
  ProgramBuilder(func::FuncOp fn, ModuleTables &tables, flatbuffers::FlatBufferBuilder &fbb)
      : fn(fn), tables(tables), fbb(fbb) {}

  FailureOr<flatbuffers::Offset<fb::EntryPoint>> build();

private:
  LogicalResult addArguments();
  LogicalResult addOp(Operation &op);
  LogicalResult addDispatch(program::DispatchOp op);
  LogicalResult addReturn(func::ReturnOp op);
  LogicalResult addScalar(Operation &op);
  LogicalResult addCast(Operation &op, bool isUnsigned);

  uint32_t newRegister() { return numRegisters++; }
  uint32_t scalarStep(fb::ScalarOpcode opcode, int64_t value, uint32_t a = 0, uint32_t b = 0,
                      uint32_t c = 0) {
    uint32_t result = newRegister();
    addStep(fb::Step::ScalarStep,
            fb::CreateScalarStep(fbb, opcode, result, a, b, c, value).Union());
    return result;
  }
  uint32_t constant(int64_t value) {
    auto [it, inserted] = constants.try_emplace(value, 0);
    if (inserted)
      it->second = scalarStep(fb::ScalarOpcode::Constant, value);
    return it->second;
  }
  void addStep(fb::Step type, flatbuffers::Offset<void> step) {
    stepTypes.push_back(type);
    steps.push_back(step);
  }
  FailureOr<uint32_t> registerOf(Value v, Operation *user) {
    auto it = registers.find(v);
    if (it != registers.end())
      return it->second;
    return user->emitOpError() << "uses a value the host program does not compute";
  }
  /// An extent as a register (static sizes become constants).
  uint32_t extentRegister(const fb::Extent &x) {
    return x.register_index() >= 0 ? uint32_t(x.register_index()) : constant(x.size());
  }
  uint32_t addBuffer(fb::StorageKind storage, uint32_t index, uint64_t offset, uint64_t maxBytes,
                     fb::ElementType element, const Extents &shape) {
    buffers.push_back(fb::CreateBuffer(fbb, storage, index, offset, maxBytes, element,
                                       fbb.CreateVectorOfStructs(shape.data(), shape.size())));
    bufferInfo.push_back({storage, index, offset, maxBytes});
    return buffers.size() - 1;
  }
  /// A buffer over the storage of buffer `of`, with its own type and shape.
  FailureOr<uint32_t> view(uint32_t of, Value result) {
    auto type = cast<RankedTensorType>(result.getType());
    FailureOr<fb::ElementType> element = elementTypeOf(type.getElementType(), result.getLoc());
    if (failed(element))
      return failure();
    const BufferInfo info = bufferInfo[of]; // addBuffer grows bufferInfo
    uint32_t id = addBuffer(info.storage, info.index, info.offset, info.maxBytes, *element,
                            shapes[result]);
    buffersOf[result] = id;
    return id;
  }

  struct BufferInfo {
    fb::StorageKind storage;
    uint32_t index;
    uint64_t offset, maxBytes;
  };

  func::FuncOp fn;
  ModuleTables &tables;
  flatbuffers::FlatBufferBuilder &fbb;

  uint32_t numRegisters = 0;
  llvm::DenseMap<int64_t, uint32_t> constants;
  llvm::DenseMap<Value, uint32_t> registers;
  llvm::DenseMap<Value, uint32_t> buffersOf;
  llvm::DenseMap<Value, Extents> shapes;
  std::vector<BufferInfo> bufferInfo;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers;
  std::vector<fb::Step> stepTypes;
  std::vector<flatbuffers::Offset<void>> steps;
  std::vector<flatbuffers::Offset<fb::Input>> inputs;
  std::vector<uint32_t> cacheArguments;
  std::vector<flatbuffers::Offset<fb::Output>> outputs;
};

LogicalResult ProgramBuilder::addArguments() {
  for (BlockArgument arg : fn.getArguments()) {
    unsigned i = arg.getArgNumber();
    Location loc = arg.getLoc();
    if (auto name = fn.getArgAttrOfType<StringAttr>(i, "v4.cache")) {
      auto cacheType = dyn_cast<v4::CacheTypeInterface>(arg.getType());
      if (!cacheType)
        return fn.emitOpError() << "cache argument " << i << " is not a v4 cache";
      FailureOr<uint32_t> index = tables.cache(name.getValue(), arg.getType(), loc);
      if (failed(index))
        return failure();
      RankedTensorType storage = cacheType.getStorageType();
      FailureOr<fb::ElementType> element = elementTypeOf(storage.getElementType(), loc);
      if (failed(element))
        return failure();
      Extents shape;
      for (int64_t d : storage.getShape())
        shape.push_back(staticExtent(d));
      shapes[arg] = shape;
      buffersOf[arg] = addBuffer(fb::StorageKind::Cache, cacheArguments.size(), 0, 0, *element,
                                 shape);
      cacheArguments.push_back(*index);
      continue;
    }
    auto name = fn.getArgAttrOfType<StringAttr>(i, "v4.input");
    if (!name)
      return fn.emitOpError() << "argument " << i
                              << " is neither a v4.input nor a v4.cache; the runtime cannot bind it";
    uint32_t inputIndex = inputs.size();
    if (arg.getType().isIndex()) {
      inputs.push_back(fb::CreateInputDirect(fbb, name.getValue().str().c_str(),
                                             fb::InputKind::Scalar, fb::ElementType::I64));
      registers[arg] = scalarStep(fb::ScalarOpcode::InputScalar, inputIndex);
      continue;
    }
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      return fn.emitOpError() << "input '" << name.getValue() << "' has type " << arg.getType()
                              << "; inputs are ranked tensors or index scalars";
    FailureOr<fb::ElementType> element = elementTypeOf(type.getElementType(), loc);
    if (failed(element))
      return failure();
    Extents declared, shape;
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      declared.push_back(staticExtent(ShapedType::isDynamic(size) ? -1 : size));
      if (!ShapedType::isDynamic(size)) {
        shape.push_back(staticExtent(size));
        continue;
      }
      uint32_t r = scalarStep(fb::ScalarOpcode::InputDim, inputIndex, d);
      shape.push_back(fb::Extent(0, static_cast<int32_t>(r)));
    }
    std::vector<fb::Extent> declaredShape(declared.begin(), declared.end());
    inputs.push_back(fb::CreateInputDirect(fbb, name.getValue().str().c_str(),
                                           fb::InputKind::Tensor, *element, &declaredShape));
    shapes[arg] = shape;
    buffersOf[arg] = addBuffer(fb::StorageKind::Input, inputIndex, 0, 0, *element, shape);
  }
  return success();
}

LogicalResult ProgramBuilder::addCast(Operation &op, bool isUnsigned) {
  FailureOr<uint32_t> in = registerOf(op.getOperand(0), &op);
  if (failed(in))
    return failure();
  Type from = op.getOperand(0).getType(), to = op.getResult(0).getType();
  if (from.isIndex() && to.isInteger(32)) {
    registers[op.getResult(0)] = scalarStep(fb::ScalarOpcode::To32, 0, *in);
    return success();
  }
  if (from.isInteger(32) && to.isIndex()) {
    registers[op.getResult(0)] =
        scalarStep(isUnsigned ? fb::ScalarOpcode::ZExt32 : fb::ScalarOpcode::SExt32, 0, *in);
    return success();
  }
  if (from == to) {
    registers[op.getResult(0)] = *in;
    return success();
  }
  return op.emitOpError() << "casts " << from << " to " << to
                          << "; the host program casts only between index and i32";
}

LogicalResult ProgramBuilder::addScalar(Operation &op) {
  using Op = fb::ScalarOpcode;
  std::optional<Op> opcode =
      llvm::TypeSwitch<Operation *, std::optional<Op>>(&op)
          .Case([](arith::AddIOp) { return Op::Add; })
          .Case([](arith::SubIOp) { return Op::Sub; })
          .Case([](arith::MulIOp) { return Op::Mul; })
          .Case([](arith::DivUIOp) { return Op::DivU; })
          .Case([](arith::DivSIOp) { return Op::DivS; })
          .Case([](arith::CeilDivUIOp) { return Op::CeilDivU; })
          .Case([](arith::RemUIOp) { return Op::RemU; })
          .Case([](arith::RemSIOp) { return Op::RemS; })
          .Case([](arith::MinUIOp) { return Op::MinU; })
          .Case([](arith::MaxUIOp) { return Op::MaxU; })
          .Case([](arith::MinSIOp) { return Op::MinS; })
          .Case([](arith::MaxSIOp) { return Op::MaxS; })
          .Case([](arith::SelectOp) { return Op::Select; })
          .Case([](arith::CmpIOp cmp) -> std::optional<Op> {
            switch (cmp.getPredicate()) {
            case arith::CmpIPredicate::eq: return Op::CmpEq;
            case arith::CmpIPredicate::ne: return Op::CmpNe;
            case arith::CmpIPredicate::slt: return Op::CmpSlt;
            case arith::CmpIPredicate::sle: return Op::CmpSle;
            case arith::CmpIPredicate::sgt: return Op::CmpSgt;
            case arith::CmpIPredicate::sge: return Op::CmpSge;
            case arith::CmpIPredicate::ult: return Op::CmpUlt;
            case arith::CmpIPredicate::ule: return Op::CmpUle;
            case arith::CmpIPredicate::ugt: return Op::CmpUgt;
            case arith::CmpIPredicate::uge: return Op::CmpUge;
            }
            return std::nullopt;
          })
          .Default([](Operation *) { return std::nullopt; });
  if (!opcode)
    return op.emitOpError() << "is not an operation the runtime's host program can run";
  // Registers hold 64-bit values: arithmetic is exact only on index values
  // (select merely picks one; its condition is i1).
  Type checked = isa<arith::SelectOp>(op) ? op.getResult(0).getType() : op.getOperand(0).getType();
  if (!checked.isIndex() && !(isa<arith::SelectOp>(op) && checked.isInteger(32)))
    return op.emitOpError() << "computes on " << checked
                            << "; host arithmetic is on index values";
  uint32_t operands[3] = {0, 0, 0};
  for (auto [i, v] : llvm::enumerate(op.getOperands())) {
    FailureOr<uint32_t> r = registerOf(v, &op);
    if (failed(r))
      return failure();
    operands[i] = *r;
  }
  registers[op.getResult(0)] = scalarStep(*opcode, 0, operands[0], operands[1], operands[2]);
  return success();
}

LogicalResult ProgramBuilder::addDispatch(program::DispatchOp op) {
  FailureOr<uint32_t> kernel = tables.kernel(op.getKernel(), op.getLoc());
  FailureOr<uint32_t> workgroups = registerOf(op.getWorkgroups(), op);
  if (failed(kernel) || failed(workgroups))
    return failure();
  std::vector<uint32_t> bindings, constantRegisters;
  for (Value operand : op.getBindings()) {
    auto it = buffersOf.find(operand);
    if (it == buffersOf.end())
      return op.emitOpError() << "binds a value the host program has no buffer for";
    bindings.push_back(it->second);
  }
  for (Value c : op.getConstants()) {
    FailureOr<uint32_t> r = registerOf(c, op);
    if (failed(r))
      return failure();
    constantRegisters.push_back(*r);
  }
  auto offsets = op->getAttrOfType<DenseI64ArrayAttr>(program::ProgramDialect::kBufferOffsetsAttr);
  auto sizes = op->getAttrOfType<DenseI64ArrayAttr>(program::ProgramDialect::kBufferBytesAttr);
  if (!offsets || !sizes)
    return op.emitOpError() << "has no buffer plan; run sieve-plan-buffers first";
  ValueRange dims = op.getResultDims();
  size_t nextDim = 0;
  for (auto [i, result] : llvm::enumerate(op.getResults())) {
    if (Value tied = op.getTiedOperand(i)) {
      // Copies first: inserting the result may rehash the maps.
      Extents tiedShape = shapes.lookup(tied);
      uint32_t tiedBuffer = buffersOf.lookup(tied);
      shapes[result] = tiedShape;
      buffersOf[result] = tiedBuffer;
      continue;
    }
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type)
      return op.emitOpError() << "result " << i << " is not a tensor and not tied to an operand";
    FailureOr<fb::ElementType> element = elementTypeOf(type.getElementType(), op.getLoc());
    if (failed(element))
      return failure();
    Extents shape;
    for (int64_t size : type.getShape()) {
      if (!ShapedType::isDynamic(size)) {
        shape.push_back(staticExtent(size));
        continue;
      }
      if (nextDim >= dims.size())
        return op.emitOpError() << "has fewer dims than its results' dynamic sizes";
      FailureOr<uint32_t> r = registerOf(dims[nextDim++], op);
      if (failed(r))
        return failure();
      shape.push_back(fb::Extent(0, static_cast<int32_t>(*r)));
    }
    if (offsets[i] < 0 || sizes[i] < 0)
      return op.emitOpError() << "result " << i << " has no place in the arena";
    shapes[result] = shape;
    uint32_t id = addBuffer(fb::StorageKind::Arena, 0, offsets[i], sizes[i], *element, shape);
    buffersOf[result] = id;
    bindings.push_back(id);
  }
  addStep(fb::Step::DispatchStep,
          fb::CreateDispatchStepDirect(fbb, *kernel, *workgroups, &bindings, &constantRegisters)
              .Union());
  return success();
}

LogicalResult ProgramBuilder::addReturn(func::ReturnOp op) {
  for (auto [i, value] : llvm::enumerate(op.getOperands())) {
    if (fn.getResultAttr(i, "v4.cache"))
      continue; // the argument's buffer, updated in place (the buffer plan proved it)
    auto name = fn.getResultAttrOfType<StringAttr>(i, "v4.output");
    if (!name)
      return op.emitOpError() << "returns result " << i
                              << " that is neither a v4.output nor a v4.cache";
    auto it = buffersOf.find(value);
    if (it == buffersOf.end())
      return op.emitOpError() << "returns a value the host program has no buffer for";
    outputs.push_back(fb::CreateOutputDirect(fbb, name.getValue().str().c_str(), it->second));
  }
  return success();
}

LogicalResult ProgramBuilder::addOp(Operation &op) {
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    auto value = dyn_cast<IntegerAttr>(c.getValue());
    if (!value)
      return op.emitOpError() << "is a non-integer constant in the host program";
    int64_t v = value.getType().isInteger(1) ? int64_t(value.getValue().getZExtValue())
                                             : value.getValue().getSExtValue();
    registers[c.getResult()] = constant(v);
    return success();
  }
  if (isa<arith::IndexCastOp>(op))
    return addCast(op, /*isUnsigned=*/false);
  if (isa<arith::IndexCastUIOp>(op))
    return addCast(op, /*isUnsigned=*/true);
  if (auto dim = dyn_cast<tensor::DimOp>(op)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    auto it = shapes.find(dim.getSource());
    if (!index || it == shapes.end() || *index < 0 || size_t(*index) >= it->second.size())
      return op.emitOpError() << "reads a dimension the host program does not know";
    registers[dim.getResult()] = extentRegister(it->second[*index]);
    return success();
  }
  if (auto assertOp = dyn_cast<cf::AssertOp>(op)) {
    FailureOr<uint32_t> condition = registerOf(assertOp.getArg(), &op);
    if (failed(condition))
      return failure();
    addStep(fb::Step::AssertStep,
            fb::CreateAssertStepDirect(fbb, *condition, assertOp.getMsg().str().c_str()).Union());
    return success();
  }
  if (auto param = dyn_cast<v4::ParamOp>(op)) {
    RankedTensorType type = param.getResult().getType();
    FailureOr<fb::ElementType> element = elementTypeOf(type.getElementType(), op.getLoc());
    if (failed(element))
      return failure();
    Extents shape;
    for (int64_t d : type.getShape())
      shape.push_back(staticExtent(d));
    shapes[param.getResult()] = shape;
    buffersOf[param.getResult()] =
        addBuffer(fb::StorageKind::Weight, tables.weight(param), 0, 0, *element, shape);
    return success();
  }
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    Extents shape;
    for (OpFoldResult size : expand.getMixedOutputShape()) {
      if (auto attr = dyn_cast<Attribute>(size)) {
        shape.push_back(staticExtent(cast<IntegerAttr>(attr).getInt()));
        continue;
      }
      FailureOr<uint32_t> r = registerOf(cast<Value>(size), &op);
      if (failed(r))
        return failure();
      shape.push_back(fb::Extent(0, static_cast<int32_t>(*r)));
    }
    shapes[expand.getResult()] = shape;
    return view(buffersOf.lookup(expand.getSrc()), expand.getResult());
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    const Extents source = shapes.lookup(collapse.getSrc());
    Extents shape;
    for (ReassociationIndices group : collapse.getReassociationIndices()) {
      int64_t staticPart = 1;
      std::optional<uint32_t> dynamicPart;
      for (int64_t d : group) {
        if (size_t(d) >= source.size())
          return op.emitOpError() << "collapses a source whose shape is unknown";
        const fb::Extent &x = source[d];
        if (x.register_index() < 0) {
          staticPart *= x.size();
          continue;
        }
        uint32_t r = uint32_t(x.register_index());
        dynamicPart = dynamicPart ? scalarStep(fb::ScalarOpcode::Mul, 0, *dynamicPart, r) : r;
      }
      if (!dynamicPart) {
        shape.push_back(staticExtent(staticPart));
        continue;
      }
      if (staticPart != 1)
        dynamicPart = scalarStep(fb::ScalarOpcode::Mul, 0, *dynamicPart, constant(staticPart));
      shape.push_back(fb::Extent(0, static_cast<int32_t>(*dynamicPart)));
    }
    shapes[collapse.getResult()] = shape;
    return view(buffersOf.lookup(collapse.getSrc()), collapse.getResult());
  }
  if (auto fill = dyn_cast<tensor::FromElementsOp>(op)) {
    auto offsets =
        op.getAttrOfType<DenseI64ArrayAttr>(program::ProgramDialect::kBufferOffsetsAttr);
    auto sizes = op.getAttrOfType<DenseI64ArrayAttr>(program::ProgramDialect::kBufferBytesAttr);
    if (!offsets || !sizes || offsets.size() != 1 || offsets[0] < 0)
      return op.emitOpError() << "has no buffer plan; run sieve-plan-buffers first";
    RankedTensorType type = fill.getType();
    FailureOr<fb::ElementType> element = elementTypeOf(type.getElementType(), op.getLoc());
    if (failed(element))
      return failure();
    if (*element != fb::ElementType::I32 && *element != fb::ElementType::I64)
      return op.emitOpError() << "fills " << type.getElementType()
                              << " elements; the host fills i32 and i64";
    std::vector<uint32_t> elements;
    for (Value v : fill.getElements()) {
      FailureOr<uint32_t> r = registerOf(v, &op);
      if (failed(r))
        return failure();
      elements.push_back(*r);
    }
    Extents shape;
    for (int64_t d : type.getShape())
      shape.push_back(staticExtent(d));
    shapes[fill.getResult()] = shape;
    uint32_t id = addBuffer(fb::StorageKind::Arena, 0, offsets[0], sizes[0], *element, shape);
    buffersOf[fill.getResult()] = id;
    addStep(fb::Step::FillStep, fb::CreateFillStepDirect(fbb, id, &elements).Union());
    return success();
  }
  if (auto dispatch = dyn_cast<program::DispatchOp>(op))
    return addDispatch(dispatch);
  if (auto ret = dyn_cast<func::ReturnOp>(op))
    return addReturn(ret);
  return addScalar(op);
}

FailureOr<flatbuffers::Offset<fb::EntryPoint>> ProgramBuilder::build() {
  if (!fn.getBody().hasOneBlock())
    return fn.emitOpError() << "has control flow; host programs are straight-line";
  auto phase = fn->getAttrOfType<StringAttr>("v4.phase");
  auto maxTokens = fn->getAttrOfType<IntegerAttr>("v4.max_tokens");
  auto arena = fn->getAttrOfType<IntegerAttr>(program::ProgramDialect::kArenaBytesAttr);
  if (!phase || !maxTokens || !arena)
    return fn.emitOpError() << "lacks v4.phase, v4.max_tokens or "
                            << program::ProgramDialect::kArenaBytesAttr
                            << "; it is not a planned entry point";
  if (failed(addArguments()))
    return failure();
  for (Operation &op : fn.getBody().front())
    if (failed(addOp(op)))
      return failure();
  return fb::CreateEntryPointDirect(fbb, fn.getSymName().str().c_str(), phase.getValue().str().c_str(),
                                    maxTokens.getInt(), arena.getInt(), &inputs, &cacheArguments,
                                    &outputs, numRegisters, &buffers, &stepTypes, &steps);
}

} // namespace

FailureOr<flatbuffers::Offset<fb::EntryPoint>>
serializeEntryPoint(func::FuncOp fn, ModuleTables &tables, flatbuffers::FlatBufferBuilder &builder) {
  return ProgramBuilder(fn, tables, builder).build();
}

} // namespace sieve::module_writer
