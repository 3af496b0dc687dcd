// The v4 ops whose result types follow from their operands build without
// result types, infer what the verifier then accepts, and fail inference
// with a diagnostic (not an assertion) on operands they cannot type.
#include "sieve/Import/ModelImporter.h"
#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <string>

namespace sieve {
namespace {

using namespace mlir;

class InferTypesTest : public ::testing::Test {
protected:
  InferTypesTest() : builder(&context) {
    loadImportDialects(&context);
    module = ModuleOp::create(UnknownLoc::get(&context));
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A function taking `types` whose body the test fills in; returns its
  /// arguments, with the builder inside the body.
  Block::BlockArgListType arguments(ArrayRef<Type> types) {
    auto fn = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                   builder.getFunctionType(types, {}));
    Block *body = fn.addEntryBlock();
    builder.setInsertionPointToEnd(body);
    return body->getArguments();
  }

  void finish() {
    func::ReturnOp::create(builder, builder.getUnknownLoc());
    EXPECT_TRUE(succeeded(verify(*module)));
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element) {
    return RankedTensorType::get(shape, element);
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

constexpr int64_t kDyn = ShapedType::kDynamic;

TEST_F(InferTypesTest, HyperConnectionAndTopk) {
  Type bf16 = builder.getBF16Type(), f32 = builder.getF32Type();
  auto args = arguments({tensor({1, kDyn, 4, 64}, bf16), tensor({24, 256}, f32),
                         tensor({24}, f32), tensor({3}, f32),
                         tensor({1, kDyn, 1024}, bf16),
                         tensor({1}, builder.getI32Type())});
  auto pre = v4::HcPreOp::create(builder, builder.getUnknownLoc(), args[0],
                                 args[1], args[2], args[3], 20,
                                 APFloat(1e-6), APFloat(1e-6));
  EXPECT_EQ(pre.getOutput().getType(), tensor({1, kDyn, 64}, bf16));
  EXPECT_EQ(pre.getPost().getType(), tensor({1, kDyn, 4}, f32));
  EXPECT_EQ(pre.getComb().getType(), tensor({1, kDyn, 4, 4}, f32));
  auto topk = v4::TopkOp::create(builder, builder.getUnknownLoc(), args[4],
                                 args[5], 512, 4);
  EXPECT_EQ(topk.getType(), tensor({1, kDyn, 512}, builder.getI32Type()));
  finish();
}

TEST_F(InferTypesTest, CompressAndCacheRead) {
  Type f32 = builder.getF32Type();
  auto state = v4::CompressorStateType::get(&context, 1, 4, 2, 512);
  auto keys = v4::IndexerCacheType::get(&context, 1, 1024, 128,
                                        builder.getType<Float4E2M1FNType>());
  auto args = arguments({tensor({1, 7, 1024}, f32), tensor({4, 1024}, f32),
                         state, keys, tensor({1}, builder.getI32Type())});
  auto compress = v4::CompressOp::create(builder, builder.getUnknownLoc(),
                                         args[0], args[0], args[1], args[2],
                                         args[4], /*slots=*/Value(), 4,
                                         /*overlap=*/true);
  // ceil(7 / 4) entry rows; the state type is carried through.
  EXPECT_EQ(compress.getEntries().getType(), tensor({1, 2, 512}, f32));
  EXPECT_EQ(compress.getNewState().getType(), state);
  // MXFP4 key rows read back as bf16 contents.
  auto read = v4::CacheReadOp::create(builder, builder.getUnknownLoc(), args[3],
                                      /*slots=*/Value());
  EXPECT_EQ(read.getType(), tensor({1, 1024, 128}, builder.getBF16Type()));
  finish();
}

TEST_F(InferTypesTest, SlotsGiveTheBatchOfTheRows) {
  // Batched decode: B (dynamic) rows in a cache of 8 slots.
  Type f32 = builder.getF32Type(), i32 = builder.getI32Type();
  auto state = v4::CompressorStateType::get(&context, 8, 128, 1, 512);
  auto window = v4::WindowCacheType::get(&context, 8, 128, 512,
                                         builder.getBF16Type(), 0);
  auto args = arguments({tensor({kDyn, 1, 512}, f32), tensor({128, 512}, f32),
                         state, window, tensor({kDyn}, i32)});
  auto compress = v4::CompressOp::create(builder, builder.getUnknownLoc(),
                                         args[0], args[0], args[1], args[2],
                                         args[4], args[4], 128,
                                         /*overlap=*/false);
  EXPECT_EQ(compress.getEntries().getType(), tensor({kDyn, 1, 512}, f32));
  auto rows = v4::CacheReadOp::create(builder, builder.getUnknownLoc(), args[3],
                                      args[4]);
  EXPECT_EQ(rows.getType(), tensor({kDyn, 128, 512}, builder.getBF16Type()));
  // Compressor state contents are [2, B, ...]: the batch is dimension 1.
  auto pending = v4::CacheReadOp::create(builder, builder.getUnknownLoc(),
                                         args[2], args[4]);
  EXPECT_EQ(pending.getType(), tensor({2, kDyn, 128, 512}, f32));
  finish();
}

TEST_F(InferTypesTest, Routing) {
  Type bf16 = builder.getBF16Type(), f32 = builder.getF32Type(),
       i32 = builder.getI32Type();
  auto args = arguments({tensor({kDyn, 256}, f32), tensor({256}, f32),
                         tensor({kDyn, 4096}, bf16)});
  auto route = v4::MoeRouteOp::create(builder, builder.getUnknownLoc(), args[0],
                                      args[1], 6, APFloat(1.5), true);
  EXPECT_EQ(route.getWeights().getType(), tensor({kDyn, 6}, f32));
  EXPECT_EQ(route.getExperts().getType(), tensor({kDyn, 6}, i32));
  auto dispatch = v4::MoeDispatchOp::create(builder, builder.getUnknownLoc(),
                                            args[2], route.getExperts(),
                                            route.getWeights(), 256);
  EXPECT_EQ(dispatch.getRows().getType(), tensor({kDyn, 4096}, bf16));
  EXPECT_EQ(dispatch.getExpertOffsets().getType(), tensor({257}, i32));
  finish();
}

TEST_F(InferTypesTest, InferenceFailsWithADiagnostic) {
  std::string message;
  ScopedDiagnosticHandler capture(&context, [&](Diagnostic &d) {
    message = d.str();
    return success();
  });
  auto args = arguments({tensor({8, 64}, builder.getBF16Type())});
  SmallVector<Type> inferred;
  v4::HcHeadOp::Adaptor adaptor({args[0], args[0], args[0], args[0]});
  EXPECT_TRUE(failed(v4::HcHeadOp::inferReturnTypes(
      &context, builder.getUnknownLoc(), adaptor, inferred)));
  EXPECT_EQ(message, "'v4.hc_head' op expects streams of rank >= 3 ([..., n, D])");
}

} // namespace
} // namespace sieve
