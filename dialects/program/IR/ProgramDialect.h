//===- ProgramDialect.h - The program dialect ---------------------*- C++ -*-===//
//
// Host programs: kernels in executables and the dispatches that run them;
// see ProgramBase.td.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_PROGRAM_IR_PROGRAMDIALECT_H
#define SIEVE_PROGRAM_IR_PROGRAMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "program/IR/ProgramDialect.h.inc"

#endif // SIEVE_PROGRAM_IR_PROGRAMDIALECT_H
