//===- sieve-dump.cpp - Print a .sieve module as JSON ---------------------===//
//
// A thin main over sieve::module::moduleToJson. The module is verified as
// the runtime verifies it before anything is printed, so a damaged module is
// an error here too. Exit codes: 0 ok, 1 bad module file, 2 bad command line.
//
//===----------------------------------------------------------------------===//

#include "sieve/module/module_file.h"
#include "sieve/module/module_json.h"
#include "sieve/support/command_line.h"
#include "sieve/support/tool_main.h"

#include <cstdio>
#include <string>

using namespace sieve;

namespace {

const char *const kUsage = R"(usage: sieve-dump MODULE.sieve [--exports | --program NAME]

Prints a compiled .sieve module as JSON: format version, producer and
options, the model, caches, weights, kernels, entry points and executables.

views:
  (default)          everything but the host programs' steps
  --exports          each executable's kernel symbols
  --program NAME     entry point NAME in full: inputs, buffers, steps
  -h, --help         show this help
)";

int usageError(const std::string &msg) { return cli::usageError("sieve-dump", msg); }

int runMain(int argc, char **argv) {
  std::string path, program;
  module::DumpView view = module::DumpView::kSummary;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--exports") {
      view = module::DumpView::kExports;
    } else if (arg == "--program" || arg.rfind("--program=", 0) == 0) {
      if (arg == "--program") {
        if (i + 1 >= argc)
          return usageError("--program needs an entry point name");
        program = argv[++i];
      } else {
        program = arg.substr(10);
      }
      view = module::DumpView::kProgram;
    } else if (arg.rfind("-", 0) == 0 && arg != "-") {
      return usageError("unknown option '" + arg + "'");
    } else if (path.empty()) {
      path = arg;
    } else {
      return usageError("one module at a time (got '" + path + "' and '" + arg + "')");
    }
  }
  if (path.empty())
    return usageError("no module given");
  Expected<std::unique_ptr<module::ModuleFile>> file = module::ModuleFile::open(path);
  if (!file) {
    std::fprintf(stderr, "sieve-dump: error: %s\n", file.status().message().c_str());
    return 1;
  }
  Expected<std::string> json = module::moduleToJson(**file, view, program);
  if (!json) {
    std::fprintf(stderr, "sieve-dump: error: %s\n", json.status().message().c_str());
    return 1;
  }
  std::fwrite(json->data(), 1, json->size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-dump", argc, argv, [&] { return runMain(argc, argv); });
}
