//===- HostProgram.h - Entry points as .sieve host programs -------*- C++ -*-===//
//
// Internal to the module writer. An entry point after the buffer plan is a
// straight-line function of host arithmetic, reshapes, parameter bindings
// and program dispatches; serializeEntryPoint turns it into the module's
// register-and-buffer program (docs/module-format.md, "Host programs").
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_TARGET_MODULE_HOSTPROGRAM_H
#define SIEVE_LIB_TARGET_MODULE_HOSTPROGRAM_H

#include "sieve/module/sieve_module_generated.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace sieve {
namespace program {
class ExecutableOp;
} // namespace program
namespace v4 {
class ParamOp;
} // namespace v4

namespace module_writer {

/// The element type of `type` in the module, or an error at `loc`.
mlir::FailureOr<fb::ElementType> elementTypeOf(mlir::Type type, mlir::Location loc);

/// The module-wide tables entry points index into: caches by name, weights
/// by parameter name, kernels in the executable's order.
struct ModuleTables {
  explicit ModuleTables(program::ExecutableOp executable);

  mlir::FailureOr<uint32_t> cache(llvm::StringRef name, mlir::Type type, mlir::Location loc);
  uint32_t weight(v4::ParamOp param);
  mlir::FailureOr<uint32_t> kernel(mlir::SymbolRefAttr ref, mlir::Location loc) const;

  struct Cache {
    std::string name;
    mlir::Type type;
  };
  std::vector<Cache> caches;
  llvm::StringMap<uint32_t> cacheIndex;
  std::vector<v4::ParamOp> weights;
  llvm::StringMap<uint32_t> weightIndex;
  std::vector<mlir::func::FuncOp> kernels;
  llvm::StringMap<uint32_t> kernelIndex;
  std::string executableName;
};

/// Serializes entry point `fn` into `builder`, adding the caches, weights
/// and kernels it uses to `tables`.
mlir::FailureOr<flatbuffers::Offset<fb::EntryPoint>>
serializeEntryPoint(mlir::func::FuncOp fn, ModuleTables &tables,
                    flatbuffers::FlatBufferBuilder &builder);

} // namespace module_writer
} // namespace sieve

#endif // SIEVE_LIB_TARGET_MODULE_HOSTPROGRAM_H
