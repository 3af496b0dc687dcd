//===- library_kernels_test.cpp - The CPU's library kernels ---------------===//
//
// oneDNN's FP8-weight GEMMs against products summed here in double from the
// decoded operands, over shapes with partial workgroups and scale blocks;
// and every argument the kernel cannot use is a nonzero code, not a read
// outside its buffers.
//
//===----------------------------------------------------------------------===//

#include "sieve/hal/cpu/library_kernels.h"
#include "sieve/numerics/float_formats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

namespace sieve::hal::cpu {
namespace {

struct Shape {
  uint32_t rows, columns, depth, blockRows, blockDepth, perWorkgroup;
};

/// Operands and the kernel's answer for one shape.
struct GemmRun {
  std::vector<uint16_t> activation; // bf16 bits [rows][depth]
  std::vector<uint8_t> weight;      // E4M3 codes [columns][depth]
  std::vector<uint8_t> scales;      // E8M0 [ceil(columns / bn)][depth / bk]
  std::vector<uint8_t> result;      // [rows][columns] of bf16 or f32
  std::vector<uint32_t> constants;
  std::vector<void *> pointers;
  std::vector<size_t> lengths;
  sieve_dispatch_state_t dispatch{};

  GemmRun(const Shape &s, bool f32Result, uint32_t seed) {
    std::mt19937 random(seed);
    activation.resize(size_t(s.rows) * s.depth);
    for (uint16_t &a : activation)
      a = num::bf16FromFloat(std::normal_distribution<float>(0.f, 1.f)(random));
    weight.resize(size_t(s.columns) * s.depth);
    for (uint8_t &w : weight) {
      do
        w = uint8_t(random());
      while ((w & 0x7F) == 0x7F); // E4M3's NaN codes
    }
    scales.resize(size_t((s.columns + s.blockRows - 1) / s.blockRows) * (s.depth / s.blockDepth));
    for (uint8_t &e : scales)
      e = uint8_t(120 + random() % 10);
    result.assign(size_t(s.rows) * s.columns * (f32Result ? 4 : 2), 0xEE);
    constants = {s.rows, s.columns, s.depth, s.blockRows, s.blockDepth, s.perWorkgroup};
    pointers = {activation.data(), weight.data(), scales.data(), result.data()};
    lengths = {activation.size() * 2, weight.size(), scales.size(), result.size()};
    dispatch.workgroup_count[0] = (s.columns + s.perWorkgroup - 1) / s.perWorkgroup;
    dispatch.constant_count = uint32_t(constants.size());
    dispatch.constants = constants.data();
    dispatch.binding_count = uint32_t(pointers.size());
    dispatch.binding_ptrs = pointers.data();
    dispatch.binding_lengths = lengths.data();
  }

  int32_t runAll(sieve_kernel_fn kernel) {
    for (uint32_t w = 0; w < dispatch.workgroup_count[0]; ++w) {
      sieve_workgroup_state_t workgroup{};
      workgroup.workgroup_id[0] = w;
      if (int32_t code = kernel(&dispatch, &workgroup))
        return code;
    }
    return 0;
  }
};

/// The exact product, and the sum of its terms' magnitudes (what bounds an
/// fp32 sum's rounding).
std::pair<double, double> expected(const GemmRun &run, const Shape &s, uint32_t m, uint32_t n) {
  const uint32_t depthBlocks = s.depth / s.blockDepth;
  double sum = 0, magnitude = 0;
  for (uint32_t k = 0; k < s.depth; ++k) {
    double a = num::bf16ToFloat(run.activation[size_t(m) * s.depth + k]);
    double scale = num::e8m0ToFloat(run.scales[(n / s.blockRows) * depthBlocks + k / s.blockDepth]);
    double w = double(num::e4m3ToFloat(run.weight[size_t(n) * s.depth + k])) * scale;
    sum += a * w;
    magnitude += std::fabs(a * w);
  }
  return {sum, magnitude};
}

class OnednnMatmul : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    kernel = findLibraryKernel(GetParam() ? "onednn.matmul_fp8w_f32" : "onednn.matmul_fp8w_bf16");
    if (!kernel)
      GTEST_SKIP() << "this runtime is built without oneDNN (" << libraryKernelsProvided() << ")";
  }
  sieve_kernel_fn kernel = nullptr;
};

TEST_P(OnednnMatmul, EqualsTheDecodedProductsSummedInDouble) {
  const bool f32Result = GetParam();
  // Partial last workgroups and scale blocks, 1 row, blocks of 32 to 128.
  for (const Shape &s : {Shape{37, 300, 256, 128, 128, 128}, Shape{1, 64, 96, 32, 32, 64},
                         Shape{130, 200, 128, 64, 64, 128}}) {
    GemmRun run(s, f32Result, s.rows * 7 + s.columns);
    ASSERT_EQ(run.runAll(kernel), 0);
    for (uint32_t m = 0; m < s.rows; ++m)
      for (uint32_t n = 0; n < s.columns; ++n) {
        auto [want, magnitude] = expected(run, s, m, n);
        double got;
        if (f32Result) {
          float v;
          std::memcpy(&v, &run.result[(size_t(m) * s.columns + n) * 4], 4);
          got = v;
        } else {
          uint16_t bits;
          std::memcpy(&bits, &run.result[(size_t(m) * s.columns + n) * 2], 2);
          got = num::bf16ToFloat(bits);
        }
        // fp32 sums in some order (2^-24 per addition, a few dozen deep),
        // then for bf16 one rounding of at most 2^-9 relative.
        double tolerance = 0x1p-24 * 64 * magnitude + (f32Result ? 0.0 : std::fabs(want) * 0x1p-8);
        ASSERT_NEAR(got, want, tolerance) << "row " << m << ", column " << n << " of " << s.rows
                                          << "x" << s.columns << "x" << s.depth;
      }
  }
}

TEST_P(OnednnMatmul, ArgumentsItCannotUseAreAnErrorCode) {
  const Shape s{8, 256, 128, 128, 128, 128};
  auto refused = [&](auto damage) {
    GemmRun run(s, GetParam(), 1);
    damage(run);
    return run.runAll(kernel);
  };
  EXPECT_EQ(refused([](GemmRun &) {}), 0);
  EXPECT_EQ(refused([](GemmRun &r) { r.dispatch.binding_count = 3; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.dispatch.constant_count = 5; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.lengths[0] -= 1; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.lengths[1] -= 1; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.lengths[2] -= 1; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.lengths[3] -= 1; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.constants[3] = 48; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.constants[4] = 100; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.constants[5] = 64 + 32; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.dispatch.workgroup_count[0] = 3; }),
            kLibraryKernelBadArguments); // a workgroup past the columns
  EXPECT_EQ(refused([](GemmRun &r) { r.constants[0] = 9; }), kLibraryKernelBadArguments);
}

INSTANTIATE_TEST_SUITE_P(Results, OnednnMatmul, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return std::string(info.param ? "F32" : "Bf16");
                         });

TEST(LibraryKernels, AnUnknownNameIsNone) {
  EXPECT_EQ(findLibraryKernel("onednn.matmul_fp8w_bf17"), nullptr);
  EXPECT_EQ(findLibraryKernel(""), nullptr);
  EXPECT_FALSE(libraryKernelsProvided().empty());
}

} // namespace
} // namespace sieve::hal::cpu
