//===- simt_emulator_test.cpp - The SIMT emulator on hand-written kernels -===//
//
// Small NVVM kernels through sieve-gpu-emulate and the host compiler,
// run on the emulator: what the conformance suite relies on (shuffles of
// every mode, barriers ordering shared memory) and what it must refuse
// (threads diverging at a barrier, a warp's lanes at different places,
// misaligned bindings, wgmma operands it cannot read) with the reason.
//
//===----------------------------------------------------------------------===//

#include "host_kernel.h"
#include "simt_emulator.h"

#include "sieve/Conversion/KernelsToGPU/Passes.h"
#include "sieve/InitSieve.h"
#include "sieve/hal/serial_dispatch.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace sieve {
namespace {

using namespace mlir;

using EmulatedKernel = test::HostKernel;

class SimtEmulator : public ::testing::Test {
protected:
  SimtEmulator() {
    DialectRegistry registry;
    registerSieveDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    handler = std::make_unique<ScopedDiagnosticHandler>(&context, [this](Diagnostic &d) {
      errors += d.str() + "\n";
      return success();
    });
  }
  ~SimtEmulator() override { simt::setScheduleOrder(simt::ScheduleOrder::Descending); }

  /// `body` as kernel @k(%out: !llvm.ptr<1>) of `threads` threads, with
  /// %tid (its thread id), %mask (all lanes), and two shared buffers of 64
  /// i32, @a and @b, in scope.
  /// With `amd`, a ROCDL kernel (waves of 64 lanes).
  std::optional<EmulatedKernel> compile(const std::string &body, int threads = 64,
                                        bool amd = false) {
    std::string source = R"(module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @a() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<64 x i32>
    llvm.mlir.global internal @b() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<64 x i32>
    llvm.func @k(%out: !llvm.ptr<1> {llvm.align = 16 : i64}) attributes {gpu.kernel, gpu.known_block_size = array<i32: )" +
                         std::to_string(threads) + ", 1, 1>, " +
                         (amd ? "rocdl.kernel} {\n      %tid = rocdl.workitem.id.x : i32"
                              : "nvvm.kernel} {\n      %tid = nvvm.read.ptx.sreg.tid.x : i32") +
                         R"(
      %mask = llvm.mlir.constant(-1 : i32) : i32
      %sa = llvm.mlir.addressof @a : !llvm.ptr<3>
      %sb = llvm.mlir.addressof @b : !llvm.ptr<3>
)" + body + R"(
      llvm.return
    }
  }
})";
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return std::nullopt;
    PassManager pm(&context);
    pm.addPass(createGPUEmulatePass());
    if (failed(pm.run(*module)))
      return std::nullopt;
    return test::loadHostKernel(*module, "cpu:host", "k", errors);
  }

  /// Runs one block writing `out`.
  Status run(const EmulatedKernel &kernel, void *out, size_t bytes) {
    void *bindings[] = {out};
    size_t lengths[] = {bytes};
    sieve_dispatch_state_t dispatch{{1, 1, 1}, 0, nullptr, 1, bindings, lengths};
    return hal::runWorkgroupsSerially(kernel.fn, dispatch, "k");
  }

  /// Compiles `body`, runs one block, expects it to fail and returns the
  /// emulator's reason ("" where it compiled or ran when it should not).
  std::string failureOf(const std::string &body, int threads = 64) {
    std::optional<EmulatedKernel> kernel = compile(body, threads);
    EXPECT_TRUE(kernel) << errors;
    if (!kernel)
      return "";
    alignas(16) int32_t out[128];
    Status ran = run(*kernel, out, sizeof(out));
    EXPECT_FALSE(ran.isOk()) << "the block ran";
    return ran.isOk() ? "" : simt::lastError();
  }

  MLIRContext context;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::string errors;
};

/// Stores %value (i32) at out[%tid].
const char *kStoreValue = R"(
      %dst = llvm.getelementptr %out[%tid] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      llvm.store %value, %dst : i32, !llvm.ptr<1>)";

/// One shuffle of lane values 100 + lane; stores the value and, 64 words
/// later, the in-range flag.
std::string shuffleBody(const char *mode, int laneOrOffset, int maskAndClamp) {
  return R"(
      %c100 = llvm.mlir.constant(100 : i32) : i32
      %c64 = llvm.mlir.constant(64 : i32) : i32
      %own = llvm.add %tid, %c100 : i32
      %b = llvm.mlir.constant()" +
         std::to_string(laneOrOffset) + R"( : i32) : i32
      %c = llvm.mlir.constant()" +
         std::to_string(maskAndClamp) + R"( : i32) : i32
      %pair = nvvm.shfl.sync )" +
         mode + R"( %mask, %own, %b, %c {return_value_and_is_valid} : i32 -> !llvm.struct<(i32, i1)>
      %value = llvm.extractvalue %pair[0] : !llvm.struct<(i32, i1)>
      %valid = llvm.extractvalue %pair[1] : !llvm.struct<(i32, i1)>
      %flag = llvm.zext %valid : i1 to i32
      %at = llvm.add %tid, %c64 : i32
      %flagDst = llvm.getelementptr %out[%at] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      llvm.store %flag, %flagDst : i32, !llvm.ptr<1>)" +
         kStoreValue;
}

struct ShuffleCase {
  const char *mode;
  int laneOrOffset, maskAndClamp;
  /// The lane read by `lane` (-1: out of range, the lane's own value).
  int (*source)(int lane);
};

void PrintTo(const ShuffleCase &c, std::ostream *os) {
  *os << c.mode << "_" << c.laneOrOffset << "_clamp_" << c.maskAndClamp;
}

class SimtShuffle : public SimtEmulator, public ::testing::WithParamInterface<ShuffleCase> {};

TEST_P(SimtShuffle, ReadsTheLaneThePtxIsaNames) {
  const ShuffleCase &c = GetParam();
  std::optional<EmulatedKernel> kernel =
      compile(shuffleBody(c.mode, c.laneOrOffset, c.maskAndClamp));
  ASSERT_TRUE(kernel) << errors;
  alignas(16) int32_t out[128];
  Status ran = run(*kernel, out, sizeof(out));
  ASSERT_TRUE(ran.isOk()) << ran.message() << ": " << simt::lastError();
  for (int t = 0; t < 64; ++t) {
    const int lane = t % 32, warpBase = t - lane;
    const int source = c.source(lane);
    EXPECT_EQ(out[t], 100 + warpBase + (source < 0 ? lane : source)) << "thread " << t;
    EXPECT_EQ(out[64 + t], source < 0 ? 0 : 1) << "thread " << t << "'s in-range flag";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, SimtShuffle,
    ::testing::Values(
        // gpu.shuffle's operands for a whole warp: up by 3 (clamp 0), down
        // by 5 and xor 6 and idx 7 (clamp 31).
        ShuffleCase{"up", 3, 0, [](int lane) { return lane >= 3 ? lane - 3 : -1; }},
        ShuffleCase{"down", 5, 31, [](int lane) { return lane + 5 < 32 ? lane + 5 : -1; }},
        ShuffleCase{"bfly", 6, 31, [](int lane) { return lane ^ 6; }},
        ShuffleCase{"idx", 7, 31, [](int) { return 7; }},
        // Segments of 8 lanes (width 8: (32 - 8) << 8 in the clamp operand):
        // down by 2 stays in the lane's segment, idx 3 reads its segment's
        // lane 3.
        ShuffleCase{"down", 2, (24 << 8) | 31,
                    [](int lane) { return lane % 8 + 2 < 8 ? lane + 2 : -1; }},
        ShuffleCase{"idx", 3, (24 << 8) | 31, [](int lane) { return lane / 8 * 8 + 3; }}));

/// Each thread stores its id in shared @a, then (after a barrier if
/// `withBarrier`) reads its mirror's.
std::string mirrorBody(bool withBarrier) {
  return std::string(R"(
      %slot = llvm.getelementptr %sa[%tid] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i32
      llvm.store %tid, %slot : i32, !llvm.ptr<3>
)") + (withBarrier ? "      nvvm.barrier0\n" : "") +
         R"(
      %c63 = llvm.mlir.constant(63 : i32) : i32
      %mirror = llvm.sub %c63, %tid : i32
      %from = llvm.getelementptr %sa[%mirror] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i32
      %value = llvm.load %from : !llvm.ptr<3> -> i32)" +
         kStoreValue;
}

TEST_F(SimtEmulator, ABarrierOrdersSharedMemoryBetweenThreads) {
  std::optional<EmulatedKernel> kernel = compile(mirrorBody(true));
  ASSERT_TRUE(kernel) << errors;
  alignas(16) int32_t out[64];
  for (auto order : {simt::ScheduleOrder::Ascending, simt::ScheduleOrder::Descending}) {
    simt::setScheduleOrder(order);
    Status ran = run(*kernel, out, sizeof(out));
    ASSERT_TRUE(ran.isOk()) << ran.message() << ": " << simt::lastError();
    for (int t = 0; t < 64; ++t)
      EXPECT_EQ(out[t], 63 - t) << "thread " << t;
  }
}

// Without the barrier the result depends on the schedule: run last thread
// first, the upper threads read shared memory nobody wrote yet, which the
// emulator fills with all-ones bytes.
TEST_F(SimtEmulator, ARaceOnSharedMemoryShowsAsPoison) {
  std::optional<EmulatedKernel> kernel = compile(mirrorBody(false));
  ASSERT_TRUE(kernel) << errors;
  alignas(16) int32_t out[64];
  simt::setScheduleOrder(simt::ScheduleOrder::Descending);
  Status ran = run(*kernel, out, sizeof(out));
  ASSERT_TRUE(ran.isOk()) << ran.message();
  EXPECT_EQ(out[63], -1) << "thread 63 ran first and read thread 0's unwritten slot";
  EXPECT_EQ(out[0], 63) << "thread 0 ran last";
}

TEST_F(SimtEmulator, ThreadsAtDifferentBarriersAreAnError) {
  std::string why = failureOf(R"(
      %c32 = llvm.mlir.constant(32 : i32) : i32
      %low = llvm.icmp "ult" %tid, %c32 : i32
      llvm.cond_br %low, ^first, ^second
    ^first:
      nvvm.barrier0
      llvm.br ^done
    ^second:
      nvvm.barrier0
      llvm.br ^done
    ^done:
      %value = llvm.mlir.constant(1 : i32) : i32)" +
                              std::string(kStoreValue));
  EXPECT_NE(why.find("the threads diverged at a barrier"), std::string::npos) << why;
}

/// Lanes 0..15 shuffle; the other threads run `others` (which ends the
/// kernel) instead.
std::string halfWarpShuffleBody(const char *others) {
  return std::string(R"(
      %c16 = llvm.mlir.constant(16 : i32) : i32
      %low = llvm.icmp "ult" %tid, %c16 : i32
      llvm.cond_br %low, ^shuffle, ^others
    ^others:
)") + others +
         R"(
    ^shuffle:
      %one = llvm.mlir.constant(1 : i32) : i32
      %c31 = llvm.mlir.constant(31 : i32) : i32
      %value = nvvm.shfl.sync bfly %mask, %tid, %one, %c31 : i32 -> i32)" +
         kStoreValue;
}

TEST_F(SimtEmulator, ALaneThatExitsBeforeItsWarpsShuffleIsAnError) {
  std::string why = failureOf(halfWarpShuffleBody("      llvm.return"));
  EXPECT_NE(why.find("exited while"), std::string::npos) << why;
}

TEST_F(SimtEmulator, AWarpSplitBetweenAShuffleAndABarrierCannotProgress) {
  std::string why = failureOf(halfWarpShuffleBody("      nvvm.barrier0\n      llvm.return"));
  EXPECT_NE(why.find("can make no progress"), std::string::npos) << why;
}

TEST_F(SimtEmulator, AMisalignedBindingIsRefused) {
  std::optional<EmulatedKernel> kernel = compile(mirrorBody(true));
  ASSERT_TRUE(kernel) << errors;
  alignas(16) int32_t out[65];
  Status ran = run(*kernel, out + 1, sizeof(out) - 4);
  EXPECT_FALSE(ran.isOk());
  EXPECT_NE(simt::lastError().find("not 16-byte aligned"), std::string::npos) << simt::lastError();
}

TEST_F(SimtEmulator, AKernelWithoutTheEmulatorsTableFails) {
  std::optional<EmulatedKernel> kernel = compile(mirrorBody(true));
  ASSERT_TRUE(kernel) << errors;
  Expected<void *> table = kernel->library.data(SIEVE_SIMT_RUNTIME_SYMBOL);
  ASSERT_TRUE(table.isOk());
  *static_cast<const sieve_simt_runtime_t **>(*table) = nullptr;
  alignas(16) int32_t out[64];
  Status ran = run(*kernel, out, sizeof(out));
  EXPECT_FALSE(ran.isOk());
  EXPECT_NE(ran.message().find("failed with code -1"), std::string::npos) << ran.message();
}

/// One wgmma m64n8k16 over zero accumulators with descriptors %da and %db
/// (defined by `descriptors`); stores the first accumulator's bits.
std::string wgmmaBody(const std::string &descriptors) {
  return descriptors + R"(
      %zero = llvm.mlir.constant(0.0 : f32) : f32
      %u = llvm.mlir.poison : !llvm.struct<(f32, f32, f32, f32)>
      %c0 = llvm.insertvalue %zero, %u[0] : !llvm.struct<(f32, f32, f32, f32)>
      %c1 = llvm.insertvalue %zero, %c0[1] : !llvm.struct<(f32, f32, f32, f32)>
      %c2 = llvm.insertvalue %zero, %c1[2] : !llvm.struct<(f32, f32, f32, f32)>
      %c3 = llvm.insertvalue %zero, %c2[3] : !llvm.struct<(f32, f32, f32, f32)>
      nvvm.wgmma.fence.aligned
      %d = nvvm.wgmma.mma_async %da, %db, %c3, <m = 64, n = 8, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>] : !llvm.struct<(f32, f32, f32, f32)> -> !llvm.struct<(f32, f32, f32, f32)>
      nvvm.wgmma.commit.group.sync.aligned
      nvvm.wgmma.wait.group.sync.aligned 0
      %first = llvm.extractvalue %d[0] : !llvm.struct<(f32, f32, f32, f32)>
      %value = llvm.bitcast %first : f32 to i32)" +
         std::string(kStoreValue);
}

/// Descriptors of the shared buffer @a: start 0, 128 bytes to the next core
/// matrix in K and 256 to the next 8 rows, `extra` or'ed into A's.
std::string sharedDescriptors(const char *extra = "0") {
  return std::string(R"(
      %strides = llvm.mlir.constant(68720001024 : i64) : i64
      %extra = llvm.mlir.constant()") +
         extra + R"( : i64) : i64
      %da = llvm.or %strides, %extra : i64
      %db = llvm.mlir.constant(68720001024 : i64) : i64)";
}

TEST_F(SimtEmulator, AWarpgroupsWgmmaNeedsTheSameDescriptorsInEveryThread) {
  std::string why = failureOf(wgmmaBody(R"(
      %da = llvm.zext %tid : i32 to i64
      %db = llvm.mlir.constant(0 : i64) : i64)"),
                              /*threads=*/128);
  EXPECT_NE(why.find("a warpgroup's must be the same"), std::string::npos) << why;
}

TEST_F(SimtEmulator, AWgmmaInABlockOfPartialWarpgroupsIsAnError) {
  std::string why = failureOf(wgmmaBody(sharedDescriptors()), /*threads=*/64);
  EXPECT_NE(why.find("not whole warpgroups"), std::string::npos) << why;
}

TEST_F(SimtEmulator, AWgmmaReadingPastTheBlocksSharedMemoryIsAnError) {
  // 64 rows of A at 256 bytes per 8 rows reach past @a and @b's 512 bytes.
  std::string why = failureOf(wgmmaBody(sharedDescriptors()), /*threads=*/128);
  EXPECT_NE(why.find("a wgmma reads byte"), std::string::npos) << why;
}

TEST_F(SimtEmulator, ASwizzledWgmmaOperandIsRefused) {
  // Bits 62-63: 1 is 128-byte swizzling.
  std::string why = failureOf(wgmmaBody(sharedDescriptors("4611686018427387904")), /*threads=*/128);
  EXPECT_NE(why.find("swizzling"), std::string::npos) << why;
}

// A CDNA wave runs divergent code under an execution mask: lanes 40..63
// branch away, and lanes 0..39 permute among themselves; lane 39 reads lane
// 40, which is off, and gets 0. The lane id comes from mbcnt as the ROCDL
// lowering computes it.
TEST_F(SimtEmulator, ABpermuteReadsZeroFromLanesOffInTheWave) {
  std::optional<EmulatedKernel> kernel = compile(R"(
      %zero = llvm.mlir.constant(0 : i32) : i32
      %low = rocdl.mbcnt.lo %mask, %zero : (i32, i32) -> i32
      %lane = rocdl.mbcnt.hi %mask, %low : (i32, i32) -> i32
      %c40 = llvm.mlir.constant(40 : i32) : i32
      %inside = llvm.icmp "ult" %lane, %c40 : i32
      llvm.cond_br %inside, ^permute, ^away
    ^away:
      %minus = llvm.mlir.constant(-5 : i32) : i32
      llvm.br ^store(%minus : i32)
    ^permute:
      %one = llvm.mlir.constant(1 : i32) : i32
      %four = llvm.mlir.constant(4 : i32) : i32
      %c100 = llvm.mlir.constant(100 : i32) : i32
      %next = llvm.add %lane, %one : i32
      %address = llvm.mul %next, %four : i32
      %own = llvm.add %lane, %c100 : i32
      %read = rocdl.ds_bpermute %address, %own : (i32, i32) -> i32
      llvm.br ^store(%read : i32)
    ^store(%value: i32):)" + std::string(kStoreValue),
                                                 /*threads=*/128, /*amd=*/true);
  ASSERT_TRUE(kernel) << errors;
  alignas(16) int32_t out[128];
  Status ran = run(*kernel, out, sizeof(out));
  ASSERT_TRUE(ran.isOk()) << ran.message() << ": " << simt::lastError();
  for (int t = 0; t < 128; ++t) {
    const int lane = t % 64;
    const int want = lane >= 40 ? -5 : lane == 39 ? 0 : 100 + lane + 1;
    EXPECT_EQ(out[t], want) << "thread " << t;
  }
}

// gfx950's scaled MFMA 16x16x128 over one wave, E4M3FN A (scale byte 1
// of its word) times E2M1 B (byte 2), every lane's operands and C read
// from the binding: words 0.. A's 8 per lane, 512.. B's 4, 768.. and 832..
// the scale words, 896.. C's 4 f32, D's written from 1152. The expected D
// comes from the decoded matrices by the plain product.
TEST_F(SimtEmulator, AScaledMfmaMultipliesTheWavesScaledOperands) {
  std::optional<EmulatedKernel> kernel = compile(R"(
      %c4 = llvm.mlir.constant(4 : i32) : i32
      %c8 = llvm.mlir.constant(8 : i32) : i32
      %aAt = llvm.mul %tid, %c8 : i32
      %aPtr = llvm.getelementptr %out[%aAt] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %a = llvm.load %aPtr {alignment = 4 : i64} : !llvm.ptr<1> -> vector<8xi32>
      %quad = llvm.mul %tid, %c4 : i32
      %c512 = llvm.mlir.constant(512 : i32) : i32
      %bAt = llvm.add %quad, %c512 : i32
      %bPtr = llvm.getelementptr %out[%bAt] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %b = llvm.load %bPtr {alignment = 4 : i64} : !llvm.ptr<1> -> vector<4xi32>
      %c768 = llvm.mlir.constant(768 : i32) : i32
      %scaleAAt = llvm.add %tid, %c768 : i32
      %scaleAPtr = llvm.getelementptr %out[%scaleAAt] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %scaleA = llvm.load %scaleAPtr : !llvm.ptr<1> -> i32
      %c832 = llvm.mlir.constant(832 : i32) : i32
      %scaleBAt = llvm.add %tid, %c832 : i32
      %scaleBPtr = llvm.getelementptr %out[%scaleBAt] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %scaleB = llvm.load %scaleBPtr : !llvm.ptr<1> -> i32
      %c896 = llvm.mlir.constant(896 : i32) : i32
      %cAt = llvm.add %quad, %c896 : i32
      %cPtr = llvm.getelementptr %out[%cAt] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %c = llvm.load %cPtr {alignment = 4 : i64} : !llvm.ptr<1> -> vector<4xf32>
      %e4m3 = llvm.mlir.constant(0 : i32) : i32
      %e2m1 = llvm.mlir.constant(4 : i32) : i32
      %byte1 = llvm.mlir.constant(1 : i32) : i32
      %byte2 = llvm.mlir.constant(2 : i32) : i32
      %d = rocdl.mfma.scale.f32.16x16x128.f8f6f4 %a, %b, %c, %e4m3, %e2m1, %byte1, %scaleA, %byte2, %scaleB : (vector<8xi32>, vector<4xi32>, vector<4xf32>, i32, i32, i32, i32, i32, i32) -> vector<4xf32>
      %c1152 = llvm.mlir.constant(1152 : i32) : i32
      %dAt = llvm.add %quad, %c1152 : i32
      %dPtr = llvm.getelementptr %out[%dAt] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      llvm.store %d, %dPtr {alignment = 4 : i64} : vector<4xf32>, !llvm.ptr<1>)",
                                                 /*threads=*/64, /*amd=*/true);
  ASSERT_TRUE(kernel) << errors;

  // Codes and their values from the formats' definitions: E4M3FN (1 sign,
  // 4 exponent bits biased by 7, 3 mantissa bits; 0x01 the smallest
  // subnormal, 0x7E the largest) and E2M1 (1 sign, 2 exponent bits biased
  // by 1, 1 mantissa bit).
  const struct {
    uint8_t code;
    float value;
  } e4m3[] = {{0x00, 0.0f},   {0x38, 1.0f},  {0xB8, -1.0f}, {0x3C, 1.5f},
              {0x30, 0.5f},   {0x44, 3.0f},  {0xC0, -2.0f}, {0x01, 0.001953125f},
              {0x7E, 448.0f}, {0x52, 10.0f}, {0xD5, -13.0f}};
  const float e2m1[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  uint8_t aCodes[16][128], bCodes[128][16];
  float a[16][128], b[128][16], c[16][16];
  for (int i = 0; i < 16; ++i)
    for (int k = 0; k < 128; ++k) {
      const auto &pick = e4m3[(i * 5 + k * 3 + k / 7) % std::size(e4m3)];
      aCodes[i][k] = pick.code;
      a[i][k] = pick.value;
    }
  for (int k = 0; k < 128; ++k)
    for (int j = 0; j < 16; ++j) {
      bCodes[k][j] = uint8_t((k * 3 + j * 5 + 1) % 16);
      b[k][j] = e2m1[bCodes[k][j]];
    }
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j)
      c[i][j] = 0.25f * float(i - j);
  // E8M0 scales of A's rows and B's columns per block of 32 K: 2^0 but
  // for A's row 3 in block 2 (2^3), B's column 5 in block 1 (2^-3), and
  // A's row 7 in block 1, NaN.
  uint8_t scaleA[16][4], scaleB[16][4];
  std::memset(scaleA, 127, sizeof(scaleA));
  std::memset(scaleB, 127, sizeof(scaleB));
  scaleA[3][2] = 130;
  scaleB[5][1] = 124;
  scaleA[7][1] = 0xFF;

  // The lanes' registers, from CDNA4's layouts: lane l holds row (or
  // column) l % 16 at K 32 (l / 16) + e, code e in byte e (E4M3FN) or bits
  // 4e.. (E2M1); its block's scales in the bytes opsel picks (the others
  // NaN, which a wrong byte would show); C and D at rows 4 (l / 16) + i.
  alignas(16) uint32_t buffer[1408] = {};
  for (int lane = 0; lane < 64; ++lane) {
    const int index = lane % 16, group = lane / 16;
    for (int e = 0; e < 32; ++e) {
      const int k = 32 * group + e;
      buffer[8 * lane + e / 4] |= uint32_t(aCodes[index][k]) << (8 * (e % 4));
      buffer[512 + 4 * lane + e / 8] |= uint32_t(bCodes[k][index]) << (4 * (e % 8));
    }
    buffer[768 + lane] = 0xffff00ffu | uint32_t(scaleA[index][group]) << 8;
    buffer[832 + lane] = 0xff00ffffu | uint32_t(scaleB[index][group]) << 16;
    for (int i = 0; i < 4; ++i)
      std::memcpy(&buffer[896 + 4 * lane + i], &c[4 * group + i][index], sizeof(float));
  }
  Status ran = run(*kernel, buffer, sizeof(buffer));
  ASSERT_TRUE(ran.isOk()) << ran.message() << ": " << simt::lastError();

  // Every product and sum here is exact in double, so one rounding to f32
  // gives the same D in any order of summation.
  int nans = 0;
  for (int lane = 0; lane < 64; ++lane)
    for (int r = 0; r < 4; ++r) {
      const int i = 4 * (lane / 16) + r, j = lane % 16;
      double sum = c[i][j];
      bool usesNan = false;
      for (int k = 0; k < 128; ++k) {
        usesNan |= scaleA[i][k / 32] == 0xFF || scaleB[j][k / 32] == 0xFF;
        sum += double(a[i][k]) * std::ldexp(1.0, scaleA[i][k / 32] - 127) * double(b[k][j]) *
               std::ldexp(1.0, scaleB[j][k / 32] - 127);
      }
      float d;
      std::memcpy(&d, &buffer[1152 + 4 * lane + r], sizeof(d));
      nans += std::isnan(d);
      if (usesNan)
        EXPECT_TRUE(std::isnan(d)) << "D[" << i << "][" << j << "] = " << d;
      else
        EXPECT_EQ(d, float(sum)) << "D[" << i << "][" << j << "]";
    }
  EXPECT_EQ(nans, 16) << "row 7 only";
}

uint32_t bitsOf(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}

/// cvt.rn.satfinite.e4m3x2.f32 d, a, b: a's code in the high byte; ties to
/// even, E4M3's subnormals, +-448 for larger magnitudes and infinities,
/// NaN for NaN. Expected codes from E4M3FN's definition (1 sign, 4 exponent
/// bits biased by 7, 3 mantissa bits).
TEST(SimtConversions, RoundingToE4m3FollowsThePtxIsa) {
  const auto round = simt::runtime()->f32x2_to_e4m3x2;
  auto code = [&](float x) { return round(bitsOf(x), bitsOf(0.0f)) >> 8; };
  EXPECT_EQ(round(bitsOf(1.0f), bitsOf(-2.0f)), 0x38u << 8 | 0xC0u);
  EXPECT_EQ(code(1.0625f), 0x38u);       // halfway to 1.125: to the even 1.0
  EXPECT_EQ(code(1.1875f), 0x3Au);       // halfway to 1.25: to the even 1.25
  EXPECT_EQ(code(0.001953125f), 0x01u);  // 2^-9, the smallest subnormal
  EXPECT_EQ(code(0.0009765625f), 0x00u); // half of it: to the even 0
  EXPECT_EQ(code(-0.0f), 0x80u);
  EXPECT_EQ(code(448.0f), 0x7Eu);
  EXPECT_EQ(code(1000.0f), 0x7Eu); // satfinite
  EXPECT_EQ(code(-INFINITY), 0xFEu);
  EXPECT_EQ(code(NAN) & 0x7F, 0x7Fu);
}

/// cvt.rn.satfinite.e2m1x2.f32 d, a, b: a's code in bits 4..7; ties to
/// even, +-6 for larger magnitudes and infinities, and +6 for NaN (E2M1 has
/// none). Expected codes from E2M1's definition (1 sign, 2 exponent bits
/// biased by 1, 1 mantissa bit: 0, 0.5, 1, 1.5, 2, 3, 4, 6).
TEST(SimtConversions, RoundingToE2m1FollowsThePtxIsa) {
  const auto round = simt::runtime()->f32x2_to_e2m1x2;
  auto code = [&](float x) { return round(bitsOf(x), bitsOf(0.0f)) >> 4; };
  EXPECT_EQ(round(bitsOf(1.0f), bitsOf(-2.0f)), 0x2u << 4 | 0xCu);
  EXPECT_EQ(code(0.25f), 0x0u); // halfway to 0.5: to the even 0
  EXPECT_EQ(code(0.75f), 0x2u); // halfway between 0.5 and 1: to the even 1
  EXPECT_EQ(code(1.25f), 0x2u);
  EXPECT_EQ(code(2.5f), 0x4u);
  EXPECT_EQ(code(5.0f), 0x6u); // halfway between 4 and 6: to the even 4
  EXPECT_EQ(code(5.5f), 0x7u);
  EXPECT_EQ(code(-0.1f), 0x8u);
  EXPECT_EQ(code(100.0f), 0x7u); // satfinite
  EXPECT_EQ(code(-INFINITY), 0xFu);
  EXPECT_EQ(code(NAN), 0x7u);
}

} // namespace
} // namespace sieve
