//===- V4Ops.h - v4 operations ------------------------------------*- C++ -*-===//
#ifndef SIEVE_V4_IR_V4OPS_H
#define SIEVE_V4_IR_V4OPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "v4/IR/V4Attrs.h"
#include "v4/IR/V4Dialect.h"
#include "v4/IR/V4Types.h"

namespace sieve::v4 {
/// Whether results typed `actual` agree with the types an op infers from its
/// operands: equal, or ranked tensors of the same element type and rank whose
/// dimensions agree wherever both are static (a result may be written more or
/// less static than inferred, never different).
bool areCompatibleResultTypes(mlir::TypeRange inferred, mlir::TypeRange actual);
} // namespace sieve::v4

#define GET_OP_CLASSES
#include "v4/IR/V4Ops.h.inc"

#endif // SIEVE_V4_IR_V4OPS_H
