//===- status.cpp - Status ------------------------------------------------===//

#include "sieve/support/status.h"

namespace sieve {

const char *statusCodeName(StatusCode code) {
  switch (code) {
  case StatusCode::kOk:
    return "ok";
  case StatusCode::kInvalidArgument:
    return "invalid-argument";
  case StatusCode::kNotFound:
    return "not-found";
  case StatusCode::kOutOfRange:
    return "out-of-range";
  case StatusCode::kFailedPrecondition:
    return "failed-precondition";
  case StatusCode::kUnimplemented:
    return "unimplemented";
  case StatusCode::kUnavailable:
    return "unavailable";
  case StatusCode::kInternal:
    return "internal";
  case StatusCode::kIo:
    return "io";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (isOk())
    return "ok";
  return std::string(statusCodeName(code_)) + ": " + message_;
}

} // namespace sieve
