//===- progress.cpp - A progress line for long tool steps -----------------===//

#include "sieve/support/progress.h"

#include <unistd.h>

namespace sieve {

std::string formatBytesShort(uint64_t bytes) {
  static const char *const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = double(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 6) {
    v /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[unit]);
  return text;
}

std::string formatCount(uint64_t n) {
  static const char *const kUnits[] = {"", " k", " M", " B", " T"};
  double v = double(n);
  int unit = 0;
  while (v >= 1000 && unit < 4) {
    v /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f%s" : "%.1f%s", v, kUnits[unit]);
  return text;
}

ProgressLine::ProgressLine(std::string what, uint64_t total, std::FILE *out)
    : ProgressLine(std::move(what), total, out, Options()) {}

ProgressLine::ProgressLine(std::string what, uint64_t total, std::FILE *out, Options options)
    : what_(std::move(what)), total_(total), out_(out), options_(std::move(options)) {
  terminal_ = options_.terminal >= 0 ? options_.terminal != 0 : isatty(fileno(out_)) != 0;
  start_ = now();
}

double ProgressLine::now() const {
  if (options_.clock)
    return options_.clock();
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ProgressLine::describe(uint64_t done, uint64_t total, double elapsed) {
  const double share = total ? double(done) / double(total) : 1.0;
  std::string text = std::to_string(int(share * 100)) + "% (" + formatBytesShort(done) + " / " +
                     formatBytesShort(total);
  if (elapsed > 0 && done > 0) {
    const double rate = double(done) / elapsed;
    text += ", " + formatBytesShort(uint64_t(rate)) + "/s";
    if (done < total)
      text += ", " + std::to_string(int64_t(double(total - done) / rate + 0.5)) + " s left";
  }
  return text + ")";
}

void ProgressLine::print(uint64_t done, double elapsed) {
  const std::string text = describe(done, total_, elapsed);
  if (!terminal_) {
    std::fprintf(out_, "%s: %s\n", what_.c_str(), text.c_str());
  } else {
    constexpr int kBarWidth = 24;
    const int filled = total_ ? int(double(done) / double(total_) * kBarWidth) : kBarWidth;
    std::string bar(size_t(kBarWidth), ' ');
    for (int i = 0; i < filled && i < kBarWidth; ++i)
      bar[size_t(i)] = '#';
    std::fprintf(out_, "\r%s [%s] %s\033[K", what_.c_str(), bar.c_str(), text.c_str());
    drawn_ = true;
  }
  std::fflush(out_);
}

void ProgressLine::update(uint64_t done) {
  if (finished_)
    return;
  const double t = now(), elapsed = t - start_;
  if (elapsed < options_.quietSeconds)
    return;
  const double interval = terminal_ ? options_.terminalInterval : options_.logInterval;
  if (lastPrint_ >= 0 && t - lastPrint_ < interval)
    return;
  lastPrint_ = t;
  print(done, elapsed);
}

void ProgressLine::finish() {
  if (finished_)
    return;
  finished_ = true;
  if (drawn_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  }
}

StageTicker::StageTicker(std::string what, std::FILE *out, ProgressLine::Options options)
    : what_(std::move(what)), out_(out), options_(std::move(options)),
      start_(std::chrono::steady_clock::now()) {
  terminal_ = options_.terminal >= 0 ? options_.terminal != 0 : isatty(fileno(out_)) != 0;
  thread_ = std::thread([this] { run(); });
}

void StageTicker::stage(std::string name) {
  std::lock_guard<std::mutex> lock(mutex_);
  stage_ = std::move(name);
}

void StageTicker::clearLine() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (drawn_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
    drawn_ = false;
  }
}

void StageTicker::run() {
  using Seconds = std::chrono::duration<double>;
  std::unique_lock<std::mutex> lock(mutex_);
  if (wake_.wait_for(lock, Seconds(options_.quietSeconds), [this] { return stopping_; }))
    return;
  const double interval = terminal_ ? 1.0 : options_.logInterval;
  do {
    const double elapsed = Seconds(std::chrono::steady_clock::now() - start_).count();
    if (terminal_) {
      std::fprintf(out_, "\r%s: %s (%.0f s)\033[K", what_.c_str(), stage_.c_str(), elapsed);
      drawn_ = true;
    } else {
      std::fprintf(out_, "%s: %s (%.0f s so far)\n", what_.c_str(), stage_.c_str(), elapsed);
    }
    std::fflush(out_);
  } while (!wake_.wait_for(lock, Seconds(interval), [this] { return stopping_; }));
}

void StageTicker::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_)
      return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (drawn_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  }
}

} // namespace sieve
