//===- module_cache.h - Compile a config once, reuse the module ---*- C++ -*-===//
//
// `sieve-run --backend=cpu --weights DIR` needs a module for DIR's config.
// The runtime never links the compiler: it runs sieve-compile once and keeps
// the module in a cache directory, keyed by the config's bytes, the compile
// options and the sieve-compile executable itself (a rebuilt compiler is a
// new key). A module is written under a temporary name and renamed, so an
// interrupted compile leaves nothing a later run would pick up.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_EXEC_MODULE_CACHE_H
#define SIEVE_EXEC_MODULE_CACHE_H

#include "sieve/support/status.h"

#include <functional>
#include <string>
#include <vector>

namespace sieve::exec {

struct ModuleCacheRequest {
  std::string configPath;               // config.json to compile
  std::vector<std::string> compileArgs; // e.g. "--max-seq-len=4096"
  /// sieve-compile; empty: $SIEVE_COMPILE, else the one beside this
  /// executable, else the first on $PATH.
  std::string compiler;
  /// Empty: $SIEVE_CACHE_DIR, else $XDG_CACHE_HOME/sieve, else ~/.cache/sieve.
  std::string cacheDir;
};

/// The request for a checkpoint's config compiled for this CPU: `weights`
/// is the checkpoint directory (its config.json) or a file in it.
ModuleCacheRequest hostModuleRequest(const std::string &weights);

struct CachedModule {
  std::string path;
  bool compiled = false; // false when it was already in the cache
};

/// The module for `request`, compiling it first when the cache lacks it.
/// `log` gets one line before a compile starts.
Expected<CachedModule> cachedModule(const ModuleCacheRequest &request,
                                    const std::function<void(const std::string &)> &log = {});

} // namespace sieve::exec

#endif // SIEVE_EXEC_MODULE_CACHE_H
