//===- progress.h - A progress line for long tool steps -----------*- C++ -*-===//
//
// What llama.cpp and pip users expect from a step that takes a while: on a
// terminal, one line redrawn in place (a bar, the share done, sizes, the
// time left); in a log (not a terminal), a plain line now and then. Steps
// that finish within the first two seconds print nothing at all, so quick
// runs and test output stay clean.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sieve {

class ProgressLine {
public:
  struct Options {
    /// Redraw in place; default: whether `out` is a terminal.
    int terminal = -1;
    /// Silence before the first output.
    double quietSeconds = 2.0;
    /// Least time between outputs: redraws on a terminal, lines otherwise.
    double terminalInterval = 0.1;
    double logInterval = 10.0;
    /// Seconds since some fixed point; default: the steady clock.
    std::function<double()> clock;
  };

  /// `what` names the step ("writing checkpoint"); `total` is in bytes.
  ProgressLine(std::string what, uint64_t total, std::FILE *out = stderr);
  ProgressLine(std::string what, uint64_t total, std::FILE *out, Options options);
  ~ProgressLine() { finish(); }
  ProgressLine(const ProgressLine &) = delete;
  ProgressLine &operator=(const ProgressLine &) = delete;

  /// `done` bytes of `total` are done; prints when it is time to.
  void update(uint64_t done);
  /// Clears a terminal line (the caller prints its own summary). Idempotent.
  void finish();

  /// "45% (1.2 GiB / 2.6 GiB, 80.5 MiB/s, 12 s left)": the text after the
  /// step's name, for `done` bytes after `elapsed` seconds.
  static std::string describe(uint64_t done, uint64_t total, double elapsed);

private:
  double now() const;
  void print(uint64_t done, double elapsed);

  std::string what_;
  uint64_t total_;
  std::FILE *out_;
  Options options_;
  bool terminal_ = false;
  bool drawn_ = false; // a terminal line is showing
  bool finished_ = false;
  double start_ = 0, lastPrint_ = -1;
};

/// Progress of a step with no measurable total (a compilation): after the
/// quiet time, a thread of its own shows the current stage and the time
/// so far, redrawn on a terminal, a line now and then otherwise.
class StageTicker {
public:
  explicit StageTicker(std::string what, std::FILE *out = stderr,
                       ProgressLine::Options options = ProgressLine::Options());
  ~StageTicker() { finish(); }
  StageTicker(const StageTicker &) = delete;
  StageTicker &operator=(const StageTicker &) = delete;

  /// The stage now running.
  void stage(std::string name);
  /// Clears a terminal line now, so other output (a diagnostic) starts on
  /// a clean line; the next tick draws it again.
  void clearLine();
  /// Stops the thread and clears a terminal line. Idempotent.
  void finish();

private:
  void run();

  std::string what_;
  std::FILE *out_;
  ProgressLine::Options options_;
  bool terminal_ = false;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string stage_;
  bool stopping_ = false, drawn_ = false;
  std::thread thread_;
};

/// "1.2 GiB", "512 B": short human units for progress and summaries.
std::string formatBytesShort(uint64_t bytes);

/// "890.5 M", "1.6 T", "512": a count (parameters) in thousands, millions,
/// billions (B) or trillions.
std::string formatCount(uint64_t n);

} // namespace sieve
