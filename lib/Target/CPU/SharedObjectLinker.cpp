//===- SharedObjectLinker.cpp - Objects -> shared object with lld in process ===//
//
// lld is a library here (liblld-22-dev), not a subprocess. It reads and
// writes files, so the objects go to a private directory that is removed
// before returning, whatever happens. lld keeps global state: calls are
// serialized, and once lld says it cannot run again, linking fails cleanly.
//
//===----------------------------------------------------------------------===//

#include "sieve/Target/CPU/CpuTarget.h"

#include "mlir/IR/Diagnostics.h"
#include "lld/Common/Driver.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

LLD_HAS_DRIVER(elf)

using namespace mlir;

namespace sieve::cpu {

namespace {
/// A fresh private directory, removed with everything in it on scope exit.
class ScratchDirectory {
public:
  std::error_code create() {
    return llvm::sys::fs::createUniqueDirectory("sieve-link", path);
  }
  ~ScratchDirectory() {
    if (!path.empty())
      (void)llvm::sys::fs::remove_directories(path);
  }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> full(path);
    llvm::sys::path::append(full, name);
    return full.str().str();
  }

private:
  llvm::SmallString<128> path;
};

std::mutex lldMutex;
bool lldUsable = true; // guarded by lldMutex
} // namespace

FailureOr<std::string> linkSharedObject(ArrayRef<std::string> objects, Location loc) {
  if (objects.empty())
    return emitError(loc) << "no objects to link";
  ScratchDirectory scratch;
  if (std::error_code ec = scratch.create())
    return emitError(loc) << "cannot create a directory for the linker: " << ec.message();

  std::vector<std::string> inputs;
  for (auto [i, object] : llvm::enumerate(objects)) {
    inputs.push_back(scratch.file("kernels" + std::to_string(i) + ".o"));
    std::error_code ec;
    llvm::raw_fd_ostream out(inputs.back(), ec, llvm::sys::fs::OF_None);
    if (ec)
      return emitError(loc) << "cannot write " << inputs.back() << ": " << ec.message();
    out << object;
    out.close();
    if (out.has_error())
      return emitError(loc) << "cannot write " << inputs.back() << ": "
                            << out.error().message();
  }
  std::string output = scratch.file("kernels.so");
  // -z defs: an undefined symbol (a libm or memcpy call) fails the link.
  std::vector<const char *> args = {"ld.lld", "-shared", "-z", "defs", "-z", "noexecstack",
                                    "--hash-style=gnu", "-o", output.c_str()};
  for (const std::string &input : inputs)
    args.push_back(input.c_str());

  std::string messages;
  llvm::raw_string_ostream messageStream(messages);
  {
    std::lock_guard<std::mutex> lock(lldMutex);
    if (!lldUsable)
      return emitError(loc) << "the linker failed earlier in a way that prevents "
                               "running it again in this process";
    lld::Result result =
        lld::lldMain(args, messageStream, messageStream, {{lld::Gnu, &lld::elf::link}});
    lldUsable = result.canRunAgain;
    if (result.retCode != 0)
      return emitError(loc) << "linking the kernels failed: "
                            << llvm::StringRef(messages).trim();
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> image =
      llvm::MemoryBuffer::getFile(output, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!image)
    return emitError(loc) << "cannot read the linked kernels: " << image.getError().message();
  return (*image)->getBuffer().str();
}

} // namespace sieve::cpu
