// The cache layout of imported V4-Flash and V4-Pro graphs in each row
// encoding, against figures derived here from the configs' own numbers
// (v4-architecture.md 11): a ratio-4 (CSA) layer adds a main row and an
// indexer key per 4 tokens, a ratio-128 (HCA) layer a main row per 128.
#include "sieve/Import/ModelImporter.h"
#include "sieve/InitSieve.h"
#include "sieve/Transforms/CacheLayout.h"
#include "sieve/io/model_config.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <string>

namespace sieve {
namespace {

struct Case {
  const char *example;
  io::CacheFormat format;
};

/// Bytes per token from the config alone.
double expectedBytesPerToken(const io::ModelConfig &c, io::CacheFormat format) {
  const bool fp8 = format != io::CacheFormat::kReferenceBf16;
  const int64_t nope = c.headDim - c.ropeHeadDim;
  const double mainRow = fp8 ? double((nope + 2 * c.ropeHeadDim + nope / 64 + 7) / 8 * 8)
                             : 2.0 * double(c.headDim);
  const double key = format == io::CacheFormat::kFp8IndexerFp8   ? c.indexHeadDim + 4.0
                     : format == io::CacheFormat::kFp8IndexerFp4 ? c.indexHeadDim / 2.0 +
                                                                       c.indexHeadDim / 32.0
                                                                 : 2.0 * double(c.indexHeadDim);
  double total = 0;
  for (int64_t b = 0; b < c.nLayers; ++b) {
    int64_t r = c.compressRatios[size_t(b)];
    if (r == 4)
      total += (mainRow + key) / 4;
    else if (r > 0)
      total += mainRow / double(r);
  }
  return total;
}

class CacheLayoutOfModels : public ::testing::TestWithParam<Case> {};

TEST_P(CacheLayoutOfModels, BytesPerTokenFollowTheConfig) {
  const Case &tc = GetParam();
  auto config =
      io::loadModelConfig(sieve::test_paths::sourcePath("examples/") + tc.example + "/config.json");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  mlir::DialectRegistry registry;
  registerSieveDialects(registry);
  mlir::MLIRContext context(registry);
  ImportOptions options;
  options.cacheFormat = tc.format;
  auto module = importModel(&context, *config, options, mlir::UnknownLoc::get(&context));
  ASSERT_TRUE(module);
  auto decode = module->lookupSymbol<mlir::func::FuncOp>("decode");
  ASSERT_TRUE(decode);
  mlir::FailureOr<CacheLayout> layout = computeCacheLayout(decode);
  ASSERT_TRUE(mlir::succeeded(layout));
  EXPECT_DOUBLE_EQ(layout->bytesPerToken(), expectedBytesPerToken(*config, tc.format));
  // The runtime's sizes agree.
  EXPECT_DOUBLE_EQ(layout->bytesPerToken(),
                   io::computeCacheSizes(*config, tc.format).bytesPerToken());
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, CacheLayoutOfModels,
    ::testing::Values(Case{"v4-flash", io::CacheFormat::kReferenceBf16},
                      Case{"v4-flash", io::CacheFormat::kFp8IndexerFp8},
                      Case{"v4-flash", io::CacheFormat::kFp8IndexerFp4},
                      Case{"v4-pro", io::CacheFormat::kReferenceBf16},
                      Case{"v4-pro", io::CacheFormat::kFp8IndexerFp8},
                      Case{"v4-pro", io::CacheFormat::kFp8IndexerFp4}),
    [](const ::testing::TestParamInfo<Case> &info) {
      std::string name = info.param.example[3] == 'f' ? "Flash" : "Pro";
      switch (info.param.format) {
      case io::CacheFormat::kReferenceBf16:
        return name + "Bf16";
      case io::CacheFormat::kFp8IndexerFp8:
        return name + "Fp8";
      case io::CacheFormat::kFp8IndexerFp4:
        return name + "Fp8Fp4Keys";
      }
      return name;
    });

TEST(CacheLayoutOfModels, FlashHeadlineFigures) {
  // v4-architecture.md 11: 6,880 bytes per token in bf16, about 3,850 with
  // FP8 rows and FP8 keys, about 3,514 with MXFP4 keys.
  auto config = io::loadModelConfig(sieve::test_paths::sourcePath("examples/v4-flash/config.json"));
  ASSERT_TRUE(config.isOk());
  EXPECT_DOUBLE_EQ(expectedBytesPerToken(*config, io::CacheFormat::kReferenceBf16), 6880);
  EXPECT_NEAR(expectedBytesPerToken(*config, io::CacheFormat::kFp8IndexerFp8), 3850, 10);
  EXPECT_NEAR(expectedBytesPerToken(*config, io::CacheFormat::kFp8IndexerFp4), 3514, 10);
}

} // namespace
} // namespace sieve
