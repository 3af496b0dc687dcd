//===- case_file.h - Recorded conformance dispatches: files and checks -*- C++ -*-===//
//
// The conformance suite records each dispatch it runs on the SIMT emulator
// (conformance_case.fbs): the kernel compiled for the emulator and for the
// GPU, its inputs and the outputs the suite checked against the reference
// executor. sieve-conformance-replay runs the cases again on a real GPU (or
// on the emulator under another schedule) and compares. This is that file's
// writing, its verified reading and the comparison; nothing here links MLIR,
// so the replay runs on a machine with a GPU and no LLVM.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_CONFORMANCE_REPLAY_CASE_FILE_H
#define SIEVE_TEST_CONFORMANCE_REPLAY_CASE_FILE_H

#include "sieve/module/conformance_case_generated.h"
#include "sieve/support/status.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sieve::replay {

/// A kernel's code for one target, as a module records it.
struct RecordedCode {
  std::string target; // "nvidia:sm_90"
  fb::ExecutableFormat format = fb::ExecutableFormat::ElfSharedObject;
  std::string architecture; // "sm_90", or the host's for SimtHost
  std::string cpu;
  std::vector<std::string> features;
  std::string symbol; // the kernel's export
  std::array<uint32_t, 3> blockSize = {1, 1, 1};
  uint64_t workgroupMemoryBytes = 0;
  std::string image;
};

struct RecordedBinding {
  fb::replay::Element element = fb::replay::Element::Bytes;
  std::string before, after;
};

struct RecordedCase {
  std::string name;
  std::vector<RecordedCode> codes;
  std::array<uint32_t, 3> workgroups = {1, 1, 1};
  std::vector<uint32_t> constants;
  std::vector<RecordedBinding> bindings;
};

/// The case as a file's bytes.
std::string serializeCase(const RecordedCase &recorded);

/// What `binding` holds after the dispatch: its bytes before when the
/// dispatch left them alone (an input).
std::string_view bytesAfter(const fb::replay::Binding &binding);

/// A case file's bytes, verified: every table, vector and string in bounds,
/// each binding's before and after of one length, a grid of three counts,
/// each code with one export (and one launch for a GPU format). `what`
/// names the file in an error.
Expected<const fb::replay::Case *> openCase(std::string_view bytes, const std::string &what);

/// How a device's bytes of one binding compare with the recorded ones.
struct Comparison {
  bool exact = true; // byte for byte
  bool withinTolerance = true;
  uint64_t differing = 0;      // elements that differ at all
  double relativeL2 = 0;       // floats: |actual - expected| / |expected| (L2 norms)
  std::string firstDifference; // "element 17: expected 0.5, got 0.75"
};

/// Compares `actual` with `expected` (one length) as `element` values:
/// floats within `tolerance` in relative L2 with NaN in the same places and
/// infinities equal; bytes exactly.
Comparison compareBinding(fb::replay::Element element, std::string_view expected,
                          std::string_view actual, double tolerance);

} // namespace sieve::replay

#endif // SIEVE_TEST_CONFORMANCE_REPLAY_CASE_FILE_H
