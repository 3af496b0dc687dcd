//===- sieve-bench.cpp - Prefill and decode speed, and the bandwidth used ---===//
//
// llama-bench's questions for a compiled module (or the reference executor):
// how fast a prompt of -p tokens is prefilled, and how fast -n tokens are
// decoded after a prompt of each depth in -d, at each thread count in -t,
// each -r times (mean and standard deviation). Decode is memory-bound, so
// the same run measures this machine's read bandwidth (a STREAM-style sum)
// and puts each decode figure beside it: the bytes a step reads come from
// the module's decode program (sieve::exec::decodeTraffic), not from a
// figure typed by hand. Exit codes: 0 ok, 1 bad input or file, 2 bad
// command line.
//
//===----------------------------------------------------------------------===//

#include "sieve/exec/compiled_model.h"
#include "sieve/exec/module_cache.h"
#include "sieve/exec/traffic.h"
#include "sieve/reference/generate.h"
#include "sieve/reference/model.h"
#include "sieve/support/command_line.h"
#include "sieve/support/system.h"
#include "sieve/support/tool_main.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace sieve;

namespace {

const char *const kUsage =
    R"(usage: sieve-bench MODULE.sieve --weights DIR [options]
       sieve-bench --backend=cpu|reference --weights DIR [options]

Measures prefill and decode speed with synthetic token ids, and this
machine's read bandwidth in the same run. Each decode figure comes with the
bytes a decode step reads (the weights the module's decode program binds and
the cache rows it reads at that depth), the bandwidth that achieves and its
share of the measured bandwidth (on the CPU, measured again just before and
just after each timed decode that has bytes per token: each repetition
against its own moment's bandwidth).

options:
  --backend NAME     'cpu' (the default with a MODULE; without one, DIR's
                     config.json is compiled on first use, as sieve-run
                     does) or 'reference' (the plain C++ executor, 1 thread)
  --weights DIR      checkpoint directory (config.json + safetensors)
  -p N               prompt tokens to prefill (default 512; 0: no prefill test)
  -n N               tokens to decode (default 128; 0: no decode test)
  -d LIST            context depths for the decode test, comma-separated
                     (default 0): the prompt before the timed tokens
  -t LIST            CPU threads, comma-separated (default: every CPU)
  -b LIST            sequences decoding at once, comma-separated (default 1;
                     compiled modules, at most their max_batch): each after
                     its own prompt of the depth, one step for all of them;
                     tok/s counts every sequence's tokens (bytes per token
                     are left out past 1: they depend on the experts picked)
  --device NAME      compiled code: 'cpu', 'cuda:N' or 'hip:N' (default: a GPU
                     that runs some of the module's code, else the CPU); on a GPU the
                     bandwidth is a copy within its memory (reads + writes)
  -r N               repetitions of each test (default 3)
  --bandwidth-mib N  buffer of the bandwidth measurement (default 1024)
  --json             one JSON object on stdout instead of a markdown table
  -h, --help         show this help

Options take their value as the next argument or after '='.
)";

struct Options {
  std::string module, backend, weights, device;
  int64_t prompt = 512, decode = 128, reps = 3, bandwidthMiB = 1024;
  std::vector<int64_t> depths = {0};
  std::vector<int64_t> threads;
  std::vector<int64_t> batches = {1};
  bool json = false;
};

int usageError(const std::string &msg) { return cli::usageError("sieve-bench", msg); }

int runtimeError(const std::string &msg) {
  std::fprintf(stderr, "sieve-bench: error: %s\n", msg.c_str());
  return 1;
}

bool parseList(const std::string &s, int64_t min, std::vector<int64_t> &out) {
  out.clear();
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int64_t v;
    if (!cli::parseInt(item, v) || v < min)
      return false;
    out.push_back(v);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return !out.empty();
}

// Parses argv; returns -1 to continue, else an exit code.
int parseArgs(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    cli::Arg parsed = cli::splitArg(argv[i]);
    const std::string &arg = parsed.name;
    const std::string &value = parsed.value;
    const bool hasInlineValue = parsed.inlineValue;
    auto problem = [&](const std::string &text) { return text.empty() ? -1 : usageError(text); };
    auto stringFlag = [&](std::string &out) {
      return problem(cli::takeString(parsed, argc, argv, i, out));
    };
    auto intFlag = [&](int64_t &out, int64_t min) {
      return problem(cli::takeInt(parsed, argc, argv, i, min, out));
    };
    auto listFlag = [&](std::vector<int64_t> &out, int64_t min) -> int {
      if (!cli::takeValue(parsed, argc, argv, i))
        return usageError(arg + " needs a value");
      if (!parseList(value, min, out))
        return usageError(arg + " takes integers >= " + std::to_string(min) +
                          " separated by commas (got '" + value + "')");
      return -1;
    };
    int rc = -1;
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--backend") {
      rc = stringFlag(o.backend);
    } else if (arg == "--weights") {
      rc = stringFlag(o.weights);
    } else if (arg == "--device") {
      rc = stringFlag(o.device);
    } else if (arg == "-p") {
      rc = intFlag(o.prompt, 0);
    } else if (arg == "-n") {
      rc = intFlag(o.decode, 0);
    } else if (arg == "-r") {
      rc = intFlag(o.reps, 1);
    } else if (arg == "-d") {
      rc = listFlag(o.depths, 0);
    } else if (arg == "-t") {
      rc = listFlag(o.threads, 1);
    } else if (arg == "-b") {
      rc = listFlag(o.batches, 1);
    } else if (arg == "--bandwidth-mib") {
      rc = intFlag(o.bandwidthMiB, 1);
    } else if (arg == "--json") {
      if (hasInlineValue)
        return usageError("--json takes no value");
      o.json = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usageError("unknown option " + arg);
    } else if (o.module.empty()) {
      o.module = arg;
    } else {
      return usageError("unexpected argument '" + arg + "'");
    }
    if (rc != -1)
      return rc;
  }
  return -1;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The memory bandwidth of a device with its own memory (a GPU), in bytes
/// per second: a copy of `bytes` within it reads and writes each byte once,
/// so (reads + writes) / time, the best of five copies after a first.
Expected<double> measureDeviceBandwidth(hal::Device &device, size_t bytes) {
  auto from = device.allocate(bytes, "the bandwidth measurement's source");
  if (!from)
    return from.status();
  auto to = device.allocate(bytes, "the bandwidth measurement's destination");
  if (!to)
    return to.status();
  double best = 0;
  for (int pass = 0; pass < 6; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    SIEVE_RETURN_IF_ERROR(device.copy(to->data(), from->data(), bytes));
    SIEVE_RETURN_IF_ERROR(device.finish());
    if (pass > 0)
      best = std::max(best, 2.0 * double(bytes) / secondsSince(start));
  }
  return best;
}

/// Read bandwidth of `threads` threads summing disjoint slices of one
/// buffer, in bytes per second. The buffer is written once, so no page is
/// faulted in while a pass is timed.
class ReadBandwidth {
public:
  ReadBandwidth(size_t bytes, unsigned threads)
      : buffer_(bytes / sizeof(uint64_t)), threads_(threads) {
    for (size_t i = 0; i < buffer_.size(); ++i)
      buffer_[i] = i;
  }

  /// The best of `passes` passes.
  double measure(int passes) {
    const size_t words = buffer_.size();
    std::vector<uint64_t> sinks(threads_);
    double best = 0;
    for (int pass = 0; pass < passes; ++pass) {
      const auto start = std::chrono::steady_clock::now();
      std::vector<std::thread> workers;
      for (unsigned t = 0; t < threads_; ++t)
        workers.emplace_back([&, t] {
          const size_t begin = words / threads_ * t,
                       end = t + 1 == threads_ ? words : words / threads_ * (t + 1);
          // Four independent sums keep several loads in flight.
          uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          size_t i = begin;
          for (; i + 4 <= end; i += 4) {
            s0 += buffer_[i];
            s1 += buffer_[i + 1];
            s2 += buffer_[i + 2];
            s3 += buffer_[i + 3];
          }
          for (; i < end; ++i)
            s0 += buffer_[i];
          sinks[t] = s0 + s1 + s2 + s3;
        });
      for (std::thread &w : workers)
        w.join();
      best = std::max(best, double(words * sizeof(uint64_t)) / secondsSince(start));
    }
    // The sums must not be optimized away.
    volatile uint64_t keep = std::accumulate(sinks.begin(), sinks.end(), uint64_t(0));
    (void)keep;
    samples_.push_back(best);
    return best;
  }

  /// Every measurement so far, in order.
  const std::vector<double> &samples() const { return samples_; }

private:
  std::vector<uint64_t> buffer_;
  unsigned threads_;
  std::vector<double> samples_;
};

/// A memory bandwidth measured again around each timed repetition: a shared
/// host's bandwidth can move between minutes, so each repetition's rate is
/// compared with the bandwidth of its own moment, not with one figure from
/// before the whole run.
using BandwidthProbe = std::function<double()>;

struct Sample {
  double mean = 0, stddev = 0;
};

/// Timed repetitions: their rates, and with a probe, the bandwidth of each
/// repetition's moment (the mean of the measurements just before and just
/// after it).
struct Timing {
  std::vector<double> rates;
  std::vector<double> bandwidths;
};

Sample summarize(const std::vector<double> &rates) {
  Sample s;
  for (double r : rates)
    s.mean += r;
  s.mean /= double(rates.size());
  if (rates.size() > 1) {
    double var = 0;
    for (double r : rates)
      var += (r - s.mean) * (r - s.mean);
    s.stddev = std::sqrt(var / double(rates.size() - 1));
  }
  return s;
}

/// Synthetic ids spread over the vocabulary (never 0, 1: BOS/EOS by
/// convention).
std::vector<int32_t> syntheticTokens(int64_t count, int64_t vocab) {
  std::vector<int32_t> ids(size_t(std::max<int64_t>(count, 0)));
  const int64_t span = std::max<int64_t>(vocab - 2, 1);
  for (int64_t i = 0; i < count; ++i)
    ids[size_t(i)] = int32_t(2 + (i * 7919) % span);
  return ids;
}

/// A backend the tests can start fresh sequences on.
class Bench {
public:
  virtual ~Bench() = default;
  virtual Expected<std::unique_ptr<SequenceRunner>> fresh() = 0;
  virtual int64_t maxSeqLen() const = 0;
  virtual int64_t vocab() const = 0;
};

class CompiledBench final : public Bench {
public:
  explicit CompiledBench(std::unique_ptr<exec::CompiledModel> model) : model_(std::move(model)) {}
  Expected<std::unique_ptr<SequenceRunner>> fresh() override {
    seq_.reset(); // frees its slot for the new one
    auto seq = model_->newSequence();
    if (!seq)
      return seq.takeStatus();
    seq_.emplace(seq.take());
    return std::unique_ptr<SequenceRunner>(std::make_unique<exec::CompiledRunner>(*model_, *seq_));
  }
  int64_t maxSeqLen() const override { return model_->maxSeqLen(); }
  int64_t vocab() const override { return model_->vocabSize(); }
  exec::CompiledModel &model() { return *model_; }
  /// Times `reps` runs of `tokens` decode steps of `batch` sequences at
  /// once, each after its own prompt of `depth` tokens (one for depth 0);
  /// tokens per second over all of them.
  Expected<Timing> decodeBatch(int64_t depth, int64_t tokens, int64_t reps, int64_t batch);

private:
  std::unique_ptr<exec::CompiledModel> model_;
  std::optional<exec::CompiledSequence> seq_;
};

Expected<Timing> CompiledBench::decodeBatch(int64_t depth, int64_t tokens, int64_t reps,
                                            int64_t batch) {
  const int64_t promptTokens = std::max<int64_t>(depth, 1);
  Timing timing;
  for (int64_t r = 0; r < reps; ++r) {
    seq_.reset();
    std::vector<exec::CompiledSequence> seqs;
    std::vector<std::vector<int32_t>> ids;
    for (int64_t b = 0; b < batch; ++b) {
      auto seq = model_->newSequence();
      if (!seq)
        return seq.takeStatus();
      seqs.push_back(seq.take());
      // Each sequence its own ids: the offset shifts the synthetic series.
      ids.push_back(syntheticTokens(promptTokens + tokens + b, vocab()));
      ids.back().erase(ids.back().begin(), ids.back().begin() + b);
      auto prompt = model_->prefill(seqs.back(), ids.back().data(), promptTokens);
      if (!prompt)
        return prompt.takeStatus();
    }
    std::vector<exec::CompiledSequence *> step;
    for (exec::CompiledSequence &seq : seqs)
      step.push_back(&seq);
    std::vector<int32_t> next(static_cast<size_t>(batch));
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < tokens; ++i) {
      for (int64_t b = 0; b < batch; ++b)
        next[size_t(b)] = ids[size_t(b)][size_t(promptTokens + i)];
      auto logits = model_->decode(step.data(), next.data(), size_t(batch));
      if (!logits)
        return logits.takeStatus();
    }
    timing.rates.push_back(double(batch * tokens) / secondsSince(start));
  }
  return timing;
}

class ReferenceBench final : public Bench {
public:
  explicit ReferenceBench(std::unique_ptr<ref::Model> model) : model_(std::move(model)) {}
  Expected<std::unique_ptr<SequenceRunner>> fresh() override {
    seq_.emplace(model_->newSequence());
    return std::unique_ptr<SequenceRunner>(std::make_unique<ref::ReferenceRunner>(*model_, *seq_));
  }
  int64_t maxSeqLen() const override { return model_->maxSeqLen(); }
  int64_t vocab() const override { return model_->config().vocabSize; }

private:
  std::unique_ptr<ref::Model> model_;
  std::optional<ref::Sequence> seq_;
};

struct Result {
  std::string test; // "prefill" or "decode"
  int64_t threads = 1, tokens = 0, depth = 0, batch = 1;
  Sample rate;                              // tokens per second
  std::optional<exec::StepTraffic> traffic; // decode, compiled
  // With traffic: each repetition's bytes per second over its moment's
  // bandwidth, and those bandwidths' mean.
  Sample bandwidthFraction;
  double bandwidth = 0;
};

/// Times `reps` prefills of `tokens` tokens.
Expected<Sample> timePrefill(Bench &bench, int64_t tokens, int64_t reps) {
  const std::vector<int32_t> ids = syntheticTokens(tokens, bench.vocab());
  std::vector<double> rates;
  for (int64_t r = 0; r < reps; ++r) {
    auto runner = bench.fresh();
    if (!runner)
      return runner.takeStatus();
    const auto start = std::chrono::steady_clock::now();
    auto logits = (*runner)->forward(ids.data(), tokens);
    if (!logits)
      return logits.takeStatus();
    rates.push_back(double(tokens) / secondsSince(start));
  }
  return summarize(rates);
}

/// Times `reps` runs of `tokens` decode steps after a prompt of `depth`
/// tokens (one token for depth 0); with a probe, the bandwidth is measured
/// just before and just after each timed run.
Expected<Timing> timeDecode(Bench &bench, int64_t depth, int64_t tokens, int64_t reps,
                            const BandwidthProbe &probe) {
  const int64_t promptTokens = std::max<int64_t>(depth, 1);
  const std::vector<int32_t> ids = syntheticTokens(promptTokens + tokens, bench.vocab());
  Timing timing;
  for (int64_t r = 0; r < reps; ++r) {
    auto runner = bench.fresh();
    if (!runner)
      return runner.takeStatus();
    auto prompt = (*runner)->forward(ids.data(), promptTokens);
    if (!prompt)
      return prompt.takeStatus();
    const double before = probe ? probe() : 0.0;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < tokens; ++i) {
      auto logits = (*runner)->forward(ids.data() + promptTokens + i, 1);
      if (!logits)
        return logits.takeStatus();
    }
    timing.rates.push_back(double(tokens) / secondsSince(start));
    if (probe)
      timing.bandwidths.push_back((before + probe()) / 2);
  }
  return timing;
}

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

} // namespace

static int runMain(int argc, char **argv) {
  Options o;
  if (int rc = parseArgs(argc, argv, o); rc != -1)
    return rc;
  if (o.backend.empty())
    o.backend = "cpu";
  if (o.backend != "cpu" && o.backend != "reference")
    return usageError("unknown backend '" + o.backend + "' (cpu or reference)");
  if (!o.module.empty() && o.backend != "cpu")
    return usageError("a compiled module (" + o.module + ") runs on --backend=cpu");
  if (o.weights.empty())
    return usageError("--weights DIR is required");
  if (o.prompt == 0 && o.decode == 0)
    return usageError("-p 0 and -n 0 leave nothing to measure");
  if (o.threads.empty())
    o.threads = {int64_t(std::max(1u, std::thread::hardware_concurrency()))};
  if (o.backend == "reference")
    o.threads = {1}; // the reference executor is single-threaded
  std::error_code ec;
  if (!std::filesystem::exists(o.weights, ec))
    return runtimeError("--weights " + o.weights + ": no such checkpoint directory");

  std::string modulePath = o.module;
  if (o.backend == "cpu" && modulePath.empty()) {
    exec::ModuleCacheRequest request = exec::hostModuleRequest(o.weights);
    auto cached = exec::cachedModule(request, [](const std::string &line) {
      std::fprintf(stderr, "sieve-bench: %s\n", line.c_str());
    });
    if (!cached)
      return runtimeError(cached.status().message());
    modulePath = cached->path;
  }

  std::vector<Result> results;
  // Threads -> every bandwidth measured with them, in bytes per second.
  std::vector<std::pair<int64_t, std::vector<double>>> bandwidths;
  std::string executable, deviceName = "cpu";
  bool onGpu = false;
  for (int64_t threads : o.threads) {
    std::unique_ptr<Bench> bench;
    std::optional<io::ModelConfig> config;
    exec::CompiledModel *compiled = nullptr;
    if (o.backend == "reference") {
      auto model = ref::Model::load(o.weights, ref::LoadOptions{});
      if (!model)
        return runtimeError(model.status().message());
      bench = std::make_unique<ReferenceBench>(model.take());
      executable = "reference";
    } else {
      exec::CompiledLoadOptions loadOptions;
      loadOptions.weights = o.weights;
      loadOptions.threads = unsigned(threads);
      loadOptions.device = o.device;
      auto model = exec::CompiledModel::load(modulePath, loadOptions);
      if (!model)
        return runtimeError(model.status().message());
      auto owned = std::make_unique<CompiledBench>(model.take());
      compiled = &owned->model();
      executable = compiled->report().executable;
      onGpu = !compiled->device().hostVisible();
      // The CPU's line names its thread count, which differs per -t run.
      deviceName = onGpu ? compiled->report().device : "cpu";
      if (!compiled->config())
        return runtimeError(modulePath + ": the module records no model config");
      config = *compiled->config();
      bench = std::move(owned);
    }
    for (int64_t batch : o.batches)
      if (batch > 1 && (!compiled || batch > compiled->maxBatch()))
        return usageError("-b " + std::to_string(batch) + ": " +
                          (compiled ? "the module decodes at most " +
                                          std::to_string(compiled->maxBatch()) +
                                          " sequences at once (its max_batch)"
                                    : std::string("the reference backend decodes one sequence")));
    for (int64_t depth : o.depths)
      if (o.decode > 0 && std::max<int64_t>(depth, 1) + o.decode > bench->maxSeqLen())
        return usageError("-d " + std::to_string(depth) + " with -n " + std::to_string(o.decode) +
                          " runs past the cache length " + std::to_string(bench->maxSeqLen()) +
                          " (compile the module with a larger --max-seq-len)");
    if (o.prompt > bench->maxSeqLen())
      return usageError("-p " + std::to_string(o.prompt) + " is longer than the cache length " +
                        std::to_string(bench->maxSeqLen()));

    // A GPU's memory is measured once (its copies are short and the kit's
    // GPUs are not shared); the host's again around each timed decode.
    std::optional<ReadBandwidth> reader;
    BandwidthProbe probe;
    if (onGpu) {
      auto bandwidth = measureDeviceBandwidth(compiled->device(), size_t(o.bandwidthMiB) << 20);
      if (!bandwidth)
        return runtimeError(bandwidth.status().message());
      bandwidths.push_back({threads, {*bandwidth}});
      probe = [device = *bandwidth] { return device; };
    } else {
      reader.emplace(size_t(o.bandwidthMiB) << 20, unsigned(threads));
      reader->measure(5);
      probe = [&reader] { return reader->measure(3); };
    }
    if (o.prompt > 0) {
      auto rate = timePrefill(*bench, o.prompt, o.reps);
      if (!rate)
        return runtimeError(rate.status().message());
      results.push_back({"prefill", threads, o.prompt, 0, 1, *rate, std::nullopt, {}, 0});
    }
    if (o.decode > 0)
      for (int64_t depth : o.depths)
        for (int64_t batch : o.batches) {
          // Only a compiled single-sequence decode has bytes per token to
          // compare with the bandwidth.
          const bool hasTraffic = compiled && batch == 1;
          auto timing = batch == 1 ? timeDecode(*bench, depth, o.decode, o.reps,
                                                hasTraffic ? probe : BandwidthProbe())
                                   : static_cast<CompiledBench &>(*bench).decodeBatch(
                                         depth, o.decode, o.reps, batch);
          if (!timing)
            return runtimeError(timing.status().message());
          Result r{"decode",     threads, o.decode, depth, batch, summarize(timing->rates),
                   std::nullopt, {},      0};
          if (hasTraffic) {
            // The mean context over the timed steps.
            auto bytes = exec::decodeTraffic(compiled->module(), *config,
                                             std::max<int64_t>(depth, 1) + o.decode / 2);
            if (!bytes)
              return runtimeError(bytes.status().message());
            r.traffic = *bytes;
            std::vector<double> fractions;
            for (size_t i = 0; i < timing->rates.size(); ++i)
              fractions.push_back(double(bytes->total()) * timing->rates[i] /
                                  timing->bandwidths[i]);
            r.bandwidthFraction = summarize(fractions);
            r.bandwidth = summarize(timing->bandwidths).mean;
          }
          results.push_back(r);
        }
    if (reader)
      bandwidths.push_back({threads, reader->samples()});
  }
  if (o.json) {
    nlohmann::json out;
    out["backend"] = o.backend;
    out["module"] = modulePath;
    out["executable"] = executable;
    out["device"] = deviceName;
    out["weights"] = o.weights;
    out["repetitions"] = o.reps;
    nlohmann::json bw = nlohmann::json::array();
    for (auto &[t, samples] : bandwidths) {
      const auto [low, high] = std::minmax_element(samples.begin(), samples.end());
      if (onGpu)
        bw.push_back({{"threads", t}, {"device_copy_gb_per_s", samples.front() / 1e9}});
      else
        bw.push_back({{"threads", t},
                      {"read_gb_per_s", summarize(samples).mean / 1e9},
                      {"read_gb_per_s_min", *low / 1e9},
                      {"read_gb_per_s_max", *high / 1e9},
                      {"measurements", samples.size()}});
    }
    out["bandwidth"] = bw;
    nlohmann::json rows = nlohmann::json::array();
    for (const Result &r : results) {
      nlohmann::json row = {{"test", r.test},
                            {"threads", r.threads},
                            {"tokens", r.tokens},
                            {"depth", r.depth},
                            {"batch", r.batch},
                            {"tokens_per_s", r.rate.mean},
                            {"tokens_per_s_stddev", r.rate.stddev}};
      if (r.traffic) {
        const double gbs = double(r.traffic->total()) * r.rate.mean / 1e9;
        row["bytes_per_token"] = r.traffic->total();
        row["weight_bytes_per_token"] = r.traffic->weightBytes;
        row["cache_bytes_per_token"] = r.traffic->cacheBytes;
        row["gb_per_s"] = gbs;
        row["bandwidth_gb_per_s"] = r.bandwidth / 1e9;
        row["bandwidth_fraction"] = r.bandwidthFraction.mean;
        row["bandwidth_fraction_stddev"] = r.bandwidthFraction.stddev;
      }
      rows.push_back(row);
    }
    out["results"] = rows;
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }

  const std::string subject =
      o.backend == "cpu" ? modulePath + " (" + executable + ")" : "reference executor";
  std::printf("sieve-bench: %s on %s, weights %s, %lld repetitions\n\n", subject.c_str(),
              deviceName.c_str(), o.weights.c_str(), (long long)o.reps);
  std::printf("| threads | test | tok/s | bytes/token | GB/s | of bandwidth |\n");
  std::printf("| ---: | --- | ---: | ---: | ---: | ---: |\n");
  for (const Result &r : results) {
    std::string test = r.test == "prefill"
                           ? "pp" + std::to_string(r.tokens)
                           : "tg" + std::to_string(r.tokens) + " @ d" + std::to_string(r.depth) +
                                 (r.batch > 1 ? " x" + std::to_string(r.batch) : "");
    std::string bytes = "-", gbs = "-", share = "-";
    if (r.traffic) {
      const double rate = double(r.traffic->total()) * r.rate.mean;
      bytes = formatBytes(r.traffic->total());
      gbs = fixed(rate / 1e9, 1);
      const int digits = onGpu ? 1 : 0;
      share = fixed(100 * r.bandwidthFraction.mean, digits) + " ± " +
              fixed(100 * r.bandwidthFraction.stddev, digits) + "%";
    }
    std::printf("| %lld | %s | %s ± %s | %s | %s | %s |\n", (long long)r.threads, test.c_str(),
                fixed(r.rate.mean, 1).c_str(), fixed(r.rate.stddev, 1).c_str(), bytes.c_str(),
                gbs.c_str(), share.c_str());
  }
  std::printf("\n");
  for (auto &[t, samples] : bandwidths) {
    const auto [low, high] = std::minmax_element(samples.begin(), samples.end());
    if (onGpu)
      std::printf("device memory bandwidth (a copy: reads + writes): %.1f GB/s\n",
                  samples.front() / 1e9);
    else if (samples.size() == 1)
      std::printf("read bandwidth, %lld threads: %.1f GB/s (before the tests)\n", (long long)t,
                  samples.front() / 1e9);
    else
      std::printf("read bandwidth, %lld threads: %.1f GB/s (mean of %zu measurements, %.1f to "
                  "%.1f: before the tests and around each timed decode)\n",
                  (long long)t, summarize(samples).mean / 1e9, samples.size(), *low / 1e9,
                  *high / 1e9);
  }
  return 0;
}

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-bench", argc, argv, [&] { return runMain(argc, argv); });
}
