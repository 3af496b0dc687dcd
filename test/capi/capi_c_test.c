/* A C11 program against sieve/runtime.h: versions, statuses, and bad
 * arguments refused with a status, without a model. */
#include "sieve/runtime.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

static void expect_code(sieve_status_t *status, sieve_status_code_t code, const char *what) {
  if (sieve_status_code(status) != code ||
      (code != SIEVE_STATUS_OK && strlen(sieve_status_message(status)) == 0)) {
    fprintf(stderr, "%s: got %s (%s), expected %s\n", what,
            sieve_status_code_name(sieve_status_code(status)), sieve_status_message(status),
            sieve_status_code_name(code));
    ++failures;
  }
  sieve_status_free(status);
}

int main(void) {
  sieve_model_options_t options;
  sieve_model_t *model = NULL;
  sieve_session_t *session = NULL;
  sieve_model_info_t info;
  sieve_generate_options_t generate;
  int64_t position = 0;
  sieve_device_info_t device;
  sieve_input_t input;
  sieve_output_t output;
  sieve_buffer_t *buffer = NULL;
  uint64_t count = 0;
  uint32_t version = sieve_api_version();

  if (version >> 16 != SIEVE_API_VERSION_MAJOR || (version & 0xffff) < SIEVE_API_VERSION_MINOR) {
    fprintf(stderr, "API version %u.%u, header %d.%d\n", version >> 16, version & 0xffff,
            SIEVE_API_VERSION_MAJOR, SIEVE_API_VERSION_MINOR);
    ++failures;
  }
  printf("libsieve %s, module format %u.%u\n", sieve_version_string(),
         sieve_module_format_version() >> 16, sieve_module_format_version() & 0xffff);

  sieve_model_options_init(&options);
  expect_code(sieve_model_load(&options, &model), SIEVE_STATUS_INVALID_ARGUMENT, "no paths");
  options.module_path = "/nonexistent.sieve";
  options.weights_path = "/nonexistent";
  expect_code(sieve_model_load(&options, &model), SIEVE_STATUS_NOT_FOUND, "missing module");
  options.struct_size = 4;
  expect_code(sieve_model_load(&options, &model), SIEVE_STATUS_INVALID_ARGUMENT, "struct_size");
  expect_code(sieve_model_load(NULL, &model), SIEVE_STATUS_INVALID_ARGUMENT, "NULL options");
  if (model != NULL) {
    fprintf(stderr, "a failed load set the model\n");
    ++failures;
  }

  sieve_model_info_init(&info);
  expect_code(sieve_model_query(NULL, &info), SIEVE_STATUS_INVALID_ARGUMENT, "NULL model");
  expect_code(sieve_session_create(NULL, &session), SIEVE_STATUS_INVALID_ARGUMENT, "session");
  sieve_generate_options_init(&generate);
  expect_code(sieve_session_generate(NULL, NULL, 0, &generate, NULL), SIEVE_STATUS_INVALID_ARGUMENT,
              "generate");
  expect_code(sieve_session_position(NULL, &position), SIEVE_STATUS_INVALID_ARGUMENT, "position");
  /* A handle that was never given out. */
  expect_code(sieve_model_query((sieve_model_t *)(uintptr_t)0x500000001u, &info),
              SIEVE_STATUS_INVALID_ARGUMENT, "forged handle");

  /* 0.4: devices (the CPU is always there), buffers and programs. */
  sieve_device_info_init(&device);
  expect_code(sieve_device_query(0, &device, &count), SIEVE_STATUS_OK, "device 0");
  if (count < 1 || strcmp(device.name, "cpu") != 0 || !device.available) {
    fprintf(stderr, "device 0 is not an available cpu\n");
    ++failures;
  }
  expect_code(sieve_device_query(count, &device, NULL), SIEVE_STATUS_OUT_OF_RANGE, "past devices");
  expect_code(sieve_buffer_create(NULL, 16, &buffer), SIEVE_STATUS_INVALID_ARGUMENT, "buffer");
  expect_code(sieve_buffer_read(NULL, 0, &count, sizeof(count)), SIEVE_STATUS_INVALID_ARGUMENT,
              "buffer read");
  expect_code(sieve_model_program(NULL, 0, NULL, &count), SIEVE_STATUS_INVALID_ARGUMENT,
              "program");
  sieve_input_init(&input);
  sieve_output_init(&output);
  expect_code(sieve_model_run(NULL, 0, &input, 1, &output, 1), SIEVE_STATUS_INVALID_ARGUMENT,
              "run");
  expect_code(sieve_session_slot(NULL, &position), SIEVE_STATUS_INVALID_ARGUMENT, "slot");
  sieve_buffer_release(NULL);
  sieve_model_release(NULL);
  sieve_session_release(NULL);
  sieve_status_free(NULL);

  if (failures == 0)
    printf("ok\n");
  return failures == 0 ? 0 : 1;
}
