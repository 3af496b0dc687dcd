// sieve::compile as an embedder uses it: several compilations in one
// process, each with its own options and context, give the same result as
// running alone; bad input is a diagnostic, not a crash.
#include "sieve/InitSieve.h"
#include "sieve/Pipeline/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <string>

namespace sieve {
namespace {

struct Result {
  bool ok = false;
  std::string output;
  std::string diagnostics;
};

Result compileOnce(const CompileOptions &options) {
  mlir::DialectRegistry registry;
  registerSieveDialects(registry);
  mlir::MLIRContext context(registry);
  Result r;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    r.diagnostics += d.str() + "\n";
    return mlir::success();
  });
  llvm::raw_string_ostream os(r.output);
  r.ok = mlir::succeeded(compile(context, options, os));
  return r;
}

CompileOptions graphOf(const std::string &example) {
  CompileOptions o;
  o.inputPath = sieve::test_paths::sourcePath("examples/") + example + "/config.json";
  o.compileTo = "graph";
  return o;
}

TEST(Compiler, RepeatedCompilationsInOneProcessAreIndependent) {
  registerSievePasses();
  Result tiny1 = compileOnce(graphOf("tiny-v4"));
  ASSERT_TRUE(tiny1.ok) << tiny1.diagnostics;
  Result r128 = compileOnce(graphOf("tiny-v4-r128"));
  ASSERT_TRUE(r128.ok) << r128.diagnostics;
  CompileOptions input = graphOf("tiny-v4");
  input.compileTo = "input";
  Result tinyInput = compileOnce(input);
  ASSERT_TRUE(tinyInput.ok) << tinyInput.diagnostics;
  Result tiny2 = compileOnce(graphOf("tiny-v4"));
  ASSERT_TRUE(tiny2.ok) << tiny2.diagnostics;

  EXPECT_EQ(tiny1.output, tiny2.output); // nothing leaked between runs
  EXPECT_NE(tiny1.output, r128.output);
  EXPECT_NE(tiny1.output, tinyInput.output); // options are per compilation
  EXPECT_NE(tiny1.output.find("@prefill"), std::string::npos);
}

TEST(Compiler, BadInputIsADiagnostic) {
  registerSievePasses();
  CompileOptions missing;
  missing.inputPath = "/nonexistent/config.json";
  missing.compileTo = "graph";
  Result r = compileOnce(missing);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.diagnostics.find("/nonexistent/config.json"), std::string::npos)
      << r.diagnostics;

  CompileOptions badPhase = graphOf("tiny-v4");
  badPhase.compileTo = "no-such-phase";
  Result p = compileOnce(badPhase);
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.diagnostics.find("no-such-phase"), std::string::npos) << p.diagnostics;
}

} // namespace
} // namespace sieve
