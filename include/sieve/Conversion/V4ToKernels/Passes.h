//===- Passes.h - v4 graph -> dispatches of kernels ---------------*- C++ -*-===//
#ifndef SIEVE_CONVERSION_V4TOKERNELS_PASSES_H
#define SIEVE_CONVERSION_V4TOKERNELS_PASSES_H

#include "program/IR/ProgramDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace sieve {

#define GEN_PASS_DECL
#include "sieve/Conversion/V4ToKernels/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sieve/Conversion/V4ToKernels/Passes.h.inc"

} // namespace sieve

#endif // SIEVE_CONVERSION_V4TOKERNELS_PASSES_H
