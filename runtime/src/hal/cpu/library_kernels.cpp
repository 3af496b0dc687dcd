//===- library_kernels.cpp - The CPU library kernels of this build --------===//

#include "sieve/hal/cpu/library_kernels.h"

#if SIEVE_HAVE_ONEDNN
#include "onednn_matmul.h"
#endif

namespace sieve::hal::cpu {
namespace {

struct LibraryKernel {
  std::string_view name;
  sieve_kernel_fn function;
};

#if SIEVE_HAVE_ONEDNN
constexpr LibraryKernel kLibraryKernels[] = {
    {"onednn.matmul_fp8w_bf16", onednnMatmulFp8wBf16},
    {"onednn.matmul_fp8w_f32", onednnMatmulFp8wF32},
    {"onednn.grouped_matmul_mxfp4w_bf16", onednnGroupedMatmulMxfp4wBf16},
    {"onednn.grouped_matmul_mxfp4w_f32", onednnGroupedMatmulMxfp4wF32},
};
#endif

} // namespace

sieve_kernel_fn findLibraryKernel(std::string_view name) {
#if SIEVE_HAVE_ONEDNN
  for (const LibraryKernel &kernel : kLibraryKernels)
    if (kernel.name == name)
      return kernel.function;
#endif
  (void)name;
  return nullptr;
}

std::string libraryKernelsProvided() {
#if SIEVE_HAVE_ONEDNN
  std::string names;
  for (const LibraryKernel &kernel : kLibraryKernels)
    names += (names.empty() ? "" : ", ") + std::string(kernel.name);
  return names;
#else
  return "none: built without oneDNN";
#endif
}

} // namespace sieve::hal::cpu
