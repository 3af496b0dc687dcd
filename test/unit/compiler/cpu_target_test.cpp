//===- cpu_target_test.cpp - Kernels compiled, linked, loaded and run -----===//
//
// The CPU artifact path end to end: an LLVM-dialect kernel in the kernel ABI
// is compiled for a CPU target into an object, linked in process into a
// shared object image, loaded by the runtime's KernelLibrary from memory and
// run workgroup by workgroup; its results are checked against the same
// arithmetic done here. Then each failure names its cause.
//
//===----------------------------------------------------------------------===//

#include "sieve/Target/CPU/CpuTarget.h"
#include "sieve/hal/cpu/kernel_library.h"
#include "sieve/hal/serial_dispatch.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace sieve::cpu {
namespace {

using namespace mlir;

/// out[i] = a[i] * scale + b[i] for the 64 elements of workgroup x (fewer in
/// the last). Bindings a, b, out (f32); constants n and the bits of scale.
/// Code 3 when fewer than 3 bindings are given. The struct types spell the
/// ABI of sieve/hal/kernel_abi.h.
constexpr const char *kScaleAdd = R"mlir(
!dispatch = !llvm.struct<(array<3 x i32>, i32, ptr, i32, ptr, ptr)>
llvm.func @scale_add(%dispatch: !llvm.ptr {llvm.noalias}, %workgroup: !llvm.ptr {llvm.noalias}) -> i32 {
  %c0 = llvm.mlir.constant(0 : i32) : i32
  %c3 = llvm.mlir.constant(3 : i32) : i32
  %one = llvm.mlir.constant(1 : i64) : i64
  %tile = llvm.mlir.constant(64 : i64) : i64
  %count_ptr = llvm.getelementptr %dispatch[0, 3] : (!llvm.ptr) -> !llvm.ptr, !dispatch
  %count = llvm.load %count_ptr : !llvm.ptr -> i32
  %enough = llvm.icmp "uge" %count, %c3 : i32
  llvm.cond_br %enough, ^body, ^missing
^missing:
  llvm.return %c3 : i32
^body:
  %constants_ptr = llvm.getelementptr %dispatch[0, 2] : (!llvm.ptr) -> !llvm.ptr, !dispatch
  %constants = llvm.load %constants_ptr : !llvm.ptr -> !llvm.ptr
  %n32 = llvm.load %constants : !llvm.ptr -> i32
  %scale_ptr = llvm.getelementptr %constants[1] : (!llvm.ptr) -> !llvm.ptr, i32
  %scale = llvm.load %scale_ptr : !llvm.ptr -> f32
  %bindings_ptr = llvm.getelementptr %dispatch[0, 4] : (!llvm.ptr) -> !llvm.ptr, !dispatch
  %bindings = llvm.load %bindings_ptr : !llvm.ptr -> !llvm.ptr
  %a = llvm.load %bindings : !llvm.ptr -> !llvm.ptr
  %b_ptr = llvm.getelementptr %bindings[1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
  %b = llvm.load %b_ptr : !llvm.ptr -> !llvm.ptr
  %out_ptr = llvm.getelementptr %bindings[2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
  %out = llvm.load %out_ptr : !llvm.ptr -> !llvm.ptr
  %x32 = llvm.load %workgroup : !llvm.ptr -> i32
  %x = llvm.zext %x32 : i32 to i64
  %n = llvm.zext %n32 : i32 to i64
  %begin = llvm.mul %x, %tile : i64
  %tile_end = llvm.add %begin, %tile : i64
  %short = llvm.icmp "ult" %tile_end, %n : i64
  %end = llvm.select %short, %tile_end, %n : i1, i64
  llvm.br ^loop(%begin : i64)
^loop(%i: i64):
  %more = llvm.icmp "ult" %i, %end : i64
  llvm.cond_br %more, ^step, ^done
^step:
  %pa = llvm.getelementptr %a[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
  %va = llvm.load %pa : !llvm.ptr -> f32
  %pb = llvm.getelementptr %b[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
  %vb = llvm.load %pb : !llvm.ptr -> f32
  %product = llvm.fmul %va, %scale : f32
  %sum = llvm.fadd %product, %vb : f32
  %po = llvm.getelementptr %out[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
  llvm.store %sum, %po : f32, !llvm.ptr
  %next = llvm.add %i, %one : i64
  llvm.br ^loop(%next : i64)
^done:
  llvm.return %c0 : i32
}
)mlir";

class CpuTargetTest : public ::testing::Test {
protected:
  CpuTargetTest() {
    context.loadDialect<LLVM::LLVMDialect>();
    handler = std::make_unique<ScopedDiagnosticHandler>(&context, [this](Diagnostic &d) {
      errors += d.str() + "\n";
      return success();
    });
  }
  OwningOpRef<ModuleOp> parse(const char *text) {
    return parseSourceString<ModuleOp>(text, &context);
  }
  Location loc() { return UnknownLoc::get(&context); }

  MLIRContext context;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::string errors;
};

bool hostHas(llvm::StringRef feature) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto it = features.find(feature);
  return it != features.end() && it->second;
}

TEST_F(CpuTargetTest, TargetStrings) {
  FailureOr<CpuTarget> host = parseCpuTarget("cpu:host", loc());
  ASSERT_TRUE(succeeded(host));
  EXPECT_EQ(host->cpu, llvm::sys::getHostCPUName().str());
  EXPECT_FALSE(host->features.empty());
  FailureOr<CpuTarget> v4 = parseCpuTarget("cpu:x86-64-v4", loc());
  ASSERT_TRUE(succeeded(v4)) << errors;
  EXPECT_EQ(v4->cpu, "x86-64-v4");
  EXPECT_EQ(v4->features, "");

  // Level 4 has AVX-512 but not its BF16 dot product; a suffix adds it.
  EXPECT_TRUE(hasFeature(*v4, "avx512f"));
  EXPECT_FALSE(hasFeature(*v4, "avx512bf16"));
  FailureOr<CpuTarget> bf16 = parseCpuTarget("cpu:x86-64-v4+avx512bf16+avx512vnni", loc());
  ASSERT_TRUE(succeeded(bf16)) << errors;
  EXPECT_EQ(bf16->cpu, "x86-64-v4");
  EXPECT_EQ(bf16->features, "+avx512bf16,+avx512vnni");
  EXPECT_TRUE(hasFeature(*bf16, "avx512bf16"));
  FailureOr<CpuTarget> v3 = parseCpuTarget("cpu:x86-64-v3", loc());
  ASSERT_TRUE(succeeded(v3)) << errors;
  EXPECT_TRUE(hasFeature(*v3, "avx2"));
  EXPECT_FALSE(hasFeature(*v3, "avx512f"));

  // Plain "cpu" is this machine, with or without extra features.
  FailureOr<CpuTarget> plain = parseCpuTarget("cpu", loc());
  FailureOr<CpuTarget> hostAgain = parseCpuTarget("cpu:host", loc());
  ASSERT_TRUE(succeeded(plain) && succeeded(hostAgain)) << errors;
  EXPECT_EQ(plain->cpu, hostAgain->cpu);
  EXPECT_EQ(plain->features, hostAgain->features);
  EXPECT_EQ(plain->spec, "cpu");
  FailureOr<CpuTarget> plainPlus = parseCpuTarget("cpu+avx2", loc());
  ASSERT_TRUE(succeeded(plainPlus)) << errors;
  EXPECT_EQ(plainPlus->cpu, hostAgain->cpu);

  EXPECT_TRUE(failed(parseCpuTarget("gpu:sm_90", loc())));
  EXPECT_TRUE(failed(parseCpuTarget("cpu:x86-64-v5", loc())));
  EXPECT_TRUE(failed(parseCpuTarget("cpu:x86-64-v4+avx9000", loc())));
  EXPECT_EQ(errors,
            "unknown target 'gpu:sm_90' (known: cpu (= cpu:host), cpu:host, cpu:x86-64-v3, "
            "cpu:x86-64-v4, each with optional +feature suffixes)\n"
            "unknown CPU 'x86-64-v5' in target 'cpu:x86-64-v5' (known: cpu (= cpu:host), "
            "cpu:host, cpu:x86-64-v3, cpu:x86-64-v4, each with optional +feature suffixes)\n"
            "unknown CPU feature 'avx9000' in target 'cpu:x86-64-v4+avx9000' (LLVM's x86 "
            "feature names, e.g. avx512bf16)\n");
}

/// Compiles kScaleAdd for `spec`, links, loads and runs it on 200 elements
/// (4 workgroups, the last partial).
void compileAndRun(const std::string &spec, MLIRContext &context, std::string &errors) {
  SCOPED_TRACE(spec);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kScaleAdd, &context);
  ASSERT_TRUE(module) << errors;
  FailureOr<CpuTarget> target = parseCpuTarget(spec, module->getLoc());
  ASSERT_TRUE(succeeded(target)) << errors;
  FailureOr<std::string> object = emitObject(*module, *target);
  ASSERT_TRUE(succeeded(object)) << errors;
  FailureOr<std::string> image = linkSharedObject({*object}, module->getLoc());
  ASSERT_TRUE(succeeded(image)) << errors;

  Expected<hal::cpu::KernelLibrary> library = hal::cpu::KernelLibrary::load(*image, spec);
  ASSERT_TRUE(library.isOk()) << library.status().message();
  Expected<sieve_kernel_fn> fn = library->kernel("scale_add");
  ASSERT_TRUE(fn.isOk()) << fn.status().message();

  const uint32_t n = 200;
  std::vector<float> a(n), b(n), out(n + 1, -1.0f);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = 0.25f * float(i) - 7.0f;
    b[i] = 1.0f / float(i + 1);
  }
  float scale = 1.5f;
  uint32_t scaleBits;
  std::memcpy(&scaleBits, &scale, 4);
  uint32_t constants[] = {n, scaleBits};
  void *bindings[] = {a.data(), b.data(), out.data()};
  size_t lengths[] = {n * 4, n * 4, (n + 1) * 4};
  sieve_dispatch_state_t dispatch{{(n + 63) / 64, 1, 1}, 2, constants, 3, bindings, lengths};
  Status ran = hal::runWorkgroupsSerially(*fn, dispatch, "scale_add");
  ASSERT_TRUE(ran.isOk()) << ran.message();
  for (uint32_t i = 0; i < n; ++i) {
    volatile float product = a[i] * scale; // rounded once, as the kernel does
    EXPECT_EQ(out[i], product + b[i]) << "element " << i;
  }
  EXPECT_EQ(out[n], -1.0f) << "wrote past n";

  // The kernel checks its bindings and says so.
  dispatch.binding_count = 2;
  EXPECT_EQ(hal::runWorkgroupsSerially(*fn, dispatch, "scale_add").message(),
            "kernel scale_add failed with code 3 in workgroup (0, 0, 0)");
}

TEST_F(CpuTargetTest, CompiledKernelRunsOnTheHost) { compileAndRun("cpu:host", context, errors); }

// Code for a level this CPU does not have would fault; such runs skip and say so.
TEST_F(CpuTargetTest, CompiledKernelRunsForX86_64_v3) {
  if (!hostHas("avx2") || !hostHas("fma"))
    GTEST_SKIP() << "this CPU lacks AVX2/FMA, so x86-64-v3 code cannot run here";
  compileAndRun("cpu:x86-64-v3", context, errors);
}

TEST_F(CpuTargetTest, CompiledKernelRunsForX86_64_v4) {
  if (!hostHas("avx512f") || !hostHas("avx512bw") || !hostHas("avx512vl"))
    GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL, so x86-64-v4 code cannot run here";
  compileAndRun("cpu:x86-64-v4", context, errors);
}

// Two libraries loaded at once, exporting the same symbol, run their own
// code: the loader knows a library by its /proc/self/fd path, so a reused
// descriptor number once made it hand back the first library.
TEST_F(CpuTargetTest, TwoLoadedLibrariesKeepTheirOwnKernels) {
  auto build = [&](const std::string &text) -> std::string {
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module) << errors;
    FailureOr<CpuTarget> target = parseCpuTarget("cpu:host", loc());
    FailureOr<std::string> object = emitObject(*module, *target);
    EXPECT_TRUE(succeeded(object)) << errors;
    FailureOr<std::string> image = linkSharedObject({*object}, loc());
    EXPECT_TRUE(succeeded(image)) << errors;
    return *image;
  };
  std::string adding = kScaleAdd;
  std::string subtracting = adding;
  const std::string add = "llvm.fadd %product, %vb", sub = "llvm.fsub %product, %vb";
  subtracting.replace(subtracting.find(add), add.size(), sub);
  std::string first = build(adding), second = build(subtracting);
  Expected<hal::cpu::KernelLibrary> one = hal::cpu::KernelLibrary::load(first, "one");
  ASSERT_TRUE(one.isOk()) << one.status().message();
  Expected<hal::cpu::KernelLibrary> two = hal::cpu::KernelLibrary::load(second, "two");
  ASSERT_TRUE(two.isOk()) << two.status().message();
  for (auto [library, sign] : {std::pair{&*one, 1.0f}, std::pair{&*two, -1.0f}}) {
    Expected<sieve_kernel_fn> fn = library->kernel("scale_add");
    ASSERT_TRUE(fn.isOk()) << fn.status().message();
    float a = 2.0f, b = 0.5f, out = 0.0f, scale = 3.0f;
    uint32_t scaleBits;
    std::memcpy(&scaleBits, &scale, 4);
    uint32_t constants[] = {1, scaleBits};
    void *bindings[] = {&a, &b, &out};
    size_t lengths[] = {4, 4, 4};
    sieve_dispatch_state_t dispatch{{1, 1, 1}, 2, constants, 3, bindings, lengths};
    ASSERT_TRUE(hal::runWorkgroupsSerially(*fn, dispatch, "scale_add").isOk());
    EXPECT_EQ(out, 6.0f + sign * 0.5f);
  }
}

TEST_F(CpuTargetTest, ACallOutOfTheKernelFailsTheLink) {
  OwningOpRef<ModuleOp> module = parse(R"mlir(
    llvm.func @expf(f32) -> f32
    llvm.func @uses_libm(%x: f32) -> f32 {
      %y = llvm.call @expf(%x) : (f32) -> f32
      llvm.return %y : f32
    })mlir");
  ASSERT_TRUE(module);
  FailureOr<CpuTarget> target = parseCpuTarget("cpu:host", loc());
  ASSERT_TRUE(succeeded(target));
  FailureOr<std::string> object = emitObject(*module, *target);
  ASSERT_TRUE(succeeded(object)) << errors;
  EXPECT_TRUE(failed(linkSharedObject({*object}, loc())));
  EXPECT_NE(errors.find("linking the kernels failed"), std::string::npos) << errors;
  EXPECT_NE(errors.find("undefined symbol: expf"), std::string::npos) << errors;

  // lld runs again after a failed link.
  errors.clear();
  OwningOpRef<ModuleOp> fine = parse(kScaleAdd);
  FailureOr<std::string> fineObject = emitObject(*fine, *target);
  ASSERT_TRUE(succeeded(fineObject)) << errors;
  EXPECT_TRUE(succeeded(linkSharedObject({*fineObject}, loc()))) << errors;
}

TEST_F(CpuTargetTest, TheLinkerLeavesNoFilesBehind) {
  llvm::SmallString<128> scratch;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("sieve-link-test", scratch));
  std::string oldTmp = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "";
  ::setenv("TMPDIR", scratch.c_str(), 1);
  // The linker's scratch directories go where the test can look.
  llvm::SmallString<128> tmp;
  llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, tmp);
  ASSERT_EQ(tmp, scratch);
  OwningOpRef<ModuleOp> module = parse(kScaleAdd);
  FailureOr<CpuTarget> target = parseCpuTarget("cpu:host", loc());
  FailureOr<std::string> object = emitObject(*module, *target);
  ASSERT_TRUE(succeeded(object)) << errors;
  EXPECT_TRUE(succeeded(linkSharedObject({*object}, loc()))) << errors;
  std::string bad = "not an object";
  EXPECT_TRUE(failed(linkSharedObject({bad}, loc())));
  if (oldTmp.empty())
    ::unsetenv("TMPDIR");
  else
    ::setenv("TMPDIR", oldTmp.c_str(), 1);
  std::error_code ec;
  llvm::sys::fs::directory_iterator it(scratch, ec), end;
  EXPECT_TRUE(!ec && it == end) << "left in " << scratch.c_str() << ": "
                                << (ec ? ec.message() : it->path());
  (void)llvm::sys::fs::remove_directories(scratch);
}

TEST_F(CpuTargetTest, AnObjectIsNotAKernelLibrary) {
  OwningOpRef<ModuleOp> module = parse(kScaleAdd);
  FailureOr<CpuTarget> target = parseCpuTarget("cpu:host", loc());
  FailureOr<std::string> object = emitObject(*module, *target);
  ASSERT_TRUE(succeeded(object)) << errors;
  Expected<hal::cpu::KernelLibrary> library = hal::cpu::KernelLibrary::load(*object, "k.o");
  ASSERT_FALSE(library.isOk());
  EXPECT_EQ(library.status().message(),
            "k.o: not a kernel library for this machine: not a shared object (e_type 1)");

  FailureOr<std::string> image = linkSharedObject({*object}, loc());
  ASSERT_TRUE(succeeded(image)) << errors;
  Expected<hal::cpu::KernelLibrary> loaded = hal::cpu::KernelLibrary::load(*image, "k.so");
  ASSERT_TRUE(loaded.isOk());
  Expected<sieve_kernel_fn> missing = loaded->kernel("no_such_kernel");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().message(), "k.so: no kernel 'no_such_kernel'");
}

} // namespace
} // namespace sieve::cpu
