//===- simt_emulator_test.cpp - The SIMT emulator on hand-written kernels -===//
//
// Small NVVM kernels through sieve-gpu-emulate and the host compiler,
// run on the emulator: what the conformance suite relies on (shuffles of
// every mode, barriers ordering shared memory, sm_100a's block-scaled MMA
// in tensor memory with its mbarrier) and what it must refuse (threads
// diverging at a barrier, a warp's lanes at different places, misaligned
// bindings, wgmma operands it cannot read, tensor memory misused, waits
// nobody ends) with the reason.
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
#include <initializer_list>
#include <iterator>
#include <memory>
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
  /// With `amd`, a ROCDL kernel (waves of 64 lanes). `globals` are more of
  /// the kernels' module.
  std::optional<EmulatedKernel> compile(const std::string &body, int threads = 64, bool amd = false,
                                        const std::string &globals = "") {
    std::string source = R"(module attributes {gpu.container_module} {
  gpu.module @kernels {)" +
                         globals +
                         R"(
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

/// A block-scaled tcgen05 product as Sieve's sm_100a kernels do it (the
/// PTX ISA's non-pipelined sequence), with one mistake at a time for the
/// failure tests.
struct Tcgen05Kernel {
  /// B in E2M1 (the padded layout: 16 codes in the first 8 bytes of each
  /// 16-byte chunk) instead of E4M3.
  bool e2m1B = false;
  /// Warps 1-3 also store their quarter's copy of A's scales.
  bool scalesInEveryQuarter = true;
  /// Warp 0 deallocates the 64 columns it allocated first.
  bool deallocatesAll = true;
  /// A's descriptor has tcgen05's fixed bit 46.
  bool tcgen05DescriptorA = true;
  /// Warp 1 stores its scales in its own quarter (not warp 0's).
  bool ownQuarters = true;
  /// The threads wait at the mbarrier before reading D.
  bool waitsForTheCommit = true;
  /// Thread 0 commits its MMAs.
  bool commits = true;
  /// Thread 0 zeroes A in shared memory after its commit, before it waits.
  bool zeroesABeforeTheWait = false;
};

// The binding's words: A (128 x 128 bytes) and B (16 x 128) as the kernel
// copies them into shared memory, each lane's four words of A's scales and
// one of B's (tcgen05.st x4 and x1), and D (each thread's tensor-memory lane,
// 16 f32) written back.
constexpr int kTc5K = 128, kTc5N = 16;
constexpr int kTc5TileWords = (128 * kTc5K + kTc5N * kTc5K) / 4;
constexpr int kTc5ScaleA = kTc5TileWords, kTc5ScaleB = kTc5ScaleA + 128, kTc5D = kTc5ScaleB + 32;
constexpr int kTc5Words = kTc5D + 128 * kTc5N;

/// `text` with each `$name` of `values` replaced by its value.
std::string substitute(std::string text,
                       std::initializer_list<std::pair<std::string, std::string>> values) {
  for (const auto &[name, value] : values)
    for (size_t at = text.find("$" + name); at != std::string::npos;
         at = text.find("$" + name, at + value.size()))
      text.replace(at, name.size() + 1, value);
  return text;
}

/// Warp 0 allocates 64 tensor-memory columns, then the 32 the product uses
/// (D at their columns 0..15, A's scales at 16..19, B's at 20), and thread
/// 0 initializes an mbarrier; all threads copy A and B into shared memory
/// (K-major, unswizzled: 8 rows x 16 bytes per core matrix, LBO 128 bytes
/// along K, SBO 8 K = 1024 bytes per 8 rows), each warp stores its quarter
/// of the scales; thread 0 issues four MMAs of K = 32 (the first without
/// D), k-block kb with A's scales in byte kb and B's in byte 3 - kb (the
/// descriptor's SF ids and the scale addresses' bits 30-31 alike), and
/// commits to the mbarrier; all threads wait for it, load their lane of D
/// and store it; warp 0 deallocates.
std::string tcgen05Body(const Tcgen05Kernel &kernel) {
  std::string body =
      substitute(R"(
      %c0 = llvm.mlir.constant(0 : i32) : i32
      %c1 = llvm.mlir.constant(1 : i32) : i32
      %c3 = llvm.mlir.constant(3 : i32) : i32
      %c4 = llvm.mlir.constant(4 : i32) : i32
      %c5 = llvm.mlir.constant(5 : i32) : i32
      %c16 = llvm.mlir.constant(16 : i32) : i32
      %c20 = llvm.mlir.constant(20 : i32) : i32
      %c21 = llvm.mlir.constant(21 : i32) : i32
      %c31 = llvm.mlir.constant(31 : i32) : i32
      %c128 = llvm.mlir.constant(128 : i32) : i32
      %c32cols = llvm.mlir.constant(32 : i32) : i32
      %c64cols = llvm.mlir.constant(64 : i32) : i32
      %tileWords = llvm.mlir.constant($tileWords : i32) : i32
      %scaleAWords = llvm.mlir.constant($scaleAWords : i32) : i32
      %scaleBWords = llvm.mlir.constant($scaleBWords : i32) : i32
      %dWords = llvm.mlir.constant($dWords : i32) : i32
      %tiles = llvm.mlir.addressof @tiles : !llvm.ptr<3>
      %slots = llvm.mlir.addressof @slots : !llvm.ptr<3>
      %slot1 = llvm.getelementptr %slots[1] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i32
      %mbar = llvm.mlir.addressof @mbar : !llvm.ptr<3>
      %warp = llvm.lshr %tid, %c5 : i32
      %lane = llvm.and %tid, %c31 : i32
      %quarter = llvm.and %warp, %c3 : i32
      %laneOffset = llvm.shl %quarter, %c21 : i32
      %isWarp0 = llvm.icmp "eq" %warp, %c0 : i32
      %isWarp1 = llvm.icmp "eq" %warp, %c1 : i32
      %isThread0 = llvm.icmp "eq" %tid, %c0 : i32
      llvm.cond_br %isWarp0, ^alloc, ^init
    ^alloc:
      nvvm.tcgen05.alloc %slots, %c64cols : !llvm.ptr<3>, i32
      nvvm.tcgen05.alloc %slot1, %c32cols : !llvm.ptr<3>, i32
      nvvm.tcgen05.relinquish_alloc_permit
      llvm.br ^init
    ^init:
      llvm.cond_br %isThread0, ^initBarrier, ^copy(%tid : i32)
    ^initBarrier:
      nvvm.mbarrier.init %mbar, %c1 : !llvm.ptr<3>, i32
      llvm.br ^copy(%tid : i32)
    ^copy(%i: i32):
      %more = llvm.icmp "ult" %i, %tileWords : i32
      llvm.cond_br %more, ^copyWord, ^copied
    ^copyWord:
      %from = llvm.getelementptr %out[%i] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %word = llvm.load %from : !llvm.ptr<1> -> i32
      %to = llvm.getelementptr %tiles[%i] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i32
      llvm.store %word, %to : i32, !llvm.ptr<3>
      %next = llvm.add %i, %c128 : i32
      llvm.br ^copy(%next : i32)
    ^copied:
      nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
      nvvm.tcgen05.fence <before>
      nvvm.barrier0
      nvvm.tcgen05.fence <after>
      %base = llvm.load %slot1 : !llvm.ptr<3> -> i32
      %scaleAColumn = llvm.add %base, %c16 : i32
      %scaleBColumn = llvm.add %base, %c20 : i32
      %storeOffset = llvm.select %isWarp1, $warp1Offset, %laneOffset : i1, i32
      %scaleAAt = llvm.add %scaleAColumn, %storeOffset : i32
      %scaleBAt = llvm.add %scaleBColumn, %storeOffset : i32
      %scaleAPtr = llvm.inttoptr %scaleAAt : i32 to !llvm.ptr<6>
      %scaleBPtr = llvm.inttoptr %scaleBAt : i32 to !llvm.ptr<6>
      %lane4 = llvm.mul %lane, %c4 : i32
      %scaleAIndex = llvm.add %lane4, %scaleAWords : i32
      %scaleASrc = llvm.getelementptr %out[%scaleAIndex] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %scaleAWord = llvm.load %scaleASrc {alignment = 4 : i64} : !llvm.ptr<1> -> vector<4xi32>
      %scaleBIndex = llvm.add %lane, %scaleBWords : i32
      %scaleBSrc = llvm.getelementptr %out[%scaleBIndex] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      %scaleBWord = llvm.load %scaleBSrc : !llvm.ptr<1> -> i32
      $toScaleA
    ^storeScaleA:
      nvvm.tcgen05.st %scaleAPtr, %scaleAWord {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<4xi32>
      llvm.br ^storeScaleB
    ^storeScaleB:
      nvvm.tcgen05.st %scaleBPtr, %scaleBWord {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : i32
      nvvm.tcgen05.wait <store>
      nvvm.tcgen05.fence <before>
      nvvm.barrier0
      nvvm.tcgen05.fence <after>
      llvm.cond_br %isThread0, ^issue, ^wait
    ^issue:
      %c4i64 = llvm.mlir.constant(4 : i64) : i64
      %window = llvm.mlir.constant(262143 : i64) : i64
      %tilesAddress = llvm.ptrtoint %tiles : !llvm.ptr<3> to i64
      %tilesInWindow = llvm.and %tilesAddress, %window : i64
      %startA = llvm.lshr %tilesInWindow, %c4i64 : i64
      %bOffset = llvm.mlir.constant($bOffset : i64) : i64
      %startB = llvm.add %startA, %bOffset : i64
      %dPtr = llvm.inttoptr %base : i32 to !llvm.ptr<6>)",
                 {{"tileWords", std::to_string(kTc5TileWords)},
                  {"scaleAWords", std::to_string(kTc5ScaleA)},
                  {"scaleBWords", std::to_string(kTc5ScaleB)},
                  {"dWords", std::to_string(kTc5D)},
                  {"warp1Offset", kernel.ownQuarters ? "%laneOffset" : "%c0"},
                  {"toScaleA", kernel.scalesInEveryQuarter ? "llvm.br ^storeScaleA"
                                                           : "llvm.cond_br %isWarp0, ^storeScaleA, "
                                                             "^storeScaleB"},
                  {"bOffset", std::to_string(128 * kTc5K / 16)}});
  // LBO 128 and SBO 8 K bytes (>> 4), tcgen05's bit 46.
  const uint64_t strides = uint64_t(128 >> 4) << 16 | uint64_t(8 * kTc5K >> 4) << 32;
  const uint64_t version = uint64_t(1) << 46;
  const uint64_t highA = strides | (kernel.tcgen05DescriptorA ? version : 0);
  const uint64_t highB = strides | version;
  // M = 128, N = 16, A E4M3, B E4M3 or E2M1, UE8M0 scales.
  const uint32_t instruction =
      (kernel.e2m1B ? 5u : 0u) << 10 | uint32_t(kTc5N >> 3) << 17 | 1u << 23 | 1u << 27;
  for (int kb = 0; kb < kTc5K / 32; ++kb) {
    const uint32_t idA = uint32_t(kb), idB = uint32_t(3 - kb);
    // K-block kb starts 256 bytes (two core matrices along K) further.
    body += substitute(R"(
      %step$kb = llvm.mlir.constant($step : i64) : i64
      %highA$kb = llvm.mlir.constant($highA : i64) : i64
      %highB$kb = llvm.mlir.constant($highB : i64) : i64
      %a$kb = llvm.add %startA, %step$kb : i64
      %b$kb = llvm.add %startB, %step$kb : i64
      %da$kb = llvm.or %a$kb, %highA$kb : i64
      %db$kb = llvm.or %b$kb, %highB$kb : i64
      %idesc$kb = llvm.mlir.constant($idesc : i32) : i32
      %byteA$kb = llvm.mlir.constant($byteA : i32) : i32
      %byteB$kb = llvm.mlir.constant($byteB : i32) : i32
      %sa$kb = llvm.or %scaleAColumn, %byteA$kb : i32
      %sb$kb = llvm.or %scaleBColumn, %byteB$kb : i32
      %saPtr$kb = llvm.inttoptr %sa$kb : i32 to !llvm.ptr<6>
      %sbPtr$kb = llvm.inttoptr %sb$kb : i32 to !llvm.ptr<6>
      %accumulate$kb = llvm.mlir.constant($accumulate) : i1
      nvvm.tcgen05.mma.block_scale %dPtr, %da$kb, %db$kb, %idesc$kb, %accumulate$kb, %saPtr$kb, %sbPtr$kb {kind = #nvvm.block_scale_kind<mxf8f6f4>, ctaGroup = #nvvm.cta_group<cta_1>, blockScale = #nvvm.tcgen05_mma_block_scale<block32>} : (!llvm.ptr<6>, i64, i64, i32, i1, !llvm.ptr<6>, !llvm.ptr<6>))",
                       {{"kb", std::to_string(kb)},
                        {"step", std::to_string(256 * kb / 16)},
                        {"highA", std::to_string(highA)},
                        {"highB", std::to_string(highB)},
                        {"idesc", std::to_string(int32_t(instruction | idB << 4 | idA << 29))},
                        {"byteA", std::to_string(int32_t(idA << 30))},
                        {"byteB", std::to_string(int32_t(idB << 30))},
                        {"accumulate", kb ? "true" : "false"}});
  }
  if (kernel.commits)
    body += R"(
      nvvm.tcgen05.commit %mbar : !llvm.ptr<3>)";
  if (kernel.zeroesABeforeTheWait)
    body += substitute(R"(
      %aWords = llvm.mlir.constant($aWords : i32) : i32
      llvm.br ^zero(%c0 : i32)
    ^zero(%zi: i32):
      %zmore = llvm.icmp "ult" %zi, %aWords : i32
      llvm.cond_br %zmore, ^zeroWord, ^zeroed
    ^zeroWord:
      %zto = llvm.getelementptr %tiles[%zi] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i32
      llvm.store %c0, %zto : i32, !llvm.ptr<3>
      %znext = llvm.add %zi, %c1 : i32
      llvm.br ^zero(%znext : i32)
    ^zeroed:)",
                       {{"aWords", std::to_string(128 * kTc5K / 4)}});
  body += R"(
      llvm.br ^wait
    ^wait:)";
  body += kernel.waitsForTheCommit ? R"(
      llvm.br ^waitLoop)"
                                   : R"(
      llvm.br ^epilogue)";
  body += R"(
    ^waitLoop:
      %done = nvvm.mbarrier.try_wait %mbar, %c0 : !llvm.ptr<3>, i32 -> i1
      llvm.cond_br %done, ^epilogue, ^waitLoop
    ^epilogue:
      nvvm.tcgen05.fence <after>
      %dAt = llvm.add %base, %laneOffset : i32
      %dQuarter = llvm.inttoptr %dAt : i32 to !llvm.ptr<6>
      %acc = nvvm.tcgen05.ld %dQuarter {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<16xi32>
      nvvm.tcgen05.wait <load>
      %row = llvm.mul %tid, %c16 : i32
      %dIndex = llvm.add %row, %dWords : i32
      %dDst = llvm.getelementptr %out[%dIndex] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      llvm.store %acc, %dDst {alignment = 4 : i64} : vector<16xi32>, !llvm.ptr<1>
      nvvm.tcgen05.fence <before>
      nvvm.barrier0
      nvvm.tcgen05.fence <after>
      llvm.cond_br %isWarp0, ^dealloc, ^end
    ^dealloc:
      %product = llvm.inttoptr %base : i32 to !llvm.ptr<6>
      nvvm.tcgen05.dealloc %product, %c32cols : !llvm.ptr<6>, i32)";
  if (kernel.deallocatesAll)
    body += R"(
      %firstBase = llvm.load %slots : !llvm.ptr<3> -> i32
      %first = llvm.inttoptr %firstBase : i32 to !llvm.ptr<6>
      nvvm.tcgen05.dealloc %first, %c64cols : !llvm.ptr<6>, i32)";
  body += R"(
      llvm.br ^end
    ^end:
      llvm.cond_br %isThread0, ^inval, ^exit
    ^inval:
      nvvm.mbarrier.inval %mbar : !llvm.ptr<3>
      llvm.br ^exit
    ^exit:)";
  return body;
}

/// The shared memory tcgen05Body uses: A and B, the tcgen05.alloc slots,
/// the mbarrier.
std::string tcgen05Globals() {
  return substitute(R"(
    llvm.mlir.global internal @tiles() {addr_space = 3 : i32, alignment = 128 : i64} : !llvm.array<$words x i32>
    llvm.mlir.global internal @slots() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<2 x i32>
    llvm.mlir.global internal @mbar() {addr_space = 3 : i32, alignment = 8 : i64} : i64)",
                    {{"words", std::to_string(kTc5TileWords)}});
}

/// E4M3FN's value from its definition (1 sign, 4 exponent bits biased by 7,
/// 3 mantissa bits; exponent 0 subnormal), for codes other than NaN.
double e4m3Value(uint8_t code) {
  const int exponent = code >> 3 & 0xf, mantissa = code & 7;
  const double magnitude = exponent == 0 ? std::ldexp(mantissa / 8.0, -6)
                                         : std::ldexp(1.0 + mantissa / 8.0, exponent - 7);
  return code & 0x80 ? -magnitude : magnitude;
}

/// E2M1's values by code (1 sign, 2 exponent bits biased by 1, 1 mantissa
/// bit).
constexpr double kE2m1Values[16] = {0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6};

/// The operands, the binding laid out for tcgen05Body, and D as the PTX
/// ISA defines it.
struct Tcgen05Case {
  uint8_t a[128][kTc5K], b[kTc5N][kTc5K];
  // E8M0 codes per row and block of 32 K.
  uint8_t scaleA[128][kTc5K / 32], scaleB[kTc5N][kTc5K / 32];
  std::unique_ptr<uint32_t[]> binding;

  explicit Tcgen05Case(bool e2m1B) : binding(new uint32_t[kTc5Words]()) {
    // Both signs, a subnormal (0x01 = 2^-9), 448 (0x7E) and 0.
    const uint8_t e4m3[] = {0x38, 0xB8, 0x3C, 0x30, 0x44, 0xC0, 0x01, 0x7E,
                            0x52, 0xD5, 0x00, 0x29, 0xA3, 0x4F, 0x35};
    for (int m = 0; m < 128; ++m)
      for (int k = 0; k < kTc5K; ++k)
        a[m][k] = e4m3[(m * 7 + k * 3 + k / 5) % std::size(e4m3)];
    for (int n = 0; n < kTc5N; ++n)
      for (int k = 0; k < kTc5K; ++k)
        b[n][k] = e2m1B ? uint8_t((n * 5 + k * 3 + k / 7) % 16)
                        : e4m3[(n * 11 + k * 5 + 2) % (std::size(e4m3) - 3) + 3];
    // Scales from 2^-4 to 2^4, none 2^0 everywhere.
    for (int m = 0; m < 128; ++m)
      for (int kb = 0; kb < kTc5K / 32; ++kb)
        scaleA[m][kb] = uint8_t(123 + (m * 3 + kb * 5) % 9);
    for (int n = 0; n < kTc5N; ++n)
      for (int kb = 0; kb < kTc5K / 32; ++kb)
        scaleB[n][kb] = uint8_t(124 + (n + 2 * kb) % 7);

    // Shared memory's image: element (r, k) at (r / 8) SBO + (k / 16) LBO +
    // (r % 8) 16 + k % 16 (LBO 128, SBO 8 K); an E2M1 code at byte (k % 16)
    // / 2 of that 16-byte chunk, even k in the low nibble, and bytes 8..15
    // padding (garbage the MMA must not read).
    auto *bytes = reinterpret_cast<uint8_t *>(binding.get());
    auto offset = [](int r, int k) { return r / 8 * 8 * kTc5K + k / 16 * 128 + r % 8 * 16; };
    for (int m = 0; m < 128; ++m)
      for (int k = 0; k < kTc5K; ++k)
        bytes[offset(m, k) + k % 16] = a[m][k];
    uint8_t *bBytes = bytes + 128 * kTc5K;
    for (int n = 0; n < kTc5N; ++n)
      for (int k = 0; k < kTc5K; ++k) {
        if (!e2m1B) {
          bBytes[offset(n, k) + k % 16] = b[n][k];
          continue;
        }
        uint8_t *chunk = bBytes + offset(n, k);
        chunk[k % 16 / 2] |= uint8_t(b[n][k] << (4 * (k % 2)));
        std::memset(chunk + 8, 0xEE, 8);
      }
    // Lane l's scale registers: A's register j is column 16 + j, its byte
    // kb row l + 32 j's scale of k-block kb; B's one word is column 20, its
    // byte 3 - kb row l's (rows past N are not read).
    for (int lane = 0; lane < 32; ++lane) {
      for (int j = 0; j < 4; ++j)
        for (int kb = 0; kb < 4; ++kb)
          binding[kTc5ScaleA + 4 * lane + j] |= uint32_t(scaleA[lane + 32 * j][kb]) << (8 * kb);
      for (int kb = 0; kb < 4; ++kb)
        binding[kTc5ScaleB + lane] |= uint32_t(lane < kTc5N ? scaleB[lane][kb] : 0)
                                      << (8 * (3 - kb));
    }
  }

  double bValue(int n, int k, bool e2m1B) const {
    return e2m1B ? kE2m1Values[b[n][k]] : e4m3Value(b[n][k]);
  }

  /// D[m][n] after the four MMAs: each adds its k-block's scaled products
  /// to D and rounds to f32 once. The sums here are exact in double
  /// (checked), so that rounding is the only one.
  float expected(int m, int n, bool e2m1B) const {
    // x + y, expecting no rounding (TwoSum's error is exact).
    auto exactSum = [&](double x, double y) {
      const double sum = x + y, yPart = sum - x;
      EXPECT_EQ((x - (sum - yPart)) + (y - yPart), 0.0)
          << "an inexact reference at D[" << m << "][" << n << "]";
      return sum;
    };
    float d = 0;
    for (int kb = 0; kb < kTc5K / 32; ++kb) {
      double sum = 0;
      for (int k = 32 * kb; k < 32 * kb + 32; ++k)
        sum = exactSum(sum, e4m3Value(a[m][k]) * bValue(n, k, e2m1B));
      sum *= std::ldexp(1.0, scaleA[m][kb] - 127) * std::ldexp(1.0, scaleB[n][kb] - 127);
      d = float(exactSum(double(d), sum));
    }
    return d;
  }
};

class SimtTcgen05 : public SimtEmulator {
protected:
  std::optional<EmulatedKernel> compileTcgen05(const Tcgen05Kernel &kernel) {
    return compile(tcgen05Body(kernel), /*threads=*/128, /*amd=*/false, tcgen05Globals());
  }

  /// Runs `kernel` on `c`'s binding; "" or the emulator's reason.
  std::string runTcgen05(const Tcgen05Kernel &kernel, Tcgen05Case &c) {
    std::optional<EmulatedKernel> compiled = compileTcgen05(kernel);
    EXPECT_TRUE(compiled) << errors;
    if (!compiled)
      return "did not compile";
    Status ran = run(*compiled, c.binding.get(), kTc5Words * sizeof(uint32_t));
    return ran.isOk() ? "" : ran.message() + ": " + simt::lastError();
  }

  void expectProduct(bool e2m1B) {
    Tcgen05Kernel kernel;
    kernel.e2m1B = e2m1B;
    Tcgen05Case c(e2m1B);
    for (auto order : {simt::ScheduleOrder::Ascending, simt::ScheduleOrder::Descending}) {
      simt::setScheduleOrder(order);
      std::fill_n(c.binding.get() + kTc5D, 128 * kTc5N, 0u);
      ASSERT_EQ(runTcgen05(kernel, c), "");
      int nonzero = 0;
      for (int m = 0; m < 128; ++m)
        for (int n = 0; n < kTc5N; ++n) {
          float d;
          std::memcpy(&d, &c.binding[kTc5D + kTc5N * m + n], sizeof(d));
          const float want = c.expected(m, n, e2m1B);
          nonzero += want != 0;
          EXPECT_EQ(d, want) << "D[" << m << "][" << n << "]";
        }
      EXPECT_GT(nonzero, 128 * kTc5N * 3 / 4);
    }
  }

  /// The reason the kernel with `mistake` fails for.
  std::string failureOfMistake(const Tcgen05Kernel &mistake) {
    Tcgen05Case c(mistake.e2m1B);
    std::string why = runTcgen05(mistake, c);
    EXPECT_NE(why, "") << "the block ran";
    return why;
  }
};

TEST_F(SimtTcgen05, ABlockScaledMmaOfE4m3MultipliesTheScaledOperands) {
  expectProduct(/*e2m1B=*/false);
}

TEST_F(SimtTcgen05, ABlockScaledMmaReadsE2m1FromThePaddedLayout) { expectProduct(/*e2m1B=*/true); }

TEST_F(SimtTcgen05, ScalesInOneQuarterOfTensorMemoryAreAnError) {
  Tcgen05Kernel mistake;
  mistake.scalesInEveryQuarter = false;
  std::string why = failureOfMistake(mistake);
  EXPECT_NE(why.find("reads scale A of row 0 from byte 0 of column 80: lane 0 holds "),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("must be duplicated in all four lane quarters"), std::string::npos) << why;
}

TEST_F(SimtTcgen05, TensorMemoryLeftAllocatedAtExitIsAnError) {
  Tcgen05Kernel mistake;
  mistake.deallocatesAll = false;
  std::string why = failureOfMistake(mistake);
  EXPECT_NE(why.find("all tensor memory must be deallocated before the kernel exits"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("columns 0..63"), std::string::npos) << why;
}

TEST_F(SimtTcgen05, ADescriptorWithoutTheFixedBit46IsRefused) {
  Tcgen05Kernel mistake;
  mistake.tcgen05DescriptorA = false;
  std::string why = failureOfMistake(mistake);
  EXPECT_NE(why.find("thread 0 (warp 0, lane 0): tcgen05.mma.block_scale"), std::string::npos)
      << why;
  EXPECT_NE(why.find("descriptor for A"), std::string::npos) << why;
  EXPECT_NE(why.find("bits 46-48 holding 0 instead of the fixed 0b001 of tcgen05 descriptors"),
            std::string::npos)
      << why;
}

TEST_F(SimtTcgen05, AStoreToAnotherWarpsQuarterIsAnError) {
  Tcgen05Kernel mistake;
  mistake.ownQuarters = false;
  std::string why = failureOfMistake(mistake);
  EXPECT_NE(why.find("a tcgen05.st"), std::string::npos) << why;
  EXPECT_NE(why.find("warp 1 may access lanes 32..63 only"), std::string::npos) << why;
}

TEST_F(SimtTcgen05, AReadOfDBeforeTheWaitIsAnError) {
  Tcgen05Kernel mistake;
  mistake.waitsForTheCommit = false;
  std::string why = failureOfMistake(mistake);
  EXPECT_NE(why.find("a tcgen05.ld"), std::string::npos) << why;
  EXPECT_NE(why.find("reads columns 64..79, which the tcgen05.mma.block_scale of thread 0"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("uses as D (committed, and no thread has looked at the mbarrier since)"),
            std::string::npos)
      << why;
}

TEST_F(SimtTcgen05, AReadOfDOfAnUncommittedMmaIsAnError) {
  Tcgen05Kernel mistake;
  mistake.waitsForTheCommit = false;
  mistake.commits = false;
  std::string why = failureOfMistake(mistake);
  EXPECT_NE(why.find("uses as D (not yet committed)"), std::string::npos) << why;
}

// The MMAs read their operands when a thread first looks at the mbarrier
// their commit arrives at, the latest point the hardware may: A zeroed
// after the commit, before thread 0's wait, gives D = 0, where the product
// of the operands at the issue is mostly nonzero.
TEST_F(SimtTcgen05, AnOperandChangedBeforeTheWaitIsWhatTheMmaReads) {
  Tcgen05Kernel kernel;
  kernel.zeroesABeforeTheWait = true;
  Tcgen05Case c(/*e2m1B=*/false);
  ASSERT_EQ(runTcgen05(kernel, c), "");
  for (int m = 0; m < 128; ++m)
    for (int n = 0; n < kTc5N; ++n) {
      float d;
      std::memcpy(&d, &c.binding[kTc5D + kTc5N * m + n], sizeof(d));
      ASSERT_EQ(d, 0.0f) << "D[" << m << "][" << n << "]";
    }
}

/// `body` with a shared slot @slot for tcgen05.alloc and an mbarrier @mbar
/// in scope.
std::string tcgen05WarpBody(const std::string &body) {
  return R"(
      %slot = llvm.mlir.addressof @slot : !llvm.ptr<3>
      %mbar = llvm.mlir.addressof @mbar : !llvm.ptr<3>
      %c0 = llvm.mlir.constant(0 : i32) : i32
      %c1 = llvm.mlir.constant(1 : i32) : i32
)" + body;
}

/// tcgen05WarpBody's @slot and @mbar.
const char *kWarpGlobals = R"(
    llvm.mlir.global internal @slot() {addr_space = 3 : i32, alignment = 4 : i64} : i32
    llvm.mlir.global internal @mbar() {addr_space = 3 : i32, alignment = 8 : i64} : i64)";

class SimtTcgen05Warp : public SimtEmulator {
protected:
  /// `body` in a block of one warp; the reason it fails for.
  std::string failureOf(const std::string &body) {
    std::optional<EmulatedKernel> kernel =
        compile(tcgen05WarpBody(body), /*threads=*/32, /*amd=*/false, kWarpGlobals);
    EXPECT_TRUE(kernel) << errors;
    if (!kernel)
      return "";
    alignas(16) int32_t out[32];
    Status ran = run(*kernel, out, sizeof(out));
    EXPECT_FALSE(ran.isOk()) << "the block ran";
    return ran.isOk() ? "" : simt::lastError();
  }
};

// An mbarrier of two arrivals: threads 0 and 1 each write a word of @a,
// then arrive (tcgen05.commit); every thread waits for the phase, then
// reads both words, twice (parity 0, then 1); the barrier is then
// invalidated and initialized again. No thread passes a wait before both
// arrivals, in either schedule order.
TEST_F(SimtTcgen05Warp, AnMbarrierCompletesAPhaseAtItsLastArrival) {
  std::optional<EmulatedKernel> kernel = compile(tcgen05WarpBody(R"(
      %c2 = llvm.mlir.constant(2 : i32) : i32
      %c32 = llvm.mlir.constant(32 : i32) : i32
      %c10 = llvm.mlir.constant(10 : i32) : i32
      %isThread0 = llvm.icmp "eq" %tid, %c0 : i32
      %arrives = llvm.icmp "ult" %tid, %c2 : i32
      llvm.cond_br %isThread0, ^init, ^sync
    ^init:
      nvvm.mbarrier.init %mbar, %c2 : !llvm.ptr<3>, i32
      llvm.br ^sync
    ^sync:
      nvvm.barrier0
      llvm.cond_br %arrives, ^arrive0, ^wait0
    ^arrive0:
      %own0 = llvm.getelementptr %sa[%tid] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i32
      llvm.store %c1, %own0 : i32, !llvm.ptr<3>
      nvvm.tcgen05.commit %mbar : !llvm.ptr<3>
      llvm.br ^wait0
    ^wait0:
      %done0 = nvvm.mbarrier.try_wait %mbar, %c0 : !llvm.ptr<3>, i32 -> i1
      llvm.cond_br %done0, ^read0, ^wait0
    ^read0:
      %a0 = llvm.getelementptr %sa[0] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i32
      %a1 = llvm.getelementptr %sa[1] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i32
      %x0 = llvm.load %a0 : !llvm.ptr<3> -> i32
      %x1 = llvm.load %a1 : !llvm.ptr<3> -> i32
      %sum0 = llvm.add %x0, %x1 : i32
      %out0 = llvm.getelementptr %out[%tid] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      llvm.store %sum0, %out0 : i32, !llvm.ptr<1>
      nvvm.barrier0
      llvm.cond_br %arrives, ^arrive1, ^wait1
    ^arrive1:
      %at1 = llvm.add %tid, %c2 : i32
      %own1 = llvm.getelementptr %sa[%at1] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i32
      llvm.store %c10, %own1 : i32, !llvm.ptr<3>
      nvvm.tcgen05.commit %mbar : !llvm.ptr<3>
      llvm.br ^wait1
    ^wait1:
      %done1 = nvvm.mbarrier.try_wait %mbar, %c1 : !llvm.ptr<3>, i32 -> i1
      llvm.cond_br %done1, ^read1, ^wait1
    ^read1:
      %a2 = llvm.getelementptr %sa[2] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i32
      %a3 = llvm.getelementptr %sa[3] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i32
      %x2 = llvm.load %a2 : !llvm.ptr<3> -> i32
      %x3 = llvm.load %a3 : !llvm.ptr<3> -> i32
      %sum1 = llvm.add %x2, %x3 : i32
      %at32 = llvm.add %tid, %c32 : i32
      %out1 = llvm.getelementptr %out[%at32] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      llvm.store %sum1, %out1 : i32, !llvm.ptr<1>
      nvvm.barrier0
      llvm.cond_br %isThread0, ^again, ^exit
    ^again:
      nvvm.mbarrier.inval %mbar : !llvm.ptr<3>
      nvvm.mbarrier.init %mbar, %c1 : !llvm.ptr<3>, i32
      nvvm.tcgen05.commit %mbar : !llvm.ptr<3>
      %done2 = nvvm.mbarrier.try_wait %mbar, %c0 : !llvm.ptr<3>, i32 -> i1
      %flag = llvm.zext %done2 : i1 to i32
      %c64 = llvm.mlir.constant(64 : i32) : i32
      %out2 = llvm.getelementptr %out[%c64] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i32
      llvm.store %flag, %out2 : i32, !llvm.ptr<1>
      llvm.br ^exit
    ^exit:)"),
                                                 /*threads=*/32, /*amd=*/false, kWarpGlobals);
  ASSERT_TRUE(kernel) << errors;
  for (auto order : {simt::ScheduleOrder::Ascending, simt::ScheduleOrder::Descending}) {
    simt::setScheduleOrder(order);
    alignas(16) int32_t out[68] = {};
    Status ran = run(*kernel, out, sizeof(out));
    ASSERT_TRUE(ran.isOk()) << ran.message() << ": " << simt::lastError();
    for (int t = 0; t < 32; ++t) {
      EXPECT_EQ(out[t], 2) << "thread " << t << " passed phase 0 before both arrivals";
      EXPECT_EQ(out[32 + t], 20) << "thread " << t << " passed phase 1 before both arrivals";
    }
    EXPECT_EQ(out[64], 1) << "the barrier initialized again completes its phase 0";
  }
}

TEST_F(SimtTcgen05Warp, AnAllocationOfAColumnCountNotAPowerOfTwoIsAnError) {
  std::string why = failureOf(R"(
      %c48 = llvm.mlir.constant(48 : i32) : i32
      nvvm.tcgen05.alloc %slot, %c48 : !llvm.ptr<3>, i32)");
  EXPECT_NE(why.find("a tcgen05.alloc (site 0, warp 0) of 48 columns"), std::string::npos) << why;
}

TEST_F(SimtTcgen05Warp, AnAllocationPastTheTensorMemoryIsAnError) {
  std::string why = failureOf(R"(
      %c512 = llvm.mlir.constant(512 : i32) : i32
      %c32 = llvm.mlir.constant(32 : i32) : i32
      nvvm.tcgen05.alloc %slot, %c512 : !llvm.ptr<3>, i32
      nvvm.tcgen05.alloc %slot, %c32 : !llvm.ptr<3>, i32)");
  EXPECT_NE(why.find("finds no free run of them in tensor memory (allocated: columns 0..511)"),
            std::string::npos)
      << why;
}

TEST_F(SimtTcgen05Warp, LanesAllocatingDifferentColumnCountsAreAnError) {
  std::string why = failureOf(R"(
      %c32 = llvm.mlir.constant(32 : i32) : i32
      %c64 = llvm.mlir.constant(64 : i32) : i32
      %c16 = llvm.mlir.constant(16 : i32) : i32
      %low = llvm.icmp "ult" %tid, %c16 : i32
      %columns = llvm.select %low, %c32, %c64 : i1, i32
      nvvm.tcgen05.alloc %slot, %columns : !llvm.ptr<3>, i32)");
  EXPECT_NE(why.find("another column count than"), std::string::npos) << why;
}

TEST_F(SimtTcgen05Warp, ADeallocationOfNoAllocationIsAnError) {
  std::string why = failureOf(R"(
      %c64 = llvm.mlir.constant(64 : i32) : i32
      %c32 = llvm.mlir.constant(32 : i32) : i32
      nvvm.tcgen05.alloc %slot, %c64 : !llvm.ptr<3>, i32
      %base = llvm.load %slot : !llvm.ptr<3> -> i32
      %t = llvm.inttoptr %base : i32 to !llvm.ptr<6>
      nvvm.tcgen05.dealloc %t, %c32 : !llvm.ptr<6>, i32)");
  EXPECT_NE(why.find("of 32 columns at address 0x0 is not an allocation of the block "
                     "(allocated: columns 0..63)"),
            std::string::npos)
      << why;
}

TEST_F(SimtTcgen05Warp, ALoadOutsideTheAllocationsIsAnError) {
  std::string why = failureOf(R"(
      %c32 = llvm.mlir.constant(32 : i32) : i32
      nvvm.tcgen05.alloc %slot, %c32 : !llvm.ptr<3>, i32
      %base = llvm.load %slot : !llvm.ptr<3> -> i32
      %c30 = llvm.mlir.constant(30 : i32) : i32
      %at = llvm.add %base, %c30 : i32
      %t = llvm.inttoptr %at : i32 to !llvm.ptr<6>
      %v = nvvm.tcgen05.ld %t {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<4xi32>)");
  EXPECT_NE(why.find("a tcgen05.ld (site 1, warp 0) of columns 30..33 outside"), std::string::npos)
      << why;
}

// Nothing arrives at the barrier: the waiting threads would spin forever on
// a GPU; the emulator ends the block naming the barrier.
TEST_F(SimtTcgen05Warp, WaitingForAnArrivalNobodyMakesIsADeadlock) {
  std::string why = failureOf(R"(
      %first = llvm.icmp "eq" %tid, %c0 : i32
      llvm.cond_br %first, ^init, ^sync
    ^init:
      nvvm.mbarrier.init %mbar, %c1 : !llvm.ptr<3>, i32
      llvm.br ^sync
    ^sync:
      nvvm.barrier0
      llvm.br ^wait
    ^wait:
      %done = nvvm.mbarrier.try_wait %mbar, %c0 : !llvm.ptr<3>, i32 -> i1
      llvm.cond_br %done, ^exit, ^wait
    ^exit:)");
  EXPECT_NE(why.find("can make no progress"), std::string::npos) << why;
  EXPECT_NE(why.find("at an mbarrier.try_wait (site 2, parity 0 of the mbarrier at shared byte "),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("in phase 0 with 1 of 1 arrivals pending"), std::string::npos) << why;
}

TEST_F(SimtTcgen05Warp, WaitingAtAnUninitializedMbarrierIsAnError) {
  std::string why = failureOf(R"(
      %done = nvvm.mbarrier.try_wait %mbar, %c0 : !llvm.ptr<3>, i32 -> i1)");
  EXPECT_NE(why.find("mbarrier.try_wait.parity (site 0) at shared byte"), std::string::npos) << why;
  EXPECT_NE(why.find("which holds no mbarrier"), std::string::npos) << why;
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
