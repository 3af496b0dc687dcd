//===- capi_test_support.h - Helpers of the C API tests ----------*- C++ -*-===//
//
// Statuses that fail a test with their message, and tiny-v4 compiled once
// and loaded through the C API.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_CAPI_CAPI_TEST_SUPPORT_H
#define SIEVE_TEST_CAPI_CAPI_TEST_SUPPORT_H

#include "sieve/runtime.h"

#include "../e2e/compiled/compiled_fixture.h"

#include <gtest/gtest.h>

#include <string>

namespace sieve {

/// Owns a status; fails the test with its message where one is not expected.
struct Result {
  explicit Result(sieve_status_t *status) : status(status) {}
  ~Result() { sieve_status_free(status); }
  Result(const Result &) = delete;
  sieve_status_code_t code() const { return sieve_status_code(status); }
  std::string message() const { return sieve_status_message(status); }
  sieve_status_t *status;
};

#define EXPECT_SIEVE_OK(call)                                                                      \
  do {                                                                                             \
    Result result_(call);                                                                          \
    EXPECT_EQ(result_.code(), SIEVE_STATUS_OK) << result_.message();                               \
  } while (0)

#define EXPECT_SIEVE_CODE(call, expected)                                                          \
  do {                                                                                             \
    Result result_(call);                                                                          \
    EXPECT_EQ(result_.code(), expected) << result_.message();                                      \
    EXPECT_FALSE(result_.message().empty());                                                       \
  } while (0)

inline const Compiled &tiny() { return compiledModel("tiny-v4", 128); }

inline sieve_model_t *loadTiny(const char *tokenizer = nullptr, sieve_allocator_t allocator = {}) {
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  options.module_path = tiny().module.c_str();
  options.weights_path = tiny().checkpoint.c_str();
  options.tokenizer_path = tokenizer;
  options.threads = 1;
  options.allocator = allocator;
  sieve_model_t *model = nullptr;
  Result loaded(sieve_model_load(&options, &model));
  EXPECT_EQ(loaded.code(), SIEVE_STATUS_OK) << loaded.message();
  return model;
}

/// The model's information (the query expected to succeed).
inline sieve_model_info_t infoOf(sieve_model_t *model) {
  sieve_model_info_t info;
  sieve_model_info_init(&info);
  EXPECT_SIEVE_OK(sieve_model_query(model, &info));
  return info;
}

} // namespace sieve

#endif // SIEVE_TEST_CAPI_CAPI_TEST_SUPPORT_H
