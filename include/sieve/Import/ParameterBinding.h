//===- ParameterBinding.h - v4.param <-> checkpoint tensors -------*- C++ -*-===//
//
// How a `v4.param` binds to stored safetensors tensors (the table in the op's
// description): element type -> stored dtype, f4E2M1FN packed two per byte,
// stacked `*` parameters expanded to one tensor per member. The checks here
// report every mismatch as its own diagnostic, then fail once.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_IMPORT_PARAMETERBINDING_H
#define SIEVE_IMPORT_PARAMETERBINDING_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "sieve/io/model_config.h"
#include "sieve/io/safetensors.h"

#include <string>
#include <vector>

namespace sieve {
namespace v4 {
class ParamOp;
} // namespace v4

/// One stored checkpoint tensor.
struct StoredTensor {
  std::string name;
  io::DType dtype = io::DType::kF32;
  std::vector<int64_t> shape;
};

/// The stored tensors `param` binds to (one per member of a stacked
/// parameter), appended to `out`. Fails with a diagnostic on the op for an
/// element type no safetensors dtype represents.
mlir::LogicalResult getStoredTensors(v4::ParamOp param,
                                     std::vector<StoredTensor> &out);

/// Compares the checkpoint at `checkpointPath` with the tensors the runtime
/// expects for `config` (io::checkCheckpoint). A mismatch is one error at
/// `location` with the counts by kind (missing, wrong dtype, wrong shape,
/// unexpected) and the first few of each as notes: a wrong checkpoint can
/// differ in every one of tens of thousands of tensors. With `reportPath`,
/// every problem is written there, one per line.
mlir::LogicalResult checkCheckpointForConfig(mlir::Location location, const io::ModelConfig &config,
                                             llvm::StringRef checkpointPath,
                                             llvm::StringRef reportPath = {});

/// Compares every `v4.param` of `module` with the checkpoint at
/// `checkpointPath`: the first ten missing tensors or dtype/shape mismatches
/// are errors at their parameters, then one error with the count (and, past
/// ten, a note on the rest). With `reportPath`, every mismatch is written
/// there, one per line.
mlir::LogicalResult checkCheckpointForGraph(mlir::ModuleOp module, llvm::StringRef checkpointPath,
                                            llvm::StringRef reportPath = {});

/// Compares the `v4.param`s of `module` with io::expectedTensors(config) in
/// both directions: every parameter binds official names, dtypes and shapes,
/// and every expected tensor (those of MTP blocks only when `includeMtp`) is
/// bound by some parameter. The importer's self-check.
mlir::LogicalResult checkParametersAgainstConfig(mlir::ModuleOp module,
                                                 const io::ModelConfig &config,
                                                 bool includeMtp = true);

} // namespace sieve

#endif // SIEVE_IMPORT_PARAMETERBINDING_H
