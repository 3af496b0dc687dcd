//===- fuzz_check.h - Invariants a fuzz target asserts ------------*- C++ -*-===//
//
// A fuzz target fails by crashing. FUZZ_CHECK turns a broken invariant (a
// round trip that does not round-trip, an accepted input that cannot be
// used) into an abort that libFuzzer reports with the input that caused it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                            \
    }                                                                          \
  } while (0)
