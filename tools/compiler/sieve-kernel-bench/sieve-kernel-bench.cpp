//===- sieve-kernel-bench.cpp - single op kernels, timed ------------------===//
//
// A tool, not a test (like llama.cpp's test-backend-ops perf mode): each
// benchmark compiles one v4 op alone for this CPU, as the target phase does,
// once with the target's configuration (vectorized) and once without
// (scalar), and times one call over all its workgroups on one thread. The
// shapes are V4-Flash's decode GEMVs. Bytes processed are the weight's, so
// the rate is the weight bandwidth a decode step would see.
//
//   sieve-kernel-bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"
#include "sieve/Conversion/V4ToKernels/FusionTable.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"
#include "sieve/InitSieve.h"
#include "sieve/Target/CPU/CpuTarget.h"
#include "sieve/hal/cpu/kernel_library.h"
#include "sieve/hal/serial_dispatch.h"
#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <algorithm>
#include <functional>
#include <optional>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace mlir;

namespace {

struct Kernel {
  sieve::hal::cpu::KernelLibrary library;
  sieve_kernel_fn fn;
};

using MakeOp = std::function<Operation *(OpBuilder &, Location, ValueRange)>;

/// `makeOp` in a scratch function of `args`, its kernel (with the fusion
/// table's producers), lowered for this CPU; vectorized when `configured`.
std::optional<Kernel> compile(ArrayRef<Type> args, const MakeOp &makeOp, bool configured,
                              MLIRContext &context) {
  Location loc = UnknownLoc::get(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder b = OpBuilder::atBlockEnd(module->getBody());
  auto scratch = func::FuncOp::create(b, loc, "scratch", b.getFunctionType(args, {}));
  OpBuilder body = OpBuilder::atBlockBegin(scratch.addEntryBlock());
  Operation *op = makeOp(body, loc, scratch.getArguments());
  if (failed(sieve::emitFusedKernel(op, sieve::fusedProducers(op), "op", b)))
    return std::nullopt;
  scratch.erase();
  if (configured)
    module->getOperation()->setAttr("sieve.target", b.getStringAttr("cpu:host"));
  PassManager pm(&context);
  sieve::buildKernelsToCPUPipeline(pm);
  if (failed(pm.run(*module)))
    return std::nullopt;
  FailureOr<sieve::cpu::CpuTarget> target = sieve::cpu::parseCpuTarget("cpu:host", loc);
  if (failed(target))
    return std::nullopt;
  FailureOr<std::string> object = sieve::cpu::emitObject(*module, *target);
  if (failed(object))
    return std::nullopt;
  FailureOr<std::string> image = sieve::cpu::linkSharedObject({*object}, loc);
  if (failed(image))
    return std::nullopt;
  auto library = sieve::hal::cpu::KernelLibrary::load(*image, "op");
  if (!library.isOk())
    return std::nullopt;
  auto fn = library->kernel("op");
  if (!fn.isOk())
    return std::nullopt;
  return Kernel{library.take(), *fn};
}

std::vector<uint8_t> randomBytes(size_t n, uint32_t seed, uint8_t lo, uint8_t span) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (uint8_t &v : out)
    v = uint8_t(lo + rng() % span);
  return out;
}

/// One GEMV-shaped benchmark: its bindings, constants and weight bytes.
struct Case {
  std::vector<Type> args;
  MakeOp makeOp;
  std::vector<std::vector<uint8_t>> buffers; // bindings, the result last
  std::vector<uint32_t> constants;
  int64_t rows; // workgroups of one call
  int64_t weightBytes;
  /// With a binding number: that binding (the weight) and the next (its
  /// scales) rotate through copies spanning 128 MiB, so each call reads them
  /// from memory, not from the last level cache.
  int streamed = -1;
  /// How much memory the copies span: enough that what one call touches,
  /// times the copies, is well past the last level cache.
  size_t streamSpan = size_t(128) << 20;
};

void run(benchmark::State &state, MLIRContext &context, const std::function<Case()> &make,
         bool configured) {
  Case c = make();
  std::optional<Kernel> kernel = compile(c.args, c.makeOp, configured, context);
  if (!kernel) {
    state.SkipWithError("the kernel did not compile");
    return;
  }
  std::vector<void *> bindings;
  std::vector<size_t> lengths;
  for (std::vector<uint8_t> &buffer : c.buffers) {
    bindings.push_back(buffer.data());
    lengths.push_back(buffer.size());
  }
  sieve_dispatch_state_t dispatch{{uint32_t(c.rows), 1, 1},
                                  uint32_t(c.constants.size()),
                                  c.constants.data(),
                                  uint32_t(bindings.size()),
                                  bindings.data(),
                                  lengths.data()};
  std::vector<std::vector<uint8_t>> copies;
  if (c.streamed >= 0) {
    const size_t pair = c.buffers[size_t(c.streamed)].size() + c.buffers[size_t(c.streamed) + 1].size();
    const size_t count = std::max<size_t>(2, (c.streamSpan + pair - 1) / pair);
    for (size_t i = 0; i < count; ++i) {
      copies.push_back(c.buffers[size_t(c.streamed)]);
      copies.push_back(c.buffers[size_t(c.streamed) + 1]);
    }
  }
  size_t call = 0;
  for (auto _ : state) {
    if (!copies.empty()) {
      const size_t at = 2 * (call++ % (copies.size() / 2));
      bindings[size_t(c.streamed)] = copies[at].data();
      bindings[size_t(c.streamed) + 1] = copies[at + 1].data();
    }
    sieve::Status ran = sieve::hal::runWorkgroupsSerially(kernel->fn, dispatch, "op");
    if (!ran.isOk()) {
      state.SkipWithError(ran.message().c_str());
      return;
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * c.weightBytes);
}

/// V4-Flash's attention query up-projection shape as an FP8 GEMV: `rows`
/// tokens (one, or a decode batch, whose rows a workgroup may take in a group
/// and decode the weight once for), [N, K] FP8 weight with 128x128 block
/// scales.
Case fp8Gemv(MLIRContext &context, int64_t rows, int64_t n, int64_t k) {
  Builder t(&context);
  auto f8 = t.getType<Float8E4M3FNType>();
  auto e8m0 = t.getType<Float8E8M0FNUType>();
  Case c;
  // Workgroups; the kernel keeps each row's decoded activation (K bf16).
  c.rows = sieve::gemmWorkgroups(rows, n, /*grouped=*/false, /*rowBufferBytes=*/k * 2);
  c.args = {RankedTensorType::get({ShapedType::kDynamic, k}, f8),
            RankedTensorType::get({ShapedType::kDynamic, k / 128}, e8m0),
            RankedTensorType::get({n, k}, f8), RankedTensorType::get({n / 128, k / 128}, e8m0)};
  auto result = RankedTensorType::get({ShapedType::kDynamic, n}, t.getBF16Type());
  c.makeOp = [result](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
    return sieve::v4::Fp8MatmulOp::create(b, loc, result, in[0], in[1], in[2], in[3], Value(),
                                          ArrayRef<int64_t>{128, 128});
  };
  c.buffers = {randomBytes(size_t(rows * k), 1, 0x20, 0x40),
               randomBytes(size_t(rows * (k / 128)), 2, 120, 8),
               randomBytes(size_t(n * k), 3, 0x20, 0x40),
               randomBytes(size_t(n / 128 * (k / 128)), 4, 120, 8),
               std::vector<uint8_t>(size_t(rows * n) * 2)};
  c.constants = {uint32_t(rows)};
  c.weightBytes = n * k + (n / 128) * (k / 128);
  c.streamed = 2;
  return c;
}

/// The MXFP4 GEMV of a routed expert (issue 14's microbenchmark): one FP8
/// token row with 128-element scales against an [N, K] E2M1 weight with one
/// E8M0 scale per 1x32 block. The bytes read are the codes and the scales.
Case mxfp4Gemv(MLIRContext &context, int64_t n, int64_t k) {
  Builder t(&context);
  auto f8 = t.getType<Float8E4M3FNType>();
  auto f4 = t.getType<Float4E2M1FNType>();
  auto e8m0 = t.getType<Float8E8M0FNUType>();
  Case c;
  c.rows = sieve::gemmWorkgroups(1, n); // workgroups
  c.args = {RankedTensorType::get({ShapedType::kDynamic, k}, f8),
            RankedTensorType::get({ShapedType::kDynamic, k / 128}, e8m0),
            RankedTensorType::get({n, k}, f4), RankedTensorType::get({n, k / 32}, e8m0)};
  auto result = RankedTensorType::get({ShapedType::kDynamic, n}, t.getBF16Type());
  c.makeOp = [result](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
    return sieve::v4::Mxfp4MatmulOp::create(b, loc, result, in[0], in[1], in[2], in[3], Value(),
                                            /*act_block=*/128);
  };
  c.buffers = {randomBytes(size_t(k), 1, 0x20, 0x40), randomBytes(size_t(k / 128), 2, 120, 8),
               randomBytes(size_t(n * k / 2), 7, 0, 255),
               randomBytes(size_t(n * (k / 32)), 8, 120, 8), std::vector<uint8_t>(size_t(n) * 2)};
  c.constants = {1};
  c.weightBytes = n * k / 2 + n * (k / 32);
  c.streamed = 2;
  return c;
}

/// Routed experts as one decode token's step runs them: `rows` rows, each
/// for its own expert of `experts` (MXFP4 [E, N, K] with 1x32 scales), the
/// expert weights streamed from memory; the bytes are the touched experts'.
Case mxfp4Experts(MLIRContext &context, int64_t experts, int64_t rows, int64_t n, int64_t k) {
  Builder t(&context);
  auto f8 = t.getType<Float8E4M3FNType>();
  auto f4 = t.getType<Float4E2M1FNType>();
  auto e8m0 = t.getType<Float8E8M0FNUType>();
  Case c;
  c.rows = sieve::gemmWorkgroups(rows, n, /*grouped=*/true); // workgroups
  c.args = {RankedTensorType::get({ShapedType::kDynamic, k}, f8),
            RankedTensorType::get({ShapedType::kDynamic, k / 128}, e8m0),
            RankedTensorType::get({experts, n, k}, f4),
            RankedTensorType::get({experts, n, k / 32}, e8m0),
            RankedTensorType::get({experts + 1}, t.getI32Type())};
  auto result = RankedTensorType::get({ShapedType::kDynamic, n}, t.getBF16Type());
  c.makeOp = [result](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
    return sieve::v4::Mxfp4MatmulOp::create(b, loc, result, in[0], in[1], in[2], in[3], in[4],
                                            /*act_block=*/128);
  };
  // Row r goes to expert (r * 11 + 3) % experts: spread, ascending.
  std::vector<int32_t> offsets(size_t(experts + 1), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t e = (r * 11 + 3) % experts + 1; e <= experts; ++e)
      ++offsets[size_t(e)];
  std::vector<uint8_t> offsetBytes(offsets.size() * 4);
  std::memcpy(offsetBytes.data(), offsets.data(), offsetBytes.size());
  c.buffers = {randomBytes(size_t(rows * k), 1, 0x20, 0x40),
               randomBytes(size_t(rows * (k / 128)), 2, 120, 8),
               randomBytes(size_t(experts * n * k / 2), 7, 0, 255),
               randomBytes(size_t(experts * n * (k / 32)), 8, 120, 8), offsetBytes,
               std::vector<uint8_t>(size_t(rows * n) * 2)};
  c.constants = {uint32_t(rows)};
  c.weightBytes = rows * (n * k / 2 + n * (k / 32));
  c.streamed = 2;
  // A call touches `rows` experts of each copy: 512 MiB of copies make the
  // touched bytes about 50 MB, past this VM's 32 MiB L3.
  c.streamSpan = size_t(512) << 20;
  return c;
}

/// What one thread reads from memory per second: sums of 64-bit words over
/// a buffer four times this VM's L3, the rate the GEMVs are held to.
void readBandwidth(benchmark::State &state) {
  std::vector<uint64_t> words((size_t(128) << 20) / sizeof(uint64_t), 1);
  uint64_t sink = 0;
  for (auto _ : state) {
    uint64_t sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i + 4 <= words.size(); i += 4) {
      sum[0] += words[i];
      sum[1] += words[i + 1];
      sum[2] += words[i + 2];
      sum[3] += words[i + 3];
    }
    sink += sum[0] + sum[1] + sum[2] + sum[3];
    benchmark::DoNotOptimize(sink);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(words.size() * sizeof(uint64_t)));
}

/// V4-Flash's grouped output projection (wo_a) for one token: 64 heads of
/// 512 in 8 groups, rank 1024, its FP8 weight dequantized in the kernel.
Case groupedLinear(MLIRContext &context) {
  Builder t(&context);
  const int64_t heads = 64, headDim = 512, groups = 8, rank = 1024, tile = 128;
  const int64_t groupIn = heads / groups * headDim, rows = groups * rank;
  auto f8 = t.getType<Float8E4M3FNType>();
  auto e8m0 = t.getType<Float8E8M0FNUType>();
  Case c;
  c.rows = 1;
  c.args = {RankedTensorType::get({1, ShapedType::kDynamic, heads, headDim}, t.getBF16Type()),
            RankedTensorType::get({rows, groupIn}, f8),
            RankedTensorType::get({rows / tile, groupIn / tile}, e8m0)};
  auto result =
      RankedTensorType::get({1, ShapedType::kDynamic, groups, rank}, t.getBF16Type());
  c.makeOp = [=](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
    Value spread = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{rows / tile, tile, groupIn / tile}, e8m0);
    Value broadcast =
        linalg::BroadcastOp::create(b, loc, in[2], spread, ArrayRef<int64_t>{1})->getResult(0);
    SmallVector<ReassociationIndices> pair = {{0, 1}, {2}};
    Value rowScales = tensor::CollapseShapeOp::create(b, loc, broadcast, pair);
    Value weight = sieve::v4::DequantizeOp::create(
        b, loc, RankedTensorType::get({rows, groupIn}, b.getBF16Type()), in[1], rowScales,
        static_cast<uint64_t>(tile));
    Value grouped = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({groups, rank, groupIn}, b.getBF16Type()), weight, pair);
    return sieve::v4::GroupedLinearOp::create(b, loc, result, in[0], grouped, groups);
  };
  std::vector<uint8_t> input(size_t(heads * headDim) * 2);
  for (size_t i = 0; i < input.size(); i += 2)
    input[i + 1] = 0x3F; // bf16 values near 1
  c.buffers = {input, randomBytes(size_t(rows * groupIn), 5, 0x20, 0x40),
               randomBytes(size_t(rows / tile * (groupIn / tile)), 6, 120, 8),
               std::vector<uint8_t>(size_t(groups * rank) * 2)};
  c.constants = {1};
  c.weightBytes = rows * groupIn;
  return c;
}

/// A bf16 projection as the graph writes it (linalg.matmul with a
/// transposed [N, K] weight and its fill; the head's, the compressors' and
/// the router's form), for one token.
Case bf16Gemv(MLIRContext &context, int64_t n, int64_t k) {
  Builder t(&context);
  Case c;
  c.rows = sieve::gemmWorkgroups(1, n); // workgroups
  c.args = {RankedTensorType::get({ShapedType::kDynamic, k}, t.getBF16Type()),
            RankedTensorType::get({n, k}, t.getBF16Type())};
  c.makeOp = [n](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
    Value m = tensor::DimOp::create(b, loc, in[0], 0);
    Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{ShapedType::kDynamic, n},
                                          b.getF32Type(), ValueRange{m});
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
    AffineExpr mi, ni, ki;
    bindDims(b.getContext(), mi, ni, ki);
    auto matmul = linalg::MatmulOp::create(b, loc, ValueRange{in[0], in[1]}, ValueRange{init});
    matmul.setIndexingMapsAttr(b.getAffineMapArrayAttr(
        {AffineMap::get(3, 0, {mi, ki}, b.getContext()),
         AffineMap::get(3, 0, {ni, ki}, b.getContext()),
         AffineMap::get(3, 0, {mi, ni}, b.getContext())}));
    return matmul;
  };
  std::vector<uint8_t> x(size_t(k) * 2), w(size_t(n * k) * 2);
  for (size_t i = 1; i < x.size(); i += 2)
    x[i] = 0x3F;
  for (size_t i = 1; i < w.size(); i += 2)
    w[i] = 0x3C;
  c.buffers = {x, w, std::vector<uint8_t>(size_t(n) * 4)};
  c.constants = {1, 1};
  c.weightBytes = n * k * 2;
  return c;
}

} // namespace

int main(int argc, char **argv) {
  DialectRegistry registry;
  sieve::registerSieveDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.disableMultithreading();
  for (bool configured : {false, true}) {
    const std::string mode = configured ? "vector" : "scalar";
    auto add = [&, configured](const std::string &name, benchmark::TimeUnit unit,
                               std::function<Case()> make) {
      benchmark::RegisterBenchmark((name + "/" + mode).c_str(),
                                   [&context, configured, make](benchmark::State &state) {
                                     run(state, context, make, configured);
                                   })
          ->Unit(unit);
    };
    add("fp8_gemv_1x4096x4096", benchmark::kMillisecond,
        [&] { return fp8Gemv(context, 1, 4096, 4096); });
    // The weight not rotated through copies: what the loop sustains from the
    // last level cache (16.8 MB of a 32 MB L3, which other tenants may share).
    add("fp8_gemv_1x4096x4096_in_cache", benchmark::kMillisecond, [&] {
      Case c = fp8Gemv(context, 1, 4096, 4096);
      c.streamed = -1;
      return c;
    });
    // A decode batch of four: K = 4096 takes one row per workgroup (four
    // rows' buffers are past gemmRowGroup's budget), K = 1024 a group.
    add("fp8_gemv_4x4096x4096", benchmark::kMillisecond,
        [&] { return fp8Gemv(context, 4, 4096, 4096); });
    add("fp8_gemv_1x4096x1024", benchmark::kMicrosecond,
        [&] { return fp8Gemv(context, 1, 4096, 1024); });
    add("fp8_gemv_4x4096x1024", benchmark::kMicrosecond,
        [&] { return fp8Gemv(context, 4, 4096, 1024); });
    add("mxfp4_gemv_1x4096x4096", benchmark::kMillisecond,
        [&] { return mxfp4Gemv(context, 4096, 4096); });
    // The same weight left in the last level cache: what the loop itself
    // sustains, to tell an instruction-bound kernel from a memory-bound one.
    add("mxfp4_gemv_1x4096x4096_in_cache", benchmark::kMillisecond, [&] {
      Case c = mxfp4Gemv(context, 4096, 4096);
      c.streamed = -1;
      return c;
    });
    add("mxfp4_experts_6_of_64x512x512", benchmark::kMicrosecond,
        [&] { return mxfp4Experts(context, 64, 6, 512, 512); });
    add("bf16_matmul_gemv_1x4096x4096", benchmark::kMillisecond,
        [&] { return bf16Gemv(context, 4096, 4096); });
    add("grouped_linear_wo_a_fp8", benchmark::kMillisecond, [&] { return groupedLinear(context); });
  }
  benchmark::RegisterBenchmark("read_bandwidth_128MiB/one_thread", readBandwidth)
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
