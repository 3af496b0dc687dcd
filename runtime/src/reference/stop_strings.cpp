//===- stop_strings.cpp - Generated text cut at stop strings --------------===//

#include "sieve/reference/stop_strings.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace sieve::ref {

StopStrings::StopStrings(std::vector<std::string> stops) : stops_(std::move(stops)) {
  assert(std::none_of(stops_.begin(), stops_.end(),
                      [](const std::string &s) { return s.empty(); }) &&
         "an empty stop string stops at once");
}

std::string StopStrings::push(std::string_view bytes) {
  if (stopped_)
    return {};
  held_.append(bytes);
  // The earliest completed stop string wins (the longest at one place).
  size_t at = std::string::npos;
  for (const std::string &stop : stops_) {
    size_t found = held_.find(stop);
    if (found != std::string::npos &&
        (found < at || (found == at && stop.size() > matched_.size()))) {
      at = found;
      matched_ = stop;
    }
  }
  if (at != std::string::npos) {
    stopped_ = true;
    std::string out = held_.substr(0, at);
    held_.clear();
    return out;
  }
  // Hold back the longest tail that could still grow into a stop string.
  size_t keep = 0;
  for (const std::string &stop : stops_)
    for (size_t n = std::min(stop.size() - 1, held_.size()); n > keep; --n)
      if (held_.compare(held_.size() - n, n, stop, 0, n) == 0) {
        keep = n;
        break;
      }
  std::string out = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return out;
}

std::string StopStrings::finish() {
  std::string out = std::move(held_);
  held_.clear();
  return stopped_ ? std::string() : out;
}

} // namespace sieve::ref
