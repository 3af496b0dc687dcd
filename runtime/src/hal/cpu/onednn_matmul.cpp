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

/// rows x depth times (columns x depth)^T into a result `ldc` elements per
/// row; one per shape, built on first use.
using GemmKey = std::tuple<int64_t, int64_t, int64_t, int64_t, bool>;

std::shared_ptr<const Gemm> gemmFor(const GemmKey &key) {
  static std::mutex mutex;
  static std::map<GemmKey, std::shared_ptr<const Gemm>> gemms;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = gemms.find(key);
  if (found != gemms.end())
    return found->second;
  auto [rows, columns, depth, ldc, f32Result] = key;
  using dt = dnnl::memory::data_type;
  dnnl::memory::desc a({rows, depth}, dt::bf16, dnnl::memory::dims{depth, 1});
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

int32_t matmulFp8Weight(const sieve_dispatch_state_t *dispatch,
                        const sieve_workgroup_state_t *workgroup, bool f32Result) {
  if (dispatch->binding_count != kBindingCount || dispatch->constant_count != kConstantCount)
    return kLibraryKernelBadArguments;
  const uint32_t *c = dispatch->constants;
  const uint32_t rows = c[kRows], columns = c[kColumns], depth = c[kDepth];
  const uint32_t blockRows = c[kScaleBlockRows], blockDepth = c[kScaleBlockDepth];
  const uint32_t perWorkgroup = c[kColumnsPerWorkgroup];
  if (columns == 0 || depth == 0 || !isScaleBlock(blockRows) || !isScaleBlock(blockDepth) ||
      depth % blockDepth != 0 || perWorkgroup == 0 || perWorkgroup % blockRows != 0)
    return kLibraryKernelBadArguments;
  const uint64_t first = uint64_t(workgroup->workgroup_id[0]) * perWorkgroup;
  if (first >= columns)
    return kLibraryKernelBadArguments;
  if (rows == 0)
    return 0;
  const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(perWorkgroup, columns - first));
  const uint64_t scaleRows = (uint64_t(columns) + blockRows - 1) / blockRows;
  const size_t *length = dispatch->binding_lengths;
  if (length[kActivation] < uint64_t(rows) * depth * 2 ||
      length[kWeight] < uint64_t(columns) * depth ||
      length[kWeightScales] < scaleRows * (depth / blockDepth) ||
      length[kResult] < uint64_t(rows) * columns * (f32Result ? 4 : 2))
    return kLibraryKernelBadArguments;

  thread_local WorkerBuffers buffers;
  try {
    buffers.weight.resize(size_t(count) * depth);
    decodeWeightRows(static_cast<const uint8_t *>(dispatch->binding_ptrs[kWeight]),
                     static_cast<const uint8_t *>(dispatch->binding_ptrs[kWeightScales]),
                     static_cast<uint32_t>(first), count, depth, blockRows, blockDepth,
                     buffers.weight.data());
    SingleThreadedOpenMP oneThread;
    std::shared_ptr<const Gemm> gemm = gemmFor(GemmKey(rows, count, depth, columns, f32Result));
    if (buffers.scratchpad.size() < gemm->scratchpadBytes)
      buffers.scratchpad.resize(gemm->scratchpadBytes);
    const dnnl::engine &engine = cpuEngine();
    thread_local dnnl::stream stream(engine);
    auto *result =
        static_cast<uint8_t *>(dispatch->binding_ptrs[kResult]) + first * (f32Result ? 4 : 2);
    const dnnl::matmul::primitive_desc &pd = gemm->pd;
    dnnl::memory a(pd.src_desc(), engine, dispatch->binding_ptrs[kActivation]);
    dnnl::memory b(pd.weights_desc(), engine, buffers.weight.data());
    dnnl::memory out(pd.dst_desc(), engine, result);
    dnnl::memory scratchpad(pd.scratchpad_desc(), engine, buffers.scratchpad.data());
    gemm->primitive.execute(stream, {{DNNL_ARG_SRC, a},
                                     {DNNL_ARG_WEIGHTS, b},
                                     {DNNL_ARG_DST, out},
                                     {DNNL_ARG_SCRATCHPAD, scratchpad}});
    stream.wait();
  } catch (const dnnl::error &) {
    return kLibraryKernelFailed;
  } catch (const std::bad_alloc &) {
    return kLibraryKernelFailed;
  }
  return 0;
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

} // namespace sieve::hal::cpu
