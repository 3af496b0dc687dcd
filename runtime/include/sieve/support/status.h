//===- status.h - Status and Expected<T> for the runtime ---------*- C++ -*-===//
//
// The runtime never aborts on bad input: fallible functions return a Status
// (ok, or a code plus a message naming what is wrong and where) or an
// Expected<T>. Messages grow context on the way up with Status::annotate.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace sieve {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument, // malformed input: config, checkpoint, prompt, flags
  kNotFound,        // a file or tensor that should exist does not
  kOutOfRange,      // an index, offset or size past what is allowed
  kFailedPrecondition,
  kUnimplemented, // valid input using a feature this build lacks (a tokenizer.json component)
  kUnavailable,   // hardware or a runtime part that is not there: a GPU, its driver, a CPU
                  // feature a module needs, a library kernel
  kInternal,
  kIo, // the operating system refused a read, map or write
};

const char *statusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }

  /// Prefixes the message with where the error happened ("file.safetensors: ").
  Status &annotate(const std::string &context) {
    if (!isOk())
      message_ = context + ": " + message_;
    return *this;
  }

  /// "invalid-argument: <message>", for tools and logs.
  std::string toString() const;

private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalidArgument(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}
inline Status notFound(std::string msg) {
  return Status(StatusCode::kNotFound, std::move(msg));
}
inline Status outOfRange(std::string msg) {
  return Status(StatusCode::kOutOfRange, std::move(msg));
}
inline Status ioError(std::string msg) {
  return Status(StatusCode::kIo, std::move(msg));
}

/// A value or the Status explaining why there is none.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Status status) : status_(std::move(status)) {
    assert(!status_.isOk() && "Expected built from an ok Status");
  }

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status &status() const { return status_; }
  Status takeStatus() { return std::move(status_); }

  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T take() { return std::move(*value_); }

private:
  std::optional<T> value_;
  Status status_;
};

} // namespace sieve

#define SIEVE_RETURN_IF_ERROR(expr)                                            \
  do {                                                                         \
    ::sieve::Status sieve_status_ = (expr);                                    \
    if (!sieve_status_.isOk())                                                 \
      return sieve_status_;                                                    \
  } while (0)
