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
#include "sieve/io/chat_format.h"
#include "sieve/io/tokenizer.h"
#include "sieve/reference/generate.h"
#include "sieve/reference/model.h"
#include "sieve/support/command_line.h"
#include "sieve/support/npy.h"
#include "sieve/support/system.h"
#include "sieve/support/tool_main.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace sieve;

namespace {

const char *const kUsage =
    R"(usage: sieve-run MODULE.sieve --weights DIR (--prompt TEXT | --tokens IDS) [options]
       sieve-run --backend=cpu|reference --weights DIR (--prompt TEXT | --tokens IDS) [options]

Generates with a DeepSeek-V4 checkpoint: the prompt is prefilled, then one
decode step per token. Generated text is written to stdout as the tokens
arrive; prefill and decode rates go to stderr.

A compiled module (sieve-compile CONFIG -o MODULE.sieve) runs on this CPU.
--backend=cpu without a module compiles DIR's config.json on first use
(with sieve-compile, into $SIEVE_CACHE_DIR or ~/.cache/sieve) and reuses it.

input (exactly one):
  --prompt TEXT           text, tokenized with --tokenizer; BOS is prepended
                          unless --chat builds the prompt
  --tokens IDS            token ids separated by commas or spaces (no tokenizer
                          needed); stdout then gets the generated ids,
                          separated by spaces

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
  --profile               cpu: time every kernel dispatch; print the kernels
                          that took the most time at the end
  --weights DIR           checkpoint directory (config.json + safetensors)
  --chat                  wrap --prompt as one user turn of the V4 chat format
  --thinking-mode MODE    with --chat: 'chat' (default) or 'thinking'
  --tokenizer FILE        tokenizer.json (default: $SIEVE_TOKENIZER, else the
                          one scripts/fetch-tokenizer.sh fetched)
  --max-new-tokens N      tokens to generate at most (default 128; 0 only runs
                          the prompt)
  --temperature T         0 = greedy; default 1.0 (the model card's)
  --top-k K               keep the K most probable tokens (default 0 = all)
  --top-p P               nucleus mass in (0, 1] (default 1 = all)
  --seed S                sampling seed (default 0); same seed, same tokens
  --ignore-eos            keep generating after the eos token
  --max-seq-len N         cache length (default: the config's max_seq_len;
                          with --backend=cpu, compiled into the module)
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
Sampling: p = softmax(logits / T), then top-k, then top-p, then one draw
(inverse CDF, xoshiro256** seeded by --seed).
)";

struct Options {
  std::string backend; // empty: cpu with a module, else reference
  std::string device;  // compiled code: cpu, cuda:N; empty: the best one
  std::string module;  // a compiled module (positional)
  int64_t threads = 0;
  bool verbose = false;
  bool profile = false;
  bool maxSeqLenGiven = false, cacheFormatGiven = false;
  bool thinkingModeGiven = false; // --thinking-mode applies to --chat
  std::string weights;
  std::optional<std::string> prompt;
  std::optional<std::string> tokens;
  bool chat = false;
  io::ChatOptions chatOptions;
  std::string tokenizer;
  std::string dumpLogits;
  int64_t maxSeqLen = 0;
  io::CacheFormat cacheFormat = io::CacheFormat::kReferenceBf16;
  ref::GenerateOptions gen;
};

int usageError(const std::string &msg) {
  std::fprintf(stderr, "sieve-run: %s\n(see sieve-run --help)\n", msg.c_str());
  return 2;
}

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
      if (text == "bf16")
        o.cacheFormat = io::CacheFormat::kReferenceBf16;
      else if (text == "fp8")
        o.cacheFormat = io::CacheFormat::kFp8IndexerFp8;
      else if (text == "fp8-fp4")
        o.cacheFormat = io::CacheFormat::kFp8IndexerFp4;
      else
        return usageError("--cache-format takes bf16, fp8 or fp8-fp4 (got '" + text + "')");
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

const char *cacheFormatName(io::CacheFormat format) {
  switch (format) {
  case io::CacheFormat::kReferenceBf16:
    return "bf16";
  case io::CacheFormat::kFp8IndexerFp8:
    return "fp8";
  case io::CacheFormat::kFp8IndexerFp4:
    return "fp8-fp4";
  }
  return "bf16";
}

/// "1.3 M", "284 B" (billions).
std::string humanCount(uint64_t n) {
  const char *units[] = {"", " k", " M", " B", " T"};
  double v = double(n);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
  return text;
}

/// The kernels that took the most time in one phase, most first: `now`
/// less `before` (the counters when the phase began).
void printProfile(const char *phase, const exec::KernelProfile &now,
                  const exec::KernelProfile &before) {
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
  std::fprintf(stderr, "  %8s %6s %9s %10s  %s\n", "seconds", "share", "calls", "us/call",
               "kernel");
  for (size_t i = 0; i < order.size() && i < 20; ++i) {
    size_t k = order[i];
    std::fprintf(stderr, "  %8.3f %5.1f%% %9llu %10.1f  %s\n", seconds[k],
                 total > 0 ? 100 * seconds[k] / total : 0.0, (unsigned long long)calls[k],
                 1e6 * seconds[k] / double(calls[k]), now.names[k]);
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
  if (o.prompt.has_value() == o.tokens.has_value())
    return usageError("give exactly one of --prompt TEXT and --tokens IDS");
  if (o.chat && !o.prompt)
    return usageError("--chat needs --prompt (--tokens are fed as they are)");
  if (o.thinkingModeGiven && !o.chat)
    return usageError("--thinking-mode applies to --chat prompts only");
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
    auto model = ref::Model::load(o.weights, loadOptions);
    if (!model)
      return runtimeError(model.status().message());
    reference = model.take();
    referenceSeq.emplace(reference->newSequence());
    vocab = reference->config().vocabSize;
    bos = reference->config().bosTokenId;
    std::fprintf(stderr, "sieve-run: loaded %s (vocab %lld, max_seq_len %lld) in %.2f s\n",
                 o.weights.c_str(), (long long)vocab, (long long)reference->maxSeqLen(),
                 secondsSince(loadStart));
  } else {
    std::string modulePath = o.module;
    if (modulePath.empty()) {
      exec::ModuleCacheRequest request = exec::hostModuleRequest(o.weights);
      if (o.maxSeqLenGiven)
        request.compileArgs.push_back("--max-seq-len=" + std::to_string(o.maxSeqLen));
      request.compileArgs.push_back(std::string("--cache-format=") +
                                    cacheFormatName(o.cacheFormat));
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
    const bool showProgress = isatty(fileno(stderr));
    loadOptions.progress = [&](uint64_t done, uint64_t total) {
      if (showProgress && total >= (uint64_t(256) << 20))
        std::fprintf(stderr, "\rsieve-run: binding weights %s / %s", formatBytes(done).c_str(),
                     formatBytes(total).c_str());
    };
    auto model = exec::CompiledModel::load(modulePath, loadOptions);
    if (showProgress)
      std::fprintf(stderr, "\r\033[K");
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
        humanCount(r.parameters).c_str(), formatBytes(r.weightBytes).c_str(),
        formatBytes(r.weightBytesCopied).c_str(), formatBytes(r.weightBytesMappedIn).c_str(),
        formatBytes(r.cacheBytes).c_str(), (long long)compiled->maxSeqLen(),
        (long long)compiled->maxBatch(), formatBytes(r.arenaBytes).c_str());
    if (o.profile)
      compiled->enableProfiling();
    if (o.verbose) {
      for (const std::string &rejected : r.rejectedDevices)
        std::fprintf(stderr, "sieve-run: passed over device %s\n", rejected.c_str());
      for (const std::string &rejected : r.rejected)
        std::fprintf(stderr, "sieve-run: rejected executable %s\n", rejected.c_str());
    }
  }
  if (reference)
    runner = std::make_unique<ref::ReferenceRunner>(*reference, *referenceSeq);
  else
    runner = std::make_unique<exec::CompiledRunner>(*compiled, *compiledSeq);

  if (o.prompt) {
    std::string text = *o.prompt;
    if (o.chat) {
      auto chat = io::encodeChatPrompt({io::ChatMessage{"user", text, ""}}, o.chatOptions);
      if (!chat)
        return runtimeError("--chat: " + chat.status().message());
      text = chat.take();
    }
    auto ids = tokenizer->encode(text);
    if (!ids)
      return runtimeError("--prompt: " + ids.status().message());
    // The chat format writes BOS itself; a plain completion gets it here.
    if (!o.chat)
      prompt.push_back(int32_t(bos));
    prompt.insert(prompt.end(), ids->begin(), ids->end());
    // A test model with a small vocabulary cannot take real tokenizer ids;
    // say which side is too small rather than just naming the id.
    for (size_t i = 0; i < prompt.size(); ++i)
      if (prompt[i] >= vocab)
        return runtimeError("--prompt: token " + std::to_string(prompt[i]) + " at index " +
                            std::to_string(i) + " is outside the model's vocabulary of " +
                            std::to_string(vocab) + " ids: the tokenizer (" +
                            std::to_string(tokenizer->vocabSize()) +
                            " ids) does not fit this model; use --tokens");
  }

  // Stream tokens as they are drawn. Each token's bytes are written as they
  // are: a character split over two tokens is completed by the next write.
  o.gen.recordLogits = !o.dumpLogits.empty();
  const int64_t eos = o.gen.eosTokenId ? *o.gen.eosTokenId : runner->eosTokenId();
  bool first = true;
  // The prefill ends where the first token is drawn: the counters then split
  // the profile into the prefill's kernels and the decode steps'.
  exec::KernelProfile afterPrefill;
  auto onToken = [&](int32_t token) {
    if (first && compiled && compiled->profile())
      afterPrefill = *compiled->profile();
    if (!tokenizer) {
      std::printf(first ? "%d" : " %d", token);
    } else if (!(o.gen.stopAtEos && token == eos)) {
      auto bytes = tokenizer->decode(&token, 1);
      if (bytes)
        std::fwrite(bytes->data(), 1, bytes->size(), stdout);
      else // an id the model has but the tokenizer does not
        std::printf("<unk:%d>", token);
    }
    first = false;
    std::fflush(stdout);
    return true;
  };
  auto result = ref::generate(*runner, prompt, o.gen, onToken);
  if (!first)
    std::printf("\n");
  std::fflush(stdout);
  if (!result)
    return runtimeError(result.status().message());

  std::fprintf(stderr,
               "sieve-run: prefill: %lld tokens in %.3f s (%.1f tok/s); decode: %lld tokens "
               "in %.3f s (%.1f tok/s); generated %zu tokens, stop: %s\n",
               (long long)result->prefillTokens, result->prefillSeconds,
               result->prefillTokensPerSecond(), (long long)result->decodeTokens,
               result->decodeSeconds, result->decodeTokensPerSecond(), result->tokens.size(),
               ref::stopReasonName(result->stopReason));

  if (compiled && compiled->profile()) {
    // Without a drawn token (--max-new-tokens 0) everything was prefill.
    if (first)
      afterPrefill = *compiled->profile();
    printProfile("prefill", afterPrefill, exec::KernelProfile());
    printProfile("decode steps", *compiled->profile(), afterPrefill);
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
