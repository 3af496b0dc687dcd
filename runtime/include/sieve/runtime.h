/*===- sieve/runtime.h - The Sieve runtime's C API -----------------------===*
 *
 * Load a compiled DeepSeek-V4 module (.sieve) with its checkpoint, open
 * sessions on it and generate, from C or any language with a C FFI. Plain
 * C11; the library exports these functions and nothing else.
 *
 * Conventions (docs/c-api.md has the whole contract and the stability
 * policy):
 *  - Every function that can fail returns a sieve_status_t*: NULL is
 *    success, anything else an error the caller owns and frees with
 *    sieve_status_free(). The library never prints, aborts, exits or lets
 *    an exception out.
 *  - Options and result structs start with `struct_size`; set it with the
 *    matching *_init() function (or to sizeof). A smaller size than this
 *    header's first version is an error; a larger one (a newer header) is
 *    accepted when the bytes this library does not know are zero.
 *  - Models, sessions and buffers are opaque handles, reference counted
 *    (retain/release). A handle used after its last release is reported as
 *    an invalid argument, never dereferenced.
 *  - Thread safety is stated per function. In short: handles may be shared
 *    between threads; calls on one model are serialized one model step at a
 *    time, so several sessions may generate from several threads at once.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SIEVE_RUNTIME_H
#define SIEVE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SIEVE_API __attribute__((visibility("default")))
#else
#define SIEVE_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===--- Versions ---------------------------------------------------------===*/

/* The API this header declares: a minor version adds, a major one breaks. */
#define SIEVE_API_VERSION_MAJOR 0
#define SIEVE_API_VERSION_MINOR 4

/* The library's version, "MAJOR.MINOR.PATCH". Thread-safe. */
SIEVE_API const char *sieve_version_string(void);
/* The API version the library implements: (major << 16) | minor. A program
 * built against this header runs with a library of the same major version
 * and at least its minor version. Thread-safe. */
SIEVE_API uint32_t sieve_api_version(void);
/* The .sieve module format version the library reads. Thread-safe. */
SIEVE_API uint32_t sieve_module_format_version(void);

/*===--- Status -----------------------------------------------------------===*/

typedef enum sieve_status_code_e {
  SIEVE_STATUS_OK = 0,
  SIEVE_STATUS_INVALID_ARGUMENT = 1,    /* null, malformed or released; a corrupt file */
  SIEVE_STATUS_NOT_FOUND = 2,           /* a file that does not exist */
  SIEVE_STATUS_FAILED_PRECONDITION = 3, /* e.g. text without a tokenizer */
  SIEVE_STATUS_OUT_OF_RANGE = 4,        /* a buffer too small, a prompt past the cache */
  SIEVE_STATUS_RESOURCE_EXHAUSTED = 5,  /* every session slot taken, out of memory */
  SIEVE_STATUS_UNAVAILABLE = 6,         /* a device, driver or library kernel that is not there */
  SIEVE_STATUS_IO_ERROR = 7,            /* the system refused a read or a map */
  SIEVE_STATUS_BUSY = 8,                /* a session already in a call on another thread */
  SIEVE_STATUS_INTERNAL = 9,            /* anything else; the message says what */
} sieve_status_code_t;

typedef struct sieve_status sieve_status_t;

/* The code of `status` (SIEVE_STATUS_OK for NULL). Thread-safe. */
SIEVE_API sieve_status_code_t sieve_status_code(const sieve_status_t *status);
/* Its message, valid until sieve_status_free (empty for NULL). Thread-safe. */
SIEVE_API const char *sieve_status_message(const sieve_status_t *status);
/* Frees a status (NULL is fine). Once per status. */
SIEVE_API void sieve_status_free(sieve_status_t *status);
/* The name of a code, e.g. "INVALID_ARGUMENT". Thread-safe. */
SIEVE_API const char *sieve_status_code_name(sieve_status_code_t code);

/*===--- Allocation -------------------------------------------------------===*/

/* Where the library allocates the objects it hands out (handles, statuses).
 * All-zero: malloc and free. The model's buffers (weights, caches) are the
 * runtime's own. */
typedef struct sieve_allocator {
  void *self;
  void *(*alloc)(void *self, size_t size); /* NULL when out of memory */
  void (*free)(void *self, void *pointer);
} sieve_allocator_t;

/*===--- Models -----------------------------------------------------------===*/

typedef struct sieve_model sieve_model_t;

typedef struct sieve_model_options {
  size_t struct_size;
  /* The compiled module (sieve-compile CONFIG -o MODEL.sieve); NULL: the
   * checkpoint's config.json compiled for this CPU on first use and kept
   * in `cache_dir` (later loads reuse it). */
  const char *module_path;
  /* The checkpoint: a directory, a .safetensors file or its index. */
  const char *weights_path;
  /* tokenizer.json; NULL: no tokenizer (token ids only). */
  const char *tokenizer_path;
  /* "cpu", "cuda:N", "hip:N"; NULL: the best device the module has code for. */
  const char *device;
  /* CPU threads; 0: one per online CPU. */
  uint32_t threads;
  sieve_allocator_t allocator;
  /* Compile on first use: sieve-compile (NULL: $SIEVE_COMPILE, then beside
   * the program, then $PATH) and the cache folder (NULL: $SIEVE_CACHE_DIR,
   * then $XDG_CACHE_HOME/sieve, then ~/.cache/sieve). */
  const char *compiler_path;
  const char *cache_dir;
} sieve_model_options_t;

/* Sets struct_size and the defaults (every field zero or NULL). */
SIEVE_API void sieve_model_options_init(sieve_model_options_t *options);

/* Loads a model: verifies the module, picks its executable for the device,
 * binds the weights, allocates caches. Thread-safe. */
SIEVE_API sieve_status_t *sieve_model_load(const sieve_model_options_t *options,
                                           sieve_model_t **out_model);
/* Reference counting; a NULL or released handle is ignored. Thread-safe. */
SIEVE_API void sieve_model_retain(sieve_model_t *model);
SIEVE_API void sieve_model_release(sieve_model_t *model);

typedef struct sieve_model_info {
  size_t struct_size;
  int64_t vocab_size;
  int64_t max_seq_len; /* tokens one session holds */
  int64_t max_sessions; /* sessions open at once (the module's max_batch) */
  int64_t bos_token_id;
  int64_t eos_token_id;
  uint64_t parameters;
  uint64_t weight_bytes;
  uint64_t cache_bytes;           /* every session at max_seq_len */
  uint64_t cache_bytes_per_token; /* one session */
  int32_t has_tokenizer;
  /* Valid while the model lives. */
  const char *device;     /* e.g. "cpu: 2 threads, x86_64" */
  const char *executable; /* the module's target that runs, e.g. "cpu:host" */
  const char *module_path; /* the module loaded (a cached one when compiled on first use) */
  /* Devices tried before this one and why they were passed over, one per
   * line ("cuda:0: no CUDA driver ..."); NULL when none were. */
  const char *devices_passed_over;
  uint64_t executable_count; /* see sieve_model_executable */
  /* Since 0.4 (a 0.3 struct_size is accepted). Decode steps run so far for
   * sessions (theirs and sieve_model_decode's) and the tokens they carried:
   * steps of sessions generating at once run as one batch, so
   * decode_tokens / decode_steps is the mean batch. */
  uint64_t decode_steps;
  uint64_t decode_tokens;
} sieve_model_info_t;

SIEVE_API void sieve_model_info_init(sieve_model_info_t *info);
/* Thread-safe. */
SIEVE_API sieve_status_t *sieve_model_query(sieve_model_t *model, sieve_model_info_t *out_info);

/* One of the module's executables (index < executable_count). */
typedef struct sieve_executable_info {
  size_t struct_size;
  const char *target; /* e.g. "cpu:x86-64-v4", "nvidia:sm_90" */
  int32_t chosen;     /* the one that runs */
  /* Why the device cannot run it, or NULL when it can. Valid while the
   * model lives. */
  const char *rejected;
} sieve_executable_info_t;

SIEVE_API void sieve_executable_info_init(sieve_executable_info_t *info);
/* OUT_OF_RANGE past the last executable. Thread-safe. */
SIEVE_API sieve_status_t *sieve_model_executable(sieve_model_t *model, uint64_t index,
                                                 sieve_executable_info_t *out_info);

/* Text to token ids with the model's tokenizer (no BOS added). Writes at
 * most `capacity` ids and always sets *out_count to the number the text
 * has: OUT_OF_RANGE when that is more than capacity (ids may be NULL with
 * capacity 0 to ask). Thread-safe. */
SIEVE_API sieve_status_t *sieve_model_tokenize(sieve_model_t *model, const char *text,
                                               size_t text_length, int32_t *ids,
                                               size_t capacity, size_t *out_count);
/* Token ids to UTF-8 bytes (not NUL-terminated), with the same contract for
 * the buffer. Thread-safe. */
SIEVE_API sieve_status_t *sieve_model_detokenize(sieve_model_t *model, const int32_t *ids,
                                                 size_t count, char *text, size_t capacity,
                                                 size_t *out_length);

/*===--- Sessions ---------------------------------------------------------===*/

/* One conversation: a cache slot of the model and the tokens it holds. */
typedef struct sieve_session sieve_session_t;

/* Opens a session (RESOURCE_EXHAUSTED when max_sessions are open). The
 * session keeps its model alive. Thread-safe. */
SIEVE_API sieve_status_t *sieve_session_create(sieve_model_t *model,
                                               sieve_session_t **out_session);
/* Reference counting; a NULL or released handle is ignored. Thread-safe. */
SIEVE_API void sieve_session_retain(sieve_session_t *session);
SIEVE_API void sieve_session_release(sieve_session_t *session);
/* Forgets every token. One call at a time per session (a call on a session
 * already in one, from another thread or its own callback, returns BUSY). */
SIEVE_API sieve_status_t *sieve_session_reset(sieve_session_t *session);
/* Tokens the session's cache holds. One call at a time per session. */
SIEVE_API sieve_status_t *sieve_session_position(sieve_session_t *session,
                                                 int64_t *out_position);
/* Since 0.4. The session's cache slot (0 to max_sessions - 1), the value a
 * program's `slot` or `slots` input names it by (sieve_model_run). Fixed
 * for the session's life. Thread-safe. */
SIEVE_API sieve_status_t *sieve_session_slot(sieve_session_t *session, int64_t *out_slot);

/* Called with each generated token as soon as it is drawn, with its text
 * when the model has a tokenizer (else NULL, 0). The text is valid UTF-8:
 * a character split over two tokens comes whole with the second, bytes
 * outside any well-formed character come as U+FFFD, and a character still
 * incomplete when generation stops is not delivered; an id the tokenizer
 * does not have (a model vocabulary larger than the tokenizer's) has no
 * text. Return nonzero to stop. */
typedef int (*sieve_token_callback_t)(void *user_data, int32_t token, const char *text,
                                      size_t text_length);

typedef struct sieve_generate_options {
  size_t struct_size;
  float temperature;      /* 0: greedy; default 1 */
  int32_t top_k;          /* 0: all */
  float top_p;            /* (0, 1]; default 1 */
  uint64_t seed;          /* same seed, same tokens */
  int32_t max_new_tokens; /* default 128 */
  int32_t ignore_eos;     /* nonzero: go on past the eos token */
  sieve_token_callback_t on_token;
  void *user_data;
  /* Since 0.2; zero keeps 0.1's behaviour (a 0.1 struct_size is accepted). */
  float min_p;             /* keep tokens at least min_p times as probable as
                              the most probable, in [0, 1]; 0: all */
  float repeat_penalty;    /* > 0: the logits of tokens among the last
                              repeat_last_n are divided by it when positive,
                              multiplied when not; 0 or 1: none */
  float presence_penalty;  /* subtracted from those tokens' logits */
  float frequency_penalty; /* subtracted times each one's count */
  int32_t repeat_last_n;   /* the penalties' window over prompt and output
                              (>= 0); 0: 64 */
  /* Stop strings (stop_count non-empty NUL-terminated texts, at most 64 of
   * at most 4096 bytes; needs a tokenizer): generation ends when the text
   * contains one; it and what follows are not delivered, and text that may
   * still begin one is held back until it cannot. Held-back text is
   * delivered, when generation ends otherwise, in one last callback with
   * token -1. */
  const char *const *stop;
  size_t stop_count;
} sieve_generate_options_t;

SIEVE_API void sieve_generate_options_init(sieve_generate_options_t *options);

typedef enum sieve_stop_reason_e {
  SIEVE_STOP_MAX_NEW_TOKENS = 0,
  SIEVE_STOP_EOS = 1,
  SIEVE_STOP_MAX_SEQ_LEN = 2,
  SIEVE_STOP_CALLBACK = 3,
  SIEVE_STOP_STOP_STRING = 4, /* since 0.2 */
} sieve_stop_reason_t;

typedef struct sieve_generate_result {
  size_t struct_size;
  int64_t prompt_tokens;    /* fed to the model by this call */
  int64_t generated_tokens; /* eos included when it stopped generation */
  sieve_stop_reason_t stop_reason;
  double prefill_seconds;
  double decode_seconds;
} sieve_generate_result_t;

SIEVE_API void sieve_generate_result_init(sieve_generate_result_t *result);

/* Feeds `prompt` after what the session holds and generates. The last
 * generated token is not fed back (a next call's prompt starts with it).
 * `result` may be NULL. One call at a time per session; sessions of one
 * model may generate from different threads. */
SIEVE_API sieve_status_t *sieve_session_generate(sieve_session_t *session, const int32_t *prompt,
                                                 size_t prompt_length,
                                                 const sieve_generate_options_t *options,
                                                 sieve_generate_result_t *result);
/* The same with text (BOS first on an empty session). Needs a tokenizer. */
SIEVE_API sieve_status_t *sieve_session_generate_text(sieve_session_t *session, const char *text,
                                                      size_t text_length,
                                                      const sieve_generate_options_t *options,
                                                      sieve_generate_result_t *result);
/* A chat turn: `messages_json` is the whole conversation so far, a JSON
 * array of {"role": "system"|"user"|"assistant", "content": ...} in the
 * DeepSeek-V4 chat format; the reply is generated. What the session already
 * holds of that conversation is not run again. `thinking`: nonzero for the
 * thinking mode. Needs a tokenizer. */
SIEVE_API sieve_status_t *sieve_session_chat(sieve_session_t *session, const char *messages_json,
                                             size_t json_length, int32_t thinking,
                                             const sieve_generate_options_t *options,
                                             sieve_generate_result_t *result);
/* Runs `tokens` after what the session holds; *out_logits points at the
 * last token's vocab_size f32 logits, valid until the next call on this
 * session. One call at a time per session. */
SIEVE_API sieve_status_t *sieve_session_forward(sieve_session_t *session, const int32_t *tokens,
                                                size_t count, const float **out_logits);

/*===--- Batches ----------------------------------------------------------===*/

/* One decode step for several sessions of `model` at once (at most
 * max_sessions, each at most once): tokens[i] is fed to sessions[i], and
 * row i of `logits` (count rows of vocab_size f32, `logits_capacity` floats
 * in all) gets its logits. For callers that schedule their own batches: one
 * step reads the weights once for the whole batch. Thread-safe; each session
 * must not be in another call (BUSY). */
SIEVE_API sieve_status_t *sieve_model_decode(sieve_model_t *model,
                                             sieve_session_t *const *sessions,
                                             const int32_t *tokens, size_t count, float *logits,
                                             size_t logits_capacity);

/*===--- Devices (since 0.4) ----------------------------------------------===*/

typedef struct sieve_device_info {
  size_t struct_size;
  /* "cpu", "cuda:N", "hip:N"; for a kind of device this machine cannot
   * use, the kind alone ("cuda", "hip") with available 0. */
  const char *name;
  int32_t available;
  /* What the runtime reports of the device ("cuda:0: NVIDIA H100 (sm_90,
   * ...)"), or why the kind is not available ("no CUDA driver ..."). */
  const char *description;
} sieve_device_info_t;

SIEVE_API void sieve_device_info_init(sieve_device_info_t *info);
/* The devices of this machine: the CPU first, then each CUDA GPU, then each
 * HIP GPU, or one unavailable entry per kind with the reason. Looked for
 * once, at the first call (opening each GPU); the strings live as long as
 * the process. OUT_OF_RANGE past the last (*out_count says how many there
 * are either way; out_info may then be NULL). Thread-safe. */
SIEVE_API sieve_status_t *sieve_device_query(uint64_t index, sieve_device_info_t *out_info,
                                             uint64_t *out_count);

/*===--- Buffers (since 0.4) ----------------------------------------------===*/

/* Memory on a model's device (host memory for the CPU, the GPU's own for a
 * GPU), for program inputs and outputs that stay on the device between
 * runs: a program's hidden states fed to the next, say. */
typedef struct sieve_buffer sieve_buffer_t;

/* `bytes` (> 0) of zeroed memory on `model`'s device. The buffer keeps its
 * model alive. Thread-safe. */
SIEVE_API sieve_status_t *sieve_buffer_create(sieve_model_t *model, uint64_t bytes,
                                              sieve_buffer_t **out_buffer);
/* Reference counting; a NULL or released handle is ignored. Thread-safe. */
SIEVE_API void sieve_buffer_retain(sieve_buffer_t *buffer);
SIEVE_API void sieve_buffer_release(sieve_buffer_t *buffer);
/* Its size in bytes. Thread-safe. */
SIEVE_API sieve_status_t *sieve_buffer_size(sieve_buffer_t *buffer, uint64_t *out_bytes);
/* Copies host memory into the buffer at `offset` / the buffer's bytes from
 * `offset` out to host memory; OUT_OF_RANGE past its end. In order with the
 * model's runs. Thread-safe. */
SIEVE_API sieve_status_t *sieve_buffer_write(sieve_buffer_t *buffer, uint64_t offset,
                                             const void *data, uint64_t bytes);
SIEVE_API sieve_status_t *sieve_buffer_read(sieve_buffer_t *buffer, uint64_t offset, void *data,
                                            uint64_t bytes);

/*===--- Programs (since 0.4) ---------------------------------------------===*/

/* The module's programs (its entry points: prefill, decode, and mtp and
 * mtp_decode when the model has MTP layers), run with the caller's own
 * inputs: the level below sessions, for middleware that schedules its own
 * batches and keeps tensors on the device. docs/c-api.md says what each
 * program takes. */

typedef enum sieve_element_type_e {
  SIEVE_ELEMENT_I8 = 0,
  SIEVE_ELEMENT_I32 = 1,
  SIEVE_ELEMENT_I64 = 2,
  SIEVE_ELEMENT_BF16 = 3,
  SIEVE_ELEMENT_F16 = 4,
  SIEVE_ELEMENT_F32 = 5,
  SIEVE_ELEMENT_F8E4M3FN = 6,
  SIEVE_ELEMENT_F4E2M1FN = 7,
  SIEVE_ELEMENT_F8E8M0FNU = 8,
} sieve_element_type_t;

#define SIEVE_MAX_RANK 8

typedef struct sieve_program_info {
  size_t struct_size;
  const char *name;   /* "prefill", "decode", "mtp", "mtp_decode" */
  const char *phase;  /* "prefill" or "decode" */
  int64_t max_tokens; /* the most tokens one run takes */
  uint64_t input_count;
  uint64_t output_count;
} sieve_program_info_t;

SIEVE_API void sieve_program_info_init(sieve_program_info_t *info);
/* Program `index` of the model; OUT_OF_RANGE past the last (*out_count
 * says how many there are either way; out_info may then be NULL). Strings
 * valid while the model lives. Thread-safe. */
SIEVE_API sieve_status_t *sieve_model_program(sieve_model_t *model, uint64_t index,
                                              sieve_program_info_t *out_info, uint64_t *out_count);

typedef struct sieve_binding_info {
  size_t struct_size;
  const char *name;  /* "tokens", "positions", "slots", "logits", ... */
  int32_t is_scalar; /* an index value (sieve_input_t.scalar), not a tensor */
  sieve_element_type_t element;
  uint32_t rank;
  /* Sizes; -1 for those the caller chooses (inputs) or the run decides
   * (outputs). */
  int64_t shape[SIEVE_MAX_RANK];
  /* Outputs: the most bytes the output takes in any run (a destination this
   * large always holds it). */
  uint64_t max_bytes;
} sieve_binding_info_t;

SIEVE_API void sieve_binding_info_init(sieve_binding_info_t *info);
/* Input / output `index` of `program`; OUT_OF_RANGE past the last.
 * Thread-safe. */
SIEVE_API sieve_status_t *sieve_model_program_input(sieve_model_t *model, uint64_t program,
                                                    uint64_t index, sieve_binding_info_t *out_info);
SIEVE_API sieve_status_t *sieve_model_program_output(sieve_model_t *model, uint64_t program,
                                                     uint64_t index,
                                                     sieve_binding_info_t *out_info);

/* One input of a run. Scalars: `scalar`. Tensors: `rank` and `shape`, and
 * their `bytes` either in host memory at `data` or in `buffer` from
 * `buffer_offset` (data NULL). */
typedef struct sieve_input {
  size_t struct_size;
  int64_t scalar;
  const void *data;
  sieve_buffer_t *buffer;
  uint64_t buffer_offset;
  uint64_t bytes;
  uint32_t rank;
  int64_t shape[SIEVE_MAX_RANK];
} sieve_input_t;

SIEVE_API void sieve_input_init(sieve_input_t *input);

/* Where one output of a run goes: host memory (`data`, `capacity` bytes),
 * a buffer (from `buffer_offset`), or nowhere (both NULL). The run fills in
 * its element type, shape and size. */
typedef struct sieve_output {
  size_t struct_size;
  void *data;
  uint64_t capacity;
  sieve_buffer_t *buffer;
  uint64_t buffer_offset;
  /* Written by the run. */
  sieve_element_type_t element;
  uint32_t rank;
  int64_t shape[SIEVE_MAX_RANK];
  uint64_t bytes;
} sieve_output_t;

SIEVE_API void sieve_output_init(sieve_output_t *output);

/* Runs `program` on `inputs` (one per program input, in order) and writes
 * its first `output_count` outputs to `outputs`. The runtime checks what
 * the model's own calls would set, so the caches stay consistent: token
 * ids inside the vocabulary; each `slot`/`slots` value the slot of an open
 * session of this model (sieve_session_slot), each at most once; each
 * `start_pos`/`positions` value the position that session stands at (its
 * MTP position for mtp and mtp_decode). Those sessions then advance by the
 * tokens run, as if a session call had run them. When a destination is too
 * small the run still happened: OUT_OF_RANGE names the output and the bytes
 * it needs (max_bytes always suffices). Thread-safe; the sessions named
 * must not be in another call (BUSY). */
SIEVE_API sieve_status_t *sieve_model_run(sieve_model_t *model, uint64_t program,
                                          const sieve_input_t *inputs, size_t input_count,
                                          sieve_output_t *outputs, size_t output_count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIEVE_RUNTIME_H */
