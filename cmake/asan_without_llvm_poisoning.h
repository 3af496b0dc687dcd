/* Forced into every translation unit of an AddressSanitizer build
 * (cmake/SieveSanitizers.cmake).
 *
 * LLVM's BumpPtrAllocator poisons the unused part of each slab when its
 * header is compiled with ASan, and unpoisons what it hands out. libMLIR.so
 * is not instrumented: an allocator shared between it and Sieve's code (the
 * context's type and attribute uniquer) gets slabs poisoned by our side and
 * allocations from MLIR's side that never unpoison them, so ASan reports a
 * use-after-poison in MLIR's own writes. Turning the manual poisoning calls
 * into no-ops keeps every real check (heap, stack and global redzones, use
 * after free); the graph fuzzer found this false positive. */
#ifndef SIEVE_ASAN_WITHOUT_LLVM_POISONING_H
#define SIEVE_ASAN_WITHOUT_LLVM_POISONING_H
#include <sanitizer/asan_interface.h>
#undef __asan_poison_memory_region
#undef __asan_unpoison_memory_region
#define __asan_poison_memory_region(addr, size) ((void)(addr), (void)(size))
#define __asan_unpoison_memory_region(addr, size) ((void)(addr), (void)(size))
#endif
