/* embed-c: a few chat turns with a DeepSeek-V4 model through the Sieve C
 * API, each reply streamed as it is generated.
 *
 *   embed-c MODEL.sieve WEIGHTS_DIR TOKENIZER.json TURN...
 *
 * Greedy decoding, at most 32 tokens per reply (SIEVE_EMBED_MAX_TOKENS).
 * Prints "> TURN", then the reply, per turn. */
#include <sieve/runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reply {
  char *text;
  size_t length, capacity;
  int64_t eos;
};

static int on_token(void *user_data, int32_t token, const char *text, size_t length) {
  struct reply *reply = user_data;
  if (token == reply->eos)
    return 0; /* the end of the turn is not text to show */
  if (reply->length + length + 1 > reply->capacity) {
    size_t capacity = 2 * (reply->length + length + 1);
    char *grown = realloc(reply->text, capacity);
    if (!grown)
      return 1; /* stop: no memory for the reply */
    reply->text = grown;
    reply->capacity = capacity;
  }
  memcpy(reply->text + reply->length, text, length);
  reply->length += length;
  reply->text[reply->length] = '\0';
  fwrite(text, 1, length, stdout);
  fflush(stdout);
  return 0;
}

/* Appends `text` to `json` as a JSON string (quotes included). */
static int append_json_string(char **json, size_t *length, const char *text, size_t count) {
  size_t need = *length + 6 * count + 3;
  char *grown = realloc(*json, need);
  if (!grown)
    return 0;
  *json = grown;
  char *out = *json + *length;
  *out++ = '"';
  for (size_t i = 0; i < count; ++i) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') {
      *out++ = '\\';
      *out++ = (char)c;
    } else if (c < 0x20) {
      out += sprintf(out, "\\u%04x", c);
    } else {
      *out++ = (char)c;
    }
  }
  *out++ = '"';
  *out = '\0';
  *length = (size_t)(out - *json);
  return 1;
}

static int append(char **json, size_t *length, const char *text) {
  size_t count = strlen(text);
  char *grown = realloc(*json, *length + count + 1);
  if (!grown)
    return 0;
  *json = grown;
  memcpy(*json + *length, text, count + 1);
  *length += count;
  return 1;
}

static int failed(sieve_status_t *status, const char *what) {
  if (!status)
    return 0;
  fprintf(stderr, "embed-c: %s: %s: %s\n", what, sieve_status_code_name(sieve_status_code(status)),
          sieve_status_message(status));
  sieve_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: embed-c MODEL.sieve WEIGHTS_DIR TOKENIZER.json TURN...\n");
    return 2;
  }
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  options.module_path = argv[1];
  options.weights_path = argv[2];
  options.tokenizer_path = argv[3];
  sieve_model_t *model = NULL;
  if (failed(sieve_model_load(&options, &model), "load"))
    return 1;
  sieve_model_info_t info;
  sieve_model_info_init(&info);
  sieve_session_t *session = NULL;
  int status = 1;
  char *conversation = NULL;
  size_t length = 0;
  struct reply reply = {NULL, 0, 0, 0};
  if (failed(sieve_model_query(model, &info), "query") ||
      failed(sieve_session_create(model, &session), "session"))
    goto done;
  fprintf(stderr, "embed-c: %s, %llu parameters, %lld tokens of context\n", info.device,
          (unsigned long long)info.parameters, (long long)info.max_seq_len);
  reply.eos = info.eos_token_id;

  sieve_generate_options_t generate;
  sieve_generate_options_init(&generate);
  generate.temperature = 0;
  generate.max_new_tokens =
      getenv("SIEVE_EMBED_MAX_TOKENS") ? atoi(getenv("SIEVE_EMBED_MAX_TOKENS")) : 32;
  generate.on_token = on_token;
  generate.user_data = &reply;
  if (!append(&conversation, &length, "["))
    goto done;
  for (int turn = 4; turn < argc; ++turn) {
    if ((turn > 4 && !append(&conversation, &length, ", ")) ||
        !append(&conversation, &length, "{\"role\": \"user\", \"content\": ") ||
        !append_json_string(&conversation, &length, argv[turn], strlen(argv[turn])) ||
        !append(&conversation, &length, "}]"))
      goto done;
    printf("> %s\n", argv[turn]);
    reply.length = 0;
    if (failed(sieve_session_chat(session, conversation, length, 0, &generate, NULL), "chat"))
      goto done;
    printf("\n");
    /* The reply joins the conversation for the next turn. */
    length -= 1; /* the closing ] */
    conversation[length] = '\0';
    if (!append(&conversation, &length, ", {\"role\": \"assistant\", \"content\": ") ||
        !append_json_string(&conversation, &length, reply.text ? reply.text : "", reply.length) ||
        !append(&conversation, &length, "}"))
      goto done;
  }
  status = 0;
done:
  free(conversation);
  free(reply.text);
  sieve_session_release(session);
  sieve_model_release(model);
  return status;
}
