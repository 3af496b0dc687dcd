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
  uint32_t rows, columns, depth, blockRows, blockDepth, perWorkgroup, groups = 1;
};

/// A library kernel's dispatch state over its bindings and constants, and
/// its workgroups run in order.
struct KernelCall {
  std::vector<uint32_t> constants;
  std::vector<void *> pointers;
  std::vector<size_t> lengths;
  sieve_dispatch_state_t dispatch{};

  void bind(uint32_t workgroups) {
    dispatch.workgroup_count[0] = workgroups;
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

/// Element `index` of a result of bf16 or f32 values.
double resultValue(const std::vector<uint8_t> &result, size_t index, bool f32Result) {
  if (f32Result) {
    float v;
    std::memcpy(&v, &result[index * 4], 4);
    return v;
  }
  uint16_t bits;
  std::memcpy(&bits, &result[index * 2], 2);
  return num::bf16ToFloat(bits);
}

/// What an fp32 sum of terms of total magnitude `magnitude` may round away
/// (2^-24 per addition, a few dozen deep), plus for a bf16 result one
/// rounding of at most 2^-9 relative.
double tolerance(double want, double magnitude, bool f32Result) {
  return 0x1p-24 * 64 * magnitude + (f32Result ? 0.0 : std::fabs(want) * 0x1p-8);
}

/// Operands and the kernel's answer for one shape.
struct GemmRun : KernelCall {
  std::vector<uint16_t> activation; // bf16 bits [rows][depth]
  std::vector<uint8_t> weight;      // E4M3 codes [columns][depth]
  std::vector<uint8_t> scales;      // E8M0 [ceil(columns / bn)][depth / bk]
  std::vector<uint8_t> result;      // [rows][columns] of bf16 or f32

  GemmRun(const Shape &s, bool f32Result, uint32_t seed) {
    std::mt19937 random(seed);
    activation.resize(size_t(s.rows) * s.groups * s.depth);
    for (uint16_t &a : activation)
      a = num::bf16FromFloat(std::normal_distribution<float>(0.f, 1.f)(random));
    weight.resize(size_t(s.groups) * s.columns * s.depth);
    for (uint8_t &w : weight) {
      do
        w = uint8_t(random());
      while ((w & 0x7F) == 0x7F); // E4M3's NaN codes
    }
    scales.resize(size_t((s.groups * s.columns + s.blockRows - 1) / s.blockRows) *
                  (s.depth / s.blockDepth));
    for (uint8_t &e : scales)
      e = uint8_t(120 + random() % 10);
    result.assign(size_t(s.rows) * s.groups * s.columns * (f32Result ? 4 : 2), 0xEE);
    constants = {s.rows, s.columns, s.depth, s.blockRows, s.blockDepth, s.perWorkgroup, s.groups};
    pointers = {activation.data(), weight.data(), scales.data(), result.data()};
    lengths = {activation.size() * 2, weight.size(), scales.size(), result.size()};
    bind(s.groups * ((s.columns + s.perWorkgroup - 1) / s.perWorkgroup));
  }
};

/// Output (m, n) of all groups' G * N, exactly, and the sum of its terms'
/// magnitudes (what bounds an fp32 sum's rounding).
std::pair<double, double> expected(const GemmRun &run, const Shape &s, uint32_t m, uint32_t n) {
  const uint32_t depthBlocks = s.depth / s.blockDepth, group = n / s.columns;
  double sum = 0, magnitude = 0;
  for (uint32_t k = 0; k < s.depth; ++k) {
    double a = num::bf16ToFloat(run.activation[(size_t(m) * s.groups + group) * s.depth + k]);
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
  // Partial last workgroups and scale blocks, 1 row, blocks of 32 to 128,
  // and groups (wo_a: each group its own activation slice and weight rows).
  for (const Shape &s : {Shape{37, 300, 256, 128, 128, 128}, Shape{1, 64, 96, 32, 32, 64},
                         Shape{130, 200, 128, 64, 64, 128}, Shape{45, 256, 256, 128, 128, 128, 4},
                         Shape{3, 96, 64, 32, 64, 64, 3}}) {
    GemmRun run(s, f32Result, s.rows * 7 + s.columns);
    ASSERT_EQ(run.runAll(kernel), 0);
    const uint32_t allColumns = s.groups * s.columns;
    for (uint32_t m = 0; m < s.rows; ++m)
      for (uint32_t n = 0; n < allColumns; ++n) {
        auto [want, magnitude] = expected(run, s, m, n);
        const double got = resultValue(run.result, size_t(m) * allColumns + n, f32Result);
        ASSERT_NEAR(got, want, tolerance(want, magnitude, f32Result))
            << "row " << m << ", column " << n << " of " << s.rows << "x" << s.columns << "x"
            << s.depth;
      }
  }
}

// Every prefill length is a row count; past the cap of fixed-row primitives
// new counts share one runtime-row primitive, with the same results.
TEST_P(OnednnMatmul, RowCountsPastTheFixedPrimitiveCapStayCorrect) {
  for (uint32_t rows = 1; rows <= 300; ++rows) {
    const Shape s{rows, 64, 64, 32, 32, 64};
    GemmRun run(s, GetParam(), rows);
    ASSERT_EQ(run.runAll(kernel), 0) << rows << " rows";
    const uint32_t m = rows - 1; // the last row: what a wrong row count would miss
    for (uint32_t n = 0; n < s.columns; ++n) {
      auto [want, magnitude] = expected(run, s, m, n);
      const double got = resultValue(run.result, size_t(m) * s.columns + n, GetParam());
      ASSERT_NEAR(got, want, tolerance(want, magnitude, GetParam()))
          << rows << " rows, column " << n;
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
  EXPECT_EQ(refused([](GemmRun &r) { r.constants[6] = 0; }), kLibraryKernelBadArguments);
  EXPECT_EQ(refused([](GemmRun &r) { r.constants[6] = 2; }),
            kLibraryKernelBadArguments); // twice the bytes the bindings have
  EXPECT_EQ(refused([](GemmRun &r) { r.dispatch.constant_count = 6; }), kLibraryKernelBadArguments);
}

INSTANTIATE_TEST_SUITE_P(Results, OnednnMatmul, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return std::string(info.param ? "F32" : "Bf16");
                         });

/// The routed experts' GEMM: rows grouped by expert through offsets.
struct ExpertsRun : KernelCall {
  uint32_t rows, columns, depth, experts, perWorkgroup;
  std::vector<uint16_t> activation; // bf16 bits [rows][depth]
  std::vector<uint8_t> weight;      // E2M1 pairs [experts][columns][depth / 2]
  std::vector<uint8_t> scales;      // E8M0 [experts][columns][depth / 32]
  std::vector<int32_t> offsets;     // [experts + 1]
  std::vector<uint8_t> result;

  ExpertsRun(uint32_t rows, uint32_t columns, uint32_t depth, std::vector<int32_t> offsets,
             uint32_t perWorkgroup, bool f32Result, uint32_t seed)
      : rows(rows), columns(columns), depth(depth), experts(uint32_t(offsets.size() - 1)),
        perWorkgroup(perWorkgroup), offsets(std::move(offsets)) {
    std::mt19937 random(seed);
    activation.resize(size_t(rows) * depth);
    for (uint16_t &a : activation)
      a = num::bf16FromFloat(std::normal_distribution<float>(0.f, 1.f)(random));
    weight.resize(size_t(experts) * columns * depth / 2);
    for (uint8_t &w : weight)
      w = uint8_t(random());
    scales.resize(size_t(experts) * columns * depth / 32);
    // Some blocks at the tiny scales 2^-127 and 2^-126, whose products are
    // not normal bf16 (the decode's float path).
    for (uint8_t &e : scales)
      e = random() % 16 == 0 ? uint8_t(random() % 2) : uint8_t(122 + random() % 8);
    result.assign(size_t(rows) * columns * (f32Result ? 4 : 2), 0xEE); // stale arena bytes
    constants = {rows, columns, depth, experts, perWorkgroup};
    pointers = {activation.data(), weight.data(), scales.data(), this->offsets.data(),
                result.data()};
    lengths = {activation.size() * 2, weight.size(), scales.size(), this->offsets.size() * 4,
               result.size()};
    bind(experts * ((columns + perWorkgroup - 1) / perWorkgroup));
  }

  /// Output (m, n) exactly (0 past offsets[E]) and its terms' magnitudes.
  std::pair<double, double> expected(uint32_t m, uint32_t n) const {
    uint32_t expert = 0;
    while (expert < experts &&
           !(m >= uint32_t(offsets[expert]) && m < uint32_t(offsets[expert + 1])))
      ++expert;
    if (expert == experts)
      return {0.0, 0.0};
    double sum = 0, magnitude = 0;
    const size_t row = size_t(expert) * columns + n;
    for (uint32_t k = 0; k < depth; ++k) {
      uint8_t pair = weight[row * (depth / 2) + k / 2];
      double w = num::e2m1ToFloat(uint8_t(k % 2 ? pair >> 4 : pair & 15)) *
                 double(num::e8m0ToFloat(scales[row * (depth / 32) + k / 32]));
      double a = num::bf16ToFloat(activation[size_t(m) * depth + k]);
      sum += a * w;
      magnitude += std::fabs(a * w);
    }
    return {sum, magnitude};
  }
};

class OnednnExperts : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    kernel = findLibraryKernel(GetParam() ? "onednn.grouped_matmul_mxfp4w_f32"
                                          : "onednn.grouped_matmul_mxfp4w_bf16");
    if (!kernel)
      GTEST_SKIP() << "this runtime is built without oneDNN (" << libraryKernelsProvided() << ")";
  }
  sieve_kernel_fn kernel = nullptr;
};

TEST_P(OnednnExperts, EachRowTimesItsExpertAndZerosPastTheLast) {
  const bool f32Result = GetParam();
  // Experts with no rows, one row, many; 7 rows past offsets[E]; a partial
  // column tile.
  ExpertsRun run(60, 200, 128, {0, 0, 1, 20, 20, 53}, 128, f32Result, 3);
  ASSERT_EQ(run.runAll(kernel), 0);
  for (uint32_t m = 0; m < run.rows; ++m)
    for (uint32_t n = 0; n < run.columns; ++n) {
      auto [want, magnitude] = run.expected(m, n);
      const double got = resultValue(run.result, size_t(m) * run.columns + n, f32Result);
      ASSERT_NEAR(got, want, tolerance(want, magnitude, f32Result))
          << "row " << m << ", column " << n;
    }
}

TEST_P(OnednnExperts, OffsetsAndArgumentsItCannotUseAreAnErrorCode) {
  auto refused = [&](std::vector<int32_t> offsets, auto damage) {
    ExpertsRun run(16, 64, 64, std::move(offsets), 64, GetParam(), 1);
    damage(run);
    return run.runAll(kernel);
  };
  auto none = [](ExpertsRun &) {};
  EXPECT_EQ(refused({0, 4, 16}, none), 0);
  EXPECT_EQ(refused({0, 9, 4}, none), kLibraryKernelBadArguments); // decreasing
  EXPECT_EQ(refused({-1, 4, 16}, none), kLibraryKernelBadArguments);
  EXPECT_EQ(refused({0, 4, 17}, none), kLibraryKernelBadArguments); // past the rows
  EXPECT_EQ(refused({0, 4, 16}, [](ExpertsRun &r) { r.constants[2] = 48; }),
            kLibraryKernelBadArguments); // K not whole 32-blocks
  EXPECT_EQ(refused({0, 4, 16}, [](ExpertsRun &r) { r.lengths[3] = 8; }),
            kLibraryKernelBadArguments); // the offsets cut short
  EXPECT_EQ(refused({0, 4, 16}, [](ExpertsRun &r) { r.lengths[1] -= 1; }),
            kLibraryKernelBadArguments);
  EXPECT_EQ(refused({0, 4, 16}, [](ExpertsRun &r) { r.dispatch.workgroup_count[0] = 3; }),
            kLibraryKernelBadArguments); // an expert past the last
  EXPECT_EQ(refused({0, 4, 16}, [](ExpertsRun &r) { r.dispatch.binding_count = 4; }),
            kLibraryKernelBadArguments);
}

INSTANTIATE_TEST_SUITE_P(Results, OnednnExperts, ::testing::Values(false, true),
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
