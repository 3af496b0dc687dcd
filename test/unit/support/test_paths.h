//===- test_paths.h - Where the tests find their inputs and tools -*- C++ -*-===//
//
// The checkout's and the build's paths are compiled into one generated file
// (test/CMakeLists.txt), not onto every test source's compile line: those
// lines then name no absolute path, and ccache (CCACHE_BASEDIR) finds the
// test objects another checkout built.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_PATHS_H
#define SIEVE_TEST_PATHS_H

#include <string>

namespace sieve::test_paths {

/// The checkout's root: examples/, test/data/, third_party/.
const char *sourceDir();
/// `relative` ("examples/tiny-v4/config.json") under the checkout's root.
inline std::string sourcePath(const std::string &relative) {
  return std::string(sourceDir()) + "/" + relative;
}
/// This build's sieve-compile ("" in a build without the compiler).
const char *compilerPath();
/// The stand-in HIP runtime (test/unit/hal/fake_hip_runtime.cpp).
const char *fakeHipRuntime();
/// Where the build puts the modules the emulated-GPU e2e tests run.
const char *simtModulesDir();

} // namespace sieve::test_paths

#endif // SIEVE_TEST_PATHS_H
