//===- sieve-gen.cpp - Write a random-weight DeepSeek-V4 checkpoint -------===//

#include "sieve/io/checkpoint.h"
#include "sieve/io/model_config.h"
#include "sieve/io/random_checkpoint.h"
#include "sieve/io/safetensors.h"
#include "sieve/support/command_line.h"
#include "sieve/support/interrupt_cleanup.h"
#include "sieve/support/progress.h"
#include "sieve/support/system.h"
#include "sieve/support/tool_main.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

using namespace sieve;

namespace {

const char kUsage[] = R"(usage: sieve-gen CONFIG.json --seed N -o DIR [options]

Writes DIR/config.json and a deterministic random-weight checkpoint with the
official DeepSeek-V4 tensor names, dtypes and shapes: FP8 E4M3 linears with
128x128 E8M0 scales, MXFP4 routed experts (I8-packed E2M1, 1x32 E8M0 scales),
tid2eid tables for hash-routed layers, gate biases, the MTP block. Large
checkpoints are sharded with a model.safetensors.index.json. The result is
checked against the config before sieve-gen exits.

It says how many bytes it will write and refuses when the file system has
less free space; a write that takes more than two seconds shows its
progress; an interrupted run (Ctrl-C, SIGTERM) removes the shard it was
writing, and config.json is written last, so a partial directory never
looks complete.

options:
  --seed N             random seed (required); same seed, same bytes
  -o, --output DIR     output directory (created if missing)
Options take their value as the next argument or after '='. CONFIG.json may
be a directory holding one.
  --gain G             scale of every projection weight's std (default 1)
  --max-shard-mb M     tensor data per shard in MiB (default 2048)
  --threads N          tensors generated at once (default: one per CPU, fewer
                       when memory is short); the bytes do not depend on it
  --allow-test-ratios  accept compress ratios other than 0, 4, 128
  --dry-run            say what would be written, and whether it fits, and
                       write nothing

initialization (each tensor from its own stream seeded by seed and name):
  projections (FP8/FP4/bf16 linears, hc_*_fn)  N(0, (gain * 0.2 / sqrt(fan_in))^2),
                                            quantized with DeepSeek's ceil scale rule
  embed.weight                              N(0, 1)
  norm weights                              1 + N(0, 0.02^2)
  hc_*_base / hc_*_scale                    N(0, 0.1^2) / 1 + N(0, 0.02^2)
  compressor ape                            N(0, 0.1^2)
  attn_sink                                 N(0, 1)
  ffn.gate.bias                             N(0, 0.01^2)
  ffn.gate.tid2eid                          n_activated distinct experts per token
The small projection std keeps every sub-layer a perturbation of the residual
streams, so bf16/FP8/FP4 rounding differences stay small through the layers.
)";

int fail(const std::string &msg) {
  std::fprintf(stderr, "sieve-gen: error: %s\n", msg.c_str());
  return 1;
}

bool parseU64(const char *s, uint64_t &out) {
  char *end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end || errno || s[0] == '-')
    return false;
  out = v;
  return true;
}

} // namespace

/// A command-line problem: one line naming it, exit code 2.
int usageError(const std::string &msg) { return cli::usageError("sieve-gen", msg); }

static int runMain(int argc, char **argv) {
  std::string configPath, outDir;
  io::RandomCheckpointOptions options;
  io::ConfigParseOptions parseOptions;
  bool haveSeed = false, dryRun = false;
  for (int i = 1; i < argc; ++i) {
    cli::Arg arg = cli::splitArg(argv[i]);
    const std::string &a = arg.name;
    auto value = [&](std::string &out) -> std::string {
      return cli::takeString(arg, argc, argv, i, out);
    };
    std::string text, problem;
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--seed") {
      if (!(problem = value(text)).empty())
        return usageError(problem);
      if (!parseU64(text.c_str(), options.seed))
        return usageError("--seed takes a non-negative integer (got '" + text + "')");
      haveSeed = true;
    } else if (a == "-o" || a == "--output") {
      if (!(problem = value(outDir)).empty())
        return usageError(problem);
    } else if (a == "--gain") {
      if (!(problem = value(text)).empty())
        return usageError(problem);
      char *end = nullptr;
      options.gain = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end || !(options.gain > 0))
        return usageError("--gain takes a positive number (got '" + text + "')");
    } else if (a == "--max-shard-mb") {
      uint64_t mb;
      if (!(problem = value(text)).empty())
        return usageError(problem);
      if (!parseU64(text.c_str(), mb) || mb == 0)
        return usageError("--max-shard-mb takes a positive integer (got '" + text + "')");
      options.maxShardBytes = mb << 20;
    } else if (a == "--threads") {
      uint64_t threads;
      if (!(problem = value(text)).empty())
        return usageError(problem);
      if (!parseU64(text.c_str(), threads) || threads == 0 || threads > 1024)
        return usageError("--threads takes an integer from 1 to 1024 (got '" + text + "')");
      options.threads = static_cast<unsigned>(threads);
    } else if (a == "--allow-test-ratios") {
      parseOptions.allowTestRatios = true;
    } else if (a == "--dry-run") {
      dryRun = true;
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + a);
    } else if (configPath.empty()) {
      configPath = a;
    } else {
      return usageError("more than one config given (" + configPath + ", " + a + ")");
    }
  }
  if (configPath.empty())
    return usageError("no CONFIG.json given");
  if (outDir.empty())
    return usageError("no output directory given (-o DIR)");
  if (!haveSeed)
    return usageError("--seed N is required (the same seed writes the same bytes)");
  // A checkpoint or example directory stands for its config.json, as in
  // sieve-compile.
  std::error_code ec;
  if (std::filesystem::is_directory(configPath, ec))
    configPath += "/config.json";

  auto config = io::loadModelConfig(configPath, parseOptions);
  if (!config)
    return fail(config.status().message());

  const uint64_t payload = io::countWeightBytes(*config).total;
  const size_t tensors = io::expectedTensors(*config).size();
  std::optional<uint64_t> free = freeDiskBytes(outDir);
  std::fprintf(stderr, "sieve-gen: %s %zu tensors, %s, to %s (%s free)\n",
               dryRun ? "would write" : "writing", tensors, formatBytes(payload).c_str(),
               outDir.c_str(), free ? formatBytesShort(*free).c_str() : "free space unknown");
  if (dryRun) {
    if (free && payload > *free)
      return fail("the checkpoint needs " + formatBytes(payload) + " in " + outDir + " but only " +
                  formatBytes(*free) + " are free");
    return 0;
  }

  installInterruptCleanup();
  auto start = std::chrono::steady_clock::now();
  std::optional<ProgressLine> progress;
  progress.emplace("sieve-gen: writing", payload);
  options.progress = [&](uint64_t written) { progress->update(written); };
  auto files = io::writeRandomCheckpoint(*config, options, outDir);
  progress.reset();
  if (!files)
    return fail(files.status().message());

  // Read back what was written and check it against the config.
  auto reader = io::SafetensorsReader::open(outDir);
  if (!reader)
    return fail(reader.status().message());
  io::CheckpointReport report = io::checkCheckpoint(*config, *reader);
  if (!report.ok())
    return fail(report.toStatus().message());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("sieve-gen: wrote %zu tensors (%.1f MiB) to %s in %.1f s:", reader->size(),
              double(reader->totalBytes()) / (1 << 20), outDir.c_str(), secs);
  for (const std::string &f : *files)
    std::printf(" %s", f.c_str());
  std::printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-gen", argc, argv, [&] { return runMain(argc, argv); });
}
