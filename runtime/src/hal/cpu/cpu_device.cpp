//===- cpu_device.cpp - The CPU device ------------------------------------===//

#include "sieve/hal/cpu/cpu_device.h"

#include "sieve/hal/cpu/cpu_features.h"
#include "sieve/hal/cpu/kernel_library.h"
#include "sieve/hal/cpu/library_kernels.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

namespace sieve::hal::cpu {
namespace {

unsigned onlineCpus() {
  long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

class CpuExecutable final : public LoadedExecutable {
public:
  CpuExecutable(KernelLibrary library, std::vector<sieve_kernel_fn> kernels)
      : library(std::move(library)), kernels(std::move(kernels)) {}
  KernelLibrary library;
  std::vector<sieve_kernel_fn> kernels;
};

struct WorkgroupRun {
  sieve_kernel_fn kernel;
  const sieve_dispatch_state_t *dispatch;
};

int32_t runWorkgroup(void *context, uint32_t index, uint32_t worker) {
  const auto *run = static_cast<const WorkgroupRun *>(context);
  sieve_workgroup_state_t workgroup = {};
  workgroup.workgroup_id[0] = index;
  workgroup.worker_id = worker;
  return run->kernel(run->dispatch, &workgroup);
}

void releaseMapping(void *data, uint64_t bytes) { ::munmap(data, bytes); }

} // namespace

CpuDevice::CpuDevice(unsigned threads) : pool_(threads ? threads : onlineCpus()) {}

std::string CpuDevice::description() const {
  return std::string("cpu: ") + std::to_string(pool_.participants()) + " thread" +
         (pool_.participants() == 1 ? "" : "s") + ", " + hostArchitecture();
}

std::string CpuDevice::rejectReason(const fb::Executable &executable) const {
  if (executable.format() == fb::ExecutableFormat::SimtHost) {
    if (!simtEmulator_)
      return "GPU kernels compiled for a SIMT emulator (--emulate-gpu), which only Sieve's tests "
             "provide";
  } else if (executable.format() != fb::ExecutableFormat::ElfSharedObject) {
    return "not CPU code";
  }
  if (executable.architecture()->string_view() != hostArchitecture())
    return "compiled for " + executable.architecture()->str() + ", this machine is " +
           hostArchitecture();
  std::vector<std::string> required;
  if (executable.features())
    for (const flatbuffers::String *feature : *executable.features())
      required.push_back(feature->str());
  std::vector<std::string> missing = missingCpuFeatures(required);
  if (missing.empty())
    return "";
  std::string list;
  for (const std::string &name : missing)
    list += (list.empty() ? "" : ", ") + name;
  return "needs CPU feature" + std::string(missing.size() == 1 ? " " : "s ") + list +
         " this machine lacks";
}

Expected<std::unique_ptr<LoadedExecutable>> CpuDevice::load(const fb::Executable &executable,
                                                            const ModuleKernels *kernels,
                                                            std::string_view image,
                                                            const std::string &name) {
  std::string reason = rejectReason(executable);
  if (!reason.empty())
    return invalidArgument(name + ": " + reason);
  Expected<KernelLibrary> library = KernelLibrary::load(image, name);
  if (!library)
    return library.takeStatus();
  if (executable.format() == fb::ExecutableFormat::SimtHost) {
    Expected<void *> table = library->data(SIEVE_SIMT_RUNTIME_SYMBOL);
    if (!table)
      return table.takeStatus();
    *static_cast<const sieve_simt_runtime_t **>(*table) = simtEmulator_;
  }
  std::vector<sieve_kernel_fn> functions;
  functions.reserve(executable.exports()->size());
  for (uint32_t k = 0; k < executable.exports()->size(); ++k) {
    const fb::Kernel *kernel = kernels && k < kernels->size() ? kernels->Get(k) : nullptr;
    if (kernel && kernel->library() && kernel->library()->size() > 0) {
      sieve_kernel_fn provided = findLibraryKernel(kernel->library()->string_view());
      if (!provided)
        return Status(StatusCode::kUnavailable,
                      name + ": kernel '" + kernel->name()->str() + "' is the library kernel '" +
                          kernel->library()->str() +
                          "', which this runtime does not provide (it provides " +
                          libraryKernelsProvided() +
                          "); recompile the module without --cpu-gemm, or use a runtime built "
                          "with oneDNN");
      functions.push_back(provided);
      continue;
    }
    Expected<sieve_kernel_fn> compiled = library->kernel(executable.exports()->Get(k)->str());
    if (!compiled)
      return compiled.takeStatus();
    functions.push_back(*compiled);
  }
  return std::unique_ptr<LoadedExecutable>(new CpuExecutable(library.take(), std::move(functions)));
}

Expected<DeviceMemory> CpuDevice::allocate(uint64_t bytes, const std::string &what) {
  if (bytes == 0)
    return DeviceMemory();
  void *data = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED)
    return Status(StatusCode::kFailedPrecondition,
                  "cannot allocate " + std::to_string(bytes) + " bytes for " + what + ": " +
                      std::strerror(errno));
  return DeviceMemory(data, bytes, releaseMapping);
}

Status CpuDevice::dispatch(const LoadedExecutable &executable, uint32_t kernel,
                           const sieve_dispatch_state_t &dispatch, const char *name) {
  const auto &cpu = static_cast<const CpuExecutable &>(executable);
  WorkgroupRun run{cpu.kernels[kernel], &dispatch};
  uint32_t failed = 0;
  int32_t code = pool_.run(dispatch.workgroup_count[0], runWorkgroup, &run, &failed);
  if (code != 0)
    return Status(StatusCode::kInternal, std::string("kernel ") + name + " returned " +
                                             std::to_string(code) + " in workgroup " +
                                             std::to_string(failed));
  return Status::ok();
}

} // namespace sieve::hal::cpu
