# Sanitizer and fuzzing builds (docs/robustness.md; scripts/sanitize.sh makes
# one in build-asan with clang-22).
#
#   -DSIEVE_SANITIZE=address,undefined   instrument every target; a finding
#                                        aborts the process (no recovery)
#   -DSIEVE_BUILD_FUZZERS=ON             libFuzzer targets in test/fuzz and
#                                        coverage instrumentation everywhere
#
# Both need clang (libclang-rt-22-dev provides the runtimes). The flags are
# global so the runtime, the compiler and the tests agree; libMLIR.so itself
# stays uninstrumented, which ASan and UBSan tolerate.
set(SIEVE_SANITIZE "" CACHE STRING
    "Sanitizers for every target, e.g. address,undefined (clang only)")
option(SIEVE_BUILD_FUZZERS "Build the libFuzzer targets (clang only)" OFF)

if((SIEVE_SANITIZE OR SIEVE_BUILD_FUZZERS) AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "SIEVE_SANITIZE and SIEVE_BUILD_FUZZERS need clang "
                      "(configure with CC=clang-22 CXX=clang++-22)")
endif()

if(SIEVE_SANITIZE)
  add_compile_options(-fsanitize=${SIEVE_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${SIEVE_SANITIZE})
  if(SIEVE_SANITIZE MATCHES "address")
    # LLVM's allocators poison slabs they share with the uninstrumented
    # libMLIR.so (false use-after-poison); see the header.
    add_compile_options(-include ${CMAKE_CURRENT_LIST_DIR}/asan_without_llvm_poisoning.h)
  endif()
endif()

if(SIEVE_BUILD_FUZZERS)
  # Coverage for libFuzzer in every library; the fuzz targets link the
  # fuzzer's main with -fsanitize=fuzzer themselves.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
