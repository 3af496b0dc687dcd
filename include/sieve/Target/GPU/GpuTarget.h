//===- GpuTarget.h - GPU code generation: targets and binaries ----*- C++ -*-===//
//
// The GPU artifact path of docs/architecture.md ("The lowering"): a variant
// module whose gpu.module holds NVVM or ROCDL kernels (sieve-kernels-to-nvvm
// / -rocdl) is serialized through the gpu.module's target attribute: PTX
// always and a cubin through the CUDA toolkit's ptxas when there is one for
// NVIDIA; an HSACO for AMD. Every failure is a diagnostic; nothing aborts.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TARGET_GPU_GPUTARGET_H
#define SIEVE_TARGET_GPU_GPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include <array>
#include <string>
#include <vector>

namespace sieve::gpu_target {

enum class Vendor { Nvidia, Amd };

/// A GPU to generate code for, from a target string `nvidia:<sm>` or
/// `amd:<gfx>` naming one of the chips Sieve compiles for (knownChips()).
struct GpuTarget {
  std::string spec;     // as written: "nvidia:sm_90a"
  Vendor vendor = Vendor::Nvidia;
  std::string chip;     // "sm_90a", "gfx942"
  std::string triple;   // "nvptx64-nvidia-cuda", "amdgcn-amd-amdhsa"
};

/// Whether `spec` names a GPU (its vendor prefix), known chip or not.
bool isGpuTargetSpec(llvm::StringRef spec);

/// The target `spec` names; an unknown chip is an error at `loc` listing
/// the known ones.
mlir::FailureOr<GpuTarget> parseGpuTarget(llvm::StringRef spec, mlir::Location loc);

/// Where the vendors' tools are.
struct Toolchain {
  /// CUDA toolkit root (bin/ptxas). Without ptxas, NVIDIA targets get PTX
  /// only (the driver compiles it when the module is loaded).
  std::string cudaPath = "/usr/local/cuda";
  /// A ROCm-shaped folder holding llvm/bin/ld.lld, for the HSACO link.
  /// Empty: Sieve makes one from this LLVM's ld.lld for the compilation.
  std::string rocmPath;
};

/// What the runtime needs to launch one kernel.
struct KernelLaunch {
  std::string name;
  std::array<uint32_t, 3> blockSize = {1, 1, 1};
  uint64_t workgroupMemoryBytes = 0;
};

/// One serialized form of a variant's kernels.
struct GpuBinary {
  enum class Format { Ptx, Cubin, Hsaco } format;
  std::string image;
};

struct GpuArtifacts {
  std::vector<GpuBinary> binaries;  // PTX (+ cubin), or HSACO
  std::vector<KernelLaunch> kernels; // in the gpu.module's order
  std::string optimizedIR;           // when asked for
  std::string compilerRemark;        // e.g. why there is no cubin
};

/// How each kernel of the one gpu.module of `variant` (lowered by the
/// target's pipeline) launches, in the gpu.module's order.
mlir::FailureOr<std::vector<KernelLaunch>> kernelLaunches(mlir::ModuleOp variant,
                                                          const GpuTarget &target);

/// Serializes the one gpu.module of `variant` (lowered by the target's
/// pipeline, its target attribute attached) for `target`.
mlir::FailureOr<GpuArtifacts> serialize(mlir::ModuleOp variant, const GpuTarget &target,
                                        const Toolchain &toolchain, bool keepOptimizedIR);

/// How kernels for `target` compute with FP8 and FP4 values (recorded in the
/// module as the executable feature `small-floats:<path>`, and said in a
/// remark): codes by the chip's conversions where it has them
/// (nativeSmallFloats), else the portable integer decode, and why its
/// small-float matrix units are not used; `scaledTiles`: the module's GEMM
/// tiles are codes and scales (kGemmScaledTilesAttr).
struct SmallFloatChoice {
  std::string path; // "convert", "convert-fp8" or "integer-decode"
  std::string remark;
};
SmallFloatChoice smallFloatChoice(const GpuTarget &target, bool scaledTiles = false);

/// Whether `chip`'s matrix units multiply E4M3 and E2M1 codes with E8M0
/// block scales as they are (gfx950's scaled MFMA, sm_100a's
/// tcgen05.mma.block_scale): a module whose GPU chips all do keeps its GEMM
/// tiles as codes (kGemmScaledTilesAttr).
bool multipliesScaledCodes(llvm::StringRef chip);

/// The chips each vendor prefix accepts, for messages and documentation.
llvm::ArrayRef<llvm::StringRef> knownChips(Vendor vendor);

} // namespace sieve::gpu_target

#endif // SIEVE_TARGET_GPU_GPUTARGET_H
