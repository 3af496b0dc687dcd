//===- system.cpp - Files and memory as the operating system sees them ----===//

#include "sieve/support/system.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace sieve {

namespace {
const char *fileTypeName(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "a device";
  return "not a regular file";
}

/// The first unsigned number in a small text file, or nullopt ("max", absent).
std::optional<uint64_t> readNumberFile(const char *path) {
  std::FILE *f = std::fopen(path, "re");
  if (!f)
    return std::nullopt;
  unsigned long long v = 0;
  bool ok = std::fscanf(f, "%llu", &v) == 1;
  std::fclose(f);
  return ok ? std::optional<uint64_t>(v) : std::nullopt;
}

/// A "Key:   N kB" line of a /proc file, in bytes.
std::optional<uint64_t> readProcKb(const char *path, const char *key) {
  std::FILE *f = std::fopen(path, "re");
  if (!f)
    return std::nullopt;
  char line[256];
  std::optional<uint64_t> out;
  size_t keyLen = std::strlen(key);
  while (std::fgets(line, sizeof(line), f)) {
    if (std::strncmp(line, key, keyLen) != 0 || line[keyLen] != ':')
      continue;
    unsigned long long kb = 0;
    if (std::sscanf(line + keyLen + 1, "%llu", &kb) == 1)
      out = uint64_t(kb) * 1024;
    break;
  }
  std::fclose(f);
  return out;
}
} // namespace

Expected<int> openRegularFile(const std::string &path, uint64_t &size,
                              const std::string &what) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    return Status(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIo,
                  path + ": cannot open " + what + ": " + std::strerror(err));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ioError(path + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return invalidArgument(path + ": " + what + " is " + fileTypeName(st.st_mode) +
                           ", not a regular file");
  }
  // Regular files ignore O_NONBLOCK, but clear it for plain semantics.
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0)
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  size = uint64_t(st.st_size);
  return fd;
}

Expected<std::string> readRegularFile(const std::string &path, uint64_t maxBytes,
                                      const std::string &what) {
  uint64_t size = 0;
  auto fd = openRegularFile(path, size, what);
  if (!fd)
    return fd.takeStatus();
  if (size > maxBytes) {
    ::close(*fd);
    return invalidArgument(path + ": " + what + " of " + formatBytes(size) +
                           " exceeds the limit of " + formatBytes(maxBytes));
  }
  std::string text;
  text.resize(size_t(size));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(*fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(*fd);
      return ioError(path + ": read failed: " + std::strerror(err));
    }
    if (n == 0)
      break; // the file shrank while being read
    done += size_t(n);
  }
  ::close(*fd);
  text.resize(done);
  return text;
}

std::optional<uint64_t> availableMemoryBytes() {
  std::optional<uint64_t> best = readProcKb("/proc/meminfo", "MemAvailable");
  auto tighten = [&](uint64_t v) { best = best ? std::min(*best, v) : v; };
  // cgroup v2 limit of this container, when one is set.
  if (auto limit = readNumberFile("/sys/fs/cgroup/memory.max")) {
    uint64_t used = readNumberFile("/sys/fs/cgroup/memory.current").value_or(0);
    tighten(*limit > used ? *limit - used : 0);
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    uint64_t mapped = readProcKb("/proc/self/status", "VmSize").value_or(0);
    tighten(rl.rlim_cur > mapped ? rl.rlim_cur - mapped : 0);
  }
  return best;
}

Status checkMemoryAvailable(uint64_t bytes, const std::string &what) {
  std::optional<uint64_t> available = availableMemoryBytes();
  if (!available || bytes <= *available)
    return Status::ok();
  return outOfRange(what + " needs " + formatBytes(bytes) + " of memory but only " +
                    formatBytes(*available) + " are available");
}

std::optional<uint64_t> freeDiskBytes(const std::string &path) {
  std::string probe = path.empty() ? "." : path;
  while (true) {
    struct statvfs fs;
    if (statvfs(probe.c_str(), &fs) == 0)
      return uint64_t(fs.f_bavail) * uint64_t(fs.f_frsize);
    if (errno != ENOENT)
      return std::nullopt;
    size_t slash = probe.find_last_of('/');
    if (slash == std::string::npos)
      probe = ".";
    else if (slash == 0)
      probe = "/";
    else
      probe.resize(slash);
  }
}

std::string formatBytes(uint64_t bytes) {
  if (bytes < 1024)
    return std::to_string(bytes) + " bytes";
  static const char *const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = double(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%.1f %s (%" PRIu64 " bytes)", v, kUnits[unit], bytes);
  return buf;
}

Expected<std::string> readStandardInput(uint64_t maxBytes, const std::string &what) {
  std::string out;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) {
    if (out.size() + n > maxBytes)
      return outOfRange("standard input: the " + what + " is longer than " + formatBytes(maxBytes));
    out.append(buffer, n);
  }
  if (std::ferror(stdin))
    return ioError("standard input: cannot read the " + what + ": " + std::strerror(errno));
  return out;
}

bool mapInForReading(const void *data, uint64_t bytes) {
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 // Linux 5.14; Debian 12's headers predate it
#endif
  if (!data || bytes == 0)
    return true;
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(data) + uintptr_t(bytes);
  return ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_POPULATE_READ) == 0;
}

} // namespace sieve
