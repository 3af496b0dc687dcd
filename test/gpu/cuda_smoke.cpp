//===- cuda_smoke.cpp - Run a Sieve-compiled PTX kernel on a CUDA GPU -----===//
//
// gpu-run smoke test: loads the PTX that sieve-opt produced for scale_add.mlir
// through the CUDA driver API (the runtime's table, sieve/hal/cuda/cuda_driver.h),
// launches it and checks every element. Exits 77 (ctest SKIP) with the reason
// when there is no driver or no device; it never passes without running the
// kernel.
//
//===----------------------------------------------------------------------===//

#include "sieve/hal/cuda/cuda_driver.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace sieve::hal::cuda;

int skip(const std::string &why) {
  std::printf("SKIP: %s\n", why.c_str());
  return 77;
}

int fail(const std::string &what, CUresult r) {
  std::fprintf(stderr, "FAIL: %s (CUresult %d)\n", what.c_str(), r);
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s KERNELS.ptx\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "FAIL: cannot read %s\n", argv[1]);
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string ptx = ss.str(); // cuModuleLoadData wants NUL-terminated PTX

  // The runtime's own driver table: this test runs its loading too.
  auto driver = loadDriver();
  if (!driver.isOk())
    return skip(driver.status().message());
  const Driver &d = **driver;
  int count = 0;
  if (d.cuDeviceGetCount(&count) || count == 0)
    return skip("no CUDA device");

  CUdevice dev;
  CUcontext ctx;
  if (CUresult r = d.cuDeviceGet(&dev, 0))
    return fail("cuDeviceGet", r);
  if (CUresult r = d.cuDevicePrimaryCtxRetain(&ctx, dev))
    return fail("cuDevicePrimaryCtxRetain", r);
  if (CUresult r = d.cuCtxSetCurrent(ctx))
    return fail("cuCtxSetCurrent", r);
  CUmodule mod;
  if (CUresult r = d.cuModuleLoadData(&mod, ptx.c_str()))
    return fail("cuModuleLoadData (PTX JIT)", r);
  CUfunction fn;
  if (CUresult r = d.cuModuleGetFunction(&fn, mod, "scale_add"))
    return fail("cuModuleGetFunction scale_add", r);

  const int64_t n = 1 << 16;
  std::vector<float> x(n), y(n), out(n);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = float(i % 97) * 0.5f;
    y[i] = float(i % 13) - 6.0f;
  }
  CUdeviceptr dx, dy;
  if (CUresult r = d.cuMemAlloc(&dx, n * 4))
    return fail("cuMemAlloc", r);
  if (CUresult r = d.cuMemAlloc(&dy, n * 4))
    return fail("cuMemAlloc", r);
  d.cuMemcpyHtoD(dx, x.data(), n * 4);
  d.cuMemcpyHtoD(dy, y.data(), n * 4);

  // memref<?xf32> lowers to (allocated, aligned, offset, size, stride).
  int64_t offset = 0, size = n, stride = 1;
  float a = 3.0f;
  void *params[] = {&dx, &dx, &offset, &size, &stride,
                    &dy, &dy, &offset, &size, &stride, &a};
  const unsigned block = 256;
  if (CUresult r = d.cuLaunchKernel(fn, unsigned(n / block), 1, 1, block, 1, 1,
                                    0, nullptr, params, nullptr))
    return fail("cuLaunchKernel", r);
  if (CUresult r = d.cuCtxSynchronize())
    return fail("cuCtxSynchronize", r);
  d.cuMemcpyDtoH(out.data(), dy, n * 4);
  int bad = 0;
  for (int64_t i = 0; i < n; ++i)
    if (out[i] != 3.0f * x[i] + y[i] && bad++ < 5)
      std::fprintf(stderr, "mismatch at %lld: %g vs %g\n", (long long)i,
                   out[i], 3.0f * x[i] + y[i]);
  d.cuMemFree(dx);
  d.cuMemFree(dy);
  d.cuModuleUnload(mod);
  d.cuDevicePrimaryCtxRelease(dev);
  if (bad) {
    std::fprintf(stderr, "FAIL: %d of %lld elements wrong\n", bad, (long long)n);
    return 1;
  }
  std::printf("PASS: scale_add on %lld elements\n", (long long)n);
  return 0;
}
