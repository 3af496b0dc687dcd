//===- tool_main.h - The outermost frame of every runtime tool ----*- C++ -*-===//
//
// No exception escapes a Sieve tool: libraries return Status for every
// failure they foresee, and whatever they do not (an allocation the machine
// cannot satisfy, a bug) becomes one line on stderr and exit code 1 instead
// of std::terminate's abort.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/version.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <utility>

namespace sieve {

/// Returns body()'s exit code, or 1 after printing "<tool>: error: ..." when
/// it throws.
template <typename Body> int runToolMain(const char *tool, Body &&body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "%s: error: out of memory\n", tool);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
  } catch (...) {
    std::fprintf(stderr, "%s: error: unexpected failure\n", tool);
  }
  std::fflush(stdout);
  return 1;
}

/// "--version" anywhere before a "--" prints "<tool> (Sieve) <version>" on
/// stdout and exits 0, the same for every runtime tool; otherwise this
/// returns body()'s exit code, or 1 after printing "<tool>: error: ..." when
/// it throws.
template <typename Body>
int runToolMain(const char *tool, int argc, char **argv, Body &&body) noexcept {
  for (int i = 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i)
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("%s (Sieve) %s\n", tool, SIEVE_VERSION_STRING);
      return 0;
    }
  return runToolMain(tool, std::forward<Body>(body));
}

} // namespace sieve
