//===- command_line.h - Argument pieces the runtime tools share ---*- C++ -*-===//
//
// The runtime tools do not link LLVM, so they parse their own arguments;
// these are the parts every one of them does the same way: `--name=value`
// or `--name value`, and whole decimal integers.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_SUPPORT_COMMAND_LINE_H
#define SIEVE_SUPPORT_COMMAND_LINE_H

#include <cstdint>
#include <string>

namespace sieve::cli {

/// One argument: an option's name and the value written after its '='.
struct Arg {
  std::string name;
  std::string value;
  bool inlineValue = false;
};

/// "--name=value" (or "-n=value") -> {"--name", "value", true}; anything
/// else as it is.
Arg splitArg(const char *raw);

/// Gives `arg` its value: the inline one, else argv[i + 1] (advancing i).
/// False when there is none.
bool takeValue(Arg &arg, int argc, char **argv, int &i);

/// A whole decimal integer in range: no sign-only, empty or trailing text.
bool parseInt(const std::string &text, int64_t &out);

/// Takes `arg`'s value into `out`. Empty on success, else the usage problem
/// ("--weights needs a value").
std::string takeString(Arg &arg, int argc, char **argv, int &i, std::string &out);
/// Takes `arg`'s value as an integer of at least `min`. Empty on success,
/// else the usage problem ("-r takes an integer >= 1 (got '0')").
std::string takeInt(Arg &arg, int argc, char **argv, int &i, int64_t min, int64_t &out);

/// A command-line problem: "<tool>: error: <msg>" and "(see <tool> --help)"
/// on stderr; returns 2, every runtime tool's exit code for it.
int usageError(const char *tool, const std::string &msg);
/// Bad input (a file, a value it holds): "<tool>: error: <msg>" on stderr;
/// returns 1.
int inputError(const char *tool, const std::string &msg);

} // namespace sieve::cli

#endif // SIEVE_SUPPORT_COMMAND_LINE_H
