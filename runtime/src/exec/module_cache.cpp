//===- module_cache.cpp - Compile a config once, reuse the module ---------===//

#include "sieve/exec/module_cache.h"

#include "sieve/module/module_file.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace sieve::exec {
namespace {

namespace fs = std::filesystem;

Expected<std::string> readWhole(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return notFound(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string findCompiler(const std::string &given) {
  if (!given.empty())
    return given;
  if (const char *env = std::getenv("SIEVE_COMPILE"); env && *env)
    return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path sibling = self.parent_path() / "sieve-compile";
    if (fs::exists(sibling, ec))
      return sibling.string();
  }
  if (const char *path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':'))
      if (!dir.empty() && ::access((dir + "/sieve-compile").c_str(), X_OK) == 0)
        return dir + "/sieve-compile";
  }
  return "";
}

std::string findCacheDir(const std::string &given) {
  if (!given.empty())
    return given;
  if (const char *env = std::getenv("SIEVE_CACHE_DIR"); env && *env)
    return env;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/sieve";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/sieve";
  return "";
}

/// Runs `argv` without a shell and waits; the exit code, or an error.
Expected<int> runProcess(const std::vector<std::string> &args) {
  std::vector<char *> argv;
  for (const std::string &a : args)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (rc != 0)
    return ioError("cannot run " + args[0] + ": " + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return ioError("waiting for " + args[0] + ": " + std::strerror(errno));
  if (WIFSIGNALED(status))
    return ioError(args[0] + " was killed by signal " + std::to_string(WTERMSIG(status)));
  return WEXITSTATUS(status);
}

} // namespace

ModuleCacheRequest hostModuleRequest(const std::string &weights) {
  std::error_code ec;
  ModuleCacheRequest request;
  request.configPath = std::filesystem::is_directory(weights, ec)
                           ? weights + "/config.json"
                           : std::filesystem::path(weights).parent_path().string() +
                                 "/config.json";
  request.compileArgs.push_back("--target=cpu:host");
  return request;
}

Expected<CachedModule> cachedModule(const ModuleCacheRequest &request,
                                    const std::function<void(const std::string &)> &log) {
  const std::string compiler = findCompiler(request.compiler);
  if (compiler.empty())
    return notFound("sieve-compile not found (beside this program, on $PATH or in "
                    "$SIEVE_COMPILE); compile the module yourself with sieve-compile and pass it");
  const std::string cacheDir = findCacheDir(request.cacheDir);
  if (cacheDir.empty())
    return notFound("no cache directory: set $SIEVE_CACHE_DIR or $HOME");

  Expected<std::string> config = readWhole(request.configPath);
  if (!config)
    return config.takeStatus();
  Expected<std::string> compilerBytes = readWhole(compiler);
  if (!compilerBytes)
    return compilerBytes.takeStatus();
  std::string keyText = *config;
  for (const std::string &arg : request.compileArgs)
    keyText += '\0' + arg;
  char key[40];
  std::snprintf(key, sizeof key, "%016" PRIx64 "%016" PRIx64,
                module::segmentChecksum(keyText), module::segmentChecksum(*compilerBytes));

  std::error_code ec;
  fs::create_directories(cacheDir, ec);
  if (ec)
    return ioError("cannot create the module cache " + cacheDir + ": " + ec.message());
  CachedModule result;
  result.path = cacheDir + "/" + key + ".sieve";
  if (fs::exists(result.path, ec))
    return result;

  const std::string temporary = result.path + ".tmp" + std::to_string(::getpid());
  std::vector<std::string> args = {compiler, request.configPath};
  args.insert(args.end(), request.compileArgs.begin(), request.compileArgs.end());
  args.insert(args.end(), {"-o", temporary});
  if (log)
    log("compiling " + request.configPath + " with " + compiler + " (first use; cached as " +
        result.path + ")");
  Expected<int> rc = runProcess(args);
  if (!rc || *rc != 0) {
    fs::remove(temporary, ec);
    if (!rc)
      return rc.takeStatus();
    return invalidArgument("sieve-compile failed (exit code " + std::to_string(*rc) +
                           ") on " + request.configPath);
  }
  fs::rename(temporary, result.path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return ioError("cannot move the compiled module into " + cacheDir + ": " + ec.message());
  }
  result.compiled = true;
  return result;
}

} // namespace sieve::exec
