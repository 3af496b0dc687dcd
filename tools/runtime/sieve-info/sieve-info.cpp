//===- sieve-info.cpp - What a model is and what it costs -----------------===//
//
// A thin main over io::buildModelReport: parameters, bytes by dtype, bytes
// read per decoded token, the layer schedule and cache memory, for a
// config.json, a checkpoint directory (whose tensors are then checked
// against the config) or a compiled .sieve module (its config, plus what
// the module fixed: context, slots, cache format, targets). Exit codes: 0
// ok, 1 bad input file, 2 bad command line.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/checkpoint.h"
#include "sieve/io/model_config.h"
#include "sieve/io/model_report.h"
#include "sieve/io/safetensors.h"
#include "sieve/module/module_file.h"
#include "sieve/support/command_line.h"
#include "sieve/support/progress.h"
#include "sieve/support/system.h"
#include "sieve/support/tool_main.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

using namespace sieve;

namespace {

const char *const kUsage = R"(usage: sieve-info (CONFIG.json | DIR | MODULE.sieve) [options]

Says what a DeepSeek-V4 model is and what it costs: parameters, stored bytes
by dtype, bytes read per decoded token, the layer schedule, and the cache
memory of one sequence per token and at a context length.

  CONFIG.json       a model config
  DIR               a checkpoint directory: its config.json, and its
                    tensors checked against it
  MODULE.sieve      a compiled module: the config it was compiled from, and
                    what it fixed (context, slots, cache format, targets)

options:
  --context N       the context length for cache sizes (default: the
                    config's max_seq_len, or the module's)
  --cache-format F  bf16 (default), fp8 or fp8-fp4; a module fixes its own
  --json            one JSON object instead of text
  -h, --help        show this help
  --version         show the version
Options take their value as the next argument or after '='.
)";

int usageError(const std::string &msg) { return cli::usageError("sieve-info", msg); }

int inputError(const std::string &msg) {
  std::fprintf(stderr, "sieve-info: error: %s\n", msg.c_str());
  return 1;
}

const char *attentionName(io::AttentionKind kind) {
  switch (kind) {
  case io::AttentionKind::kSliding:
    return "sliding window";
  case io::AttentionKind::kCompressed:
    return "CSA";
  case io::AttentionKind::kHeavyCompressed:
    return "HCA";
  }
  return "?";
}

/// What the module fixed, for a module input.
struct ModuleFacts {
  std::string path;
  uint64_t fileBytes = 0;
  std::string producer;
  int64_t maxSeqLen = 0, maxBatch = 0, maxChunk = 0;
  std::string cacheFormat;
  uint64_t cacheBytesAllSlots = 0;
  std::vector<std::string> targets, entryPoints;
  /// Kernels the runtime must provide (the prefill's oneDNN GEMMs).
  std::vector<std::string> libraryKernels;
};

/// The checkpoint found beside a config, checked against it.
struct CheckpointFacts {
  std::string path;
  uint64_t tensors = 0, bytes = 0;
  size_t problems[4] = {0, 0, 0, 0}; // by CheckpointProblem::Kind
  std::vector<std::string> firstProblems;
};

std::string blockName(const io::ModelConfig &config, const io::BlockReport &b) {
  return b.mtp ? "mtp." + std::to_string(b.block - config.nLayers) : std::to_string(b.block);
}

void printText(const std::string &source, const io::ModelConfig &c, const io::ModelReport &r,
               const std::optional<ModuleFacts> &module,
               const std::optional<CheckpointFacts> &checkpoint) {
  std::printf("%s\n", source.c_str());
  std::printf("  model        DeepSeek-V4: %lld layers + %lld MTP, dim %lld, vocab %lld, "
              "hyper-connections x%lld\n",
              (long long)c.nLayers, (long long)c.nMtpLayers, (long long)c.dim,
              (long long)c.vocabSize, (long long)c.hcMult);
  std::printf("  attention    %lld heads x %lld (rope %lld), q_lora %lld, window %lld; indexer "
              "%lld heads x %lld, top-%lld\n",
              (long long)c.nHeads, (long long)c.headDim, (long long)c.ropeHeadDim,
              (long long)c.qLoraRank, (long long)c.windowSize, (long long)c.indexNHeads,
              (long long)c.indexHeadDim, (long long)c.indexTopk);
  std::printf("  experts      %lld routed (%lld active) + %lld shared, inter %lld; %lld "
              "hash-routed layers\n",
              (long long)c.nRoutedExperts, (long long)c.nActivatedExperts,
              (long long)c.nSharedExperts, (long long)c.moeInterDim, (long long)c.nHashLayers);
  const io::ParameterCounts &p = r.parameters;
  std::printf("  parameters   %s (+ %s MTP); %s active per token; %s per routed expert\n",
              formatCount(uint64_t(p.total)).c_str(), formatCount(uint64_t(p.mtp)).c_str(),
              formatCount(uint64_t(p.activePerToken)).c_str(),
              formatCount(uint64_t(p.perRoutedExpert)).c_str());
  std::printf("  weights      %s stored (%s MTP)\n", formatBytes(r.weights.total).c_str(),
              formatBytesShort(r.weights.mtp).c_str());
  for (const io::DTypeShare &d : r.byDtype)
    std::printf("    %-9s %5.1f%%  %10s  %llu tensors\n", io::dtypeName(d.dtype),
                r.weights.total ? 100.0 * double(d.bytes) / double(r.weights.total) : 0.0,
                formatBytesShort(d.bytes).c_str(), (unsigned long long)d.tensors);
  std::printf("  decode reads %s of weights per token (batch 1: %lld of %lld experts)\n",
              formatBytes(r.weights.decodePerToken).c_str(), (long long)c.nActivatedExperts,
              (long long)c.nRoutedExperts);
  std::printf("  cache        %s rows, one sequence: %s fixed + %.0f bytes per token (%.0f in "
              "the main layers); %s at %lld tokens\n",
              io::cacheFormatName(r.cacheFormat),
              formatBytesShort(uint64_t(r.cacheFixedBytes)).c_str(), r.cacheBytesPerToken,
              r.cacheBytesPerTokenMain, formatBytes(uint64_t(r.cacheBytesAtContext)).c_str(),
              (long long)r.context);
  if (module) {
    std::printf("  module       %s, %s, by %s\n", module->path.c_str(),
                formatBytesShort(module->fileBytes).c_str(), module->producer.c_str());
    std::printf("               max_seq_len %lld, %lld slots, prefill chunks of %lld; caches %s "
                "(%s) for all slots\n",
                (long long)module->maxSeqLen, (long long)module->maxBatch,
                (long long)module->maxChunk, formatBytes(module->cacheBytesAllSlots).c_str(),
                module->cacheFormat.c_str());
    std::string targets, entries;
    for (const std::string &t : module->targets)
      targets += (targets.empty() ? "" : ", ") + t;
    for (const std::string &e : module->entryPoints)
      entries += (entries.empty() ? "" : ", ") + e;
    std::printf("               executables: %s; entry points: %s\n", targets.c_str(),
                entries.c_str());
    if (!module->libraryKernels.empty()) {
      std::string names;
      for (const std::string &name : module->libraryKernels)
        names += (names.empty() ? "" : ", ") + name;
      std::printf("               library kernels (the runtime provides them): %s\n",
                  names.c_str());
    }
  }
  if (checkpoint) {
    const size_t problems = checkpoint->problems[0] + checkpoint->problems[1] +
                            checkpoint->problems[2] + checkpoint->problems[3];
    if (problems == 0) {
      std::printf("  checkpoint   %s: %llu tensors, %s, matches the config\n",
                  checkpoint->path.c_str(), (unsigned long long)checkpoint->tensors,
                  formatBytesShort(checkpoint->bytes).c_str());
    } else {
      std::printf("  checkpoint   %s does NOT match the config: %zu missing, %zu wrong dtype, "
                  "%zu wrong shape, %zu unexpected\n",
                  checkpoint->path.c_str(), checkpoint->problems[0], checkpoint->problems[1],
                  checkpoint->problems[2], checkpoint->problems[3]);
      for (const std::string &line : checkpoint->firstProblems)
        std::printf("               %s\n", line.c_str());
    }
  }
  std::printf("  layers       block  attention       ratio  routing   weights     cache at %lld\n",
              (long long)r.context);
  for (const io::BlockReport &b : r.blocks)
    std::printf("               %-6s %-15s %5lld  %-8s %10s  %10s\n", blockName(c, b).c_str(),
                attentionName(b.attention), (long long)b.ratio, b.hashRouted ? "hash" : "score",
                formatBytesShort(b.weightBytes).c_str(),
                formatBytesShort(uint64_t(b.cacheBytesAtContext)).c_str());
}

nlohmann::ordered_json toJson(const std::string &source, const io::ModelConfig &c,
                              const io::ModelReport &r, const std::optional<ModuleFacts> &module,
                              const std::optional<CheckpointFacts> &checkpoint) {
  nlohmann::ordered_json j;
  j["source"] = source;
  j["layers"] = c.nLayers;
  j["mtp_layers"] = c.nMtpLayers;
  j["dim"] = c.dim;
  j["vocab_size"] = c.vocabSize;
  j["routed_experts"] = c.nRoutedExperts;
  j["activated_experts"] = c.nActivatedExperts;
  j["parameters"] = {{"total", r.parameters.total},
                     {"mtp", r.parameters.mtp},
                     {"active_per_token", r.parameters.activePerToken},
                     {"per_routed_expert", r.parameters.perRoutedExpert}};
  nlohmann::ordered_json dtypes = nlohmann::ordered_json::object();
  for (const io::DTypeShare &d : r.byDtype)
    dtypes[io::dtypeName(d.dtype)] = {{"tensors", d.tensors}, {"bytes", d.bytes}};
  j["weight_bytes"] = {{"total", r.weights.total},
                       {"mtp", r.weights.mtp},
                       {"decode_per_token", r.weights.decodePerToken},
                       {"by_dtype", dtypes}};
  j["cache"] = {{"format", io::cacheFormatName(r.cacheFormat)},
                {"context", r.context},
                {"fixed_bytes", r.cacheFixedBytes},
                {"bytes_per_token", r.cacheBytesPerToken},
                {"bytes_per_token_main_layers", r.cacheBytesPerTokenMain},
                {"bytes_at_context", r.cacheBytesAtContext}};
  nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
  for (const io::BlockReport &b : r.blocks)
    blocks.push_back({{"block", blockName(c, b)},
                      {"attention", io::attentionKindName(b.attention)},
                      {"ratio", b.ratio},
                      {"routing", b.hashRouted ? "hash" : "score"},
                      {"weight_bytes", b.weightBytes},
                      {"cache_fixed_bytes", b.cacheFixedBytes},
                      {"cache_entry_bytes", b.cacheEntryBytes},
                      {"cache_bytes_at_context", b.cacheBytesAtContext}});
  j["blocks"] = std::move(blocks);
  if (module)
    j["module"] = {{"path", module->path},
                   {"file_bytes", module->fileBytes},
                   {"producer", module->producer},
                   {"max_seq_len", module->maxSeqLen},
                   {"max_batch", module->maxBatch},
                   {"max_chunk", module->maxChunk},
                   {"cache_format", module->cacheFormat},
                   {"cache_bytes_all_slots", module->cacheBytesAllSlots},
                   {"executables", module->targets},
                   {"entry_points", module->entryPoints},
                   {"library_kernels", module->libraryKernels}};
  if (checkpoint)
    j["checkpoint"] = {{"path", checkpoint->path},
                       {"tensors", checkpoint->tensors},
                       {"bytes", checkpoint->bytes},
                       {"missing", checkpoint->problems[0]},
                       {"wrong_dtype", checkpoint->problems[1]},
                       {"wrong_shape", checkpoint->problems[2]},
                       {"unexpected", checkpoint->problems[3]}};
  return j;
}

/// Whether `path` holds safetensors data (a checkpoint, not only a config).
bool holdsCheckpoint(const std::string &dir) {
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 12 && name.compare(name.size() - 12, 12, ".safetensors") == 0)
      return true;
    if (name == "model.safetensors.index.json")
      return true;
  }
  return false;
}

int runMain(int argc, char **argv) {
  std::string path;
  int64_t context = 0;
  std::optional<io::CacheFormat> cacheFormat;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    cli::Arg arg = cli::splitArg(argv[i]);
    std::string text, problem;
    if (arg.name == "-h" || arg.name == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg.name == "--context") {
      if (!(problem = cli::takeInt(arg, argc, argv, i, 1, context)).empty())
        return usageError(problem);
    } else if (arg.name == "--cache-format") {
      if (!(problem = cli::takeString(arg, argc, argv, i, text)).empty())
        return usageError(problem);
      Expected<io::CacheFormat> format = io::parseCacheFormat(text);
      if (!format)
        return usageError("--cache-format takes bf16, fp8 or fp8-fp4 (got '" + text + "')");
      cacheFormat = *format;
    } else if (arg.name == "--json") {
      if (arg.inlineValue)
        return usageError("--json takes no value");
      json = true;
    } else if (arg.name.size() > 1 && arg.name[0] == '-') {
      return usageError("unknown option " + arg.name);
    } else if (path.empty()) {
      path = arg.name;
    } else {
      return usageError("one model at a time (got '" + path + "' and '" + arg.name + "')");
    }
  }
  if (path.empty())
    return usageError("no CONFIG.json, checkpoint directory or module given");

  std::error_code ec;
  io::ConfigParseOptions parseOptions;
  std::optional<io::ModelConfig> config;
  std::optional<ModuleFacts> module;
  std::optional<CheckpointFacts> checkpoint;
  std::string source = path;
  const bool isDir = std::filesystem::is_directory(path, ec);
  uint64_t size = 0;
  std::string head;
  if (!isDir) {
    Expected<int> fd = openRegularFile(path, size, "model file");
    if (!fd)
      return inputError(fd.status().message());
    char bytes[16] = {};
    const ssize_t got = ::read(*fd, bytes, sizeof bytes);
    ::close(*fd);
    head.assign(bytes, got > 0 ? size_t(got) : 0);
  }
  const size_t firstText = head.find_first_not_of(" \t\r\n");
  const bool looksJson = firstText != std::string::npos && head[firstText] == '{';

  if (isDir || looksJson) {
    const std::string configPath = isDir ? path + "/config.json" : path;
    Expected<io::ModelConfig> parsed = io::loadModelConfig(configPath, parseOptions);
    if (!parsed)
      return inputError(parsed.status().message());
    config = parsed.take();
    source = configPath;
    if (isDir && holdsCheckpoint(path)) {
      Expected<io::SafetensorsReader> reader = io::SafetensorsReader::open(path);
      if (!reader)
        return inputError(reader.status().message());
      CheckpointFacts facts;
      facts.path = path;
      facts.tensors = reader->size();
      facts.bytes = reader->totalBytes();
      io::CheckpointReport report = io::checkCheckpoint(*config, *reader);
      for (const io::CheckpointProblem &problem : report.problems) {
        size_t &kind = facts.problems[size_t(problem.kind)];
        if (kind++ < 3)
          facts.firstProblems.push_back(problem.message);
      }
      checkpoint = std::move(facts);
    }
  } else {
    if (cacheFormat)
      return usageError("a module fixes its cache format (" + path +
                        "); --cache-format applies to a config or checkpoint");
    Expected<std::unique_ptr<module::ModuleFile>> file = module::ModuleFile::open(path);
    if (!file)
      return inputError(file.status().message() +
                        " (sieve-info takes a config.json, a checkpoint directory or a "
                        ".sieve module)");
    const fb::Module &m = (*file)->module();
    const fb::Model *model = m.model();
    if (!model->config_json() || model->config_json()->size() == 0)
      return inputError(path + ": the module records no config (it was compiled from a graph)");
    Expected<io::ModelConfig> parsed = io::parseModelConfig(
        model->config_json()->str(), path + " (its recorded config)", parseOptions);
    if (!parsed)
      return inputError(parsed.status().message());
    config = parsed.take();
    Expected<io::CacheFormat> format = io::parseCacheFormat(model->cache_format()->str());
    if (!format)
      return inputError(path + ": " + format.status().message());
    cacheFormat = *format;
    ModuleFacts facts;
    facts.path = path;
    facts.fileBytes = (*file)->sizeBytes();
    facts.producer = m.producer()->name()->str() + " " + m.producer()->version()->str();
    facts.maxSeqLen = model->max_seq_len();
    facts.maxBatch = model->max_batch();
    facts.maxChunk = model->max_chunk();
    facts.cacheFormat = model->cache_format()->str();
    for (const fb::Cache *cache : *m.caches())
      facts.cacheBytesAllSlots += cache->bytes();
    for (const fb::Executable *e : *m.executables())
      facts.targets.push_back(e->target()->str());
    for (const fb::EntryPoint *e : *m.entry_points())
      facts.entryPoints.push_back(e->name()->str());
    for (const fb::Kernel *kernel : *m.kernels())
      if (kernel->library() && kernel->library()->size() > 0)
        facts.libraryKernels.push_back(kernel->library()->str());
    if (!context)
      context = facts.maxSeqLen;
    module = std::move(facts);
  }

  Expected<io::ModelReport> report =
      io::buildModelReport(*config, cacheFormat.value_or(io::CacheFormat::kReferenceBf16), context);
  if (!report)
    return inputError(source + ": " + report.status().message());
  if (json)
    std::printf("%s\n", toJson(source, *config, *report, module, checkpoint).dump(2).c_str());
  else
    printText(source, *config, *report, module, checkpoint);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-info", argc, argv, [&] { return runMain(argc, argv); });
}
