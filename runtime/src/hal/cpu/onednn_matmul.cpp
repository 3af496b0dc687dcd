//===- onednn_matmul.cpp - oneDNN GEMMs as CPU library kernels ------------===//
//
// See onednn_matmul.h. oneDNN 2.6 has no FP8, so each workgroup decodes its
// weight rows to bf16 first (a table lookup per code, one table per scale
// block) into a buffer of its thread: the weight is never held decoded whole,
// and no memory grows with the model. One primitive per shape, shared by all
// threads; each thread brings its own scratchpad, so concurrent executions
// of one primitive share no state.
//
//===----------------------------------------------------------------------===//

#include "onednn_matmul.h"

#include "sieve/hal/cpu/library_kernels.h"
#include "sieve/numerics/float_formats.h"

#include <dnnl.hpp>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <tuple>
#include <vector>

// The OpenMP runtime oneDNN is built on (Debian's libdnnl: libgomp).
extern "C" int omp_get_max_threads(void);
extern "C" void omp_set_num_threads(int);

namespace sieve::hal::cpu {
namespace {

enum Binding : uint32_t { kActivation, kWeight, kWeightScales, kResult, kBindingCount };
enum Constant : uint32_t {
  kRows,
  kColumns,
  kDepth,
  kScaleBlockRows,
  kScaleBlockDepth,
  kColumnsPerWorkgroup,
  kGroups,
  kConstantCount
};

bool isScaleBlock(uint32_t block) { return block == 32 || block == 64 || block == 128; }

/// The engine every primitive runs on (the CPU, created once).
const dnnl::engine &cpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

/// A matmul for one shape, with its operands' and scratchpad's layouts.
struct Gemm {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul primitive;
  size_t scratchpadBytes = 0;
};

/// rows x depth (rows `lda` elements apart) times (columns x depth)^T into a
/// result `ldc` elements per row; one per shape, built on first use. Rows
/// kRuntimeRows: given at each run (the experts' row counts vary per call;
/// oneDNN then picks a GEMM that takes them, a little slower than one made
/// for a fixed count, and one primitive serves every count).
using GemmKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, bool>;
constexpr int64_t kRuntimeRows = DNNL_RUNTIME_DIM_VAL;

/// Fixed-row primitives kept at most (a prefill's chunk lengths, times a
/// model's few shapes); past that, row counts not yet seen share the
/// runtime-row primitive of their shape, so no prompt mix grows memory.
constexpr size_t kMaxFixedRowGemms = 256;

std::shared_ptr<const Gemm> gemmFor(GemmKey key) {
  static std::mutex mutex;
  static std::map<GemmKey, std::shared_ptr<const Gemm>> gemms;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = gemms.find(key);
  if (found != gemms.end())
    return found->second;
  if (std::get<0>(key) != kRuntimeRows && gemms.size() >= kMaxFixedRowGemms) {
    std::get<0>(key) = kRuntimeRows;
    found = gemms.find(key);
    if (found != gemms.end())
      return found->second;
  }
  auto [rows, columns, depth, lda, ldc, f32Result] = key; // rows may be kRuntimeRows
  using dt = dnnl::memory::data_type;
  dnnl::memory::desc a({rows, depth}, dt::bf16, dnnl::memory::dims{lda, 1});
  // The weight rows are [columns][depth]: as the [depth, columns] operand,
  // element (k, n) sits at n * depth + k.
  dnnl::memory::desc b({depth, columns}, dt::bf16, dnnl::memory::dims{1, depth});
  dnnl::memory::desc c({rows, columns}, f32Result ? dt::f32 : dt::bf16, dnnl::memory::dims{ldc, 1});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), attr, cpuEngine());
  auto gemm = std::make_shared<Gemm>();
  gemm->pd = pd;
  gemm->primitive = dnnl::matmul(pd);
  gemm->scratchpadBytes = pd.scratchpad_desc().get_size();
  gemms.emplace(key, gemm);
  return gemm;
}

/// Each worker's buffers: the decoded weight rows and the scratchpad.
struct WorkerBuffers {
  std::vector<uint16_t> weight;
  std::vector<uint8_t> scratchpad;
};

WorkerBuffers &workerBuffers() {
  thread_local WorkerBuffers buffers;
  return buffers;
}

/// Weight rows [first, first + count) decoded to bf16 bits, [count][depth].
void decodeWeightRows(const uint8_t *codes, const uint8_t *scales, uint32_t first, uint32_t count,
                      uint32_t depth, uint32_t blockRows, uint32_t blockDepth, uint16_t *out) {
  static const std::array<float, 256> kCodeValues = [] {
    std::array<float, 256> values{};
    for (unsigned code = 0; code < 256; ++code)
      values[code] = num::e4m3ToFloat(static_cast<uint8_t>(code));
    return values;
  }();
  const uint32_t depthBlocks = depth / blockDepth;
  std::array<uint16_t, 256> table;
  for (uint32_t row = first; row < first + count;) {
    const uint32_t blockEnd = std::min(first + count, (row / blockRows + 1) * blockRows);
    for (uint32_t kb = 0; kb < depthBlocks; ++kb) {
      // Code times its block's power-of-two scale: exact in bf16.
      const float scale = num::e8m0ToFloat(scales[(row / blockRows) * depthBlocks + kb]);
      for (unsigned code = 0; code < 256; ++code)
        table[code] = num::bf16FromFloat(kCodeValues[code] * scale);
      for (uint32_t r = row; r < blockEnd; ++r) {
        const uint8_t *in = codes + size_t(r) * depth + size_t(kb) * blockDepth;
        uint16_t *to = out + size_t(r - first) * depth + size_t(kb) * blockDepth;
        for (uint32_t k = 0; k < blockDepth; ++k)
          to[k] = table[in[k]];
      }
    }
    row = blockEnd;
  }
}

/// bf16 bits of an exact float (the decoded weights: no rounding needed).
uint16_t exactBf16Bits(float exact) {
  uint32_t bits;
  std::memcpy(&bits, &exact, 4);
  return static_cast<uint16_t>(bits >> 16);
}

/// The E2M1 values as bf16 bits at scale 1, by code.
const std::array<uint16_t, 16> &e2m1Bf16() {
  static const std::array<uint16_t, 16> table = [] {
    std::array<uint16_t, 16> values{};
    for (unsigned code = 0; code < 16; ++code)
      values[code] = exactBf16Bits(num::e2m1ToFloat(static_cast<uint8_t>(code)));
    return values;
  }();
  return table;
}

/// One 1x32 block: 16 bytes of E2M1 pairs times 2^(scale - 127).
void decodeMxfp4Block(const uint8_t *pairs, uint8_t scale, uint16_t *to) {
  const float factor = num::e8m0ToFloat(scale);
  for (uint32_t j = 0; j < 16; ++j) {
    to[2 * j] = exactBf16Bits(num::e2m1ToFloat(pairs[j] & 15) * factor);
    to[2 * j + 1] = exactBf16Bits(num::e2m1ToFloat(pairs[j] >> 4) * factor);
  }
}

/// Scales whose products stay normal bf16 for every E2M1 value (exponents
/// -1 to 2): adding the scale's exponent to the bf16 exponent field is then
/// the exact product. Others (and NaN, 255) take the float path.
bool shiftsExactly(uint8_t scale) { return scale >= 2 && scale <= 252; }

#if defined(__x86_64__)
/// The blocks of one weight row with AVX-512: 32 codes to 32 bf16 per step,
/// a table lookup (vpermw) and the scale's exponent added to the nonzero
/// values. Most of a prefill's expert GEMM time is this decode, since each
/// expert's weight is decoded once per call for few rows.
__attribute__((target("avx512f,avx512bw"))) void
decodeMxfp4RowAvx512(const uint8_t *row, const uint8_t *scales, uint32_t blocks, uint16_t *to) {
  const __m512i table = _mm512_castsi256_si512(
      _mm256_loadu_si256(reinterpret_cast<const __m256i *>(e2m1Bf16().data())));
  const __m128i lowNibbles = _mm_set1_epi8(0x0F);
  const __m512i magnitudeBits = _mm512_set1_epi16(7);
  for (uint32_t kb = 0; kb < blocks; ++kb) {
    if (!shiftsExactly(scales[kb])) {
      decodeMxfp4Block(row + kb * 16, scales[kb], to + kb * 32);
      continue;
    }
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(row + kb * 16));
    const __m128i low = _mm_and_si128(bytes, lowNibbles);
    const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), lowNibbles);
    // Codes in order: code 2j is byte j's low nibble, 2j + 1 its high one.
    const __m512i codes = _mm512_cvtepu8_epi16(
        _mm256_set_m128i(_mm_unpackhi_epi8(low, high), _mm_unpacklo_epi8(low, high)));
    __m512i values = _mm512_permutexvar_epi16(codes, table);
    const __mmask32 nonzero = _mm512_test_epi16_mask(codes, magnitudeBits);
    values = _mm512_mask_add_epi16(
        values, nonzero, values,
        _mm512_set1_epi16(static_cast<int16_t>((int(scales[kb]) - 127) * 128)));
    _mm512_storeu_si512(to + kb * 32, values);
  }
}
#endif

/// E2M1 codes (two per byte, low nibble first) times their 1x32 blocks'
/// E8M0 scales for weight rows [first, first + count) of the [rows, depth]
/// stack, as bf16 bits [count][depth]. Exact: E2M1 values have 2
/// significant bits.
void decodeMxfp4Rows(const uint8_t *codes, const uint8_t *scales, uint32_t first, uint32_t count,
                     uint32_t depth, uint16_t *out) {
  const uint32_t blocks = depth / 32;
#if defined(__x86_64__)
  static const bool kAvx512 = __builtin_cpu_supports("avx512bw");
#else
  constexpr bool kAvx512 = false;
#endif
  for (uint32_t r = first; r < first + count; ++r) {
    const uint8_t *row = codes + size_t(r) * (depth / 2);
    const uint8_t *rowScales = scales + size_t(r) * blocks;
    uint16_t *to = out + size_t(r - first) * depth;
#if defined(__x86_64__)
    if (kAvx512) {
      decodeMxfp4RowAvx512(row, rowScales, blocks, to);
      continue;
    }
#endif
    for (uint32_t kb = 0; kb < blocks; ++kb)
      decodeMxfp4Block(row + kb * 16, rowScales[kb], to + kb * 32);
  }
}

/// Runs oneDNN on this thread alone, restoring the thread's OpenMP setting.
class SingleThreadedOpenMP {
public:
  SingleThreadedOpenMP() : saved_(omp_get_max_threads()) {
    if (saved_ != 1)
      omp_set_num_threads(1);
  }
  ~SingleThreadedOpenMP() {
    if (saved_ != 1)
      omp_set_num_threads(saved_);
  }

private:
  int saved_;
};

/// C[rows, columns] (`ldc` apart) = A[rows, depth] (`lda` apart) times the
/// worker's decoded weight rows [columns][depth], on this thread.
void runGemm(WorkerBuffers &buffers, int64_t rows, int64_t columns, int64_t depth, int64_t lda,
             int64_t ldc, bool f32Result, const uint16_t *activation, void *result,
             bool fixedRows) {
  SingleThreadedOpenMP oneThread;
  std::shared_ptr<const Gemm> gemm =
      gemmFor(GemmKey(fixedRows ? rows : kRuntimeRows, columns, depth, lda, ldc, f32Result));
  if (buffers.scratchpad.size() < gemm->scratchpadBytes)
    buffers.scratchpad.resize(gemm->scratchpadBytes);
  const dnnl::engine &engine = cpuEngine();
  thread_local dnnl::stream stream(engine);
  using dt = dnnl::memory::data_type;
  // The operands as this call's sizes (a runtime-row primitive has none).
  dnnl::memory a(dnnl::memory::desc({rows, depth}, dt::bf16, dnnl::memory::dims{lda, 1}), engine,
                 const_cast<uint16_t *>(activation));
  dnnl::memory b(gemm->pd.weights_desc(), engine, buffers.weight.data());
  dnnl::memory out(dnnl::memory::desc({rows, columns}, f32Result ? dt::f32 : dt::bf16,
                                      dnnl::memory::dims{ldc, 1}),
                   engine, result);
  dnnl::memory scratchpad(gemm->pd.scratchpad_desc(), engine, buffers.scratchpad.data());
  gemm->primitive.execute(stream, {{DNNL_ARG_SRC, a},
                                   {DNNL_ARG_WEIGHTS, b},
                                   {DNNL_ARG_DST, out},
                                   {DNNL_ARG_SCRATCHPAD, scratchpad}});
  stream.wait();
}

/// Runs a workgroup's decode and GEMM: what oneDNN or the buffers throw is
/// the kernel's failure code (no exception crosses the kernel ABI).
template <typename Body> int32_t guardedWorkgroup(Body &&body) {
  try {
    body();
  } catch (const dnnl::error &) {
    return kLibraryKernelFailed;
  } catch (const std::bad_alloc &) {
    return kLibraryKernelFailed;
  }
  return 0;
}

int32_t matmulFp8Weight(const sieve_dispatch_state_t *dispatch,
                        const sieve_workgroup_state_t *workgroup, bool f32Result) {
  if (dispatch->binding_count != kBindingCount || dispatch->constant_count != kConstantCount)
    return kLibraryKernelBadArguments;
  const uint32_t *c = dispatch->constants;
  const uint32_t rows = c[kRows], columns = c[kColumns], depth = c[kDepth];
  const uint32_t blockRows = c[kScaleBlockRows], blockDepth = c[kScaleBlockDepth];
  const uint32_t perWorkgroup = c[kColumnsPerWorkgroup], groups = c[kGroups];
  if (columns == 0 || depth == 0 || groups == 0 || !isScaleBlock(blockRows) ||
      !isScaleBlock(blockDepth) || depth % blockDepth != 0 || perWorkgroup == 0 ||
      perWorkgroup % blockRows != 0)
    return kLibraryKernelBadArguments;
  // Workgroups run group by group, each group's columns in tiles.
  const uint64_t tilesPerGroup = (uint64_t(columns) + perWorkgroup - 1) / perWorkgroup;
  const uint64_t group = workgroup->workgroup_id[0] / tilesPerGroup;
  const uint64_t first = workgroup->workgroup_id[0] % tilesPerGroup * perWorkgroup;
  if (group >= groups)
    return kLibraryKernelBadArguments;
  if (rows == 0)
    return 0;
  const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(perWorkgroup, columns - first));
  // Group g reads depth values at g * depth of each activation row, weight
  // rows from g * columns, and writes columns at g * columns of each row.
  const uint64_t allColumns = uint64_t(groups) * columns, allDepth = uint64_t(groups) * depth;
  const uint64_t scaleRows = (allColumns + blockRows - 1) / blockRows;
  const size_t *length = dispatch->binding_lengths;
  if (length[kActivation] < uint64_t(rows) * allDepth * 2 || length[kWeight] < allColumns * depth ||
      length[kWeightScales] < scaleRows * (depth / blockDepth) ||
      length[kResult] < uint64_t(rows) * allColumns * (f32Result ? 4 : 2))
    return kLibraryKernelBadArguments;
  const uint64_t firstRow = group * columns + first; // of the weight, and the result's column

  return guardedWorkgroup([&] {
    WorkerBuffers &buffers = workerBuffers();
    buffers.weight.resize(size_t(count) * depth);
    decodeWeightRows(static_cast<const uint8_t *>(dispatch->binding_ptrs[kWeight]),
                     static_cast<const uint8_t *>(dispatch->binding_ptrs[kWeightScales]),
                     static_cast<uint32_t>(firstRow), count, depth, blockRows, blockDepth,
                     buffers.weight.data());
    runGemm(buffers, rows, count, depth, int64_t(allDepth), int64_t(allColumns), f32Result,
            static_cast<const uint16_t *>(dispatch->binding_ptrs[kActivation]) + group * depth,
            static_cast<uint8_t *>(dispatch->binding_ptrs[kResult]) +
                firstRow * (f32Result ? 4 : 2),
            /*fixedRows=*/true);
  });
}

enum ExpertBinding : uint32_t {
  kExpertActivation,
  kExpertWeight,
  kExpertWeightScales,
  kExpertOffsets,
  kExpertResult,
  kExpertBindingCount
};
enum ExpertConstant : uint32_t {
  kExpertRows,
  kExpertColumns,
  kExpertDepth,
  kExperts,
  kExpertColumnsPerWorkgroup,
  kExpertConstantCount
};

int32_t groupedMatmulMxfp4Weight(const sieve_dispatch_state_t *dispatch,
                                 const sieve_workgroup_state_t *workgroup, bool f32Result) {
  if (dispatch->binding_count != kExpertBindingCount ||
      dispatch->constant_count != kExpertConstantCount)
    return kLibraryKernelBadArguments;
  const uint32_t *c = dispatch->constants;
  const uint32_t rows = c[kExpertRows], columns = c[kExpertColumns], depth = c[kExpertDepth];
  const uint32_t experts = c[kExperts], perWorkgroup = c[kExpertColumnsPerWorkgroup];
  if (columns == 0 || depth == 0 || depth % 32 != 0 || experts == 0 || perWorkgroup == 0)
    return kLibraryKernelBadArguments;
  const uint64_t tilesPerExpert = (uint64_t(columns) + perWorkgroup - 1) / perWorkgroup;
  const uint64_t expert = workgroup->workgroup_id[0] / tilesPerExpert;
  const uint64_t first = workgroup->workgroup_id[0] % tilesPerExpert * perWorkgroup;
  if (expert >= experts)
    return kLibraryKernelBadArguments;
  const size_t outBytes = f32Result ? 4 : 2;
  const size_t *length = dispatch->binding_lengths;
  if (length[kExpertActivation] < uint64_t(rows) * depth * 2 ||
      length[kExpertWeight] < uint64_t(experts) * columns * (depth / 2) ||
      length[kExpertWeightScales] < uint64_t(experts) * columns * (depth / 32) ||
      length[kExpertOffsets] < (uint64_t(experts) + 1) * 4 ||
      length[kExpertResult] < uint64_t(rows) * columns * outBytes)
    return kLibraryKernelBadArguments;
  // Rows offsets[e] ..< offsets[e + 1] are expert e's; rows from
  // offsets[E] on are zeros. A kernel computed them: check, never trust.
  const auto *offsets = static_cast<const int32_t *>(dispatch->binding_ptrs[kExpertOffsets]);
  const int32_t begin = offsets[expert], end = offsets[expert + 1], used = offsets[experts];
  if (begin < 0 || begin > end || end > used || uint32_t(used) > rows)
    return kLibraryKernelBadArguments;
  const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(perWorkgroup, columns - first));
  auto *result = static_cast<uint8_t *>(dispatch->binding_ptrs[kExpertResult]);
  if (expert == 0)
    for (uint32_t r = uint32_t(used); r < rows; ++r)
      std::memset(result + (size_t(r) * columns + first) * outBytes, 0, count * outBytes);
  if (begin == end)
    return 0; // no token chose this expert: its weight is not read

  return guardedWorkgroup([&] {
    WorkerBuffers &buffers = workerBuffers();
    buffers.weight.resize(size_t(count) * depth);
    decodeMxfp4Rows(static_cast<const uint8_t *>(dispatch->binding_ptrs[kExpertWeight]),
                    static_cast<const uint8_t *>(dispatch->binding_ptrs[kExpertWeightScales]),
                    static_cast<uint32_t>(expert * columns + first), count, depth,
                    buffers.weight.data());
    // An expert's row count changes with every call: one runtime-row GEMM.
    runGemm(buffers, end - begin, count, depth, depth, columns, f32Result,
            static_cast<const uint16_t *>(dispatch->binding_ptrs[kExpertActivation]) +
                size_t(begin) * depth,
            result + (size_t(begin) * columns + first) * outBytes, /*fixedRows=*/false);
  });
}

} // namespace

int32_t onednnMatmulFp8wBf16(const sieve_dispatch_state_t *dispatch,
                             const sieve_workgroup_state_t *workgroup) {
  return matmulFp8Weight(dispatch, workgroup, /*f32Result=*/false);
}

int32_t onednnMatmulFp8wF32(const sieve_dispatch_state_t *dispatch,
                            const sieve_workgroup_state_t *workgroup) {
  return matmulFp8Weight(dispatch, workgroup, /*f32Result=*/true);
}

int32_t onednnGroupedMatmulMxfp4wBf16(const sieve_dispatch_state_t *dispatch,
                                      const sieve_workgroup_state_t *workgroup) {
  return groupedMatmulMxfp4Weight(dispatch, workgroup, /*f32Result=*/false);
}

int32_t onednnGroupedMatmulMxfp4wF32(const sieve_dispatch_state_t *dispatch,
                                     const sieve_workgroup_state_t *workgroup) {
  return groupedMatmulMxfp4Weight(dispatch, workgroup, /*f32Result=*/true);
}

} // namespace sieve::hal::cpu
