//===- random_checkpoint.cpp - Deterministic random-weight checkpoints ----===//

#include "sieve/io/random_checkpoint.h"

#include "sieve/io/safetensors.h"
#include "sieve/numerics/float_formats.h"
#include "sieve/numerics/weights.h"
#include "sieve/support/system.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <thread>

namespace sieve::io {
namespace {

// splitmix64: tiny, well mixed, and identical on every platform (unlike the
// distributions of <random>, whose outputs are implementation-defined).
class Stream {
public:
  explicit Stream(uint64_t seed) : state_(seed) {}

  uint64_t nextU64() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1).
  double uniform() { return (double(nextU64() >> 11) + 0.5) * 0x1.0p-53; }
  /// Standard normal (Box-Muller; the second value is kept for the next call).
  double normal() {
    if (haveSpare_) {
      haveSpare_ = false;
      return spare_;
    }
    double r = std::sqrt(-2.0 * std::log(uniform()));
    double t = 2.0 * M_PI * uniform();
    spare_ = r * std::sin(t);
    haveSpare_ = true;
    return r * std::cos(t);
  }

private:
  uint64_t state_;
  double spare_ = 0.0;
  bool haveSpare_ = false;
};

// FNV-1a of the name, mixed with the seed: one independent stream per tensor.
uint64_t streamSeed(uint64_t seed, const std::string &name) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : name)
    h = (h ^ c) * 0x100000001B3ull;
  Stream mix(h ^ (seed * 0x9E3779B97F4A7C15ull));
  return mix.nextU64();
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// "layers.0.attn.wq_a.weight" and ".scale" share the values of "layers.0.attn.wq_a".
std::string linearBase(const std::string &name) {
  return name.substr(0, name.rfind('.'));
}

std::vector<float> normalValues(uint64_t seed, const std::string &streamName,
                                size_t n, double mean, double stddev) {
  Stream s(streamSeed(seed, streamName));
  std::vector<float> v(n);
  for (float &x : v)
    x = float(mean + stddev * s.normal());
  return v;
}

// The fp32 values of a linear layer before it is stored in any format.
std::vector<float> linearValues(const ExpectedTensor &t,
                                const RandomCheckpointOptions &o) {
  int64_t out = t.logicalShape[0], in = t.logicalShape[1];
  double stddev = t.name == "embed.weight"
                      ? 1.0
                      : o.gain * 0.2 / std::sqrt(double(in));
  return normalValues(o.seed, linearBase(t.name), size_t(out * in), 0.0, stddev);
}

template <typename T> std::vector<uint8_t> toBytes(const std::vector<T> &v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<uint8_t> toBf16Bytes(const std::vector<float> &v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    h[i] = num::bf16FromFloat(v[i]);
  return toBytes(h);
}

struct QuantizedLinear {
  std::vector<uint8_t> weight;
  std::vector<uint8_t> scale;
};

Expected<QuantizedLinear> quantizeLinear(const ExpectedTensor &t,
                                         const RandomCheckpointOptions &o) {
  std::vector<float> values = linearValues(t, o);
  size_t out = size_t(t.logicalShape[0]), in = size_t(t.logicalShape[1]);
  QuantizedLinear q;
  if (t.kind == TensorKind::kFp8Weight || t.kind == TensorKind::kFp8Scale) {
    num::Fp8WeightLayout layout{out, in, size_t(kFp8WeightBlock),
                                size_t(kFp8WeightBlock)};
    q.weight.resize(out * in);
    q.scale.resize(layout.scaleRows() * layout.scaleCols());
    Status s = num::quantizeFp8Weight(values.data(), layout, q.weight.data(),
                                      q.scale.data());
    if (!s)
      return s.annotate(t.name);
    return q;
  }
  q.weight.resize(out * in / 2);
  q.scale.resize(out * in / size_t(kFp4WeightBlock));
  Status s = num::quantizeMxfp4Weight(values.data(), out, in, q.weight.data(),
                                      q.scale.data());
  if (!s)
    return s.annotate(t.name);
  return q;
}

bool isQuantizedPart(TensorKind k) {
  return k == TensorKind::kFp8Weight || k == TensorKind::kFp8Scale ||
         k == TensorKind::kFp4Weight || k == TensorKind::kFp4Scale;
}

bool isWeightPart(TensorKind k) {
  return k == TensorKind::kFp8Weight || k == TensorKind::kFp4Weight;
}

std::vector<int64_t> tid2eid(const ModelConfig &c, const ExpectedTensor &t,
                             uint64_t seed) {
  Stream s(streamSeed(seed, t.name));
  int64_t k = c.nActivatedExperts, e = c.nRoutedExperts;
  std::vector<int64_t> ids(size_t(c.vocabSize * k));
  std::vector<int64_t> pool(static_cast<size_t>(e));
  for (int64_t tok = 0; tok < c.vocabSize; ++tok) {
    // Partial Fisher-Yates: k distinct experts per token.
    for (int64_t i = 0; i < e; ++i)
      pool[size_t(i)] = i;
    for (int64_t i = 0; i < k; ++i) {
      int64_t j = i + int64_t(s.nextU64() % uint64_t(e - i));
      std::swap(pool[size_t(i)], pool[size_t(j)]);
      ids[size_t(tok * k + i)] = pool[size_t(i)];
    }
  }
  return ids;
}

// mkdir -p: creates `dir` and any missing parents.
Status makeDir(const std::string &dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/')
      continue;
    std::string prefix = dir.substr(0, i);
    struct stat st;
    if (stat(prefix.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        return ioError("cannot create directory " + dir + ": " + prefix +
                       " is not a directory");
      continue;
    }
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return ioError("cannot create directory " + dir + ": " + std::strerror(errno));
  }
  return Status::ok();
}

} // namespace

Expected<std::vector<uint8_t>>
generateTensorBytes(const ModelConfig &config, const ExpectedTensor &t,
                    const RandomCheckpointOptions &o) {
  size_t n = size_t(t.numElements());
  switch (t.kind) {
  case TensorKind::kFp8Weight:
  case TensorKind::kFp8Scale:
  case TensorKind::kFp4Weight:
  case TensorKind::kFp4Scale: {
    auto q = quantizeLinear(t, o);
    if (!q)
      return q.takeStatus();
    return isWeightPart(t.kind) ? q->weight : q->scale;
  }
  case TensorKind::kBf16Weight:
    return toBf16Bytes(linearValues(t, o));
  case TensorKind::kNormWeight:
    return toBf16Bytes(normalValues(o.seed, t.name, n, 1.0, 0.02));
  case TensorKind::kF32Weight: {
    if (endsWith(t.name, ".ape"))
      return toBytes(normalValues(o.seed, t.name, n, 0.0, 0.1));
    // hc_*_fn [mix, hc_mult * dim]: a projection of the flattened streams.
    double fanIn = double(t.shape.back());
    return toBytes(normalValues(o.seed, t.name, n, 0.0, o.gain * 0.2 / std::sqrt(fanIn)));
  }
  case TensorKind::kHcBase:
    return toBytes(normalValues(o.seed, t.name, n, 0.0, 0.1));
  case TensorKind::kHcScale:
    return toBytes(normalValues(o.seed, t.name, n, 1.0, 0.02));
  case TensorKind::kAttnSink:
    return toBytes(normalValues(o.seed, t.name, n, 0.0, 1.0));
  case TensorKind::kGateBias:
    return toBytes(normalValues(o.seed, t.name, n, 0.0, 0.01));
  case TensorKind::kTid2eid:
    return toBytes(tid2eid(config, t, o.seed));
  }
  return invalidArgument("tensor " + t.name + " has an unknown kind");
}

Expected<std::vector<std::string>>
writeRandomCheckpoint(const ModelConfig &config,
                      const RandomCheckpointOptions &options,
                      const std::string &dir) {
  SIEVE_RETURN_IF_ERROR(validateModelConfig(config));
  if (!(options.gain > 0.0) || !std::isfinite(options.gain))
    return invalidArgument("gain must be a positive number");
  std::vector<ExpectedTensor> tensors = expectedTensors(config);

  // Room first: the whole payload on disk, and the largest tensor in memory
  // (its fp32 values, then its stored bytes and, for a quantized linear, the
  // other half waiting for the writer).
  uint64_t payload = 0, largest = 0;
  const ExpectedTensor *largestTensor = nullptr;
  for (const ExpectedTensor &t : tensors) {
    payload += t.byteSize();
    uint64_t working = t.logicalElements() * sizeof(float) + 2 * t.byteSize();
    if (working > largest) {
      largest = working;
      largestTensor = &t;
    }
  }
  if (std::optional<uint64_t> free = freeDiskBytes(dir); free && payload > *free)
    return outOfRange("the checkpoint needs " + formatBytes(payload) + " in " + dir +
                      " but only " + formatBytes(*free) + " are free");
  if (largestTensor)
    SIEVE_RETURN_IF_ERROR(
        checkMemoryAvailable(largest, "generating tensor '" + largestTensor->name + "'"));
  SIEVE_RETURN_IF_ERROR(makeDir(dir));

  // A quantized linear's codes and scales come from one quantization, run
  // by whichever of the two producers is called first (the writer asks for
  // them separately, in its own order, maybe on two threads at once); each
  // half is freed once its producer has copied it.
  struct Quantized {
    std::once_flag once;
    Status status;
    std::vector<uint8_t> weight, scale;
  };
  std::map<std::string, std::shared_ptr<Quantized>> linears;
  for (const ExpectedTensor &t : tensors)
    if (isQuantizedPart(t.kind))
      linears.try_emplace(linearBase(t.name), std::make_shared<Quantized>());

  // Producers run on several threads when memory allows several of the
  // largest tensor's working sets at once.
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  while (threads > 1 && !checkMemoryAvailable(threads * largest, "").isOk())
    threads /= 2;

  ShardedSafetensorsWriter writer(options.maxShardBytes);
  // Twice as many producers as threads: a linear's codes and scales are
  // next to each other in the file, and the second half waits for the
  // quantization the first runs.
  writer.setProducerThreads(2 * threads);
  writer.setMetadata("format", "pt");
  writer.setMetadata("generator", "sieve-gen");
  writer.setMetadata("seed", std::to_string(options.seed));
  for (const ExpectedTensor &t : tensors) {
    std::shared_ptr<Quantized> linear =
        isQuantizedPart(t.kind) ? linears.at(linearBase(t.name)) : nullptr;
    TensorProducer produce = [&config, t, options, linear](uint8_t *dst, uint64_t size) -> Status {
      std::vector<uint8_t> bytes;
      if (linear) {
        std::call_once(linear->once, [&] {
          auto q = quantizeLinear(t, options);
          if (!q) {
            linear->status = q.takeStatus();
            return;
          }
          linear->weight = std::move(q->weight);
          linear->scale = std::move(q->scale);
        });
        if (!linear->status.isOk())
          return linear->status;
        bytes = std::move(isWeightPart(t.kind) ? linear->weight : linear->scale);
      } else {
        auto b = generateTensorBytes(config, t, options);
        if (!b)
          return b.takeStatus();
        bytes = b.take();
      }
      if (bytes.size() != size)
        return Status(StatusCode::kInternal,
                      t.name + ": generated " + std::to_string(bytes.size()) +
                          " bytes for a " + std::to_string(size) + "-byte tensor");
      std::memcpy(dst, bytes.data(), size);
      return Status::ok();
    };
    SIEVE_RETURN_IF_ERROR(
        writer.addTensorProducer(t.name, t.dtype, t.shape, std::move(produce)));
  }

  auto files = writer.write(dir, options.progress);
  if (!files)
    return files.takeStatus();
  // The config last: an interrupted run leaves no directory that looks like
  // a checkpoint.
  std::string configPath = dir + "/config.json";
  {
    std::ofstream out(configPath);
    out << modelConfigToJson(config) << "\n";
    if (!out)
      return ioError("cannot write " + configPath);
  }
  std::vector<std::string> written = files.take();
  written.insert(written.begin(), "config.json");
  return written;
}

} // namespace sieve::io
