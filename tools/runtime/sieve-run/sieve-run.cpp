//===- sieve-run.cpp - Generate with a DeepSeek-V4 checkpoint -------------===//
//
// A thin main over the reference executor (sieve_reference) and the
// tokenizer: prompt -> ids -> prefill + decode loop -> streamed text, with the
// prefill and decode rates on stderr and an optional .npy dump of every
// step's logits. Exit codes: 0 ok, 1 bad input or file (weights, tokenizer,
// prompt), 2 bad command line or a backend this build cannot run.
//
//===----------------------------------------------------------------------===//

#include "sieve/exec/compiled_model.h"
#include "sieve/exec/module_cache.h"
#include "sieve/exec/traffic.h"
#include "sieve/io/chat_format.h"
#include "sieve/io/tokenizer.h"
#include "sieve/reference/generate.h"
#include "sieve/reference/model.h"
#include "sieve/reference/perplexity.h"
#include "sieve/reference/stop_strings.h"
#include "sieve/support/command_line.h"
#include "sieve/support/npy.h"
#include "sieve/support/progress.h"
#include "sieve/support/system.h"
#include "sieve/support/tool_main.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace sieve;

namespace {

const char *const kUsage =
    R"(usage: sieve-run MODULE.sieve --weights DIR (--prompt TEXT | -f FILE | --tokens IDS | -i) [options]
       sieve-run --backend=cpu|reference --weights DIR (--prompt TEXT | ...) [options]
       sieve-run [MODULE.sieve] --weights DIR --perplexity FILE [--perplexity-window N]

Generates with a DeepSeek-V4 checkpoint: the prompt is prefilled, then one
decode step per token. Generated text is written to stdout as the tokens
arrive; prefill and decode rates go to stderr.

A compiled module (sieve-compile CONFIG -o MODULE.sieve) runs on this CPU.
--backend=cpu without a module compiles DIR's config.json on first use
(with sieve-compile, into $SIEVE_CACHE_DIR or ~/.cache/sieve) and reuses it.

input (exactly one):
  --prompt TEXT           text, tokenized with --tokenizer; BOS is prepended
                          unless --chat builds the prompt
  -f, --file FILE         the prompt text read from FILE ('-': standard input)
  --tokens IDS            token ids separated by commas or spaces (no tokenizer
                          needed); stdout then gets the generated ids,
                          separated by spaces
  -i, --interactive       chat turn by turn in one session: each line read
                          from standard input is a user turn of the V4 chat
                          format, answered as it is generated; the cache
                          keeps the conversation (a turn only prefills what
                          it adds); end of input ends the chat
  --perplexity FILE       score FILE's text ('-': standard input) instead of
                          generating, like llama-perplexity: its ids are cut
                          into windows, each a fresh sequence starting with
                          BOS, and every token is scored by the model's
                          log-probability for it after the tokens before it
                          in its window (one decode step per token). Prints
                          the perplexity, exp(mean negative log-likelihood),
                          with its standard error
  --perplexity-window N   positions per window (default: the cache's
                          max_seq_len)

options:
  --backend NAME          'cpu': compiled code (the default with a MODULE);
                          'reference': the plain C++ executor (the default
                          without one)
  --device NAME           compiled code: where it runs, 'cpu', 'cuda:N' or
                          'hip:N' (default: a GPU that runs some of the
                          module's code, CUDA first, else the CPU)
  --threads N             cpu: threads running kernels (default: every CPU)
  --verbose               cpu: say which device and executable were chosen
                          and why the others were rejected
  --profile               cpu: time every kernel dispatch (a GPU waits for
                          each); print the kernels that took the most time
                          at the end (for decode steps, with the weight
                          bytes a call reads and the rate it read them at)
  --weights DIR           checkpoint directory (config.json + safetensors)
  --chat                  wrap --prompt as one user turn of the V4 chat format
  --thinking-mode MODE    with --chat: 'chat' (default) or 'thinking'
  --system TEXT           with --chat or -i: a system turn before the first
                          user turn
  --tokenizer FILE        tokenizer.json (default: $SIEVE_TOKENIZER, else the
                          one scripts/fetch-tokenizer.sh fetched)
  --max-new-tokens N      tokens to generate at most (default 128; 0 only runs
                          the prompt)
  --temperature T         0 = greedy; default 1.0 (the model card's)
  --top-k K               keep the K most probable tokens (default 0 = all)
  --top-p P               nucleus mass in (0, 1] (default 1 = all)
  --min-p P               keep tokens at least P times as probable as the
                          most probable one, in [0, 1] (default 0 = all)
  --repeat-penalty R      divide positive logits (multiply the others) of
                          the tokens among the last --repeat-last-n by R
                          (default 1 = off)
  --presence-penalty X    subtract X from the logits of those tokens
                          (default 0)
  --frequency-penalty X   subtract X times their count (default 0)
  --repeat-last-n N       the window the penalties look at: the last N
                          tokens of prompt and output (default 64)
  --seed S                sampling seed (default 0); same seed, same tokens
  --stop TEXT             end generation when the output contains TEXT (not
                          printed itself); repeatable
  --ignore-eos            keep generating after the eos token
  --max-seq-len N         cache length (default: the config's max_seq_len;
                          with --backend=cpu, compiled into the module)
  --ignore-memory-limit   load even when the caches (and, for the reference,
                          its RoPE tables) need more than the available
                          memory; without it such a load is refused with
                          both figures
  --cache-format F        how cache rows are stored: 'bf16' (default, the
                          reference's), 'fp8' (v4-architecture.md 11.2: FP8
                          KV rows, FP8 indexer keys) or 'fp8-fp4' (FP8 KV
                          rows, MXFP4 indexer keys; same logits as bf16)
  --prefill-len K         teacher forcing: prefill the first K prompt ids, feed
                          the rest one decode step each, then generate
  --dump-logits FILE.npy  write the fp32 logits of every step as a [steps,
                          vocab] array: the prefill's last position, then each
                          decode step (teacher-forced ones included)
  -h, --help              show this help

Options take their value as the next argument or after '='.
Sampling: the penalties, p = softmax(logits / T), then top-k, top-p and
min-p, then one draw (inverse CDF, xoshiro256** seeded by --seed).
)";

/// The most prompt text -f reads (a million-token context is about 4 MB).
constexpr uint64_t kMaxPromptBytes = uint64_t(64) << 20;

struct Options {
  std::string backend; // empty: cpu with a module, else reference
  std::string device;  // compiled code: cpu, cuda:N; empty: the best one
  std::string module;  // a compiled module (positional)
  int64_t threads = 0;
  bool verbose = false;
  bool profile = false;
  bool ignoreMemoryLimit = false;
  bool maxSeqLenGiven = false, cacheFormatGiven = false;
  bool thinkingModeGiven = false; // --thinking-mode applies to --chat
  std::string weights;
  std::optional<std::string> prompt;
  std::optional<std::string> tokens;
  std::optional<std::string> promptFile;
  bool interactive = false;
  std::optional<std::string> perplexityFile;
  int64_t perplexityWindow = 0;
  // A generation or sampling option was given (they do not apply to
  // --perplexity).
  std::vector<std::string> generationFlags;
  std::optional<std::string> system;
  std::vector<std::string> stops;
  bool chat = false;
  io::ChatOptions chatOptions;
  std::string tokenizer;
  std::string dumpLogits;
  int64_t maxSeqLen = 0;
  io::CacheFormat cacheFormat = io::CacheFormat::kReferenceBf16;
  ref::GenerateOptions gen;
};

int usageError(const std::string &msg) { return cli::usageError("sieve-run", msg); }

int runtimeError(const std::string &msg) {
  std::fprintf(stderr, "sieve-run: error: %s\n", msg.c_str());
  return 1;
}

bool parseDouble(const std::string &s, double &out) {
  if (s.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (*end || errno)
    return false;
  out = v;
  return true;
}

/// "0,15,7" or "0 15 7" -> ids; -1 items and garbage are errors.
bool parseTokenList(const std::string &s, std::vector<int32_t> &ids, std::string &error) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ',' || s[i] == ' ' || s[i] == '\n'))
      ++i;
    if (i == s.size())
      break;
    size_t j = i;
    while (j < s.size() && s[j] != ',' && s[j] != ' ' && s[j] != '\n')
      ++j;
    const std::string item = s.substr(i, j - i);
    int64_t v;
    if (!cli::parseInt(item, v) || v < 0 || v > INT32_MAX) {
      error = "--tokens: item " + std::to_string(ids.size()) + " ('" + item +
              "') is not a token id (a non-negative integer)";
      return false;
    }
    ids.push_back(int32_t(v));
    i = j;
  }
  if (ids.empty()) {
    error = "--tokens: no token ids given";
    return false;
  }
  return true;
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
    auto doubleFlag = [&](double &out) -> int {
      if (!cli::takeValue(parsed, argc, argv, i))
        return usageError(arg + " needs a value");
      if (!parseDouble(value, out))
        return usageError(arg + " takes a number (got '" + value + "')");
      return -1;
    };
    int rc = -1;
    auto flagOnly = [&]() { return hasInlineValue ? usageError(arg + " takes no value") : -1; };
    static const char *const generationOnly[] = {
        "--stop",           "--repeat-last-n",    "--min-p",          "--repeat-penalty",
        "--presence-penalty", "--frequency-penalty", "--dump-logits",  "--chat",
        "--thinking-mode",  "--ignore-eos",       "--max-new-tokens", "--top-k",
        "--prefill-len",    "--seed",             "--temperature",    "--top-p",
        "--system"};
    for (const char *flag : generationOnly)
      if (arg == flag)
        o.generationFlags.push_back(arg);

    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--backend") {
      rc = stringFlag(o.backend);
    } else if (arg == "--device") {
      rc = stringFlag(o.device);
    } else if (arg == "--weights") {
      rc = stringFlag(o.weights);
    } else if (arg == "--prompt") {
      rc = stringFlag(o.prompt.emplace());
    } else if (arg == "--tokens") {
      rc = stringFlag(o.tokens.emplace());
    } else if (arg == "-f" || arg == "--file") {
      rc = stringFlag(o.promptFile.emplace());
    } else if (arg == "-i" || arg == "--interactive") {
      rc = flagOnly();
      o.interactive = true;
    } else if (arg == "--perplexity") {
      rc = stringFlag(o.perplexityFile.emplace());
    } else if (arg == "--perplexity-window") {
      rc = intFlag(o.perplexityWindow, 1);
    } else if (arg == "--system") {
      rc = stringFlag(o.system.emplace());
    } else if (arg == "--stop") {
      rc = stringFlag(o.stops.emplace_back());
      if (rc == -1 && o.stops.back().empty())
        return usageError("--stop takes a non-empty text");
    } else if (arg == "--repeat-last-n") {
      rc = intFlag(o.gen.sampler.penaltyLastN, 0);
    } else if (arg == "--min-p") {
      rc = doubleFlag(o.gen.sampler.minP);
    } else if (arg == "--repeat-penalty") {
      rc = doubleFlag(o.gen.sampler.repeatPenalty);
    } else if (arg == "--presence-penalty") {
      rc = doubleFlag(o.gen.sampler.presencePenalty);
    } else if (arg == "--frequency-penalty") {
      rc = doubleFlag(o.gen.sampler.frequencyPenalty);
    } else if (arg == "--tokenizer") {
      rc = stringFlag(o.tokenizer);
    } else if (arg == "--dump-logits") {
      rc = stringFlag(o.dumpLogits);
    } else if (arg == "--chat") {
      rc = flagOnly();
      o.chat = true;
    } else if (arg == "--thinking-mode") {
      std::string text;
      if (int rcValue = stringFlag(text); rcValue != -1)
        return rcValue;
      auto mode = io::parseThinkingMode(text);
      if (!mode)
        return usageError("--thinking-mode: " + mode.status().message());
      o.chatOptions.thinkingMode = *mode;
      o.thinkingModeGiven = true;
    } else if (arg == "--ignore-eos") {
      rc = flagOnly();
      o.gen.stopAtEos = false;
    } else if (arg == "--max-new-tokens") {
      rc = intFlag(o.gen.maxNewTokens, 0);
    } else if (arg == "--top-k") {
      rc = intFlag(o.gen.sampler.topK, 0);
    } else if (arg == "--prefill-len") {
      rc = intFlag(o.gen.prefillLen, 1);
    } else if (arg == "--max-seq-len") {
      rc = intFlag(o.maxSeqLen, 1);
      o.maxSeqLenGiven = true;
    } else if (arg == "--threads") {
      rc = intFlag(o.threads, 1);
    } else if (arg == "--ignore-memory-limit") {
      rc = flagOnly();
      o.ignoreMemoryLimit = true;
    } else if (arg == "--verbose") {
      rc = flagOnly();
      o.verbose = true;
    } else if (arg == "--profile") {
      rc = flagOnly();
      o.profile = true;
    } else if (arg == "--cache-format") {
      o.cacheFormatGiven = true;
      std::string text;
      if (int rcValue = stringFlag(text); rcValue != -1)
        return rcValue;
      Expected<io::CacheFormat> format = io::parseCacheFormat(text);
      if (!format)
        return usageError("--cache-format takes bf16, fp8 or fp8-fp4 (got '" + text + "')");
      o.cacheFormat = *format;
    } else if (arg == "--seed") {
      int64_t seed;
      rc = intFlag(seed, 0);
      o.gen.sampler.seed = uint64_t(seed);
    } else if (arg == "--temperature") {
      rc = doubleFlag(o.gen.sampler.temperature);
    } else if (arg == "--top-p") {
      rc = doubleFlag(o.gen.sampler.topP);
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

/// --tokenizer, else $SIEVE_TOKENIZER, else the fetched one.
std::string tokenizerPath(const Options &o) {
  if (!o.tokenizer.empty())
    return o.tokenizer;
  if (const char *env = std::getenv("SIEVE_TOKENIZER"); env && *env)
    return env;
  return SIEVE_DEFAULT_TOKENIZER;
}

/// What each kernel's dispatches in one decode step read of the weights,
/// from the module's decode program, and how many dispatches that is.
struct StepWeights {
  std::vector<uint64_t> bytes;
  std::vector<uint32_t> dispatches;
};

/// The kernels that took the most time in one phase, most first: `now`
/// less `before` (the counters when the phase began). With `weights`, each
/// kernel's weight bytes per call and the rate it read them at.
void printProfile(const char *phase, const exec::KernelProfile &now,
                  const exec::KernelProfile &before, const StepWeights *weights = nullptr) {
  size_t kernels = now.seconds.size();
  std::vector<double> seconds(kernels);
  std::vector<uint64_t> calls(kernels);
  std::vector<size_t> order;
  double total = 0;
  uint64_t dispatches = 0;
  for (size_t k = 0; k < kernels; ++k) {
    bool hasBefore = k < before.seconds.size();
    seconds[k] = now.seconds[k] - (hasBefore ? before.seconds[k] : 0.0);
    calls[k] = now.dispatches[k] - (hasBefore ? before.dispatches[k] : 0);
    total += seconds[k];
    dispatches += calls[k];
    if (calls[k])
      order.push_back(k);
  }
  if (order.empty())
    return;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return seconds[a] > seconds[b]; });
  std::fprintf(stderr, "sieve-run: profile of the %s: %.3f s in %llu dispatches of %zu kernels\n",
               phase, total, (unsigned long long)dispatches, order.size());
  if (weights)
    std::fprintf(stderr, "  %8s %6s %9s %10s %9s %7s  %s\n", "seconds", "share", "calls", "us/call",
                 "MB/call", "GB/s", "kernel");
  else
    std::fprintf(stderr, "  %8s %6s %9s %10s  %s\n", "seconds", "share", "calls", "us/call",
                 "kernel");
  for (size_t i = 0; i < order.size() && i < 20; ++i) {
    size_t k = order[i];
    const double share = total > 0 ? 100 * seconds[k] / total : 0.0;
    const double usPerCall = 1e6 * seconds[k] / double(calls[k]);
    if (!weights) {
      std::fprintf(stderr, "  %8.3f %5.1f%% %9llu %10.1f  %s\n", seconds[k], share,
                   (unsigned long long)calls[k], usPerCall, now.names[k]);
      continue;
    }
    std::string perCall = "-", rate = "-";
    // Under 4 KiB a call (an attention's sinks, a norm's weight) streams
    // nothing worth a rate: those stay in the caches.
    const double bytesPerCall = k < weights->bytes.size() && weights->dispatches[k] > 0
                                    ? double(weights->bytes[k]) / weights->dispatches[k]
                                    : 0.0;
    if (bytesPerCall >= 4096) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3f", bytesPerCall / 1e6);
      perCall = text;
      if (seconds[k] > 0) {
        std::snprintf(text, sizeof text, "%.1f",
                      bytesPerCall * double(calls[k]) / seconds[k] / 1e9);
        rate = text;
      }
    }
    std::fprintf(stderr, "  %8.3f %5.1f%% %9llu %10.1f %9s %7s  %s\n", seconds[k], share,
                 (unsigned long long)calls[k], usPerCall, perCall.c_str(), rate.c_str(),
                 now.names[k]);
  }
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

static int runMain(int argc, char **argv) {
  Options o;
  if (int rc = parseArgs(argc, argv, o); rc != -1)
    return rc;

  if (o.backend.empty())
    o.backend = o.module.empty() ? "reference" : "cpu";
  if (o.backend == "nvidia" || o.backend == "amd")
    return usageError("backend '" + o.backend +
                      "' does not exist: compiled code runs with --backend=cpu (the default "
                      "with a module) on --device=cpu, --device=cuda:N or --device=hip:N");
  if (o.backend != "cpu" && o.backend != "reference")
    return usageError("unknown backend '" + o.backend + "' (cpu or reference)");
  if (!o.device.empty() && o.backend != "cpu")
    return usageError("--device places compiled code; the reference backend runs on the CPU");
  if (!o.module.empty() && o.backend != "cpu")
    return usageError("a compiled module (" + o.module + ") runs on --backend=cpu");
  if (!o.module.empty() && (o.maxSeqLenGiven || o.cacheFormatGiven))
    return usageError("--max-seq-len and --cache-format are compiled into a module; "
                      "recompile it with sieve-compile to change them");
  if (o.weights.empty())
    return usageError("--weights DIR is required");
  if (int(o.prompt.has_value()) + int(o.tokens.has_value()) + int(o.promptFile.has_value()) +
          int(o.interactive) + int(o.perplexityFile.has_value()) !=
      1)
    return usageError(
        "give exactly one of --prompt TEXT, -f FILE, --tokens IDS, -i and --perplexity FILE");
  if (o.perplexityFile && !o.generationFlags.empty())
    return usageError(o.generationFlags.front() +
                      " applies to generation; --perplexity scores a text");
  if (o.perplexityWindow && !o.perplexityFile)
    return usageError("--perplexity-window applies to --perplexity");
  if (o.promptFile || o.perplexityFile) {
    const std::string &path = o.promptFile ? *o.promptFile : *o.perplexityFile;
    const bool scoring = o.perplexityFile.has_value();
    Expected<std::string> text =
        path == "-" ? readStandardInput(kMaxPromptBytes, scoring ? "text to score" : "prompt")
                    : readRegularFile(path, kMaxPromptBytes, scoring ? "text file" : "prompt file");
    if (!text)
      return runtimeError(text.status().message());
    o.prompt = text.take();
  }
  if (o.chat && !o.prompt)
    return usageError("--chat needs --prompt or -f (--tokens are fed as they are)");
  if (o.thinkingModeGiven && !o.chat && !o.interactive)
    return usageError("--thinking-mode applies to --chat prompts and -i only");
  if (o.system && !o.chat && !o.interactive)
    return usageError("--system applies to --chat prompts and -i only");
  if (!o.stops.empty() && o.tokens)
    return usageError("--stop matches text; --tokens prints ids");
  if (o.interactive && (o.gen.prefillLen != 0 || !o.dumpLogits.empty()))
    return usageError("-i takes neither --prefill-len nor --dump-logits");
  if (Status s = ref::validateSamplerOptions(o.gen.sampler); !s)
    return usageError(s.message());

  // Prompt ids.
  std::optional<io::Tokenizer> tokenizer;
  std::vector<int32_t> prompt;
  if (o.tokens) {
    std::string error;
    if (!parseTokenList(*o.tokens, prompt, error))
      return usageError(error);
  } else {
    const std::string path = tokenizerPath(o);
    auto tok = io::Tokenizer::fromFile(path);
    if (!tok)
      return runtimeError(tok.status().message() +
                          " (pass --tokenizer FILE, set $SIEVE_TOKENIZER, or run "
                          "scripts/fetch-tokenizer.sh)");
    tokenizer.emplace(tok.take());
  }

  // Model: the reference executor, or a compiled module on this CPU.
  const auto loadStart = std::chrono::steady_clock::now();
  std::error_code ec;
  if (!std::filesystem::exists(o.weights, ec))
    return runtimeError("--weights " + o.weights +
                        ": no such checkpoint directory (write one with sieve-gen)");
  std::unique_ptr<ref::Model> reference;
  std::optional<ref::Sequence> referenceSeq;
  std::unique_ptr<exec::CompiledModel> compiled;
  std::optional<exec::CompiledSequence> compiledSeq;
  std::unique_ptr<SequenceRunner> runner;
  int64_t vocab = 0, bos = 0;
  if (o.backend == "reference") {
    ref::LoadOptions loadOptions;
    loadOptions.maxSeqLen = o.maxSeqLen;
    loadOptions.cacheFormat = o.cacheFormat;
    loadOptions.ignoreMemoryLimit = o.ignoreMemoryLimit;
    auto model = ref::Model::load(o.weights, loadOptions);
    if (!model)
      return runtimeError(model.status().message());
    reference = model.take();
    referenceSeq.emplace(reference->newSequence());
    vocab = reference->config().vocabSize;
    bos = reference->config().bosTokenId;
    std::fprintf(stderr,
                 "sieve-run: loaded %s (vocab %lld, max_seq_len %lld; caches %s) in %.2f s\n",
                 o.weights.c_str(), (long long)vocab, (long long)reference->maxSeqLen(),
                 formatBytes(reference->sequenceCacheBytes()).c_str(), secondsSince(loadStart));
  } else {
    std::string modulePath = o.module;
    if (modulePath.empty()) {
      exec::ModuleCacheRequest request = exec::hostModuleRequest(o.weights);
      if (o.maxSeqLenGiven)
        request.compileArgs.push_back("--max-seq-len=" + std::to_string(o.maxSeqLen));
      request.compileArgs.push_back(std::string("--cache-format=") +
                                    io::cacheFormatName(o.cacheFormat));
      auto cached = exec::cachedModule(request, [](const std::string &line) {
        std::fprintf(stderr, "sieve-run: %s\n", line.c_str());
      });
      if (!cached)
        return runtimeError(cached.status().message());
      modulePath = cached->path;
    }
    exec::CompiledLoadOptions loadOptions;
    loadOptions.weights = o.weights;
    loadOptions.threads = unsigned(o.threads);
    loadOptions.device = o.device;
    loadOptions.ignoreMemoryLimit = o.ignoreMemoryLimit;
    std::optional<ProgressLine> binding;
    loadOptions.progress = [&](uint64_t done, uint64_t total) {
      if (!binding)
        binding.emplace("sieve-run: binding weights", total);
      binding->update(done);
    };
    auto model = exec::CompiledModel::load(modulePath, loadOptions);
    binding.reset();
    if (!model)
      return runtimeError(model.status().message());
    compiled = model.take();
    auto seq = compiled->newSequence();
    if (!seq)
      return runtimeError(seq.status().message());
    compiledSeq.emplace(seq.take());
    vocab = compiled->vocabSize();
    bos = compiled->bosTokenId();
    const exec::LoadReport &r = compiled->report();
    std::fprintf(
        stderr,
        "sieve-run: loaded %s in %.2f s: executable %s on %s; %s parameters, %s of "
        "weights (%s copied, %s mapped in at load); caches %s (max_seq_len %lld x %lld slots), "
        "arenas %s\n",
        modulePath.c_str(), secondsSince(loadStart), r.executable.c_str(), r.device.c_str(),
        formatCount(r.parameters).c_str(), formatBytes(r.weightBytes).c_str(),
        formatBytes(r.weightBytesCopied).c_str(), formatBytes(r.weightBytesMappedIn).c_str(),
        formatBytes(r.cacheBytes).c_str(), (long long)compiled->maxSeqLen(),
        (long long)compiled->maxBatch(), formatBytes(r.arenaBytes).c_str());
    if (!r.libraryKernels.empty()) {
      std::string names;
      for (const std::string &name : r.libraryKernels)
        names += (names.empty() ? "" : ", ") + name;
      std::fprintf(stderr, "sieve-run: the prefill's GEMMs run in library kernels: %s\n",
                   names.c_str());
    }
    if (o.profile)
      compiled->enableProfiling();
    if (o.verbose) {
      for (const std::string &rejected : r.rejectedDevices)
        std::fprintf(stderr, "sieve-run: passed over device %s\n", rejected.c_str());
      for (const std::string &rejected : r.rejected)
        std::fprintf(stderr, "sieve-run: rejected executable %s\n", rejected.c_str());
    }
  }
  // A fresh sequence (and its runner): at start, and when a chat turn does
  // not continue what the cache holds.
  auto newSequence = [&]() -> Status {
    runner.reset();
    if (reference) {
      referenceSeq.emplace(reference->newSequence());
      runner = std::make_unique<ref::ReferenceRunner>(*reference, *referenceSeq);
      return Status::ok();
    }
    compiledSeq.reset();
    auto seq = compiled->newSequence();
    if (!seq)
      return seq.takeStatus();
    compiledSeq.emplace(seq.take());
    runner = std::make_unique<exec::CompiledRunner>(*compiled, *compiledSeq);
    return Status::ok();
  };
  if (Status s = newSequence(); !s)
    return runtimeError(s.message());

  // Text to ids, checked against the model's vocabulary: a test model with
  // a small one cannot take real tokenizer ids; say which side is too small.
  auto encode = [&](const std::string &text, std::vector<int32_t> &ids) -> Status {
    auto encoded = tokenizer->encode(text);
    if (!encoded)
      return encoded.takeStatus();
    ids.insert(ids.end(), encoded->begin(), encoded->end());
    for (size_t i = 0; i < ids.size(); ++i)
      if (ids[i] >= vocab)
        return outOfRange("token " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
                          " is outside the model's vocabulary of " + std::to_string(vocab) +
                          " ids: the tokenizer (" + std::to_string(tokenizer->vocabSize()) +
                          " ids) does not fit this model; use --tokens");
    return Status::ok();
  };
  std::vector<io::ChatMessage> conversation;
  if (o.system)
    conversation.push_back(io::ChatMessage{"system", *o.system, ""});

  if (o.prompt) {
    std::string text = *o.prompt;
    if (o.chat) {
      conversation.push_back(io::ChatMessage{"user", text, ""});
      auto chat = io::encodeChatPrompt(conversation, o.chatOptions);
      if (!chat)
        return runtimeError("--chat: " + chat.status().message());
      text = chat.take();
    }
    // The chat format writes BOS itself; a plain completion gets it here.
    if (!o.chat)
      prompt.push_back(int32_t(bos));
    if (Status s = encode(text, prompt); !s)
      return runtimeError(std::string(o.promptFile       ? "-f"
                                      : o.perplexityFile ? "--perplexity"
                                                         : "--prompt") +
                          ": " + s.message());
  }

  if (o.perplexityFile) {
    // The windows put BOS back in front of each; the text is scored as is.
    std::vector<int32_t> text(prompt.begin() + 1, prompt.end());
    if (text.empty())
      return runtimeError("--perplexity: " + *o.perplexityFile + " holds no text to score");
    ref::PerplexityOptions options;
    options.bosTokenId = int32_t(bos);
    options.window = o.perplexityWindow ? o.perplexityWindow : runner->maxSeqLen();
    if (options.window > runner->maxSeqLen())
      return usageError("--perplexity-window " + std::to_string(options.window) +
                        " is longer than the cache's max_seq_len " +
                        std::to_string(runner->maxSeqLen()));
    auto fresh = [&]() -> Expected<SequenceRunner *> {
      if (Status s = newSequence(); !s)
        return s;
      return runner.get();
    };
    auto progress = [&](const ref::PerplexityResult &soFar, int64_t total) {
      std::fprintf(stderr, "sieve-run: window %lld/%lld: %zu tokens, perplexity %.4f\n",
                   (long long)soFar.windows, (long long)total, soFar.nll.size(),
                   soFar.perplexity());
    };
    auto scored = ref::scorePerplexity(fresh, text, options, progress);
    if (!scored)
      return runtimeError("--perplexity: " + scored.status().message());
    std::printf("perplexity %.4f +/- %.4f (mean negative log-likelihood %.4f nats) over %zu "
                "tokens in %lld window%s of %lld positions\n",
                scored->perplexity(), scored->perplexityError(), scored->meanNll(),
                scored->nll.size(), (long long)scored->windows, scored->windows == 1 ? "" : "s",
                (long long)options.window);
    std::fprintf(stderr, "sieve-run: scored %zu tokens in %.3f s (%.1f tok/s)\n",
                 scored->nll.size(), scored->seconds,
                 scored->seconds > 0 ? double(scored->nll.size()) / scored->seconds : 0.0);
    return 0;
  }

  // Streams one generation: ids as they are drawn, or text (each token's
  // bytes as they are: a character split over two tokens is completed by the
  // next write) through the stop strings; `reply` gets the text shown.
  o.gen.recordLogits = !o.dumpLogits.empty();
  const int64_t eos = o.gen.eosTokenId ? *o.gen.eosTokenId : runner->eosTokenId();
  bool anyToken = false;
  // The prefill ends where the first token is drawn: the counters then split
  // the profile into the prefill's kernels and the decode steps'.
  exec::KernelProfile afterPrefill;
  std::string stoppedBy;
  auto generateStreaming = [&](const std::vector<int32_t> &ids,
                               std::string &reply) -> Expected<ref::GenerateResult> {
    std::optional<ref::StopStrings> stops;
    if (!o.stops.empty())
      stops.emplace(o.stops);
    bool first = true;
    auto show = [&](const std::string &text) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      reply += text;
    };
    auto onToken = [&](int32_t token) {
      if (!anyToken && compiled && compiled->profile())
        afterPrefill = *compiled->profile();
      anyToken = true;
      if (!tokenizer) {
        std::printf(first ? "%d" : " %d", token);
      } else if (!(o.gen.stopAtEos && token == eos)) {
        auto bytes = tokenizer->decode(&token, 1);
        // An id the model has but the tokenizer does not is shown as such.
        std::string text = bytes ? *bytes : "<unk:" + std::to_string(token) + ">";
        show(stops ? stops->push(text) : text);
      }
      first = false;
      std::fflush(stdout);
      return !(stops && stops->stopped());
    };
    auto result = ref::generate(*runner, ids, o.gen, onToken);
    if (stops) {
      show(stops->finish());
      stoppedBy = stops->stopped() ? stops->matched() : std::string();
    }
    if (!first)
      std::printf("\n");
    std::fflush(stdout);
    return result;
  };
  auto printRates = [&](const ref::GenerateResult &r) {
    std::string stop =
        stoppedBy.empty() ? ref::stopReasonName(r.stopReason) : "stop string \"" + stoppedBy + "\"";
    std::fprintf(stderr,
                 "sieve-run: prefill: %lld tokens in %.3f s (%.1f tok/s); decode: %lld tokens "
                 "in %.3f s (%.1f tok/s); generated %zu tokens, stop: %s\n",
                 (long long)r.prefillTokens, r.prefillSeconds, r.prefillTokensPerSecond(),
                 (long long)r.decodeTokens, r.decodeSeconds, r.decodeTokensPerSecond(),
                 r.tokens.size(), stop.c_str());
  };

  if (o.interactive) {
    // The tokens the cache holds: a turn whose prompt starts with them only
    // prefills the rest; otherwise (the chat format re-tokenized an earlier
    // reply differently, or dropped its reasoning) the sequence starts over.
    std::vector<int32_t> held;
    const bool terminal = isatty(fileno(stdin));
    std::string line;
    for (;;) {
      if (terminal)
        std::fputs("> ", stderr);
      if (!std::getline(std::cin, line))
        break;
      if (line.empty())
        continue;
      conversation.push_back(io::ChatMessage{"user", line, ""});
      auto text = io::encodeChatPrompt(conversation, o.chatOptions);
      if (!text)
        return runtimeError("-i: " + text.status().message());
      std::vector<int32_t> ids;
      if (Status s = encode(*text, ids); !s)
        return runtimeError("-i: " + s.message());
      std::vector<int32_t> turn;
      if (!held.empty() && held.size() < ids.size() &&
          std::equal(held.begin(), held.end(), ids.begin())) {
        turn.assign(ids.begin() + std::ptrdiff_t(held.size()), ids.end());
      } else {
        if (Status s = newSequence(); !s)
          return runtimeError(s.message());
        held.clear();
        turn = ids;
      }
      std::string reply;
      auto result = generateStreaming(turn, reply);
      if (!result)
        return runtimeError(result.status().message());
      printRates(*result);
      // The cache holds the turn and every generated token but the last.
      held.insert(held.end(), turn.begin(), turn.end());
      if (!result->tokens.empty())
        held.insert(held.end(), result->tokens.begin(), result->tokens.end() - 1);
      // A thinking reply is its reasoning, </think>, then the answer. The
      // chat format takes UTF-8: bytes a model emitted outside any
      // character are kept as U+FFFD (the sequence then starts over).
      reply = io::replaceInvalidUtf8(reply);
      io::ChatMessage answer{"assistant", reply, ""};
      if (size_t end = reply.find("</think>"); end != std::string::npos) {
        answer.reasoningContent = reply.substr(0, end);
        answer.content = reply.substr(end + 8);
      }
      conversation.push_back(std::move(answer));
    }
    return 0;
  }

  std::string reply;
  auto result = generateStreaming(prompt, reply);
  if (!result)
    return runtimeError(result.status().message());
  printRates(*result);

  if (compiled && compiled->profile()) {
    // Without a drawn token (--max-new-tokens 0) everything was prefill.
    if (!anyToken)
      afterPrefill = *compiled->profile();
    printProfile("prefill", afterPrefill, exec::KernelProfile());
    // Decode is memory-bound: each kernel's weight bytes over its time says
    // which ones read below the memory's rate.
    // Without them (a module without a decode program or config) the table
    // is only times, as for the prefill.
    std::optional<StepWeights> weights;
    if (compiled->config()) {
      StepWeights w;
      auto bytes =
          exec::decodeKernelWeightBytes(compiled->module(), *compiled->config(), 1, &w.dispatches);
      if (bytes) {
        w.bytes = bytes.take();
        weights = std::move(w);
      }
    }
    printProfile("decode steps", *compiled->profile(), afterPrefill, weights ? &*weights : nullptr);
  }

  if (!o.dumpLogits.empty()) {
    Status s =
        writeNpyF32(o.dumpLogits, result->logits.data(), {result->logitSteps, result->vocab});
    if (!s)
      return runtimeError("--dump-logits: " + s.message());
    std::fprintf(stderr, "sieve-run: wrote logits [%lld, %lld] to %s\n",
                 (long long)result->logitSteps, (long long)result->vocab, o.dumpLogits.c_str());
  }
  return 0;
}

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-run", argc, argv, [&] { return runMain(argc, argv); });
}
