//===- hip_host_test.cpp - The C API on a GPU of its own memory -----------===//
//
// The C API's device paths on a device the host cannot see into, without an
// AMD GPU: tiny-v4 compiled for gfx942 and loaded on the stand-in HIP
// runtime of test/unit/hal (its memory is host memory reached only through
// its copies; launches are recorded, no kernel runs). The device list shows
// it, buffers round-trip through the runtime's copies, a run takes its token
// ids from a buffer (read back for the checks) and writes an output into
// one, and releasing everything frees every allocation. Numbers are not
// checked: nothing computes them here.
//
//===----------------------------------------------------------------------===//

#include "capi_test_support.h"
#include "test_paths.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace sieve {
namespace {

class CapiOnHip : public ::testing::Test {
protected:
  // Before anything in this process looks for a HIP runtime.
  static void SetUpTestSuite() {
    ::setenv("SIEVE_HIP_RUNTIME", sieve::test_paths::fakeHipRuntime(), 1);
  }
};

int liveAllocations() {
  void *library = ::dlopen(sieve::test_paths::fakeHipRuntime(), RTLD_NOW | RTLD_NOLOAD);
  if (!library)
    return -1;
  auto count = reinterpret_cast<int (*)()>(::dlsym(library, "sieveTestHipLiveAllocations"));
  int live = count ? count() : -1;
  ::dlclose(library);
  return live;
}

TEST_F(CapiOnHip, TheDeviceIsListedAndRunsAModuleThroughBuffers) {
  // The list: the CPU, then the stand-in GPU.
  uint64_t count = 0;
  sieve_device_info_t device;
  sieve_device_info_init(&device);
  EXPECT_SIEVE_OK(sieve_device_query(0, &device, &count));
  bool listed = false;
  for (uint64_t i = 0; i < count; ++i) {
    EXPECT_SIEVE_OK(sieve_device_query(i, &device, nullptr));
    if (std::string(device.name) == "hip:0") {
      listed = device.available == 1;
      EXPECT_NE(std::string(device.description).find("gfx942"), std::string::npos)
          << device.description;
    }
  }
  EXPECT_TRUE(listed);

  const Compiled &amd = compiledModel("tiny-v4", 128, "--target=amd:gfx942");
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  options.module_path = amd.module.c_str();
  options.weights_path = amd.checkpoint.c_str();
  sieve_model_t *model = nullptr;
  EXPECT_SIEVE_OK(sieve_model_load(&options, &model));
  ASSERT_NE(model, nullptr);
  const sieve_model_info_t info = infoOf(model);
  EXPECT_EQ(std::string(info.device).rfind("hip:0", 0), 0u) << info.device;

  // A buffer round-trips through the runtime's copies.
  sieve_buffer_t *ids = nullptr;
  EXPECT_SIEVE_OK(sieve_buffer_create(model, 64, &ids));
  const std::vector<int32_t> prompt = {0, 15, 7};
  EXPECT_SIEVE_OK(sieve_buffer_write(ids, 8, prompt.data(), prompt.size() * sizeof(int32_t)));
  std::vector<int32_t> back(prompt.size());
  EXPECT_SIEVE_OK(sieve_buffer_read(ids, 8, back.data(), back.size() * sizeof(int32_t)));
  EXPECT_EQ(back, prompt);

  // prefill with its token ids in the buffer, logits into another buffer,
  // the hidden states to host memory.
  sieve_session_t *session = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &session));
  int64_t slot = -1;
  EXPECT_SIEVE_OK(sieve_session_slot(session, &slot));
  sieve_input_t inputs[3];
  for (sieve_input_t &input : inputs)
    sieve_input_init(&input);
  inputs[0].buffer = ids;
  inputs[0].buffer_offset = 8;
  inputs[0].bytes = prompt.size() * sizeof(int32_t);
  inputs[0].rank = 1;
  inputs[0].shape[0] = int64_t(prompt.size());
  inputs[2].scalar = slot;
  sieve_buffer_t *logits = nullptr;
  EXPECT_SIEVE_OK(sieve_buffer_create(model, size_t(info.vocab_size) * sizeof(float), &logits));
  sieve_output_t outputs[2];
  sieve_output_init(&outputs[0]);
  outputs[0].buffer = logits;
  sieve_output_init(&outputs[1]);
  std::vector<uint8_t> hidden(1 << 20);
  outputs[1].data = hidden.data();
  outputs[1].capacity = hidden.size();
  EXPECT_SIEVE_OK(sieve_model_run(model, 0, inputs, 3, outputs, 2));
  EXPECT_EQ(outputs[0].bytes, size_t(info.vocab_size) * sizeof(float));
  EXPECT_EQ(outputs[1].element, SIEVE_ELEMENT_BF16);
  EXPECT_EQ(outputs[1].shape[1], int64_t(prompt.size()));
  int64_t position = 0;
  EXPECT_SIEVE_OK(sieve_session_position(session, &position));
  EXPECT_EQ(position, int64_t(prompt.size()));
  // Token ids read back from the device are checked like host ones.
  const int32_t outside = 1 << 30;
  EXPECT_SIEVE_OK(sieve_buffer_write(ids, 8, &outside, sizeof(outside)));
  inputs[0].bytes = sizeof(int32_t);
  inputs[0].shape[0] = 1;
  inputs[1].scalar = position;
  EXPECT_SIEVE_CODE(sieve_model_run(model, 0, inputs, 3, nullptr, 0),
                    SIEVE_STATUS_INVALID_ARGUMENT);

  sieve_session_release(session);
  sieve_buffer_release(ids);
  sieve_model_release(model);
  EXPECT_GT(liveAllocations(), 0); // the logits buffer keeps the model
  sieve_buffer_release(logits);
  EXPECT_EQ(liveAllocations(), 0);
}

} // namespace
} // namespace sieve
