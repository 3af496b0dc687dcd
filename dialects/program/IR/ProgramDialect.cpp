//===- ProgramDialect.cpp - program dialect registration -------------------===//

#include "program/IR/ProgramDialect.h"

#include "program/IR/ProgramOps.h"

using namespace mlir;
using namespace sieve::program;

#include "program/IR/ProgramDialect.cpp.inc"

void ProgramDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "program/IR/ProgramOps.cpp.inc"
      >();
}
