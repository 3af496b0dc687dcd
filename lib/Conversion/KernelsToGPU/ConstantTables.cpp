//===- ConstantTables.cpp - lookup tables as constant globals on GPUs -----===//
//
// A lookup into a constant vector at a varying index: NVPTX and AMDGPU
// expand it into a chain of selects (about 75 instructions for a 128-entry
// table); as a constant global it is one cached load. The FP8 and FP4 code
// tables are decoded without a table by the small-float passes before this
// one; this takes any table they did not recognize.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"

namespace sieve {
#define GEN_PASS_DEF_GPUCONSTANTTABLESPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

struct GPUConstantTablesPass : impl::GPUConstantTablesPassBase<GPUConstantTablesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<Attribute, memref::GlobalOp> globals;
    OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
    SymbolTable symbols(module);
    for (auto kernel : module.getOps<func::FuncOp>()) {
      if (!kernel->hasAttr(kernel_contract::kKernel))
        continue;
      SmallVector<vector::ExtractOp> lookups;
      kernel.walk([&](vector::ExtractOp extract) {
        auto table = extract.getSource().getDefiningOp<arith::ConstantOp>();
        auto type = dyn_cast<VectorType>(extract.getSource().getType());
        if (table && type && type.getRank() == 1 && !type.isScalable() &&
            extract.getDynamicPosition().size() == 1 && !isa<VectorType>(extract.getType()) &&
            isa<DenseElementsAttr>(table.getValue()))
          lookups.push_back(extract);
      });
      for (vector::ExtractOp extract : lookups) {
        auto values = cast<DenseElementsAttr>(
            extract.getSource().getDefiningOp<arith::ConstantOp>().getValue());
        auto type = cast<VectorType>(values.getType());
        memref::GlobalOp &global = globals[values];
        auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
        if (!global) {
          global = memref::GlobalOp::create(
              moduleBuilder, extract.getLoc(), "__sieve_lookup_table",
              moduleBuilder.getStringAttr("private"), memrefType,
              values.reshape(RankedTensorType::get(type.getShape(), type.getElementType())),
              /*constant=*/true, /*alignment=*/nullptr);
          symbols.insert(global); // renames it when the name is taken
        }
        OpBuilder b(extract);
        Value table =
            memref::GetGlobalOp::create(b, extract.getLoc(), memrefType, global.getSymName());
        Value index = extract.getDynamicPosition().front();
        extract.replaceAllUsesWith(
            memref::LoadOp::create(b, extract.getLoc(), table, ValueRange{index}).getResult());
        extract.erase();
      }
    }
  }
};

} // namespace
} // namespace sieve
