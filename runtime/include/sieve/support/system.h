//===- system.h - Files and memory as the operating system sees them -*- C++ -*-===//
//
// What every reader of outside input shares: files are opened without
// blocking and only when they are regular files (a FIFO or a device named in
// a config or an index would otherwise hang or stream forever), read up to a
// stated size, and requests for memory are compared with what the machine
// has before they are made.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sieve {

/// Opens `path` read-only (close-on-exec) if it is a regular file; returns
/// the descriptor and sets `size`. A FIFO, socket, device or directory is an
/// invalid-argument error, found without blocking. `what` names the file's
/// role in messages ("path: cannot open config: No such file or directory").
Expected<int> openRegularFile(const std::string &path, uint64_t &size,
                              const std::string &what = "file");

/// The whole of a regular file of at most `maxBytes` bytes.
Expected<std::string> readRegularFile(const std::string &path, uint64_t maxBytes,
                                      const std::string &what = "file");

/// All of standard input, at most `maxBytes` bytes (more is an
/// out-of-range error naming `what`).
Expected<std::string> readStandardInput(uint64_t maxBytes, const std::string &what = "input");

/// Memory this process can still get: the smaller of the kernel's
/// MemAvailable, the cgroup's remaining limit and RLIMIT_AS. nullopt when
/// none of them can be read (then callers skip the check).
std::optional<uint64_t> availableMemoryBytes();

/// Ok when `bytes` fits in availableMemoryBytes(); otherwise an out-of-range
/// error "<what> needs N but only M are available", both in human units.
Status checkMemoryAvailable(uint64_t bytes, const std::string &what);

/// Bytes an unprivileged writer can still put on the file system holding
/// `path` (or its nearest existing parent); nullopt when it cannot be read.
std::optional<uint64_t> freeDiskBytes(const std::string &path);

/// Maps the pages of [data, data + bytes) of a read-only mapping in now
/// (MADV_POPULATE_READ, Linux 5.14), so later reads do not fault. False
/// when the kernel lacks it or refuses; the pages then fault in on first
/// use, as without the call.
bool mapInForReading(const void *data, uint64_t bytes);

/// "1.5 GiB (1610612736 bytes)"; small sizes as "512 bytes".
std::string formatBytes(uint64_t bytes);

} // namespace sieve
