//===- hip_device.cpp - AMD GPUs through the HIP runtime ------------------===//

#include "sieve/hal/hip/hip_device.h"
#include "sieve/hal/gpu_launch.h"
#include "sieve/hal/hip/hip_runtime.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace sieve::hal::hip {

namespace {

// Memory release gets no device, so it reaches the runtime here.
const Runtime *gRuntime = nullptr;

void releaseMemory(void *data, uint64_t) {
  if (gRuntime)
    gRuntime->hipFree(data);
}

struct HipExecutable final : LoadedExecutable {
  const Runtime *runtime = nullptr;
  hipModule_t module = nullptr;
  std::vector<hipFunction_t> functions;
  std::vector<std::array<uint32_t, 3>> blocks;
  ~HipExecutable() override {
    if (module)
      runtime->hipModuleUnload(module);
  }
};

/// The processor part of an architecture string: "gfx942" of
/// "gfx942:sramecc+:xnack-".
std::string processorOf(const std::string &target) { return target.substr(0, target.find(':')); }

} // namespace

std::string findArchitecture(std::string_view properties) {
  // Every release's structure starts with `char name[256]` (the marketing
  // name); the architecture lies after it, preceded by whatever field.
  constexpr size_t kNameBytes = 256, kLongest = 64;
  auto isArchitectureChar = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '+' || c == '-';
  };
  for (size_t at = properties.find("gfx", std::min(kNameBytes, properties.size()));
       at != std::string_view::npos; at = properties.find("gfx", at + 1)) {
    size_t end = properties.find('\0', at);
    if (end == std::string_view::npos)
      return "";
    std::string_view candidate = properties.substr(at, end - at);
    if (candidate.size() > 3 && candidate.size() < kLongest &&
        std::isxdigit(static_cast<unsigned char>(candidate[3])) &&
        std::all_of(candidate.begin(), candidate.end(), isArchitectureChar))
      return std::string(candidate);
  }
  return "";
}

std::string chipRejectReason(const std::string &chip, const std::string &target) {
  if (chip.rfind("gfx", 0) != 0)
    return "an unknown AMD chip '" + chip + "'";
  const std::string have = processorOf(target);
  if (chip != have)
    return "an HSACO for " + chip + " runs only on that chip; this GPU is " + have;
  return "";
}

Expected<std::unique_ptr<HipDevice>> HipDevice::open(int ordinal) {
  Expected<const Runtime *> runtime = loadRuntime();
  if (!runtime)
    return runtime.takeStatus();
  const Runtime &r = **runtime;
  gRuntime = &r;
  int count = 0;
  if (r.hipGetDeviceCount(&count) != kHipSuccess)
    count = 0;
  SIEVE_RETURN_IF_ERROR(checkGpuOrdinal("hip", "the HIP runtime", count, ordinal));
  std::unique_ptr<HipDevice> device(new HipDevice());
  device->runtime_ = &r;
  device->ordinal_ = ordinal;
  char name[256] = {};
  SIEVE_RETURN_IF_ERROR(
      device->check(r.hipDeviceGetName(name, int(sizeof(name)) - 1, ordinal), "hipDeviceGetName"));
  device->name_ = name;
  // Far larger than any release's hipDeviceProp_t (about 1.5 KiB in ROCm 6).
  std::vector<char> properties(16384, '\0');
  SIEVE_RETURN_IF_ERROR(device->check(r.hipGetDeviceProperties(properties.data(), ordinal),
                                      "reading the GPU's properties"));
  device->target_ = findArchitecture(std::string_view(properties.data(), properties.size()));
  if (device->target_.empty())
    return Status(StatusCode::kFailedPrecondition,
                  "hip:" + std::to_string(ordinal) +
                      ": the HIP runtime did not report the GPU's architecture (gfx...)");
  device->chip_ = processorOf(device->target_);
  size_t memory = 0;
  if (r.hipDeviceTotalMem(&memory, ordinal) == kHipSuccess)
    device->memoryBytes_ = memory;
  r.hipDriverGetVersion(&device->runtimeVersion_);
  SIEVE_RETURN_IF_ERROR(device->makeCurrent());
  return device;
}

Status HipDevice::check(int result, const std::string &what) const {
  if (result == kHipSuccess)
    return Status::ok();
  const char *text = runtime_ ? runtime_->hipGetErrorString(result) : nullptr;
  return Status(StatusCode::kFailedPrecondition,
                "hip:" + std::to_string(ordinal_) + ": " + what + " failed: " +
                    (text ? text : "hipError_t " + std::to_string(result)));
}

// The runtime's current device is per host thread: set it before each
// call that acts on the device from a thread that may not have.
Status HipDevice::makeCurrent() const {
  return check(runtime_->hipSetDevice(ordinal_), "selecting the GPU");
}

std::string HipDevice::description() const {
  return "hip:" + std::to_string(ordinal_) + ": " + name_ + " (" + target_ + ", " +
         std::to_string(memoryBytes_ >> 30) + " GiB), HIP " + std::to_string(runtimeVersion_);
}

std::string HipDevice::rejectReason(const fb::Executable &executable) const {
  if (executable.format() != fb::ExecutableFormat::Hsaco)
    return "not AMD code";
  return chipRejectReason(executable.architecture()->str(), target_);
}

Expected<std::unique_ptr<LoadedExecutable>> HipDevice::load(const fb::Executable &executable,
                                                            const ModuleKernels *kernels,
                                                            std::string_view image,
                                                            const std::string &name) {
  std::string reason = rejectReason(executable);
  if (!reason.empty())
    return invalidArgument(name + ": " + reason);
  Expected<std::vector<std::array<uint32_t, 3>>> blocks = blockSizes(executable, name);
  if (!blocks)
    return blocks.takeStatus();
  auto loaded = std::make_unique<HipExecutable>();
  loaded->runtime = runtime_;
  loaded->blocks = blocks.take();
  SIEVE_RETURN_IF_ERROR(makeCurrent());
  // The runtime reads the ELF from memory it does not own past this call.
  SIEVE_RETURN_IF_ERROR(
      check(runtime_->hipModuleLoadData(&loaded->module, image.data()), "loading " + name));
  for (uint32_t k = 0; k < executable.exports()->size(); ++k) {
    const std::string symbol = executable.exports()->Get(k)->str();
    if (symbol.empty())
      return Status(StatusCode::kUnavailable,
                    name + ": kernel " + libraryKernelRefusal(kernels, k));
    hipFunction_t function = nullptr;
    SIEVE_RETURN_IF_ERROR(
        check(runtime_->hipModuleGetFunction(&function, loaded->module, symbol.c_str()),
              "finding kernel '" + symbol + "' in " + name));
    loaded->functions.push_back(function);
  }
  return std::unique_ptr<LoadedExecutable>(std::move(loaded));
}

Expected<DeviceMemory> HipDevice::allocate(uint64_t bytes, const std::string &what) {
  if (bytes == 0)
    return DeviceMemory();
  SIEVE_RETURN_IF_ERROR(makeCurrent());
  void *pointer = nullptr;
  SIEVE_RETURN_IF_ERROR(check(runtime_->hipMalloc(&pointer, size_t(bytes)),
                              "allocating " + std::to_string(bytes) + " bytes for " + what));
  DeviceMemory memory(pointer, bytes, releaseMemory);
  SIEVE_RETURN_IF_ERROR(check(runtime_->hipMemset(pointer, 0, size_t(bytes)), "zeroing " + what));
  return memory;
}

Status HipDevice::write(void *to, const void *from, uint64_t bytes) {
  if (bytes == 0)
    return Status::ok();
  SIEVE_RETURN_IF_ERROR(makeCurrent());
  return check(runtime_->hipMemcpyHtoD(to, from, size_t(bytes)), "a copy to the GPU");
}

Status HipDevice::read(void *to, const void *from, uint64_t bytes) {
  if (bytes == 0)
    return Status::ok();
  SIEVE_RETURN_IF_ERROR(makeCurrent());
  return check(runtime_->hipMemcpyDtoH(to, const_cast<void *>(from), size_t(bytes)),
               "a copy from the GPU (or a kernel before it)");
}

Status HipDevice::dispatch(const LoadedExecutable &executable, uint32_t kernel,
                           const sieve_dispatch_state_t &dispatch, const char *name) {
  const auto &hip = static_cast<const HipExecutable &>(executable);
  if (dispatch.workgroup_count[0] == 0)
    return Status::ok();
  SIEVE_RETURN_IF_ERROR(makeCurrent());
  SIEVE_RETURN_IF_ERROR(checkBindingAlignment(dispatch, name));
  LaunchArguments arguments(dispatch);
  const std::array<uint32_t, 3> &block = hip.blocks[kernel];
  return check(runtime_->hipModuleLaunchKernel(
                   hip.functions[kernel], dispatch.workgroup_count[0], dispatch.workgroup_count[1],
                   dispatch.workgroup_count[2], block[0], block[1], block[2], 0, nullptr,
                   arguments.data(), nullptr),
               std::string("launching ") + name);
}

Status HipDevice::copy(void *to, const void *from, uint64_t bytes) {
  if (bytes == 0)
    return Status::ok();
  SIEVE_RETURN_IF_ERROR(makeCurrent());
  return check(runtime_->hipMemcpyDtoD(to, const_cast<void *>(from), size_t(bytes)),
               "a copy within the GPU");
}

Status HipDevice::finish() {
  SIEVE_RETURN_IF_ERROR(makeCurrent());
  return check(runtime_->hipDeviceSynchronize(), "waiting for the GPU's kernels");
}

} // namespace sieve::hal::hip
