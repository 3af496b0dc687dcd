// sieve.hpp - a small C++17 wrapper over the Sieve C API (sieve/runtime.h):
// handles as RAII values (copies retain, destruction releases) and results
// that carry either a value or the error, std::expected-style.
#pragma once

#include <sieve/runtime.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sieve_cpp {

struct Error {
  sieve_status_code_t code;
  std::string message;
};

template <typename T> class Result {
public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T &value() { return std::get<0>(state_); }
  T &operator*() { return value(); }
  T *operator->() { return &value(); }
  const Error &error() const { return std::get<1>(state_); }

private:
  std::variant<T, Error> state_;
};

/// Takes ownership of a status: empty for success, else the error.
inline std::optional<Error> check(sieve_status_t *status) {
  if (!status)
    return std::nullopt;
  Error error{sieve_status_code(status), sieve_status_message(status)};
  sieve_status_free(status);
  return error;
}

/// A reference-counted C handle.
template <typename Handle, void (*Retain)(Handle *), void (*Release)(Handle *)> class Ref {
public:
  Ref() = default;
  explicit Ref(Handle *adopted) : handle_(adopted) {}
  Ref(const Ref &other) : handle_(other.handle_) { Retain(handle_); }
  Ref(Ref &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Ref &operator=(Ref other) {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~Ref() { Release(handle_); }
  Handle *get() const { return handle_; }

private:
  Handle *handle_ = nullptr;
};

struct GenerateOptions {
  float temperature = 1.0f;
  int32_t topK = 0;
  float topP = 1.0f;
  float minP = 0.0f;
  /// llama.cpp's penalties over the last repeatLastN tokens (0: 64); the
  /// defaults leave the logits alone.
  float repeatPenalty = 1.0f;
  float presencePenalty = 0.0f;
  float frequencyPenalty = 0.0f;
  int32_t repeatLastN = 0;
  uint64_t seed = 0;
  int32_t maxNewTokens = 128;
  bool ignoreEos = false;
  /// Generation ends at the first of these in the text (needs a tokenizer).
  std::vector<std::string> stop;
};

class Session {
public:
  /// Forgets every token the session holds.
  std::optional<Error> reset() { return check(sieve_session_reset(session_.get())); }

  /// The generated ids; `onToken` (optional) sees each as it is drawn and
  /// returns false to stop.
  Result<std::vector<int32_t>>
  generate(const std::vector<int32_t> &prompt, const GenerateOptions &options,
           const std::function<bool(int32_t, std::string_view)> &onToken = {}) {
    struct Context {
      std::vector<int32_t> tokens;
      const std::function<bool(int32_t, std::string_view)> *onToken;
    } context{{}, &onToken};
    sieve_generate_options_t c;
    sieve_generate_options_init(&c);
    c.temperature = options.temperature;
    c.top_k = options.topK;
    c.top_p = options.topP;
    c.min_p = options.minP;
    c.repeat_penalty = options.repeatPenalty;
    c.presence_penalty = options.presencePenalty;
    c.frequency_penalty = options.frequencyPenalty;
    c.repeat_last_n = options.repeatLastN;
    c.seed = options.seed;
    c.max_new_tokens = options.maxNewTokens;
    c.ignore_eos = options.ignoreEos ? 1 : 0;
    std::vector<const char *> stop;
    for (const std::string &text : options.stop)
      stop.push_back(text.c_str());
    c.stop = stop.empty() ? nullptr : stop.data();
    c.stop_count = stop.size();
    c.user_data = &context;
    c.on_token = [](void *user, int32_t token, const char *text, size_t length) -> int {
      auto *context = static_cast<Context *>(user);
      // Token -1: text held back for the stop strings, delivered at the end.
      if (token >= 0)
        context->tokens.push_back(token);
      if (*context->onToken &&
          !(*context->onToken)(token, std::string_view(text ? text : "", length)))
        return 1;
      return 0;
    };
    if (auto error = check(
            sieve_session_generate(session_.get(), prompt.data(), prompt.size(), &c, nullptr)))
      return *error;
    return std::move(context.tokens);
  }

private:
  friend class Model;
  explicit Session(sieve_session_t *adopted) : session_(adopted) {}
  Ref<sieve_session_t, sieve_session_retain, sieve_session_release> session_;
};

class Model {
public:
  static Result<Model> load(const std::string &module, const std::string &weights,
                            const std::string &tokenizer = "", uint32_t threads = 0) {
    sieve_model_options_t options;
    sieve_model_options_init(&options);
    options.module_path = module.c_str();
    options.weights_path = weights.c_str();
    options.tokenizer_path = tokenizer.empty() ? nullptr : tokenizer.c_str();
    options.threads = threads;
    sieve_model_t *model = nullptr;
    if (auto error = check(sieve_model_load(&options, &model)))
      return *error;
    return Model(model);
  }

  Result<sieve_model_info_t> info() const {
    sieve_model_info_t info;
    sieve_model_info_init(&info);
    if (auto error = check(sieve_model_query(model_.get(), &info)))
      return *error;
    return info;
  }

  Result<Session> openSession() const {
    sieve_session_t *session = nullptr;
    if (auto error = check(sieve_session_create(model_.get(), &session)))
      return *error;
    return Session(session);
  }

private:
  explicit Model(sieve_model_t *adopted) : model_(adopted) {}
  Ref<sieve_model_t, sieve_model_retain, sieve_model_release> model_;
};

} // namespace sieve_cpp
