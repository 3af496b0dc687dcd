//===- kernels_to_cpu_test.cpp - Kernel IR compiled and run on this CPU ---===//
//
// Kernels written in the kernel IR (bindings as bytes, push constants, one
// workgroup forall) go through sieve-kernels-to-cpu and the CPU artifact
// path, are loaded by the runtime and run workgroup by workgroup; their
// results are compared with the same arithmetic here.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"
#include "sieve/InitSieve.h"
#include "sieve/Target/CPU/CpuTarget.h"
#include "sieve/hal/cpu/kernel_library.h"
#include "sieve/hal/serial_dispatch.h"
#include "sieve/numerics/float_formats.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace sieve {
namespace {

using namespace mlir;

/// out[i] = a[i] * scale + b[i]; workgroup x covers 64 elements.
constexpr const char *kScaleAdd = R"mlir(
func.func @scale_add(%a: memref<?xi8>, %b: memref<?xi8>, %out: memref<?xi8>, %n: i32, %scale_bits: i32)
    attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %size = arith.index_castui %n : i32 to index
  %count = arith.ceildivui %size, %c64 : index
  %scale = arith.bitcast %scale_bits : i32 to f32
  %va = memref.view %a[%c0][%size] : memref<?xi8> to memref<?xf32>
  %vb = memref.view %b[%c0][%size] : memref<?xi8> to memref<?xf32>
  %vo = memref.view %out[%c0][%size] : memref<?xi8> to memref<?xf32>
  scf.forall (%x) in (%count) {
    %begin = arith.muli %x, %c64 : index
    %tile_end = arith.addi %begin, %c64 : index
    %end = arith.minui %tile_end, %size : index
    scf.for %i = %begin to %end step %c1 {
      %ea = memref.load %va[%i] : memref<?xf32>
      %eb = memref.load %vb[%i] : memref<?xf32>
      %p = arith.mulf %ea, %scale : f32
      %s = arith.addf %p, %eb : f32
      memref.store %s, %vo[%i] : memref<?xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// out[i] = a[i] + b[i] in bf16 (the graph's residual add): LLVM would
// promote the bf16 add and, on a CPU without AVX512-BF16, round with a call
// to __truncsfbf2, which a kernel library cannot link.
func.func @add_bf16(%a: memref<?xi8>, %b: memref<?xi8>, %out: memref<?xi8>, %n: i32)
    attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %size = arith.index_castui %n : i32 to index
  %va = memref.view %a[%c0][%size] : memref<?xi8> to memref<?xbf16>
  %vb = memref.view %b[%c0][%size] : memref<?xi8> to memref<?xbf16>
  %vo = memref.view %out[%c0][%size] : memref<?xi8> to memref<?xbf16>
  scf.forall (%i) in (%size) {
    %ea = memref.load %va[%i] : memref<?xbf16>
    %eb = memref.load %vb[%i] : memref<?xbf16>
    %s = arith.addf %ea, %eb : bf16
    memref.store %s, %vo[%i] : memref<?xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}

// Each workgroup writes its own id: grid[z][y][x] = x + 10 y + 100 z, with
// the forall's dimensions listed z, x, y.
func.func @grid(%g: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %c100 = arith.constant 100 : index
  %v = memref.view %g[%c0][] : memref<?xi8> to memref<2x3x4xi32>
  scf.forall (%z, %x, %y) in (%c2, %c4, %c3) {
    %ty = arith.muli %y, %c10 : index
    %tz = arith.muli %z, %c100 : index
    %s0 = arith.addi %x, %ty : index
    %s1 = arith.addi %s0, %tz : index
    %value = arith.index_cast %s1 : index to i32
    memref.store %value, %v[%z, %y, %x] : memref<2x3x4xi32>
  } {mapping = [#gpu.block<z>, #gpu.block<x>, #gpu.block<y>]}
  return
}
)mlir";

class KernelsToCpuTest : public ::testing::Test {
protected:
  KernelsToCpuTest() {
    DialectRegistry registry;
    registerSieveDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    handler = std::make_unique<ScopedDiagnosticHandler>(&context, [this](Diagnostic &d) {
      errors += d.str() + "\n";
      return success();
    });
  }

  /// kScaleAdd and @grid compiled for `spec` into a loaded kernel library.
  hal::cpu::KernelLibrary compile(const std::string &spec) {
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kScaleAdd, &context);
    EXPECT_TRUE(module) << errors;
    PassManager pm(&context);
    buildKernelsToCPUPipeline(pm);
    EXPECT_TRUE(succeeded(pm.run(*module))) << errors;
    FailureOr<cpu::CpuTarget> target = cpu::parseCpuTarget(spec, module->getLoc());
    EXPECT_TRUE(succeeded(target)) << errors;
    FailureOr<std::string> object = cpu::emitObject(*module, *target);
    EXPECT_TRUE(succeeded(object)) << errors;
    FailureOr<std::string> image = cpu::linkSharedObject({*object}, module->getLoc());
    EXPECT_TRUE(succeeded(image)) << errors;
    Expected<hal::cpu::KernelLibrary> library = hal::cpu::KernelLibrary::load(*image, spec);
    EXPECT_TRUE(library.isOk()) << library.status().message();
    return library.take();
  }

  MLIRContext context;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::string errors;
};

TEST_F(KernelsToCpuTest, ScaleAddOverPartialWorkgroups) {
  hal::cpu::KernelLibrary library = compile("cpu:host");
  Expected<sieve_kernel_fn> fn = library.kernel("scale_add");
  ASSERT_TRUE(fn.isOk()) << fn.status().message();
  const uint32_t n = 300;
  std::vector<float> a(n), b(n), out(n + 1, -1.0f);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = 0.125f * float(i) - 11.0f;
    b[i] = 3.0f / float(i + 1);
  }
  float scale = -2.5f;
  uint32_t scaleBits;
  std::memcpy(&scaleBits, &scale, 4);
  uint32_t constants[] = {n, scaleBits};
  void *bindings[] = {a.data(), b.data(), out.data()};
  size_t lengths[] = {n * 4, n * 4, n * 4};
  sieve_dispatch_state_t dispatch{{(n + 63) / 64, 1, 1}, 2, constants, 3, bindings, lengths};
  Status ran = hal::runWorkgroupsSerially(*fn, dispatch, "scale_add");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (uint32_t i = 0; i < n; ++i) {
    volatile float product = a[i] * scale;
    EXPECT_EQ(out[i], product + b[i]) << "element " << i;
  }
  EXPECT_EQ(out[n], -1.0f) << "wrote past n";

  // The entry point refuses a dispatch that does not fit the kernel.
  dispatch.binding_count = 2;
  EXPECT_EQ(hal::runWorkgroupsSerially(*fn, dispatch, "scale_add").message(),
            "kernel scale_add failed with code 1 in workgroup (0, 0, 0)");
  dispatch.binding_count = 3;
  dispatch.constant_count = 1;
  EXPECT_EQ(hal::runWorkgroupsSerially(*fn, dispatch, "scale_add").message(),
            "kernel scale_add failed with code 2 in workgroup (0, 0, 0)");
}

TEST_F(KernelsToCpuTest, WorkgroupIdsReachTheirMappedDimensions) {
  hal::cpu::KernelLibrary library = compile("cpu:host");
  Expected<sieve_kernel_fn> fn = library.kernel("grid");
  ASSERT_TRUE(fn.isOk()) << fn.status().message();
  std::vector<int32_t> grid(2 * 3 * 4, -1);
  void *bindings[] = {grid.data()};
  size_t lengths[] = {grid.size() * 4};
  sieve_dispatch_state_t dispatch{{4, 3, 2}, 0, nullptr, 1, bindings, lengths};
  ASSERT_TRUE(hal::runWorkgroupsSerially(*fn, dispatch, "grid").isOk());
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x)
        EXPECT_EQ(grid[(z * 3 + y) * 4 + x], x + 10 * y + 100 * z)
            << "workgroup (" << x << ", " << y << ", " << z << ")";
}

bool hostHas(llvm::StringRef feature) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto it = features.find(feature);
  return it != features.end() && it->second;
}

// bf16 arithmetic links for every x86-64 level (computed in f32 and rounded
// in integer arithmetic, no __truncsfbf2) and rounds as the reference does.
TEST_F(KernelsToCpuTest, Bf16ArithmeticLinksForEveryLevelAndRoundsToNearestEven) {
  const uint32_t n = 200;
  std::vector<uint16_t> a(n), b(n);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = num::bf16FromFloat(1.0f + 0.37f * float(i));
    b[i] = num::bf16FromFloat(-0.011f * float(i * i) + 0.5f);
  }
  for (const char *spec : {"cpu:x86-64-v3", "cpu:x86-64-v4", "cpu:host"}) {
    SCOPED_TRACE(spec);
    hal::cpu::KernelLibrary library = compile(spec);
    Expected<sieve_kernel_fn> fn = library.kernel("add_bf16");
    ASSERT_TRUE(fn.isOk()) << fn.status().message();
    if (llvm::StringRef(spec) == "cpu:x86-64-v4" &&
        !(hostHas("avx512f") && hostHas("avx512bw") && hostHas("avx512vl")))
      continue; // linked; this CPU cannot run it
    if (llvm::StringRef(spec) == "cpu:x86-64-v3" && !(hostHas("avx2") && hostHas("fma")))
      continue;
    std::vector<uint16_t> out(n + 1, 0xFFFF);
    uint32_t constants[] = {n};
    void *bindings[] = {a.data(), b.data(), out.data()};
    size_t lengths[] = {n * 2, n * 2, n * 2};
    sieve_dispatch_state_t dispatch{{n, 1, 1}, 1, constants, 3, bindings, lengths};
    Status ran = hal::runWorkgroupsSerially(*fn, dispatch, "add_bf16");
    ASSERT_TRUE(ran.isOk()) << ran.message();
    for (uint32_t i = 0; i < n; ++i)
      ASSERT_EQ(out[i], num::bf16FromFloat(num::bf16ToFloat(a[i]) + num::bf16ToFloat(b[i])))
          << "element " << i;
    EXPECT_EQ(out[n], 0xFFFF) << "wrote past n";
  }
}

} // namespace
} // namespace sieve
