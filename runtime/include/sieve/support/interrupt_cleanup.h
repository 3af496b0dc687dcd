//===- interrupt_cleanup.h - Partial files removed on Ctrl-C ------*- C++ -*-===//
//
// A writer that puts its output under a temporary name and renames it when
// done leaves that temporary file behind when the process is interrupted
// mid-write (sieve-gen on a large config: gigabytes of ".tmp" shards). A
// writer registers its temporary path for as long as it writes; a tool that
// calls installInterruptCleanup() then has SIGINT, SIGTERM and SIGHUP remove
// every registered file before the signal ends the process as it would
// have. Libraries only register: installing signal handlers is the
// application's decision, so an application embedding the runtime keeps its
// own.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace sieve {

/// Installs the handlers (once; later calls do nothing).
void installInterruptCleanup();

/// Registers `path` for removal on interruption until destroyed. Best
/// effort: when every slot (16) is taken or the path is longer than
/// PATH_MAX, the file is not registered.
class RemoveOnInterrupt {
public:
  explicit RemoveOnInterrupt(const std::string &path);
  ~RemoveOnInterrupt();
  RemoveOnInterrupt(const RemoveOnInterrupt &) = delete;
  RemoveOnInterrupt &operator=(const RemoveOnInterrupt &) = delete;

private:
  int slot_ = -1;
};

} // namespace sieve
