//===- sieve-tokenize.cpp - Text <-> token ids with DeepSeek's tokenizer --===//
//
// A thin main over sieve_tokenizer: encode stdin, decode ids, or build the
// V4 chat prompt from a JSON messages array. Exit codes: 0 ok, 1 bad input or
// file, 2 bad command line.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/chat_format.h"
#include "sieve/io/tokenizer.h"
#include "sieve/support/command_line.h"
#include "sieve/support/tool_main.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace sieve;
using namespace sieve::io;

namespace {

const char *const kUsage =
    R"(usage: sieve-tokenize --tokenizer FILE [options] < input

Encodes UTF-8 text with DeepSeek's byte-level BPE tokenizer (tokenizer.json).

modes:
  (default)               stdin is UTF-8 text; prints its token ids on one line,
                          separated by spaces (no BOS is added)
  --decode                stdin is token ids (separated by spaces, newlines or
                          commas); prints the text they decode to
  --chat                  stdin is a JSON array of chat messages, or an object
                          {"messages": [...], "tools": [...]}; prints the ids
                          of the DeepSeek-V4 prompt
  --chat --text           prints the prompt text instead of ids (needs no
                          --tokenizer)

options:
  --tokenizer FILE        the tokenizer.json to use (default: $SIEVE_TOKENIZER)
  --input FILE            read FILE instead of stdin
  --thinking-mode MODE    chat: 'chat' (default; answer directly) or 'thinking'
                          (the prompt ends in <think>)
  --keep-thinking         chat: keep the reasoning of earlier assistant turns
  --reasoning-effort E    chat: 'high' or 'max' (max adds DeepSeek's
                          instruction in thinking mode)
  --no-bos                chat: do not start with <｜begin▁of▁sentence｜>
  --no-special            encode special tokens written in the text as plain
                          text (for untrusted text)
  --skip-special          decode: leave special tokens out
  -h, --help              show this help

Options take their value as the next argument or after '='.
)";

struct Options {
  std::string tokenizer;
  std::string input;
  bool decode = false;
  bool chat = false;
  bool text = false;
  bool noSpecial = false;
  bool skipSpecial = false;
  ChatOptions chatOptions;
};

int usageError(const std::string &msg) { return cli::usageError("sieve-tokenize", msg); }

int runtimeError(const std::string &msg) {
  std::fprintf(stderr, "sieve-tokenize: error: %s\n", msg.c_str());
  return 1;
}

// Parses argv; returns -1 to continue, else an exit code.
int parseArgs(int argc, char **argv, Options &opts) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool hasValue = false;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      hasValue = true;
    }
    auto takeValue = [&](std::string &out) -> bool {
      if (hasValue) {
        out = value;
        return true;
      }
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    auto flag = [&](bool &out) -> bool {
      out = true;
      return !hasValue;
    };

    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--tokenizer" || arg == "--input" || arg == "--thinking-mode" ||
        arg == "--reasoning-effort") {
      std::string v;
      if (!takeValue(v) || v.empty())
        return usageError("option '" + arg + "' needs a value");
      if (arg == "--tokenizer") {
        opts.tokenizer = v;
      } else if (arg == "--input") {
        opts.input = v;
      } else if (arg == "--thinking-mode") {
        auto mode = parseThinkingMode(v);
        if (!mode)
          return usageError(mode.status().message());
        opts.chatOptions.thinkingMode = *mode;
      } else {
        auto effort = parseReasoningEffort(v);
        if (!effort)
          return usageError(effort.status().message());
        opts.chatOptions.reasoningEffort = *effort;
      }
      continue;
    }
    bool ok = true, dummy = false;
    if (arg == "--decode")
      ok = flag(opts.decode);
    else if (arg == "--chat")
      ok = flag(opts.chat);
    else if (arg == "--text")
      ok = flag(opts.text);
    else if (arg == "--no-special")
      ok = flag(opts.noSpecial);
    else if (arg == "--skip-special")
      ok = flag(opts.skipSpecial);
    else if (arg == "--keep-thinking") {
      ok = flag(dummy);
      opts.chatOptions.dropThinking = false;
    } else if (arg == "--no-bos") {
      ok = flag(dummy);
      opts.chatOptions.addBos = false;
    } else if (arg.rfind("-", 0) == 0)
      return usageError("unknown option '" + arg + "'");
    else
      return usageError("unexpected argument '" + arg + "' (input is read from stdin or --input)");
    if (!ok)
      return usageError("option '" + arg + "' takes no value");
  }

  if (opts.decode && opts.chat)
    return usageError("--decode and --chat cannot be combined");
  if (opts.text && !opts.chat)
    return usageError("--text only applies to --chat");
  if (opts.skipSpecial && !opts.decode)
    return usageError("--skip-special only applies to --decode");
  // As sieve-run: without --tokenizer, $SIEVE_TOKENIZER.
  if (opts.tokenizer.empty())
    if (const char *env = std::getenv("SIEVE_TOKENIZER"); env && *env)
      opts.tokenizer = env;
  if (opts.tokenizer.empty() && !(opts.chat && opts.text))
    return usageError("missing --tokenizer FILE (the tokenizer.json; or set $SIEVE_TOKENIZER; "
                      "scripts/fetch-tokenizer.sh downloads DeepSeek's)");
  return -1;
}

bool readAll(const std::string &path, std::string &out, std::string &error) {
  std::FILE *f = path.empty() ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    out.append(buf, n);
  bool bad = std::ferror(f) != 0;
  if (f != stdin)
    std::fclose(f);
  if (bad) {
    error = (path.empty() ? std::string("stdin") : path) + ": read error";
    return false;
  }
  return true;
}

bool writeAll(const std::string &s) {
  return std::fwrite(s.data(), 1, s.size(), stdout) == s.size() && std::fflush(stdout) == 0;
}

std::string joinIds(const std::vector<int32_t> &ids) {
  std::string out;
  out.reserve(ids.size() * 7);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i)
      out.push_back(' ');
    out += std::to_string(ids[i]);
  }
  out.push_back('\n');
  return out;
}

bool parseIds(const std::string &text, std::vector<int32_t> &ids, std::string &error) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                                text[i] == '\r' || text[i] == ','))
      ++i;
    std::string word = text.substr(start, i - start);
    bool digits = word.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    unsigned long long v = digits ? std::strtoull(word.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE || v > 0x7FFFFFFFull) {
      error = "'" + word.substr(0, 32) + "' at input byte " + std::to_string(start) +
              " is not a token id";
      return false;
    }
    ids.push_back(static_cast<int32_t>(v));
  }
  return true;
}

} // namespace

static int runMain(int argc, char **argv) {
  Options opts;
  int rc = parseArgs(argc, argv, opts);
  if (rc >= 0)
    return rc;

  std::string input, error;
  if (!readAll(opts.input, input, error))
    return runtimeError(error);

  std::string text = input;
  if (opts.chat) {
    auto prompt =
        encodeChatPrompt(input, opts.chatOptions, opts.input.empty() ? "stdin" : opts.input);
    if (!prompt)
      return runtimeError(prompt.status().message());
    if (opts.text)
      return writeAll(*prompt) ? 0 : runtimeError("cannot write stdout");
    text = prompt.take();
  }

  auto tokenizer = Tokenizer::fromFile(opts.tokenizer);
  if (!tokenizer)
    return runtimeError(tokenizer.status().message());

  if (opts.decode) {
    std::vector<int32_t> ids;
    if (!parseIds(input, ids, error))
      return runtimeError(error);
    DecodeOptions decodeOptions;
    decodeOptions.skipSpecialTokens = opts.skipSpecial;
    auto decoded = tokenizer->decode(ids, decodeOptions);
    if (!decoded)
      return runtimeError(decoded.status().message());
    return writeAll(*decoded) ? 0 : runtimeError("cannot write stdout");
  }

  EncodeOptions encodeOptions;
  encodeOptions.matchSpecialTokens = !opts.noSpecial;
  auto ids = tokenizer->encode(text, encodeOptions);
  if (!ids)
    return runtimeError((opts.chat ? "prompt: " : "input: ") + ids.status().message());
  return writeAll(joinIds(*ids)) ? 0 : runtimeError("cannot write stdout");
}

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-tokenize", argc, argv, [&] { return runMain(argc, argv); });
}
