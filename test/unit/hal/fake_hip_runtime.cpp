// A stand-in for libamdhip64 with the entry points the HIP device uses:
// one GPU ("gfx942:sramecc+:xnack-") whose memory is host memory, code
// objects accepted when they start with the ELF magic, and launches
// recorded instead of run. sieve-hip-host-tests loads it through
// SIEVE_HIP_RUNTIME, so the device's own code (opening, the architecture
// read out of the properties, copies, loading, the launch arguments) runs
// on a machine without an AMD GPU. Not a HIP implementation: no kernel runs.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Launch {
  std::string kernel;
  unsigned grid[3] = {0, 0, 0}, block[3] = {0, 0, 0};
  std::vector<uint64_t> arguments; // each argument's first 8 bytes
};

Launch lastLaunch;
int expectedPointers = 0, expectedConstants = 0; // the next launch's arguments
int liveAllocations = 0;

constexpr int kSuccess = 0, kInvalidValue = 1, kInvalidDevice = 101, kInvalidImage = 200;

} // namespace

extern "C" {

__attribute__((visibility("default"))) int hipInit(unsigned) { return kSuccess; }
__attribute__((visibility("default"))) int hipDriverGetVersion(int *version) {
  *version = 60342;
  return kSuccess;
}
__attribute__((visibility("default"))) int hipGetDeviceCount(int *count) {
  *count = 1;
  return kSuccess;
}
__attribute__((visibility("default"))) int hipDeviceGetName(char *name, int length, int device) {
  if (device != 0)
    return kInvalidDevice;
  std::strncpy(name, "Sieve test GPU", size_t(length));
  return kSuccess;
}
__attribute__((visibility("default"))) int hipDeviceTotalMem(size_t *bytes, int) {
  *bytes = size_t(64) << 30;
  return kSuccess;
}
// ROCm 6's structure is about 1.5 KiB; the architecture string lies deep
// inside it, after the name and many numeric fields.
__attribute__((visibility("default"))) int hipGetDevicePropertiesR0600(void *properties,
                                                                         int device) {
  if (device != 0)
    return kInvalidDevice;
  auto *bytes = static_cast<char *>(properties);
  std::memset(bytes, 0x5A, 1472); // numeric fields: no NUL-terminated "gfx" among them
  std::memset(bytes, 0, 256);
  std::strcpy(bytes, "Sieve test GPU");
  std::memset(bytes + 1160, 0, 256);
  std::strcpy(bytes + 1160, "gfx942:sramecc+:xnack-");
  return kSuccess;
}
__attribute__((visibility("default"))) int hipSetDevice(int device) {
  return device == 0 ? kSuccess : kInvalidDevice;
}
__attribute__((visibility("default"))) int hipDeviceSynchronize() { return kSuccess; }
__attribute__((visibility("default"))) int hipModuleLoadData(void **module, const void *image) {
  if (std::memcmp(image, "\x7f" "ELF", 4) != 0)
    return kInvalidImage;
  *module = new int(0);
  return kSuccess;
}
__attribute__((visibility("default"))) int hipModuleUnload(void *module) {
  delete static_cast<int *>(module);
  return kSuccess;
}
__attribute__((visibility("default"))) int hipModuleGetFunction(void **function, void *,
                                                                  const char *name) {
  static std::vector<std::string> names; // kept for the process: functions are handles
  names.reserve(4096);
  if (names.size() == names.capacity())
    return kInvalidValue;
  names.emplace_back(name);
  *function = &names.back();
  return kSuccess;
}
__attribute__((visibility("default"))) int hipMalloc(void **pointer, size_t bytes) {
  *pointer = std::malloc(bytes);
  ++liveAllocations;
  return *pointer ? kSuccess : 2;
}
__attribute__((visibility("default"))) int hipFree(void *pointer) {
  std::free(pointer);
  --liveAllocations;
  return kSuccess;
}
__attribute__((visibility("default"))) int hipMemset(void *pointer, int value, size_t bytes) {
  std::memset(pointer, value, bytes);
  return kSuccess;
}
__attribute__((visibility("default"))) int hipMemcpyHtoD(void *to, const void *from,
                                                           size_t bytes) {
  std::memcpy(to, from, bytes);
  return kSuccess;
}
__attribute__((visibility("default"))) int hipMemcpyDtoH(void *to, void *from, size_t bytes) {
  std::memcpy(to, from, bytes);
  return kSuccess;
}
__attribute__((visibility("default"))) int hipMemcpyDtoD(void *to, void *from, size_t bytes) {
  std::memcpy(to, from, bytes);
  return kSuccess;
}
__attribute__((visibility("default"))) int
hipModuleLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                      unsigned by, unsigned bz, unsigned, void *, void **arguments, void **) {
  lastLaunch = Launch();
  lastLaunch.kernel = *static_cast<std::string *>(function);
  unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  std::memcpy(lastLaunch.grid, grid, sizeof(grid));
  std::memcpy(lastLaunch.block, block, sizeof(block));
  // Pointers are 8 bytes, constants 4: read what each holds.
  for (int i = 0; i < expectedPointers + expectedConstants; ++i) {
    uint64_t value = 0;
    std::memcpy(&value, arguments[i], i < expectedPointers ? 8 : 4);
    lastLaunch.arguments.push_back(value);
  }
  return kSuccess;
}
__attribute__((visibility("default"))) const char *hipGetErrorString(int error) {
  return error == kInvalidImage ? "hipErrorInvalidImage" : "hipErrorUnknown (test)";
}

// For the test, through dlsym on the same library.
__attribute__((visibility("default"))) void sieveTestHipExpectArguments(int pointers,
                                                                        int constants) {
  expectedPointers = pointers;
  expectedConstants = constants;
}
__attribute__((visibility("default"))) const char *sieveTestHipLastLaunch(unsigned *grid,
                                                                          unsigned *block,
                                                                          uint64_t *arguments) {
  std::memcpy(grid, lastLaunch.grid, sizeof(lastLaunch.grid));
  std::memcpy(block, lastLaunch.block, sizeof(lastLaunch.block));
  for (size_t i = 0; i < lastLaunch.arguments.size(); ++i)
    arguments[i] = lastLaunch.arguments[i];
  return lastLaunch.kernel.c_str();
}
__attribute__((visibility("default"))) int sieveTestHipLiveAllocations() {
  return liveAllocations;
}

} // extern "C"
