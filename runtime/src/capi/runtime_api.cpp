//===- runtime_api.cpp - The C API over the compiled-model runtime --------===//
//
// sieve/runtime.h's functions: argument checks, handles (handle_table.h),
// and the C++ runtime (exec::CompiledModel, ref::generate, io::Tokenizer)
// behind them. Nothing escapes: every entry point catches what the C++ side
// may throw and returns it as a status.
//
//===----------------------------------------------------------------------===//

#include "sieve/runtime.h"

#include "handle_table.h"

#include "sieve/exec/compiled_model.h"
#include "sieve/exec/module_cache.h"
#include "sieve/io/chat_format.h"
#include "sieve/io/tokenizer.h"
#include "sieve/module/module_file.h"
#include "sieve/reference/generate.h"
#include "sieve/reference/stop_strings.h"
#include "sieve/support/version.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

using namespace sieve;

//===--- Statuses ------------------------------------------------------------===//

struct sieve_status {
  sieve_allocator_t allocator;
  sieve_status_code_t code;
  const char *message; // `storage`, or a literal for the static status below
  char storage[1];     // NUL-terminated, allocated to the message's length
};

namespace {

void *allocate(const sieve_allocator_t &allocator, size_t size) {
  return allocator.alloc ? allocator.alloc(allocator.self, size) : std::malloc(size);
}

void deallocate(const sieve_allocator_t &allocator, void *pointer) {
  if (allocator.free)
    allocator.free(allocator.self, pointer);
  else
    std::free(pointer);
}

// Returned when the allocator cannot give a status its memory: the caller
// still sees the failure (sieve_status_free ignores this one).
sieve_status outOfMemoryStatus = {
    {}, SIEVE_STATUS_RESOURCE_EXHAUSTED, "out of memory (even for this status)", {0}};

sieve_status_t *makeStatus(const sieve_allocator_t &allocator, sieve_status_code_t code,
                           const std::string &message) {
  void *memory = allocate(allocator, sizeof(sieve_status) + message.size());
  if (!memory)
    return &outOfMemoryStatus;
  auto *status = static_cast<sieve_status *>(memory);
  status->allocator = allocator;
  status->code = code;
  std::memcpy(status->storage, message.c_str(), message.size() + 1);
  status->message = status->storage;
  return status;
}

sieve_status_code_t codeOf(StatusCode code) {
  switch (code) {
  case StatusCode::kOk:
    return SIEVE_STATUS_OK;
  case StatusCode::kInvalidArgument:
    return SIEVE_STATUS_INVALID_ARGUMENT;
  case StatusCode::kNotFound:
    return SIEVE_STATUS_NOT_FOUND;
  case StatusCode::kOutOfRange:
    return SIEVE_STATUS_OUT_OF_RANGE;
  case StatusCode::kFailedPrecondition:
    return SIEVE_STATUS_FAILED_PRECONDITION;
  case StatusCode::kUnimplemented: // a tokenizer.json component this library does not implement
  case StatusCode::kUnavailable:   // a device, driver, CPU feature or library kernel
    return SIEVE_STATUS_UNAVAILABLE;
  case StatusCode::kIo:
    return SIEVE_STATUS_IO_ERROR;
  case StatusCode::kInternal:
    break;
  }
  return SIEVE_STATUS_INTERNAL;
}

const sieve_allocator_t kDefaultAllocator = {nullptr, nullptr, nullptr};

sieve_status_t *toStatus(const Status &status, const sieve_allocator_t &allocator) {
  if (status.isOk())
    return nullptr;
  return makeStatus(allocator, codeOf(status.code()), status.message());
}

Status invalid(std::string message) { return invalidArgument(std::move(message)); }

/// Runs `body` (returning a Status), turning what it throws into a status.
template <typename Body> sieve_status_t *guarded(const sieve_allocator_t &allocator, Body &&body) {
  try {
    return toStatus(body(), allocator);
  } catch (const std::bad_alloc &) {
    return makeStatus(allocator, SIEVE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception &e) {
    return makeStatus(allocator, SIEVE_STATUS_INTERNAL, e.what());
  } catch (...) {
    return makeStatus(allocator, SIEVE_STATUS_INTERNAL, "unknown error");
  }
}

/// The size of a struct in the API version that introduced it: callers
/// built against that version pass it as struct_size.
template <typename Struct> constexpr size_t firstVersionSize() { return sizeof(Struct); }
template <> constexpr size_t firstVersionSize<sieve_generate_options_t>() {
  return offsetof(sieve_generate_options_t, min_p); // 0.2 added the fields from min_p on
}
template <> constexpr size_t firstVersionSize<sieve_model_info_t>() {
  return offsetof(sieve_model_info_t, decode_steps); // 0.4 added the decode counts
}

/// Checks an options or result struct's size: at least the struct's first
/// version, and any bytes past what this library knows zero.
template <typename Struct> Status checkStruct(const Struct *s, const char *name) {
  if (!s)
    return invalid(std::string(name) + " is NULL");
  if (s->struct_size < firstVersionSize<Struct>())
    return invalid(std::string(name) + ".struct_size is " + std::to_string(s->struct_size) +
                   ", smaller than any version's " + std::to_string(firstVersionSize<Struct>()) +
                   " (set it with its _init function)");
  const auto *bytes = reinterpret_cast<const unsigned char *>(s);
  for (size_t i = sizeof(Struct); i < s->struct_size; ++i)
    if (bytes[i] != 0)
      return invalid(std::string(name) + " sets fields this library (" +
                     std::to_string(sizeof(Struct)) + " bytes of it) does not know");
  return Status::ok();
}

/// The caller's struct as this library's, the fields past its struct_size
/// zero (checkStruct passed).
template <typename Struct> Struct readStruct(const Struct &in) {
  Struct value = {};
  std::memcpy(&value, &in, std::min(in.struct_size, sizeof(Struct)));
  return value;
}

/// Writes `value` into the caller's struct, at most its struct_size bytes.
template <typename Struct> void writeStruct(Struct *out, Struct value) {
  size_t size = out->struct_size;
  value.struct_size = size;
  std::memcpy(out, &value, std::min(size, sizeof(Struct)));
}

} // namespace

//===--- Objects -------------------------------------------------------------===//

namespace sieve::capi {

struct Executable {
  std::string target, rejected; // rejected: empty when the device runs it
  bool chosen = false;
};

struct Session;

/// One session's decode step waiting to join a batch.
struct DecodeRequest {
  Session *session = nullptr;
  int32_t token = 0;
  bool done = false;
  Status status;
};

struct Model {
  sieve_allocator_t allocator;
  std::unique_ptr<exec::CompiledModel> compiled;
  std::optional<io::Tokenizer> tokenizer;
  std::string modulePath, devicesPassedOver;
  std::vector<Executable> executables;
  // One model call at a time: its arenas and caches are shared.
  std::mutex step;
  // Per cache slot, the session holding it (under `step`): program runs
  // name sessions by slot.
  std::vector<Session *> slotSessions;
  // Automatic batching: decode steps of sessions generating at once wait
  // here, and one of their threads (the leader) runs them as one batch.
  std::mutex queueMutex;
  std::condition_variable queueDone, queueArrived;
  std::vector<DecodeRequest *> queue;
  bool leading = false;
  // Sessions between their first queued step and the end of their call:
  // each will queue its next step soon (after sampling), so a batch waits
  // briefly for them.
  size_t decoding = 0;
  std::chrono::duration<double> lastStep{0};
  // Decode steps run for sessions and the tokens they carried.
  std::atomic<uint64_t> decodeSteps{0}, decodeTokens{0};
};

struct Session {
  sieve_allocator_t allocator;
  uint64_t modelHandle; // holds a reference
  Model *model;
  std::optional<exec::CompiledSequence> sequence;
  std::vector<int32_t> history; // the tokens the cache holds
  std::vector<float> logits;    // the last call's, copied out of the arena
  std::atomic<bool> inCall{false};
  bool decoding = false; // counted in Model::decoding (under its queueMutex)
};

HandleTable<Model> &models() {
  static HandleTable<Model> table;
  return table;
}

HandleTable<Session> &sessions() {
  static HandleTable<Session> table;
  return table;
}

/// Memory on a model's device for program inputs and outputs.
struct Buffer {
  sieve_allocator_t allocator;
  uint64_t modelHandle; // holds a reference: the device outlives the memory
  Model *model;
  hal::DeviceMemory memory;
};

HandleTable<Buffer> &buffers() {
  static HandleTable<Buffer> table;
  return table;
}

template <typename Object> void destroy(Object *object) {
  sieve_allocator_t allocator = object->allocator;
  object->~Object();
  deallocate(allocator, object);
}

void destroySession(Session *session) {
  {
    // Its slot goes back to the model under the model's lock.
    std::lock_guard<std::mutex> lock(session->model->step);
    session->model->slotSessions[size_t(session->sequence->slot())] = nullptr;
    session->sequence.reset();
  }
  uint64_t model = session->modelHandle;
  destroy(session);
  if (Model *last = models().release(model))
    destroy(last);
}

/// A handle's object for the length of one call.
template <typename Object> class Use {
public:
  Use(HandleTable<Object> &table, uint64_t handle, void (*drop)(Object *))
      : table_(table), handle_(handle), drop_(drop), object_(table.acquire(handle)) {}
  ~Use() {
    if (object_)
      if (Object *last = table_.release(handle_))
        drop_(last);
  }
  Object *get() const { return object_; }

private:
  HandleTable<Object> &table_;
  uint64_t handle_;
  void (*drop_)(Object *);
  Object *object_;
};

void destroyModel(Model *model) { destroy(model); }

void destroyBuffer(Buffer *buffer) {
  uint64_t model = buffer->modelHandle;
  destroy(buffer);
  if (Model *last = models().release(model))
    destroy(last);
}

uint64_t handleOf(const void *handle) { return uint64_t(reinterpret_cast<uintptr_t>(handle)); }

/// `body(model)` for a call on a model handle: a released or NULL handle is
/// refused, statuses come from the model's allocator.
template <typename Body> sieve_status_t *onModel(sieve_model_t *handle, Body &&body) {
  Use<Model> use(models(), handleOf(handle), destroyModel);
  Model *model = use.get();
  return guarded(model ? model->allocator : kDefaultAllocator, [&]() -> Status {
    if (!model)
      return invalid("model is NULL or released");
    return body(*model);
  });
}

/// The model's tokenizer, or why there is none.
Expected<const io::Tokenizer *> tokenizerOf(const Model &model) {
  if (!model.tokenizer)
    return Status(StatusCode::kFailedPrecondition, "the model was loaded without a tokenizer");
  return &*model.tokenizer;
}

/// Copies `items` into a caller's buffer of `capacity`, always reporting
/// how many there are; OUT_OF_RANGE when they do not fit.
template <typename T>
Status copyOut(const T *items, size_t count, T *out, size_t capacity, size_t *out_count,
               const char *unit) {
  *out_count = count;
  if (count > capacity)
    return outOfRange("the text has " + std::to_string(count) + " " + unit +
                      ", more than the capacity of " + std::to_string(capacity));
  std::copy(items, items + count, out);
  return Status::ok();
}

/// Runs the decode steps of `batch` that can run as one decode call.
void runBatch(exec::CompiledModel &compiled, Model &model, std::vector<DecodeRequest *> &batch) {
  std::vector<exec::CompiledSequence *> sequences;
  std::vector<int32_t> tokens;
  std::vector<DecodeRequest *> runs;
  for (DecodeRequest *request : batch) {
    exec::CompiledSequence &sequence = *request->session->sequence;
    if (request->token < 0 || request->token >= compiled.vocabSize())
      request->status =
          invalid("decode: token " + std::to_string(request->token) +
                  " is outside the model's vocabulary of " + std::to_string(compiled.vocabSize()));
    else if (sequence.position() + 1 > compiled.maxSeqLen())
      request->status = outOfRange("decode: the session is full (max_seq_len " +
                                   std::to_string(compiled.maxSeqLen()) + ")");
    if (!request->status)
      continue;
    sequences.push_back(&sequence);
    tokens.push_back(request->token);
    runs.push_back(request);
  }
  if (!runs.empty()) {
    const auto start = std::chrono::steady_clock::now();
    Expected<exec::LogitsView> rows = compiled.decode(sequences.data(), tokens.data(), runs.size());
    model.lastStep = std::chrono::steady_clock::now() - start; // read under the same lock
    model.decodeSteps.fetch_add(1);
    model.decodeTokens.fetch_add(runs.size());
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!rows) {
        runs[i]->status = rows.status();
        continue;
      }
      Session &session = *runs[i]->session;
      const float *row = rows->data + i * size_t(rows->vocab);
      session.logits.assign(row, row + rows->vocab);
      session.history.push_back(runs[i]->token);
    }
  }
}

/// Runs the oldest queued decode steps (at most max_batch) as one batch,
/// under the model's lock: taking them after the lock is held lets every
/// step queued while another call ran join. Each step's logits go to its
/// session; a step that cannot run (a token outside the vocabulary, a full
/// session) fails alone instead of failing the batch.
void runQueuedDecodes(Model &model) {
  exec::CompiledModel &compiled = *model.compiled;
  std::lock_guard<std::mutex> step(model.step);
  std::vector<DecodeRequest *> batch;
  {
    std::unique_lock<std::mutex> queue(model.queueMutex);
    // Sessions still sampling their last token join if they come within
    // half a step (at most 2 ms): a longer wait would cost more than the
    // batch saves, and a session held up in its callback must not stall
    // the others.
    const size_t most = size_t(compiled.maxBatch());
    auto everyoneQueued = [&] { return model.queue.size() >= std::min(model.decoding, most); };
    if (!everyoneQueued())
      model.queueArrived.wait_for(
          queue,
          std::min<std::chrono::duration<double>>(model.lastStep / 2, std::chrono::milliseconds(2)),
          everyoneQueued);
    const size_t count = std::min(model.queue.size(), most);
    batch.assign(model.queue.begin(), model.queue.begin() + std::ptrdiff_t(count));
    model.queue.erase(model.queue.begin(), model.queue.begin() + std::ptrdiff_t(count));
  }
  try {
    runBatch(compiled, model, batch);
  } catch (...) {
    // Out of memory in the bookkeeping: every step taken still ends.
    for (DecodeRequest *request : batch)
      if (request->status)
        request->status = Status(StatusCode::kInternal, "out of memory batching decode steps");
  }
  std::lock_guard<std::mutex> queue(model.queueMutex);
  for (DecodeRequest *request : batch)
    request->done = true;
}

/// One decode step of `session`, batched with the steps other sessions of
/// its model queue meanwhile. No thread of its own: whichever waiting
/// caller finds no batch running runs the next one.
Status decodeInBatch(Session &session, int32_t token) {
  Model &model = *session.model;
  DecodeRequest request;
  request.session = &session;
  request.token = token;
  std::unique_lock<std::mutex> queue(model.queueMutex);
  model.queue.push_back(&request);
  if (!session.decoding) {
    session.decoding = true;
    ++model.decoding;
  }
  model.queueArrived.notify_all();
  while (!request.done) {
    if (model.leading) {
      model.queueDone.wait(queue);
      continue;
    }
    model.leading = true;
    queue.unlock();
    try {
      runQueuedDecodes(model);
    } catch (...) {
      // Nothing was taken from the queue (runQueuedDecodes ends every step
      // it takes): the next waiter leads.
      queue.lock();
      model.leading = false;
      model.queueDone.notify_all();
      throw;
    }
    queue.lock();
    model.leading = false;
    model.queueDone.notify_all();
  }
  return request.status;
}

/// The session's sequence as a generation runner: every model call under
/// the model's lock, its logits copied out before the lock is let go (the
/// next call on another session reuses the arena).
class SessionRunner final : public SequenceRunner {
public:
  explicit SessionRunner(Session &session) : session_(session) {}
  int64_t position() const override { return session_.sequence->position(); }
  int64_t maxSeqLen() const override { return session_.model->compiled->maxSeqLen(); }
  int64_t vocabSize() const override { return session_.model->compiled->vocabSize(); }
  int64_t eosTokenId() const override { return session_.model->compiled->eosTokenId(); }
  Expected<const float *> forward(const int32_t *tokens, int64_t n) override {
    if (n == 1 && session_.sequence->position() > 0) {
      SIEVE_RETURN_IF_ERROR(decodeInBatch(session_, tokens[0]));
      return session_.logits.data();
    }
    std::lock_guard<std::mutex> lock(session_.model->step);
    Expected<exec::LogitsView> logits =
        session_.model->compiled->forward(*session_.sequence, tokens, n);
    if (!logits)
      return logits.takeStatus();
    session_.history.insert(session_.history.end(), tokens, tokens + n);
    session_.logits.assign(logits->data, logits->data + logits->vocab);
    return session_.logits.data();
  }

private:
  Session &session_;
};

Status resetSession(Session &session) {
  std::lock_guard<std::mutex> lock(session.model->step);
  session.history.clear();
  return session.model->compiled->reset(*session.sequence);
}

/// Stop strings a request may give: enough for any chat template's turn
/// markers, bounded so a request cannot make every token scan megabytes.
constexpr size_t kMaxStopStrings = 64, kMaxStopStringBytes = 4096;

/// The stop strings of `options`, checked.
Expected<std::vector<std::string>> stopStringsOf(const sieve_generate_options_t &options,
                                                 bool hasTokenizer) {
  std::vector<std::string> stops;
  if (options.stop_count == 0)
    return stops;
  if (!options.stop)
    return invalid("stop is NULL but stop_count is " + std::to_string(options.stop_count));
  if (options.stop_count > kMaxStopStrings)
    return invalid("stop_count is " + std::to_string(options.stop_count) + ", more than " +
                   std::to_string(kMaxStopStrings));
  if (!hasTokenizer)
    return invalid("stop strings match text, and the model has no tokenizer");
  for (size_t i = 0; i < options.stop_count; ++i) {
    const char *text = options.stop[i];
    if (!text)
      return invalid("stop[" + std::to_string(i) + "] is NULL");
    size_t length = strnlen(text, kMaxStopStringBytes + 1);
    if (length == 0 || length > kMaxStopStringBytes)
      return invalid("stop[" + std::to_string(i) + "] is " +
                     (length ? "longer than " + std::to_string(kMaxStopStringBytes) + " bytes"
                             : std::string("empty")));
    stops.emplace_back(text, length);
  }
  return stops;
}

/// ref::generate on the session with the C options, streaming text.
Status generateOn(Session &session, const std::vector<int32_t> &prompt,
                  const sieve_generate_options_t &given, sieve_generate_result_t *out) {
  const sieve_generate_options_t options = readStruct(given);
  ref::GenerateOptions generate;
  generate.sampler.temperature = options.temperature;
  generate.sampler.topK = options.top_k;
  generate.sampler.topP = options.top_p;
  generate.sampler.seed = options.seed;
  generate.sampler.minP = options.min_p;
  generate.sampler.repeatPenalty = options.repeat_penalty == 0 ? 1.0 : options.repeat_penalty;
  generate.sampler.presencePenalty = options.presence_penalty;
  generate.sampler.frequencyPenalty = options.frequency_penalty;
  generate.sampler.penaltyLastN = options.repeat_last_n == 0 ? 64 : options.repeat_last_n;
  generate.maxNewTokens = options.max_new_tokens;
  generate.stopAtEos = options.ignore_eos == 0;
  if (options.max_new_tokens < 0)
    return invalid("max_new_tokens is negative");
  const io::Tokenizer *tokenizer = session.model->tokenizer ? &*session.model->tokenizer : nullptr;
  Expected<std::vector<std::string>> stopTexts = stopStringsOf(options, tokenizer != nullptr);
  if (!stopTexts)
    return stopTexts.takeStatus();
  std::optional<ref::StopStrings> stops;
  if (!stopTexts->empty())
    stops.emplace(stopTexts.take());
  std::string pending; // bytes of a character not complete yet
  auto onToken = [&](int32_t token) {
    std::string text;
    if (tokenizer) {
      auto bytes = tokenizer->decode(&token, 1);
      if (bytes)
        pending += *bytes;
      size_t ready = io::completeUtf8Prefix(pending);
      text = io::replaceInvalidUtf8(pending.substr(0, ready));
      pending.erase(0, ready);
      if (stops)
        text = stops->push(text);
    }
    bool more = !(stops && stops->stopped());
    if (options.on_token)
      more &= options.on_token(options.user_data, token, tokenizer ? text.c_str() : nullptr,
                               text.size()) == 0;
    return more;
  };
  SessionRunner runner(session);
  Expected<ref::GenerateResult> result = ref::generate(runner, prompt, generate, onToken);
  if (!result)
    return result.takeStatus();
  if (stops && !stops->stopped() && options.on_token) {
    std::string held = stops->finish();
    if (!held.empty())
      options.on_token(options.user_data, -1, held.c_str(), held.size());
  }
  if (out) {
    sieve_generate_result_t value = {};
    value.prompt_tokens = int64_t(prompt.size());
    value.generated_tokens = int64_t(result->tokens.size());
    switch (result->stopReason) {
    case ref::StopReason::kMaxNewTokens:
      value.stop_reason = SIEVE_STOP_MAX_NEW_TOKENS;
      break;
    case ref::StopReason::kCallback:
      value.stop_reason = stops && stops->stopped() ? SIEVE_STOP_STOP_STRING : SIEVE_STOP_CALLBACK;
      break;
    case ref::StopReason::kEos:
      value.stop_reason = SIEVE_STOP_EOS;
      break;
    case ref::StopReason::kMaxSeqLen:
      value.stop_reason = SIEVE_STOP_MAX_SEQ_LEN;
      break;
    }
    value.prefill_seconds = result->prefillSeconds;
    value.decode_seconds = result->decodeSeconds;
    writeStruct(out, value);
  }
  return Status::ok();
}

/// The session's call is over: batches stop waiting for its steps.
void leaveDecoding(Session &session) {
  Model &model = *session.model;
  std::lock_guard<std::mutex> queue(model.queueMutex);
  if (!session.decoding)
    return;
  session.decoding = false;
  --model.decoding;
  model.queueArrived.notify_all();
}

/// The common start of the session calls: the handle, the options and
/// result structs, and the session not in a call already (then BUSY). The
/// session is marked in a call until this is destroyed.
class SessionCall {
public:
  explicit SessionCall(sieve_session_t *handle)
      : use_(sessions(), handleOf(handle), destroySession) {}
  ~SessionCall() {
    if (!entered_)
      return;
    leaveDecoding(*use_.get());
    use_.get()->inCall.store(false);
  }
  sieve_status_t *begin(const sieve_generate_options_t *options, sieve_generate_result_t *result,
                        bool needsOptions) {
    Status s;
    if (!use_.get())
      s = invalid("session is NULL or released");
    else if (needsOptions && !options)
      s = invalid("options is NULL");
    else if (options)
      s = checkStruct(options, "options");
    if (s && result)
      s = checkStruct(result, "result");
    if (!s)
      return toStatus(s, allocator());
    bool idle = false;
    if (!use_.get()->inCall.compare_exchange_strong(idle, true))
      return makeStatus(allocator(), SIEVE_STATUS_BUSY,
                        "the session is already in a call (one call at a time per session)");
    entered_ = true;
    return nullptr;
  }
  Session &session() { return *use_.get(); }
  const sieve_allocator_t &allocator() {
    return use_.get() ? use_.get()->allocator : kDefaultAllocator;
  }

private:
  Use<Session> use_;
  bool entered_ = false;
};

/// `body(session)` for a call on a session handle (SessionCall's checks
/// first; `needsOptions` when the call takes generation options).
template <typename Body>
sieve_status_t *onSession(sieve_session_t *handle, const sieve_generate_options_t *options,
                          sieve_generate_result_t *result, bool needsOptions, Body &&body) {
  SessionCall call(handle);
  if (sieve_status_t *status = call.begin(options, result, needsOptions))
    return status;
  return guarded(call.allocator(), [&]() -> Status { return body(call.session()); });
}

} // namespace sieve::capi

using namespace sieve::capi;

//===--- Versions and statuses -----------------------------------------------===//

extern "C" {

const char *sieve_version_string(void) { return SIEVE_VERSION_STRING; }

uint32_t sieve_api_version(void) {
  return uint32_t(SIEVE_API_VERSION_MAJOR) << 16 | SIEVE_API_VERSION_MINOR;
}

uint32_t sieve_module_format_version(void) {
  return uint32_t(module::kFormatMajor) << 16 | module::kFormatMinor;
}

sieve_status_code_t sieve_status_code(const sieve_status_t *status) {
  return status ? status->code : SIEVE_STATUS_OK;
}

const char *sieve_status_message(const sieve_status_t *status) {
  return status ? status->message : "";
}

void sieve_status_free(sieve_status_t *status) {
  if (status && status != &outOfMemoryStatus)
    deallocate(status->allocator, status);
}

const char *sieve_status_code_name(sieve_status_code_t code) {
  switch (code) {
  case SIEVE_STATUS_OK:
    return "OK";
  case SIEVE_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case SIEVE_STATUS_NOT_FOUND:
    return "NOT_FOUND";
  case SIEVE_STATUS_FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case SIEVE_STATUS_OUT_OF_RANGE:
    return "OUT_OF_RANGE";
  case SIEVE_STATUS_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case SIEVE_STATUS_UNAVAILABLE:
    return "UNAVAILABLE";
  case SIEVE_STATUS_IO_ERROR:
    return "IO_ERROR";
  case SIEVE_STATUS_BUSY:
    return "BUSY";
  case SIEVE_STATUS_INTERNAL:
    return "INTERNAL";
  }
  return "UNKNOWN";
}

//===--- Models ---------------------------------------------------------------===//

void sieve_model_options_init(sieve_model_options_t *options) {
  if (!options)
    return;
  *options = sieve_model_options_t{};
  options->struct_size = sizeof(*options);
}

sieve_status_t *sieve_model_load(const sieve_model_options_t *options, sieve_model_t **out_model) {
  const sieve_allocator_t allocator =
      options && options->struct_size >= sizeof(*options) ? options->allocator : kDefaultAllocator;
  if ((allocator.alloc == nullptr) != (allocator.free == nullptr))
    return makeStatus(kDefaultAllocator, SIEVE_STATUS_INVALID_ARGUMENT,
                      "options.allocator sets only one of alloc and free");
  return guarded(allocator, [&]() -> Status {
    if (Status s = checkStruct(options, "options"); !s)
      return s;
    if (!out_model)
      return invalid("out_model is NULL");
    *out_model = nullptr;
    if (!options->weights_path)
      return invalid("options.weights_path is NULL");
    std::string modulePath;
    if (options->module_path) {
      modulePath = options->module_path;
    } else {
      // Compile on first use: the checkpoint's config for this CPU, cached.
      exec::ModuleCacheRequest request = exec::hostModuleRequest(options->weights_path);
      if (options->compiler_path)
        request.compiler = options->compiler_path;
      if (options->cache_dir)
        request.cacheDir = options->cache_dir;
      Expected<exec::CachedModule> cached = exec::cachedModule(request);
      if (!cached)
        return cached.takeStatus();
      modulePath = cached->path;
    }
    exec::CompiledLoadOptions load;
    load.weights = options->weights_path;
    load.threads = options->threads;
    if (options->device)
      load.device = options->device;
    Expected<std::unique_ptr<exec::CompiledModel>> compiled =
        exec::CompiledModel::load(modulePath, load);
    if (!compiled)
      return compiled.takeStatus();
    std::optional<io::Tokenizer> tokenizer;
    if (options->tokenizer_path) {
      Expected<io::Tokenizer> loaded = io::Tokenizer::fromFile(options->tokenizer_path);
      if (!loaded)
        return loaded.takeStatus().annotate(options->tokenizer_path);
      tokenizer.emplace(loaded.take());
    }
    void *memory = allocate(allocator, sizeof(Model));
    if (!memory)
      throw std::bad_alloc();
    auto *model = new (memory) Model();
    model->allocator = allocator;
    model->compiled = compiled.take();
    model->tokenizer = std::move(tokenizer);
    model->modulePath = modulePath;
    model->slotSessions.assign(size_t(model->compiled->maxBatch()), nullptr);
    const exec::LoadReport &report = model->compiled->report();
    for (const std::string &passed : report.rejectedDevices)
      model->devicesPassedOver += (model->devicesPassedOver.empty() ? "" : "\n") + passed;
    for (const auto *executable : *model->compiled->module().module().executables()) {
      Executable entry;
      entry.target = executable->target()->str();
      entry.chosen = entry.target == report.executable;
      for (const std::string &rejected : report.rejected)
        if (rejected.compare(0, entry.target.size() + 2, entry.target + ": ") == 0)
          entry.rejected = rejected.substr(entry.target.size() + 2);
      model->executables.push_back(std::move(entry));
    }
    *out_model = reinterpret_cast<sieve_model_t *>(uintptr_t(models().add(model)));
    return Status::ok();
  });
}

void sieve_model_retain(sieve_model_t *model) { (void)models().acquire(handleOf(model)); }

void sieve_model_release(sieve_model_t *model) {
  if (Model *last = models().release(handleOf(model)))
    destroy(last);
}

void sieve_model_info_init(sieve_model_info_t *info) {
  if (!info)
    return;
  *info = sieve_model_info_t{};
  info->struct_size = sizeof(*info);
}

sieve_status_t *sieve_model_query(sieve_model_t *handle, sieve_model_info_t *out_info) {
  return onModel(handle, [&](Model &model) -> Status {
    if (Status s = checkStruct(out_info, "out_info"); !s)
      return s;
    const exec::CompiledModel &m = *model.compiled;
    const exec::LoadReport &report = m.report();
    sieve_model_info_t info = {};
    info.vocab_size = m.vocabSize();
    info.max_seq_len = m.maxSeqLen();
    info.max_sessions = m.maxBatch();
    info.bos_token_id = m.bosTokenId();
    info.eos_token_id = m.eosTokenId();
    info.parameters = report.parameters;
    info.weight_bytes = report.weightBytes;
    info.cache_bytes = report.cacheBytes;
    const uint64_t tokens = uint64_t(m.maxSeqLen()) * uint64_t(std::max<int64_t>(1, m.maxBatch()));
    info.cache_bytes_per_token = tokens ? report.cacheBytes / tokens : 0;
    info.has_tokenizer = model.tokenizer ? 1 : 0;
    info.device = report.device.c_str();
    info.executable = report.executable.c_str();
    info.module_path = model.modulePath.c_str();
    info.devices_passed_over =
        model.devicesPassedOver.empty() ? nullptr : model.devicesPassedOver.c_str();
    info.executable_count = model.executables.size();
    info.decode_steps = model.decodeSteps.load();
    info.decode_tokens = model.decodeTokens.load();
    writeStruct(out_info, info);
    return Status::ok();
  });
}

void sieve_executable_info_init(sieve_executable_info_t *info) {
  if (!info)
    return;
  *info = sieve_executable_info_t{};
  info->struct_size = sizeof(*info);
}

sieve_status_t *sieve_model_executable(sieve_model_t *handle, uint64_t index,
                                       sieve_executable_info_t *out_info) {
  return onModel(handle, [&](Model &model) -> Status {
    if (Status s = checkStruct(out_info, "out_info"); !s)
      return s;
    if (index >= model.executables.size())
      return outOfRange("executable " + std::to_string(index) + " of " +
                        std::to_string(model.executables.size()));
    const Executable &executable = model.executables[index];
    sieve_executable_info_t info = {};
    info.target = executable.target.c_str();
    info.chosen = executable.chosen ? 1 : 0;
    info.rejected = executable.rejected.empty() ? nullptr : executable.rejected.c_str();
    writeStruct(out_info, info);
    return Status::ok();
  });
}

sieve_status_t *sieve_model_tokenize(sieve_model_t *handle, const char *text, size_t text_length,
                                     int32_t *ids, size_t capacity, size_t *out_count) {
  return onModel(handle, [&](Model &model) -> Status {
    if (!out_count || (!text && text_length) || (!ids && capacity))
      return invalid("text, ids or out_count is NULL");
    Expected<const io::Tokenizer *> tokenizer = tokenizerOf(model);
    if (!tokenizer)
      return tokenizer.takeStatus();
    Expected<std::vector<int32_t>> encoded =
        (*tokenizer)->encode(std::string_view(text ? text : "", text_length));
    if (!encoded)
      return encoded.takeStatus();
    return copyOut(encoded->data(), encoded->size(), ids, capacity, out_count, "tokens");
  });
}

sieve_status_t *sieve_model_detokenize(sieve_model_t *handle, const int32_t *ids, size_t count,
                                       char *text, size_t capacity, size_t *out_length) {
  return onModel(handle, [&](Model &model) -> Status {
    if (!out_length || (!ids && count) || (!text && capacity))
      return invalid("ids, text or out_length is NULL");
    Expected<const io::Tokenizer *> tokenizer = tokenizerOf(model);
    if (!tokenizer)
      return tokenizer.takeStatus();
    Expected<std::string> decoded = (*tokenizer)->decode(ids, count);
    if (!decoded)
      return decoded.takeStatus();
    return copyOut(decoded->data(), decoded->size(), text, capacity, out_length, "bytes");
  });
}

//===--- Sessions -------------------------------------------------------------===//

sieve_status_t *sieve_session_create(sieve_model_t *handle, sieve_session_t **out_session) {
  Use<Model> use(models(), handleOf(handle), destroyModel);
  Model *model = use.get();
  const sieve_allocator_t &allocator = model ? model->allocator : kDefaultAllocator;
  std::string noSlot; // why no cache slot was free
  sieve_status_t *status = guarded(allocator, [&]() -> Status {
    if (!model)
      return invalid("model is NULL or released");
    if (!out_session)
      return invalid("out_session is NULL");
    *out_session = nullptr;
    std::optional<exec::CompiledSequence> sequence;
    {
      std::lock_guard<std::mutex> lock(model->step);
      Expected<exec::CompiledSequence> fresh = model->compiled->newSequence();
      if (!fresh) {
        noSlot = fresh.status().message();
        return Status::ok();
      }
      sequence.emplace(fresh.take());
    }
    void *memory = allocate(model->allocator, sizeof(Session));
    if (!memory) {
      std::lock_guard<std::mutex> lock(model->step);
      sequence.reset();
      throw std::bad_alloc();
    }
    auto *session = new (memory) Session();
    session->allocator = model->allocator;
    session->model = models().acquire(handleOf(handle)); // the session's reference
    session->modelHandle = handleOf(handle);
    {
      std::lock_guard<std::mutex> lock(model->step);
      session->sequence.emplace(std::move(*sequence));
      model->slotSessions[size_t(session->sequence->slot())] = session;
    }
    *out_session = reinterpret_cast<sieve_session_t *>(uintptr_t(sessions().add(session)));
    return Status::ok();
  });
  if (!status && !noSlot.empty())
    return makeStatus(allocator, SIEVE_STATUS_RESOURCE_EXHAUSTED, noSlot);
  return status;
}

void sieve_session_retain(sieve_session_t *session) { (void)sessions().acquire(handleOf(session)); }

void sieve_session_release(sieve_session_t *session) {
  if (Session *last = sessions().release(handleOf(session)))
    destroySession(last);
}

sieve_status_t *sieve_session_reset(sieve_session_t *handle) {
  return onSession(handle, nullptr, nullptr, false,
                   [&](Session &session) -> Status { return resetSession(session); });
}

sieve_status_t *sieve_session_position(sieve_session_t *handle, int64_t *out_position) {
  return onSession(handle, nullptr, nullptr, false, [&](Session &session) -> Status {
    if (!out_position)
      return invalid("out_position is NULL");
    *out_position = session.sequence->position();
    return Status::ok();
  });
}

void sieve_generate_options_init(sieve_generate_options_t *options) {
  if (!options)
    return;
  *options = sieve_generate_options_t{};
  options->struct_size = sizeof(*options);
  options->temperature = 1.0f;
  options->top_p = 1.0f;
  options->max_new_tokens = 128;
}

void sieve_generate_result_init(sieve_generate_result_t *result) {
  if (!result)
    return;
  *result = sieve_generate_result_t{};
  result->struct_size = sizeof(*result);
}

sieve_status_t *sieve_session_generate(sieve_session_t *handle, const int32_t *prompt,
                                       size_t prompt_length,
                                       const sieve_generate_options_t *options,
                                       sieve_generate_result_t *result) {
  return onSession(handle, options, result, true, [&](Session &session) -> Status {
    if (!prompt && prompt_length)
      return invalid("prompt is NULL");
    return generateOn(session, std::vector<int32_t>(prompt, prompt + prompt_length), *options,
                      result);
  });
}

sieve_status_t *sieve_session_generate_text(sieve_session_t *handle, const char *text,
                                            size_t text_length,
                                            const sieve_generate_options_t *options,
                                            sieve_generate_result_t *result) {
  return onSession(handle, options, result, true, [&](Session &session) -> Status {
    if (!text && text_length)
      return invalid("text is NULL");
    Expected<const io::Tokenizer *> tokenizer = tokenizerOf(*session.model);
    if (!tokenizer)
      return tokenizer.takeStatus();
    Expected<std::vector<int32_t>> ids =
        (*tokenizer)->encode(std::string_view(text ? text : "", text_length));
    if (!ids)
      return ids.takeStatus();
    std::vector<int32_t> prompt;
    if (session.sequence->position() == 0)
      prompt.push_back(int32_t(session.model->compiled->bosTokenId()));
    prompt.insert(prompt.end(), ids->begin(), ids->end());
    return generateOn(session, prompt, *options, result);
  });
}

sieve_status_t *sieve_session_chat(sieve_session_t *handle, const char *messages_json,
                                   size_t json_length, int32_t thinking,
                                   const sieve_generate_options_t *options,
                                   sieve_generate_result_t *result) {
  return onSession(handle, options, result, true, [&](Session &session) -> Status {
    if (!messages_json)
      return invalid("messages_json is NULL");
    Expected<const io::Tokenizer *> tokenizer = tokenizerOf(*session.model);
    if (!tokenizer)
      return tokenizer.takeStatus();
    io::ChatOptions chat;
    chat.thinkingMode = thinking ? io::ThinkingMode::kThinking : io::ThinkingMode::kChat;
    Expected<std::string> text =
        io::encodeChatPrompt(std::string_view(messages_json, json_length), chat);
    if (!text)
      return text.takeStatus();
    Expected<std::vector<int32_t>> ids = (*tokenizer)->encode(*text);
    if (!ids)
      return ids.takeStatus();
    // Reuse what the session holds when the conversation continues it;
    // otherwise start over.
    const std::vector<int32_t> &held = session.history;
    std::vector<int32_t> prompt;
    if (!held.empty() && held.size() < ids->size() &&
        std::equal(held.begin(), held.end(), ids->begin())) {
      prompt.assign(ids->begin() + std::ptrdiff_t(held.size()), ids->end());
    } else {
      if (Status s = resetSession(session); !s)
        return s;
      prompt = *ids;
    }
    return generateOn(session, prompt, *options, result);
  });
}

sieve_status_t *sieve_session_forward(sieve_session_t *handle, const int32_t *tokens, size_t count,
                                      const float **out_logits) {
  return onSession(handle, nullptr, nullptr, false, [&](Session &session) -> Status {
    if (!tokens || count == 0 || !out_logits)
      return invalid("tokens (at least one) or out_logits is NULL");
    SessionRunner runner(session);
    Expected<const float *> logits = runner.forward(tokens, int64_t(count));
    if (!logits)
      return logits.takeStatus();
    *out_logits = *logits;
    return Status::ok();
  });
}

sieve_status_t *sieve_model_decode(sieve_model_t *handle, sieve_session_t *const *sessions,
                                   const int32_t *tokens, size_t count, float *logits,
                                   size_t logits_capacity) {
  Use<Model> use(models(), handleOf(handle), destroyModel);
  Model *model = use.get();
  const sieve_allocator_t &allocator = model ? model->allocator : kDefaultAllocator;
  if (!model)
    return makeStatus(allocator, SIEVE_STATUS_INVALID_ARGUMENT, "model is NULL or released");
  if (!sessions || !tokens || !logits || count == 0)
    return makeStatus(allocator, SIEVE_STATUS_INVALID_ARGUMENT,
                      "sessions, tokens or logits is NULL, or count is 0");
  for (size_t i = 0; i < count; ++i)
    for (size_t j = 0; j < i; ++j)
      if (sessions[i] == sessions[j])
        return makeStatus(allocator, SIEVE_STATUS_INVALID_ARGUMENT,
                          "session " + std::to_string(i) + " is session " + std::to_string(j) +
                              " again (each session at most once per step)");
  // Every session held and marked in a call until the step is done.
  std::vector<std::unique_ptr<SessionCall>> calls;
  for (size_t i = 0; i < count; ++i) {
    calls.push_back(std::make_unique<SessionCall>(sessions[i]));
    if (sieve_status_t *status = calls.back()->begin(nullptr, nullptr, false))
      return status;
  }
  return guarded(allocator, [&]() -> Status {
    const int64_t vocab = model->compiled->vocabSize();
    if (count > size_t(model->compiled->maxBatch()))
      return invalid("a step takes at most " + std::to_string(model->compiled->maxBatch()) +
                     " sessions, got " + std::to_string(count));
    if (logits_capacity / size_t(vocab) < count)
      return outOfRange("logits holds " + std::to_string(logits_capacity) + " floats, " +
                        std::to_string(count) + " rows need " +
                        std::to_string(count * size_t(vocab)));
    std::vector<exec::CompiledSequence *> sequences;
    for (size_t i = 0; i < count; ++i) {
      Session &session = calls[i]->session();
      if (session.model != model)
        return invalid("session " + std::to_string(i) + " belongs to another model");
      sequences.push_back(&*session.sequence);
    }
    std::lock_guard<std::mutex> lock(model->step);
    Expected<exec::LogitsView> rows = model->compiled->decode(sequences.data(), tokens, count);
    if (!rows)
      return rows.takeStatus();
    std::memcpy(logits, rows->data, count * size_t(vocab) * sizeof(float));
    model->decodeSteps.fetch_add(1);
    model->decodeTokens.fetch_add(count);
    for (size_t i = 0; i < count; ++i)
      calls[i]->session().history.push_back(tokens[i]);
    return Status::ok();
  });
}

sieve_status_t *sieve_session_slot(sieve_session_t *handle, int64_t *out_slot) {
  Use<Session> use(sessions(), handleOf(handle), destroySession);
  Session *session = use.get();
  return guarded(session ? session->allocator : kDefaultAllocator, [&]() -> Status {
    if (!session)
      return invalid("session is NULL or released");
    if (!out_slot)
      return invalid("out_slot is NULL");
    *out_slot = session->sequence->slot();
    return Status::ok();
  });
}

//===--- Devices --------------------------------------------------------------===//

void sieve_device_info_init(sieve_device_info_t *info) {
  if (!info)
    return;
  *info = sieve_device_info_t{};
  info->struct_size = sizeof(*info);
}

sieve_status_t *sieve_device_query(uint64_t index, sieve_device_info_t *out_info,
                                   uint64_t *out_count) {
  return guarded(kDefaultAllocator, [&]() -> Status {
    // Opening every GPU is slow and the strings must outlive the call: once.
    static const std::vector<exec::DeviceListing> devices = exec::listDevices();
    if (out_count)
      *out_count = devices.size();
    if (index >= devices.size())
      return outOfRange("device " + std::to_string(index) + " of " +
                        std::to_string(devices.size()));
    if (Status s = checkStruct(out_info, "out_info"); !s)
      return s;
    sieve_device_info_t info = {};
    info.name = devices[index].name.c_str();
    info.available = devices[index].available ? 1 : 0;
    info.description = devices[index].description.c_str();
    writeStruct(out_info, info);
    return Status::ok();
  });
}

//===--- Buffers --------------------------------------------------------------===//

} // extern "C"

namespace {

/// `body(buffer)` for a call on a buffer handle.
template <typename Body> sieve_status_t *onBuffer(sieve_buffer_t *handle, Body &&body) {
  Use<Buffer> use(buffers(), handleOf(handle), destroyBuffer);
  Buffer *buffer = use.get();
  return guarded(buffer ? buffer->allocator : kDefaultAllocator, [&]() -> Status {
    if (!buffer)
      return invalid("buffer is NULL or released");
    return body(*buffer);
  });
}

/// Checks that [offset, offset + bytes) lies inside `buffer`.
Status checkRange(const Buffer &buffer, uint64_t offset, uint64_t bytes, const char *what) {
  const uint64_t size = buffer.memory.bytes();
  if (offset > size || bytes > size - offset)
    return outOfRange(std::string(what) + ": bytes " + std::to_string(offset) + " to " +
                      std::to_string(offset + bytes) + " of a buffer of " + std::to_string(size));
  return Status::ok();
}

uint8_t *bufferAt(const Buffer &buffer, uint64_t offset) {
  return static_cast<uint8_t *>(buffer.memory.data()) + offset;
}

} // namespace

extern "C" {

sieve_status_t *sieve_buffer_create(sieve_model_t *handle, uint64_t bytes,
                                    sieve_buffer_t **out_buffer) {
  return onModel(handle, [&](Model &model) -> Status {
    if (!out_buffer)
      return invalid("out_buffer is NULL");
    *out_buffer = nullptr;
    if (bytes == 0)
      return invalid("a buffer needs at least one byte");
    Expected<hal::DeviceMemory> memory =
        model.compiled->device().allocate(bytes, "a buffer of the C API");
    if (!memory)
      return memory.takeStatus();
    void *storage = allocate(model.allocator, sizeof(Buffer));
    if (!storage)
      throw std::bad_alloc();
    auto *buffer = new (storage) Buffer();
    buffer->allocator = model.allocator;
    buffer->model = models().acquire(handleOf(handle)); // the buffer's reference
    buffer->modelHandle = handleOf(handle);
    buffer->memory = memory.take();
    *out_buffer = reinterpret_cast<sieve_buffer_t *>(uintptr_t(buffers().add(buffer)));
    return Status::ok();
  });
}

void sieve_buffer_retain(sieve_buffer_t *buffer) { (void)buffers().acquire(handleOf(buffer)); }

void sieve_buffer_release(sieve_buffer_t *buffer) {
  if (Buffer *last = buffers().release(handleOf(buffer)))
    destroyBuffer(last);
}

sieve_status_t *sieve_buffer_size(sieve_buffer_t *handle, uint64_t *out_bytes) {
  return onBuffer(handle, [&](Buffer &buffer) -> Status {
    if (!out_bytes)
      return invalid("out_bytes is NULL");
    *out_bytes = buffer.memory.bytes();
    return Status::ok();
  });
}

sieve_status_t *sieve_buffer_write(sieve_buffer_t *handle, uint64_t offset, const void *data,
                                   uint64_t bytes) {
  return onBuffer(handle, [&](Buffer &buffer) -> Status {
    if (!data && bytes)
      return invalid("data is NULL");
    SIEVE_RETURN_IF_ERROR(checkRange(buffer, offset, bytes, "sieve_buffer_write"));
    // Under the model's lock: in order with its runs.
    std::lock_guard<std::mutex> lock(buffer.model->step);
    return buffer.model->compiled->device().write(bufferAt(buffer, offset), data, bytes);
  });
}

sieve_status_t *sieve_buffer_read(sieve_buffer_t *handle, uint64_t offset, void *data,
                                  uint64_t bytes) {
  return onBuffer(handle, [&](Buffer &buffer) -> Status {
    if (!data && bytes)
      return invalid("data is NULL");
    SIEVE_RETURN_IF_ERROR(checkRange(buffer, offset, bytes, "sieve_buffer_read"));
    std::lock_guard<std::mutex> lock(buffer.model->step);
    return buffer.model->compiled->device().read(data, bufferAt(buffer, offset), bytes);
  });
}

//===--- Programs -------------------------------------------------------------===//

static_assert(SIEVE_ELEMENT_F32 == int(fb::ElementType::F32) &&
                  SIEVE_ELEMENT_F8E8M0FNU == int(fb::ElementType::F8E8M0FNU) &&
                  SIEVE_ELEMENT_I32 == int(fb::ElementType::I32),
              "sieve_element_type_t follows the module format's ElementType");
static_assert(SIEVE_MAX_RANK == std::tuple_size<decltype(exec::InputArg::shape)>::value,
              "one rank limit for the C API and the executor");

void sieve_program_info_init(sieve_program_info_t *info) {
  if (!info)
    return;
  *info = sieve_program_info_t{};
  info->struct_size = sizeof(*info);
}

void sieve_binding_info_init(sieve_binding_info_t *info) {
  if (!info)
    return;
  *info = sieve_binding_info_t{};
  info->struct_size = sizeof(*info);
}

void sieve_input_init(sieve_input_t *input) {
  if (!input)
    return;
  *input = sieve_input_t{};
  input->struct_size = sizeof(*input);
}

void sieve_output_init(sieve_output_t *output) {
  if (!output)
    return;
  *output = sieve_output_t{};
  output->struct_size = sizeof(*output);
}

} // extern "C"

namespace {

Expected<const exec::Program *> programOf(const Model &model, uint64_t index) {
  const exec::CompiledModel &m = *model.compiled;
  if (index >= m.programCount())
    return outOfRange("program " + std::to_string(index) + " of " +
                      std::to_string(m.programCount()));
  return &m.program(size_t(index));
}

/// Input or output `index` of `program` as a binding.
Expected<sieve_binding_info_t> bindingOf(const exec::Program &program, bool input, uint64_t index) {
  const fb::EntryPoint &entry = program.entry();
  const uint64_t count = input ? entry.inputs()->size() : entry.outputs()->size();
  if (index >= count)
    return outOfRange(program.name() + " " + (input ? "input " : "output ") +
                      std::to_string(index) + " of " + std::to_string(count));
  sieve_binding_info_t info = {};
  const flatbuffers::Vector<const fb::Extent *> *shape = nullptr;
  if (input) {
    const fb::Input *in = entry.inputs()->Get(uint32_t(index));
    info.name = in->name()->c_str();
    info.is_scalar = in->kind() == fb::InputKind::Scalar ? 1 : 0;
    info.element = sieve_element_type_t(in->element());
    shape = in->shape();
  } else {
    const fb::Output *out = entry.outputs()->Get(uint32_t(index));
    const fb::Buffer *buffer = entry.buffers()->Get(out->buffer());
    info.name = out->name()->c_str();
    info.element = sieve_element_type_t(buffer->element());
    shape = buffer->shape();
    if (buffer->storage() == fb::StorageKind::Arena)
      info.max_bytes = buffer->max_bytes();
  }
  if (info.is_scalar)
    return info;
  info.rank = shape ? shape->size() : 0;
  bool staticShape = true;
  uint64_t elements = 1;
  for (uint32_t d = 0; d < info.rank; ++d) {
    const fb::Extent *extent = shape->Get(d);
    const bool fixed = extent->register_index() < 0 && extent->size() >= 0;
    info.shape[d] = fixed ? extent->size() : -1;
    staticShape &= fixed;
    if (fixed)
      elements *= uint64_t(extent->size());
  }
  uint64_t bytes = 0;
  if (!input && staticShape && module::elementBytes(fb::ElementType(info.element), elements, bytes))
    info.max_bytes = bytes;
  return info;
}

sieve_status_t *bindingQuery(sieve_model_t *handle, uint64_t program, uint64_t index,
                             sieve_binding_info_t *out_info, bool input) {
  return onModel(handle, [&](Model &model) -> Status {
    if (Status s = checkStruct(out_info, "out_info"); !s)
      return s;
    Expected<const exec::Program *> p = programOf(model, program);
    if (!p)
      return p.takeStatus();
    Expected<sieve_binding_info_t> info = bindingOf(**p, input, index);
    if (!info)
      return info.takeStatus();
    writeStruct(out_info, *info);
    return Status::ok();
  });
}

/// Marks the sessions a run names as in a call, BUSY when one already is;
/// unmarks them when destroyed.
class RunSessions {
public:
  ~RunSessions() {
    for (Session *session : entered_)
      session->inCall.store(false);
  }
  /// False when the session is already in a call.
  bool enter(Session *session) {
    if (std::find(entered_.begin(), entered_.end(), session) != entered_.end())
      return true; // named twice: runProgram refuses that
    bool idle = false;
    if (!session->inCall.compare_exchange_strong(idle, true))
      return false;
    entered_.push_back(session);
    return true;
  }

private:
  std::vector<Session *> entered_;
};

} // namespace

extern "C" {

sieve_status_t *sieve_model_program(sieve_model_t *handle, uint64_t index,
                                    sieve_program_info_t *out_info, uint64_t *out_count) {
  return onModel(handle, [&](Model &model) -> Status {
    if (out_count)
      *out_count = model.compiled->programCount();
    Expected<const exec::Program *> program = programOf(model, index);
    if (!program)
      return program.takeStatus();
    if (Status s = checkStruct(out_info, "out_info"); !s)
      return s;
    const fb::EntryPoint &entry = (*program)->entry();
    sieve_program_info_t info = {};
    info.name = entry.name()->c_str();
    info.phase = entry.phase()->c_str();
    info.max_tokens = entry.max_tokens();
    info.input_count = entry.inputs()->size();
    info.output_count = entry.outputs()->size();
    writeStruct(out_info, info);
    return Status::ok();
  });
}

sieve_status_t *sieve_model_program_input(sieve_model_t *model, uint64_t program, uint64_t index,
                                          sieve_binding_info_t *out_info) {
  return bindingQuery(model, program, index, out_info, true);
}

sieve_status_t *sieve_model_program_output(sieve_model_t *model, uint64_t program, uint64_t index,
                                           sieve_binding_info_t *out_info) {
  return bindingQuery(model, program, index, out_info, false);
}

sieve_status_t *sieve_model_run(sieve_model_t *handle, uint64_t program,
                                const sieve_input_t *inputs, size_t input_count,
                                sieve_output_t *outputs, size_t output_count) {
  // BUSY has no StatusCode: the lambda reports it here and returns ok.
  std::string busy;
  sieve_allocator_t allocator = kDefaultAllocator;
  sieve_status_t *status = onModel(handle, [&](Model &model) -> Status {
    allocator = model.allocator;
    Expected<const exec::Program *> found = programOf(model, program);
    if (!found)
      return found.takeStatus();
    const exec::Program &p = **found;
    const fb::EntryPoint &entry = p.entry();
    const std::string &name = p.name();
    if (input_count != entry.inputs()->size() || (input_count && !inputs))
      return invalid(name + " takes " + std::to_string(entry.inputs()->size()) + " inputs; got " +
                     std::to_string(input_count) +
                     (input_count && !inputs ? " and inputs is NULL" : ""));
    if (output_count > entry.outputs()->size() || (output_count && !outputs))
      return invalid(name + " has " + std::to_string(entry.outputs()->size()) + " outputs; got " +
                     std::to_string(output_count) + " destinations" +
                     (output_count && !outputs ? " and outputs is NULL" : ""));

    // The buffers named, held for the call and checked to be this model's.
    std::vector<std::unique_ptr<Use<Buffer>>> held;
    auto holdBuffer = [&](sieve_buffer_t *handle, uint64_t offset, uint64_t bytes,
                          const std::string &what) -> Expected<Buffer *> {
      held.push_back(std::make_unique<Use<Buffer>>(buffers(), handleOf(handle), destroyBuffer));
      Buffer *buffer = held.back()->get();
      if (!buffer)
        return invalid(what + ": the buffer is released");
      if (buffer->model != &model)
        return invalid(what + ": the buffer belongs to another model");
      SIEVE_RETURN_IF_ERROR(checkRange(*buffer, offset, bytes, what.c_str()));
      return buffer;
    };

    hal::Device &device = model.compiled->device();
    std::vector<exec::InputArg> args(input_count);
    std::vector<std::vector<int32_t>> hostCopies(input_count); // index inputs read back
    for (size_t i = 0; i < input_count; ++i) {
      const fb::Input *declared = entry.inputs()->Get(uint32_t(i));
      const std::string what = name + " input '" + declared->name()->str() + "'";
      if (Status s = checkStruct(&inputs[i], what.c_str()); !s)
        return s;
      const sieve_input_t in = readStruct(inputs[i]);
      exec::InputArg &arg = args[i];
      if (declared->kind() == fb::InputKind::Scalar) {
        arg.scalar = in.scalar;
        continue;
      }
      if (in.rank > SIEVE_MAX_RANK)
        return invalid(what + " has rank " + std::to_string(in.rank) + ", more than " +
                       std::to_string(SIEVE_MAX_RANK));
      arg.rank = in.rank;
      std::copy(in.shape, in.shape + in.rank, arg.shape.begin());
      arg.bytes = in.bytes;
      if (in.data && in.buffer)
        return invalid(what + " sets both data and buffer");
      if (!in.buffer) {
        arg.data = in.data;
        continue;
      }
      Expected<Buffer *> buffer = holdBuffer(in.buffer, in.buffer_offset, in.bytes, what);
      if (!buffer)
        return buffer.takeStatus();
      arg.data = bufferAt(**buffer, in.buffer_offset);
      arg.onDevice = true;
      // The runtime checks token, position and slot values on the host; a
      // device the host cannot see into gives them back first.
      if (declared->element() == fb::ElementType::I32) {
        if (device.hostVisible()) {
          arg.onDevice = false;
        } else {
          hostCopies[i].resize((in.bytes + sizeof(int32_t) - 1) / sizeof(int32_t));
          std::lock_guard<std::mutex> lock(model.step);
          SIEVE_RETURN_IF_ERROR(device.read(hostCopies[i].data(), arg.data, in.bytes));
          arg.data = hostCopies[i].data();
          arg.onDevice = false;
        }
      }
    }
    std::vector<Buffer *> outputBuffers(output_count, nullptr);
    for (size_t i = 0; i < output_count; ++i) {
      const std::string what =
          name + " output '" + entry.outputs()->Get(uint32_t(i))->name()->str() + "'";
      if (Status s = checkStruct(&outputs[i], what.c_str()); !s)
        return s;
      if (outputs[i].data && outputs[i].buffer)
        return invalid(what + " sets both data and buffer");
      if (outputs[i].buffer) {
        Expected<Buffer *> buffer =
            holdBuffer(outputs[i].buffer, outputs[i].buffer_offset, 0, what);
        if (!buffer)
          return buffer.takeStatus();
        outputBuffers[i] = *buffer;
      }
    }

    std::lock_guard<std::mutex> lock(model.step);
    // The sessions the run names by slot are in a call until it is done.
    RunSessions named;
    std::vector<int64_t> slots;
    for (size_t i = 0; i < input_count; ++i) {
      const std::string inputName = entry.inputs()->Get(uint32_t(i))->name()->str();
      if (inputName == "slot") {
        slots.push_back(args[i].scalar);
      } else if (inputName == "slots" && !args[i].onDevice && args[i].data) {
        const auto *values = static_cast<const int32_t *>(args[i].data);
        for (uint64_t k = 0; k < args[i].bytes / sizeof(int32_t); ++k)
          slots.push_back(values[k]);
      }
    }
    for (int64_t slot : slots) {
      if (slot < 0 || uint64_t(slot) >= model.slotSessions.size() ||
          !model.slotSessions[size_t(slot)])
        continue; // runProgram names it
      if (!named.enter(model.slotSessions[size_t(slot)])) {
        busy = name + ": the session in slot " + std::to_string(slot) +
               " is already in a call (one call at a time per session)";
        return Status::ok();
      }
    }
    SIEVE_RETURN_IF_ERROR(model.compiled->runProgram(size_t(program), args.data(), args.size()));

    // What the sessions now hold, for chat turns that continue them.
    const bool isPrefill = name == "prefill", isDecode = name == "decode";
    if (isPrefill || isDecode) {
      const exec::InputArg &tokens = args[size_t(p.inputIndex("tokens"))];
      const auto *ids = static_cast<const int32_t *>(tokens.data);
      const int64_t n = tokens.shape[0];
      if (isPrefill)
        model.slotSessions[size_t(slots[0])]->history.insert(
            model.slotSessions[size_t(slots[0])]->history.end(), ids, ids + n);
      else
        for (int64_t k = 0; k < n; ++k)
          model.slotSessions[size_t(slots[size_t(k)])]->history.push_back(ids[k]);
    }

    std::string tooSmall;
    for (size_t i = 0; i < output_count; ++i) {
      const exec::OutputView view = p.output(i);
      sieve_output_t &out = outputs[i];
      sieve_output_t result = readStruct(out);
      result.element = sieve_element_type_t(view.element);
      result.rank = view.rank;
      std::fill(result.shape, result.shape + SIEVE_MAX_RANK, 0);
      std::copy(view.shape.begin(), view.shape.begin() + view.rank, result.shape);
      result.bytes = view.bytes;
      const std::string outName = entry.outputs()->Get(uint32_t(i))->name()->str();
      if (Buffer *buffer = outputBuffers[i]) {
        if (!checkRange(*buffer, out.buffer_offset, view.bytes, "").isOk())
          tooSmall += (tooSmall.empty() ? "" : "; ") + outName + " needs " +
                      std::to_string(view.bytes) + " bytes, the buffer holds " +
                      std::to_string(buffer->memory.bytes() - out.buffer_offset) +
                      " from its offset";
        else
          SIEVE_RETURN_IF_ERROR(
              device.write(bufferAt(*buffer, out.buffer_offset), view.data, view.bytes));
      } else if (out.data) {
        if (view.bytes > out.capacity)
          tooSmall += (tooSmall.empty() ? "" : "; ") + outName + " needs " +
                      std::to_string(view.bytes) + " bytes, the destination holds " +
                      std::to_string(out.capacity);
        else
          std::memcpy(out.data, view.data, view.bytes);
      }
      writeStruct(&out, result);
    }
    if (!tooSmall.empty())
      return outOfRange(name + " ran (its sessions advanced) but " + tooSmall);
    return Status::ok();
  });
  if (!status && !busy.empty())
    return makeStatus(allocator, SIEVE_STATUS_BUSY, busy);
  return status;
}

} // extern "C"
