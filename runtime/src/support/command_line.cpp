//===- command_line.cpp - Argument pieces the runtime tools share ---------===//

#include "sieve/support/command_line.h"

#include <cstdio>

#include <cerrno>
#include <cstdlib>

namespace sieve::cli {

Arg splitArg(const char *raw) {
  Arg arg{raw, "", false};
  if (arg.name.size() > 1 && arg.name[0] == '-') {
    const size_t eq = arg.name.find('=');
    if (eq != std::string::npos) {
      arg.value = arg.name.substr(eq + 1);
      arg.name.resize(eq);
      arg.inlineValue = true;
    }
  }
  return arg;
}

bool takeValue(Arg &arg, int argc, char **argv, int &i) {
  if (arg.inlineValue)
    return true;
  if (i + 1 >= argc)
    return false;
  arg.value = argv[++i];
  return true;
}

bool parseInt(const std::string &text, int64_t &out) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end || errno)
    return false;
  out = v;
  return true;
}

std::string takeString(Arg &arg, int argc, char **argv, int &i, std::string &out) {
  if (!takeValue(arg, argc, argv, i))
    return arg.name + " needs a value";
  out = arg.value;
  return {};
}

std::string takeInt(Arg &arg, int argc, char **argv, int &i, int64_t min, int64_t &out) {
  if (!takeValue(arg, argc, argv, i))
    return arg.name + " needs a value";
  if (!parseInt(arg.value, out) || out < min)
    return arg.name + " takes an integer >= " + std::to_string(min) + " (got '" + arg.value +
           "')";
  return {};
}

int usageError(const char *tool, const std::string &msg) {
  std::fprintf(stderr, "%s: error: %s\n(see %s --help)\n", tool, msg.c_str(), tool);
  return 2;
}

int inputError(const char *tool, const std::string &msg) {
  std::fprintf(stderr, "%s: error: %s\n", tool, msg.c_str());
  return 1;
}

} // namespace sieve::cli
