//===- simt_emulator.cpp - GPU kernels' threads as fibers on the CPU ------===//

#include "simt_emulator.h"

#include "sieve/numerics/float_formats.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIEVE_SIMT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SIEVE_SIMT_ASAN 1
#endif
#ifdef SIEVE_SIMT_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace sieve::simt {
namespace {

/// A fiber's stack: kernels keep their private arrays there.
constexpr size_t kStackBytes = size_t(1) << 20;
/// Far beyond any block a kernel asks for (the hardware's limit is 1024).
constexpr uint64_t kMaxBlockThreads = 1024;

/// sm_100a's tensor memory per block (tcgen05, cta_group::1): lanes x
/// columns of 32-bit cells; an address holds the lane in bits 16..31 and
/// the column in bits 0..15.
constexpr uint32_t kTmemLanes = 128, kTmemColumns = 512;

enum class Wait {
  Running,
  Barrier,
  Shuffle,
  Mma,
  Bpermute,
  Mfma,
  ScaledMfma,
  Wgmma,
  TmemAlloc,
  TmemDealloc,
  TmemStore,
  TmemLoad,
  Mbarrier,
  Failed,
  Done
};

/// A wait that a warp's lanes leave together.
bool isCollective(Wait wait) {
  return wait == Wait::Shuffle || wait == Wait::Mma || wait == Wait::Bpermute ||
         wait == Wait::Mfma || wait == Wait::ScaledMfma || wait == Wait::Wgmma ||
         wait == Wait::TmemAlloc || wait == Wait::TmemDealloc || wait == Wait::TmemStore ||
         wait == Wait::TmemLoad;
}

const char *waitName(Wait wait) {
  switch (wait) {
  case Wait::Running:
    return "running";
  case Wait::Barrier:
    return "a barrier";
  case Wait::Shuffle:
    return "a shuffle";
  case Wait::Mma:
    return "an mma.sync";
  case Wait::Bpermute:
    return "a ds_bpermute";
  case Wait::Mfma:
    return "an MFMA";
  case Wait::ScaledMfma:
    return "a scaled MFMA";
  case Wait::Wgmma:
    return "a wgmma";
  case Wait::TmemAlloc:
    return "a tcgen05.alloc";
  case Wait::TmemDealloc:
    return "a tcgen05.dealloc";
  case Wait::TmemStore:
    return "a tcgen05.st";
  case Wait::TmemLoad:
    return "a tcgen05.ld";
  case Wait::Mbarrier:
    return "an mbarrier.try_wait";
  case Wait::Failed:
    return "a failed instruction";
  case Wait::Done:
    return "exit";
  }
  return "?";
}

/// A stack with a guard page below it (an overflow faults instead of
/// writing another fiber's stack).
struct Stack {
  void *mapping = nullptr;
  size_t mappingBytes = 0;
  void *base() const { return static_cast<char *>(mapping) + pageBytes(); }
  static size_t pageBytes() { return size_t(::sysconf(_SC_PAGESIZE)); }
};

#if defined(__x86_64__)
/// A suspended fiber: its stack pointer, the callee-saved registers pushed
/// below it. swapcontext would cost a system call per switch (it saves the
/// signal mask), and a block switches at every barrier and shuffle.
struct Context {
  void *sp = nullptr;
};

extern "C" void sieveSimtSwitch(void **saveSp, void *nextSp);
asm(R"(
  .text
  .p2align 4
  .type sieveSimtSwitch,@function
sieveSimtSwitch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size sieveSimtSwitch, .-sieveSimtSwitch
)");

/// A fresh fiber's stack as sieveSimtSwitch leaves a suspended one: six
/// registers, then `entry` to return to, entered as if called (the stack
/// 8 bytes off a 16-byte boundary).
void prepareContext(Context &context, const Stack &stack, void (*entry)()) {
  auto top = reinterpret_cast<uintptr_t>(stack.base()) + kStackBytes;
  top &= ~uintptr_t(15);
  auto *slots = reinterpret_cast<void **>(top);
  slots[-1] = nullptr; // entry's return address: it never returns
  slots[-2] = reinterpret_cast<void *>(entry);
  for (int i = 3; i <= 8; ++i)
    slots[-i] = nullptr;
  context.sp = &slots[-8];
}

void switchContext(Context &from, Context &to) { sieveSimtSwitch(&from.sp, to.sp); }
#else
struct Context {
  // Zeroed: ASan's swapcontext reads the target's stack bounds.
  ucontext_t context{};
};

void prepareContext(Context &context, const Stack &stack, void (*entry)()) {
  ::getcontext(&context.context);
  context.context.uc_stack.ss_sp = stack.base();
  context.context.uc_stack.ss_size = kStackBytes;
  context.context.uc_link = nullptr;
  ::makecontext(&context.context, entry, 0);
}

void switchContext(Context &from, Context &to) { ::swapcontext(&from.context, &to.context); }
#endif

/// One GPU thread.
struct Fiber {
  Context context;
  Stack *stack = nullptr;
  uint32_t id[3] = {0, 0, 0};
  uint32_t linear = 0;
  uint32_t warp = 0, lane = 0;
  Wait wait = Wait::Running;
  int32_t site = -1;
  // A shuffle's operands and result.
  int32_t mode = 0;
  uint32_t memberMask = 0, value = 0, laneOrOffset = 0, maskAndClamp = 0;
  uint64_t shuffled = 0;
  // A product's fragments (an MFMA's four bf16 of A and of B in a[0..1]
  // and b[0..1]).
  uint32_t a[4] = {}, b[2] = {};
  float c[4] = {}, d[4] = {};
  // A scaled MFMA's words of A and of B (8 or 4 each), its formats (A's
  // cbsz | B's blgp << 8) and E8M0 scales (A's | B's << 8).
  uint32_t scaledA[8] = {}, scaledB[8] = {};
  uint32_t formats = 0, scales = 0;
  // A wgmma's descriptors, N and the thread's accumulators (its own stack).
  uint64_t descriptorA = 0, descriptorB = 0;
  uint32_t wgmmaN = 0;
  float *accumulators = nullptr;
  // A tcgen05.alloc's slot and columns, a dealloc's address and columns, a
  // 32x32b ld's or st's address, count (in `tmemColumns`) and registers.
  uint32_t *tmemSlot = nullptr;
  uint32_t tmemAddress = 0, tmemColumns = 0;
  const uint32_t *tmemSource = nullptr;
  uint32_t *tmemDestination = nullptr;
  // An mbarrier.try_wait that found its phase incomplete: the barrier (its
  // shared-memory offset) and the phase parity it waits for.
  uint32_t mbarrierOffset = 0, mbarrierParity = 0;
};

/// An mbarrier object (its state lives here, not in its 8 bytes of shared
/// memory, which kernels only pass by address): arrivals still expected in
/// the current phase, the count each phase starts with, the phase number.
struct Mbarrier {
  uint32_t count = 0, pending = 0, phase = 0;
};

/// A live tcgen05.alloc: its first column and its columns (all 128 lanes).
struct TmemAllocation {
  uint32_t column = 0, columns = 0;
};

/// A tcgen05.mma.block_scale from its issue until a thread has seen it
/// complete. The MMA is checked at its issue but computed only when a
/// thread first looks at an mbarrier a commit covering it arrives at: the
/// hardware may read the operands until then, and the latest point shows a
/// kernel that changes them too early. Its tensor memory (D written, the
/// scales read) is off limits to tcgen05.ld/st and dealloc until an
/// mbarrier.try_wait has seen a phase one of its commits arrived in
/// complete.
struct AsyncMma {
  uint64_t id = 0;     // issue order in the block
  uint32_t thread = 0; // the issuing fiber
  int32_t site = -1;
  uint32_t d = 0, instruction = 0, scaleA = 0, scaleB = 0, enableInputD = 0;
  uint64_t descriptorA = 0, descriptorB = 0;
  // Tensor-memory columns (all 128 lanes): D's, then A's and B's scales.
  uint32_t column[3] = {}, columns[3] = {};
  bool computed = false;
  uint32_t commits = 0; // the thread's tcgen05.commits since its issue
  // The arrivals of those commits that were made: the mbarrier
  // (kNoMbarrier once invalidated unseen) and the phase each counted toward.
  std::vector<std::pair<uint32_t, uint32_t>> arrivals;
};
constexpr uint32_t kNoMbarrier = ~uint32_t(0);

/// A tcgen05.commit whose arrival (the completion of the thread's MMAs
/// issued before it) is made when a thread first looks at its mbarrier.
struct PendingCommit {
  uint32_t thread = 0, barrier = 0;
  int32_t site = -1;
  uint64_t before = 0; // it covers the thread's MMAs with smaller ids
};

/// A block's shared memory sits at the start of a 2^18-byte-aligned arena,
/// so a pointer's low 18 bits are its address in the shared window, as a
/// GPU's shared addresses are: what wgmma's descriptors hold.
constexpr size_t kSharedWindowBytes = size_t(1) << 18;

class SharedArena {
public:
  ~SharedArena() { std::free(data_); }
  unsigned char *get() {
    if (!data_)
      data_ =
          static_cast<unsigned char *>(std::aligned_alloc(kSharedWindowBytes, kSharedWindowBytes));
    return data_;
  }

private:
  unsigned char *data_ = nullptr;
};
thread_local SharedArena sharedArena;

/// The block being run on this thread.
struct Block {
  void (*entry)(void **) = nullptr;
  std::vector<void *> arguments;
  std::vector<uint64_t> bindingAddresses;
  const sieve_dispatch_state_t *dispatch = nullptr;
  const sieve_workgroup_state_t *workgroup = nullptr;
  uint32_t size[3] = {1, 1, 1};
  uint32_t warpSize = 32;
  std::vector<Fiber> fibers;
  Fiber *current = nullptr;
  Context scheduler;
  unsigned char *shared = nullptr;
  size_t sharedBytes = 0;
  // Tensor memory, made and poisoned at the block's first tcgen05.alloc
  // (lane-major: cell (lane, column) at lane * kTmemColumns + column), and
  // its live allocations.
  std::vector<uint32_t> tmem;
  std::vector<TmemAllocation> tmemAllocations;
  // Initialized mbarriers by shared-memory offset.
  std::map<uint32_t, Mbarrier> mbarriers;
  // Block-scaled MMAs issued and not yet seen complete, in issue order,
  // and the commits whose arrivals are still due, in commit order.
  std::vector<AsyncMma> mmas;
  std::vector<PendingCommit> commits;
  uint64_t nextMmaId = 0;
  std::string error;
#ifdef SIEVE_SIMT_ASAN
  const void *schedulerStack = nullptr;
  size_t schedulerStackBytes = 0;
#endif
};

thread_local Block *activeBlock = nullptr;
thread_local std::string lastFailure;
// Global, not per thread: a device runs a dispatch's blocks on its pool's
// threads.
std::atomic<ScheduleOrder> scheduleOrder{ScheduleOrder::Descending};

/// Stacks outlive blocks: a block of 256 threads would otherwise map 256
/// stacks per workgroup.
class StackPool {
public:
  ~StackPool() {
    for (Stack &stack : stacks_)
      ::munmap(stack.mapping, stack.mappingBytes);
  }
  /// The first `count` stacks, or none if the memory is not there.
  Stack *take(size_t count) {
    while (stacks_.size() < count) {
      Stack stack;
      stack.mappingBytes = kStackBytes + Stack::pageBytes();
      stack.mapping = ::mmap(nullptr, stack.mappingBytes, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (stack.mapping == MAP_FAILED)
        return nullptr;
      ::mprotect(stack.mapping, Stack::pageBytes(), PROT_NONE);
      stacks_.push_back(stack);
    }
    return stacks_.data();
  }

private:
  std::vector<Stack> stacks_;
};

thread_local StackPool stackPool;

void startSwitch(Block &block, const Fiber *to, void **fakeStack) {
#ifdef SIEVE_SIMT_ASAN
  if (to)
    __sanitizer_start_switch_fiber(fakeStack, to->stack->base(), kStackBytes);
  else
    __sanitizer_start_switch_fiber(fakeStack, block.schedulerStack, block.schedulerStackBytes);
#else
  (void)block;
  (void)to;
  (void)fakeStack;
#endif
}

void finishSwitch(Block &block, void *fakeStack, bool intoScheduler) {
#ifdef SIEVE_SIMT_ASAN
  if (intoScheduler)
    __sanitizer_finish_switch_fiber(fakeStack, nullptr, nullptr);
  else
    __sanitizer_finish_switch_fiber(fakeStack, &block.schedulerStack, &block.schedulerStackBytes);
#else
  (void)block;
  (void)fakeStack;
  (void)intoScheduler;
#endif
}

/// Gives the CPU back to the scheduler until this fiber may go on.
void yieldToScheduler(Wait wait, int32_t site) {
  Block &block = *activeBlock;
  Fiber &self = *block.current;
  self.wait = wait;
  self.site = site;
  // A fiber that is done never resumes: no fake stack to keep.
  void *fakeStack = nullptr;
  startSwitch(block, nullptr, wait == Wait::Done ? nullptr : &fakeStack);
  switchContext(self.context, block.scheduler);
  finishSwitch(block, fakeStack, /*intoScheduler=*/false);
}

void fiberMain() {
  Block &block = *activeBlock;
  finishSwitch(block, nullptr, /*intoScheduler=*/false);
  block.entry(block.arguments.data());
  yieldToScheduler(Wait::Done, -1);
}

void fail(Block &block, const std::string &why) {
  if (block.error.empty()) {
    block.error = why;
    std::fprintf(stderr, "SIMT emulator: %s\n", why.c_str());
  }
}

std::string threadName(const Fiber &fiber) {
  return "thread " + std::to_string(fiber.linear) + " (warp " + std::to_string(fiber.warp) +
         ", lane " + std::to_string(fiber.lane) + ")";
}

/// PTX shfl.sync for every lane of `lanes` (one warp, all waiting at it).
void shuffleWarp(std::vector<Fiber *> &lanes) {
  for (Fiber *self : lanes) {
    const uint32_t lane = self->lane;
    const uint32_t offset = self->laneOrOffset & 0x1f;
    const uint32_t clamp = self->maskAndClamp & 0x1f;
    const uint32_t segmentMask = (self->maskAndClamp >> 8) & 0x1f;
    const uint32_t minLane = lane & segmentMask;
    const uint32_t maxLane = minLane | (clamp & ~segmentMask);
    int64_t source = lane;
    bool inRange = false;
    switch (self->mode) {
    case SIEVE_SIMT_SHUFFLE_UP:
      source = int64_t(lane) - offset;
      inRange = source >= int64_t(maxLane);
      break;
    case SIEVE_SIMT_SHUFFLE_DOWN:
      source = int64_t(lane) + offset;
      inRange = source <= int64_t(maxLane);
      break;
    case SIEVE_SIMT_SHUFFLE_BFLY:
      source = int64_t(lane ^ offset);
      inRange = source <= int64_t(maxLane);
      break;
    default: // idx
      source = int64_t(minLane | (offset & ~segmentMask));
      inRange = source <= int64_t(maxLane);
      break;
    }
    if (!inRange)
      source = lane;
    const uint32_t value = lanes[size_t(source)]->value;
    self->shuffled = uint64_t(value) | (uint64_t(inRange) << 32);
  }
}

/// The two bf16 of a fragment register (the lower half is the element
/// with the lower index).
float lowBf16(uint32_t bits) { return num::bf16ToFloat(uint16_t(bits & 0xffff)); }
float highBf16(uint32_t bits) { return num::bf16ToFloat(uint16_t(bits >> 16)); }

/// mma.sync.m16n8k16.row.col.f32.bf16.bf16.f32 over one warp, from the
/// fragment layouts of the PTX ISA (lane l: group g = l / 4, t = l % 4).
void mmaWarp(std::vector<Fiber *> &lanes) {
  float a[16][16], b[16][8], c[16][8];
  for (Fiber *self : lanes) {
    const uint32_t lane = self->lane;
    const uint32_t g = lane / 4, t = lane % 4;
    // A, row major: a0..a7 in four registers.
    for (uint32_t r = 0; r < 4; ++r) {
      const uint32_t row = g + (r % 2) * 8, column = 2 * t + (r / 2) * 8;
      a[row][column] = lowBf16(self->a[r]);
      a[row][column + 1] = highBf16(self->a[r]);
    }
    // B, column major: b0..b3 in two registers.
    for (uint32_t r = 0; r < 2; ++r) {
      const uint32_t row = 2 * t + r * 8;
      b[row][g] = lowBf16(self->b[r]);
      b[row + 1][g] = highBf16(self->b[r]);
    }
    for (uint32_t i = 0; i < 4; ++i)
      c[g + (i / 2) * 8][2 * t + i % 2] = self->c[i];
  }
  for (Fiber *self : lanes) {
    const uint32_t lane = self->lane;
    const uint32_t g = lane / 4, t = lane % 4;
    for (uint32_t i = 0; i < 4; ++i) {
      const uint32_t row = g + (i / 2) * 8, column = 2 * t + i % 2;
      // bf16 products are exact in double, and so is their sum here; one
      // rounding at the end (the hardware's order is unspecified).
      double sum = c[row][column];
      for (uint32_t k = 0; k < 16; ++k)
        sum += double(a[row][k]) * double(b[k][column]);
      self->d[i] = float(sum);
    }
  }
}

/// D = C + A B for a wave's 16 x 16 MFMA accumulator (lane l holds
/// D[4 (l / 16) + i][l % 16] for i < 4, CDNA's layout). Every product is
/// exact in double (bf16 values, or codes scaled by powers of two); their
/// sum rounds in double, then once to f32 (the hardware's order and
/// intermediate precision are unspecified).
template <typename T, size_t K>
void storeWaveProducts(std::vector<Fiber *> &lanes, const T (&a)[16][K], const T (&b)[K][16],
                       const float (&c)[16][16]) {
  for (Fiber *self : lanes) {
    const uint32_t column = self->lane % 16, group = self->lane / 16;
    for (uint32_t i = 0; i < 4; ++i) {
      const uint32_t row = 4 * group + i;
      double sum = c[row][column];
      for (size_t k = 0; k < K; ++k)
        sum += double(a[row][k]) * double(b[k][column]);
      self->d[i] = float(sum);
    }
  }
}

/// v_mfma_f32_16x16x16_bf16 over one wave, from CDNA's layouts (AMD's
/// matrix instruction calculator): lane l holds A[l % 16][4 (l / 16) + i]
/// and B[4 (l / 16) + i][l % 16] for i < 4, and D[4 (l / 16) + i][l % 16].
void mfmaWave(std::vector<Fiber *> &lanes) {
  float a[16][16], b[16][16], c[16][16];
  for (Fiber *self : lanes) {
    const uint32_t lane = self->lane, row = lane % 16, group = lane / 16;
    const uint64_t aBits = uint64_t(self->a[0]) | uint64_t(self->a[1]) << 32;
    const uint64_t bBits = uint64_t(self->b[0]) | uint64_t(self->b[1]) << 32;
    for (uint32_t i = 0; i < 4; ++i) {
      a[row][4 * group + i] = num::bf16ToFloat(uint16_t(aBits >> (16 * i)));
      b[4 * group + i][row] = num::bf16ToFloat(uint16_t(bBits >> (16 * i)));
      c[4 * group + i][row] = self->c[i];
    }
  }
  storeWaveProducts(lanes, a, b, c);
}

/// gfx950's scaled MFMA formats the emulator decodes (cbsz and blgp).
constexpr uint32_t kFormatE4m3 = 0, kFormatE2m1 = 4;

/// Code `e` (< 32) of a lane's operand words: byte e for E4M3FN, bits
/// 4e..4e+3 for E2M1.
float scaledMfmaCode(const uint32_t *words, uint32_t format, uint32_t e) {
  if (format == kFormatE4m3)
    return num::e4m3ToFloat(uint8_t(words[e / 4] >> (8 * (e % 4))));
  return num::e2m1ToFloat(uint8_t(words[e / 8] >> (4 * (e % 8)) & 0xf));
}

/// An E8M0 scale as a double (2^(code - 127) fits one); 0xFF is NaN.
double e8m0Scale(uint32_t code) {
  return code == num::kE8M0NaN ? NAN : std::ldexp(1.0, int(code) - 127);
}

/// gfx950's v_mfma_scale_f32_16x16x128_f8f6f4 over one wave, from CDNA4's
/// layouts (IREE's MFMA_SCALE_F32_16x16x128_B32): lane l holds codes
/// A[l % 16][32 (l / 16) + e] and B[32 (l / 16) + e][l % 16] for e < 32,
/// A's scale of that row and B's of that column for that block of 32 K,
/// and D[4 (l / 16) + i][l % 16] for i < 4, as the bf16 MFMA. False (the
/// block failed) for formats the emulator does not decode or that differ
/// between lanes.
bool scaledMfmaWave(Block &block, std::vector<Fiber *> &lanes) {
  const Fiber &first = *lanes.front();
  for (Fiber *self : lanes)
    if (self->formats != first.formats) {
      fail(block, threadName(*self) + " gives a scaled MFMA (site " + std::to_string(first.site) +
                      ") other formats than " + threadName(first) + ": a wave's must be the same");
      return false;
    }
  const uint32_t formatA = first.formats & 0xff, formatB = first.formats >> 8;
  for (uint32_t format : {formatA, formatB})
    if (format != kFormatE4m3 && format != kFormatE2m1) {
      fail(block, "a scaled MFMA (site " + std::to_string(first.site) + ") of format " +
                      std::to_string(format) + " (E4M3FN = 0 and E2M1 = 4 are emulated)");
      return false;
    }
  // Each element with its block's scale applied: a code times a power of
  // two, exact in double.
  double a[16][128], b[128][16];
  float c[16][16];
  for (Fiber *self : lanes) {
    const uint32_t lane = self->lane, row = lane % 16, group = lane / 16;
    const double scaleA = e8m0Scale(self->scales & 0xff);
    const double scaleB = e8m0Scale(self->scales >> 8 & 0xff);
    for (uint32_t e = 0; e < 32; ++e) {
      a[row][32 * group + e] = double(scaledMfmaCode(self->scaledA, formatA, e)) * scaleA;
      b[32 * group + e][row] = double(scaledMfmaCode(self->scaledB, formatB, e)) * scaleB;
    }
    for (uint32_t i = 0; i < 4; ++i)
      c[4 * group + i][row] = self->c[i];
  }
  storeWaveProducts(lanes, a, b, c);
  return true;
}

/// ds_bpermute_b32 as a CDNA wave executes it: lanes that branched
/// elsewhere (waiting at a barrier or another collective, or exited) are
/// off in the wave's execution mask, and a lane reading one of them gets 0.
/// So the lanes waiting at `site` go on once no lane of the wave is running.
bool permuteActiveLanes(Block &block, std::vector<Fiber *> &lanes, int32_t site, bool &released) {
  if (lanes.size() != block.warpSize || block.warpSize != 64) {
    fail(block, "a ds_bpermute (site " + std::to_string(site) + ") in a wave of " +
                    std::to_string(lanes.size()) + " lanes (64 expected)");
    return false;
  }
  for (Fiber *lane : lanes)
    if (lane->wait == Wait::Running)
      return true; // decided after the round
  auto active = [&](const Fiber *lane) {
    return lane->wait == Wait::Bpermute && lane->site == site;
  };
  for (Fiber *self : lanes) {
    if (!active(self))
      continue;
    const Fiber *source = lanes[(self->laneOrOffset >> 2) % 64];
    self->shuffled = active(source) ? source->value : 0;
  }
  for (Fiber *self : lanes)
    if (active(self))
      self->wait = Wait::Running;
  released = true;
  return true;
}

/// wgmma.mma_async m64nNk16 .f32.bf16.bf16 over one warpgroup (128
/// threads), both operands in shared memory, K-major without swizzling: a
/// descriptor holds the start address, the byte offset to the next 8 x 16
/// byte core matrix in K (leading) and to the next 8 rows (stride), each
/// >> 4. Element (r, k) is at start + (r / 8) stride + (k / 8) leading +
/// (r % 8) 16 + (k % 8) 2. Thread t (warp w = t / 32, g = lane / 4,
/// q = lane % 4) holds D[16w + g + 8 (i % 4 / 2)][8 (i / 4) + 2q + i % 2]
/// in its register i (the PTX ISA's accumulator layout).
bool wgmmaGroup(Block &block, Fiber *const *threads) {
  const Fiber &first = *threads[0];
  const uint32_t n = first.wgmmaN;
  for (size_t t = 0; t < 128; ++t)
    if (threads[t]->descriptorA != first.descriptorA ||
        threads[t]->descriptorB != first.descriptorB || threads[t]->wgmmaN != n) {
      fail(block, threadName(*threads[t]) + " gives a wgmma (site " + std::to_string(first.site) +
                      ") other descriptors or another N than " + threadName(first) +
                      ": a warpgroup's must be the same");
      return false;
    }
  if (n == 0 || n > 256 || n % 8 != 0) {
    fail(block, "a wgmma of N = " + std::to_string(n));
    return false;
  }
  float a[64][16], b[256][16];
  auto read = [&](uint64_t descriptor, uint32_t rows, auto &out) {
    if (descriptor >> 62 != 0 || (descriptor >> 49 & 7) != 0) {
      fail(block, "a wgmma descriptor with swizzling or a base offset (only unswizzled operands "
                  "are emulated)");
      return false;
    }
    const uint64_t start = (descriptor & 0x3fff) << 4;
    const uint64_t leading = (descriptor >> 16 & 0x3fff) << 4;
    const uint64_t stride = (descriptor >> 32 & 0x3fff) << 4;
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t k = 0; k < 16; ++k) {
        const uint64_t at = start + r / 8 * stride + k / 8 * leading + r % 8 * 16 + k % 8 * 2;
        if (at + 2 > block.sharedBytes) {
          fail(block, "a wgmma reads byte " + std::to_string(at) + " of " +
                          std::to_string(block.sharedBytes) + " bytes of shared memory");
          return false;
        }
        uint16_t bits;
        std::memcpy(&bits, block.shared + at, sizeof(bits));
        out[r][k] = num::bf16ToFloat(bits);
      }
    return true;
  };
  if (!read(first.descriptorA, 64, a) || !read(first.descriptorB, n, b))
    return false;
  for (size_t t = 0; t < 128; ++t) {
    const uint32_t warp = uint32_t(t / 32), g = uint32_t(t % 32 / 4), q = uint32_t(t % 4);
    float *registers = threads[t]->accumulators;
    for (uint32_t i = 0; i < n / 2; ++i) {
      const uint32_t row = 16 * warp + g + 8 * (i % 4 / 2), column = 8 * (i / 4) + 2 * q + i % 2;
      // Exact in double, one rounding, as for mma.sync.
      double sum = registers[i];
      for (uint32_t k = 0; k < 16; ++k)
        sum += double(a[row][k]) * double(b[column][k]);
      registers[i] = float(sum);
    }
  }
  return true;
}

/// Runs the wgmma of the warpgroup holding `waiting` once all its 128
/// threads wait at it; false (the block failed) where they cannot.
bool releaseWarpgroup(Block &block, const Fiber &waiting, bool &released) {
  const size_t first = size_t(waiting.linear) / 128 * 128;
  if (block.warpSize != 32 || first + 128 > block.fibers.size()) {
    fail(block, threadName(waiting) + " waits at a wgmma (site " + std::to_string(waiting.site) +
                    ") in a block that is not whole warpgroups of 32-lane warps");
    return false;
  }
  Fiber *threads[128];
  for (size_t t = 0; t < 128; ++t) {
    Fiber &fiber = block.fibers[first + t];
    if (fiber.wait == Wait::Done) {
      fail(block, threadName(fiber) + " exited while " + threadName(waiting) +
                      " waits at a wgmma (site " + std::to_string(waiting.site) + ")");
      return false;
    }
    if (fiber.wait != Wait::Wgmma)
      return true; // decided once the warpgroup's other warps arrive
    if (fiber.site != waiting.site) {
      fail(block, threadName(fiber) + " waits at wgmma site " + std::to_string(fiber.site) +
                      " and " + threadName(waiting) + " at site " + std::to_string(waiting.site) +
                      ": a warpgroup's threads diverged");
      return false;
    }
    threads[t] = &fiber;
  }
  if (!wgmmaGroup(block, threads))
    return false;
  for (Fiber *thread : threads)
    thread->wait = Wait::Running;
  released = true;
  return true;
}

/// The offset in the block's shared memory of the `bytes` at `pointer`,
/// which must lie inside it and be aligned to `bytes`; false otherwise.
bool sharedOffset(const Block &block, const void *pointer, size_t bytes, uint32_t &offset) {
  const auto address = reinterpret_cast<uintptr_t>(pointer);
  const auto base = reinterpret_cast<uintptr_t>(block.shared);
  if (!block.shared || address < base || address - base + bytes > block.sharedBytes ||
      (address - base) % bytes != 0)
    return false;
  offset = uint32_t(address - base);
  return true;
}

std::string hex(uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof(text), "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string describeAllocations(const Block &block) {
  if (block.tmemAllocations.empty())
    return "none";
  std::string out;
  for (const TmemAllocation &allocation : block.tmemAllocations)
    out += (out.empty() ? "columns " : ", ") + std::to_string(allocation.column) + ".." +
           std::to_string(allocation.column + allocation.columns - 1);
  return out;
}

/// Why columns [column, column + count) are not the kernel's to touch yet
/// (an MMA in flight writes them as D, or reads them as scales where
/// `write`), or "".
std::string asyncMmaConflict(const Block &block, uint64_t column, uint64_t count, bool write) {
  static const char *const kRoles[3] = {"as D", "as A's scales", "as B's scales"};
  for (const AsyncMma &mma : block.mmas)
    for (int role = 0; role < (write ? 3 : 1); ++role) {
      if (column >= mma.column[role] + mma.columns[role] || mma.column[role] >= column + count)
        continue;
      std::string state = "not yet committed";
      if (!mma.arrivals.empty()) {
        const auto [barrier, phase] = mma.arrivals.back();
        state = barrier == kNoMbarrier
                    ? "committed to an mbarrier invalidated before any thread saw the MMA complete"
                    : "committed to the mbarrier at shared byte " + std::to_string(barrier) +
                          " in its phase " + std::to_string(phase) +
                          ", and no thread has waited for that phase yet";
      } else if (mma.commits != 0) {
        state = "committed, and no thread has looked at the mbarrier since";
      }
      return "columns " + std::to_string(mma.column[role]) + ".." +
             std::to_string(mma.column[role] + mma.columns[role] - 1) +
             ", which the tcgen05.mma.block_scale of thread " + std::to_string(mma.thread) +
             " (site " + std::to_string(mma.site) + ") uses " + kRoles[role] + " (" + state +
             "): wait at the mbarrier its tcgen05.commit arrives at first";
    }
  return "";
}

/// Whether columns [column, column + count) lie in one live allocation.
bool allocated(const Block &block, uint64_t column, uint64_t count) {
  for (const TmemAllocation &allocation : block.tmemAllocations)
    if (column >= allocation.column && column + count <= allocation.column + allocation.columns)
      return true;
  return false;
}

/// Tensor memory starts as garbage: all-ones cells (NaN as f32, and NaN
/// E8M0 scales), as shared memory starts, so a read before a write shows.
void poisonColumns(Block &block, uint32_t column, uint32_t columns) {
  for (uint32_t lane = 0; lane < kTmemLanes; ++lane)
    std::fill_n(block.tmem.begin() + lane * kTmemColumns + column, columns, ~uint32_t(0));
}

/// Whether the lanes' `field`s are all the first lane's; fails the block
/// naming `what` otherwise (`.sync.aligned`: one operand for the warp).
template <typename T>
bool sameInWarp(Block &block, const std::vector<Fiber *> &lanes, T Fiber::*field,
                const char *what) {
  const Fiber &first = *lanes.front();
  for (const Fiber *lane : lanes)
    if (lane->*field != first.*field) {
      fail(block, threadName(*lane) + " gives " + waitName(first.wait) + " (site " +
                      std::to_string(first.site) + ") another " + what + " than " +
                      threadName(first) + ": a warp's must be the same");
      return false;
    }
  return true;
}

/// tcgen05.alloc.cta_group::1.sync.aligned by one warp: the first free,
/// size-aligned run of the requested columns; its address (lane 0, first
/// column) goes to the slot in shared memory. A GPU would wait for another
/// CTA's deallocation where none is free; with one block at a time that is
/// this block's leak or over-allocation, so the block fails.
bool tmemAllocWarp(Block &block, const std::vector<Fiber *> &lanes) {
  if (!sameInWarp(block, lanes, &Fiber::tmemSlot, "slot") ||
      !sameInWarp(block, lanes, &Fiber::tmemColumns, "column count"))
    return false;
  const Fiber &first = *lanes.front();
  const std::string at = "a tcgen05.alloc (site " + std::to_string(first.site) + ", warp " +
                         std::to_string(first.warp) + ")";
  const uint32_t columns = first.tmemColumns;
  if (columns < 32 || columns > kTmemColumns || (columns & (columns - 1)) != 0) {
    fail(block, at + " of " + std::to_string(columns) +
                    " columns: the count must be a power of two from 32 to 512");
    return false;
  }
  uint32_t slotOffset = 0;
  if (!sharedOffset(block, first.tmemSlot, sizeof(uint32_t), slotOffset)) {
    fail(block, at + " writes its address outside the block's shared memory (or misaligned)");
    return false;
  }
  for (uint32_t column = 0; column < kTmemColumns; column += columns) {
    bool taken = false;
    for (const TmemAllocation &allocation : block.tmemAllocations)
      taken |=
          column < allocation.column + allocation.columns && allocation.column < column + columns;
    if (taken)
      continue;
    if (block.tmem.empty())
      block.tmem.assign(size_t(kTmemLanes) * kTmemColumns, ~uint32_t(0));
    block.tmemAllocations.push_back({column, columns});
    std::memcpy(block.shared + slotOffset, &column, sizeof(column));
    return true;
  }
  fail(block, at + " of " + std::to_string(columns) +
                  " columns finds no free run of them in tensor memory (allocated: " +
                  describeAllocations(block) +
                  "); a GPU would wait for a deallocation, which in one block is a leak");
  return false;
}

/// tcgen05.dealloc.cta_group::1.sync.aligned by one warp: exactly one live
/// allocation.
bool tmemDeallocWarp(Block &block, const std::vector<Fiber *> &lanes) {
  if (!sameInWarp(block, lanes, &Fiber::tmemAddress, "address") ||
      !sameInWarp(block, lanes, &Fiber::tmemColumns, "column count"))
    return false;
  const Fiber &first = *lanes.front();
  const uint32_t column = first.tmemAddress & 0xffff, columns = first.tmemColumns;
  if (std::string conflict = asyncMmaConflict(block, column, columns, /*write=*/true);
      !conflict.empty()) {
    fail(block, "a tcgen05.dealloc (site " + std::to_string(first.site) + ", warp " +
                    std::to_string(first.warp) + ") frees " + conflict);
    return false;
  }
  for (auto it = block.tmemAllocations.begin(); it != block.tmemAllocations.end(); ++it)
    if (first.tmemAddress >> 16 == 0 && it->column == column && it->columns == columns) {
      poisonColumns(block, column, columns);
      block.tmemAllocations.erase(it);
      return true;
    }
  fail(block, "a tcgen05.dealloc (site " + std::to_string(first.site) + ", warp " +
                  std::to_string(first.warp) + ") of " + std::to_string(columns) +
                  " columns at address " + hex(first.tmemAddress) +
                  " is not an allocation of the block (allocated: " + describeAllocations(block) +
                  ")");
  return false;
}

/// tcgen05.st / tcgen05.ld .32x32b.x<count> by one warp: lane l moves
/// tensor-memory lane (the address's lane) + l, columns (the address's
/// column) + 0 .. count - 1, to or from its registers. Warp w of a
/// warpgroup reaches lanes 32 (w % 4) .. + 31 only, so the address's lane
/// must be 32 (w % 4).
bool tmemCopyWarp(Block &block, const std::vector<Fiber *> &lanes, bool store) {
  if (!sameInWarp(block, lanes, &Fiber::tmemAddress, "address") ||
      !sameInWarp(block, lanes, &Fiber::tmemColumns, "register count"))
    return false;
  const Fiber &first = *lanes.front();
  const std::string at = std::string(store ? "a tcgen05.st" : "a tcgen05.ld") + " (site " +
                         std::to_string(first.site) + ", warp " + std::to_string(first.warp) + ")";
  const uint32_t lane = first.tmemAddress >> 16, column = first.tmemAddress & 0xffff;
  const uint32_t count = first.tmemColumns;
  if (count == 0 || count > 128 || (count & (count - 1)) != 0) {
    fail(block, at + " of " + std::to_string(count) + " registers (x1 to x128)");
    return false;
  }
  const uint32_t quarter = 32 * (first.warp % 4);
  if (lane != quarter) {
    fail(block, at + " at address " + hex(first.tmemAddress) + " reaches lanes " +
                    std::to_string(lane) + ".." + std::to_string(lane + 31) + "; warp " +
                    std::to_string(first.warp) + " may access lanes " + std::to_string(quarter) +
                    ".." + std::to_string(quarter + 31) + " only (its quarter, warp % 4)");
    return false;
  }
  if (!allocated(block, column, count)) {
    fail(block, at + " of columns " + std::to_string(column) + ".." +
                    std::to_string(column + count - 1) +
                    " outside the block's tensor memory allocations (allocated: " +
                    describeAllocations(block) + ")");
    return false;
  }
  if (std::string conflict = asyncMmaConflict(block, column, count, store); !conflict.empty()) {
    fail(block, at + (store ? " writes " : " reads ") + conflict);
    return false;
  }
  for (const Fiber *self : lanes) {
    uint32_t *cells = block.tmem.data() + size_t(lane + self->lane) * kTmemColumns + column;
    if (store)
      std::memcpy(cells, self->tmemSource, count * sizeof(uint32_t));
    else
      std::memcpy(self->tmemDestination, cells, count * sizeof(uint32_t));
  }
  return true;
}

/// The fibers of warp `warp`, in lane order.
void lanesOf(Block &block, size_t warp, std::vector<Fiber *> &lanes) {
  const size_t threads = block.fibers.size(), first = warp * block.warpSize;
  lanes.clear();
  for (size_t i = first; i < std::min(threads, first + block.warpSize); ++i)
    lanes.push_back(&block.fibers[i]);
}

/// Runs warp `lanes`' collective if they all wait at it; false (the block
/// failed) for lanes at different ones.
bool releaseWarp(Block &block, std::vector<Fiber *> &lanes, bool &released) {
  const size_t warpSize = block.warpSize;
  const Fiber *waiting = nullptr;
  for (Fiber *lane : lanes)
    if (isCollective(lane->wait))
      waiting = lane;
  if (!waiting)
    return true;
  const Wait kind = waiting->wait;
  if (kind == Wait::Bpermute)
    return permuteActiveLanes(block, lanes, waiting->site, released);
  if (kind == Wait::Wgmma)
    return releaseWarpgroup(block, *waiting, released);
  if (lanes.size() != warpSize) {
    fail(block, threadName(*waiting) + " waits at " + waitName(kind) + " (site " +
                    std::to_string(waiting->site) + ") in a warp of " +
                    std::to_string(lanes.size()) + " threads: the block is not whole warps");
    return false;
  }
  bool allArrived = true;
  for (Fiber *lane : lanes) {
    if (lane->wait == Wait::Done) {
      fail(block, threadName(*lane) + " exited while " + threadName(*waiting) + " waits at " +
                      waitName(kind) + " (site " + std::to_string(waiting->site) + ")");
      return false;
    }
    allArrived &= lane->wait == kind;
  }
  if (!allArrived)
    return true; // lanes still running or at a barrier: decided once they arrive
  for (Fiber *lane : lanes)
    if (lane->site != waiting->site) {
      fail(block, threadName(*lane) + " waits at site " + std::to_string(lane->site) + " and " +
                      threadName(*waiting) + " at site " + std::to_string(waiting->site) +
                      ": a warp's lanes diverged at " + waitName(kind));
      return false;
    }
  // NVIDIA's collectives are a 32-lane warp's, AMD's a 64-lane wave's.
  const bool nvidia = kind == Wait::Shuffle || kind == Wait::Mma || kind == Wait::TmemAlloc ||
                      kind == Wait::TmemDealloc || kind == Wait::TmemStore ||
                      kind == Wait::TmemLoad;
  const size_t expectedWidth = nvidia ? 32 : 64;
  if (warpSize != expectedWidth) {
    fail(block, std::string(waitName(kind)) + " (site " + std::to_string(waiting->site) +
                    ") in a kernel of " + std::to_string(warpSize) + "-lane warps");
    return false;
  }
  switch (kind) {
  case Wait::Shuffle:
    for (Fiber *lane : lanes)
      if (lane->memberMask != 0xffffffffu || lane->mode != lanes.front()->mode ||
          lane->maskAndClamp != lanes.front()->maskAndClamp) {
        fail(block, threadName(*lane) +
                        " shuffles with another mode, member mask or clamp than lane 0 (site " +
                        std::to_string(lane->site) + "); only whole-warp shuffles are emulated");
        return false;
      }
    shuffleWarp(lanes);
    break;
  case Wait::Mma:
    mmaWarp(lanes);
    break;
  case Wait::ScaledMfma:
    if (!scaledMfmaWave(block, lanes))
      return false;
    break;
  case Wait::TmemAlloc:
    if (!tmemAllocWarp(block, lanes))
      return false;
    break;
  case Wait::TmemDealloc:
    if (!tmemDeallocWarp(block, lanes))
      return false;
    break;
  case Wait::TmemStore:
  case Wait::TmemLoad:
    if (!tmemCopyWarp(block, lanes, kind == Wait::TmemStore))
      return false;
    break;
  default:
    mfmaWave(lanes);
    break;
  }
  for (Fiber *lane : lanes)
    lane->wait = Wait::Running;
  released = true;
  return true;
}

/// Releases the block's barrier once every thread still running has
/// reached it (threads that exited do not hold it up, as on the hardware).
bool releaseBarrier(Block &block, bool &released) {
  const Fiber *first = nullptr;
  for (const Fiber &fiber : block.fibers) {
    if (fiber.wait == Wait::Done)
      continue;
    if (fiber.wait != Wait::Barrier)
      return true;
    if (!first)
      first = &fiber;
    else if (fiber.site != first->site) {
      fail(block, threadName(fiber) + " waits at barrier site " + std::to_string(fiber.site) +
                      " and " + threadName(*first) + " at barrier site " +
                      std::to_string(first->site) + ": the threads diverged at a barrier");
      return false;
    }
  }
  if (!first)
    return true;
  for (Fiber &fiber : block.fibers)
    if (fiber.wait == Wait::Barrier)
      fiber.wait = Wait::Running;
  released = true;
  return true;
}

std::string describeDeadlock(const Block &block) {
  std::string out = "the block's threads can make no progress:";
  size_t shown = 0;
  for (const Fiber &fiber : block.fibers) {
    if (fiber.wait == Wait::Done)
      continue;
    if (shown++ == 8) {
      out += " ...";
      break;
    }
    out += " " + threadName(fiber) + " at " + waitName(fiber.wait) + " (site " +
           std::to_string(fiber.site);
    // A thread spinning on an mbarrier waits for arrivals nobody will make.
    if (fiber.wait == Wait::Mbarrier) {
      out += ", parity " + std::to_string(fiber.mbarrierParity) +
             " of the mbarrier at shared byte " + std::to_string(fiber.mbarrierOffset);
      if (auto it = block.mbarriers.find(fiber.mbarrierOffset); it != block.mbarriers.end())
        out += ", in phase " + std::to_string(it->second.phase) + " with " +
               std::to_string(it->second.pending) + " of " + std::to_string(it->second.count) +
               " arrivals pending";
    }
    out += ");";
  }
  return out;
}

/// Runs each warp of the block in the schedule's order as far as it goes
/// alone: its lanes until each waits, its collective, again, until its
/// lanes wait at a barrier or exit. So one warp runs ahead of the others
/// between barriers, as warps may on a GPU, and a read of what another
/// warp writes without a barrier between sees the schedule's order (a
/// lockstep round of every warp would hide it behind the next collective).
void runRound(Block &block) {
  const size_t warps = (block.fibers.size() + block.warpSize - 1) / block.warpSize;
  const bool ascending = scheduleOrder.load(std::memory_order_relaxed) == ScheduleOrder::Ascending;
  std::vector<Fiber *> lanes;
  for (size_t w = 0; w < warps; ++w) {
    lanesOf(block, ascending ? w : warps - 1 - w, lanes);
    for (bool released = true; released && block.error.empty();) {
      for (size_t i = 0; i < lanes.size(); ++i) {
        Fiber &fiber = *lanes[ascending ? i : lanes.size() - 1 - i];
        if (fiber.wait != Wait::Running)
          continue;
        // A thread that failed the block stops it here, before another
        // runs on with what the failed instruction did not do.
        if (!block.error.empty())
          return;
        block.current = &fiber;
        void *fakeStack = nullptr;
        startSwitch(block, &fiber, &fakeStack);
        switchContext(block.scheduler, fiber.context);
        finishSwitch(block, fakeStack, /*intoScheduler=*/true);
        block.current = nullptr;
      }
      released = false;
      if (!releaseWarp(block, lanes, released))
        return;
    }
  }
}

int32_t runBlock(void (*entry)(void **), const sieve_dispatch_state_t *dispatch,
                 const sieve_workgroup_state_t *workgroup, const sieve_simt_kernel_info_t *info) {
  lastFailure.clear();
  auto refuse = [](const std::string &why) {
    lastFailure = why;
    std::fprintf(stderr, "SIMT emulator: %s\n", why.c_str());
    return int32_t(1);
  };
  if (activeBlock)
    return refuse("a kernel launched a block from inside a block");
  if (!entry || !dispatch || !workgroup || !info)
    return refuse("a block without its kernel, dispatch, workgroup or shape");
  if (dispatch->binding_count != info->binding_count ||
      dispatch->constant_count != info->constant_count)
    return refuse("the dispatch has " + std::to_string(dispatch->binding_count) + " bindings and " +
                  std::to_string(dispatch->constant_count) + " constants; the kernel takes " +
                  std::to_string(info->binding_count) + " and " +
                  std::to_string(info->constant_count));
  for (uint32_t size : info->block_size)
    if (size == 0 || size > kMaxBlockThreads)
      return refuse("a block dimension of " + std::to_string(size) + " threads");
  const uint64_t threads =
      uint64_t(info->block_size[0]) * info->block_size[1] * info->block_size[2];
  if (threads > kMaxBlockThreads)
    return refuse("a block of " + std::to_string(threads) + " threads");
  if (info->warp_size != 32 && info->warp_size != 64)
    return refuse("warps of " + std::to_string(info->warp_size) + " lanes");
  for (uint32_t i = 0; i < dispatch->binding_count; ++i)
    if (reinterpret_cast<uintptr_t>(dispatch->binding_ptrs[i]) % SIEVE_GPU_BINDING_ALIGNMENT)
      return refuse("binding " + std::to_string(i) + " is not " +
                    std::to_string(SIEVE_GPU_BINDING_ALIGNMENT) + "-byte aligned");
  Stack *stacks = stackPool.take(size_t(threads));
  if (!stacks)
    return refuse("no memory for " + std::to_string(threads) + " fiber stacks");

  Block block;
  block.entry = entry;
  block.dispatch = dispatch;
  block.workgroup = workgroup;
  std::memcpy(block.size, info->block_size, sizeof(block.size));
  block.warpSize = info->warp_size;
  // The launch arguments as a GPU gets them: each binding's address, then
  // each constant.
  block.bindingAddresses.resize(dispatch->binding_count);
  for (uint32_t i = 0; i < dispatch->binding_count; ++i) {
    block.bindingAddresses[i] = uint64_t(reinterpret_cast<uintptr_t>(dispatch->binding_ptrs[i]));
    block.arguments.push_back(&block.bindingAddresses[i]);
  }
  for (uint32_t i = 0; i < dispatch->constant_count; ++i)
    block.arguments.push_back(const_cast<uint32_t *>(&dispatch->constants[i]));
  // Shared memory holds garbage on a GPU: all-ones bytes here (NaN as
  // bf16 and f32), so a read before the block's own write shows.
  if (info->shared_memory_bytes > kSharedWindowBytes)
    return refuse(std::to_string(info->shared_memory_bytes) + " bytes of shared memory");
  block.sharedBytes = info->shared_memory_bytes;
  if (block.sharedBytes) {
    block.shared = sharedArena.get();
    if (!block.shared)
      return refuse("no memory for the block's shared memory");
    std::memset(block.shared, 0xff, block.sharedBytes);
  }

  block.fibers.resize(size_t(threads));
  for (uint64_t i = 0; i < threads; ++i) {
    Fiber &fiber = block.fibers[size_t(i)];
    fiber.linear = uint32_t(i);
    fiber.warp = uint32_t(i / block.warpSize);
    fiber.lane = uint32_t(i % block.warpSize);
    fiber.id[0] = uint32_t(i % block.size[0]);
    fiber.id[1] = uint32_t(i / block.size[0] % block.size[1]);
    fiber.id[2] = uint32_t(i / block.size[0] / block.size[1]);
    fiber.stack = &stacks[i];
    prepareContext(fiber.context, *fiber.stack, fiberMain);
  }

  activeBlock = &block;
  for (;;) {
    runRound(block);
    if (!block.error.empty())
      break;
    bool allDone = true, anyRunning = false;
    for (const Fiber &fiber : block.fibers) {
      allDone &= fiber.wait == Wait::Done;
      anyRunning |= fiber.wait == Wait::Running;
    }
    if (allDone)
      break;
    // A warpgroup's wgmma, released by its last warp, leaves the warps run
    // before it to the next round.
    if (anyRunning)
      continue;
    bool released = false;
    // runRound released every warp whose lanes all wait at a collective:
    // what is left is the barrier, or a block that cannot go on.
    if (!releaseBarrier(block, released))
      break;
    if (!released) {
      fail(block, describeDeadlock(block));
      break;
    }
  }
  // The PTX ISA: all tensor memory a CTA allocated must be deallocated
  // before the kernel exits.
  if (block.error.empty() && !block.tmemAllocations.empty())
    fail(block, "the block exited with tensor memory allocated (" + describeAllocations(block) +
                    "): all tensor memory must be deallocated before the kernel exits");

  activeBlock = nullptr;
  if (!block.error.empty()) {
    lastFailure = block.error;
    return 1;
  }
  return 0;
}

Block &running(const char *what) {
  if (!activeBlock || !activeBlock->current) {
    std::fprintf(stderr, "SIMT emulator: %s called outside an emulated block\n", what);
    std::abort();
  }
  return *activeBlock;
}

int32_t specialRegister(int32_t which) {
  Block &block = running("a special register read");
  const Fiber &self = *block.current;
  const sieve_dispatch_state_t &dispatch = *block.dispatch;
  switch (which) {
  case SIEVE_SIMT_THREAD_ID_X:
  case SIEVE_SIMT_THREAD_ID_Y:
  case SIEVE_SIMT_THREAD_ID_Z:
    return int32_t(self.id[which - SIEVE_SIMT_THREAD_ID_X]);
  case SIEVE_SIMT_BLOCK_DIM_X:
  case SIEVE_SIMT_BLOCK_DIM_Y:
  case SIEVE_SIMT_BLOCK_DIM_Z:
    return int32_t(block.size[which - SIEVE_SIMT_BLOCK_DIM_X]);
  case SIEVE_SIMT_BLOCK_ID_X:
  case SIEVE_SIMT_BLOCK_ID_Y:
  case SIEVE_SIMT_BLOCK_ID_Z:
    return int32_t(block.workgroup->workgroup_id[which - SIEVE_SIMT_BLOCK_ID_X]);
  case SIEVE_SIMT_GRID_DIM_X:
  case SIEVE_SIMT_GRID_DIM_Y:
  case SIEVE_SIMT_GRID_DIM_Z:
    return int32_t(dispatch.workgroup_count[which - SIEVE_SIMT_GRID_DIM_X]);
  case SIEVE_SIMT_LANE_ID:
    return int32_t(self.lane);
  case SIEVE_SIMT_WARP_SIZE:
    return int32_t(block.warpSize);
  default:
    fail(block, "special register " + std::to_string(which) + " does not exist");
    return 0;
  }
}

void barrier(int32_t site) {
  running("a barrier");
  yieldToScheduler(Wait::Barrier, site);
}

uint64_t shuffle(int32_t site, int32_t mode, uint32_t memberMask, uint32_t value,
                 uint32_t laneOrOffset, uint32_t maskAndClamp) {
  Block &block = running("a shuffle");
  Fiber &self = *block.current;
  self.mode = mode;
  self.memberMask = memberMask;
  self.value = value;
  self.laneOrOffset = laneOrOffset;
  self.maskAndClamp = maskAndClamp;
  yieldToScheduler(Wait::Shuffle, site);
  return self.shuffled;
}

sieve_simt_f32x4 mma(int32_t site, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                     uint32_t b1, sieve_simt_f32x4 c) {
  Block &block = running("an mma.sync");
  Fiber &self = *block.current;
  const uint32_t a[4] = {a0, a1, a2, a3};
  std::memcpy(self.a, a, sizeof(a));
  self.b[0] = b0;
  self.b[1] = b1;
  for (int i = 0; i < 4; ++i)
    self.c[i] = c[i];
  yieldToScheduler(Wait::Mma, site);
  sieve_simt_f32x4 d = {self.d[0], self.d[1], self.d[2], self.d[3]};
  return d;
}

void wgmma(int32_t site, uint32_t n, uint64_t descriptorA, uint64_t descriptorB,
           float *accumulators) {
  Block &block = running("a wgmma");
  Fiber &self = *block.current;
  self.wgmmaN = n;
  self.descriptorA = descriptorA;
  self.descriptorB = descriptorB;
  self.accumulators = accumulators;
  yieldToScheduler(Wait::Wgmma, site);
}

uint32_t laneMaskCount(int32_t high, uint32_t mask, uint32_t accumulator) {
  Block &block = running("a lane mask count");
  const uint32_t lane = block.current->lane;
  const uint64_t below = lane >= 64 ? ~uint64_t(0) : (uint64_t(1) << lane) - 1;
  const uint32_t half = high ? uint32_t(below >> 32) : uint32_t(below);
  return accumulator + uint32_t(__builtin_popcount(mask & half));
}

uint32_t bpermute(int32_t site, uint32_t byteAddress, uint32_t value) {
  Block &block = running("a ds_bpermute");
  Fiber &self = *block.current;
  self.laneOrOffset = byteAddress;
  self.value = value;
  yieldToScheduler(Wait::Bpermute, site);
  return uint32_t(self.shuffled);
}

sieve_simt_f32x4 mfma(int32_t site, uint64_t a, uint64_t b, sieve_simt_f32x4 c) {
  Block &block = running("an MFMA");
  Fiber &self = *block.current;
  self.a[0] = uint32_t(a);
  self.a[1] = uint32_t(a >> 32);
  self.b[0] = uint32_t(b);
  self.b[1] = uint32_t(b >> 32);
  for (int i = 0; i < 4; ++i)
    self.c[i] = c[i];
  yieldToScheduler(Wait::Mfma, site);
  sieve_simt_f32x4 d = {self.d[0], self.d[1], self.d[2], self.d[3]};
  return d;
}

sieve_simt_f32x4 scaledMfma(int32_t site, const uint32_t *a, const uint32_t *b, uint32_t formats,
                            uint32_t scales, sieve_simt_f32x4 c) {
  Block &block = running("a scaled MFMA");
  Fiber &self = *block.current;
  // E2M1's 32 codes fill 4 words, E4M3FN's 8; the words past them are not
  // the caller's (another format is refused with the wave).
  const auto words = [](uint32_t format) -> size_t {
    return format == kFormatE4m3 ? 8 : format == kFormatE2m1 ? 4 : 0;
  };
  std::memcpy(self.scaledA, a, words(formats & 0xff) * sizeof(uint32_t));
  std::memcpy(self.scaledB, b, words(formats >> 8 & 0xff) * sizeof(uint32_t));
  self.formats = formats;
  self.scales = scales;
  for (int i = 0; i < 4; ++i)
    self.c[i] = c[i];
  yieldToScheduler(Wait::ScaledMfma, site);
  sieve_simt_f32x4 d = {self.d[0], self.d[1], self.d[2], self.d[3]};
  return d;
}

/// An f16's bits for a float that f16 holds exactly (every E4M3 and E2M1
/// value), NaN as the quiet NaN of the float's sign.
uint16_t exactHalf(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  const uint16_t sign = uint16_t((bits >> 16) & 0x8000);
  if (std::isnan(x))
    return uint16_t(sign | 0x7e00);
  if (x == 0.0f)
    return sign;
  const int exponent = int((bits >> 23) & 0xff) - 127;
  const uint32_t significand = (bits & 0x7fffff) | 0x800000;
  if (exponent >= -14)
    return uint16_t(sign | uint32_t(exponent + 15) << 10 | (significand & 0x7fffff) >> 13);
  return uint16_t(sign | significand >> (13 + (-14 - exponent)));
}

uint32_t e4m3x2ToF16x2(uint32_t codes) {
  return uint32_t(exactHalf(num::e4m3ToFloat(uint8_t(codes & 0xff)))) |
         uint32_t(exactHalf(num::e4m3ToFloat(uint8_t((codes >> 8) & 0xff)))) << 16;
}

uint32_t e2m1x2ToF16x2(uint32_t codes) {
  return uint32_t(exactHalf(num::e2m1ToFloat(uint8_t(codes & 0xf)))) |
         uint32_t(exactHalf(num::e2m1ToFloat(uint8_t((codes >> 4) & 0xf)))) << 16;
}

uint64_t floatBits(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}

uint64_t e4m3x2ToF32x2(uint32_t codes) {
  return floatBits(num::e4m3ToFloat(uint8_t(codes & 0xff))) |
         floatBits(num::e4m3ToFloat(uint8_t((codes >> 8) & 0xff))) << 32;
}

uint64_t e2m1x2ToF32x2(uint32_t codes) {
  return floatBits(num::e2m1ToFloat(uint8_t(codes & 0xf))) |
         floatBits(num::e2m1ToFloat(uint8_t((codes >> 4) & 0xf))) << 32;
}

float floatOf(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

/// PTX's cvt.rn.satfinite.e4m3x2.f32: the numerics library's encoder has
/// its semantics (round to nearest even, +-448 for larger magnitudes and
/// infinities, NaN for NaN).
uint32_t f32x2ToE4m3x2(uint32_t a, uint32_t b) {
  return uint32_t(num::e4m3FromFloat(floatOf(a))) << 8 | num::e4m3FromFloat(floatOf(b));
}

/// PTX's cvt.rn.satfinite.e2m1x2.f32: the numerics library's encoder has
/// its semantics (round to nearest even, +-6 for larger magnitudes and
/// infinities, +6 for NaN).
uint32_t f32x2ToE2m1x2(uint32_t a, uint32_t b) {
  return uint32_t(num::e2m1FromFloat(floatOf(a))) << 4 | num::e2m1FromFloat(floatOf(b));
}

void *sharedMemory() {
  Block &block = running("a shared-memory access");
  return block.sharedBytes ? block.shared : nullptr;
}

/// Stops the running thread once its call failed the block (fail): the
/// scheduler runs none of the block's threads again. Its stack is never
/// unwound, so the caller must hold no string or vector then (the checks
/// that fail return first, their messages freed).
[[noreturn]] void stopThread(Block &block) {
  yieldToScheduler(Wait::Failed, block.current->site);
  std::abort(); // a failed thread is never resumed
}

void tmemAlloc(int32_t site, uint32_t *slot, uint32_t columns) {
  Block &block = running("a tcgen05.alloc");
  Fiber &self = *block.current;
  self.tmemSlot = slot;
  self.tmemColumns = columns;
  yieldToScheduler(Wait::TmemAlloc, site);
}

void tmemDealloc(int32_t site, uint32_t address, uint32_t columns) {
  Block &block = running("a tcgen05.dealloc");
  Fiber &self = *block.current;
  self.tmemAddress = address;
  self.tmemColumns = columns;
  yieldToScheduler(Wait::TmemDealloc, site);
}

void tmemStore(int32_t site, uint32_t address, const uint32_t *values, uint32_t count) {
  Block &block = running("a tcgen05.st");
  Fiber &self = *block.current;
  self.tmemAddress = address;
  self.tmemColumns = count;
  self.tmemSource = values;
  yieldToScheduler(Wait::TmemStore, site);
}

void tmemLoad(int32_t site, uint32_t address, uint32_t *values, uint32_t count) {
  Block &block = running("a tcgen05.ld");
  Fiber &self = *block.current;
  self.tmemAddress = address;
  self.tmemColumns = count;
  self.tmemDestination = values;
  yieldToScheduler(Wait::TmemLoad, site);
}

/// The running thread's `what` (site `site`), for messages.
std::string instructionAt(const Block &block, const char *what, int32_t site) {
  return threadName(*block.current) + ": " + what + " (site " + std::to_string(site) + ")";
}

/// The initialized mbarrier at `barrier` and its shared-memory offset, or
/// null with the block failed where there is none.
Mbarrier *initializedMbarrier(Block &block, const char *what, int32_t site, const uint64_t *barrier,
                              uint32_t &offset) {
  if (!sharedOffset(block, barrier, sizeof(uint64_t), offset)) {
    fail(block, instructionAt(block, what, site) +
                    " names an mbarrier outside the block's shared memory or not 8-byte aligned");
    return nullptr;
  }
  auto it = block.mbarriers.find(offset);
  if (it == block.mbarriers.end()) {
    fail(block, instructionAt(block, what, site) + " at shared byte " + std::to_string(offset) +
                    ", which holds no mbarrier (none initialized, or invalidated)");
    return nullptr;
  }
  return &it->second;
}

/// Threads waiting at the mbarrier at `offset` look at it again.
void wakeMbarrierWaiters(Block &block, uint32_t offset) {
  for (Fiber &fiber : block.fibers)
    if (fiber.wait == Wait::Mbarrier && fiber.mbarrierOffset == offset)
      fiber.wait = Wait::Running;
}

/// One arrival; the last one the phase expects completes it (its parity
/// flips and the next phase expects the count again).
void arrive(Block &block, uint32_t offset, Mbarrier &barrier) {
  if (--barrier.pending != 0)
    return;
  ++barrier.phase;
  barrier.pending = barrier.count;
  wakeMbarrierWaiters(block, offset);
}

/// mbarrier.init, or false with the block failed.
bool initMbarrier(Block &block, int32_t site, uint64_t *barrier, uint32_t count) {
  uint32_t offset = 0;
  const auto refuse = [&](const std::string &why) {
    fail(block, instructionAt(block, "mbarrier.init", site) + why);
    return false;
  };
  if (!sharedOffset(block, barrier, sizeof(uint64_t), offset))
    return refuse(" names an mbarrier outside the block's shared memory or not 8-byte aligned");
  if (count == 0 || count >= (uint32_t(1) << 20))
    return refuse(" of " + std::to_string(count) + " arrivals (1 to 2^20 - 1)");
  if (block.mbarriers.count(offset))
    return refuse(" at shared byte " + std::to_string(offset) +
                  " initializes a live mbarrier again (mbarrier.inval it first)");
  block.mbarriers[offset] = Mbarrier{count, count, 0};
  return true;
}

void mbarrierInit(int32_t site, uint64_t *barrier, uint32_t count) {
  Block &block = running("an mbarrier.init");
  if (!initMbarrier(block, site, barrier, count))
    stopThread(block);
}

void mbarrierInval(int32_t site, uint64_t *barrier) {
  Block &block = running("an mbarrier.inval");
  uint32_t offset = 0;
  if (!initializedMbarrier(block, "mbarrier.inval", site, barrier, offset))
    stopThread(block);
  for (const PendingCommit &commit : block.commits)
    if (commit.barrier == offset) {
      fail(block, instructionAt(block, "mbarrier.inval", site) + " at shared byte " +
                      std::to_string(offset) + " invalidates an mbarrier the tcgen05.commit of " +
                      "thread " + std::to_string(commit.thread) + " (site " +
                      std::to_string(commit.site) + ") has still to arrive at");
      stopThread(block);
    }
  block.mbarriers.erase(offset);
  // MMAs committed to it that nobody saw complete can no longer be seen.
  for (AsyncMma &mma : block.mmas)
    for (auto &[arrivedAt, phase] : mma.arrivals)
      if (arrivedAt == offset)
        arrivedAt = kNoMbarrier;
  // Whoever still waits at it fails when it looks again.
  wakeMbarrierWaiters(block, offset);
}

bool mmaBlockScale(Block &block, AsyncMma &mma, bool apply);

/// Makes the arrivals of the commits still due at the mbarrier at `offset`:
/// each computes its thread's MMAs issued before it that are not computed
/// yet (in issue order), then arrives. False with the block failed.
bool settleCommits(Block &block, uint32_t offset, Mbarrier &state) {
  for (size_t c = 0; c < block.commits.size();) {
    const PendingCommit commit = block.commits[c];
    if (commit.barrier != offset) {
      ++c;
      continue;
    }
    block.commits.erase(block.commits.begin() + static_cast<std::ptrdiff_t>(c));
    for (AsyncMma &mma : block.mmas) {
      if (mma.thread != commit.thread || mma.id >= commit.before)
        continue;
      if (!mma.computed && !mmaBlockScale(block, mma, /*apply=*/true))
        return false;
      mma.computed = true;
      mma.arrivals.push_back({offset, state.phase});
    }
    arrive(block, offset, state);
  }
  return true;
}

/// mbarrier.try_wait.parity: whether the phase of parity `parity` has
/// completed, i.e. the current phase has the other parity. Where it has
/// not, the thread waits here until an arrival completes a phase of the
/// barrier (the hardware's try_wait may suspend the thread likewise), so a
/// kernel's retry loop does not spin; if no thread can arrive, the block
/// ends as a deadlock, which names the barrier, instead of hanging.
uint32_t mbarrierTryWaitParity(int32_t site, uint64_t *barrier, uint32_t parity) {
  Block &block = running("an mbarrier.try_wait");
  Fiber &self = *block.current;
  uint32_t offset = 0;
  const auto completed = [&] {
    Mbarrier *state = initializedMbarrier(block, "mbarrier.try_wait.parity", site, barrier, offset);
    if (!state)
      stopThread(block);
    if (!settleCommits(block, offset, *state))
      stopThread(block);
    if ((state->phase & 1) == (parity & 1))
      return false;
    // Phases complete in order: every MMA a commit counted toward a phase
    // before the current one is seen complete, its tensor memory the
    // kernel's again.
    auto seen = [&](const AsyncMma &mma) {
      for (const auto &[arrivedAt, phase] : mma.arrivals)
        if (arrivedAt == offset && phase < state->phase)
          return true;
      return false;
    };
    block.mmas.erase(std::remove_if(block.mmas.begin(), block.mmas.end(), seen), block.mmas.end());
    return true;
  };
  if (completed())
    return 1;
  self.mbarrierOffset = offset;
  self.mbarrierParity = parity & 1;
  yieldToScheduler(Wait::Mbarrier, site);
  // Two phases may have completed since (the parity is all a wait names):
  // then 0, and the kernel asks again.
  return completed() ? 1 : 0;
}

/// A tcgen05 shared-memory matrix descriptor, unswizzled and K-major: the
/// operand's first byte, the bytes from one 8 x 16-byte core matrix to the
/// next along K (leading) and to the next 8 rows (stride).
struct SmemDescriptor {
  uint64_t start = 0, leading = 0, stride = 0;
};

/// Decodes `bits` (the PTX ISA's "shared memory descriptor" of tcgen05):
/// "" where it is one the emulator reads, else what it holds instead.
std::string decodeSmemDescriptor(uint64_t bits, SmemDescriptor &out) {
  if ((bits >> 46 & 7) != 1)
    return "bits 46-48 holding " + std::to_string(bits >> 46 & 7) +
           " instead of the fixed 0b001 of tcgen05 descriptors (a Hopper wgmma descriptor?)";
  if ((bits >> 49 & 7) != 0)
    return "a base offset (bits 49-51), which only swizzled layouts use";
  if ((bits >> 52 & 1) != 0)
    return "the absolute leading-byte-offset mode (bit 52, sm_103a's)";
  if ((bits >> 61) != 0)
    return "swizzling (bits 61-63; only unswizzled operands are emulated)";
  constexpr uint64_t kReserved = uint64_t(0x3) << 14 | uint64_t(0x3) << 30 | uint64_t(0xff) << 53;
  if ((bits & kReserved) != 0)
    return "reserved bits set (" + hex(bits & kReserved) + ")";
  out.start = (bits & 0x3fff) << 4;
  out.leading = (bits >> 16 & 0x3fff) << 4;
  out.stride = (bits >> 32 & 0x3fff) << 4;
  return "";
}

/// kind::mxf8f6f4's element formats (instruction descriptor bits 7-9 for
/// A, 10-12 for B) the emulator decodes.
constexpr uint32_t kTcgen05E4m3 = 0, kTcgen05E2m1 = 5;

const char *tcgen05FormatName(uint32_t format) {
  switch (format) {
  case 0:
    return "E4M3";
  case 1:
    return "E5M2";
  case 3:
    return "E2M3";
  case 4:
    return "E3M2";
  case 5:
    return "E2M1";
  default:
    return "no format";
  }
}

/// x + y rounded once to f32: the double sum rounded to odd where it is
/// inexact (TwoSum gives its error exactly), which then rounds to f32 as
/// the exact sum would (53 bits >= 24 + 2).
float addRoundedOnce(double x, double y) {
  double sum = x + y;
  const double yPart = sum - x;
  const double error = (x - (sum - yPart)) + (y - yPart);
  if (error != 0 && std::isfinite(sum)) {
    uint64_t bits;
    std::memcpy(&bits, &sum, sizeof(bits));
    if ((bits & 1) == 0)
      sum = std::nextafter(sum, error > 0 ? INFINITY : -INFINITY);
  }
  return float(sum);
}

/// tcgen05.mma.cta_group::1.kind::mxf8f6f4.block_scale.block32 by the
/// calling thread, completed here: D[128][N] (+)= Σ_k<32 A[m][k] 2^(sa[m]
/// - 127) B[n][k] 2^(sb[n] - 127), A and B read through their descriptors
/// (K-major, unswizzled; an E2M1 element in its byte slot's 16-byte chunk
/// at byte (k % 16) / 2, even k in the low nibble: the padded layout), the
/// scales from tensor memory (CUTLASS's layout: row r's at lane r % 32 of
/// column (the scale address's column) + r / 32, byte (the descriptor's
/// scale id), duplicated in all four lane quarters), D at lane m, column
/// (D's column) + n. Every operand the emulator does not decode, or that
/// reads outside shared memory or the live tensor memory, fails the block.
/// Checks `mma` against the tensor and shared memory as they are now and
/// records its tensor-memory columns; with `apply`, also multiplies and
/// accumulates into D. False with the block failed.
bool mmaBlockScale(Block &block, AsyncMma &mma, bool apply) {
  const uint32_t d = mma.d, instruction = mma.instruction, scaleA = mma.scaleA, scaleB = mma.scaleB,
                 enableInputD = mma.enableInputD;
  const uint64_t descriptorA = mma.descriptorA, descriptorB = mma.descriptorB;
  const std::string at =
      apply ? "the tcgen05.mma.block_scale of thread " + std::to_string(mma.thread) + " (site " +
                  std::to_string(mma.site) + "), computed when " + threadName(*block.current) +
                  " looked at the mbarrier its commit arrives at,"
            : instructionAt(block, "tcgen05.mma.block_scale", mma.site);
  const auto refuse = [&](const std::string &why) {
    fail(block, at + " " + why);
    return false;
  };

  // The instruction descriptor (the PTX ISA's table for kind::mxf8f6f4).
  constexpr uint32_t kReserved = 0x8700004Bu; // bits 0, 1, 3, 6, 24-26 and 31
  if ((instruction & kReserved) != 0)
    return refuse("has reserved bits of its instruction descriptor " + hex(instruction) + " set (" +
                  hex(instruction & kReserved) + ")");
  if ((instruction >> 2 & 1) != 0)
    return refuse("is sparse (instruction descriptor bit 2), which is not emulated");
  if ((instruction >> 13 & 3) != 0)
    return refuse("negates A or B (instruction descriptor bits 13-14), which is not emulated");
  if ((instruction >> 15 & 3) != 0)
    return refuse(
        "transposes A or B (instruction descriptor bits 15-16); only K-major operands are "
        "emulated");
  if ((instruction >> 23 & 1) == 0)
    return refuse(
        "has UE4M3 scales (instruction descriptor bit 23 clear); kind::mxf8f6f4 takes UE8M0");
  if ((instruction >> 27 & 3) != 1)
    return refuse("has M = " + std::to_string(128 * (instruction >> 27 & 3)) +
                  " (instruction descriptor bits 27-28 hold M >> 7); cta_group::1 takes M = 128");
  const uint32_t n = (instruction >> 17 & 0x3f) * 8;
  if (n == 0 || n > 256)
    return refuse("has N = " + std::to_string(n) +
                  " (instruction descriptor bits 17-22 hold N >> 3); N is 8 to 256");
  const uint32_t formatA = instruction >> 7 & 7, formatB = instruction >> 10 & 7;
  for (const auto &[format, side] : {std::pair{formatA, "A"}, std::pair{formatB, "B"}})
    if (format != kTcgen05E4m3 && format != kTcgen05E2m1)
      return refuse("has " + std::string(side) + " in format " + std::to_string(format) + " (" +
                    tcgen05FormatName(format) +
                    "), which is not emulated (E4M3 = 0 and E2M1 = 5 are)");
  const uint32_t idA = instruction >> 29 & 3, idB = instruction >> 4 & 3;

  // D and the scales in tensor memory.
  const uint32_t dColumn = d & 0xffff;
  if (d >> 16 != 0)
    return refuse("has D at address " + hex(d) + ": its lane must be 0 (M = 128 spans all lanes)");
  if (!allocated(block, dColumn, n))
    return refuse(
        "writes D to columns " + std::to_string(dColumn) + ".." + std::to_string(dColumn + n - 1) +
        " outside the block's tensor memory allocations (allocated: " + describeAllocations(block) +
        ")");
  mma.column[0] = dColumn;
  mma.columns[0] = n;
  struct ScaleOperand {
    const char *side;
    uint32_t address, id, rows;
  };
  std::vector<double> scales[2];
  for (const ScaleOperand &operand :
       {ScaleOperand{"A", scaleA, idA, 128}, ScaleOperand{"B", scaleB, idB, n}}) {
    const std::string name = "scale " + std::string(operand.side);
    if ((operand.address >> 16 & 0x3fff) != 0)
      return refuse("has " + name + " at address " + hex(operand.address) + ": its lane must be 0");
    // CUTLASS puts the scale's byte in bits 30-31 of its address too.
    if (operand.address >> 30 != operand.id)
      return refuse("has " + name + " at address " + hex(operand.address) +
                    ", whose bits 30-31 hold " + std::to_string(operand.address >> 30) +
                    " but the instruction descriptor's SF" + operand.side + " id " +
                    std::to_string(operand.id) +
                    " (the emulator follows CUTLASS, which sets them equal)");
    const uint32_t column0 = operand.address & 0xffff, columns = (operand.rows + 31) / 32;
    if (!allocated(block, column0, columns))
      return refuse("reads " + name + " from columns " + std::to_string(column0) + ".." +
                    std::to_string(column0 + columns - 1) +
                    " outside the block's tensor memory allocations (allocated: " +
                    describeAllocations(block) + ")");
    const int role = operand.side[0] == 'A' ? 1 : 2;
    mma.column[role] = column0;
    mma.columns[role] = columns;
    std::vector<double> &rowScales = scales[operand.side[0] == 'B'];
    for (uint32_t row = 0; row < operand.rows; ++row) {
      const uint32_t column = column0 + row / 32;
      const auto byteAt = [&](uint32_t lane) {
        return uint8_t(block.tmem[size_t(lane) * kTmemColumns + column] >> (8 * operand.id));
      };
      const uint32_t lane = row % 32;
      const uint8_t code = byteAt(lane);
      for (uint32_t quarter = 1; quarter < 4; ++quarter)
        if (byteAt(lane + 32 * quarter) != code)
          return refuse(
              "reads " + name + " of row " + std::to_string(row) + " from byte " +
              std::to_string(operand.id) + " of column " + std::to_string(column) + ": lane " +
              std::to_string(lane) + " holds " + hex(code) + " but lane " +
              std::to_string(lane + 32 * quarter) + " " + hex(byteAt(lane + 32 * quarter)) +
              "; the scales must be duplicated in all four lane quarters (each warp of the "
              "warpgroup stores its quarter's copy)");
      rowScales.push_back(e8m0Scale(code));
    }
  }

  // A and B in shared memory.
  std::vector<double> values[2];
  for (const auto &[bits, side, rows, format] :
       {std::tuple{descriptorA, "A", uint32_t(128), formatA},
        std::tuple{descriptorB, "B", n, formatB}}) {
    SmemDescriptor descriptor;
    if (std::string why = decodeSmemDescriptor(bits, descriptor); !why.empty())
      return refuse("has a shared memory descriptor for " + std::string(side) + " (" + hex(bits) +
                    ") with " + why);
    std::vector<double> &out = values[side[0] == 'B'];
    out.resize(size_t(rows) * 32);
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t k = 0; k < 32; ++k) {
        const uint64_t chunk =
            descriptor.start + r / 8 * descriptor.stride + k / 16 * descriptor.leading + r % 8 * 16;
        const uint64_t byte = format == kTcgen05E2m1 ? chunk + k % 16 / 2 : chunk + k % 16;
        if (byte >= block.sharedBytes)
          return refuse("reads " + std::string(side) + "[" + std::to_string(r) + "][" +
                        std::to_string(k) + "] at byte " + std::to_string(byte) + " of " +
                        std::to_string(block.sharedBytes) + " bytes of shared memory");
        const uint8_t code = block.shared[byte];
        out[size_t(r) * 32 + k] = format == kTcgen05E2m1
                                      ? num::e2m1ToFloat(uint8_t(code >> (4 * (k % 2)) & 0xf))
                                      : num::e4m3ToFloat(code);
      }
  }

  if (!apply)
    return true;
  for (uint32_t m = 0; m < 128; ++m)
    for (uint32_t j = 0; j < n; ++j) {
      // E4M3 and E2M1 values are integers times 2^-9 below 2^18 of them,
      // so the 32 products and their sum are exact in double, and so is
      // the scaling by powers of two; then one rounding to f32 with D (the
      // hardware's order and intermediate precision are unspecified).
      double sum = 0;
      for (uint32_t k = 0; k < 32; ++k)
        sum += values[0][size_t(m) * 32 + k] * values[1][size_t(j) * 32 + k];
      sum *= scales[0][m] * scales[1][j];
      uint32_t &cell = block.tmem[size_t(m) * kTmemColumns + dColumn + j];
      const double old = enableInputD ? double(floatOf(cell)) : 0.0;
      cell = uint32_t(floatBits(addRoundedOnce(old, sum)));
    }
  return true;
}

void tcgen05MmaBlockScale(int32_t site, uint32_t d, uint64_t descriptorA, uint64_t descriptorB,
                          uint32_t instruction, uint32_t scaleA, uint32_t scaleB,
                          uint32_t enableInputD) {
  Block &block = running("a tcgen05.mma");
  // In the block's list first: a failed thread's stack is abandoned, so it
  // must own nothing on the heap when it stops.
  AsyncMma &mma = block.mmas.emplace_back();
  mma.id = block.nextMmaId++;
  mma.thread = block.current->linear;
  mma.site = site;
  mma.d = d;
  mma.descriptorA = descriptorA;
  mma.descriptorB = descriptorB;
  mma.instruction = instruction;
  mma.scaleA = scaleA;
  mma.scaleB = scaleB;
  mma.enableInputD = enableInputD;
  if (!mmaBlockScale(block, mma, /*apply=*/false))
    stopThread(block);
}

/// tcgen05.commit: the mbarrier is to get an arrival once the thread's MMAs
/// issued so far complete, which the emulator makes when a thread first
/// looks at the barrier (threads already waiting there look again).
void tcgen05Commit(int32_t site, uint64_t *barrier) {
  Block &block = running("a tcgen05.commit");
  uint32_t offset = 0;
  if (!initializedMbarrier(block, "tcgen05.commit", site, barrier, offset))
    stopThread(block);
  const uint32_t thread = block.current->linear;
  for (AsyncMma &mma : block.mmas)
    mma.commits += mma.thread == thread;
  block.commits.push_back({thread, offset, site, block.nextMmaId});
  wakeMbarrierWaiters(block, offset);
}

const sieve_simt_runtime_t kRuntime = {runBlock,      specialRegister,
                                       barrier,       shuffle,
                                       mma,           e4m3x2ToF16x2,
                                       e2m1x2ToF16x2, sharedMemory,
                                       laneMaskCount, bpermute,
                                       mfma,          e4m3x2ToF32x2,
                                       e2m1x2ToF32x2, f32x2ToE4m3x2,
                                       f32x2ToE2m1x2, wgmma,
                                       scaledMfma,    tmemAlloc,
                                       tmemDealloc,   tmemStore,
                                       tmemLoad,      tcgen05MmaBlockScale,
                                       tcgen05Commit, mbarrierInit,
                                       mbarrierInval, mbarrierTryWaitParity};

} // namespace

const sieve_simt_runtime_t *runtime() { return &kRuntime; }

void setScheduleOrder(ScheduleOrder order) { scheduleOrder = order; }

std::string lastError() { return lastFailure; }

} // namespace sieve::simt
