//===- ConfigureKernels.cpp - vector shapes per target and op kind --------===//
//
// The configuration table of the CPU target. Everything that depends on the
// CPU is decided here and written on the kernel IR as attributes; the
// passes after it (sieve-cpu-vectorize-reductions) read them and do what
// they say.
//
// clang-format off
// | CPU has               | marked fp32 sum              | bf16-product sum (`sieve.dot_inputs = "bf16"`) |
// | --------------------- | ---------------------------- | ---------------------------------------------- |
// | AVX-512 F + BF16      | 16 lanes                     | 32 bf16 per step, x86vector.avx512.dot          |
// | AVX-512 F             | 16 lanes                     | 16 lanes                                        |
// | AVX2                  | 8 lanes                      | 8 lanes                                         |
// | neither               | scalar                       | scalar                                          |
// clang-format on
//
// A loop marked elementwise (`sieve.elementwise`: each iteration stores its
// own element) gets the plain lanes. Every vectorized sum keeps four vectors
// of partial sums, consecutive chunks going to different ones, so a long sum
// does not wait on its own adds (an FMA or vdpbf16ps takes about four
// cycles): worth little to the decode GEMVs, which were bound by their
// instructions, and most of the prefill GEMMs' gain on 2026-11-27. A sum
// nested in a loop over columns may compute as many columns at once as a
// vector has f32 lanes (`sieve.jam_columns`): one vector of lane sums per
// column, 16 in all, fits AVX-512's 32 registers with the shared operand.
//
// With AVX-512 F and BW, a lookup in a small constant table inside a sum
// (an FP4 or FP8 decode) is lane permutations (`sieve.lookup =
// "avx512.permvar"`: vpermps for 16 f32 entries; vpermw/vpermi2w for up to
// 256 bf16 entries); with VBMI as well (`"avx512.vbmi"`), a bf16 operand
// that is any function of one byte (an FP8 decode) may be byte permutations
// over its tabulated values (vpermi2b); elsewhere one extraction per lane.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "sieve/Conversion/ReductionLoops.h"
#include "sieve/Target/CPU/CpuTarget.h"

namespace sieve {
#define GEN_PASS_DEF_CPUCONFIGUREKERNELSPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

constexpr int64_t kPartialSums = 4;

struct CPUConfigureKernelsPass : impl::CPUConfigureKernelsPassBase<CPUConfigureKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string spec = target;
    if (auto attr = module->getAttrOfType<StringAttr>("sieve.target"))
      spec = attr.str();
    if (spec.empty())
      return; // no target: scalar kernels
    FailureOr<cpu::CpuTarget> cpu = cpu::parseCpuTarget(spec, module.getLoc());
    if (failed(cpu))
      return signalPassFailure();
    const bool avx512 = cpu::hasFeature(*cpu, "avx512f");
    const bool avx2 = cpu::hasFeature(*cpu, "avx2") && cpu::hasFeature(*cpu, "fma");
    const bool bf16Dot = avx512 && cpu::hasFeature(*cpu, "avx512bf16");
    const int64_t lanes = avx512 ? 16 : avx2 ? 8 : 0;
    const bool permute = avx512 && cpu::hasFeature(*cpu, "avx512bw");
    const bool permuteBytes = permute && cpu::hasFeature(*cpu, "avx512vbmi");
    if (lanes == 0)
      return;
    Builder b(module.getContext());
    module.walk([&](scf::ForOp loop) {
      if (!loop->hasAttr(reduction_loops::kReduction) &&
          !loop->hasAttr(reduction_loops::kElementwise))
        return;
      if (loop->hasAttr(reduction_loops::kReduction)) {
        loop->setAttr(reduction_loops::kPartialSums, b.getI64IntegerAttr(kPartialSums));
        loop->setAttr(reduction_loops::kJamColumns, b.getI64IntegerAttr(lanes));
      }
      if (permute)
        loop->setAttr(reduction_loops::kLookup,
                      b.getStringAttr(permuteBytes ? reduction_loops::kLookupVbmi
                                                   : reduction_loops::kLookupPermvar));
      if (bf16Dot && reduction_loops::hasBf16Products(loop)) {
        loop->setAttr(reduction_loops::kVectorWidth, b.getI64IntegerAttr(2 * lanes));
        loop->setAttr(reduction_loops::kDot, b.getStringAttr("avx512bf16"));
        return;
      }
      loop->setAttr(reduction_loops::kVectorWidth, b.getI64IntegerAttr(lanes));
    });
  }
};

} // namespace
} // namespace sieve
