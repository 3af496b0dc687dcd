//===- programs_test.cpp - The C API's devices, buffers and programs ------===//
//
// The level below sessions (API 0.4) on tiny-v4: the devices listed, the
// module's programs and their bindings described, runs with the caller's own
// inputs giving what the session calls give, buffers carrying one run's
// hidden states into the next, and every run whose inputs would leave the
// caches inconsistent refused before it touches them.
//
//===----------------------------------------------------------------------===//

#include "capi_test_support.h"

#include <cstring>
#include <string>
#include <vector>

namespace sieve {
namespace {

sieve_input_t vectorInput(const std::vector<int32_t> &values) {
  sieve_input_t input;
  sieve_input_init(&input);
  input.data = values.data();
  input.bytes = values.size() * sizeof(int32_t);
  input.rank = 1;
  input.shape[0] = int64_t(values.size());
  return input;
}

sieve_input_t scalarInput(int64_t value) {
  sieve_input_t input;
  sieve_input_init(&input);
  input.scalar = value;
  return input;
}

sieve_output_t hostOutput(std::vector<uint8_t> &into) {
  sieve_output_t output;
  sieve_output_init(&output);
  output.data = into.data();
  output.capacity = into.size();
  return output;
}

sieve_output_t bufferOutput(sieve_buffer_t *buffer) {
  sieve_output_t output;
  sieve_output_init(&output);
  output.buffer = buffer;
  return output;
}

sieve_output_t noOutput() {
  sieve_output_t output;
  sieve_output_init(&output);
  return output;
}

/// The index of program `name` (-1 when the model has none).
int64_t programIndex(sieve_model_t *model, const char *name) {
  uint64_t count = 0;
  sieve_status_t *counted = sieve_model_program(model, ~uint64_t(0), nullptr, &count);
  sieve_status_free(counted);
  for (uint64_t i = 0; i < count; ++i) {
    sieve_program_info_t info;
    sieve_program_info_init(&info);
    EXPECT_SIEVE_OK(sieve_model_program(model, i, &info, nullptr));
    if (std::strcmp(info.name, name) == 0)
      return int64_t(i);
  }
  return -1;
}

/// Output `index` of program `program`.
sieve_binding_info_t outputInfo(sieve_model_t *model, int64_t program, uint64_t index) {
  sieve_binding_info_t info;
  sieve_binding_info_init(&info);
  EXPECT_SIEVE_OK(sieve_model_program_output(model, uint64_t(program), index, &info));
  return info;
}

int64_t slotOf(sieve_session_t *session) {
  int64_t slot = -1;
  EXPECT_SIEVE_OK(sieve_session_slot(session, &slot));
  return slot;
}

int64_t positionOf(sieve_session_t *session) {
  int64_t position = -1;
  EXPECT_SIEVE_OK(sieve_session_position(session, &position));
  return position;
}

std::vector<float> asFloats(const std::vector<uint8_t> &bytes, uint64_t used) {
  std::vector<float> values(used / sizeof(float));
  std::memcpy(values.data(), bytes.data(), used);
  return values;
}

TEST(RuntimeApiPrograms, DevicesListTheCpuFirst) {
  uint64_t count = 0;
  sieve_device_info_t info;
  sieve_device_info_init(&info);
  EXPECT_SIEVE_OK(sieve_device_query(0, &info, &count));
  ASSERT_GE(count, 1u);
  EXPECT_STREQ(info.name, "cpu");
  EXPECT_EQ(info.available, 1);
  EXPECT_NE(std::string(info.description).find("cpu"), std::string::npos) << info.description;
  for (uint64_t i = 1; i < count; ++i) {
    EXPECT_SIEVE_OK(sieve_device_query(i, &info, nullptr));
    const std::string name = info.name;
    EXPECT_TRUE(name.rfind("cuda", 0) == 0 || name.rfind("hip", 0) == 0) << name;
    // An unavailable kind says why.
    EXPECT_FALSE(std::string(info.description).empty()) << name;
  }
  uint64_t again = 0;
  EXPECT_SIEVE_CODE(sieve_device_query(count, nullptr, &again), SIEVE_STATUS_OUT_OF_RANGE);
  EXPECT_EQ(again, count);
  EXPECT_SIEVE_CODE(sieve_device_query(0, nullptr, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
}

TEST(RuntimeApiPrograms, ProgramsDescribeTheirBindings) {
  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  const sieve_model_info_t model_info = infoOf(model);
  uint64_t count = 0;
  sieve_program_info_t info;
  sieve_program_info_init(&info);
  EXPECT_SIEVE_OK(sieve_model_program(model, 0, &info, &count));
  ASSERT_EQ(count, 4u); // tiny-v4 has an MTP layer
  const char *names[] = {"prefill", "decode", "mtp", "mtp_decode"};
  const char *phases[] = {"prefill", "decode", "prefill", "decode"};
  for (uint64_t i = 0; i < count; ++i) {
    EXPECT_SIEVE_OK(sieve_model_program(model, i, &info, nullptr));
    EXPECT_STREQ(info.name, names[i]);
    EXPECT_STREQ(info.phase, phases[i]);
    EXPECT_GT(info.max_tokens, 0);
  }

  // decode(tokens, positions, slots) -> logits, hidden.
  const int64_t decode = programIndex(model, "decode");
  EXPECT_SIEVE_OK(sieve_model_program(model, uint64_t(decode), &info, nullptr));
  ASSERT_EQ(info.input_count, 3u);
  const char *inputs[] = {"tokens", "positions", "slots"};
  for (uint64_t i = 0; i < 3; ++i) {
    sieve_binding_info_t input;
    sieve_binding_info_init(&input);
    EXPECT_SIEVE_OK(sieve_model_program_input(model, uint64_t(decode), i, &input));
    EXPECT_STREQ(input.name, inputs[i]);
    EXPECT_EQ(input.is_scalar, 0);
    EXPECT_EQ(input.element, SIEVE_ELEMENT_I32);
    EXPECT_EQ(input.rank, 1u);
    EXPECT_EQ(input.shape[0], -1); // the caller chooses the batch
  }
  const sieve_binding_info_t logits = outputInfo(model, decode, 0);
  EXPECT_STREQ(logits.name, "logits");
  EXPECT_EQ(logits.element, SIEVE_ELEMENT_F32);
  EXPECT_EQ(logits.shape[logits.rank - 1], model_info.vocab_size);
  EXPECT_GE(logits.max_bytes, uint64_t(model_info.max_sessions * model_info.vocab_size) * 4);
  const sieve_binding_info_t hidden = outputInfo(model, decode, 1);
  EXPECT_STREQ(hidden.name, "hidden");
  EXPECT_EQ(hidden.element, SIEVE_ELEMENT_BF16);

  // prefill(tokens, start_pos, slot): the last two are index values.
  const int64_t prefill = programIndex(model, "prefill");
  sieve_binding_info_t slot;
  sieve_binding_info_init(&slot);
  EXPECT_SIEVE_OK(sieve_model_program_input(model, uint64_t(prefill), 2, &slot));
  EXPECT_STREQ(slot.name, "slot");
  EXPECT_EQ(slot.is_scalar, 1);

  EXPECT_SIEVE_CODE(sieve_model_program(model, count, &info, nullptr), SIEVE_STATUS_OUT_OF_RANGE);
  EXPECT_SIEVE_CODE(sieve_model_program_input(model, uint64_t(decode), 3, &slot),
                    SIEVE_STATUS_OUT_OF_RANGE);
  EXPECT_SIEVE_CODE(sieve_model_program_output(model, uint64_t(decode), 2, &slot),
                    SIEVE_STATUS_OUT_OF_RANGE);
  EXPECT_SIEVE_CODE(sieve_model_program_input(model, count, 0, &slot), SIEVE_STATUS_OUT_OF_RANGE);
  EXPECT_SIEVE_CODE(sieve_model_program_input(model, 0, 0, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
  // Structs too small for any version.
  sieve_program_info_t small;
  sieve_program_info_init(&small);
  small.struct_size = 8;
  EXPECT_SIEVE_CODE(sieve_model_program(model, 0, &small, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_binding_info_t smallBinding;
  sieve_binding_info_init(&smallBinding);
  smallBinding.struct_size = 8;
  EXPECT_SIEVE_CODE(sieve_model_program_output(model, 0, 0, &smallBinding),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_device_info_t smallDevice;
  sieve_device_info_init(&smallDevice);
  smallDevice.struct_size = 4;
  EXPECT_SIEVE_CODE(sieve_device_query(0, &smallDevice, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
  // A larger one with the unknown bytes zero is read.
  struct Larger {
    sieve_program_info_t known;
    uint64_t future;
  } larger = {};
  sieve_program_info_init(&larger.known);
  larger.known.struct_size = sizeof(larger);
  EXPECT_SIEVE_OK(sieve_model_program(model, 0, &larger.known, nullptr));
  EXPECT_STREQ(larger.known.name, "prefill");
  sieve_model_release(model);
}

/// Two sessions of `model` fed `prompts` through the session calls, then
/// one batched decode step of `next`; the step's logits rows.
std::vector<float> sessionCalls(sieve_model_t *model, const std::vector<int32_t> (&prompts)[2],
                                const int32_t (&next)[2], std::vector<float> &prefillLogits) {
  const size_t vocab = size_t(infoOf(model).vocab_size);
  sieve_session_t *sessions[2] = {};
  for (int i = 0; i < 2; ++i) {
    EXPECT_SIEVE_OK(sieve_session_create(model, &sessions[i]));
    const float *logits = nullptr;
    EXPECT_SIEVE_OK(
        sieve_session_forward(sessions[i], prompts[i].data(), prompts[i].size(), &logits));
    if (i == 0 && logits)
      prefillLogits.assign(logits, logits + vocab);
  }
  std::vector<float> rows(2 * vocab);
  EXPECT_SIEVE_OK(sieve_model_decode(model, sessions, next, 2, rows.data(), rows.size()));
  for (sieve_session_t *session : sessions)
    sieve_session_release(session);
  return rows;
}

TEST(RuntimeApiPrograms, RunsGiveWhatTheSessionCallsGive) {
  const std::vector<int32_t> prompts[2] = {{0, 15, 7, 22}, {0, 42, 8}};
  const int32_t next[2] = {9, 11};
  sieve_model_t *expected = loadTiny();
  ASSERT_NE(expected, nullptr);
  std::vector<float> expectedPrefill;
  const std::vector<float> expectedRows = sessionCalls(expected, prompts, next, expectedPrefill);
  sieve_model_release(expected);

  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  const size_t vocab = size_t(infoOf(model).vocab_size);
  const int64_t prefill = programIndex(model, "prefill"), decode = programIndex(model, "decode");
  sieve_session_t *sessions[2] = {};
  std::vector<int32_t> slots(2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_SIEVE_OK(sieve_session_create(model, &sessions[i]));
    slots[size_t(i)] = int32_t(slotOf(sessions[i]));
  }

  // Each prompt through the prefill program, its logits to host memory.
  std::vector<uint8_t> logits(outputInfo(model, prefill, 0).max_bytes);
  for (int i = 0; i < 2; ++i) {
    const sieve_input_t inputs[] = {vectorInput(prompts[i]), scalarInput(0),
                                    scalarInput(slots[size_t(i)])};
    sieve_output_t out = hostOutput(logits);
    EXPECT_SIEVE_OK(sieve_model_run(model, uint64_t(prefill), inputs, 3, &out, 1));
    EXPECT_EQ(out.element, SIEVE_ELEMENT_F32);
    EXPECT_EQ(out.bytes, vocab * sizeof(float));
    EXPECT_EQ(out.shape[out.rank - 1], int64_t(vocab));
    if (i == 0) {
      EXPECT_EQ(asFloats(logits, out.bytes), expectedPrefill);
    }
    EXPECT_EQ(positionOf(sessions[i]), int64_t(prompts[i].size()));
  }

  // One decode step for both, its logits into a buffer.
  sieve_buffer_t *rows = nullptr;
  EXPECT_SIEVE_OK(sieve_buffer_create(model, 2 * vocab * sizeof(float), &rows));
  const std::vector<int32_t> tokens(next, next + 2);
  const std::vector<int32_t> positions = {int32_t(prompts[0].size()), int32_t(prompts[1].size())};
  const sieve_input_t inputs[] = {vectorInput(tokens), vectorInput(positions), vectorInput(slots)};
  sieve_output_t out = bufferOutput(rows);
  EXPECT_SIEVE_OK(sieve_model_run(model, uint64_t(decode), inputs, 3, &out, 1));
  EXPECT_EQ(out.bytes, 2 * vocab * sizeof(float));
  std::vector<float> got(2 * vocab);
  EXPECT_SIEVE_OK(sieve_buffer_read(rows, 0, got.data(), out.bytes));
  EXPECT_EQ(got, expectedRows);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(positionOf(sessions[i]), int64_t(prompts[i].size()) + 1);

  // The session calls go on from where the runs left the sessions.
  const float *sessionLogits = nullptr;
  const int32_t after = 5;
  EXPECT_SIEVE_OK(sieve_session_forward(sessions[0], &after, 1, &sessionLogits));
  EXPECT_EQ(positionOf(sessions[0]), int64_t(prompts[0].size()) + 2);

  sieve_buffer_release(rows);
  for (sieve_session_t *session : sessions)
    sieve_session_release(session);
  sieve_model_release(model);
}

/// Runs decode for one session of a fresh model and then MTP on the hidden
/// states it left, those coming from a buffer or from host memory; the MTP
/// logits.
std::vector<float> mtpAfterDecode(bool hiddenInABuffer) {
  sieve_model_t *model = loadTiny();
  EXPECT_NE(model, nullptr);
  if (!model)
    return {};
  const int64_t prefill = programIndex(model, "prefill"), decode = programIndex(model, "decode");
  const int64_t mtp = programIndex(model, "mtp");
  sieve_session_t *session = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &session));
  const int32_t slot = int32_t(slotOf(session));
  const std::vector<int32_t> prompt = {0, 15, 7}, token = {9}, slots = {slot};
  const sieve_input_t prefillInputs[] = {vectorInput(prompt), scalarInput(0), scalarInput(slot)};
  EXPECT_SIEVE_OK(sieve_model_run(model, uint64_t(prefill), prefillInputs, 3, nullptr, 0));

  const sieve_binding_info_t hiddenInfo = outputInfo(model, decode, 1);
  sieve_buffer_t *hidden = nullptr;
  EXPECT_SIEVE_OK(sieve_buffer_create(model, hiddenInfo.max_bytes, &hidden));
  std::vector<uint8_t> hiddenHost(hiddenInfo.max_bytes);
  const std::vector<int32_t> positions = {int32_t(prompt.size())};
  const sieve_input_t decodeInputs[] = {vectorInput(token), vectorInput(positions),
                                        vectorInput(slots)};
  sieve_output_t decodeOutputs[] = {noOutput(), hiddenInABuffer ? bufferOutput(hidden)
                                                                : hostOutput(hiddenHost)};
  EXPECT_SIEVE_OK(sieve_model_run(model, uint64_t(decode), decodeInputs, 3, decodeOutputs, 2));
  const sieve_output_t &h = decodeOutputs[1];
  EXPECT_EQ(h.element, SIEVE_ELEMENT_BF16);
  EXPECT_EQ(h.rank, 4u);

  // MTP's prefill form: hidden as [1, tokens, hc, dim].
  sieve_input_t hiddenInput;
  sieve_input_init(&hiddenInput);
  hiddenInput.bytes = h.bytes;
  hiddenInput.rank = 4;
  const int64_t shape[] = {1, 1, h.shape[2], h.shape[3]};
  std::copy(shape, shape + 4, hiddenInput.shape);
  if (hiddenInABuffer)
    hiddenInput.buffer = hidden;
  else
    hiddenInput.data = hiddenHost.data();
  const std::vector<int32_t> nextTokens = {3};
  const sieve_input_t mtpInputs[] = {hiddenInput, vectorInput(nextTokens), scalarInput(0),
                                     scalarInput(slot)};
  std::vector<uint8_t> logits(outputInfo(model, mtp, 0).max_bytes);
  sieve_output_t out = hostOutput(logits);
  EXPECT_SIEVE_OK(sieve_model_run(model, uint64_t(mtp), mtpInputs, 4, &out, 1));
  // MTP advanced the session's MTP cache, not its main one.
  EXPECT_EQ(positionOf(session), int64_t(prompt.size()) + 1);
  EXPECT_SIEVE_CODE(sieve_model_run(model, uint64_t(mtp), mtpInputs, 4, nullptr, 0),
                    SIEVE_STATUS_INVALID_ARGUMENT); // start_pos 0 again: it stands at 1
  sieve_buffer_release(hidden);
  sieve_session_release(session);
  sieve_model_release(model);
  return asFloats(logits, out.bytes);
}

TEST(RuntimeApiPrograms, BuffersCarryHiddenStatesIntoMtp) {
  const std::vector<float> fromBuffer = mtpAfterDecode(true);
  const std::vector<float> fromHost = mtpAfterDecode(false);
  ASSERT_FALSE(fromBuffer.empty());
  EXPECT_EQ(fromBuffer.size(), size_t(tiny().config.vocabSize));
  EXPECT_EQ(fromBuffer, fromHost);
}

TEST(RuntimeApiPrograms, BuffersHoldWhatIsWritten) {
  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  sieve_buffer_t *buffer = nullptr;
  EXPECT_SIEVE_CODE(sieve_buffer_create(model, 0, &buffer), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_buffer_create(model, 16, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_OK(sieve_buffer_create(model, 16, &buffer));
  uint64_t size = 0;
  EXPECT_SIEVE_OK(sieve_buffer_size(buffer, &size));
  EXPECT_EQ(size, 16u);
  uint8_t zeros[16] = {1}, bytes[4] = {1, 2, 3, 4}, back[4] = {};
  EXPECT_SIEVE_OK(sieve_buffer_read(buffer, 0, zeros, 16));
  EXPECT_EQ(std::vector<uint8_t>(zeros, zeros + 16), std::vector<uint8_t>(16, 0));
  EXPECT_SIEVE_OK(sieve_buffer_write(buffer, 12, bytes, 4));
  EXPECT_SIEVE_CODE(sieve_buffer_write(buffer, 13, bytes, 4), SIEVE_STATUS_OUT_OF_RANGE);
  EXPECT_SIEVE_CODE(sieve_buffer_read(buffer, ~uint64_t(0), back, 4), SIEVE_STATUS_OUT_OF_RANGE);
  EXPECT_SIEVE_CODE(sieve_buffer_write(buffer, 0, nullptr, 4), SIEVE_STATUS_INVALID_ARGUMENT);
  // The buffer keeps its model alive.
  sieve_model_release(model);
  EXPECT_SIEVE_OK(sieve_buffer_read(buffer, 12, back, 4));
  EXPECT_EQ(std::vector<uint8_t>(back, back + 4), std::vector<uint8_t>(bytes, bytes + 4));
  sieve_buffer_release(buffer);
  EXPECT_SIEVE_CODE(sieve_buffer_size(buffer, &size), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_buffer_read(nullptr, 0, back, 4), SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_buffer_release(buffer);
  sieve_buffer_retain(buffer);
}

struct Reentry {
  sieve_model_t *model;
  int64_t decode;
  std::vector<int32_t> tokens, positions, slots;
  sieve_status_code_t code = SIEVE_STATUS_OK;
};

// From inside a session's own callback: a run naming that session.
int runOnOwnSession(void *userData, int32_t, const char *, size_t) {
  auto *reentry = static_cast<Reentry *>(userData);
  const sieve_input_t inputs[] = {vectorInput(reentry->tokens), vectorInput(reentry->positions),
                                  vectorInput(reentry->slots)};
  sieve_status_t *status =
      sieve_model_run(reentry->model, uint64_t(reentry->decode), inputs, 3, nullptr, 0);
  reentry->code = sieve_status_code(status);
  sieve_status_free(status);
  return 1;
}

TEST(RuntimeApiPrograms, RunsThatWouldCorruptACacheAreRefused) {
  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  const int64_t prefill = programIndex(model, "prefill"), decode = programIndex(model, "decode");
  sieve_session_t *a = nullptr, *b = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &a));
  EXPECT_SIEVE_OK(sieve_session_create(model, &b));
  const int32_t slotA = int32_t(slotOf(a)), slotB = int32_t(slotOf(b));
  const std::vector<int32_t> prompt = {0, 15, 7};
  auto run = [&](int64_t program, const std::vector<sieve_input_t> &inputs) {
    return sieve_model_run(model, uint64_t(program), inputs.data(), inputs.size(), nullptr, 0);
  };

  // Positions: a fresh session stands at 0.
  {
    Result wrong(run(prefill, {vectorInput(prompt), scalarInput(1), scalarInput(slotA)}));
    EXPECT_EQ(wrong.code(), SIEVE_STATUS_INVALID_ARGUMENT);
    EXPECT_NE(wrong.message().find("stands at 0"), std::string::npos) << wrong.message();
  }
  EXPECT_EQ(positionOf(a), 0);
  // Slots: one without a session, one out of range.
  sieve_session_release(b);
  EXPECT_SIEVE_CODE(run(prefill, {vectorInput(prompt), scalarInput(0), scalarInput(slotB)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(run(prefill, {vectorInput(prompt), scalarInput(0), scalarInput(-1)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_OK(sieve_session_create(model, &b));
  // Tokens outside the vocabulary, none, and too many.
  EXPECT_SIEVE_CODE(run(prefill, {vectorInput({0, 1 << 30}), scalarInput(0), scalarInput(slotA)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(run(prefill, {vectorInput({}), scalarInput(0), scalarInput(slotA)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(
      run(prefill, {vectorInput(std::vector<int32_t>(129, 3)), scalarInput(0), scalarInput(slotA)}),
      SIEVE_STATUS_INVALID_ARGUMENT);
  // Inputs: too few, NULL, a struct of unknown size, data and buffer both.
  EXPECT_SIEVE_CODE(run(prefill, {vectorInput(prompt), scalarInput(0)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_model_run(model, uint64_t(prefill), nullptr, 3, nullptr, 0),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_input_t unsized = vectorInput(prompt);
  unsized.struct_size = 0;
  EXPECT_SIEVE_CODE(run(prefill, {unsized, scalarInput(0), scalarInput(slotA)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_buffer_t *buffer = nullptr;
  EXPECT_SIEVE_OK(sieve_buffer_create(model, 64, &buffer));
  sieve_input_t both = vectorInput(prompt);
  both.buffer = buffer;
  EXPECT_SIEVE_CODE(run(prefill, {both, scalarInput(0), scalarInput(slotA)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  // Tokens from a buffer: past its end, then within it.
  sieve_input_t fromBuffer = vectorInput(prompt);
  fromBuffer.data = nullptr;
  fromBuffer.buffer = buffer;
  fromBuffer.buffer_offset = 56;
  EXPECT_SIEVE_CODE(run(prefill, {fromBuffer, scalarInput(0), scalarInput(slotA)}),
                    SIEVE_STATUS_OUT_OF_RANGE);
  fromBuffer.buffer_offset = 4;
  EXPECT_SIEVE_OK(sieve_buffer_write(buffer, 4, prompt.data(), prompt.size() * sizeof(int32_t)));
  EXPECT_SIEVE_OK(run(prefill, {fromBuffer, scalarInput(0), scalarInput(slotA)}));
  EXPECT_EQ(positionOf(a), 3);
  // Outputs: more destinations than outputs; one too small (the run
  // happened all the same).
  const std::vector<int32_t> token = {9}, at = {3}, slots = {slotA};
  const sieve_input_t step[] = {vectorInput(token), vectorInput(at), vectorInput(slots)};
  sieve_output_t unsizedOutput = noOutput();
  unsizedOutput.struct_size = 0;
  EXPECT_SIEVE_CODE(sieve_model_run(model, uint64_t(decode), step, 3, &unsizedOutput, 1),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(positionOf(a), 3);
  sieve_output_t three[] = {noOutput(), noOutput(), noOutput()};
  EXPECT_SIEVE_CODE(sieve_model_run(model, uint64_t(decode), step, 3, three, 3),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  std::vector<uint8_t> small(16);
  sieve_output_t tooSmall = hostOutput(small);
  {
    Result ran(sieve_model_run(model, uint64_t(decode), step, 3, &tooSmall, 1));
    EXPECT_EQ(ran.code(), SIEVE_STATUS_OUT_OF_RANGE);
    EXPECT_NE(ran.message().find("logits needs"), std::string::npos) << ran.message();
  }
  EXPECT_EQ(tooSmall.bytes, size_t(infoOf(model).vocab_size) * sizeof(float));
  EXPECT_EQ(positionOf(a), 4);
  // Decode batches: a slot twice, vectors of different lengths.
  const std::vector<int32_t> two = {9, 9}, twice = {slotA, slotA}, fours = {4, 4};
  EXPECT_SIEVE_CODE(run(decode, {vectorInput(two), vectorInput(fours), vectorInput(twice)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(run(decode, {vectorInput(two), vectorInput({4}), vectorInput(twice)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(positionOf(a), 4);
  // A buffer of another model, and a released one.
  sieve_model_t *other = loadTiny();
  ASSERT_NE(other, nullptr);
  sieve_buffer_t *foreign = nullptr;
  EXPECT_SIEVE_OK(sieve_buffer_create(other, 64, &foreign));
  sieve_model_release(other);
  fromBuffer.buffer = foreign;
  EXPECT_SIEVE_CODE(run(prefill, {fromBuffer, scalarInput(4), scalarInput(slotA)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_buffer_release(foreign);
  EXPECT_SIEVE_CODE(run(prefill, {fromBuffer, scalarInput(4), scalarInput(slotA)}),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(positionOf(a), 4);

  // A session in a call of its own is BUSY to a run.
  Reentry reentry{model, decode, {9}, {0}, {slotB}};
  sieve_generate_options_t options;
  sieve_generate_options_init(&options);
  options.temperature = 0;
  options.on_token = runOnOwnSession;
  options.user_data = &reentry;
  EXPECT_SIEVE_OK(sieve_session_generate(b, prompt.data(), prompt.size(), &options, nullptr));
  EXPECT_EQ(reentry.code, SIEVE_STATUS_BUSY);

  sieve_buffer_release(buffer);
  sieve_session_release(a);
  sieve_session_release(b);
  EXPECT_SIEVE_CODE(sieve_model_run(model, 0, nullptr, 0, nullptr, 0),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_model_release(model);
  EXPECT_SIEVE_CODE(sieve_model_run(model, 0, nullptr, 0, nullptr, 0),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  int64_t slot = 0;
  EXPECT_SIEVE_CODE(sieve_session_slot(a, &slot), SIEVE_STATUS_INVALID_ARGUMENT);
}

} // namespace
} // namespace sieve
