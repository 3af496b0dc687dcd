//===- ProgramDialect.cpp - program dialect registration -------------------===//

#include "program/IR/ProgramDialect.h"

#include "program/IR/ProgramOps.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace sieve::program;

#include "program/IR/ProgramDialect.cpp.inc"

void ProgramDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "program/IR/ProgramOps.cpp.inc"
      >();
}

/// The plan's attributes (ProgramBase.td): the arena size on a function, and
/// per-result offsets and sizes that fit it on ops inside one.
LogicalResult ProgramDialect::verifyOperationAttribute(Operation *op, NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  if (name == kArenaBytesAttr) {
    auto bytes = dyn_cast<IntegerAttr>(attribute.getValue());
    if (!isa<FunctionOpInterface>(op) || !bytes || bytes.getInt() < 0)
      return op->emitOpError() << "has '" << name
                               << "', which must be a non-negative integer on a function";
    return success();
  }
  if (name == kLibraryAttr) {
    auto library = dyn_cast<StringAttr>(attribute.getValue());
    auto function = dyn_cast<FunctionOpInterface>(op);
    if (!library || library.empty() || !function || !function.isExternal() ||
        !op->hasAttr("sieve.kernel"))
      return op->emitOpError() << "has '" << name
                               << "', which must be a non-empty string on a kernel declaration "
                                  "(a function with 'sieve.kernel' and no body)";
    return success();
  }
  if (name != kBufferOffsetsAttr && name != kBufferBytesAttr)
    return op->emitOpError() << "has an unknown program attribute '" << name << "'";
  auto values = dyn_cast<DenseI64ArrayAttr>(attribute.getValue());
  if (!values || values.size() != static_cast<int64_t>(op->getNumResults()))
    return op->emitOpError() << "has '" << name << "', which must be an array<i64> with one entry per result ("
                             << op->getNumResults() << ")";
  auto dispatch = dyn_cast<DispatchOp>(op);
  for (auto [i, value] : llvm::enumerate(values.asArrayRef())) {
    bool tied = dispatch && dispatch.getTied()[i] >= 0;
    if (name == kBufferBytesAttr) {
      if (value < 0 || (tied && value != 0))
        return op->emitOpError() << "has '" << name << "' entry " << i << " = " << value
                                 << (tied ? ", but a tied result takes no bytes"
                                          : ", which is negative");
      continue;
    }
    if (tied != (value == -1))
      return op->emitOpError() << "has '" << name << "' entry " << i << " = " << value
                               << (tied ? ", but the result is tied (-1 expected)"
                                        : ", but only a tied result has no offset");
    if (!tied && (value < 0 || value % kBufferAlignment != 0))
      return op->emitOpError() << "has '" << name << "' entry " << i << " = " << value
                               << ", which is not a multiple of " << kBufferAlignment;
  }
  auto function = op->getParentOfType<FunctionOpInterface>();
  auto arena = function ? function->getAttrOfType<IntegerAttr>(kArenaBytesAttr) : IntegerAttr();
  auto offsets = op->getAttrOfType<DenseI64ArrayAttr>(kBufferOffsetsAttr);
  auto bytes = op->getAttrOfType<DenseI64ArrayAttr>(kBufferBytesAttr);
  if (!arena || !offsets || !bytes)
    return op->emitOpError() << "has '" << name << "', but a placed result needs both '"
                             << kBufferOffsetsAttr << "' and '" << kBufferBytesAttr
                             << "' inside a function with '" << kArenaBytesAttr << "'";
  if (offsets.size() != bytes.size())
    return success(); // The other attribute reports its own length.
  for (int64_t i = 0; i < offsets.size(); ++i)
    if (offsets[i] >= 0 && offsets[i] + bytes[i] > arena.getInt())
      return op->emitOpError() << "places result " << i << " at bytes [" << offsets[i] << ", "
                               << offsets[i] + bytes[i] << "), past the arena's "
                               << arena.getInt();
  return success();
}
