//===- replay_main.cpp - The conformance suite's recorded dispatches, again ===//
//
// sieve-conformance-replay DIR [--device=emulator|cuda:N|hip:N]
//     [--schedule=ascending|descending] [--tolerance=X] [--filter=TEXT]
//
// Runs every recorded case (*.case, case_file.h) in DIR on a device: its
// bindings uploaded, the kernel dispatched over the recorded grid, every
// binding read back and compared with what the recording device computed
// (whose outputs the conformance suite checked against the reference
// executor). `emulator` is the SIMT emulator behind memory the host may not
// touch, with the schedule order given (the suite records under the
// default, descending one: ascending finds a race between warps). Exit
// status 0 when every case ran and matched, 1 when one did not, 2 for bad
// usage or an unreadable case, 77 when the device is not present (ctest's
// skip).
//
//===----------------------------------------------------------------------===//

#include "case_file.h"

#include "discrete_device.h"
#include "simt_emulator.h"

#include "sieve/hal/cuda/cuda_device.h"
#include "sieve/hal/hip/hip_device.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace sieve;

namespace {

constexpr int kSkipped = 77;

struct Options {
  std::string directory;
  std::string device = "emulator";
  std::string schedule = "ascending";
  std::string filter;
  double tolerance = 1e-3;
};

int usage(const std::string &why) {
  std::cerr << "sieve-conformance-replay: " << why
            << "\nusage: sieve-conformance-replay DIR [--device=emulator|cuda:N|hip:N] "
               "[--schedule=ascending|descending] [--tolerance=X] [--filter=TEXT]\n";
  return 2;
}

bool parseOrdinal(const std::string &text, int &ordinal) {
  if (text.empty() || text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  ordinal = std::stoi(text);
  return true;
}

/// GPU `ordinal` of one kind (CudaDevice, HipDevice); `present = false`
/// only when there is none to open (no driver, no GPU): a GPU that fails to
/// open, or an ordinal past the GPUs there are, is an error, not a skip.
template <typename Gpu>
Expected<std::unique_ptr<hal::Device>> openGpu(int ordinal, bool &present) {
  Expected<std::unique_ptr<Gpu>> gpu = Gpu::open(ordinal);
  if (!gpu) {
    present = gpu.status().code() != StatusCode::kUnavailable;
    return gpu.takeStatus();
  }
  return std::unique_ptr<hal::Device>(gpu.take());
}

/// The device `options.device` names.
Expected<std::unique_ptr<hal::Device>> openDevice(const Options &options, bool &present) {
  present = true;
  const std::string &spec = options.device;
  if (spec == "emulator") {
    auto device = std::make_unique<test::DiscreteCpuDevice>(1);
    device->cpu().setSimtEmulator(simt::runtime());
    simt::setScheduleOrder(options.schedule == "ascending" ? simt::ScheduleOrder::Ascending
                                                           : simt::ScheduleOrder::Descending);
    return std::unique_ptr<hal::Device>(std::move(device));
  }
  int ordinal = 0;
  if (spec.rfind("cuda:", 0) == 0 && parseOrdinal(spec.substr(5), ordinal))
    return openGpu<hal::cuda::CudaDevice>(ordinal, present);
  if (spec.rfind("hip:", 0) == 0 && parseOrdinal(spec.substr(4), ordinal))
    return openGpu<hal::hip::HipDevice>(ordinal, present);
  return invalidArgument("unknown device '" + spec + "' (emulator, cuda:N or hip:N)");
}

Expected<std::string> readFile(const std::filesystem::path &path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error)
    return ioError(path.string() + ": " + error.message());
  // Larger than any FlatBuffer (openCase says so) without reading it.
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return invalidArgument(path.string() + ": " + std::to_string(size) +
                           " bytes, more than a recorded case can hold");
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size_t(size), '\0');
  if (!in.read(bytes.data(), std::streamsize(size)))
    return ioError(path.string() + ": cannot read");
  return bytes;
}

/// Runs `recorded` on `device`; false with the reasons in `report` when a
/// binding differs or the case cannot run.
bool runCase(hal::Device &device, const fb::replay::Case &recorded, double tolerance, bool &exact,
             std::string &report) {
  // Of the codes the device runs: machine code over PTX, which the driver
  // would compile for every case.
  auto preference = [](fb::ExecutableFormat format) {
    return format == fb::ExecutableFormat::Cubin ? 2 : format == fb::ExecutableFormat::Ptx ? 1 : 0;
  };
  const fb::replay::Code *chosen = nullptr;
  std::string reasons;
  for (const fb::replay::Code *code : *recorded.codes()) {
    std::string reason = device.rejectReason(*code->executable());
    if (reason.empty()) {
      if (!chosen ||
          preference(code->executable()->format()) > preference(chosen->executable()->format()))
        chosen = code;
      continue;
    }
    reasons += (reasons.empty() ? "" : "; ") + code->executable()->target()->str() + " " +
               fb::EnumNameExecutableFormat(code->executable()->format()) + ": " + reason;
  }
  if (!chosen) {
    report = "no code this device runs (" + (reasons.empty() ? "none recorded" : reasons) + ")";
    return false;
  }
  const std::string name = recorded.name()->str();
  std::string_view image(reinterpret_cast<const char *>(chosen->image()->data()),
                         chosen->image()->size());
  Expected<std::unique_ptr<hal::LoadedExecutable>> loaded =
      device.load(*chosen->executable(), nullptr, image, name);
  if (!loaded) {
    report = loaded.status().message();
    return false;
  }
  const auto &bindings = *recorded.bindings();
  std::vector<hal::DeviceMemory> memory;
  std::vector<void *> pointers;
  std::vector<size_t> lengths;
  for (uint32_t i = 0; i < bindings.size(); ++i) {
    const flatbuffers::Vector<uint8_t> *before = bindings.Get(i)->before();
    Expected<hal::DeviceMemory> buffer =
        device.allocate(before->size(), "binding " + std::to_string(i));
    if (!buffer) {
      report = buffer.status().message();
      return false;
    }
    if (Status written = device.write(buffer->data(), before->data(), before->size());
        !written.isOk()) {
      report = written.message();
      return false;
    }
    pointers.push_back(buffer->data());
    lengths.push_back(before->size());
    memory.push_back(buffer.take());
  }
  const auto *grid = recorded.workgroups();
  std::vector<uint32_t> constants;
  if (recorded.constants())
    constants.assign(recorded.constants()->begin(), recorded.constants()->end());
  sieve_dispatch_state_t dispatch{{grid->Get(0), grid->Get(1), grid->Get(2)},
                                  uint32_t(constants.size()),
                                  constants.data(),
                                  uint32_t(pointers.size()),
                                  pointers.data(),
                                  lengths.data()};
  Status ran = device.dispatch(**loaded, 0, dispatch, name.c_str());
  if (ran.isOk())
    ran = device.finish();
  if (!ran.isOk()) {
    report = ran.message();
    return false;
  }
  bool matched = true;
  exact = true;
  for (uint32_t i = 0; i < bindings.size(); ++i) {
    const fb::replay::Binding *binding = bindings.Get(i);
    std::string_view expected = replay::bytesAfter(*binding);
    std::string actual(expected.size(), '\0');
    if (Status read = device.read(actual.data(), pointers[i], actual.size()); !read.isOk()) {
      report = read.message();
      return false;
    }
    replay::Comparison comparison =
        replay::compareBinding(binding->element(), expected, actual, tolerance);
    exact = exact && comparison.exact;
    if (comparison.withinTolerance)
      continue;
    matched = false;
    std::ostringstream line;
    line << (report.empty() ? "" : "; ") << "binding " << i << " ("
         << fb::replay::EnumNameElement(binding->element()) << "): " << comparison.differing
         << " elements differ";
    if (binding->element() != fb::replay::Element::Bytes)
      line << ", relative L2 " << comparison.relativeL2;
    line << ", first at " << comparison.firstDifference;
    report += line.str();
  }
  return matched;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char *flag) -> const char * {
      const size_t n = std::char_traits<char>::length(flag);
      return arg.compare(0, n, flag) == 0 ? arg.c_str() + n : nullptr;
    };
    if (const char *v = value("--device=")) {
      options.device = v;
    } else if (const char *v = value("--schedule=")) {
      options.schedule = v;
      if (options.schedule != "ascending" && options.schedule != "descending")
        return usage("--schedule is ascending or descending, not '" + options.schedule + "'");
    } else if (const char *v = value("--tolerance=")) {
      char *end = nullptr;
      options.tolerance = std::strtod(v, &end);
      if (end == v || *end || !(options.tolerance >= 0))
        return usage(std::string("--tolerance takes a number >= 0, not '") + v + "'");
    } else if (const char *v = value("--filter=")) {
      options.filter = v;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option '" + arg + "'");
    } else if (options.directory.empty()) {
      options.directory = arg;
    } else {
      return usage("one directory of cases, not two");
    }
  }
  if (options.directory.empty())
    return usage("no directory of recorded cases");

  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto &entry : std::filesystem::directory_iterator(options.directory, error))
    if (entry.path().extension() == ".case" &&
        entry.path().filename().string().find(options.filter) != std::string::npos)
      files.push_back(entry.path());
  if (error)
    return usage(options.directory + ": " + error.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    // Never a vacuous pass: nothing to run is a failure.
    std::cerr << "sieve-conformance-replay: no recorded cases (*.case) in " << options.directory
              << (options.filter.empty() ? "" : " matching '" + options.filter + "'") << "\n";
    return 1;
  }

  bool present = true;
  Expected<std::unique_ptr<hal::Device>> device = openDevice(options, present);
  if (!device) {
    std::cerr << "sieve-conformance-replay: " << options.device << ": " << device.status().message()
              << "\n";
    return present ? 2 : kSkipped;
  }
  std::cout << "device: " << (*device)->description() << "\n";

  size_t passed = 0, exact = 0;
  std::vector<std::string> failures;
  for (const std::filesystem::path &path : files) {
    Expected<std::string> bytes = readFile(path);
    if (!bytes) {
      std::cerr << "sieve-conformance-replay: " << bytes.status().message() << "\n";
      return 2;
    }
    Expected<const fb::replay::Case *> recorded = replay::openCase(*bytes, path.string());
    if (!recorded) {
      std::cerr << "sieve-conformance-replay: " << recorded.status().message() << "\n";
      return 2;
    }
    std::string report;
    bool same = false;
    if (runCase(**device, **recorded, options.tolerance, same, report)) {
      ++passed;
      exact += same ? 1 : 0;
    } else {
      failures.push_back((*recorded)->name()->str() + ": " + report);
      std::cout << "FAILED " << failures.back() << "\n";
    }
  }
  std::cout << files.size() << " recorded dispatches: " << passed << " matched (" << exact
            << " bit for bit, the rest within relative L2 " << options.tolerance << "), "
            << failures.size() << " did not\n";
  return failures.empty() ? 0 : 1;
}
