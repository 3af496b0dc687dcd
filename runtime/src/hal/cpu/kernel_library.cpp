//===- kernel_library.cpp - Compiled CPU kernels loaded from memory -------===//

#include "sieve/hal/cpu/kernel_library.h"

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <utility>

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

namespace sieve::hal::cpu {
namespace {

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
constexpr const char *kHostMachineName = "x86-64";
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
constexpr const char *kHostMachineName = "aarch64";
#else
#error "kernel_library.cpp: add this machine's ELF e_machine"
#endif

/// Kernel libraries are code, not weights: a gigabyte is far beyond any.
constexpr size_t kMaxImageBytes = size_t(1) << 30;

/// Reads a little-endian field of the (possibly unaligned) image.
template <typename T> T field(std::string_view image, size_t offset) {
  T value;
  std::memcpy(&value, image.data() + offset, sizeof(T));
  return value;
}

std::string errnoText() { return std::strerror(errno); }

/// Closes a file descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

Status checkSharedObjectImage(std::string_view image, const std::string &name) {
  auto bad = [&](const std::string &why) {
    return invalidArgument(name + ": not a kernel library for this machine: " + why);
  };
  if (image.size() > kMaxImageBytes)
    return bad(std::to_string(image.size()) + " bytes exceed the limit of " +
               std::to_string(kMaxImageBytes));
  if (image.size() < sizeof(Elf64_Ehdr))
    return bad("only " + std::to_string(image.size()) + " bytes (an ELF header has " +
               std::to_string(sizeof(Elf64_Ehdr)) + ")");
  if (std::memcmp(image.data(), ELFMAG, SELFMAG) != 0)
    return bad("no ELF magic");
  if (static_cast<unsigned char>(image[EI_CLASS]) != ELFCLASS64)
    return bad("not a 64-bit ELF file");
  if (static_cast<unsigned char>(image[EI_DATA]) != ELFDATA2LSB)
    return bad("not little-endian");
  if (field<uint16_t>(image, offsetof(Elf64_Ehdr, e_type)) != ET_DYN)
    return bad("not a shared object (e_type " +
               std::to_string(field<uint16_t>(image, offsetof(Elf64_Ehdr, e_type))) + ")");
  uint16_t machine = field<uint16_t>(image, offsetof(Elf64_Ehdr, e_machine));
  if (machine != kHostMachine)
    return bad("built for ELF machine " + std::to_string(machine) + ", this is " +
               kHostMachineName);
  uint64_t phoff = field<uint64_t>(image, offsetof(Elf64_Ehdr, e_phoff));
  uint16_t phentsize = field<uint16_t>(image, offsetof(Elf64_Ehdr, e_phentsize));
  uint16_t phnum = field<uint16_t>(image, offsetof(Elf64_Ehdr, e_phnum));
  if (phnum == 0 || phentsize != sizeof(Elf64_Phdr))
    return bad("no program headers of the 64-bit size");
  // phnum * phentsize < 2^32, so the sum cannot wrap.
  if (phoff > image.size() || uint64_t(phnum) * phentsize > image.size() - phoff)
    return bad("program headers past the end of the image");
  return Status::ok();
}

Expected<KernelLibrary> KernelLibrary::load(std::string_view image, const std::string &name) {
  if (Status s = checkSharedObjectImage(image, name); !s.isOk())
    return s;
  // An anonymous in-memory file: the dynamic loader maps it like any other,
  // and it disappears with its last reference (the library keeps it open
  // while loaded, see file_).
  FdCloser file{::memfd_create("sieve-kernels", MFD_CLOEXEC)};
  if (file.fd < 0)
    return ioError(name + ": memfd_create failed: " + errnoText());
  for (size_t written = 0; written < image.size();) {
    ssize_t n = ::write(file.fd, image.data() + written, image.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return ioError(name + ": writing the image to memory failed: " + errnoText());
    written += static_cast<size_t>(n);
  }
  std::string path = "/proc/self/fd/" + std::to_string(file.fd);
  // RTLD_LOCAL: kernels of two modules never resolve to each other.
  void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = ::dlerror();
    return invalidArgument(name + ": the dynamic loader refused the kernel library: " +
                           (why ? why : "unknown error"));
  }
  int fd = std::exchange(file.fd, -1);
  return KernelLibrary(handle, fd, name);
}

KernelLibrary::KernelLibrary(KernelLibrary &&other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), file_(std::exchange(other.file_, -1)),
      name_(std::move(other.name_)) {}

KernelLibrary &KernelLibrary::operator=(KernelLibrary &&other) noexcept {
  if (this != &other) {
    release();
    handle_ = std::exchange(other.handle_, nullptr);
    file_ = std::exchange(other.file_, -1);
    name_ = std::move(other.name_);
  }
  return *this;
}

KernelLibrary::~KernelLibrary() { release(); }

void KernelLibrary::release() {
  // Unload first: the descriptor names the library until it is gone.
  if (handle_)
    ::dlclose(handle_);
  if (file_ >= 0)
    ::close(file_);
  handle_ = nullptr;
  file_ = -1;
}

Expected<void *> KernelLibrary::lookup(const std::string &symbol, const char *what) const {
  if (!handle_)
    return invalidArgument(name_ + ": no library loaded");
  ::dlerror(); // clear
  void *address = ::dlsym(handle_, symbol.c_str());
  if (!address)
    return notFound(name_ + ": no " + what + " '" + symbol + "'");
  return address;
}

Expected<sieve_kernel_fn> KernelLibrary::kernel(const std::string &symbol) const {
  Expected<void *> address = lookup(symbol, "kernel");
  if (!address.isOk())
    return address.status();
  sieve_kernel_fn fn;
  static_assert(sizeof(fn) == sizeof(void *), "function and data pointers differ");
  std::memcpy(&fn, &*address, sizeof(fn));
  return fn;
}

Expected<void *> KernelLibrary::data(const std::string &symbol) const {
  return lookup(symbol, "symbol");
}

} // namespace sieve::hal::cpu
