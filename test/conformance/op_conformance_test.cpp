//===- op_conformance_test.cpp - Each v4 op's kernel against the reference ===//
//
// Like llama.cpp's test-backend-ops: one op at a time is compiled alone for
// this CPU (emitOpKernel, sieve-kernels-to-cpu, object, in-process link),
// loaded by the runtime, run on seeded random inputs for several shapes, and
// compared with the reference executor's op (runtime/src/reference/ops.h).
// The metric and threshold of each op are in docs/numerics.md.
//
//===----------------------------------------------------------------------===//

#include "cache_rows.h"
#include "case_recorder.h"
#include "host_kernel.h"
#include "ops.h"
#include "weights.h"

#include "sieve/Conversion/KernelsToCPU/Passes.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"
#include "sieve/Conversion/V4ToKernels/FusionTable.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"
#include "sieve/InitSieve.h"
#include "sieve/Target/GPU/GpuTarget.h"
#include "sieve/hal/cpu/kernel_library.h"
#include "sieve/hal/serial_dispatch.h"
#include "sieve/numerics/block_quant.h"
#include "sieve/numerics/float_formats.h"
#include "sieve/numerics/hadamard.h"
#include "sieve/numerics/rope.h"
#include "sieve/numerics/weights.h"
#include "v4/IR/V4Attrs.h"
#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace sieve {
namespace {

using namespace mlir;
using num::bf16FromFloat;
using num::bf16ToFloat;

/// A compiled one-op kernel, loaded.
using LoadedKernel = test::HostKernel;

class OpConformance : public ::testing::Test {
protected:
  OpConformance() {
    DialectRegistry registry;
    registerSieveDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    handler = std::make_unique<ScopedDiagnosticHandler>(&context, [this](Diagnostic &d) {
      errors += d.str() + "\n";
      return success();
    });
    // The whole suite on the SIMT emulator (ctest's `conformance-simt-*`
    // entries): every kernel as a module with GPU code compiles it.
    if (const char *chip = std::getenv("SIEVE_CONFORMANCE_SIMT_CHIP"); chip && *chip) {
      emulatedChip = chip;
      gpuColumnTile = kGpuGemmColumnTile;
    }
  }

  /// Builds `makeOp` in a scratch function of `argTypes`, emits its kernel,
  /// compiles it for the host and loads it.
  /// With `fuse`, the op's kernel takes in the producers the fusion table
  /// names (emitFusedKernel).
  /// The CPU target the kernels are compiled for (configuration and code);
  /// this machine's by default, empty for scalar kernels.
  std::string target = "cpu:host";
  /// A GPU chip whose arithmetic rewrites the kernel takes before it is
  /// lowered for this CPU (the decode of FP8 and FP4 codes on chips without
  /// conversions, sieve-gpu-integer-small-floats, and sieve-gpu-exact-fma);
  /// empty for the kernel IR's own arithmetic.
  std::string gpuChip;
  /// A module with GPU code: its GEMM column tile, recorded on the module
  /// before the kernel is emitted, so the block-scaled GEMMs take their GPU
  /// tile form (rows in tiles, a bf16 tile product per K step); 0 for a
  /// CPU module. With gpuChip too, sieve-gpu-tile-products gives the tile
  /// products to the threads as a chip without matrix units would (one
  /// thread per output).
  int64_t gpuColumnTile = 0;
  /// With gpuColumnTile: the module's row tile of the GEMMs' tile form (0:
  /// no tile form).
  int64_t gpuRowTile = kGpuGemmRowTile;
  /// With gpuRowTile: the tiles as codes and E8M0 scales (the block-scaled
  /// tile product), as sieve-compile makes them for modules whose chips
  /// multiply codes (gfx950); an emulated chip that does gets them anyway.
  bool scaledTiles = false;
  /// A GPU chip whose kernels (sieve-kernels-to-nvvm or -rocdl, the whole
  /// GPU pipeline) run on the SIMT emulator instead of the CPU pipeline's:
  /// the threads of a block as fibers, with the chip's barriers, lane
  /// exchanges, matrix-unit products and conversions. Needs gpuColumnTile.
  /// Where a test names a chip's arithmetic (gpuChip), that chip is run.
  std::string emulatedChip;

  /// The workgroups of a block-scaled GEMM kernel over `rows` rows, as the
  /// kernel computes them (a GPU module's with gpuColumnTile); a row keeps
  /// `rowBufferBytes` in the GEMV's buffers.
  int64_t scaledGemmWorkgroups(int64_t rows, int64_t n, int64_t k, int64_t actBlock, bool grouped,
                               int64_t rowBufferBytes) const {
    if (gpuColumnTile <= 0)
      return gemmWorkgroups(rows, n, grouped, rowBufferBytes);
    const int64_t tile = gemmTile(n, grouped, gpuColumnTile);
    if (!grouped && gpuGemmTileK(gpuRowTile, tile, k, actBlock, rowBufferBytes) > 0)
      return gpuGemmTileWorkgroups(rows, n, gpuRowTile, tile);
    const int64_t group = gemmRowGroup(grouped, rowBufferBytes);
    return (rows + group - 1) / group * ((n + tile - 1) / tile);
  }

  /// The workgroups of one row of a linalg GEMM kernel with `n` outputs: its
  /// column tiles, as LinalgKernels tiles them in this module.
  int64_t linalgGemmWorkgroups(int64_t n) const {
    const int64_t tile = std::min(n, gemmColumnTile(n, gpuColumnTile));
    return (n + tile - 1) / tile;
  }

  std::optional<LoadedKernel>
  compile(ArrayRef<Type> argTypes,
          llvm::function_ref<Operation *(OpBuilder &, Location, ValueRange)> makeOp,
          bool fuse = false) {
    Location loc = UnknownLoc::get(&context);
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    if (gpuColumnTile > 0) {
      auto i64 = IntegerType::get(&context, 64);
      module->getOperation()->setAttr(kGemmColumnTileAttr, IntegerAttr::get(i64, gpuColumnTile));
      if (gpuRowTile > 0)
        module->getOperation()->setAttr(kGemmRowTileAttr, IntegerAttr::get(i64, gpuRowTile));
      const std::string runChip = emulatedChip.empty() ? ""
                                  : gpuChip.empty()    ? emulatedChip
                                                       : gpuChip;
      if (gpuRowTile > 0 && (scaledTiles || gpu_target::multipliesScaledCodes(runChip)))
        module->getOperation()->setAttr(kGemmScaledTilesAttr, UnitAttr::get(&context));
    }
    OpBuilder b = OpBuilder::atBlockEnd(module->getBody());
    auto scratch = func::FuncOp::create(b, loc, "scratch", b.getFunctionType(argTypes, {}));
    OpBuilder body = OpBuilder::atBlockBegin(scratch.addEntryBlock());
    Operation *op = makeOp(body, loc, scratch.getArguments());
    if (failed(fuse ? emitFusedKernel(op, fusedProducers(op), "op", b)
                    : emitOpKernel(op, "op", b)))
      return std::nullopt;
    scratch.erase();
    if (!emulatedChip.empty())
      return compileEmulated(*module, gpuChip.empty() ? emulatedChip : gpuChip);
    // The target's configuration (vectorized where the table says so), as
    // the target phase builds it; an empty target leaves the kernels scalar.
    if (!target.empty())
      module->getOperation()->setAttr("sieve.target", b.getStringAttr(target));
    PassManager pm(&context);
    // Thread loops last iteration first: an iteration that depends on
    // another (a race among a GPU block's threads) gives other values here.
    if (!gpuChip.empty()) {
      GPUIntegerSmallFloatsPassOptions decode;
      decode.chip = gpuChip;
      pm.addPass(createGPUIntegerSmallFloatsPass(decode));
      // The tile products as one thread per output, the chip-independent
      // lowering (mma.sync and MFMA do not run on this CPU).
      pm.addPass(createGPUTileProductsPass());
      pm.addPass(createGPUExactFmaPass());
    }
    KernelsToCPUOptions options;
    options.reverseThreadLoops = true;
    buildKernelsToCPUPipeline(pm, options);
    if (failed(pm.run(*module)))
      return std::nullopt;
    std::optional<LoadedKernel> kernel =
        test::loadHostKernel(*module, target.empty() ? "cpu:host" : target, "op", errors);
    if (kernel && replay::CaseRecorder::active())
      replay::CaseRecorder::active()->forget(kernel->fn);
    return kernel;
  }

  /// The GPU pipeline for emulatedChip, then the kernel as host code on
  /// the SIMT emulator (sieve-gpu-emulate).
  /// With SIEVE_CONFORMANCE_RECORD, the kernel is also serialized for the
  /// chip and its dispatches recorded (replay/case_recorder.h).
  std::optional<LoadedKernel> compileEmulated(ModuleOp module, const std::string &chip) {
    // A test that names another chip's arithmetic (gpuChip) runs that chip:
    // its cases would hold no code for the recording's device.
    replay::CaseRecorder *active = replay::CaseRecorder::active();
    replay::CaseRecorder *recorder = chip == emulatedChip ? active : nullptr;
    if (recorder)
      recorder->noteKernelIR(module, "op");
    PassManager pm(&context);
    GPUPipelineOptions gpu;
    gpu.chip = chip;
    if (llvm::StringRef(chip).starts_with("gfx"))
      buildKernelsToROCDLPipeline(pm, gpu);
    else
      buildKernelsToNVVMPipeline(pm, gpu);
    if (failed(pm.run(module)))
      return std::nullopt;
    if (recorder) {
      OwningOpRef<ModuleOp> lowered = module.clone();
      if (failed(recorder->noteGpuCode(*lowered, chip)))
        return std::nullopt;
    }
    PassManager emulate(&context);
    emulate.addPass(createGPUEmulatePass());
    if (failed(emulate.run(module)))
      return std::nullopt;
    std::string image;
    std::optional<LoadedKernel> kernel =
        test::loadHostKernel(module, "cpu:host", "op", errors, recorder ? &image : nullptr);
    if (kernel && recorder)
      recorder->noteHostCode(kernel->fn, std::move(image));
    else if (kernel && active)
      active->forget(kernel->fn);
    return kernel;
  }

  MLIRContext context;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::string errors;
};

/// Distance of two bf16 bit patterns in units in the last place (ordered by
/// value, +0 and -0 one apart is fine for these inputs).
int bf16UlpDistance(uint16_t a, uint16_t b) {
  auto key = [](uint16_t v) { return (v & 0x8000) ? -int(v & 0x7FFF) : int(v & 0x7FFF); };
  return std::abs(key(a) - key(b));
}

/// Seeded bf16 values (as their bit patterns) around `center` with spread
/// `scale`.
std::vector<uint16_t> randomBf16(size_t count, uint32_t seed, float center, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(center, scale);
  std::vector<uint16_t> out(count);
  for (uint16_t &v : out)
    v = bf16FromFloat(dist(rng));
  return out;
}

/// A case's shape as a tensor shape: -1 is a dynamic size.
SmallVector<int64_t> tensorShape(const std::vector<int64_t> &shape) {
  SmallVector<int64_t> out;
  for (int64_t s : shape)
    out.push_back(s < 0 ? ShapedType::kDynamic : s);
  return out;
}

/// The push constants of a kernel whose first operand has `shape`: its
/// dynamic sizes, in order, taken from the run's `sizes`.
std::vector<uint32_t> dynamicSizesOf(const std::vector<int64_t> &shape,
                                     const std::vector<int64_t> &sizes) {
  std::vector<uint32_t> constants;
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] < 0)
      constants.push_back(uint32_t(sizes[d]));
  return constants;
}

/// The workgroups of a v4.grouped_linear kernel: token, group and tile of
/// kGroupedLinearOutputTile outputs.
int64_t groupedLinearWorkgroups(int64_t tokens, int64_t groups, int64_t rank) {
  int64_t tile = std::min<int64_t>(rank, kGroupedLinearOutputTile);
  return tokens * groups * ((rank + tile - 1) / tile);
}

/// Runs `kernel` with one workgroup per row (the row-wise kernels' grid).
Status runRows(const LoadedKernel &kernel, int64_t rows, llvm::ArrayRef<uint32_t> constants,
               llvm::ArrayRef<void *> bindings, llvm::ArrayRef<size_t> lengths,
               const std::string &name) {
  sieve_dispatch_state_t dispatch{{uint32_t(rows), 1, 1}, uint32_t(constants.size()),
                                  constants.data(),       uint32_t(bindings.size()),
                                  bindings.data(),        lengths.data()};
  // Descending: a kernel that relies on its workgroups' order fails here.
  auto run = [&] {
    return hal::runWorkgroupsSerially(kernel.fn, dispatch, name, hal::WorkgroupOrder::Descending);
  };
  if (replay::CaseRecorder *recorder = replay::CaseRecorder::active())
    return recorder->record(kernel.fn, dispatch, run);
  return run();
}

//===----------------------------------------------------------------------===//
// v4.rms_norm: bit-identical to ref::rmsNorm / ref::headNormBf16
//===----------------------------------------------------------------------===//

struct RmsNormCase {
  std::vector<int64_t> shape; // as typed; -1 = dynamic, given by `sizes`
  std::vector<int64_t> sizes; // the run's sizes
  bool weighted;
  bool roundEachStep;
};

void PrintTo(const RmsNormCase &c, std::ostream *os) {
  *os << "shape";
  for (int64_t s : c.sizes)
    *os << "_" << s;
  *os << (c.weighted ? "_weighted" : "") << (c.roundEachStep ? "_round_each_step" : "");
}

class RmsNormConformance : public OpConformance,
                           public ::testing::WithParamInterface<RmsNormCase> {};

TEST_P(RmsNormConformance, MatchesTheReferenceBitForBit) {
  const RmsNormCase &c = GetParam();
  Builder types(&context);
  SmallVector<int64_t> shape = tensorShape(c.shape);
  auto inputType = RankedTensorType::get(shape, types.getBF16Type());
  const int64_t width = c.sizes.back();
  SmallVector<Type> args = {inputType};
  if (c.weighted)
    args.push_back(RankedTensorType::get({width}, types.getBF16Type()));
  const double eps = 1e-6;
  std::optional<LoadedKernel> kernel =
      compile(args, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value weight = c.weighted ? in[1] : Value();
        return v4::RmsNormOp::create(b, loc, in[0], weight, APFloat(eps), c.roundEachStep);
      });
  ASSERT_TRUE(kernel) << errors;

  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t rows = elements / width;
  std::vector<uint16_t> x = randomBf16(size_t(elements), 7u + uint32_t(elements), 0.3f, 2.0f);
  std::vector<uint16_t> w = randomBf16(size_t(width), 11u, 1.0f, 0.25f);
  std::vector<uint16_t> y(size_t(elements) + 1, 0xFFFF);

  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  std::vector<void *> bindings = {x.data()};
  std::vector<size_t> lengths = {x.size() * 2};
  if (c.weighted) {
    bindings.push_back(w.data());
    lengths.push_back(w.size() * 2);
  }
  bindings.push_back(y.data());
  lengths.push_back(size_t(elements) * 2);
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "rms_norm");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  const auto n = static_cast<size_t>(width);
  std::vector<float> row(n), ones(n, 1.0f), wf(n), expected(n);
  for (int64_t i = 0; i < width; ++i)
    wf[size_t(i)] = bf16ToFloat(w[size_t(i)]);
  int64_t mismatches = 0, oneUlpOff = 0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < width; ++i)
      row[size_t(i)] = bf16ToFloat(x[size_t(r * width + i)]);
    if (c.roundEachStep) {
      expected = row;
      ref::headNormBf16(expected.data(), width, float(eps));
    } else {
      ref::rmsNorm(row.data(), width, c.weighted ? wf.data() : ones.data(), float(eps),
                   expected.data());
    }
    for (int64_t i = 0; i < width; ++i) {
      uint16_t want = bf16FromFloat(expected[size_t(i)]);
      uint16_t got = y[size_t(r * width + i)];
      if (want == got)
        continue;
      // A GPU splits the sum of squares over a warp's lanes (a
      // sieve.splittable_sum): another order, so the scale may round
      // differently and an output by one ulp.
      if (!emulatedChip.empty() && bf16UlpDistance(want, got) <= 1) {
        ++oneUlpOff;
        continue;
      }
      if (mismatches++ < 5)
        ADD_FAILURE() << "row " << r << " element " << i << ": kernel " << std::hex << got
                      << ", reference " << want;
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_LE(oneUlpOff, elements / 100) << "outputs one ulp off";
  EXPECT_EQ(y[size_t(elements)], 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, RmsNormConformance,
    ::testing::Values(
        // One token (decode), V4's model width.
        RmsNormCase{{1, 1, 4096}, {1, 1, 4096}, true, false},
        // A prefill chunk of run-time length, not a multiple of anything.
        RmsNormCase{{1, -1, 256}, {1, 37, 256}, true, false},
        // Sequence length 1 through a dynamic dimension.
        RmsNormCase{{1, -1, 128}, {1, 1, 128}, true, false},
        // Weightless (the KV norm of the compressor uses a weight; the
        // per-head q norm does not).
        RmsNormCase{{3, 5, 64}, {3, 5, 64}, false, false},
        // The per-head query norm: every step rounded to bf16 (7.1, 15.13).
        RmsNormCase{{1, -1, 4, 512}, {1, 9, 4, 512}, false, true},
        RmsNormCase{{2, 64}, {2, 64}, false, true}));

//===----------------------------------------------------------------------===//
// v4.swiglu: within one bf16 ulp of ref::swiglu (exp is approximated)
//===----------------------------------------------------------------------===//

/// The reordered sums' threshold (docs/numerics.md): an output more than
/// one bf16 ulp from the reference fails (the first five are reported by the
/// caller), one ulp off is allowed on at most 2% of the outputs.
struct OneUlpTally {
  int64_t offByOne = 0, failures = 0;

  /// Counts `got` against `want`; true when the caller should report it.
  bool failsAndReport(uint16_t want, uint16_t got) {
    int distance = bf16UlpDistance(want, got);
    offByOne += distance == 1;
    return distance > 1 && failures++ < 5;
  }
  void expectWithinBound(int64_t outputs) const {
    EXPECT_EQ(failures, 0);
    ::testing::Test::RecordProperty("one_ulp_off", static_cast<int>(offByOne));
    EXPECT_LE(offByOne * 50, outputs) << offByOne << " of " << outputs << " one ulp off";
  }
};

struct SwigluCase {
  std::vector<int64_t> shape; // -1 = dynamic
  std::vector<int64_t> sizes;
  bool weighted;
  double limit;
};

void PrintTo(const SwigluCase &c, std::ostream *os) {
  *os << "shape";
  for (int64_t s : c.sizes)
    *os << "_" << s;
  *os << (c.weighted ? "_weighted" : "") << "_limit_" << c.limit;
}

class SwigluConformance : public OpConformance,
                          public ::testing::WithParamInterface<SwigluCase> {};

TEST_P(SwigluConformance, WithinOneBf16UlpOfTheReference) {
  const SwigluCase &c = GetParam();
  Builder types(&context);
  SmallVector<int64_t> shape = tensorShape(c.shape);
  auto type = RankedTensorType::get(shape, types.getBF16Type());
  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t width = c.sizes.back(), rows = elements / width;
  SmallVector<Type> args = {type, type};
  if (c.weighted)
    args.push_back(RankedTensorType::get({ShapedType::kDynamic}, types.getF32Type()));
  std::optional<LoadedKernel> kernel =
      compile(args, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value weights = c.weighted ? in[2] : Value();
        return v4::SwigluOp::create(b, loc, type, in[0], in[1], weights, APFloat(c.limit));
      });
  ASSERT_TRUE(kernel) << errors;

  // Spread wide enough to cross the clamp at 10 on both sides.
  std::vector<uint16_t> gate = randomBf16(size_t(elements), 3u, 0.0f, 8.0f);
  std::vector<uint16_t> up = randomBf16(size_t(elements), 5u, 0.0f, 8.0f);
  std::vector<float> weights(static_cast<size_t>(rows));
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> unit(0.05f, 1.0f);
  for (float &w : weights)
    w = unit(rng);
  std::vector<uint16_t> out(size_t(elements) + 1, 0xFFFF);

  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  std::vector<void *> bindings = {gate.data(), up.data()};
  std::vector<size_t> lengths = {gate.size() * 2, up.size() * 2};
  if (c.weighted) {
    bindings.push_back(weights.data());
    lengths.push_back(weights.size() * 4);
  }
  bindings.push_back(out.data());
  lengths.push_back(size_t(elements) * 2);
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "swiglu");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  const auto count = static_cast<size_t>(elements);
  std::vector<float> g(count), u(count), expected(count);
  for (int64_t i = 0; i < elements; ++i) {
    g[size_t(i)] = bf16ToFloat(gate[size_t(i)]);
    u[size_t(i)] = bf16ToFloat(up[size_t(i)]);
  }
  ref::swiglu(g.data(), u.data(), rows, width, float(c.limit),
              c.weighted ? weights.data() : nullptr, expected.data());
  int64_t offByOne = 0, worst = 0;
  for (int64_t i = 0; i < elements; ++i) {
    int distance = bf16UlpDistance(out[size_t(i)], bf16FromFloat(expected[size_t(i)]));
    worst = std::max<int64_t>(worst, distance);
    offByOne += distance == 1;
    if (distance > 1)
      ADD_FAILURE() << "element " << i << ": kernel " << bf16ToFloat(out[size_t(i)])
                    << ", reference " << expected[size_t(i)];
  }
  RecordProperty("one_ulp_off", static_cast<int>(offByOne));
  EXPECT_LE(worst, 1);
  EXPECT_LE(offByOne * 1000, elements) << offByOne << " of " << elements << " one ulp off";
  EXPECT_EQ(out[size_t(elements)], 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SwigluConformance,
    ::testing::Values(
        // Routed experts: rows sorted by expert, each with its routing weight.
        SwigluCase{{-1, 512}, {37, 512}, true, 10.0},
        SwigluCase{{-1, 256}, {1, 256}, true, 10.0},
        // The shared expert: no weight.
        SwigluCase{{4, 3, 128}, {4, 3, 128}, false, 10.0},
        // No clamp (a config without swiglu_limit imports as +inf).
        SwigluCase{{-1, 128}, {16, 128}, false, std::numeric_limits<double>::infinity()}));

//===----------------------------------------------------------------------===//
// v4.hadamard: bit-identical to num::hadamardTransform (+ one rounding)
//===----------------------------------------------------------------------===//

struct HadamardCase {
  std::vector<int64_t> shape; // -1 = dynamic
  std::vector<int64_t> sizes;
  bool bf16;
};

void PrintTo(const HadamardCase &c, std::ostream *os) {
  *os << "shape";
  for (int64_t s : c.sizes)
    *os << "_" << s;
  *os << (c.bf16 ? "_bf16" : "_f32");
}

class HadamardConformance : public OpConformance,
                            public ::testing::WithParamInterface<HadamardCase> {};

TEST_P(HadamardConformance, MatchesTheReferenceBitForBit) {
  const HadamardCase &c = GetParam();
  Builder types(&context);
  SmallVector<int64_t> shape = tensorShape(c.shape);
  Type element = c.bf16 ? Type(types.getBF16Type()) : Type(types.getF32Type());
  auto type = RankedTensorType::get(shape, element);
  std::optional<LoadedKernel> kernel =
      compile({type}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::HadamardOp::create(b, loc, in[0]);
      });
  ASSERT_TRUE(kernel) << errors;

  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t width = c.sizes.back(), rows = elements / width;
  const auto count = static_cast<size_t>(elements);
  std::vector<float> input(count);
  std::mt19937 rng(17);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  for (float &v : input)
    v = c.bf16 ? num::roundToBf16(dist(rng)) : dist(rng);
  // Storage in the element type: bf16 bit patterns or f32 values.
  std::vector<uint16_t> in16(count), out16(count + 1, 0xFFFF);
  std::vector<float> in32(input), out32(count + 1, -7.0f);
  for (size_t i = 0; i < count; ++i)
    in16[i] = bf16FromFloat(input[i]);
  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  size_t bytes = count * (c.bf16 ? 2 : 4);
  void *bindings[] = {c.bf16 ? static_cast<void *>(in16.data()) : in32.data(),
                      c.bf16 ? static_cast<void *>(out16.data()) : out32.data()};
  size_t lengths[] = {bytes, bytes};
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "hadamard");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  int64_t mismatches = 0;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<float> expected(input.begin() + r * width, input.begin() + (r + 1) * width);
    ASSERT_TRUE(num::hadamardTransform(expected.data(), expected.size()).isOk());
    for (int64_t i = 0; i < width; ++i) {
      size_t at = size_t(r * width + i);
      bool same = c.bf16 ? out16[at] == bf16FromFloat(expected[size_t(i)])
                         : std::memcmp(&out32[at], &expected[size_t(i)], 4) == 0;
      if (!same && mismatches++ < 5)
        ADD_FAILURE() << "row " << r << " element " << i << ": kernel "
                      << (c.bf16 ? bf16ToFloat(out16[at]) : out32[at]) << ", reference "
                      << expected[size_t(i)];
    }
  }
  EXPECT_EQ(mismatches, 0);
  if (c.bf16)
    EXPECT_EQ(out16[count], 0xFFFF) << "wrote past the result";
  else
    EXPECT_EQ(out32[count], -7.0f) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, HadamardConformance,
    ::testing::Values(
        // Indexer queries [1, S, heads, 128] of a chunk; keys [S, 128].
        HadamardCase{{1, -1, 4, 128}, {1, 9, 4, 128}, true},
        HadamardCase{{-1, 128}, {1, 128}, true},
        // The smallest transform and an fp32 one (compared bit for bit).
        HadamardCase{{3, 2}, {3, 2}, true},
        HadamardCase{{-1, 64}, {5, 64}, false}));

//===----------------------------------------------------------------------===//
// v4.simulate_quant: bit-identical to num::simulate
//===----------------------------------------------------------------------===//

struct SimulateCase {
  std::vector<int64_t> shape; // -1 = dynamic
  std::vector<int64_t> sizes;
  bool fp4;
  bool ceilRule;
  int64_t block;
  bool specialValues; // zeros, tiny, huge, NaN and Inf blocks
};

void PrintTo(const SimulateCase &c, std::ostream *os) {
  *os << "shape";
  for (int64_t s : c.sizes)
    *os << "_" << s;
  *os << (c.fp4 ? "_e2m1" : "_e4m3") << (c.ceilRule ? "_ceil" : "_floor") << "_block"
      << c.block << (c.specialValues ? "_special" : "");
}

class SimulateQuantConformance : public OpConformance,
                                 public ::testing::WithParamInterface<SimulateCase> {};

TEST_P(SimulateQuantConformance, MatchesTheReferenceBitForBit) {
  const SimulateCase &c = GetParam();
  Builder types(&context);
  SmallVector<int64_t> shape = tensorShape(c.shape);
  auto type = RankedTensorType::get(shape, types.getBF16Type());
  Type format = c.fp4 ? Type(types.getType<Float4E2M1FNType>())
                      : Type(types.getType<Float8E4M3FNType>());
  std::optional<LoadedKernel> kernel =
      compile({type}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::SimulateQuantOp::create(b, loc, in[0], format, c.block,
                                           c.ceilRule ? v4::ScaleRule::ceil
                                                      : v4::ScaleRule::floor);
      });
  ASSERT_TRUE(kernel) << errors;

  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t width = c.sizes.back(), rows = elements / width;
  const auto count = static_cast<size_t>(elements);
  std::vector<uint16_t> x = randomBf16(count, 19u + uint32_t(count), 0.0f, 2.0f);
  if (c.specialValues) {
    // One kind per block, cycling: all zero, tiny (bf16 subnormals and
    // values below the ceil floor), huge, a NaN, an Inf, sign-mixed steps.
    const float tiny = 1e-39f, huge = 3.0e38f;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < count; ++i) {
      size_t kind = (i / size_t(c.block)) % 6, j = i % size_t(c.block);
      float v = bf16ToFloat(x[i]);
      switch (kind) {
      case 0: v = 0.0f; break;
      case 1: v = (j % 2 ? -tiny : tiny) * float(j + 1); break;
      case 2: v = huge / float(j + 1); break;
      case 3: v = j == 5 ? nan : v; break;
      case 4: v = j == 7 ? -inf : v; break;
      default: v = (j % 2 ? -1.0f : 1.0f) * float(j) * 0.0625f; break;
      }
      x[i] = bf16FromFloat(v);
    }
  }
  std::vector<uint16_t> y(count + 1, 0xFFFF);
  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  void *bindings[] = {x.data(), y.data()};
  size_t lengths[] = {count * 2, count * 2};
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "simulate_quant");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  num::BlockFormat blockFormat;
  blockFormat.element = c.fp4 ? num::ElementFormat::kE2M1 : num::ElementFormat::kE4M3;
  blockFormat.rule = c.ceilRule ? num::ScaleRule::kDeepSeekCeil : num::ScaleRule::kOcpFloor;
  blockFormat.blockSize = int(c.block);
  int64_t mismatches = 0;
  std::vector<float> row(static_cast<size_t>(width)), expected(static_cast<size_t>(width));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < width; ++i)
      row[size_t(i)] = bf16ToFloat(x[size_t(r * width + i)]);
    ASSERT_TRUE(num::simulate(row.data(), row.size(), blockFormat, expected.data()).isOk());
    for (int64_t i = 0; i < width; ++i) {
      uint16_t want = bf16FromFloat(expected[size_t(i)]), got = y[size_t(r * width + i)];
      auto isNaN = [](uint16_t v) { return (v & 0x7F80) == 0x7F80 && (v & 0x7F) != 0; };
      bool same = want == got || (isNaN(want) && isNaN(got));
      if (!same && mismatches++ < 5)
        ADD_FAILURE() << "row " << r << " element " << i << " (input "
                      << row[size_t(i)] << "): kernel " << bf16ToFloat(got) << ", reference "
                      << expected[size_t(i)];
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(y[count], 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SimulateQuantConformance,
    ::testing::Values(
        // The KV rows' nope dims: FP8 block 64, DeepSeek's ceil rule.
        SimulateCase{{1, -1, 448}, {1, 37, 448}, false, true, 64, false},
        // Indexer queries: FP4 block 32.
        SimulateCase{{1, -1, 4, 128}, {1, 3, 4, 128}, true, true, 32, false},
        // The OCP floor rule for both formats.
        SimulateCase{{3, 128}, {3, 128}, false, false, 32, false},
        SimulateCase{{-1, 64}, {4, 64}, true, false, 32, false},
        // Zero, tiny, huge, NaN and Inf blocks under both rules.
        SimulateCase{{-1, 384}, {2, 384}, false, true, 64, true},
        SimulateCase{{-1, 192}, {2, 192}, true, true, 32, true},
        SimulateCase{{-1, 384}, {2, 384}, false, false, 64, true},
        SimulateCase{{-1, 192}, {2, 192}, true, false, 32, true}));

//===----------------------------------------------------------------------===//
// v4.rope: within one bf16 ulp of num::ropeCosSin + num::ropeRotate
//===----------------------------------------------------------------------===//

struct RopeCase {
  std::vector<int64_t> shape;     // input; -1 = dynamic
  std::vector<int64_t> sizes;
  int64_t positionRank;           // positions cover this many leading dims
  std::vector<int32_t> positions; // one per position entry (row-major)
  bool yarn;                      // V4's compressed-layer params, else SWA's
  bool inverse;
};

void PrintTo(const RopeCase &c, std::ostream *os) {
  *os << "shape";
  for (int64_t s : c.sizes)
    *os << "_" << s;
  *os << (c.yarn ? "_yarn" : "_plain") << (c.inverse ? "_inverse" : "") << "_max_position_"
      << *std::max_element(c.positions.begin(), c.positions.end());
}

class RopeConformance : public OpConformance, public ::testing::WithParamInterface<RopeCase> {};

TEST_P(RopeConformance, WithinOneBf16UlpOfTheReference) {
  const RopeCase &c = GetParam();
  Builder types(&context);
  SmallVector<int64_t> shape = tensorShape(c.shape), positionShape;
  positionShape.assign(shape.begin(), shape.begin() + c.positionRank);
  auto type = RankedTensorType::get(shape, types.getBF16Type());
  auto positionsType = RankedTensorType::get(positionShape, types.getI32Type());
  num::RopeParams p;
  p.ropeDim = 64;
  p.base = c.yarn ? 160000.0 : 10000.0;
  p.yarn = c.yarn;
  p.factor = c.yarn ? 16.0 : 1.0;
  p.originalSeqLen = 65536;
  auto attr = v4::RopeAttr::get(&context, APFloat(p.base), p.ropeDim, APFloat(p.factor),
                                p.originalSeqLen, APFloat(p.betaFast), APFloat(p.betaSlow));
  std::optional<LoadedKernel> kernel = compile(
      {type, positionsType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::RopeOp::create(b, loc, in[0], in[1], attr, c.inverse);
      });
  ASSERT_TRUE(kernel) << errors;

  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t width = c.sizes.back(), rows = elements / width;
  int64_t perPosition = 1;
  for (size_t d = size_t(c.positionRank); d + 1 < c.sizes.size(); ++d)
    perPosition *= c.sizes[d];
  const auto count = static_cast<size_t>(elements);
  std::vector<uint16_t> x = randomBf16(count, 23u, 0.0f, 1.5f), y(count + 1, 0xFFFF);
  std::vector<int32_t> positions(c.positions);
  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  void *bindings[] = {x.data(), positions.data(), y.data()};
  size_t lengths[] = {count * 2, positions.size() * 4, count * 2};
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "rope");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  Expected<std::vector<float>> freqs = num::ropeFrequencies(p);
  ASSERT_TRUE(freqs.isOk());
  std::vector<float> cosines(32), sines(32), row(static_cast<size_t>(width));
  int64_t offByOne = 0, worst = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int32_t pos = positions[size_t(r / perPosition)];
    num::ropeCosSin(*freqs, pos, cosines.data(), sines.data());
    for (int64_t i = 0; i < width; ++i)
      row[size_t(i)] = bf16ToFloat(x[size_t(r * width + i)]);
    num::ropeRotate(cosines.data(), sines.data(), 32, row.data() + (width - 64), c.inverse);
    for (int64_t i = 0; i < width; ++i) {
      uint16_t want = bf16FromFloat(row[size_t(i)]), got = y[size_t(r * width + i)];
      int distance = bf16UlpDistance(want, got);
      worst = std::max<int64_t>(worst, distance);
      offByOne += distance == 1;
      if (distance > 1)
        ADD_FAILURE() << "row " << r << " (position " << pos << ") element " << i
                      << ": kernel " << bf16ToFloat(got) << ", reference " << row[size_t(i)];
    }
  }
  RecordProperty("one_ulp_off", static_cast<int>(offByOne));
  EXPECT_LE(worst, 1);
  EXPECT_LE(offByOne * 1000, elements) << offByOne << " of " << elements << " one ulp off";
  EXPECT_EQ(y[count], 0xFFFF) << "wrote past the result";
}

/// Positions from 0 up past V4's context: around YaRN's original length,
/// powers of two, and the last position of a 1M-token context.
std::vector<int32_t> farPositions() {
  return {0,     1,      2,       127,     128,     4095,    65535,  65536,
          65537, 131072, 262143,  500000,  777777,  999999,  1048575, 1048576};
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, RopeConformance,
    ::testing::Values(
        // Queries of a chunk [1, S, heads, 128] at far positions, YaRN.
        RopeCase{{1, -1, 4, 128}, {1, 16, 4, 128}, 2, farPositions(), true, false},
        // The attention output's de-rotation (inverse).
        RopeCase{{1, -1, 4, 128}, {1, 16, 4, 128}, 2, farPositions(), true, true},
        // KV rows of a sliding-window layer (no YaRN), one decode token.
        RopeCase{{1, -1, 128}, {1, 16, 128}, 2, farPositions(), false, false},
        RopeCase{{-1, 1, 64}, {1, 1, 64}, 2, {1048575}, false, false},
        // A batch of decode rows at different positions (positions [B, 1]).
        RopeCase{{-1, 1, 2, 128}, {3, 1, 2, 128}, 2, {5, 70000, 1000000}, true, false}));

//===----------------------------------------------------------------------===//
// v4.quantize and v4.dequantize: bit-identical to num::quantize/dequantize
//===----------------------------------------------------------------------===//

struct CodesCase {
  std::vector<int64_t> shape; // -1 = dynamic
  std::vector<int64_t> sizes;
  bool fp4;
  bool ceilRule;
  int64_t block;
  bool specialValues;
};

void PrintTo(const CodesCase &c, std::ostream *os) {
  *os << "shape";
  for (int64_t s : c.sizes)
    *os << "_" << s;
  *os << (c.fp4 ? "_e2m1" : "_e4m3") << (c.ceilRule ? "_ceil" : "_floor") << "_block"
      << c.block << (c.specialValues ? "_special" : "");
}

class QuantizeConformance : public OpConformance,
                            public ::testing::WithParamInterface<CodesCase> {};

TEST_P(QuantizeConformance, CodesAndScalesMatchTheReference) {
  const CodesCase &c = GetParam();
  Builder types(&context);
  SmallVector<int64_t> shape = tensorShape(c.shape), scaleShape;
  scaleShape = shape;
  scaleShape.back() = shape.back() / c.block;
  Type format = c.fp4 ? Type(types.getType<Float4E2M1FNType>())
                      : Type(types.getType<Float8E4M3FNType>());
  auto inputType = RankedTensorType::get(shape, types.getBF16Type());
  auto codesType = RankedTensorType::get(shape, format);
  auto scalesType = RankedTensorType::get(scaleShape, types.getType<Float8E8M0FNUType>());
  std::optional<LoadedKernel> kernel =
      compile({inputType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::QuantizeOp::create(b, loc, codesType, scalesType, in[0], c.block,
                                      c.ceilRule ? v4::ScaleRule::ceil : v4::ScaleRule::floor);
      });
  ASSERT_TRUE(kernel) << errors;

  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t width = c.sizes.back(), rows = elements / width;
  const auto count = static_cast<size_t>(elements);
  std::vector<uint16_t> x = randomBf16(count, 29u, 0.0f, 3.0f);
  if (c.specialValues)
    for (size_t i = 0; i < count; ++i) {
      size_t kind = (i / size_t(c.block)) % 5, j = i % size_t(c.block);
      if (kind == 0)
        x[i] = j % 2 ? 0x8000 : 0x0000; // +-0
      else if (kind == 1 && j == 3)
        x[i] = 0x7FC0; // NaN
      else if (kind == 2 && j == 1)
        x[i] = 0xFF80; // -Inf
      else if (kind == 3)
        x[i] = bf16FromFloat(float(j % 7) * 1e-39f); // subnormal
    }
  const size_t codeBytes = c.fp4 ? count / 2 : count, scaleBytes = count / size_t(c.block);
  std::vector<uint8_t> codes(codeBytes + 1, 0xAB), scales(scaleBytes + 1, 0xAB);
  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  void *bindings[] = {x.data(), codes.data(), scales.data()};
  size_t lengths[] = {count * 2, codeBytes, scaleBytes};
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "quantize");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  num::BlockFormat blockFormat;
  blockFormat.element = c.fp4 ? num::ElementFormat::kE2M1 : num::ElementFormat::kE4M3;
  blockFormat.rule = c.ceilRule ? num::ScaleRule::kDeepSeekCeil : num::ScaleRule::kOcpFloor;
  blockFormat.blockSize = int(c.block);
  std::vector<float> row(static_cast<size_t>(width));
  std::vector<uint8_t> wantCodes(static_cast<size_t>(width)),
      wantScales(static_cast<size_t>(width / c.block));
  int64_t mismatches = 0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < width; ++i)
      row[size_t(i)] = bf16ToFloat(x[size_t(r * width + i)]);
    ASSERT_TRUE(num::quantize(row.data(), row.size(), blockFormat, wantCodes.data(),
                              wantScales.data())
                    .isOk());
    for (int64_t i = 0; i < width; ++i) {
      uint8_t got = c.fp4 ? uint8_t((codes[size_t((r * width + i) / 2)] >> (4 * (i % 2))) & 0xF)
                          : codes[size_t(r * width + i)];
      if (got != wantCodes[size_t(i)] && mismatches++ < 5)
        ADD_FAILURE() << "row " << r << " element " << i << " (" << row[size_t(i)]
                      << "): code " << int(got) << ", reference " << int(wantCodes[size_t(i)]);
    }
    for (int64_t blk = 0; blk < width / c.block; ++blk) {
      uint8_t got = scales[size_t(r * (width / c.block) + blk)];
      if (got != wantScales[size_t(blk)] && mismatches++ < 5)
        ADD_FAILURE() << "row " << r << " block " << blk << ": scale " << int(got)
                      << ", reference " << int(wantScales[size_t(blk)]);
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(codes[codeBytes], 0xAB) << "wrote past the codes";
  EXPECT_EQ(scales[scaleBytes], 0xAB) << "wrote past the scales";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, QuantizeConformance,
    ::testing::Values(
        // Activations before an FP8 GEMM: block 128, ceil rule.
        CodesCase{{-1, 512}, {37, 512}, false, true, 128, false},
        CodesCase{{1, 1, 256}, {1, 1, 256}, false, true, 128, false},
        // OCP floor rule; FP4 codes packed two per byte.
        CodesCase{{3, 128}, {3, 128}, false, false, 32, false},
        CodesCase{{-1, 64}, {5, 64}, true, true, 32, false},
        CodesCase{{-1, 64}, {5, 64}, true, false, 32, false},
        // Signed zeros, NaN, -Inf and subnormal blocks.
        CodesCase{{-1, 320}, {2, 320}, false, true, 64, true},
        CodesCase{{-1, 160}, {2, 160}, true, true, 32, true}));

class DequantizeConformance : public OpConformance,
                              public ::testing::WithParamInterface<CodesCase> {};

TEST_P(DequantizeConformance, ValuesMatchTheReference) {
  const CodesCase &c = GetParam();
  Builder types(&context);
  SmallVector<int64_t> shape = tensorShape(c.shape), scaleShape;
  scaleShape = shape;
  scaleShape.back() = shape.back() / c.block;
  Type format = c.fp4 ? Type(types.getType<Float4E2M1FNType>())
                      : Type(types.getType<Float8E4M3FNType>());
  auto codesType = RankedTensorType::get(shape, format);
  auto scalesType = RankedTensorType::get(scaleShape, types.getType<Float8E8M0FNUType>());
  auto resultType = RankedTensorType::get(shape, types.getBF16Type());
  std::optional<LoadedKernel> kernel = compile(
      {codesType, scalesType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::DequantizeOp::create(b, loc, resultType, in[0], in[1], c.block);
      });
  ASSERT_TRUE(kernel) << errors;

  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t width = c.sizes.back(), rows = elements / width;
  const auto count = static_cast<size_t>(elements);
  const size_t codeBytes = c.fp4 ? count / 2 : count, scaleBytes = count / size_t(c.block);
  // Every code byte and scales across the E8M0 range, its ends and NaN included.
  std::vector<uint8_t> codes(codeBytes), scales(scaleBytes);
  for (size_t i = 0; i < codeBytes; ++i)
    codes[i] = uint8_t(i * 37 + 11);
  std::mt19937 rng(31);
  std::uniform_int_distribution<int> scaleDist(100, 150);
  for (size_t i = 0; i < scaleBytes; ++i)
    scales[i] = c.specialValues ? uint8_t(std::vector<int>{0, 1, 126, 127, 254, 255}[i % 6])
                                : uint8_t(scaleDist(rng));
  std::vector<uint16_t> out(count + 1, 0xFFFF);
  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  void *bindings[] = {codes.data(), scales.data(), out.data()};
  size_t lengths[] = {codeBytes, scaleBytes, count * 2};
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "dequantize");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  num::BlockFormat blockFormat;
  blockFormat.element = c.fp4 ? num::ElementFormat::kE2M1 : num::ElementFormat::kE4M3;
  blockFormat.blockSize = int(c.block);
  std::vector<uint8_t> rowCodes(static_cast<size_t>(width));
  std::vector<float> expected(static_cast<size_t>(width));
  int64_t mismatches = 0;
  auto isNaN = [](uint16_t v) { return (v & 0x7F80) == 0x7F80 && (v & 0x7F) != 0; };
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < width; ++i) {
      size_t at = size_t(r * width + i);
      rowCodes[size_t(i)] = c.fp4 ? uint8_t((codes[at / 2] >> (4 * (at % 2))) & 0xF) : codes[at];
    }
    ASSERT_TRUE(num::dequantize(rowCodes.data(), scales.data() + r * (width / c.block),
                                rowCodes.size(), blockFormat, expected.data())
                    .isOk());
    for (int64_t i = 0; i < width; ++i) {
      uint16_t want = bf16FromFloat(expected[size_t(i)]), got = out[size_t(r * width + i)];
      if (!(want == got || (isNaN(want) && isNaN(got))) && mismatches++ < 5)
        ADD_FAILURE() << "row " << r << " element " << i << " (code "
                      << int(rowCodes[size_t(i)]) << "): kernel " << bf16ToFloat(got)
                      << ", reference " << expected[size_t(i)];
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(out[count], 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, DequantizeConformance,
    ::testing::Values(
        // The output projection's FP8 weight, 128-blocks; FP4 experts, 32-blocks.
        CodesCase{{256, 256}, {256, 256}, false, true, 128, false},
        CodesCase{{-1, 128}, {8, 128}, true, true, 32, false},
        // Scales 2^-127, 2^-126, 2^-1, 1, 2^127 and NaN.
        CodesCase{{-1, 384}, {2, 384}, false, true, 64, true},
        CodesCase{{-1, 192}, {2, 192}, true, true, 32, true}));

//===----------------------------------------------------------------------===//
// v4.fp8_matmul: ref::blockDot over decoded operands, within one bf16 ulp
//===----------------------------------------------------------------------===//
// The terms are the reference's (products of operands decoded with their
// block scales, exact in fp32); the kernel sums all of K in one sum (in
// vector lanes on the host) where the reference sums per K block first, and
// the two orders can round differently where the terms span a wide range.
// At most one bf16 ulp, on at most 2% of outputs.

struct MatmulCase {
  std::vector<int64_t> shape; // activation; -1 = dynamic
  std::vector<int64_t> sizes;
  int64_t n;
  int64_t blockN, blockK;
  // The activation's v4.quantize fused into the matmul (the fusion table's
  // first row): the kernel binds the bf16 activation.
  bool fusedQuantize = false;
  // And the weighted rms_norm that quantization reads (row 3): the kernel
  // binds the norm's input and weight.
  bool fusedNorm = false;
  // A NaN in row 1 and an infinity in row 2 of the activation: their
  // blocks' scales are E8M0's NaN and the rows' outputs NaN.
  bool nonFinite = false;
};

void PrintTo(const MatmulCase &c, std::ostream *os) {
  *os << "rows";
  for (size_t d = 0; d + 1 < c.sizes.size(); ++d)
    *os << "_" << c.sizes[d];
  *os << "_k_" << c.sizes.back() << "_n_" << c.n << "_blocks_" << c.blockN << "x" << c.blockK
      << (c.fusedNorm ? "_fused_norm" : "") << (c.fusedQuantize ? "_fused_quantize" : "")
      << (c.nonFinite ? "_nan_and_inf" : "");
}

class Fp8MatmulConformance : public OpConformance,
                             public ::testing::WithParamInterface<MatmulCase> {
protected:
  void check(const MatmulCase &c);
};

TEST_P(Fp8MatmulConformance, WithinOneBf16UlpOfTheReference) { check(GetParam()); }

// The arithmetic of an sm_80 (and gfx90a, gfx942) kernel: weight codes
// decoded with integer arithmetic in f16 instead of the table, exact
// products added by fma; run on this CPU (scalar).
TEST_P(Fp8MatmulConformance, WithTheGpuArithmeticWithinOneBf16Ulp) {
  gpuChip = "sm_80";
  target = "";
  check(GetParam());
}

// The tile form of a module with GPU code (rows in tiles of 16, one bf16
// tile product per K step), lowered for this CPU: the tiles' decode and the
// sums in the kernel IR's order.
TEST_P(Fp8MatmulConformance, InTheGpuTileFormWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  check(GetParam());
}

// Row tiles of 32 (--gpu-gemm-row-tile=32), where their buffers fit.
TEST_P(Fp8MatmulConformance, InTheGpuTileFormOf32RowsWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  gpuRowTile = 32;
  check(GetParam());
}

// The same with gfx942's arithmetic (its integer decode, exact fma) and the
// tile product over the threads, one output each (scalar here).
TEST_P(Fp8MatmulConformance, InTheGpuTileFormWithTheGpuArithmeticWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  gpuChip = "gfx942";
  target = "";
  check(GetParam());
}

// The tile form with the tiles as codes and scales (gfx950's, the scaled
// MFMA's operands), lowered for this CPU: each term decoded in the tile
// product's own body, the sums in the kernel IR's order.
TEST_P(Fp8MatmulConformance, InTheScaledTileFormWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  scaledTiles = true;
  check(GetParam());
}

// The same given to the threads as a chip without scaled matrix units
// would (one thread per output, the product's body per term), with gfx942's
// arithmetic.
TEST_P(Fp8MatmulConformance, InTheScaledTileFormWithTheGpuArithmeticWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  scaledTiles = true;
  gpuChip = "gfx942";
  target = "";
  check(GetParam());
}

// The whole sm_90 pipeline on the SIMT emulator: GEMVs over 32-lane groups
// with shuffles, the tile form on mma.sync fragments, E4M3 pairs converted
// as the chip converts them, shared memory between the threads.
TEST_P(Fp8MatmulConformance, OnTheEmulatedSm90WithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  emulatedChip = "sm_90";
  check(GetParam());
}

void Fp8MatmulConformance::check(const MatmulCase &c) {
  Builder types(&context);
  const int64_t k = c.sizes.back(), n = c.n;
  const int64_t scaleRows = (n + c.blockN - 1) / c.blockN, kBlocks = k / c.blockK;
  SmallVector<int64_t> shape = tensorShape(c.shape), scaleShape, outShape;
  scaleShape = shape;
  scaleShape.back() = kBlocks;
  outShape = shape;
  outShape.back() = n;
  Type f8 = types.getType<Float8E4M3FNType>(), e8m0 = types.getType<Float8E8M0FNUType>();
  SmallVector<Type> args = {RankedTensorType::get(shape, f8),
                            RankedTensorType::get(scaleShape, e8m0),
                            RankedTensorType::get({n, k}, f8),
                            RankedTensorType::get({scaleRows, kBlocks}, e8m0)};
  const double eps = 1e-6;
  if (c.fusedQuantize)
    args = {RankedTensorType::get(shape, types.getBF16Type()), args[2], args[3]};
  if (c.fusedNorm)
    args.insert(args.begin() + 1, RankedTensorType::get({k}, types.getBF16Type()));
  auto resultType = RankedTensorType::get(outShape, types.getBF16Type());
  std::optional<LoadedKernel> kernel = compile(
      args,
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        if (!c.fusedQuantize)
          return v4::Fp8MatmulOp::create(b, loc, resultType, in[0], in[1], in[2], in[3],
                                         Value(), ArrayRef<int64_t>{c.blockN, c.blockK});
        Value activation = in[0];
        ValueRange weights = in.drop_front();
        if (c.fusedNorm) {
          activation = v4::RmsNormOp::create(b, loc, in[0], in[1], APFloat(eps), false);
          weights = in.drop_front(2);
        }
        auto quantize = v4::QuantizeOp::create(
            b, loc, RankedTensorType::get(shape, f8), RankedTensorType::get(scaleShape, e8m0),
            activation, c.blockK, v4::ScaleRule::ceil);
        return v4::Fp8MatmulOp::create(b, loc, resultType, quantize.getCodes(),
                                       quantize.getScales(), weights[0], weights[1], Value(),
                                       ArrayRef<int64_t>{c.blockN, c.blockK});
      },
      c.fusedQuantize);
  ASSERT_TRUE(kernel) << errors;

  int64_t elements = 1;
  for (int64_t s : c.sizes)
    elements *= s;
  const int64_t rows = elements / k;
  // Activations as the reference quantizes them (E4M3, ceil rule), after
  // its rms_norm (rounded to bf16) when the norm is fused in.
  std::vector<uint16_t> x = randomBf16(size_t(elements), 37u, 0.0f, 2.0f);
  if (c.nonFinite) {
    x[size_t(1 * k + 3)] = 0x7FC0;     // NaN
    x[size_t(2 * k + k - 1)] = 0x7F80; // +Inf
  }
  std::vector<uint16_t> normWeight = randomBf16(size_t(k), 43u, 1.0f, 0.25f);
  std::vector<uint8_t> aCodes(static_cast<size_t>(elements)),
      aScales(static_cast<size_t>(rows * kBlocks));
  num::BlockFormat fp8{num::ElementFormat::kE4M3, num::ScaleRule::kDeepSeekCeil, int(c.blockK)};
  std::vector<float> xRow(static_cast<size_t>(k)), normWeightF(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i)
    normWeightF[size_t(i)] = bf16ToFloat(normWeight[size_t(i)]);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < k; ++i)
      xRow[size_t(i)] = bf16ToFloat(x[size_t(r * k + i)]);
    if (c.fusedNorm) {
      std::vector<float> normed(static_cast<size_t>(k));
      ref::rmsNorm(xRow.data(), k, normWeightF.data(), float(eps), normed.data());
      for (int64_t i = 0; i < k; ++i)
        xRow[size_t(i)] = bf16ToFloat(bf16FromFloat(normed[size_t(i)]));
    }
    ASSERT_TRUE(num::quantize(xRow.data(), size_t(k), fp8, aCodes.data() + r * k,
                              aScales.data() + r * kBlocks)
                    .isOk());
  }
  // A weight of every finite E4M3 code, scales around 1.
  std::mt19937 rng(41);
  std::uniform_int_distribution<int> codeDist(0, 253), scaleDist(118, 130);
  std::vector<uint8_t> wCodes(static_cast<size_t>(n * k)),
      wScales(static_cast<size_t>(scaleRows * kBlocks));
  for (uint8_t &code : wCodes) {
    int v = codeDist(rng);
    code = uint8_t(v >= 0x7F ? v + 1 : v); // skip the NaN code 0x7F (0xFF is past 253)
  }
  for (uint8_t &scale : wScales)
    scale = uint8_t(scaleDist(rng));
  std::vector<uint16_t> out(static_cast<size_t>(rows * n) + 1, 0xFFFF);
  std::vector<uint32_t> constants = dynamicSizesOf(c.shape, c.sizes);
  std::vector<void *> bindings = {aCodes.data(), aScales.data(), wCodes.data(), wScales.data(),
                                  out.data()};
  std::vector<size_t> lengths = {aCodes.size(), aScales.size(), wCodes.size(), wScales.size(),
                                 size_t(rows * n) * 2};
  if (c.fusedQuantize) {
    bindings = {x.data(), wCodes.data(), wScales.data(), out.data()};
    lengths = {x.size() * 2, wCodes.size(), wScales.size(), size_t(rows * n) * 2};
  }
  if (c.fusedNorm) {
    bindings.insert(bindings.begin() + 1, normWeight.data());
    lengths.insert(lengths.begin() + 1, normWeight.size() * 2);
  }
  Status ran =
      runRows(*kernel, scaledGemmWorkgroups(rows, n, k, c.blockK, false, k * (c.fusedNorm ? 4 : 2)),
              constants, bindings, lengths, "fp8_matmul");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  // The reference: decoded operands (codes times their block scales) and
  // the reference linear()'s block-accumulated dot product.
  std::vector<float> aRow(static_cast<size_t>(k)), wRow(static_cast<size_t>(k));
  std::vector<uint8_t> wRowScales(static_cast<size_t>(kBlocks));
  OneUlpTally tally;
  for (int64_t r = 0; r < rows; ++r) {
    ASSERT_TRUE(num::dequantize(aCodes.data() + r * k, aScales.data() + r * kBlocks, size_t(k),
                                fp8, aRow.data())
                    .isOk());
    for (int64_t o = 0; o < n; ++o) {
      std::copy_n(wScales.data() + (o / c.blockN) * kBlocks, kBlocks, wRowScales.data());
      ASSERT_TRUE(num::dequantize(wCodes.data() + o * k, wRowScales.data(), size_t(k), fp8,
                                  wRow.data())
                      .isOk());
      uint16_t want = bf16FromFloat(ref::blockDot(aRow.data(), wRow.data(), k, c.blockK));
      uint16_t got = out[size_t(r * n + o)];
      if (c.nonFinite && (r == 1 || r == 2)) {
        // Any NaN: its sign and payload are the arithmetic's.
        EXPECT_TRUE(std::isnan(bf16ToFloat(want))) << "the reference's row " << r;
        EXPECT_TRUE(std::isnan(bf16ToFloat(got))) << "row " << r << " output " << o << ": kernel "
                                                  << bf16ToFloat(got) << ", reference NaN";
        continue;
      }
      if (tally.failsAndReport(want, got))
        ADD_FAILURE() << "row " << r << " output " << o << ": kernel " << bf16ToFloat(got)
                      << ", reference " << bf16ToFloat(want);
    }
  }
  tally.expectWithinBound(rows * n);
  EXPECT_EQ(out[size_t(rows * n)], 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(Shapes, Fp8MatmulConformance,
                         ::testing::Values(
                             // V4's 128x128 blocks; a prefill chunk of run-time length.
                             MatmulCase{{-1, 256}, {5, 256}, 128, 128, 128},
                             // One token; N not a multiple of the N block (scales ceil(320 / 128)).
                             MatmulCase{{1, 1, 512}, {1, 1, 512}, 320, 128, 128},
                             // Smaller blocks.
                             MatmulCase{{-1, 192}, {3, 192}, 96, 32, 64},
                             // The activation quantization fused in (the kernel quantizes each
                             // row itself): the same codes, so the same bits.
                             MatmulCase{{-1, 256}, {5, 256}, 128, 128, 128, true},
                             MatmulCase{{1, 1, 512}, {1, 1, 512}, 320, 128, 128, true},
                             // The rms_norm before the quantization fused in too (RMSNorm in
                             // the GEMM's prologue): the kernel normalizes each row first.
                             MatmulCase{{-1, 256}, {5, 256}, 128, 128, 128, true, true},
                             MatmulCase{{1, -1, 512}, {1, 3, 512}, 320, 128, 128, true, true},
                             // Rows in groups of four per workgroup (gemmRowGroup): two whole
                             // groups (one weight decode for four rows on the CPU), then a group
                             // of two; and a whole group then a lone row.
                             MatmulCase{{-1, 256}, {10, 256}, 128, 128, 128, true, true},
                             MatmulCase{{-1, 512}, {5, 512}, 192, 128, 128},
                             // The GPU tile form's edges: three row tiles, the last of five rows,
                             // and a last column tile of eight.
                             MatmulCase{{-1, 256}, {37, 256}, 200, 128, 128, true, true},
                             MatmulCase{{-1, 384}, {21, 384}, 72, 128, 128},
                             // Non-finite activations: the rows' blocks quantize to the NaN
                             // scale, their outputs are NaN (quantized in the kernel, and by
                             // the quantize kernel), the other rows' are not touched.
                             MatmulCase{{-1, 256}, {5, 256}, 128, 128, 128, true, false, true},
                             MatmulCase{{-1, 256}, {5, 256}, 128, 128, 128, false, false, true},
                             MatmulCase{{-1, 256}, {19, 256}, 72, 128, 128, true, true, true}));

//===----------------------------------------------------------------------===//
// Grouped (routed-expert) and MXFP4 GEMMs: ref::blockDot, within one ulp
//===----------------------------------------------------------------------===//

struct GroupedCase {
  bool fp4;                     // MXFP4 weights, else FP8
  int64_t rows, k, n;           // activation [rows, K] (rows dynamic)
  std::vector<int32_t> offsets; // [E+1]; empty = dense
  int64_t blockN;               // FP8 only
  int64_t actBlock;             // activation scale block (FP8: also the K block)
};

void PrintTo(const GroupedCase &c, std::ostream *os) {
  *os << (c.fp4 ? "mxfp4" : "fp8") << "_rows_" << c.rows << "_k_" << c.k << "_n_" << c.n
      << (c.offsets.empty() ? "_dense" : "_experts_" + std::to_string(c.offsets.size() - 1));
}

class GroupedMatmulConformance : public OpConformance,
                                 public ::testing::WithParamInterface<GroupedCase> {
protected:
  void check(const GroupedCase &c);
};

TEST_P(GroupedMatmulConformance, WithinOneBf16UlpOfTheReference) { check(GetParam()); }

// The arithmetic of an sm_90 (E2M1 codes) and sm_80 (both formats) kernel:
// weight codes decoded with integer arithmetic in f16 pairs instead of the
// tables, exact products added by fma; run on this CPU (scalar).
TEST_P(GroupedMatmulConformance, WithTheGpuArithmeticWithinOneBf16Ulp) {
  gpuChip = "sm_80";
  target = "";
  check(GetParam());
}

// In the tile form of a module with GPU code: dense GEMMs in row tiles, the
// routed experts' rows (sorted by expert) in tiles of their expert's rows,
// each run by the workgroup of its first row.
TEST_P(GroupedMatmulConformance, InTheGpuTileFormWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  check(GetParam());
}

TEST_P(GroupedMatmulConformance, InTheGpuTileFormWithTheGpuArithmeticWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  gpuChip = "gfx942";
  target = "";
  check(GetParam());
}

// The tile form as codes and scales (FP4 codes two per byte in the tile).
TEST_P(GroupedMatmulConformance, InTheScaledTileFormWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  scaledTiles = true;
  check(GetParam());
}

TEST_P(GroupedMatmulConformance, InTheScaledTileFormWithTheGpuArithmeticWithinOneBf16Ulp) {
  gpuColumnTile = kGpuGemmColumnTile;
  scaledTiles = true;
  gpuChip = "gfx942";
  target = "";
  check(GetParam());
}

void GroupedMatmulConformance::check(const GroupedCase &c) {
  Builder types(&context);
  const bool grouped = !c.offsets.empty();
  const int64_t experts = grouped ? int64_t(c.offsets.size()) - 1 : 1;
  const int64_t k = c.k, n = c.n, kBlock = c.fp4 ? 32 : c.actBlock;
  const int64_t scaleRows = c.fp4 ? n : (n + c.blockN - 1) / c.blockN;
  const int64_t weightScaleCols = k / kBlock, actScales = k / c.actBlock;
  Type f8 = types.getType<Float8E4M3FNType>(), f4 = types.getType<Float4E2M1FNType>(),
       e8m0 = types.getType<Float8E8M0FNUType>();
  auto stacked = [&](SmallVector<int64_t> shape) {
    if (grouped)
      shape.insert(shape.begin(), experts);
    return shape;
  };
  SmallVector<Type> args = {
      RankedTensorType::get({ShapedType::kDynamic, k}, f8),
      RankedTensorType::get({ShapedType::kDynamic, actScales}, e8m0),
      RankedTensorType::get(stacked({n, k}), c.fp4 ? f4 : f8),
      RankedTensorType::get(stacked({scaleRows, weightScaleCols}), e8m0)};
  if (grouped)
    args.push_back(RankedTensorType::get({experts + 1}, types.getI32Type()));
  auto resultType = RankedTensorType::get({ShapedType::kDynamic, n}, types.getBF16Type());
  std::optional<LoadedKernel> kernel =
      compile(args, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value offsets = grouped ? in[4] : Value();
        if (c.fp4)
          return v4::Mxfp4MatmulOp::create(b, loc, resultType, in[0], in[1], in[2], in[3],
                                           offsets, c.actBlock);
        return v4::Fp8MatmulOp::create(b, loc, resultType, in[0], in[1], in[2], in[3], offsets,
                                       ArrayRef<int64_t>{c.blockN, c.actBlock});
      });
  ASSERT_TRUE(kernel) << errors;

  const int64_t rows = c.rows;
  std::vector<uint16_t> x = randomBf16(size_t(rows * k), 43u, 0.0f, 2.0f);
  std::vector<uint8_t> aCodes(static_cast<size_t>(rows * k)),
      aScales(static_cast<size_t>(rows * actScales));
  num::BlockFormat actFormat{num::ElementFormat::kE4M3, num::ScaleRule::kDeepSeekCeil,
                             int(c.actBlock)};
  std::vector<float> row(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < k; ++i)
      row[size_t(i)] = bf16ToFloat(x[size_t(r * k + i)]);
    ASSERT_TRUE(num::quantize(row.data(), size_t(k), actFormat, aCodes.data() + r * k,
                              aScales.data() + r * actScales)
                    .isOk());
  }
  std::mt19937 rng(47);
  std::uniform_int_distribution<int> byteDist(0, 255), scaleDist(118, 130);
  const int64_t weightBytes = experts * n * (c.fp4 ? k / 2 : k);
  std::vector<uint8_t> wBytes(static_cast<size_t>(weightBytes)),
      wScales(static_cast<size_t>(experts * scaleRows * weightScaleCols));
  for (uint8_t &v : wBytes) {
    v = uint8_t(byteDist(rng));
    if (!c.fp4 && (v & 0x7F) == 0x7F)
      v = 0x7E; // no NaN codes in the FP8 weight
  }
  for (uint8_t &v : wScales)
    v = uint8_t(scaleDist(rng));
  std::vector<int32_t> offsets(c.offsets);
  std::vector<uint16_t> out(static_cast<size_t>(rows * n) + 1, 0xFFFF);
  uint32_t constants[] = {uint32_t(rows)};
  std::vector<void *> bindings = {aCodes.data(), aScales.data(), wBytes.data(), wScales.data()};
  std::vector<size_t> lengths = {aCodes.size(), aScales.size(), wBytes.size(), wScales.size()};
  if (grouped) {
    bindings.push_back(offsets.data());
    lengths.push_back(offsets.size() * 4);
  }
  bindings.push_back(out.data());
  lengths.push_back(size_t(rows * n) * 2);
  Status ran = runRows(*kernel, scaledGemmWorkgroups(rows, n, k, c.actBlock, grouped, k * 2),
                       constants, bindings, lengths, "matmul");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  num::BlockFormat weightFormat{c.fp4 ? num::ElementFormat::kE2M1 : num::ElementFormat::kE4M3,
                                num::ScaleRule::kDeepSeekCeil, int(kBlock)};
  std::vector<float> aRow(static_cast<size_t>(k)), wRow(static_cast<size_t>(k));
  std::vector<uint8_t> codes(static_cast<size_t>(k)),
      rowScales(static_cast<size_t>(weightScaleCols));
  OneUlpTally tally;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t expert = 0;
    bool live = true;
    if (grouped) {
      while (expert + 1 < int64_t(offsets.size()) && offsets[size_t(expert + 1)] <= r)
        ++expert;
      live = r < offsets.back();
    }
    ASSERT_TRUE(num::dequantize(aCodes.data() + r * k, aScales.data() + r * actScales,
                                size_t(k), actFormat, aRow.data())
                    .isOk());
    for (int64_t o = 0; o < n; ++o) {
      float want = 0.0f;
      if (live) {
        const int64_t e = std::min(expert, experts - 1);
        for (int64_t i = 0; i < k; ++i) {
          if (c.fp4) {
            uint8_t byte = wBytes[size_t((e * n + o) * (k / 2) + i / 2)];
            codes[size_t(i)] = uint8_t(i % 2 ? byte >> 4 : byte & 0xF);
          } else {
            codes[size_t(i)] = wBytes[size_t((e * n + o) * k + i)];
          }
        }
        int64_t scaleRow = c.fp4 ? o : o / c.blockN;
        std::copy_n(wScales.data() + (e * scaleRows + scaleRow) * weightScaleCols,
                    weightScaleCols, rowScales.data());
        ASSERT_TRUE(num::dequantize(codes.data(), rowScales.data(), size_t(k), weightFormat,
                                    wRow.data())
                        .isOk());
        want = ref::blockDot(aRow.data(), wRow.data(), k, kBlock);
      }
      uint16_t got = out[size_t(r * n + o)];
      if (tally.failsAndReport(bf16FromFloat(want), got))
        ADD_FAILURE() << "row " << r << " output " << o << ": kernel " << bf16ToFloat(got)
                      << ", reference " << want;
    }
  }
  tally.expectWithinBound(c.rows * n);
  EXPECT_EQ(out[size_t(rows * n)], 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(Shapes, GroupedMatmulConformance,
                         ::testing::Values(
                             // MXFP4 dense: K blocks of 32 under 128-wide activation scales.
                             GroupedCase{true, 3, 256, 64, {}, 0, 128},
                             // K = 1152: on AVX-512 the 128-element word chunks run four at a
                             // time (two steps) and one alone; 36 scale blocks decode 16 at a
                             // time, then four one by one.
                             GroupedCase{true, 2, 1152, 40, {}, 0, 128},
                             // Dense rows in groups of four (gemmRowGroup): two whole groups and
                             // a partial one, the word form shared by a group's rows.
                             GroupedCase{true, 11, 512, 48, {}, 0, 128},
                             // Routed experts (MXFP4, V4's format): an empty expert, and a row past
                             // the last offset (zeros).
                             GroupedCase{true, 6, 256, 48, {0, 2, 2, 5}, 0, 128},
                             // FP8 experts with 128x128 blocks.
                             GroupedCase{false, 5, 256, 160, {0, 1, 4, 5}, 128, 128},
                             // Experts with more rows than a GPU row tile: tiles of 16 and of 1
                             // (a GEMV) and 2, an expert of 2 rows, rows past the last offset.
                             GroupedCase{true, 40, 256, 48, {0, 17, 35, 37}, 0, 128},
                             GroupedCase{false, 40, 256, 160, {0, 18, 18, 37}, 128, 128}));

//===----------------------------------------------------------------------===//
// v4.grouped_linear: the reference's wo_a einsum, within one bf16 ulp
//===----------------------------------------------------------------------===//
// The terms are the reference's (products of bf16 values, exact in fp32);
// on a CPU with AVX2 or AVX-512 the sum runs in vector lanes (with
// AVX512-BF16 as vdpbf16ps pairs), so the fp32 rounding of the sum can
// differ: at most one bf16 ulp, on at most 2% of outputs (measured on this
// machine's AVX512-BF16: 1 of 896). A scalar build is bit-identical.

/// Holds grouped_linear outputs out[t, g, j] to the reference's wo_a: the
/// group's flattened input x[t, g, :] (bf16) times weight row g * rank + j
/// (fp32 values of `weight`, [groups * rank, groupIn]) in one accumulator
/// (ref::blockDot with one block), within the reordered-sum threshold.
void expectGroupedLinear(const std::vector<uint16_t> &x, const std::vector<float> &weight,
                         const std::vector<uint16_t> &out, int64_t tokens, int64_t groups,
                         int64_t rank, int64_t groupIn) {
  std::vector<float> og(static_cast<size_t>(groupIn));
  OneUlpTally tally;
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t g = 0; g < groups; ++g) {
      for (int64_t u = 0; u < groupIn; ++u)
        og[size_t(u)] = bf16ToFloat(x[size_t((t * groups + g) * groupIn + u)]);
      for (int64_t j = 0; j < rank; ++j) {
        const float *row = weight.data() + (g * rank + j) * groupIn;
        uint16_t want = bf16FromFloat(ref::blockDot(og.data(), row, groupIn, groupIn));
        uint16_t got = out[size_t((t * groups + g) * rank + j)];
        if (tally.failsAndReport(want, got))
          ADD_FAILURE() << "token " << t << " group " << g << " output " << j << ": kernel "
                        << bf16ToFloat(got) << ", reference " << bf16ToFloat(want);
      }
    }
  tally.expectWithinBound(tokens * groups * rank);
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
}

TEST_F(OpConformance, GroupedLinearWithinOneBf16UlpOfTheReference) {
  // [1, S, H = 4, D = 128] in 2 groups of 2 heads, rank 64 (7.8).
  Builder types(&context);
  const int64_t tokens = 7, heads = 4, headDim = 128, groups = 2, rank = 64;
  const int64_t groupIn = heads / groups * headDim;
  auto inputType =
      RankedTensorType::get({1, ShapedType::kDynamic, heads, headDim}, types.getBF16Type());
  auto weightType = RankedTensorType::get({groups, rank, groupIn}, types.getBF16Type());
  auto resultType =
      RankedTensorType::get({1, ShapedType::kDynamic, groups, rank}, types.getBF16Type());
  std::optional<LoadedKernel> kernel = compile(
      {inputType, weightType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::GroupedLinearOp::create(b, loc, resultType, in[0], in[1], groups);
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> x = randomBf16(size_t(tokens * heads * headDim), 53u, 0.0f, 1.0f);
  std::vector<uint16_t> w = randomBf16(size_t(groups * rank * groupIn), 59u, 0.0f, 0.05f);
  std::vector<uint16_t> out(size_t(tokens * groups * rank) + 1, 0xFFFF);
  uint32_t constants[] = {uint32_t(tokens)};
  void *bindings[] = {x.data(), w.data(), out.data()};
  size_t lengths[] = {x.size() * 2, w.size() * 2, (out.size() - 1) * 2};
  Status ran = runRows(*kernel, groupedLinearWorkgroups(tokens, groups, rank), constants,
                       bindings, lengths, "grouped_linear");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  std::vector<float> weight(w.size());
  for (size_t i = 0; i < w.size(); ++i)
    weight[i] = bf16ToFloat(w[i]);
  expectGroupedLinear(x, weight, out, tokens, groups, rank, groupIn);
}

// The fusion table's row 2: the weight's v4.dequantize (FP8 codes with
// 128x128 tile scales broadcast over their rows, as the importer emits wo_a)
// taken into the grouped_linear kernel. The oracle dequantizes the whole
// matrix with num::dequantizeFp8Weight, rounds it to bf16 like the unfused
// dequantize, then takes the reference's group dot products; the threshold
// is the unfused kernel's.
TEST_F(OpConformance, GroupedLinearWithItsWeightDequantizeFusedWithinOneBf16Ulp) {
  Builder types(&context);
  const int64_t tokens = 5, heads = 4, headDim = 128, groups = 2, rank = 128, tile = 128;
  const int64_t groupIn = heads / groups * headDim, rows = groups * rank;
  auto f8 = types.getType<Float8E4M3FNType>();
  auto e8m0 = types.getType<Float8E8M0FNUType>();
  auto inputType =
      RankedTensorType::get({1, ShapedType::kDynamic, heads, headDim}, types.getBF16Type());
  auto codesType = RankedTensorType::get({rows, groupIn}, f8);
  auto tilesType = RankedTensorType::get({rows / tile, groupIn / tile}, e8m0);
  auto resultType =
      RankedTensorType::get({1, ShapedType::kDynamic, groups, rank}, types.getBF16Type());
  std::optional<LoadedKernel> kernel = compile(
      {inputType, codesType, tilesType},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value spread = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows / tile, tile,
                                                                         groupIn / tile},
                                               e8m0);
        Value broadcast =
            linalg::BroadcastOp::create(b, loc, in[2], spread, ArrayRef<int64_t>{1})
                ->getResult(0);
        SmallVector<ReassociationIndices> leadingPair = {{0, 1}, {2}};
        Value rowScales = tensor::CollapseShapeOp::create(b, loc, broadcast, leadingPair);
        auto dequantizedType = RankedTensorType::get({rows, groupIn}, types.getBF16Type());
        Value weight = v4::DequantizeOp::create(b, loc, dequantizedType, in[1], rowScales,
                                                static_cast<uint64_t>(tile));
        auto groupedType = RankedTensorType::get({groups, rank, groupIn}, types.getBF16Type());
        Value grouped =
            tensor::ExpandShapeOp::create(b, loc, groupedType, weight, leadingPair);
        return v4::GroupedLinearOp::create(b, loc, resultType, in[0], grouped, groups);
      },
      /*fuse=*/true);
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> x = randomBf16(size_t(tokens * heads * headDim), 61u, 0.0f, 1.0f);
  std::mt19937 rng(67u);
  std::vector<uint8_t> codes(size_t(rows * groupIn));
  for (uint8_t &code : codes) {
    code = uint8_t(rng());
    if ((code & 0x7F) == 0x7F) // E4M3's NaN codes: keep the sums finite
      code ^= 1;
  }
  std::vector<uint8_t> tiles(size_t(rows / tile * (groupIn / tile)));
  for (uint8_t &scale : tiles)
    scale = uint8_t(118 + rng() % 8); // 2^-9 .. 2^-2
  // One tile at 2^120, past the range where the kernel applies the scale to
  // the products (its dequantize arithmetic then), with codes below 2^-3 so
  // the sums stay finite.
  tiles[1] = 247;
  for (int64_t r = 0; r < tile; ++r)
    for (int64_t c = tile; c < 2 * tile; ++c)
      codes[size_t(r * groupIn + c)] &= 0x9F;
  std::vector<uint16_t> out(size_t(tokens * groups * rank) + 1, 0xFFFF);
  uint32_t constants[] = {uint32_t(tokens)};
  void *bindings[] = {x.data(), codes.data(), tiles.data(), out.data()};
  size_t lengths[] = {x.size() * 2, codes.size(), tiles.size(), (out.size() - 1) * 2};
  Status ran = runRows(*kernel, groupedLinearWorkgroups(tokens, groups, rank), constants,
                       bindings, lengths, "fused grouped_linear");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  num::Fp8WeightLayout layout;
  layout.rows = size_t(rows);
  layout.cols = size_t(groupIn);
  std::vector<float> weight(codes.size());
  ASSERT_TRUE(num::dequantizeFp8Weight(codes.data(), tiles.data(), layout, weight.data()).isOk());
  for (float &w : weight)
    w = bf16ToFloat(bf16FromFloat(w)); // the unfused dequantize's bf16 result
  expectGroupedLinear(x, weight, out, tokens, groups, rank, groupIn);
}

// Every vector shape the configuration can choose runs here (this machine
// has AVX2, AVX-512 and AVX512-BF16): the fused grouped projection (bf16
// products: 8 lanes for x86-64-v3, 16 for x86-64-v4, vdpbf16ps on the host)
// and an FP8 GEMV (8 or 16 lanes) agree with the scalar kernel within one
// bf16 ulp on at most 2% of outputs (the order of the sums changes).
TEST_F(OpConformance, EveryVectorShapeAgreesWithTheScalarKernel) {
  // This CPU's vector shapes against its scalar kernel: a CPU module's
  // kernels, whichever GPU the suite emulates.
  emulatedChip.clear();
  gpuColumnTile = 0;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::string missing;
  // x86-64-v3 needs AVX2 and FMA, x86-64-v4 AVX-512 F, BW, CD, DQ and VL.
  for (const char *feature : {"avx2", "fma", "avx512f", "avx512bw", "avx512cd", "avx512dq",
                              "avx512vl"})
    if (!features.lookup(feature))
      missing += std::string(missing.empty() ? "" : ", ") + feature;
  if (!missing.empty())
    GTEST_SKIP() << "this CPU lacks " << missing
                 << ", so the x86-64-v3 and x86-64-v4 kernels cannot run here";
  Builder types(&context);
  const int64_t heads = 4, headDim = 128, groups = 2, rank = 64, groupIn = 256, k = 512,
                n = 320;
  auto f8 = types.getType<Float8E4M3FNType>();
  auto e8m0 = types.getType<Float8E8M0FNUType>();
  const int64_t dyn = ShapedType::kDynamic;
  auto run = [&](const std::string &spec, std::vector<uint16_t> &linearOut,
                 std::vector<uint16_t> &gemvOut) {
    target = spec;
    auto inputType = RankedTensorType::get({1, dyn, heads, headDim}, types.getBF16Type());
    auto weightType = RankedTensorType::get({groups, rank, groupIn}, types.getBF16Type());
    auto resultType = RankedTensorType::get({1, dyn, groups, rank}, types.getBF16Type());
    std::optional<LoadedKernel> linear = compile(
        {inputType, weightType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
          return v4::GroupedLinearOp::create(b, loc, resultType, in[0], in[1], groups);
        });
    ASSERT_TRUE(linear) << spec << ": " << errors;
    std::vector<uint16_t> x = randomBf16(size_t(3 * heads * headDim), 191u, 0.0f, 1.0f);
    std::vector<uint16_t> w = randomBf16(size_t(groups * rank * groupIn), 193u, 0.0f, 0.05f);
    linearOut.assign(size_t(3 * groups * rank), 0xFFFF);
    uint32_t rows[] = {3};
    void *linearBindings[] = {x.data(), w.data(), linearOut.data()};
    size_t linearLengths[] = {x.size() * 2, w.size() * 2, linearOut.size() * 2};
    Status ran = runRows(*linear, groupedLinearWorkgroups(3, groups, rank), rows, linearBindings,
                         linearLengths, spec);
    ASSERT_TRUE(ran.isOk()) << ran.message();

    auto gemvResult = RankedTensorType::get({dyn, n}, types.getBF16Type());
    std::optional<LoadedKernel> gemv = compile(
        {RankedTensorType::get({dyn, k}, f8), RankedTensorType::get({dyn, k / 128}, e8m0),
         RankedTensorType::get({n, k}, f8), RankedTensorType::get({(n + 127) / 128, k / 128}, e8m0)},
        [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
          return v4::Fp8MatmulOp::create(b, loc, gemvResult, in[0], in[1], in[2], in[3], Value(),
                                         ArrayRef<int64_t>{128, 128});
        });
    ASSERT_TRUE(gemv) << spec << ": " << errors;
    std::mt19937 rng(197u);
    auto bytes = [&](size_t count, int lo, int span) {
      std::vector<uint8_t> v(count);
      for (uint8_t &byte : v) {
        byte = uint8_t(lo + int(rng() % uint32_t(span)));
        if ((byte & 0x7F) == 0x7F)
          byte ^= 1; // no NaN codes
      }
      return v;
    };
    std::vector<uint8_t> aCodes = bytes(size_t(k), 0, 256), aScales = bytes(size_t(k / 128), 118, 12),
                         wCodes = bytes(size_t(n * k), 0, 256),
                         wScales = bytes(size_t((n + 127) / 128 * (k / 128)), 118, 12);
    gemvOut.assign(size_t(n), 0xFFFF);
    uint32_t one[] = {1};
    void *gemvBindings[] = {aCodes.data(), aScales.data(), wCodes.data(), wScales.data(),
                            gemvOut.data()};
    size_t gemvLengths[] = {aCodes.size(), aScales.size(), wCodes.size(), wScales.size(),
                            gemvOut.size() * 2};
    ran = runRows(*gemv, gemmWorkgroups(1, n), one, gemvBindings, gemvLengths, spec);
    ASSERT_TRUE(ran.isOk()) << ran.message();
  };
  std::vector<uint16_t> scalarLinear, scalarGemv;
  run("", scalarLinear, scalarGemv);
  for (const char *spec : {"cpu:x86-64-v3", "cpu:x86-64-v4", "cpu:host"}) {
    SCOPED_TRACE(spec);
    std::vector<uint16_t> linear, gemv;
    run(spec, linear, gemv);
    for (auto [want, got] : {std::pair{&scalarLinear, &linear}, std::pair{&scalarGemv, &gemv}}) {
      int64_t offByOne = 0;
      for (size_t i = 0; i < want->size(); ++i) {
        int distance = bf16UlpDistance((*want)[i], (*got)[i]);
        ASSERT_LE(distance, 1) << "output " << i;
        offByOne += distance;
      }
      EXPECT_LE(offByOne * 50, int64_t(want->size()));
    }
  }
}

//===----------------------------------------------------------------------===//
// v4.hc_post: bit-identical to ref::hcPost
//===----------------------------------------------------------------------===//

TEST_F(OpConformance, HcPostMatchesTheReferenceBitForBit) {
  // [1, S, n = 4, D = 256] streams, the V4 hyper-connection width.
  Builder types(&context);
  const int64_t tokens = 5, streams = 4, width = 256;
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto inputType = RankedTensorType::get({1, dyn, width}, bf16);
  auto streamsType = RankedTensorType::get({1, dyn, streams, width}, bf16);
  auto postType = RankedTensorType::get({1, dyn, streams}, f32);
  auto combType = RankedTensorType::get({1, dyn, streams, streams}, f32);
  std::optional<LoadedKernel> kernel =
      compile({inputType, streamsType, postType, combType},
              [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
                return v4::HcPostOp::create(b, loc, in[0], in[1], in[2], in[3]);
              });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> x = randomBf16(size_t(tokens * width), 61u, 0.0f, 1.0f);
  std::vector<uint16_t> h = randomBf16(size_t(tokens * streams * width), 67u, 0.0f, 2.0f);
  std::vector<float> post(size_t(tokens * streams)), comb(size_t(tokens * streams * streams));
  std::mt19937 rng(71);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (float &v : post)
    v = 2.0f * unit(rng);
  for (float &v : comb)
    v = unit(rng);
  std::vector<uint16_t> out(size_t(tokens * streams * width) + 1, 0xFFFF);
  uint32_t constants[] = {uint32_t(tokens)};
  void *bindings[] = {x.data(), h.data(), post.data(), comb.data(), out.data()};
  size_t lengths[] = {x.size() * 2, h.size() * 2, post.size() * 4, comb.size() * 4,
                      (out.size() - 1) * 2};
  Status ran = runRows(*kernel, tokens, constants, bindings, lengths, "hc_post");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  io::ModelConfig config;
  config.hcMult = streams;
  config.dim = width;
  std::vector<float> xf(static_cast<size_t>(width)), hf(static_cast<size_t>(streams * width)),
      expected(static_cast<size_t>(streams * width));
  int64_t mismatches = 0;
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t e = 0; e < width; ++e)
      xf[size_t(e)] = bf16ToFloat(x[size_t(t * width + e)]);
    for (int64_t e = 0; e < streams * width; ++e)
      hf[size_t(e)] = bf16ToFloat(h[size_t(t * streams * width + e)]);
    ref::hcPost(config, xf.data(), hf.data(), post.data() + t * streams,
                comb.data() + t * streams * streams, expected.data());
    for (int64_t e = 0; e < streams * width; ++e) {
      uint16_t want = bf16FromFloat(expected[size_t(e)]);
      uint16_t got = out[size_t(t * streams * width + e)];
      if (want != got && mismatches++ < 5)
        ADD_FAILURE() << "token " << t << " element " << e << ": kernel " << bf16ToFloat(got)
                      << ", reference " << expected[size_t(e)];
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
}

/// The reference's bf16 indexer scores of query row `token` (q [T, H, D],
/// w [T, H], bf16) against the `capacity` keys of cache slot `slot` (keys as
/// fp32 values, [slots, capacity, D]).
std::vector<uint16_t> referenceScores(const std::vector<uint16_t> &q,
                                      const std::vector<uint16_t> &w,
                                      const std::vector<float> &keys, int64_t token, int64_t slot,
                                      int64_t heads, int64_t dim, int64_t capacity) {
  std::vector<float> qf(static_cast<size_t>(heads * dim)), wf(static_cast<size_t>(heads));
  for (int64_t i = 0; i < heads * dim; ++i)
    qf[size_t(i)] = bf16ToFloat(q[size_t(token * heads * dim + i)]);
  for (int64_t h = 0; h < heads; ++h)
    wf[size_t(h)] = bf16ToFloat(w[size_t(token * heads + h)]);
  std::vector<uint16_t> scores(static_cast<size_t>(capacity));
  for (int64_t c = 0; c < capacity; ++c)
    scores[size_t(c)] = bf16FromFloat(ref::indexerScore(
        qf.data(), wf.data(), heads, dim, keys.data() + (slot * capacity + c) * dim));
  return scores;
}

// v4.indexer_score, bit-identical to ref::indexerScore over the keys as the
// cache holds them: bf16 rows, FP8 rows with an fp32 scale and MXFP4 rows,
// decoded in place as ref::RowCodec decodes them. Two batch rows of 2
// queries, 4 heads of 128, over 3 sequence slots x 12 entries (the rows live
// in slots 2 and 0; entries 9 and later are unwritten zero bytes).
class IndexerScoreConformance : public OpConformance,
                                public ::testing::WithParamInterface<io::CacheFormat> {};

TEST_P(IndexerScoreConformance, MatchesTheReferenceOverTheStoredKeys) {
  const io::CacheFormat format = GetParam();
  Builder types(&context);
  const int64_t batch = 2, queries = 2, heads = 16, dim = 128, slotsInCache = 3, capacity = 12;
  const int64_t written = 9;
  const int64_t dyn = ShapedType::kDynamic;
  Type bf16 = types.getBF16Type();
  Type element = format == io::CacheFormat::kFp8IndexerFp4
                     ? Type(types.getType<Float4E2M1FNType>())
                 : format == io::CacheFormat::kFp8IndexerFp8
                     ? Type(types.getType<Float8E4M3FNType>())
                     : bf16;
  auto keysType = v4::IndexerCacheType::get(&context, slotsInCache, capacity, dim, element);
  auto queriesType = RankedTensorType::get({dyn, queries, heads, dim}, bf16);
  auto weightsType = RankedTensorType::get({dyn, queries, heads}, bf16);
  auto slotsType = RankedTensorType::get({dyn}, types.getI32Type());
  auto scoresType = RankedTensorType::get({dyn, queries, capacity}, bf16);
  std::optional<LoadedKernel> kernel =
      compile({queriesType, keysType, weightsType, slotsType},
              [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
                return v4::IndexerScoreOp::create(b, loc, scoresType, in[0], in[1], in[2],
                                                  in[3]);
              });
  ASSERT_TRUE(kernel) << errors;
  ref::RowCodec codec = ref::RowCodec::indexerKeys(dim, format);
  std::vector<uint16_t> plain = randomBf16(size_t(slotsInCache * capacity * dim), 223u, 0.0f, 1.0f);
  std::vector<uint8_t> keys(size_t(slotsInCache * capacity * codec.bytes()), 0);
  std::vector<float> decoded(plain.size()), row(static_cast<size_t>(dim));
  for (int64_t r = 0; r < slotsInCache * capacity; ++r) {
    for (int64_t u = 0; u < dim; ++u)
      row[size_t(u)] = bf16ToFloat(plain[size_t(r * dim + u)]);
    if (r % capacity < written)
      codec.encode(row.data(), keys.data() + r * codec.bytes());
    codec.decode(keys.data() + r * codec.bytes(), decoded.data() + r * dim);
  }
  std::vector<uint16_t> q = randomBf16(size_t(batch * queries * heads * dim), 227u, 0.0f, 1.0f);
  std::vector<uint16_t> w = randomBf16(size_t(batch * queries * heads), 229u, 0.0f, 0.1f);
  std::vector<int32_t> slots = {2, 0};
  std::vector<uint16_t> out(size_t(batch * queries * capacity) + 1, 0xFFFF);
  std::vector<uint32_t> constants = {uint32_t(batch)};
  std::vector<void *> bindings = {q.data(), keys.data(), w.data(), slots.data(), out.data()};
  std::vector<size_t> lengths = {q.size() * 2, keys.size(), w.size() * 2, slots.size() * 4,
                                 (out.size() - 1) * 2};
  Status ran = runRows(*kernel, batch * queries, constants, bindings, lengths, "indexer_score");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  int64_t mismatches = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < queries; ++s) {
      int64_t token = b * queries + s;
      std::vector<uint16_t> scores =
          referenceScores(q, w, decoded, token, slots[size_t(b)], heads, dim, capacity);
      for (int64_t c = 0; c < capacity; ++c) {
        uint16_t want = scores[size_t(c)], got = out[size_t(token * capacity + c)];
        if (want != got && mismatches++ < 5)
          ADD_FAILURE() << "batch " << b << " query " << s << " entry " << c << ": kernel "
                        << bf16ToFloat(got) << ", reference " << bf16ToFloat(want);
      }
    }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(Keys, IndexerScoreConformance,
                         ::testing::Values(io::CacheFormat::kReferenceBf16,
                                           io::CacheFormat::kFp8IndexerFp8,
                                           io::CacheFormat::kFp8IndexerFp4),
                         [](const ::testing::TestParamInfo<io::CacheFormat> &info) {
                           return std::string(info.param == io::CacheFormat::kReferenceBf16 ? "bf16"
                                              : info.param == io::CacheFormat::kFp8IndexerFp8
                                                  ? "fp8"
                                                  : "mxfp4");
                         });

//===----------------------------------------------------------------------===//
// Fusion row 4: v4.topk with its v4.indexer_score taken in: identical indices
//===----------------------------------------------------------------------===//
// The kernel scores only the candidates each query sees and picks from its
// stack row. Three sequences (cache slots 3, 1, 0) of 3 queries from
// positions 6 (1 or 2 visible: fewer than k, padded with -1), 101 (25, then
// 26 for the last query) and 300 (past the 48-entry capacity: all), k 5.

TEST_F(OpConformance, IndexerScoreWithTopkFusedPicksTheReferenceIndices) {
  Builder types(&context);
  const int64_t batch = 3, queries = 3, heads = 16, dim = 128, slotsInCache = 4, capacity = 48;
  const int64_t k = 5, ratio = 4;
  const int64_t dyn = ShapedType::kDynamic;
  Type bf16 = types.getBF16Type(), i32 = types.getI32Type();
  auto keysType = v4::IndexerCacheType::get(&context, slotsInCache, capacity, dim, bf16);
  auto queriesType = RankedTensorType::get({dyn, queries, heads, dim}, bf16);
  auto weightsType = RankedTensorType::get({dyn, queries, heads}, bf16);
  auto rowsType = RankedTensorType::get({dyn}, i32);
  auto scoresType = RankedTensorType::get({dyn, queries, capacity}, bf16);
  std::optional<LoadedKernel> kernel = compile(
      {queriesType, keysType, weightsType, rowsType, rowsType},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value scores =
            v4::IndexerScoreOp::create(b, loc, scoresType, in[0], in[1], in[2], in[3]);
        return v4::TopkOp::create(b, loc, scores, in[4], k, ratio);
      },
      /*fuse=*/true);
  ASSERT_TRUE(kernel) << errors;

  std::vector<uint16_t> q = randomBf16(size_t(batch * queries * heads * dim), 97u, 0.0f, 1.0f);
  std::vector<uint16_t> keys =
      randomBf16(size_t(slotsInCache * capacity * dim), 101u, 0.0f, 1.0f);
  std::vector<uint16_t> w = randomBf16(size_t(batch * queries * heads), 103u, 0.0f, 0.1f);
  std::vector<int32_t> slots = {3, 1, 0}, positions = {6, 101, 300};
  std::vector<int32_t> out(size_t(batch * queries * k) + 1, 12345);
  std::vector<uint32_t> constants = {uint32_t(batch)};
  std::vector<void *> bindings = {q.data(),     keys.data(),      w.data(),
                                  slots.data(), positions.data(), out.data()};
  std::vector<size_t> lengths = {q.size() * 2,     keys.size() * 2,      w.size() * 2,
                                 slots.size() * 4, positions.size() * 4, (out.size() - 1) * 4};
  Status ran = runRows(*kernel, batch * queries, constants, bindings, lengths, "indexer topk");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  std::vector<float> keysF(keys.size()), rowScores(static_cast<size_t>(capacity));
  for (size_t i = 0; i < keys.size(); ++i)
    keysF[i] = bf16ToFloat(keys[i]);
  int64_t mismatches = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < queries; ++s) {
      int64_t token = b * queries + s;
      std::vector<uint16_t> scores =
          referenceScores(q, w, keysF, token, slots[size_t(b)], heads, dim, capacity);
      for (int64_t c = 0; c < capacity; ++c)
        rowScores[size_t(c)] = bf16ToFloat(scores[size_t(c)]);
      int64_t visible = (int64_t(positions[size_t(b)]) + s + 1) / ratio;
      std::vector<int64_t> want = ref::causalTopk(rowScores, capacity, visible, k);
      want.resize(size_t(k), -1);
      for (int64_t j = 0; j < k; ++j)
        if (out[size_t(token * k + j)] != want[size_t(j)] && mismatches++ < 5)
          ADD_FAILURE() << "batch " << b << " query " << s << " pick " << j << ": kernel "
                        << out[size_t(token * k + j)] << ", reference " << want[size_t(j)];
    }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(out.back(), 12345) << "wrote past the result";
}

// Row 4, split form (queries of one token: decode): the score kernel takes
// the top-k's positions and scores only the visible keys, 256 per
// workgroup; the top-k is its own kernel. Three sequences from positions 6
// (1 visible), 1,500 (375: two workgroups, the second partly) and 3,000
// (past the 600-entry capacity: all three workgroups, the last partial).
// The invisible entries must stay unwritten, the visible ones bit-identical.

TEST_F(OpConformance, IndexerScoreOfOneTokenScoresOnlyVisibleKeysThenPicks) {
  Builder types(&context);
  const int64_t batch = 3, heads = 16, dim = 128, slotsInCache = 4, capacity = 600;
  const int64_t k = 7, ratio = 4;
  const int64_t dyn = ShapedType::kDynamic;
  Type bf16 = types.getBF16Type(), i32 = types.getI32Type();
  auto keysType = v4::IndexerCacheType::get(&context, slotsInCache, capacity, dim, bf16);
  auto queriesType = RankedTensorType::get({dyn, 1, heads, dim}, bf16);
  auto weightsType = RankedTensorType::get({dyn, 1, heads}, bf16);
  auto rowsType = RankedTensorType::get({dyn}, i32);
  auto scoresType = RankedTensorType::get({dyn, 1, capacity}, bf16);
  std::optional<LoadedKernel> scoreKernel = compile(
      {queriesType, keysType, weightsType, rowsType, rowsType},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        auto score = v4::IndexerScoreOp::create(b, loc, scoresType, in[0], in[1], in[2], in[3]);
        v4::TopkOp::create(b, loc, score.getScores(), in[4], k, ratio);
        return score;
      },
      /*fuse=*/true);
  ASSERT_TRUE(scoreKernel) << errors;
  std::optional<LoadedKernel> topkKernel =
      compile({scoresType, rowsType}, [&](OpBuilder &b, Location loc, ValueRange in) {
        return v4::TopkOp::create(b, loc, in[0], in[1], k, ratio).getOperation();
      });
  ASSERT_TRUE(topkKernel) << errors;

  std::vector<uint16_t> q = randomBf16(size_t(batch * heads * dim), 107u, 0.0f, 1.0f);
  std::vector<uint16_t> keys = randomBf16(size_t(slotsInCache * capacity * dim), 109u, 0.0f, 1.0f);
  std::vector<uint16_t> w = randomBf16(size_t(batch * heads), 113u, 0.0f, 0.1f);
  std::vector<int32_t> slots = {3, 1, 0}, positions = {6, 1500, 3000};
  const uint16_t unwritten = 0x7FC1; // a NaN no score rounds to
  std::vector<uint16_t> scores(size_t(batch * capacity) + 1, unwritten);
  std::vector<uint32_t> constants = {uint32_t(batch)};
  const int64_t chunks = (capacity + kIndexerScoreChunk - 1) / kIndexerScoreChunk;
  Status scored =
      runRows(*scoreKernel, batch * chunks, constants,
              {q.data(), keys.data(), w.data(), slots.data(), positions.data(), scores.data()},
              {q.size() * 2, keys.size() * 2, w.size() * 2, slots.size() * 4, positions.size() * 4,
               (scores.size() - 1) * 2},
              "visible indexer_score");
  ASSERT_TRUE(scored.isOk()) << scored.message();
  std::vector<int32_t> out(size_t(batch * k) + 1, 12345);
  Status picked =
      runRows(*topkKernel, batch, constants, {scores.data(), positions.data(), out.data()},
              {(scores.size() - 1) * 2, positions.size() * 4, (out.size() - 1) * 4}, "topk");
  ASSERT_TRUE(picked.isOk()) << picked.message();

  std::vector<float> keysF(keys.size()), rowScores(static_cast<size_t>(capacity));
  for (size_t i = 0; i < keys.size(); ++i)
    keysF[i] = bf16ToFloat(keys[i]);
  int64_t mismatches = 0;
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<uint16_t> want =
        referenceScores(q, w, keysF, b, slots[size_t(b)], heads, dim, capacity);
    int64_t visible = std::min<int64_t>((int64_t(positions[size_t(b)]) + 1) / ratio, capacity);
    for (int64_t c = 0; c < capacity; ++c) {
      uint16_t got = scores[size_t(b * capacity + c)];
      uint16_t expected = c < visible ? want[size_t(c)] : unwritten;
      if (got != expected && mismatches++ < 5)
        ADD_FAILURE() << "batch " << b << " entry " << c << " (visible " << visible
                      << "): kernel 0x" << std::hex << got << ", expected 0x" << expected
                      << std::dec;
      rowScores[size_t(c)] = bf16ToFloat(want[size_t(c)]);
    }
    std::vector<int64_t> picks = ref::causalTopk(rowScores, capacity, visible, k);
    picks.resize(size_t(k), -1);
    for (int64_t j = 0; j < k; ++j)
      if (out[size_t(b * k + j)] != picks[size_t(j)] && mismatches++ < 5)
        ADD_FAILURE() << "batch " << b << " pick " << j << ": kernel " << out[size_t(b * k + j)]
                      << ", reference " << picks[size_t(j)];
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(scores.back(), unwritten) << "wrote past the scores";
  EXPECT_EQ(out.back(), 12345) << "wrote past the result";
}

//===----------------------------------------------------------------------===//
// v4.topk: identical indices to ref::causalTopk
//===----------------------------------------------------------------------===//

struct TopkCase {
  int64_t batch, queries, candidates, k, ratio;
  std::vector<int32_t> positions; // one per batch row
  bool ties;                      // scores from a small set: many equal values
  // Scores from signed values, -0 and +0 (equal: ties), -inf and +inf.
  bool specials = false;
};

void PrintTo(const TopkCase &c, std::ostream *os) {
  *os << "batch_" << c.batch << "_queries_" << c.queries << "_candidates_" << c.candidates
      << "_k_" << c.k << "_ratio_" << c.ratio << (c.ties ? "_ties" : "")
      << (c.specials ? "_specials" : "");
}

class TopkConformance : public OpConformance, public ::testing::WithParamInterface<TopkCase> {};

TEST_P(TopkConformance, IndicesMatchTheReference) {
  const TopkCase &c = GetParam();
  Builder types(&context);
  const int64_t dyn = ShapedType::kDynamic;
  auto scoresType = RankedTensorType::get({dyn, c.queries, c.candidates}, types.getBF16Type());
  auto positionsType = RankedTensorType::get({dyn}, types.getI32Type());
  std::optional<LoadedKernel> kernel = compile(
      {scoresType, positionsType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::TopkOp::create(b, loc, in[0], in[1], c.k, c.ratio);
      });
  ASSERT_TRUE(kernel) << errors;

  const int64_t rows = c.batch * c.queries;
  std::vector<uint16_t> scores = randomBf16(size_t(rows * c.candidates), 73u, 0.0f, 1.0f);
  if (c.ties)
    for (uint16_t &v : scores)
      v = bf16FromFloat(float(v % 4)); // values 0..3: ties everywhere
  if (c.specials) {
    const float inf = std::numeric_limits<float>::infinity();
    const float values[] = {-2.0f, -0.0f, 0.0f, -inf, inf, 1.5f, -1.5f, 0.25f};
    for (uint16_t &v : scores)
      v = bf16FromFloat(values[v % 8]);
  }
  std::vector<int32_t> positions(c.positions);
  std::vector<int32_t> out(size_t(rows * c.k) + 1, 12345);
  std::vector<uint32_t> constants = {uint32_t(c.batch)};
  std::vector<void *> bindings = {scores.data(), positions.data(), out.data()};
  std::vector<size_t> lengths = {scores.size() * 2, positions.size() * 4, (out.size() - 1) * 4};
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "topk");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  int64_t mismatches = 0;
  std::vector<float> rowScores(static_cast<size_t>(c.candidates));
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t s = 0; s < c.queries; ++s) {
      int64_t r = b * c.queries + s;
      for (int64_t i = 0; i < c.candidates; ++i)
        rowScores[size_t(i)] = bf16ToFloat(scores[size_t(r * c.candidates + i)]);
      int64_t visible = (int64_t(positions[size_t(b)]) + s + 1) / c.ratio;
      std::vector<int64_t> want = ref::causalTopk(rowScores, c.candidates, visible, c.k);
      want.resize(size_t(c.k), -1);
      for (int64_t j = 0; j < c.k; ++j)
        if (out[size_t(r * c.k + j)] != want[size_t(j)] && mismatches++ < 5)
          ADD_FAILURE() << "batch " << b << " query " << s << " pick " << j << ": kernel "
                        << out[size_t(r * c.k + j)] << ", reference " << want[size_t(j)];
    }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(out.back(), 12345) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, TopkConformance,
    ::testing::Values(
        // A prefill chunk from position 0: early rows see fewer than k entries.
        TopkCase{1, 24, 32, 4, 4, {0}, false},
        // Heavy ties: the lower index first.
        TopkCase{1, 9, 32, 8, 4, {40}, true},
        // Batched decode rows at different positions (one query each).
        TopkCase{3, 1, 64, 16, 4, {3, 70, 255}, false},
        // k above the visible count everywhere: -1 padding.
        TopkCase{2, 2, 16, 12, 4, {1, 20}, true},
        // Negative scores, -0 against +0, infinities; many candidates per k.
        TopkCase{2, 3, 512, 16, 4, {900, 2040}, false, true},
        // The same with the k-th score among the negative ones (row 0).
        TopkCase{2, 3, 512, 160, 4, {900, 2040}, false, true}));

//===----------------------------------------------------------------------===//
// v4.indexer_score: bit-identical to ref::indexerScore, keys read at slots
//===----------------------------------------------------------------------===//


//===----------------------------------------------------------------------===//
// v4.hc_head: within one bf16 ulp of ref::hcHead (sigmoid's exp approximated)
//===----------------------------------------------------------------------===//

TEST_F(OpConformance, HcHeadWithinOneBf16UlpOfTheReference) {
  Builder types(&context);
  const int64_t tokens = 6, streams = 4, width = 256, flat = streams * width;
  const double eps = 1e-6, normEps = 1e-6;
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto streamsType = RankedTensorType::get({1, dyn, streams, width}, bf16);
  auto resultType = RankedTensorType::get({1, dyn, width}, bf16);
  std::optional<LoadedKernel> kernel = compile(
      {streamsType, RankedTensorType::get({streams, flat}, f32),
       RankedTensorType::get({streams}, f32), RankedTensorType::get({1}, f32)},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::HcHeadOp::create(b, loc, resultType, in[0], in[1], in[2], in[3], APFloat(eps),
                                    APFloat(normEps));
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> h = randomBf16(size_t(tokens * flat), 97u, 0.0f, 1.5f);
  ref::HyperConnection weights;
  std::mt19937 rng(101);
  std::normal_distribution<float> dist(0.0f, 0.05f);
  weights.fn.resize(size_t(streams * flat));
  for (float &v : weights.fn)
    v = dist(rng);
  weights.base = {0.5f, -0.25f, 1.0f, -2.0f};
  weights.scale = {1.5f};
  std::vector<uint16_t> out(size_t(tokens * width) + 1, 0xFFFF);
  std::vector<uint32_t> constants = {uint32_t(tokens)};
  std::vector<void *> bindings = {h.data(), weights.fn.data(), weights.base.data(),
                                  weights.scale.data(), out.data()};
  std::vector<size_t> lengths = {h.size() * 2, weights.fn.size() * 4, weights.base.size() * 4,
                                 4, (out.size() - 1) * 2};
  Status ran = runRows(*kernel, tokens, constants, bindings, lengths, "hc_head");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  io::ModelConfig config;
  config.hcMult = streams;
  config.dim = width;
  config.hcEps = eps;
  config.normEps = normEps;
  std::vector<float> hf(static_cast<size_t>(flat)), expected(static_cast<size_t>(width));
  int64_t offByOne = 0, worst = 0;
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t i = 0; i < flat; ++i)
      hf[size_t(i)] = bf16ToFloat(h[size_t(t * flat + i)]);
    ref::hcHead(config, weights, hf.data(), expected.data());
    for (int64_t e = 0; e < width; ++e) {
      int distance = bf16UlpDistance(out[size_t(t * width + e)], bf16FromFloat(expected[size_t(e)]));
      worst = std::max<int64_t>(worst, distance);
      offByOne += distance == 1;
    }
  }
  RecordProperty("one_ulp_off", static_cast<int>(offByOne));
  EXPECT_LE(worst, 1);
  EXPECT_LE(offByOne * 1000, tokens * width) << offByOne << " one ulp off";
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
}

//===----------------------------------------------------------------------===//
// v4.hc_pre: ref::hcPre (exp approximated: the output within one bf16 ulp,
// post and comb within a small relative error)
//===----------------------------------------------------------------------===//

std::string scientific(double value) {
  std::ostringstream text;
  text << std::scientific << std::setprecision(2) << value;
  return text.str();
}

/// |got - want| relative to |want| (absolute below 1e-30).
double relativeError(float got, float want) {
  return std::fabs(double(got) - double(want)) / std::max(std::fabs(double(want)), 1e-30);
}

TEST_F(OpConformance, HcPreWithinTheStatedErrorOfTheReference) {
  Builder types(&context);
  const int64_t tokens = 5, streams = 4, width = 256, flat = streams * width;
  const int64_t mixes = (2 + streams) * streams, iters = 20;
  const double eps = 1e-6, normEps = 1e-6;
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto streamsType = RankedTensorType::get({1, dyn, streams, width}, bf16);
  SmallVector<Type> results = {RankedTensorType::get({1, dyn, width}, bf16),
                               RankedTensorType::get({1, dyn, streams}, f32),
                               RankedTensorType::get({1, dyn, streams, streams}, f32)};
  std::optional<LoadedKernel> kernel = compile(
      {streamsType, RankedTensorType::get({mixes, flat}, f32),
       RankedTensorType::get({mixes}, f32), RankedTensorType::get({3}, f32)},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::HcPreOp::create(b, loc, results, in[0], in[1], in[2], in[3], iters,
                                   APFloat(eps), APFloat(normEps));
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> h = randomBf16(size_t(tokens * flat), 131u, 0.0f, 1.5f);
  ref::HyperConnection weights;
  std::mt19937 rng(137);
  std::normal_distribution<float> dist(0.0f, 0.05f);
  weights.fn.resize(size_t(mixes * flat));
  for (float &v : weights.fn)
    v = dist(rng);
  weights.base.resize(size_t(mixes));
  for (float &v : weights.base)
    v = 4.0f * dist(rng) * 10.0f;
  weights.scale = {1.5f, 0.75f, 2.0f};
  std::vector<uint16_t> out(size_t(tokens * width) + 1, 0xFFFF);
  std::vector<float> post(size_t(tokens * streams) + 1, -7.0f),
      comb(size_t(tokens * streams * streams) + 1, -7.0f);
  std::vector<uint32_t> constants = {uint32_t(tokens)};
  std::vector<void *> bindings = {h.data(),   weights.fn.data(), weights.base.data(),
                                  weights.scale.data(), out.data(), post.data(), comb.data()};
  std::vector<size_t> lengths = {h.size() * 2,       weights.fn.size() * 4,
                                 weights.base.size() * 4, 12, (out.size() - 1) * 2,
                                 (post.size() - 1) * 4,   (comb.size() - 1) * 4};
  Status ran = runRows(*kernel, tokens, constants, bindings, lengths, "hc_pre");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  io::ModelConfig config;
  config.hcMult = streams;
  config.dim = width;
  config.hcEps = eps;
  config.normEps = normEps;
  config.hcSinkhornIters = iters;
  std::vector<float> hf(static_cast<size_t>(flat)), a(static_cast<size_t>(width)),
      wantPost(static_cast<size_t>(streams)), wantComb(static_cast<size_t>(streams * streams));
  int64_t offByOne = 0, worst = 0;
  double worstRelative = 0.0;
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t i = 0; i < flat; ++i)
      hf[size_t(i)] = bf16ToFloat(h[size_t(t * flat + i)]);
    ref::hcPre(config, weights, hf.data(), a.data(), wantPost.data(), wantComb.data());
    for (int64_t e = 0; e < width; ++e) {
      int distance = bf16UlpDistance(out[size_t(t * width + e)], bf16FromFloat(a[size_t(e)]));
      worst = std::max<int64_t>(worst, distance);
      offByOne += distance == 1;
    }
    for (int64_t i = 0; i < streams; ++i)
      worstRelative =
          std::max(worstRelative, relativeError(post[size_t(t * streams + i)], wantPost[size_t(i)]));
    for (int64_t i = 0; i < streams * streams; ++i)
      worstRelative = std::max(
          worstRelative, relativeError(comb[size_t(t * streams * streams + i)], wantComb[size_t(i)]));
  }
  RecordProperty("one_ulp_off", static_cast<int>(offByOne));
  RecordProperty("worst_relative_error", scientific(worstRelative));
  EXPECT_LE(worst, 1);
  EXPECT_LE(offByOne * 100, tokens * width) << offByOne << " one ulp off";
  // The mixes' dot products over the 1,024 flattened elements run in
  // vector lanes (another order than the reference's), and their rounding
  // reaches post and comb through exp and the Sinkhorn rounds.
  EXPECT_LE(worstRelative, 3e-5);
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the output";
  EXPECT_EQ(post.back(), -7.0f) << "wrote past post";
  EXPECT_EQ(comb.back(), -7.0f) << "wrote past comb";
}

//===----------------------------------------------------------------------===//
// v4.moe_route and v4.moe_hash_route: ref::topExperts and ref::routeWeights
// (the same experts; weights within a small relative error: softplus is
// approximated)
//===----------------------------------------------------------------------===//

struct RouteCase {
  int64_t tokens, experts, k;
  bool normalize;
  bool hashed;
};

void PrintTo(const RouteCase &c, std::ostream *os) {
  *os << (c.hashed ? "hash_" : "score_") << c.tokens << "_tokens_" << c.experts << "_experts_top"
      << c.k << (c.normalize ? "_normalized" : "");
}

class RouteConformance : public OpConformance,
                         public ::testing::WithParamInterface<RouteCase> {};

TEST_P(RouteConformance, SameExpertsAndWeightsWithinTheStatedError) {
  const RouteCase &c = GetParam();
  Builder types(&context);
  Type f32 = types.getF32Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic, vocab = 97;
  const double routeScale = 1.5;
  auto logitsType = RankedTensorType::get({dyn, c.experts}, f32);
  auto weightsType = RankedTensorType::get({dyn, c.k}, f32);
  auto idsType = RankedTensorType::get({dyn, c.k}, i32);
  auto tokensType = RankedTensorType::get({dyn}, i32);
  auto tableType = RankedTensorType::get({vocab, c.k}, i32);
  SmallVector<Type> args = {logitsType};
  if (c.hashed)
    args.append({tokensType, tableType});
  else
    args.push_back(RankedTensorType::get({c.experts}, f32));
  std::optional<LoadedKernel> kernel =
      compile(args, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        if (c.hashed)
          return v4::MoeHashRouteOp::create(b, loc, weightsType, idsType, in[0], in[1], in[2],
                                            APFloat(routeScale), c.normalize);
        return v4::MoeRouteOp::create(b, loc, weightsType, idsType, in[0], in[1], c.k,
                                      APFloat(routeScale), c.normalize);
      });
  ASSERT_TRUE(kernel) << errors;

  std::mt19937 rng(uint32_t(151 + c.tokens + c.experts));
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> logits(size_t(c.tokens * c.experts)), bias(size_t(c.experts));
  for (float &v : logits)
    v = dist(rng);
  logits[0] = 25.0f; // softplus's linear branch
  logits[1] = -30.0f;
  for (float &v : bias)
    v = 0.1f * dist(rng);
  std::vector<int32_t> tokenIds(size_t(c.tokens)), table(size_t(vocab * c.k));
  std::uniform_int_distribution<int32_t> expertOf(0, int32_t(c.experts - 1)),
      tokenOf(0, int32_t(vocab - 1));
  for (int32_t &v : tokenIds)
    v = tokenOf(rng);
  for (int32_t &v : table)
    v = expertOf(rng);
  std::vector<float> weights(size_t(c.tokens * c.k) + 1, -7.0f);
  std::vector<int32_t> ids(size_t(c.tokens * c.k) + 1, -7);
  std::vector<void *> bindings = {logits.data()};
  std::vector<size_t> lengths = {logits.size() * 4};
  if (c.hashed) {
    bindings.insert(bindings.end(), {tokenIds.data(), table.data()});
    lengths.insert(lengths.end(), {tokenIds.size() * 4, table.size() * 4});
  } else {
    bindings.push_back(bias.data());
    lengths.push_back(bias.size() * 4);
  }
  bindings.insert(bindings.end(), {weights.data(), ids.data()});
  lengths.insert(lengths.end(), {(weights.size() - 1) * 4, (ids.size() - 1) * 4});
  std::vector<uint32_t> constants = {uint32_t(c.tokens)};
  Status ran = runRows(*kernel, c.tokens, constants, bindings, lengths, "route");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  std::vector<float> scores(static_cast<size_t>(c.experts)), want(static_cast<size_t>(c.k));
  std::vector<int64_t> experts(static_cast<size_t>(c.k));
  double worstRelative = 0.0;
  for (int64_t t = 0; t < c.tokens; ++t) {
    ref::routeScores(logits.data() + t * c.experts, c.experts, scores.data());
    if (c.hashed)
      for (int64_t i = 0; i < c.k; ++i)
        experts[size_t(i)] = table[size_t(tokenIds[size_t(t)] * c.k + i)];
    else
      ref::topExperts(scores.data(), bias.data(), c.experts, c.k, experts.data());
    ref::routeWeights(scores.data(), experts.data(), c.k, c.normalize, float(routeScale),
                      want.data());
    for (int64_t i = 0; i < c.k; ++i) {
      ASSERT_EQ(ids[size_t(t * c.k + i)], experts[size_t(i)]) << "token " << t << " slot " << i;
      worstRelative =
          std::max(worstRelative, relativeError(weights[size_t(t * c.k + i)], want[size_t(i)]));
    }
  }
  RecordProperty("worst_relative_error", scientific(worstRelative));
  EXPECT_LE(worstRelative, 1e-6);
  EXPECT_EQ(weights.back(), -7.0f) << "wrote past the weights";
  EXPECT_EQ(ids.back(), -7) << "wrote past the experts";
}

INSTANTIATE_TEST_SUITE_P(Routing, RouteConformance,
                         ::testing::Values(RouteCase{7, 64, 6, true, false},
                                           RouteCase{1, 256, 6, true, false},
                                           RouteCase{5, 16, 16, false, false},
                                           RouteCase{7, 64, 6, true, true},
                                           RouteCase{3, 256, 8, false, true}));

//===----------------------------------------------------------------------===//
// Fusion row 5: the routing taken into the dispatch, the two kernels' bits
//===----------------------------------------------------------------------===//
// The fused kernel (one workgroup) must produce exactly what the routing
// kernel then the dispatch kernel produce (each held to the reference by
// its own conformance test): the same rows, weights, permutation and
// offsets. Score routing and hash routing; 7 tokens, 8 experts, k 3.

class RouteDispatchFusion : public OpConformance, public ::testing::WithParamInterface<bool> {};

TEST_P(RouteDispatchFusion, EqualsRoutingThenDispatch) {
  const bool hashed = GetParam();
  Builder types(&context);
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic, tokens = 7, experts = 8, k = 3, width = 64,
                vocab = 16, copies = tokens * k;
  const double routeScale = 1.5;
  auto logitsType = RankedTensorType::get({dyn, experts}, f32);
  auto biasType = RankedTensorType::get({experts}, f32);
  auto tokenIdsType = RankedTensorType::get({dyn}, i32);
  auto tableType = RankedTensorType::get({vocab, k}, i32);
  auto inputType = RankedTensorType::get({dyn, width}, bf16);
  auto weightsType = RankedTensorType::get({dyn, k}, f32);
  auto idsType = RankedTensorType::get({dyn, k}, i32);
  SmallVector<Type> results = {RankedTensorType::get({dyn, width}, bf16),
                               RankedTensorType::get({dyn}, f32), RankedTensorType::get({dyn}, i32),
                               RankedTensorType::get({experts + 1}, i32)};
  SmallVector<Type> routeArgs = hashed ? SmallVector<Type>{logitsType, tokenIdsType, tableType}
                                       : SmallVector<Type>{logitsType, biasType};
  auto makeRoute = [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
    if (hashed)
      return v4::MoeHashRouteOp::create(b, loc, weightsType, idsType, in[0], in[1], in[2],
                                        APFloat(routeScale), true);
    return v4::MoeRouteOp::create(b, loc, weightsType, idsType, in[0], in[1], k,
                                  APFloat(routeScale), true);
  };
  SmallVector<Type> fusedArgs(routeArgs);
  fusedArgs.push_back(inputType);
  std::optional<LoadedKernel> fused = compile(
      fusedArgs,
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Operation *route = makeRoute(b, loc, in.drop_back());
        return v4::MoeDispatchOp::create(b, loc, results, in.back(), route->getResult(1),
                                         route->getResult(0), experts);
      },
      /*fuse=*/true);
  ASSERT_TRUE(fused) << errors;
  std::optional<LoadedKernel> route = compile(routeArgs, makeRoute);
  ASSERT_TRUE(route) << errors;
  std::optional<LoadedKernel> dispatch = compile(
      {inputType, idsType, weightsType},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::MoeDispatchOp::create(b, loc, results, in[0], in[1], in[2], experts);
      });
  ASSERT_TRUE(dispatch) << errors;

  std::mt19937 rng(173u);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> logits(static_cast<size_t>(tokens * experts)),
      bias(static_cast<size_t>(experts));
  for (float &v : logits)
    v = normal(rng);
  for (float &v : bias)
    v = 0.1f * normal(rng);
  std::vector<int32_t> tokenIds(static_cast<size_t>(tokens)),
      table(static_cast<size_t>(vocab * k));
  for (int32_t &id : tokenIds)
    id = int32_t(rng() % vocab);
  for (int32_t &e : table)
    e = int32_t(rng() % experts);
  std::vector<uint16_t> input = randomBf16(size_t(tokens * width), 179u, 0.0f, 1.0f);
  std::vector<void *> routeBindings = {logits.data()};
  std::vector<size_t> routeLengths = {logits.size() * 4};
  if (hashed) {
    routeBindings.insert(routeBindings.end(), {tokenIds.data(), table.data()});
    routeLengths.insert(routeLengths.end(), {tokenIds.size() * 4, table.size() * 4});
  } else {
    routeBindings.push_back(bias.data());
    routeLengths.push_back(bias.size() * 4);
  }
  std::vector<uint32_t> constants = {uint32_t(tokens)};
  struct Outputs {
    std::vector<uint16_t> rows;
    std::vector<float> rowWeights;
    std::vector<int32_t> permutation, offsets;
  };
  auto fresh = [&] {
    return Outputs{std::vector<uint16_t>(size_t(copies * width), 0xFFFF),
                   std::vector<float>(size_t(copies), -1.0f),
                   std::vector<int32_t>(size_t(copies), -7),
                   std::vector<int32_t>(size_t(experts + 1), -7)};
  };
  auto outputBindings = [](Outputs &o, std::vector<void *> &bindings,
                           std::vector<size_t> &lengths) {
    bindings.insert(bindings.end(), {o.rows.data(), o.rowWeights.data(), o.permutation.data(),
                                     o.offsets.data()});
    lengths.insert(lengths.end(), {o.rows.size() * 2, o.rowWeights.size() * 4,
                                   o.permutation.size() * 4, o.offsets.size() * 4});
  };

  Outputs together = fresh();
  std::vector<void *> bindings(routeBindings);
  std::vector<size_t> lengths(routeLengths);
  bindings.push_back(input.data());
  lengths.push_back(input.size() * 2);
  outputBindings(together, bindings, lengths);
  Status ran = runRows(*fused, 1, constants, bindings, lengths, "route+dispatch");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  Outputs apart = fresh();
  std::vector<float> weights(static_cast<size_t>(copies));
  std::vector<int32_t> ids(static_cast<size_t>(copies));
  bindings = routeBindings;
  lengths = routeLengths;
  bindings.insert(bindings.end(), {weights.data(), ids.data()});
  lengths.insert(lengths.end(), {weights.size() * 4, ids.size() * 4});
  ran = runRows(*route, tokens, constants, bindings, lengths, "route");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  bindings = {input.data(), ids.data(), weights.data()};
  lengths = {input.size() * 2, ids.size() * 4, weights.size() * 4};
  outputBindings(apart, bindings, lengths);
  ran = runRows(*dispatch, experts, constants, bindings, lengths, "dispatch");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  EXPECT_EQ(together.rows, apart.rows);
  EXPECT_EQ(together.permutation, apart.permutation);
  EXPECT_EQ(together.offsets, apart.offsets);
  ASSERT_EQ(together.rowWeights.size(), apart.rowWeights.size());
  for (size_t r = 0; r < apart.rowWeights.size(); ++r)
    EXPECT_EQ(std::memcmp(&together.rowWeights[r], &apart.rowWeights[r], 4), 0) << "row " << r;
  EXPECT_EQ(apart.offsets.back(), copies); // every copy placed
}

INSTANTIATE_TEST_SUITE_P(Routing, RouteDispatchFusion, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return std::string(info.param ? "hash" : "score");
                         });

//===----------------------------------------------------------------------===//
// v4.moe_dispatch and v4.moe_combine: the op definitions (a stable sort of
// the token copies by expert; per token, its rows summed in sorted order
// then the shared row, rounded once), computed here independently; exact
//===----------------------------------------------------------------------===//

/// The copies t*k + slot ordered by expert, stable.
std::vector<int32_t> sortedCopies(const std::vector<int32_t> &experts) {
  std::vector<int32_t> order(experts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return experts[size_t(a)] < experts[size_t(b)];
  });
  return order;
}

struct MoeCase {
  int64_t tokens, k, experts, width;
};

void PrintTo(const MoeCase &c, std::ostream *os) {
  *os << c.tokens << "_tokens_top" << c.k << "_of_" << c.experts << "_width_" << c.width;
}

class MoeDispatchConformance : public OpConformance,
                               public ::testing::WithParamInterface<MoeCase> {};

TEST_P(MoeDispatchConformance, RowsSortedByExpertExactly) {
  const MoeCase &c = GetParam();
  Builder types(&context);
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic, copies = c.tokens * c.k;
  SmallVector<Type> results = {RankedTensorType::get({dyn, c.width}, bf16),
                               RankedTensorType::get({dyn}, f32), RankedTensorType::get({dyn}, i32),
                               RankedTensorType::get({c.experts + 1}, i32)};
  std::optional<LoadedKernel> kernel = compile(
      {RankedTensorType::get({dyn, c.width}, bf16), RankedTensorType::get({dyn, c.k}, i32),
       RankedTensorType::get({dyn, c.k}, f32)},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::MoeDispatchOp::create(b, loc, results, in[0], in[1], in[2], c.experts);
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> input = randomBf16(size_t(c.tokens * c.width), 163u, 0.0f, 1.0f);
  std::mt19937 rng(uint32_t(167 + c.tokens));
  std::uniform_int_distribution<int32_t> expertOf(0, int32_t(c.experts - 1));
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<int32_t> experts(static_cast<size_t>(copies));
  std::vector<float> weights(static_cast<size_t>(copies));
  for (int32_t &v : experts)
    v = expertOf(rng);
  for (float &v : weights)
    v = unit(rng);
  std::vector<uint16_t> rows(size_t(copies * c.width) + 1, 0xFFFF);
  std::vector<float> rowWeights(size_t(copies) + 1, -7.0f);
  std::vector<int32_t> permutation(size_t(copies) + 1, -7),
      offsets(size_t(c.experts + 1) + 1, -7);
  std::vector<uint32_t> constants = {uint32_t(c.tokens)};
  std::vector<void *> bindings = {input.data(), experts.data(),    weights.data(),
                                  rows.data(),  rowWeights.data(), permutation.data(),
                                  offsets.data()};
  std::vector<size_t> lengths = {input.size() * 2,          experts.size() * 4,
                                 weights.size() * 4,        (rows.size() - 1) * 2,
                                 (rowWeights.size() - 1) * 4, (permutation.size() - 1) * 4,
                                 (offsets.size() - 1) * 4};
  // One workgroup per expert.
  Status ran = runRows(*kernel, c.experts, constants, bindings, lengths, "moe_dispatch");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  std::vector<int32_t> order = sortedCopies(experts);
  for (int64_t r = 0; r < copies; ++r) {
    int32_t source = order[size_t(r)];
    ASSERT_EQ(permutation[size_t(r)], source) << "row " << r;
    EXPECT_EQ(rowWeights[size_t(r)], weights[size_t(source)]) << "row " << r;
    for (int64_t x = 0; x < c.width; ++x)
      ASSERT_EQ(rows[size_t(r * c.width + x)], input[size_t(source / c.k * c.width + x)])
          << "row " << r << " element " << x;
  }
  int32_t offset = 0;
  for (int64_t e = 0; e <= c.experts; ++e) {
    EXPECT_EQ(offsets[size_t(e)], offset) << "expert " << e;
    if (e < c.experts)
      offset += int32_t(std::count(experts.begin(), experts.end(), int32_t(e)));
  }
  EXPECT_EQ(rows.back(), 0xFFFF) << "wrote past the rows";
  EXPECT_EQ(rowWeights.back(), -7.0f) << "wrote past the row weights";
  EXPECT_EQ(permutation.back(), -7) << "wrote past the permutation";
  EXPECT_EQ(offsets.back(), -7) << "wrote past the offsets";
}

class MoeCombineConformance : public OpConformance,
                              public ::testing::WithParamInterface<MoeCase> {};

TEST_P(MoeCombineConformance, SumsInSortedOrderExactly) {
  const MoeCase &c = GetParam();
  Builder types(&context);
  Type bf16 = types.getBF16Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic, copies = c.tokens * c.k;
  auto rowsType = RankedTensorType::get({dyn, c.width}, bf16);
  auto tokensType = RankedTensorType::get({dyn, c.width}, bf16);
  for (bool withShared : {false, true}) {
    SCOPED_TRACE(withShared ? "with the shared expert" : "routed experts only");
    SmallVector<Type> args = {rowsType, RankedTensorType::get({dyn}, i32)};
    if (withShared)
      args.push_back(tokensType);
    std::optional<LoadedKernel> kernel =
        compile(args, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
          return v4::MoeCombineOp::create(b, loc, tokensType, in[0], in[1],
                                          withShared ? in[2] : Value());
        });
    ASSERT_TRUE(kernel) << errors;
    std::vector<uint16_t> rows = randomBf16(size_t(copies * c.width), 173u, 0.0f, 1.0f);
    std::vector<uint16_t> shared = randomBf16(size_t(c.tokens * c.width), 179u, 0.0f, 1.0f);
    std::mt19937 rng(uint32_t(181 + c.tokens));
    std::uniform_int_distribution<int32_t> expertOf(0, int32_t(c.experts - 1));
    std::vector<int32_t> experts(static_cast<size_t>(copies));
    for (int32_t &v : experts)
      v = expertOf(rng);
    std::vector<int32_t> permutation = sortedCopies(experts);
    std::vector<uint16_t> out(size_t(c.tokens * c.width) + 1, 0xFFFF);
    std::vector<uint32_t> constants = {uint32_t(copies), uint32_t(c.tokens)};
    std::vector<void *> bindings = {rows.data(), permutation.data()};
    std::vector<size_t> lengths = {rows.size() * 2, permutation.size() * 4};
    if (withShared) {
      bindings.push_back(shared.data());
      lengths.push_back(shared.size() * 2);
    }
    bindings.push_back(out.data());
    lengths.push_back((out.size() - 1) * 2);
    Status ran = runRows(*kernel, c.tokens, constants, bindings, lengths, "moe_combine");
    ASSERT_TRUE(ran.isOk()) << ran.message();

    int64_t mismatches = 0;
    for (int64_t t = 0; t < c.tokens; ++t)
      for (int64_t x = 0; x < c.width; ++x) {
        float sum = 0.0f;
        for (int64_t r = 0; r < copies; ++r)
          if (permutation[size_t(r)] / c.k == t)
            sum += bf16ToFloat(rows[size_t(r * c.width + x)]);
        if (withShared)
          sum += bf16ToFloat(shared[size_t(t * c.width + x)]);
        if (out[size_t(t * c.width + x)] != bf16FromFloat(sum) && mismatches++ < 5)
          ADD_FAILURE() << "token " << t << " element " << x;
      }
    EXPECT_EQ(mismatches, 0);
    EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
  }
}

const MoeCase kMoeCases[] = {{9, 6, 32, 64}, {1, 6, 256, 128}, {16, 2, 4, 32}};

INSTANTIATE_TEST_SUITE_P(Shapes, MoeDispatchConformance, ::testing::ValuesIn(kMoeCases));
INSTANTIATE_TEST_SUITE_P(Shapes, MoeCombineConformance, ::testing::ValuesIn(kMoeCases));

//===----------------------------------------------------------------------===//
// v4.window_indices: the op's definition, computed here; exact
//===----------------------------------------------------------------------===//

struct WindowCase {
  v4::WindowLayout layout;
  int64_t window, rows;
  std::vector<int32_t> starts; // positions, one per batch row
};

void PrintTo(const WindowCase &c, std::ostream *os) {
  *os << v4::stringifyWindowLayout(c.layout).str() << "_window_" << c.window << "_rows_"
      << c.rows << "_batch_" << c.starts.size();
}

class WindowIndicesConformance : public OpConformance,
                                 public ::testing::WithParamInterface<WindowCase> {};

TEST_P(WindowIndicesConformance, ListsTheWindowExactly) {
  const WindowCase &c = GetParam();
  Builder types(&context);
  Type i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic, batch = int64_t(c.starts.size());
  auto positionsType = RankedTensorType::get({dyn}, i32);
  auto indicesType = RankedTensorType::get({dyn, dyn, c.window}, i32);
  std::optional<LoadedKernel> kernel = compile(
      {positionsType, types.getIndexType()},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::WindowIndicesOp::create(b, loc, indicesType, in[0], in[1], c.window, c.layout);
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<int32_t> positions = c.starts;
  std::vector<int32_t> out(size_t(batch * c.rows * c.window) + 1, -7);
  std::vector<uint32_t> constants = {uint32_t(batch), uint32_t(c.rows)};
  std::vector<void *> bindings = {positions.data(), out.data()};
  std::vector<size_t> lengths = {positions.size() * 4, (out.size() - 1) * 4};
  Status ran = runRows(*kernel, batch * c.rows, constants, bindings, lengths, "window_indices");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  for (int64_t b = 0; b < batch; ++b) {
    const int64_t start = c.starts[size_t(b)];
    for (int64_t s = 0; s < c.rows; ++s) {
      const int64_t i = start + s;
      const int64_t lo = c.layout == v4::WindowLayout::chunk ? start : 0;
      const int64_t first = std::max(lo, i - c.window + 1);
      for (int64_t j = 0; j < c.window; ++j) {
        const int64_t p = first + j;
        int64_t want = -1;
        if (p <= i) {
          if (c.layout == v4::WindowLayout::chunk)
            want = p - start;
          else if (c.layout == v4::WindowLayout::ring || p < start)
            want = p % c.window;
          else
            want = c.window + p - start;
        }
        ASSERT_EQ(out[size_t((b * c.rows + s) * c.window + j)], want)
            << "batch row " << b << " query " << s << " entry " << j;
      }
    }
  }
  EXPECT_EQ(out.back(), -7) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, WindowIndicesConformance,
    ::testing::Values(
        // Prefill of a first chunk, longer than the window.
        WindowCase{v4::WindowLayout::chunk, 8, 21, {0}},
        // Batched decode: rows at different positions, before and after the
        // ring wraps.
        WindowCase{v4::WindowLayout::ring, 8, 1, {0, 3, 7, 8, 29}},
        WindowCase{v4::WindowLayout::ring, 128, 1, {5, 1000}},
        // A later prefill chunk over the ring as it was plus the chunk.
        WindowCase{v4::WindowLayout::ring_chunk, 8, 11, {13}},
        WindowCase{v4::WindowLayout::ring_chunk, 8, 3, {2}}));

//===----------------------------------------------------------------------===//
// v4.sparse_attention and v4.hca_attention: ref::sparseAttentionHead over the
// op's joint key list (exp approximated: within one bf16 ulp)
//===----------------------------------------------------------------------===//

/// Attention inputs as float values of bf16 data, and the kernel's output.
struct AttentionRun {
  int64_t batch, queries, heads, dim, windowRows, windowKeys, cacheBatch, capacity;
  std::vector<uint16_t> q, window, cache, out;
  std::vector<float> sink;
  std::vector<int32_t> windowIndices, slots;

  /// Compares every output with ref::sparseAttentionHead over the keys
  /// `entriesOf(b, s)` lists after the window list (entry ids, -1 skipped).
  void expectWithinOneUlp(float scale,
                          const std::function<std::vector<int32_t>(int64_t, int64_t)> &entriesOf) {
    std::vector<float> windowF(window.size()), cacheF(cache.size()),
        qf(static_cast<size_t>(dim)), expected(static_cast<size_t>(dim));
    for (size_t i = 0; i < window.size(); ++i)
      windowF[i] = bf16ToFloat(window[i]);
    for (size_t i = 0; i < cache.size(); ++i)
      cacheF[i] = bf16ToFloat(cache[i]);
    int64_t offByOne = 0, worst = 0, compared = 0;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t s = 0; s < queries; ++s) {
        std::vector<const float *> keys;
        for (int64_t j = 0; j < windowKeys; ++j) {
          int32_t index = windowIndices[size_t((b * queries + s) * windowKeys + j)];
          keys.push_back(index < 0 ? nullptr
                                   : windowF.data() + (b * windowRows + index) * dim);
        }
        for (int32_t entry : entriesOf(b, s))
          keys.push_back(entry < 0 ? nullptr
                                   : cacheF.data() + (slots[size_t(b)] * capacity + entry) * dim);
        for (int64_t h = 0; h < heads; ++h) {
          const int64_t base = ((b * queries + s) * heads + h) * dim;
          for (int64_t x = 0; x < dim; ++x)
            qf[size_t(x)] = bf16ToFloat(q[size_t(base + x)]);
          ref::sparseAttentionHead(qf.data(), keys, dim, sink[size_t(h)], scale, expected.data());
          for (int64_t x = 0; x < dim; ++x, ++compared) {
            int distance = bf16UlpDistance(out[size_t(base + x)], bf16FromFloat(expected[size_t(x)]));
            worst = std::max<int64_t>(worst, distance);
            offByOne += distance == 1;
          }
        }
      }
    ::testing::Test::RecordProperty("one_ulp_off", static_cast<int>(offByOne));
    EXPECT_LE(worst, 1);
    EXPECT_LE(offByOne * 1000, compared) << offByOne << " of " << compared << " one ulp off";
    EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
  }
};

/// KV rows (`values`, [rows, dim] bf16) as `format` stores them; `values`
/// become what the stored rows hold, which a kernel reading them sees.
std::vector<uint8_t> storeKvRows(std::vector<uint16_t> &values, int64_t dim, int64_t rope,
                                 io::CacheFormat format) {
  io::ModelConfig config;
  config.headDim = dim;
  config.ropeHeadDim = rope;
  ref::RowCodec codec = ref::RowCodec::kvRows(config, format);
  const int64_t rows = int64_t(values.size()) / dim;
  std::vector<uint8_t> stored(size_t(rows * codec.bytes()));
  std::vector<float> row(static_cast<size_t>(dim));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t x = 0; x < dim; ++x)
      row[size_t(x)] = bf16ToFloat(values[size_t(r * dim + x)]);
    codec.encode(row.data(), stored.data() + r * codec.bytes());
    codec.decode(stored.data() + r * codec.bytes(), row.data());
    for (int64_t x = 0; x < dim; ++x)
      values[size_t(r * dim + x)] = bf16FromFloat(row[size_t(x)]);
  }
  return stored;
}

AttentionRun makeAttentionRun(int64_t batch, int64_t queries, int64_t heads, int64_t dim,
                              int64_t windowRows, int64_t windowKeys, int64_t cacheBatch,
                              int64_t capacity, uint32_t seed) {
  AttentionRun run{batch, queries, heads, dim, windowRows, windowKeys, cacheBatch, capacity,
                   {}, {}, {}, {}, {}, {}, {}};
  run.q = randomBf16(size_t(batch * queries * heads * dim), seed, 0.0f, 1.0f);
  run.window = randomBf16(size_t(batch * windowRows * dim), seed + 1, 0.0f, 2.0f);
  run.cache = randomBf16(size_t(cacheBatch * capacity * dim), seed + 2, 0.0f, 2.0f);
  run.out.assign(size_t(batch * queries * heads * dim) + 1, 0xFFFF);
  std::mt19937 rng(seed + 3);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (int64_t h = 0; h < heads; ++h)
    run.sink.push_back(dist(rng));
  // Window lists: a run of rows, -1 padded, as v4.window_indices gives.
  std::uniform_int_distribution<int32_t> rowOf(0, int32_t(windowRows - 1));
  for (int64_t r = 0; r < batch * queries; ++r) {
    int64_t listed = 1 + r * 7 % windowKeys;
    for (int64_t j = 0; j < windowKeys; ++j)
      run.windowIndices.push_back(j < listed ? rowOf(rng) : -1);
  }
  return run;
}

TEST_F(OpConformance, SparseAttentionWithinOneBf16UlpOfTheReference) {
  // A batched chunk with dynamic B, S and window rows; 48 window keys and
  // 100 selected entries: three blocks of 64, one query's first entry
  // block all padding.
  const int64_t batch = 2, queries = 3, heads = 4, dim = 128, windowRows = 40, windowKeys = 48;
  const int64_t cacheBatch = 3, capacity = 60, entryKeys = 100;
  const double scale = 1.0 / std::sqrt(double(dim));
  Builder types(&context);
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto queryType = RankedTensorType::get({dyn, dyn, heads, dim}, bf16);
  auto cacheType =
      v4::CompressedCacheType::get(&context, cacheBatch, 4, capacity, dim, bf16, 0);
  std::optional<LoadedKernel> kernel = compile(
      {queryType, RankedTensorType::get({dyn, dyn, dim}, bf16),
       RankedTensorType::get({dyn, dyn, windowKeys}, i32), RankedTensorType::get({heads}, f32),
       cacheType, RankedTensorType::get({dyn, dyn, entryKeys}, i32),
       RankedTensorType::get({dyn}, i32)},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::SparseAttentionOp::create(b, loc, queryType, in[0], in[1], in[2], in[4],
                                             in[5], in[6], in[3], APFloat(scale));
      });
  ASSERT_TRUE(kernel) << errors;
  AttentionRun run = makeAttentionRun(batch, queries, heads, dim, windowRows, windowKeys,
                                      cacheBatch, capacity, 191u);
  run.slots = {2, 0};
  std::mt19937 rng(197);
  std::uniform_int_distribution<int32_t> entryOf(-1, int32_t(capacity - 1));
  std::vector<int32_t> entryIndices;
  for (int64_t r = 0; r < batch * queries; ++r)
    for (int64_t j = 0; j < entryKeys; ++j)
      // Query 1 of row 0: keys 48..111 (its second block) are all padding.
      entryIndices.push_back(r == 1 && j < 64 + 16 ? -1 : entryOf(rng));
  std::vector<uint32_t> constants = {uint32_t(batch), uint32_t(queries), uint32_t(windowRows)};
  std::vector<void *> bindings = {run.q.data(),        run.window.data(), run.windowIndices.data(),
                                  run.cache.data(),    entryIndices.data(), run.slots.data(),
                                  run.sink.data(),     run.out.data()};
  std::vector<size_t> lengths = {run.q.size() * 2,         run.window.size() * 2,
                                 run.windowIndices.size() * 4, run.cache.size() * 2,
                                 entryIndices.size() * 4,    run.slots.size() * 4,
                                 run.sink.size() * 4,        (run.out.size() - 1) * 2};
  Status ran = runRows(*kernel, batch * queries * heads, constants, bindings, lengths,
                       "sparse_attention");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  run.expectWithinOneUlp(float(scale), [&](int64_t b, int64_t s) {
    auto first = entryIndices.begin() + (b * queries + s) * entryKeys;
    return std::vector<int32_t>(first, first + entryKeys);
  });
}

/// Names the instances of a test over bf16 rows (false) and FP8 rows (true).
std::string fp8OrBf16Rows(const ::testing::TestParamInfo<bool> &info) {
  return info.param ? "fp8" : "bf16";
}

// Batched decode: two rows at positions 100 and 250 of a ratio-8 cache whose
// capacity (30) caps the second row's 31 visible entries, over bf16 entry
// rows and over FP8 KV rows (64 E4M3 dims with their scale, 64 bf16 RoPE
// dims), which the kernel decodes in place; the reference attends over
// ref::RowCodec's decoded rows.
class HcaAttentionConformance : public OpConformance, public ::testing::WithParamInterface<bool> {};

TEST_P(HcaAttentionConformance, WithinOneBf16UlpOfTheReference) {
  const bool fp8 = GetParam();
  const int64_t batch = 2, queries = 1, heads = 4, dim = 128, windowRows = 16, windowKeys = 16;
  const int64_t cacheBatch = 2, capacity = 30, ratio = 8, rope = fp8 ? 64 : 0;
  const double scale = 1.0 / std::sqrt(double(dim));
  Builder types(&context);
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type(), i32 = types.getI32Type();
  auto queryType = RankedTensorType::get({batch, queries, heads, dim}, bf16);
  Type element = fp8 ? Type(types.getType<Float8E4M3FNType>()) : bf16;
  auto cacheType =
      v4::CompressedCacheType::get(&context, cacheBatch, ratio, capacity, dim, element, rope);
  std::optional<LoadedKernel> kernel = compile(
      {queryType, RankedTensorType::get({batch, windowRows, dim}, bf16),
       RankedTensorType::get({batch, queries, windowKeys}, i32), cacheType,
       RankedTensorType::get({heads}, f32), RankedTensorType::get({batch}, i32),
       RankedTensorType::get({batch}, i32)},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::HcaAttentionOp::create(b, loc, queryType, in[0], in[1], in[2], in[3], in[4],
                                          in[5], in[6], APFloat(scale));
      });
  ASSERT_TRUE(kernel) << errors;
  AttentionRun run = makeAttentionRun(batch, queries, heads, dim, windowRows, windowKeys,
                                      cacheBatch, capacity, fp8 ? 211u : 199u);
  // The rows as the cache stores them; the reference side attends over
  // what they hold.
  std::vector<uint8_t> rows =
      storeKvRows(run.cache, dim, rope,
                  fp8 ? io::CacheFormat::kFp8IndexerFp8 : io::CacheFormat::kReferenceBf16);
  run.slots = {1, 0};
  std::vector<int32_t> positions = {100, 250};
  std::vector<void *> bindings = {run.q.data(), run.window.data(), run.windowIndices.data(),
                                  rows.data(),  run.sink.data(),   positions.data(),
                                  run.slots.data(), run.out.data()};
  std::vector<size_t> lengths = {run.q.size() * 2,     run.window.size() * 2,
                                 run.windowIndices.size() * 4, rows.size(),
                                 run.sink.size() * 4,  positions.size() * 4,
                                 run.slots.size() * 4, (run.out.size() - 1) * 2};
  Status ran = runRows(*kernel, batch * queries * heads, {}, bindings, lengths, "hca_attention");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  run.expectWithinOneUlp(float(scale), [&](int64_t b, int64_t s) {
    std::vector<int32_t> visible;
    for (int64_t c = 0; c < std::min<int64_t>((positions[size_t(b)] + s + 1) / ratio, capacity);
         ++c)
      visible.push_back(int32_t(c));
    return visible;
  });
}

INSTANTIATE_TEST_SUITE_P(EntryRows, HcaAttentionConformance, ::testing::Values(false, true),
                         fp8OrBf16Rows);

// Fusion row 6: a decode step's sparse attention whose window is the
// v4.cache_read of a window ring, fused: the kernel reads the ring in place
// at the read's slots (here not the entries' slots, and one past the batch,
// which reads ring row 0 as the read does), over bf16 rows and over FP8 KV
// rows decoded in place. The reference attends over the rows the read
// would have copied.
class FusedWindowAttentionConformance : public OpConformance,
                                        public ::testing::WithParamInterface<bool> {};

TEST_P(FusedWindowAttentionConformance, WithinOneBf16UlpOfTheReference) {
  const bool fp8 = GetParam();
  const int64_t batch = 2, queries = 1, heads = 4, dim = 128, windowRows = 32, windowKeys = 24;
  const int64_t cacheBatch = 3, capacity = 40, entryKeys = 70, rope = fp8 ? 64 : 0;
  const double scale = 1.0 / std::sqrt(double(dim));
  Builder types(&context);
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto queryType = RankedTensorType::get({dyn, queries, heads, dim}, bf16);
  Type element = fp8 ? Type(types.getType<Float8E4M3FNType>()) : bf16;
  auto ringType = v4::WindowCacheType::get(&context, cacheBatch, windowRows, dim, element, rope);
  auto entriesType = v4::CompressedCacheType::get(&context, cacheBatch, 4, capacity, dim, bf16, 0);
  auto slotsType = RankedTensorType::get({dyn}, i32);
  std::optional<LoadedKernel> kernel = compile(
      {queryType, ringType, RankedTensorType::get({dyn, queries, windowKeys}, i32),
       RankedTensorType::get({heads}, f32), entriesType,
       RankedTensorType::get({dyn, queries, entryKeys}, i32), slotsType, slotsType},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value ring = v4::CacheReadOp::create(b, loc, in[1], in[7]);
        return v4::SparseAttentionOp::create(b, loc, queryType, in[0], ring, in[2], in[4], in[5],
                                             in[6], in[3], APFloat(scale));
      },
      /*fuse=*/true);
  ASSERT_TRUE(kernel) << errors;
  AttentionRun run = makeAttentionRun(batch, queries, heads, dim, windowRows, windowKeys,
                                      cacheBatch, capacity, fp8 ? 223u : 227u);
  // The ring's rows as the cache stores them, and the rows the read gathers.
  std::vector<uint16_t> ringValues =
      randomBf16(size_t(cacheBatch * windowRows * dim), 229u, 0.0f, 2.0f);
  std::vector<uint8_t> ringBytes =
      storeKvRows(ringValues, dim, rope,
                  fp8 ? io::CacheFormat::kFp8IndexerFp8 : io::CacheFormat::kReferenceBf16);
  const std::vector<int32_t> readSlots = {2, 7};
  for (int64_t b = 0; b < batch; ++b) {
    int64_t slot = readSlots[size_t(b)] < cacheBatch ? readSlots[size_t(b)] : 0;
    std::copy_n(ringValues.begin() + slot * windowRows * dim, windowRows * dim,
                run.window.begin() + b * windowRows * dim);
  }
  run.slots = {1, 0};
  std::mt19937 rng(233);
  std::uniform_int_distribution<int32_t> entryOf(-1, int32_t(capacity - 1));
  std::vector<int32_t> entryIndices;
  for (int64_t j = 0; j < batch * queries * entryKeys; ++j)
    entryIndices.push_back(entryOf(rng));
  std::vector<uint32_t> constants = {uint32_t(batch)};
  std::vector<void *> bindings = {run.q.data(),
                                  ringBytes.data(),
                                  run.windowIndices.data(),
                                  run.cache.data(),
                                  entryIndices.data(),
                                  run.slots.data(),
                                  run.sink.data(),
                                  const_cast<int32_t *>(readSlots.data()),
                                  run.out.data()};
  std::vector<size_t> lengths = {
      run.q.size() * 2,     ringBytes.size(),        run.windowIndices.size() * 4,
      run.cache.size() * 2, entryIndices.size() * 4, run.slots.size() * 4,
      run.sink.size() * 4,  readSlots.size() * 4,    (run.out.size() - 1) * 2};
  Status ran = runRows(*kernel, batch * queries * heads, constants, bindings, lengths,
                       "fused window attention");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  run.expectWithinOneUlp(float(scale), [&](int64_t b, int64_t s) {
    auto first = entryIndices.begin() + (b * queries + s) * entryKeys;
    return std::vector<int32_t>(first, first + entryKeys);
  });
}

INSTANTIATE_TEST_SUITE_P(WindowRows, FusedWindowAttentionConformance,
                         ::testing::Values(false, true), fp8OrBf16Rows);

//===----------------------------------------------------------------------===//
// The cache ops: their definitions, computed here on a copy of the cache;
// exact (a cache binding is updated in place)
//===----------------------------------------------------------------------===//

TEST_F(OpConformance, WindowAppendWritesTheSurvivingRowsInPlace) {
  // Batch rows in cache slots 2 and 0 of 3; a chunk of 11 rows into an
  // 8-row ring (the first 3 do not survive), f32 rows rounded on the way in.
  const int64_t cacheBatch = 3, window = 8, dim = 64, batch = 2, rows = 11;
  Builder types(&context);
  Type bf16 = types.getBF16Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto cacheType = v4::WindowCacheType::get(&context, cacheBatch, window, dim, bf16, 0);
  for (bool f32Rows : {false, true}) {
    SCOPED_TRACE(f32Rows ? "f32 rows" : "bf16 rows");
    Type element = f32Rows ? Type(types.getF32Type()) : bf16;
    std::optional<LoadedKernel> kernel = compile(
        {cacheType, RankedTensorType::get({dyn, dyn, dim}, element),
         RankedTensorType::get({dyn}, i32), RankedTensorType::get({dyn}, i32)},
        [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
          return v4::WindowAppendOp::create(b, loc, in[0], in[1], in[2], in[3]);
        });
    ASSERT_TRUE(kernel) << errors;
    std::vector<uint16_t> cache = randomBf16(size_t(cacheBatch * window * dim), 211u, 0.0f, 1.0f);
    cache.push_back(0xFFFF);
    std::vector<uint16_t> chunk = randomBf16(size_t(batch * rows * dim), 223u, 0.0f, 1.0f);
    std::vector<float> chunkF32(chunk.size());
    std::mt19937 rng(227);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (float &v : chunkF32)
      v = dist(rng);
    std::vector<int32_t> positions = {5, 20}, slots = {2, 0};
    std::vector<uint16_t> expected(cache);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t s = rows - window; s < rows; ++s)
        for (int64_t x = 0; x < dim; ++x) {
          size_t from = size_t((b * rows + s) * dim + x);
          expected[size_t((slots[size_t(b)] * window + (positions[size_t(b)] + s) % window) * dim +
                          x)] = f32Rows ? bf16FromFloat(chunkF32[from]) : chunk[from];
        }
    std::vector<uint32_t> constants = {uint32_t(batch), uint32_t(rows)};
    std::vector<void *> bindings = {cache.data(), f32Rows ? static_cast<void *>(chunkF32.data())
                                                          : static_cast<void *>(chunk.data()),
                                    positions.data(), slots.data()};
    std::vector<size_t> lengths = {(cache.size() - 1) * 2, chunk.size() * (f32Rows ? 4 : 2), 8, 8};
    Status ran = runRows(*kernel, batch * rows, constants, bindings, lengths, "window_append");
    ASSERT_TRUE(ran.isOk()) << ran.message();
    EXPECT_EQ(cache, expected);
  }
}

TEST_F(OpConformance, CompressedAppendStoresTheCompletedEntriesInPlace) {
  // Ratio 4, capacity 10: row 0 (slot 1) at position 6 with 9 tokens
  // completes entries 1 and 2; row 1 (slot 0) at 37 completes 9 and 10, and
  // 10 is past the capacity.
  const int64_t cacheBatch = 2, capacity = 10, dim = 32, batch = 2, entryRows = 3, tokens = 9;
  Builder types(&context);
  Type bf16 = types.getBF16Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto cacheType = v4::CompressedCacheType::get(&context, cacheBatch, 4, capacity, dim, bf16, 0);
  std::optional<LoadedKernel> kernel = compile(
      {cacheType, RankedTensorType::get({dyn, dyn, dim}, bf16), RankedTensorType::get({dyn}, i32),
       RankedTensorType::get({dyn}, i32), types.getIndexType()},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::CompressedAppendOp::create(b, loc, in[0], in[1], in[2], in[3], in[4]);
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> cache = randomBf16(size_t(cacheBatch * capacity * dim), 229u, 0.0f, 1.0f);
  cache.push_back(0xFFFF);
  std::vector<uint16_t> entries = randomBf16(size_t(batch * entryRows * dim), 233u, 0.0f, 1.0f);
  std::vector<int32_t> positions = {6, 37}, slots = {1, 0};
  std::vector<uint16_t> expected(cache);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t p = positions[size_t(b)];
    for (int64_t j = 0; j < (p + tokens) / 4 - p / 4; ++j)
      if (p / 4 + j < capacity)
        std::copy_n(entries.begin() + (b * entryRows + j) * dim, dim,
                    expected.begin() + (slots[size_t(b)] * capacity + p / 4 + j) * dim);
  }
  std::vector<uint32_t> constants = {uint32_t(batch), uint32_t(entryRows), uint32_t(tokens)};
  std::vector<void *> bindings = {cache.data(), entries.data(), positions.data(), slots.data()};
  std::vector<size_t> lengths = {(cache.size() - 1) * 2, entries.size() * 2, 8, 8};
  Status ran =
      runRows(*kernel, batch * entryRows, constants, bindings, lengths, "compressed_append");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  EXPECT_EQ(cache, expected);
}

TEST_F(OpConformance, CacheReadGathersRowsBySlot) {
  Builder types(&context);
  Type i32 = types.getI32Type(), f32 = types.getF32Type();
  const int64_t dyn = ShapedType::kDynamic;
  // Compressor state [2, batch 3, 8, 32] read for slots {2, 0}: both halves.
  auto stateType = v4::CompressorStateType::get(&context, 3, 4, 2, 16);
  auto contentsType = RankedTensorType::get({2, dyn, 8, 32}, f32);
  std::optional<LoadedKernel> kernel =
      compile({stateType, RankedTensorType::get({dyn}, i32)},
              [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
                return v4::CacheReadOp::create(b, loc, contentsType, in[0], in[1]);
              });
  ASSERT_TRUE(kernel) << errors;
  std::vector<float> state(size_t(2 * 3 * 8 * 32));
  std::iota(state.begin(), state.end(), 0.0f);
  std::vector<int32_t> slots = {2, 0};
  std::vector<float> out(size_t(2 * 2 * 8 * 32) + 1, -7.0f);
  std::vector<uint32_t> constants = {2};
  std::vector<void *> bindings = {state.data(), slots.data(), out.data()};
  std::vector<size_t> lengths = {state.size() * 4, 8, (out.size() - 1) * 4};
  Status ran = runRows(*kernel, 2 * 2 * 8, constants, bindings, lengths, "cache_read");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (int64_t part = 0; part < 2; ++part)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t i = 0; i < 8 * 32; ++i)
        ASSERT_EQ(out[size_t((part * 2 + b) * 256 + i)],
                  state[size_t((part * 3 + slots[size_t(b)]) * 256 + i)])
            << "half " << part << " row " << b << " element " << i;
  EXPECT_EQ(out.back(), -7.0f) << "wrote past the result";
}

TEST_F(OpConformance, CacheInitFillsZerosAndTheScoreStateWithMinusInfinity) {
  Builder types(&context);
  auto stateType = v4::CompressorStateType::get(&context, 2, 4, 2, 8);
  std::optional<LoadedKernel> kernel =
      compile({}, [&](OpBuilder &b, Location loc, ValueRange) -> Operation * {
        return v4::CacheInitOp::create(b, loc, stateType);
      });
  ASSERT_TRUE(kernel) << errors;
  const size_t half = 2 * 8 * 16;
  std::vector<float> state(2 * half + 1, 5.0f);
  std::vector<void *> bindings = {state.data()};
  std::vector<size_t> lengths = {2 * half * 4};
  Status ran = runRows(*kernel, 2 * 2 * 8, {}, bindings, lengths, "cache_init");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (size_t i = 0; i < 2 * half; ++i)
    ASSERT_EQ(state[i], i < half ? 0.0f : -std::numeric_limits<float>::infinity()) << i;
  EXPECT_EQ(state.back(), 5.0f) << "wrote past the state";
}

//===----------------------------------------------------------------------===//
// Encoded cache rows: the reference's RowCodec, byte for byte and back
//===----------------------------------------------------------------------===//
// compressed_append stores four entries into cache slot 1 of an encoded
// cache; the bytes must be ref::RowCodec::encode's (the rest untouched), and
// cache_read must give RowCodec::decode's values. FP8 KV rows (V4's 448 E4M3
// + 64 bf16 RoPE dims, 584 bytes), FP8 keys (fp32 scale), MXFP4 keys.

enum class RowFormat { Fp8Kv, Fp8Key, Fp4Key };

class CacheRowCodecConformance : public OpConformance,
                                 public ::testing::WithParamInterface<RowFormat> {};

TEST_P(CacheRowCodecConformance, EncodesAndDecodesAsTheReference) {
  const RowFormat format = GetParam();
  Builder types(&context);
  Type bf16 = types.getBF16Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic, cacheBatch = 2, capacity = 4, entryRows = 4,
                tokens = 16;
  Type cacheType;
  std::optional<ref::RowCodec> codec;
  int64_t dim;
  if (format == RowFormat::Fp8Kv) {
    dim = 512;
    cacheType = v4::CompressedCacheType::get(&context, cacheBatch, 4, capacity, dim,
                                             types.getType<Float8E4M3FNType>(), 64);
    io::ModelConfig config;
    config.headDim = dim;
    config.ropeHeadDim = 64;
    codec = ref::RowCodec::kvRows(config, io::CacheFormat::kFp8IndexerFp8);
  } else {
    dim = 128;
    const bool fp8 = format == RowFormat::Fp8Key;
    cacheType = v4::IndexerCacheType::get(
        &context, cacheBatch, capacity, dim,
        fp8 ? Type(types.getType<Float8E4M3FNType>()) : Type(types.getType<Float4E2M1FNType>()));
    codec = ref::RowCodec::indexerKeys(
        dim, fp8 ? io::CacheFormat::kFp8IndexerFp8 : io::CacheFormat::kFp8IndexerFp4);
  }
  const int64_t rowBytes = codec->bytes();
  ASSERT_EQ(cast<v4::CacheTypeInterface>(cacheType).getStorageType().getDimSize(2), rowBytes);
  std::optional<LoadedKernel> append = compile(
      {cacheType, RankedTensorType::get({dyn, dyn, dim}, bf16), RankedTensorType::get({dyn}, i32),
       RankedTensorType::get({dyn}, i32), types.getIndexType()},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::CompressedAppendOp::create(b, loc, in[0], in[1], in[2], in[3], in[4]);
      });
  ASSERT_TRUE(append) << errors;
  auto contentsType = RankedTensorType::get({dyn, capacity, dim}, bf16);
  std::optional<LoadedKernel> read =
      compile({cacheType, RankedTensorType::get({dyn}, i32)},
              [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
                return v4::CacheReadOp::create(b, loc, contentsType, in[0], in[1]);
              });
  ASSERT_TRUE(read) << errors;

  // Entries: normal values, one all-zero row, one row of tiny values, one
  // with a wide range (a large value in one block).
  std::vector<uint16_t> entries = randomBf16(size_t(entryRows * dim), 239u, 0.0f, 1.0f);
  std::fill_n(entries.begin() + dim, dim, uint16_t(0));
  for (int64_t i = 0; i < dim; ++i)
    entries[size_t(2 * dim + i)] =
        bf16FromFloat(bf16ToFloat(entries[size_t(2 * dim + i)]) * 1e-30f);
  entries[size_t(3 * dim + 5)] = bf16FromFloat(3.0e4f);
  std::vector<uint8_t> cache(size_t(cacheBatch * capacity * rowBytes) + 1, uint8_t(0x5A));
  std::vector<uint8_t> expected(cache);
  std::vector<float> row(static_cast<size_t>(dim));
  for (int64_t j = 0; j < entryRows; ++j) {
    for (int64_t i = 0; i < dim; ++i)
      row[size_t(i)] = bf16ToFloat(entries[size_t(j * dim + i)]);
    codec->encode(row.data(), expected.data() + (1 * capacity + j) * rowBytes);
  }
  std::vector<int32_t> positions = {0}, slots = {1};
  std::vector<uint32_t> constants = {1, uint32_t(entryRows), uint32_t(tokens)};
  std::vector<void *> bindings = {cache.data(), entries.data(), positions.data(), slots.data()};
  std::vector<size_t> lengths = {cache.size() - 1, entries.size() * 2, 4, 4};
  Status ran = runRows(*append, entryRows, constants, bindings, lengths, "compressed_append");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  int64_t wrongBytes = 0;
  for (size_t i = 0; i < cache.size(); ++i)
    if (cache[i] != expected[i] && wrongBytes++ < 5)
      ADD_FAILURE() << "byte " << i << " (row " << i / size_t(rowBytes) << ", offset "
                    << i % size_t(rowBytes) << "): kernel " << int(cache[i]) << ", reference "
                    << int(expected[i]);
  EXPECT_EQ(wrongBytes, 0);

  std::vector<uint16_t> out(size_t(capacity * dim) + 1, 0xFFFF);
  constants = {1};
  bindings = {cache.data(), slots.data(), out.data()};
  lengths = {cache.size() - 1, 4, (out.size() - 1) * 2};
  ran = runRows(*read, capacity, constants, bindings, lengths, "cache_read");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  int64_t wrongValues = 0;
  for (int64_t j = 0; j < capacity; ++j) {
    codec->decode(expected.data() + (1 * capacity + j) * rowBytes, row.data());
    for (int64_t i = 0; i < dim; ++i) {
      uint16_t want = bf16FromFloat(row[size_t(i)]), got = out[size_t(j * dim + i)];
      if (want != got && wrongValues++ < 5)
        ADD_FAILURE() << "entry " << j << " element " << i << ": kernel " << bf16ToFloat(got)
                      << ", reference " << row[size_t(i)];
    }
  }
  EXPECT_EQ(wrongValues, 0);
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
}

INSTANTIATE_TEST_SUITE_P(Formats, CacheRowCodecConformance,
                         ::testing::Values(RowFormat::Fp8Kv, RowFormat::Fp8Key, RowFormat::Fp4Key),
                         [](const ::testing::TestParamInfo<RowFormat> &info) {
                           switch (info.param) {
                           case RowFormat::Fp8Kv:
                             return std::string("fp8_kv_rows");
                           case RowFormat::Fp8Key:
                             return std::string("fp8_keys");
                           case RowFormat::Fp4Key:
                             return std::string("mxfp4_keys");
                           }
                           return std::string();
                         });

//===----------------------------------------------------------------------===//
// v4.compress: ref::poolEntry per completed entry over the token history the
// state and the chunk hold; the state update by the op's definition (exp
// approximated: entries within a small error)
//===----------------------------------------------------------------------===//

struct CompressCase {
  int64_t ratio; // 4: overlapping (coff 2)
  int64_t tokens;
  std::vector<int32_t> starts, slots;
};

void PrintTo(const CompressCase &c, std::ostream *os) {
  *os << "ratio_" << c.ratio << "_tokens_" << c.tokens << "_starts";
  for (int32_t p : c.starts)
    *os << "_" << p;
}

class CompressConformance : public OpConformance,
                            public ::testing::WithParamInterface<CompressCase> {};

TEST_P(CompressConformance, EntriesAndStateMatchTheTokenHistory) {
  const CompressCase &c = GetParam();
  const bool overlap = c.ratio == 4;
  const int64_t coff = overlap ? 2 : 1, dim = 16, width = coff * dim, r = c.ratio;
  const int64_t batch = int64_t(c.starts.size()), cacheBatch = 3, stateSlots = coff * r;
  const int64_t entryRows = (c.tokens + r - 1) / r;
  Builder types(&context);
  Type f32 = types.getF32Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto projection = RankedTensorType::get({dyn, dyn, width}, f32);
  auto stateType = v4::CompressorStateType::get(&context, cacheBatch, r, coff, dim);
  std::optional<LoadedKernel> kernel = compile(
      {projection, projection, RankedTensorType::get({r, width}, f32), stateType,
       RankedTensorType::get({dyn}, i32), RankedTensorType::get({dyn}, i32)},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return v4::CompressOp::create(b, loc, in[0], in[1], in[2], in[3], in[4], in[5], r,
                                      overlap);
      });
  ASSERT_TRUE(kernel) << errors;

  std::mt19937 rng(uint32_t(239 + r + c.tokens));
  std::normal_distribution<float> dist(0.0f, 1.0f);
  auto random = [&](size_t n) {
    std::vector<float> v(n);
    for (float &x : v)
      x = dist(rng);
    return v;
  };
  std::vector<float> ape = random(size_t(r * width));
  // Each batch row's whole token history: kv and score (ape added) per token.
  std::vector<std::vector<float>> kvHistory, scoreHistory;
  // The state as the tokens before each row's start left it; slots no token
  // fills hold garbage that must not be read.
  std::vector<float> state = random(size_t(2 * cacheBatch * stateSlots * width));
  auto stateAt = [&](int64_t half, int64_t slot, int64_t s, int64_t ch) -> float & {
    return state[size_t(((half * cacheBatch + slot) * stateSlots + s) * width + ch)];
  };
  const int64_t current = overlap ? r : 0;
  std::vector<float> kv(size_t(batch * c.tokens * width)), score(kv.size());
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t p = c.starts[size_t(b)], q = p + c.tokens, slot = c.slots[size_t(b)];
    std::vector<float> kvH = random(size_t(q * width)), scoreH = random(size_t(q * width));
    for (int64_t t = 0; t < q; ++t)
      for (int64_t ch = 0; ch < width; ++ch) {
        const size_t at = size_t(t * width + ch);
        if (t >= p) {
          kv[size_t((b * c.tokens + t - p) * width + ch)] = kvH[at];
          score[size_t((b * c.tokens + t - p) * width + ch)] = scoreH[at];
        }
        scoreH[at] += ape[size_t((t % r) * width + ch)];
      }
    const int64_t group = p / r;
    for (int64_t t = std::max<int64_t>(0, (group - (overlap ? 1 : 0)) * r); t < p; ++t) {
      const int64_t s = t / r == group ? current + t % r : t % r;
      for (int64_t ch = 0; ch < width; ++ch) {
        stateAt(0, slot, s, ch) = kvH[size_t(t * width + ch)];
        stateAt(1, slot, s, ch) = scoreH[size_t(t * width + ch)];
      }
    }
    kvHistory.push_back(std::move(kvH));
    scoreHistory.push_back(std::move(scoreH));
  }
  std::vector<float> expectedState = state;
  std::vector<float> entries(size_t(batch * entryRows * dim) + 1, -7.0f);
  std::vector<int32_t> positions = c.starts, slots = c.slots;
  std::vector<uint32_t> constants = {uint32_t(batch), uint32_t(c.tokens)};
  std::vector<void *> bindings = {kv.data(),        score.data(), ape.data(), state.data(),
                                  positions.data(), slots.data(), entries.data()};
  std::vector<size_t> lengths = {kv.size() * 4,        score.size() * 4, ape.size() * 4,
                                 state.size() * 4,     size_t(batch) * 4, size_t(batch) * 4,
                                 (entries.size() - 1) * 4};
  Status ran = runRows(*kernel, batch, constants, bindings, lengths, "compress");
  ASSERT_TRUE(ran.isOk()) << ran.message();

  double worst = 0.0;
  std::vector<float> pooled(static_cast<size_t>(dim));
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t p = c.starts[size_t(b)], q = p + c.tokens, slot = c.slots[size_t(b)];
    const float *kvH = kvHistory[size_t(b)].data(), *scoreH = scoreHistory[size_t(b)].data();
    for (int64_t j = 0; j < entryRows; ++j) {
      const int64_t entry = p / r + j;
      const bool completed = j < q / r - p / r;
      if (completed) {
        const bool first = entry == 0 || !overlap;
        ref::poolEntry(r, dim, overlap, first ? nullptr : kvH + (entry - 1) * r * width,
                       first ? nullptr : scoreH + (entry - 1) * r * width,
                       kvH + entry * r * width, scoreH + entry * r * width, pooled.data());
      }
      for (int64_t u = 0; u < dim; ++u) {
        const float got = entries[size_t((b * entryRows + j) * dim + u)];
        if (!completed) {
          ASSERT_EQ(got, 0.0f) << "row " << b << " entry row " << j << " is not zero";
          continue;
        }
        worst = std::max(worst, std::fabs(double(got) - double(pooled[size_t(u)])));
      }
    }
    // The state: the previous group once one completed, the chunk's
    // tokens of the group now in progress.
    auto expectToken = [&](int64_t t, int64_t s) {
      for (int64_t ch = 0; ch < width; ++ch) {
        expectedState[size_t(((0 * cacheBatch + slot) * stateSlots + s) * width + ch)] =
            kvH[size_t(t * width + ch)];
        expectedState[size_t(((1 * cacheBatch + slot) * stateSlots + s) * width + ch)] =
            scoreH[size_t(t * width + ch)];
      }
    };
    if (overlap && q / r > p / r)
      for (int64_t i = 0; i < r; ++i)
        expectToken((q / r - 1) * r + i, i);
    for (int64_t t = std::max(p, q / r * r); t < q; ++t)
      expectToken(t, current + t % r);
  }
  RecordProperty("worst_absolute_error", scientific(worst));
  EXPECT_LE(worst, 1e-6);
  EXPECT_EQ(state, expectedState);
  EXPECT_EQ(entries.back(), -7.0f) << "wrote past the entries";
}

INSTANTIATE_TEST_SUITE_P(
    Chunks, CompressConformance,
    ::testing::Values(
        // A first prefill chunk (fresh groups, the first entry without a
        // previous group), a chunk starting inside a group, a decode step
        // that completes a group, and batch rows at different positions.
        CompressCase{4, 11, {0}, {1}}, CompressCase{4, 9, {6}, {0}},
        CompressCase{4, 1, {7}, {2}}, CompressCase{4, 1, {5}, {2}},
        CompressCase{4, 9, {6, 13}, {2, 0}},
        // Without overlap: ratio 8 with the group in progress in the state.
        CompressCase{8, 12, {5}, {1}}, CompressCase{8, 1, {15, 3}, {0, 2}}));

//===----------------------------------------------------------------------===//
// Upstream linalg ops: linalg.matmul with its fill (the bf16 projections
// the reference computes with linalg()'s fp32 dot, ref::blockDot with one
// block; the kernel sums in vector lanes, within the summation bound; rows
// and tiles of 128 outputs per workgroup, like the block-scaled GEMMs) and an
// elementwise linalg.generic (exact)
//===----------------------------------------------------------------------===//

TEST_F(OpConformance, LinalgMatmulWithFillWithinTheSummationBoundOfTheReference) {
  // N not a multiple of the kernel's 128-output tiles: a partial tile.
  const int64_t rows = 7, k = 256, n = 300;
  Builder types(&context);
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto inputType = RankedTensorType::get({dyn, k}, bf16);
  auto weightType = RankedTensorType::get({n, k}, bf16);
  std::optional<LoadedKernel> kernel = compile(
      {inputType, weightType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value m = tensor::DimOp::create(b, loc, in[0], 0);
        Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{dyn, n}, f32, ValueRange{m});
        Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
        Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
        MLIRContext *ctx = b.getContext();
        AffineExpr mi, ni, ki;
        bindDims(ctx, mi, ni, ki);
        auto maps = SmallVector<AffineMap>{AffineMap::get(3, 0, {mi, ki}, ctx),
                                           AffineMap::get(3, 0, {ni, ki}, ctx),
                                           AffineMap::get(3, 0, {mi, ni}, ctx)};
        auto matmul = linalg::MatmulOp::create(b, loc, ValueRange{in[0], in[1]}, ValueRange{init});
        matmul.setIndexingMapsAttr(b.getAffineMapArrayAttr(maps));
        return matmul;
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> x = randomBf16(size_t(rows * k), 251u, 0.0f, 1.0f);
  std::vector<uint16_t> w = randomBf16(size_t(n * k), 257u, 0.0f, 0.05f);
  std::vector<float> out(size_t(rows * n) + 1, -7.0f);
  std::vector<uint32_t> constants = {uint32_t(rows), uint32_t(rows)};
  std::vector<void *> bindings = {x.data(), w.data(), out.data()};
  std::vector<size_t> lengths = {x.size() * 2, w.size() * 2, (out.size() - 1) * 4};
  // A linalg GEMM kernel takes one row per workgroup.
  Status ran =
      runRows(*kernel, rows * linalgGemmWorkgroups(n), constants, bindings, lengths, "matmul");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  std::vector<float> xf(static_cast<size_t>(k)), wf(static_cast<size_t>(k));
  double worst = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < n; ++o) {
      for (int64_t i = 0; i < k; ++i) {
        xf[size_t(i)] = bf16ToFloat(x[size_t(r * k + i)]);
        wf[size_t(i)] = bf16ToFloat(w[size_t(o * k + i)]);
      }
      // The same exact products summed in another order (vector lanes,
      // vdpbf16ps pairs): each order is within (k - 1) u sum|terms| of the
      // exact sum (u = 2^-24), so the two within twice that.
      double magnitude = 0;
      for (int64_t i = 0; i < k; ++i)
        magnitude += std::fabs(double(xf[size_t(i)]) * double(wf[size_t(i)]));
      double bound = 2.0 * double(k - 1) * std::ldexp(1.0, -24) * magnitude;
      double error = std::fabs(double(out[size_t(r * n + o)]) -
                               double(ref::blockDot(xf.data(), wf.data(), k, k)));
      worst = std::max(worst, bound > 0 ? error / bound : error);
      ASSERT_LE(error, bound) << "row " << r << " output " << o;
    }
  RecordProperty("worst_error_over_bound", std::to_string(worst));
  EXPECT_EQ(out.back(), -7.0f) << "wrote past the result";
}

TEST_F(OpConformance, LinalgElementwiseTruncationRoundsToNearestEven) {
  const int64_t rows = 5, width = 48;
  Builder types(&context);
  Type bf16 = types.getBF16Type(), f32 = types.getF32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto inputType = RankedTensorType::get({1, dyn, width}, f32);
  std::optional<LoadedKernel> kernel =
      compile({inputType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value s = tensor::DimOp::create(b, loc, in[0], 1);
        Value empty =
            tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{1, dyn, width}, bf16, ValueRange{s});
        AffineMap identity = b.getMultiDimIdentityMap(3);
        return linalg::GenericOp::create(
            b, loc, TypeRange{empty.getType()}, ValueRange{in[0]}, ValueRange{empty},
            ArrayRef<AffineMap>{identity, identity},
            SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
            [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
              Value narrowed = arith::TruncFOp::create(nested, nestedLoc, bf16, args[0]);
              linalg::YieldOp::create(nested, nestedLoc, narrowed);
            });
      });
  ASSERT_TRUE(kernel) << errors;
  std::mt19937 rng(263);
  std::normal_distribution<float> dist(0.0f, 100.0f);
  std::vector<float> input(size_t(rows * width));
  for (float &v : input)
    v = dist(rng);
  input[0] = std::numeric_limits<float>::quiet_NaN();
  input[1] = std::numeric_limits<float>::infinity();
  std::vector<uint16_t> out(input.size() + 1, 0xFFFF);
  std::vector<uint32_t> constants = {uint32_t(rows), uint32_t(rows)};
  std::vector<void *> bindings = {input.data(), out.data()};
  std::vector<size_t> lengths = {input.size() * 4, (out.size() - 1) * 2};
  Status ran = runRows(*kernel, rows, constants, bindings, lengths, "truncf");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  EXPECT_TRUE(std::isnan(bf16ToFloat(out[0])));
  for (size_t i = 1; i < input.size(); ++i)
    ASSERT_EQ(out[i], bf16FromFloat(input[i])) << "element " << i << " = " << input[i];
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
}

//===----------------------------------------------------------------------===//
// The tensor dialect's data movement (embedding lookup, ring + chunk join,
// slices, position tensors): the ops' definitions, computed here; exact
//===----------------------------------------------------------------------===//

TEST_F(OpConformance, GatherLooksUpRowsAndClampsBadIds) {
  const int64_t vocab = 11, width = 16, tokens = 5;
  Builder types(&context);
  Type bf16 = types.getBF16Type(), i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto tableType = RankedTensorType::get({vocab, width}, bf16);
  auto idsType = RankedTensorType::get({dyn, 1}, i32);
  auto resultType = RankedTensorType::get({dyn, width}, bf16);
  std::optional<LoadedKernel> kernel =
      compile({tableType, idsType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return tensor::GatherOp::create(b, loc, resultType, in[0], in[1],
                                        ArrayRef<int64_t>{0});
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> table = randomBf16(size_t(vocab * width), 269u, 0.0f, 1.0f);
  std::vector<int32_t> ids = {3, 0, 10, 11, -1}; // the last two are out of range
  std::vector<uint16_t> out(size_t(tokens * width) + 1, 0xFFFF);
  std::vector<uint32_t> constants = {uint32_t(tokens), uint32_t(tokens)};
  std::vector<void *> bindings = {table.data(), ids.data(), out.data()};
  std::vector<size_t> lengths = {table.size() * 2, ids.size() * 4, (out.size() - 1) * 2};
  Status ran = runRows(*kernel, tokens, constants, bindings, lengths, "gather");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (int64_t t = 0; t < tokens; ++t) {
    int64_t row = std::min<int64_t>(uint32_t(ids[size_t(t)]), vocab - 1);
    for (int64_t x = 0; x < width; ++x)
      ASSERT_EQ(out[size_t(t * width + x)], table[size_t(row * width + x)]) << t << " " << x;
  }
  EXPECT_EQ(out.back(), 0xFFFF) << "wrote past the result";
}

TEST_F(OpConformance, ConcatJoinsTheRingAndTheChunk) {
  const int64_t ring = 6, chunk = 5, width = 8;
  Builder types(&context);
  Type bf16 = types.getBF16Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto ringType = RankedTensorType::get({1, ring, width}, bf16);
  auto chunkType = RankedTensorType::get({1, dyn, width}, bf16);
  auto resultType = RankedTensorType::get({1, dyn, width}, bf16);
  std::optional<LoadedKernel> kernel = compile(
      {ringType, chunkType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return tensor::ConcatOp::create(b, loc, resultType, 1, ValueRange{in[0], in[1]});
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<uint16_t> a = randomBf16(size_t(ring * width), 271u, 0.0f, 1.0f);
  std::vector<uint16_t> c = randomBf16(size_t(chunk * width), 277u, 0.0f, 1.0f);
  std::vector<uint16_t> out(size_t((ring + chunk) * width) + 1, 0xFFFF);
  std::vector<uint32_t> constants = {uint32_t(chunk), uint32_t(ring + chunk)};
  std::vector<void *> bindings = {a.data(), c.data(), out.data()};
  std::vector<size_t> lengths = {a.size() * 2, c.size() * 2, (out.size() - 1) * 2};
  Status ran = runRows(*kernel, ring + chunk, constants, bindings, lengths, "concat");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  std::vector<uint16_t> expected(a);
  expected.insert(expected.end(), c.begin(), c.end());
  expected.push_back(0xFFFF);
  EXPECT_EQ(out, expected);
}

TEST_F(OpConformance, SlicesCopyTheirRegion) {
  // extract_slice [?, 1, 8] -> [?, 8] at a dynamic row offset (rank-reducing),
  // then insert_slice of it into columns 4..11 of a [?, 16] destination.
  const int64_t rows = 4, source = 7;
  Builder types(&context);
  Type bf16 = types.getBF16Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto sourceType = RankedTensorType::get({dyn, 1, 8}, bf16);
  auto sliceType = RankedTensorType::get({dyn, 8}, bf16);
  std::optional<LoadedKernel> extract = compile(
      {sourceType, types.getIndexType(), types.getIndexType()},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        SmallVector<OpFoldResult> offsets = {in[1], b.getIndexAttr(0), b.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {in[2], b.getIndexAttr(1), b.getIndexAttr(8)};
        SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
        return tensor::ExtractSliceOp::create(b, loc, sliceType, in[0], offsets, sizes, strides);
      });
  ASSERT_TRUE(extract) << errors;
  std::vector<uint16_t> src = randomBf16(size_t(source * 8), 281u, 0.0f, 1.0f);
  std::vector<uint16_t> slice(size_t(rows * 8) + 1, 0xFFFF);
  // Push constants: the source's rows, the result's rows, the offset, the size.
  std::vector<uint32_t> constants = {uint32_t(source), uint32_t(rows), 2, uint32_t(rows)};
  std::vector<void *> bindings = {src.data(), slice.data()};
  std::vector<size_t> lengths = {src.size() * 2, (slice.size() - 1) * 2};
  Status ran = runRows(*extract, rows, constants, bindings, lengths, "extract_slice");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (int64_t i = 0; i < rows * 8; ++i)
    ASSERT_EQ(slice[size_t(i)], src[size_t(2 * 8 + i)]) << i;
  EXPECT_EQ(slice.back(), 0xFFFF);

  auto destType = RankedTensorType::get({dyn, 16}, bf16);
  std::optional<LoadedKernel> insert = compile(
      {sliceType, destType}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value n = tensor::DimOp::create(b, loc, in[0], 0);
        SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(4)};
        SmallVector<OpFoldResult> sizes = {n, b.getIndexAttr(8)};
        SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
        return tensor::InsertSliceOp::create(b, loc, in[0], in[1], offsets, sizes, strides);
      });
  ASSERT_TRUE(insert) << errors;
  std::vector<uint16_t> dest = randomBf16(size_t(rows * 16), 283u, 0.0f, 1.0f);
  std::vector<uint16_t> out(size_t(rows * 16) + 1, 0xFFFF);
  // The slice's rows, the destination's, the result's, then the slice size.
  constants = {uint32_t(rows), uint32_t(rows), uint32_t(rows), uint32_t(rows)};
  bindings = {slice.data(), dest.data(), out.data()};
  lengths = {(slice.size() - 1) * 2, dest.size() * 2, (out.size() - 1) * 2};
  ran = runRows(*insert, rows, constants, bindings, lengths, "insert_slice");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t x = 0; x < 16; ++x)
      ASSERT_EQ(out[size_t(r * 16 + x)],
                x >= 4 && x < 12 ? slice[size_t(r * 8 + x - 4)] : dest[size_t(r * 16 + x)])
          << r << " " << x;
  EXPECT_EQ(out.back(), 0xFFFF);
}

TEST_F(OpConformance, GenerateComputesThePositionTensor) {
  // positions[b, s] = start[b] + s, the graph's per-token positions.
  const int64_t batch = 3, rows = 4;
  Builder types(&context);
  Type i32 = types.getI32Type();
  const int64_t dyn = ShapedType::kDynamic;
  auto startsType = RankedTensorType::get({batch}, i32);
  auto resultType = RankedTensorType::get({batch, dyn}, i32);
  std::optional<LoadedKernel> kernel = compile(
      {startsType, types.getIndexType()},
      [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        Value starts = in[0];
        return tensor::GenerateOp::create(
            b, loc, resultType, ValueRange{in[1]},
            [&](OpBuilder &nested, Location nestedLoc, ValueRange indices) {
              Value start = tensor::ExtractOp::create(nested, nestedLoc, starts, indices[0]);
              Value base = arith::IndexCastOp::create(nested, nestedLoc,
                                                      nested.getIndexType(), start);
              Value position = arith::AddIOp::create(nested, nestedLoc, base, indices[1]);
              tensor::YieldOp::create(
                  nested, nestedLoc,
                  arith::IndexCastOp::create(nested, nestedLoc, nested.getI32Type(), position)
                      .getResult());
            });
      });
  ASSERT_TRUE(kernel) << errors;
  std::vector<int32_t> starts = {0, 17, 1000};
  std::vector<int32_t> out(size_t(batch * rows) + 1, -7);
  std::vector<uint32_t> constants = {uint32_t(rows)};
  std::vector<void *> bindings = {starts.data(), out.data()};
  std::vector<size_t> lengths = {starts.size() * 4, (out.size() - 1) * 4};
  Status ran = runRows(*kernel, batch, constants, bindings, lengths, "generate");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < rows; ++s)
      ASSERT_EQ(out[size_t(b * rows + s)], starts[size_t(b)] + s) << b << " " << s;
  EXPECT_EQ(out.back(), -7);
}


TEST_F(OpConformance, AnOpWithoutAKernelIsNamed) {
  Builder types(&context);
  auto wide = RankedTensorType::get({4, 256}, types.getF32Type());
  auto narrow = RankedTensorType::get({4, 256}, types.getBF16Type());
  std::optional<LoadedKernel> kernel =
      compile({wide}, [&](OpBuilder &b, Location loc, ValueRange in) -> Operation * {
        return arith::TruncFOp::create(b, loc, narrow, in[0]);
      });
  EXPECT_FALSE(kernel);
  EXPECT_EQ(errors, "'arith.truncf' op has no kernel lowering yet (kernels exist for: "
                    "v4.cache_init, v4.cache_read, v4.compress, v4.compressed_append, "
                    "v4.dequantize, v4.fp8_matmul, v4.grouped_linear, v4.hadamard, "
                    "v4.hca_attention, v4.hc_head, v4.hc_post, v4.hc_pre, v4.indexer_score, "
                    "v4.moe_combine, v4.moe_dispatch, v4.moe_hash_route, v4.moe_route, "
                    "v4.mxfp4_matmul, v4.quantize, v4.rms_norm, v4.rope, v4.simulate_quant, "
                    "v4.sparse_attention, v4.swiglu, v4.topk, v4.window_append, "
                    "v4.window_indices, linalg ops whose initial value is an empty tensor or "
                    "a fill, and tensor.concat, tensor.extract_slice, tensor.gather, "
                    "tensor.generate and tensor.insert_slice)\n");
}

} // namespace
} // namespace sieve
