//===- ProgramOps.h - program.executable and program.dispatch -----*- C++ -*-===//
#ifndef SIEVE_PROGRAM_IR_PROGRAMOPS_H
#define SIEVE_PROGRAM_IR_PROGRAMOPS_H

#include "program/IR/ProgramDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "program/IR/ProgramOps.h.inc"

#endif // SIEVE_PROGRAM_IR_PROGRAMOPS_H
