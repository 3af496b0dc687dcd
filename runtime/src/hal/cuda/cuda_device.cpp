//===- cuda_device.cpp - NVIDIA GPUs through the CUDA driver API ----------===//

#include "sieve/hal/cuda/cuda_device.h"
#include "sieve/hal/cuda/cuda_driver.h"
#include "sieve/hal/gpu_launch.h"

#include <array>
#include <cstdio>
#include <vector>

namespace sieve::hal::cuda {

constexpr int kAttributeComputeMajor = 75, kAttributeComputeMinor = 76;
constexpr CUresult kSuccess = kCudaSuccess;

namespace {

// Memory release gets no context, so it reaches the driver here.
const Driver *gDriver = nullptr;

void releaseMemory(void *data, uint64_t) {
  if (gDriver)
    gDriver->cuMemFree(CUdeviceptr(reinterpret_cast<uintptr_t>(data)));
}

CUdeviceptr devicePointer(const void *p) { return CUdeviceptr(reinterpret_cast<uintptr_t>(p)); }

/// "sm_90a" -> (9, 0, true).
bool parseChip(const std::string &chip, int &major, int &minor, bool &archSpecific) {
  unsigned number = 0;
  char suffix = 0;
  int n = std::sscanf(chip.c_str(), "sm_%u%c", &number, &suffix);
  if (n < 1 || number < 10)
    return false;
  major = int(number / 10);
  minor = int(number % 10);
  archSpecific = n == 2 && suffix == 'a';
  return n == 1 || archSpecific;
}

struct CudaExecutable final : LoadedExecutable {
  const Driver *driver = nullptr;
  CUmodule module = nullptr;
  std::vector<CUfunction> functions;
  std::vector<std::array<uint32_t, 3>> blocks;
  ~CudaExecutable() override {
    if (module)
      driver->cuModuleUnload(module);
  }
};

} // namespace

std::string chipRejectReason(const std::string &chip, bool isCubin, int major, int minor) {
  int wantMajor = 0, wantMinor = 0;
  bool archSpecific = false;
  if (!parseChip(chip, wantMajor, wantMinor, archSpecific))
    return "an unknown NVIDIA chip '" + chip + "'";
  const std::string have = "sm_" + std::to_string(major * 10 + minor);
  const bool same = wantMajor == major && wantMinor == minor;
  if ((isCubin || archSpecific) && !same)
    return std::string(isCubin ? "a cubin" : "PTX") + " for " + chip + " runs only on that chip; " +
           "this GPU is " + have;
  if (!same && (wantMajor > major || (wantMajor == major && wantMinor > minor)))
    return "PTX for " + chip + " needs a GPU at least that new; this GPU is " + have;
  return "";
}

Expected<std::unique_ptr<CudaDevice>> CudaDevice::open(int ordinal) {
  Expected<const Driver *> driver = loadDriver();
  if (!driver)
    return driver.takeStatus();
  const Driver &d = **driver;
  gDriver = &d;
  int count = 0;
  if (d.cuDeviceGetCount(&count) != kSuccess)
    count = 0;
  SIEVE_RETURN_IF_ERROR(checkGpuOrdinal("cuda", "the CUDA driver", count, ordinal));
  std::unique_ptr<CudaDevice> device(new CudaDevice());
  device->driver_ = &d;
  device->ordinal_ = ordinal;
  SIEVE_RETURN_IF_ERROR(device->check(d.cuDeviceGet(&device->device_, ordinal), "cuDeviceGet"));
  char name[256] = {};
  SIEVE_RETURN_IF_ERROR(
      device->check(d.cuDeviceGetName(name, int(sizeof(name)) - 1, device->device_), "cuDeviceGetName"));
  device->name_ = name;
  SIEVE_RETURN_IF_ERROR(device->check(
      d.cuDeviceGetAttribute(&device->major_, kAttributeComputeMajor, device->device_),
      "the compute capability"));
  SIEVE_RETURN_IF_ERROR(device->check(
      d.cuDeviceGetAttribute(&device->minor_, kAttributeComputeMinor, device->device_),
      "the compute capability"));
  device->chip_ = "sm_" + std::to_string(device->major_ * 10 + device->minor_);
  size_t memory = 0;
  if (d.cuDeviceTotalMem(&memory, device->device_) == kSuccess)
    device->memoryBytes_ = memory;
  d.cuDriverGetVersion(&device->driverVersion_);
  CUcontext context = nullptr;
  SIEVE_RETURN_IF_ERROR(
      device->check(d.cuDevicePrimaryCtxRetain(&context, device->device_), "the GPU's context"));
  device->context_ = context;
  SIEVE_RETURN_IF_ERROR(device->check(d.cuCtxSetCurrent(context), "the GPU's context"));
  return device;
}

CudaDevice::~CudaDevice() {
  if (context_)
    driver_->cuDevicePrimaryCtxRelease(device_);
}

Status CudaDevice::check(int result, const std::string &what) const {
  if (result == kSuccess)
    return Status::ok();
  const char *text = nullptr;
  if (driver_ && driver_->cuGetErrorString(result, &text) != kSuccess)
    text = nullptr;
  return Status(StatusCode::kFailedPrecondition,
                "cuda:" + std::to_string(ordinal_) + ": " + what + " failed: " +
                    (text ? text : "CUresult " + std::to_string(result)));
}

std::string CudaDevice::description() const {
  return "cuda:" + std::to_string(ordinal_) + ": " + name_ + " (" + chip_ + ", " +
         std::to_string(memoryBytes_ >> 30) + " GiB), driver " +
         std::to_string(driverVersion_ / 1000) + "." + std::to_string(driverVersion_ % 1000 / 10);
}

std::string CudaDevice::rejectReason(const fb::Executable &executable) const {
  const fb::ExecutableFormat format = executable.format();
  if (format != fb::ExecutableFormat::Ptx && format != fb::ExecutableFormat::Cubin)
    return "not NVIDIA code";
  return chipRejectReason(executable.architecture()->str(),
                          format == fb::ExecutableFormat::Cubin, major_, minor_);
}

Expected<std::unique_ptr<LoadedExecutable>> CudaDevice::load(const fb::Executable &executable,
                                                             const ModuleKernels *kernels,
                                                             std::string_view image,
                                                             const std::string &name) {
  std::string reason = rejectReason(executable);
  if (!reason.empty())
    return invalidArgument(name + ": " + reason);
  Expected<std::vector<std::array<uint32_t, 3>>> blocks = blockSizes(executable, name);
  if (!blocks)
    return blocks.takeStatus();
  auto loaded = std::make_unique<CudaExecutable>();
  loaded->driver = driver_;
  loaded->blocks = blocks.take();
  // The driver reads PTX up to its NUL.
  std::string bytes(image);
  if (executable.format() == fb::ExecutableFormat::Ptx)
    bytes.push_back('\0');
  SIEVE_RETURN_IF_ERROR(check(driver_->cuCtxSetCurrent(context_), "the GPU's context"));
  SIEVE_RETURN_IF_ERROR(check(driver_->cuModuleLoadData(&loaded->module, bytes.data()),
                              "loading " + name));
  for (uint32_t k = 0; k < executable.exports()->size(); ++k) {
    const std::string symbol = executable.exports()->Get(k)->str();
    if (symbol.empty())
      return Status(StatusCode::kUnavailable,
                    name + ": kernel " + libraryKernelRefusal(kernels, k));
    CUfunction function = nullptr;
    SIEVE_RETURN_IF_ERROR(check(
        driver_->cuModuleGetFunction(&function, loaded->module, symbol.c_str()),
        "finding kernel '" + symbol + "' in " + name));
    loaded->functions.push_back(function);
  }
  return std::unique_ptr<LoadedExecutable>(std::move(loaded));
}

Expected<DeviceMemory> CudaDevice::allocate(uint64_t bytes, const std::string &what) {
  if (bytes == 0)
    return DeviceMemory();
  CUdeviceptr pointer = 0;
  SIEVE_RETURN_IF_ERROR(check(driver_->cuMemAlloc(&pointer, size_t(bytes)),
                              "allocating " + std::to_string(bytes) + " bytes for " + what));
  DeviceMemory memory(reinterpret_cast<void *>(uintptr_t(pointer)), bytes, releaseMemory);
  SIEVE_RETURN_IF_ERROR(check(driver_->cuMemsetD8(pointer, 0, size_t(bytes)), "zeroing " + what));
  return memory;
}

Status CudaDevice::write(void *to, const void *from, uint64_t bytes) {
  if (bytes == 0)
    return Status::ok();
  return check(driver_->cuMemcpyHtoD(devicePointer(to), from, size_t(bytes)), "a copy to the GPU");
}

Status CudaDevice::read(void *to, const void *from, uint64_t bytes) {
  if (bytes == 0)
    return Status::ok();
  return check(driver_->cuMemcpyDtoH(to, devicePointer(from), size_t(bytes)),
               "a copy from the GPU (or a kernel before it)");
}

Status CudaDevice::dispatch(const LoadedExecutable &executable, uint32_t kernel,
                            const sieve_dispatch_state_t &dispatch, const char *name) {
  const auto &cuda = static_cast<const CudaExecutable &>(executable);
  if (dispatch.workgroup_count[0] == 0)
    return Status::ok();
  SIEVE_RETURN_IF_ERROR(checkBindingAlignment(dispatch, name));
  LaunchArguments arguments(dispatch);
  const std::array<uint32_t, 3> &block = cuda.blocks[kernel];
  return check(driver_->cuLaunchKernel(cuda.functions[kernel], dispatch.workgroup_count[0],
                                       dispatch.workgroup_count[1], dispatch.workgroup_count[2],
                                       block[0], block[1], block[2], 0, nullptr, arguments.data(),
                                       nullptr),
               std::string("launching ") + name);
}

Status CudaDevice::copy(void *to, const void *from, uint64_t bytes) {
  if (bytes == 0)
    return Status::ok();
  return check(driver_->cuMemcpyDtoD(devicePointer(to), devicePointer(from), size_t(bytes)),
               "a copy within the GPU");
}

Status CudaDevice::finish() {
  return check(driver_->cuCtxSynchronize(), "waiting for the GPU's kernels");
}

} // namespace sieve::hal::cuda
