// The buffer plan of whole imported models, checked by an independent
// reading of the planned host program: every buffer the plan placed is
// followed through its views and in-place updates to its last reader, and no
// two buffers alive at the same time may share a byte of the arena. Static
// buffers must be exactly their tensor's size; all must fit the arena.
#include "sieve/Import/ModelImporter.h"
#include "sieve/InitSieve.h"
#include "sieve/Pipeline/Pipelines.h"
#include "sieve/io/model_config.h"

#include "program/IR/ProgramOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sieve {
namespace {

using program::ProgramDialect;

struct Placed {
  std::string what;
  int64_t offset, bytes;
  unsigned first, last = 0;
};

/// The placed buffers of `entry` with lifetimes found by following uses.
std::vector<Placed> placedBuffers(mlir::func::FuncOp entry) {
  std::vector<Placed> placed;
  llvm::DenseMap<mlir::Value, size_t> owner; // value -> index into placed
  llvm::DenseMap<mlir::Operation *, unsigned> position;
  unsigned n = 0;
  for (mlir::Operation &op : entry.getBody().front())
    position[&op] = ++n;
  for (mlir::Operation &op : entry.getBody().front()) {
    auto offsets = op.getAttrOfType<mlir::DenseI64ArrayAttr>(ProgramDialect::kBufferOffsetsAttr);
    auto bytes = op.getAttrOfType<mlir::DenseI64ArrayAttr>(ProgramDialect::kBufferBytesAttr);
    if (offsets && bytes)
      for (unsigned i = 0; i < op.getNumResults(); ++i)
        if (offsets[i] >= 0) {
          owner[op.getResult(i)] = placed.size();
          placed.push_back({op.getName().getStringRef().str() + " #" + std::to_string(position[&op]),
                            offsets[i], bytes[i], position[&op]});
        }
    // Views and tied results continue their operand's buffer.
    if (mlir::isa<mlir::tensor::ExpandShapeOp, mlir::tensor::CollapseShapeOp>(op) &&
        owner.count(op.getOperand(0)))
      owner[op.getResult(0)] = owner[op.getOperand(0)];
    if (auto dispatch = mlir::dyn_cast<program::DispatchOp>(op))
      for (unsigned i = 0; i < dispatch->getNumResults(); ++i)
        if (mlir::Value tied = dispatch.getTiedOperand(i); tied && owner.count(tied))
          owner[dispatch->getResult(i)] = owner[tied];
    if (mlir::isa<mlir::tensor::DimOp>(op))
      continue;
    for (mlir::Value operand : op.getOperands())
      if (auto it = owner.find(operand); it != owner.end())
        placed[it->second].last = mlir::isa<mlir::func::ReturnOp>(op) ? n + 1 : position[&op];
  }
  return placed;
}

/// The bundled model `example` through the graph and kernels phases.
mlir::OwningOpRef<mlir::ModuleOp> plannedModel(mlir::MLIRContext &context, const char *example) {
  auto config =
      io::loadModelConfig(sieve::test_paths::sourcePath("examples/") + example + "/config.json");
  EXPECT_TRUE(config.isOk()) << config.status().toString();
  if (!config.isOk())
    return nullptr;
  auto module = importModel(&context, *config, ImportOptions(), mlir::UnknownLoc::get(&context));
  if (!module)
    return nullptr;
  mlir::PassManager pm(&context);
  buildGraphPipeline(pm, GraphPipelineOptions());
  buildKernelsPipeline(pm);
  if (mlir::failed(pm.run(*module)))
    return nullptr;
  return module;
}

class PlanOfModels : public ::testing::TestWithParam<const char *> {
protected:
  PlanOfModels() : context(registry()) {}
  static mlir::DialectRegistry registry() {
    mlir::DialectRegistry r;
    registerSieveDialects(r);
    return r;
  }
  mlir::MLIRContext context;
};

TEST_P(PlanOfModels, LiveBuffersNeverShareBytes) {
  mlir::OwningOpRef<mlir::ModuleOp> module = plannedModel(context, GetParam());
  ASSERT_TRUE(module);

  unsigned entries = 0;
  for (auto entry : module->getOps<mlir::func::FuncOp>()) {
    SCOPED_TRACE(entry.getSymName().str());
    ++entries;
    auto arena = entry->getAttrOfType<mlir::IntegerAttr>(ProgramDialect::kArenaBytesAttr);
    ASSERT_TRUE(arena);
    std::vector<Placed> placed = placedBuffers(entry);
    ASSERT_FALSE(placed.empty());
    int64_t total = 0;
    for (const Placed &p : placed) {
      EXPECT_LE(p.offset + p.bytes, arena.getInt()) << p.what;
      EXPECT_GT(p.last, 0u) << p.what << " is never read";
      total += p.bytes;
    }
    for (size_t a = 0; a < placed.size(); ++a)
      for (size_t b = a + 1; b < placed.size(); ++b) {
        const Placed &x = placed[a], &y = placed[b];
        bool together = x.first <= y.last && y.first <= x.last;
        bool overlap = x.offset < y.offset + y.bytes && y.offset < x.offset + x.bytes;
        ASSERT_FALSE(together && overlap) << x.what << " and " << y.what << " share bytes";
      }
    // Reuse is the point of the plan: the layers' activations share space.
    if (entry.getSymName() == "decode" || entry.getSymName() == "prefill") {
      EXPECT_LT(arena.getInt() * 4, total) << "arena " << arena.getInt() << " of " << total;
    }
  }
  EXPECT_EQ(entries, 4u); // prefill, decode, mtp, mtp_decode
}

TEST_P(PlanOfModels, StaticBuffersAreTheirTensorsSize) {
  mlir::OwningOpRef<mlir::ModuleOp> module = plannedModel(context, GetParam());
  ASSERT_TRUE(module);
  unsigned checked = 0;
  module->walk([&](program::DispatchOp dispatch) {
    auto bytes = dispatch->getAttrOfType<mlir::DenseI64ArrayAttr>(ProgramDialect::kBufferBytesAttr);
    ASSERT_TRUE(bytes);
    for (unsigned i = 0; i < dispatch->getNumResults(); ++i) {
      auto type = mlir::dyn_cast<mlir::RankedTensorType>(dispatch->getResult(i).getType());
      if (!type || !type.hasStaticShape() || dispatch.getTiedOperand(i))
        continue;
      int64_t elementBits = type.getElementTypeBitWidth();
      ASSERT_EQ(elementBits % 8, 0); // no sub-byte activations in these models
      EXPECT_EQ(bytes[i], type.getNumElements() * elementBits / 8);
      ++checked;
    }
  });
  EXPECT_GT(checked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Models, PlanOfModels, ::testing::Values("tiny-v4", "tiny-v4-r128", "v4-flash"),
                         [](const ::testing::TestParamInfo<const char *> &info) {
                           std::string name = info.param;
                           for (char &c : name)
                             if (c == '-')
                               c = '_';
                           return name;
                         });

} // namespace
} // namespace sieve
