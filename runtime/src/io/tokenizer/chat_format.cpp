//===- chat_format.cpp - DeepSeek-V4 chat prompt encoding -----------------===//
//
// A transcription of DeepSeek's encode_messages (encoding_dsv4.py): the same
// passes in the same order (merge tool results into user turns, order them
// by call, drop old reasoning, render each message), so that prompts match
// the reference byte for byte. Inputs the reference would crash on or render
// as Python reprs (null text, wrong types) are errors here instead.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/chat_format.h"

#include "python_json.h"

#include "json_util.h"

#include <algorithm>
#include <optional>

namespace sieve::io {

using detail::OrderedJson;

namespace {

const std::string kBos = "<｜begin▁of▁sentence｜>";
const std::string kEos = "<｜end▁of▁sentence｜>";
const std::string kThinkStart = "<think>";
const std::string kThinkEnd = "</think>";
const std::string kDsml = "｜DSML｜";
const std::string kUser = "<｜User｜>";
const std::string kAssistant = "<｜Assistant｜>";
const std::string kReminder = "<｜latest_reminder｜>";

const char *taskToken(const std::string &task) {
  if (task == "action")
    return "<｜action｜>";
  if (task == "query")
    return "<｜query｜>";
  if (task == "authority")
    return "<｜authority｜>";
  if (task == "domain")
    return "<｜domain｜>";
  if (task == "title")
    return "<｜title｜>";
  if (task == "read_url")
    return "<｜read_url｜>";
  return nullptr;
}

const char *const kReasoningEffortMax =
    "Reasoning Effort: Absolute maximum with no shortcuts permitted.\n"
    "You MUST be very thorough in your thinking and comprehensively decompose "
    "the problem to resolve the root cause, rigorously stress-testing your "
    "logic against all potential paths, edge cases, and adversarial "
    "scenarios.\n"
    "Explicitly write out your entire deliberation process, documenting every "
    "intermediate step, considered alternative, and rejected hypothesis to "
    "ensure absolutely no assumption is left unchecked.\n\n";

std::string renderTools(const std::vector<OrderedJson> &functions) {
  std::string out =
      "## Tools\n\n"
      "You have access to a set of tools to help answer the user's question. "
      "You can invoke tools by writing a \"<" +
      kDsml +
      "tool_calls>\" block "
      "like the following:\n\n"
      "<" +
      kDsml +
      "tool_calls>\n"
      "<" +
      kDsml +
      "invoke name=\"$TOOL_NAME\">\n"
      "<" +
      kDsml +
      "parameter name=\"$PARAMETER_NAME\" string=\"true|false\">"
      "$PARAMETER_VALUE</" +
      kDsml +
      "parameter>\n"
      "...\n"
      "</" +
      kDsml +
      "invoke>\n"
      "<" +
      kDsml +
      "invoke name=\"$TOOL_NAME2\">\n"
      "...\n"
      "</" +
      kDsml +
      "invoke>\n"
      "</" +
      kDsml +
      "tool_calls>\n\n"
      "String parameters should be specified as is and set `string=\"true\"`. "
      "For all other types (numbers, booleans, arrays, objects), pass the "
      "value in JSON format and set `string=\"false\"`.\n\n"
      "If thinking_mode is enabled (triggered by " +
      kThinkStart +
      "), you "
      "MUST output your complete reasoning inside " +
      kThinkStart + "..." + kThinkEnd +
      " BEFORE any tool calls or final response.\n\n"
      "Otherwise, output directly after " +
      kThinkEnd +
      " with tool calls or "
      "final response.\n\n"
      "### Available Tool Schemas\n\n";
  for (size_t i = 0; i < functions.size(); ++i) {
    if (i)
      out += "\n";
    detail::dumpPythonJson(functions[i], out);
  }
  out += "\n\nYou MUST strictly follow the above defined tool name and "
         "parameter schemas to invoke tool calls.\n";
  return out;
}

std::string renderResponseFormat(const OrderedJson &format) {
  return "## Response Format:\n\nYou MUST strictly adhere to the following "
         "schema to reply:\n" +
         detail::toPythonJson(format);
}

/// Python truthiness of a JSON value (the reference tests fields with `if`).
bool truthy(const OrderedJson &v) {
  switch (v.type()) {
  case OrderedJson::value_t::null:
  case OrderedJson::value_t::discarded:
    return false;
  case OrderedJson::value_t::boolean:
    return v.get<bool>();
  case OrderedJson::value_t::string:
  case OrderedJson::value_t::array:
  case OrderedJson::value_t::object:
    return !v.empty() &&
           !(v.is_string() && v.get_ref<const std::string &>().empty());
  case OrderedJson::value_t::number_float:
    return v.get<double>() != 0.0;
  default:
    return v.get<int64_t>() != 0;
  }
}

struct ToolCall {
  std::string id;
  std::string name;
  OrderedJson arguments; // a JSON string (as OpenAI sends it) or an object
  std::string path;      // for errors
};

struct Block {
  bool toolResult = false;
  std::string text; // text, or the tool result's content
  std::string toolUseId;
};

struct Message {
  std::string role;
  std::optional<std::string> content;
  std::optional<std::string> reasoning;
  std::vector<ToolCall> toolCalls;
  std::vector<OrderedJson> tools; // the "function" objects
  OrderedJson responseFormat;
  std::optional<std::string> task;
  bool woEos = false;
  std::optional<std::vector<Block>> blocks; // user turns after merging
  std::string toolCallId;
};

class ChatEncoder {
public:
  ChatEncoder(const ChatOptions &options, std::string source)
      : options_(options), source_(std::move(source)) {}

  Expected<std::string> encode(const OrderedJson &root);

private:
  Status fail(const std::string &path, const std::string &what) const {
    return invalidArgument(source_ + ": " + path + ": " + what);
  }
  Status optionalString(const OrderedJson &obj, const std::string &path,
                        const char *key, std::optional<std::string> &out) const;
  Status parseMessage(const OrderedJson &m, const std::string &path,
                      Message &out) const;
  Status renderArguments(const ToolCall &call, std::string &out) const;
  Expected<std::string> render(size_t index,
                               const std::vector<Message> &messages,
                               bool dropThinking) const;

  ChatOptions options_;
  std::string source_;
};

Status ChatEncoder::optionalString(const OrderedJson &obj,
                                   const std::string &path, const char *key,
                                   std::optional<std::string> &out) const {
  out.reset();
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null())
    return Status::ok();
  if (!it->is_string())
    return fail(path + "." + key,
                std::string("expected string, got ") + it->type_name());
  out = it->get<std::string>();
  return Status::ok();
}

Status ChatEncoder::parseMessage(const OrderedJson &m, const std::string &path,
                                 Message &out) const {
  if (!m.is_object())
    return fail(path,
                std::string("expected a message object, got ") + m.type_name());
  auto roleIt = m.find("role");
  if (roleIt == m.end() || !roleIt->is_string())
    return fail(path + ".role", "missing or not a string");
  out.role = roleIt->get<std::string>();
  static const char *const kRoles[] = {
      "system", "developer", "user", "assistant", "tool", "latest_reminder"};
  if (std::find(std::begin(kRoles), std::end(kRoles), out.role) ==
      std::end(kRoles))
    return fail(path + ".role",
                "unknown role '" + out.role +
                    "' (system, developer, user, assistant, tool, "
                    "latest_reminder)");

  auto contentIt = m.find("content");
  if (out.role == "tool" && contentIt != m.end() && contentIt->is_array()) {
    // Multi-part tool output: text parts joined by blank lines.
    std::string joined;
    for (size_t i = 0; i < contentIt->size(); ++i) {
      const OrderedJson &part = (*contentIt)[i];
      if (i)
        joined += "\n\n";
      std::string partPath = path + ".content[" + std::to_string(i) + "]";
      if (!part.is_object())
        return fail(partPath, "expected an object with \"type\"");
      auto type = part.find("type");
      std::string typeName = type != part.end() && type->is_string()
                                 ? type->get<std::string>()
                                 : "None";
      if (typeName == "text") {
        std::optional<std::string> text;
        SIEVE_RETURN_IF_ERROR(optionalString(part, partPath, "text", text));
        joined += text.value_or("");
      } else {
        joined += "[Unsupported " + typeName + "]";
      }
    }
    out.content = std::move(joined);
  } else {
    SIEVE_RETURN_IF_ERROR(optionalString(m, path, "content", out.content));
  }
  SIEVE_RETURN_IF_ERROR(
      optionalString(m, path, "reasoning_content", out.reasoning));
  std::optional<std::string> toolCallId;
  SIEVE_RETURN_IF_ERROR(optionalString(m, path, "tool_call_id", toolCallId));
  out.toolCallId = toolCallId.value_or("");

  SIEVE_RETURN_IF_ERROR(optionalString(m, path, "task", out.task));
  if (out.task && !taskToken(*out.task))
    return fail(path + ".task", "unknown task '" + *out.task +
                                    "' (action, query, authority, domain, "
                                    "title, read_url)");
  auto woEos = m.find("wo_eos");
  if (woEos != m.end())
    out.woEos = truthy(*woEos);

  auto tools = m.find("tools");
  if (tools != m.end() && !tools->is_null()) {
    if (!tools->is_array())
      return fail(path + ".tools",
                  std::string("expected array, got ") + tools->type_name());
    if (!tools->empty() && out.role != "system" && out.role != "developer")
      return fail(path + ".tools", "tools are only rendered for system and "
                                   "developer messages, not '" +
                                       out.role + "'");
    for (size_t i = 0; i < tools->size(); ++i) {
      const OrderedJson &tool = (*tools)[i];
      auto fn = tool.is_object() ? tool.find("function") : tool.end();
      if (!tool.is_object() || fn == tool.end() || !fn->is_object())
        return fail(path + ".tools[" + std::to_string(i) + "]",
                    "expected {\"type\": \"function\", \"function\": {...}}");
      out.tools.push_back(*fn);
    }
  }
  auto rf = m.find("response_format");
  if (rf != m.end())
    out.responseFormat = *rf;

  auto calls = m.find("tool_calls");
  if (calls != m.end() && !calls->is_null()) {
    if (!calls->is_array())
      return fail(path + ".tool_calls",
                  std::string("expected array, got ") + calls->type_name());
    if (!calls->empty() && out.role != "assistant")
      return fail(path + ".tool_calls", "only assistant messages make tool "
                                        "calls");
    for (size_t i = 0; i < calls->size(); ++i) {
      const OrderedJson &c = (*calls)[i];
      ToolCall call;
      call.path = path + ".tool_calls[" + std::to_string(i) + "]";
      if (!c.is_object())
        return fail(call.path, "expected an object");
      auto fn = c.find("function");
      if (fn == c.end() || !fn->is_object())
        return fail(call.path + ".function", "missing or not an object");
      std::optional<std::string> id, name;
      SIEVE_RETURN_IF_ERROR(optionalString(c, call.path, "id", id));
      if (!id)
        SIEVE_RETURN_IF_ERROR(
            optionalString(*fn, call.path + ".function", "id", id));
      SIEVE_RETURN_IF_ERROR(
          optionalString(*fn, call.path + ".function", "name", name));
      if (!name)
        return fail(call.path + ".function.name", "missing");
      auto args = fn->find("arguments");
      if (args == fn->end() || !(args->is_string() || args->is_object()))
        return fail(call.path + ".function.arguments",
                    "expected a JSON string or an object");
      call.id = id.value_or("");
      call.name = *name;
      call.arguments = *args;
      out.toolCalls.push_back(std::move(call));
    }
  }
  if (out.role == "developer" && out.content.value_or("").empty())
    return fail(path + ".content", "a developer message needs content");
  if (out.role == "latest_reminder" && !out.content)
    return fail(path + ".content", "a latest_reminder message needs content");
  return Status::ok();
}

Status ChatEncoder::renderArguments(const ToolCall &call,
                                    std::string &out) const {
  OrderedJson args;
  if (call.arguments.is_object()) {
    args = call.arguments;
  } else {
    const std::string &raw = call.arguments.get_ref<const std::string &>();
    detail::JsonParseOptions parse;
    parse.duplicateKeys = detail::DuplicateKeys::kLastWins;
    auto parsed = detail::parseOrderedJsonStrict(raw, "arguments", parse);
    if (!parsed) // not JSON: passed through as one parameter
      args = OrderedJson{{"arguments", raw}};
    else if (!(args = parsed.take()).is_object())
      return fail(call.path + ".function.arguments",
                  std::string("expected a JSON object, got ") +
                      args.type_name());
  }
  bool first = true;
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (!first)
      out += "\n";
    first = false;
    bool isString = it.value().is_string();
    out += "<" + kDsml + "parameter name=\"" + it.key() + "\" string=\"" +
           (isString ? "true" : "false") + "\">";
    if (isString)
      out += it.value().get_ref<const std::string &>();
    else
      detail::dumpPythonJson(it.value(), out);
    out += "</" + kDsml + "parameter>";
  }
  return Status::ok();
}

int lastUserIndex(const std::vector<Message> &messages) {
  for (size_t i = messages.size(); i-- > 0;)
    if (messages[i].role == "user" || messages[i].role == "developer")
      return static_cast<int>(i);
  return -1;
}

Expected<std::string> ChatEncoder::render(size_t index,
                                          const std::vector<Message> &messages,
                                          bool dropThinking) const {
  const bool thinking = options_.thinkingMode == ThinkingMode::kThinking;
  const Message &msg = messages[index];
  const int lastUser = lastUserIndex(messages);
  std::string prompt;
  if (index == 0 && thinking &&
      options_.reasoningEffort == ReasoningEffort::kMax)
    prompt += kReasoningEffortMax;

  if (msg.role == "system") {
    prompt += msg.content.value_or("");
    if (!msg.tools.empty())
      prompt += "\n\n" + renderTools(msg.tools);
    if (truthy(msg.responseFormat))
      prompt += "\n\n" + renderResponseFormat(msg.responseFormat);
  } else if (msg.role == "developer") {
    prompt += kUser + *msg.content;
    if (!msg.tools.empty())
      prompt += "\n\n" + renderTools(msg.tools);
    if (truthy(msg.responseFormat))
      prompt += "\n\n" + renderResponseFormat(msg.responseFormat);
  } else if (msg.role == "user") {
    prompt += kUser;
    if (msg.blocks && !msg.blocks->empty()) {
      for (size_t i = 0; i < msg.blocks->size(); ++i) {
        const Block &b = (*msg.blocks)[i];
        if (i)
          prompt += "\n\n";
        prompt +=
            b.toolResult ? "<tool_result>" + b.text + "</tool_result>" : b.text;
      }
    } else {
      prompt += msg.content.value_or("");
    }
  } else if (msg.role == "latest_reminder") {
    prompt += kReminder + *msg.content;
  } else if (msg.role == "assistant") {
    std::string calls;
    if (!msg.toolCalls.empty()) {
      calls = "\n\n<" + kDsml + "tool_calls>\n";
      for (size_t i = 0; i < msg.toolCalls.size(); ++i) {
        const ToolCall &call = msg.toolCalls[i];
        if (i)
          calls += "\n";
        calls += "<" + kDsml + "invoke name=\"" + call.name + "\">\n";
        SIEVE_RETURN_IF_ERROR(renderArguments(call, calls));
        calls += "\n</" + kDsml + "invoke>";
      }
      calls += "\n</" + kDsml + "tool_calls>";
    }
    // The answer to a quick-instruction task carries no thinking block.
    bool previousHasTask = index > 0 && messages[index - 1].task.has_value();
    std::string thinkingPart;
    if (thinking && !previousHasTask &&
        (!dropThinking || static_cast<int>(index) > lastUser))
      thinkingPart = msg.reasoning.value_or("") + kThinkEnd;
    prompt += thinkingPart + msg.content.value_or("") + calls;
    if (!msg.woEos)
      prompt += kEos;
  } else {
    return Status(StatusCode::kInternal,
                  "unexpected role '" + msg.role + "' after merging");
  }

  // What follows the message: nothing if the next one is a user-side turn
  // (it opens itself); otherwise the task token or the assistant opener.
  if (index + 1 < messages.size() && messages[index + 1].role != "assistant" &&
      messages[index + 1].role != "latest_reminder")
    return prompt;
  if (msg.task) {
    if (*msg.task != "action") {
      prompt += taskToken(*msg.task);
    } else {
      prompt += kAssistant;
      prompt += thinking ? kThinkStart : kThinkEnd;
      prompt += taskToken(*msg.task);
    }
  } else if (msg.role == "user" || msg.role == "developer") {
    prompt += kAssistant;
    if (thinking && (!dropThinking || static_cast<int>(index) >= lastUser))
      prompt += kThinkStart;
    else
      prompt += kThinkEnd;
  }
  return prompt;
}

Expected<std::string> ChatEncoder::encode(const OrderedJson &root) {
  const OrderedJson *list = &root;
  const OrderedJson *topTools = nullptr;
  if (root.is_object()) {
    auto it = root.find("messages");
    if (it == root.end() || !it->is_array())
      return fail("messages", "expected an array of messages (or an object "
                              "with a \"messages\" array)");
    list = &*it;
    auto tools = root.find("tools");
    if (tools != root.end() && !tools->is_null())
      topTools = &*tools;
  } else if (!root.is_array()) {
    return invalidArgument(source_ +
                           ": expected an array of messages or an "
                           "object with \"messages\", got " +
                           root.type_name());
  }

  std::vector<Message> parsed(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    std::string path = "messages[" + std::to_string(i) + "]";
    if (i == 0 && topTools) {
      // Top-level tools belong to the first message (as in the cases).
      OrderedJson first = (*list)[0];
      if (!first.is_object() || !first.contains("role") ||
          !(first["role"] == "system" || first["role"] == "developer"))
        return fail("tools", "top-level tools need a first message with "
                             "role system or developer");
      if (first.contains("tools") && !first["tools"].is_null())
        return fail("tools", "tools given both at the top level and in "
                             "messages[0]");
      first["tools"] = *topTools;
      SIEVE_RETURN_IF_ERROR(parseMessage(first, path, parsed[i]));
      continue;
    }
    SIEVE_RETURN_IF_ERROR(parseMessage((*list)[i], path, parsed[i]));
  }

  // Tool results join the user turn (V4 has no tool role); consecutive user
  // messages join too unless the earlier one carries a task.
  std::vector<Message> messages;
  for (Message &m : parsed) {
    if (m.role == "tool") {
      Block block{true, m.content.value_or(""), m.toolCallId};
      if (!messages.empty() && messages.back().role == "user" &&
          messages.back().blocks) {
        messages.back().blocks->push_back(std::move(block));
      } else {
        Message user;
        user.role = "user";
        user.blocks = std::vector<Block>{std::move(block)};
        messages.push_back(std::move(user));
      }
    } else if (m.role == "user") {
      Block block{false, m.content.value_or(""), ""};
      if (!messages.empty() && messages.back().role == "user" &&
          messages.back().blocks && !messages.back().task) {
        messages.back().blocks->push_back(std::move(block));
      } else {
        Message user;
        user.role = "user";
        user.content = m.content.value_or("");
        user.blocks = std::vector<Block>{std::move(block)};
        user.task = m.task;
        user.woEos = m.woEos;
        messages.push_back(std::move(user));
      }
    } else {
      messages.push_back(std::move(m));
    }
  }

  // Tool results in the order of the calls that asked for them.
  std::vector<std::pair<std::string, size_t>> callOrder;
  for (Message &m : messages) {
    if (m.role == "assistant" && !m.toolCalls.empty()) {
      callOrder.clear();
      for (size_t i = 0; i < m.toolCalls.size(); ++i)
        if (!m.toolCalls[i].id.empty())
          callOrder.emplace_back(m.toolCalls[i].id, i);
    } else if (m.role == "user" && m.blocks && !callOrder.empty()) {
      std::vector<Block *> results;
      for (Block &b : *m.blocks)
        if (b.toolResult)
          results.push_back(&b);
      if (results.size() < 2)
        continue;
      auto rank = [&](const Block &b) -> size_t {
        for (const auto &[id, pos] : callOrder)
          if (id == b.toolUseId)
            return pos;
        return 0;
      };
      std::vector<Block> sorted;
      for (Block *b : results)
        sorted.push_back(*b);
      std::stable_sort(
          sorted.begin(), sorted.end(),
          [&](const Block &a, const Block &b) { return rank(a) < rank(b); });
      for (size_t i = 0; i < results.size(); ++i)
        *results[i] = std::move(sorted[i]);
    }
  }

  bool dropThinking = options_.dropThinking;
  for (const Message &m : messages)
    if (!m.tools.empty())
      dropThinking = false; // tool use needs the earlier reasoning

  if (options_.thinkingMode == ThinkingMode::kThinking && dropThinking) {
    int lastUser = lastUserIndex(messages);
    std::vector<Message> kept;
    for (size_t i = 0; i < messages.size(); ++i) {
      Message &m = messages[i];
      if (m.role == "user" || m.role == "system" ||
          m.role == "latest_reminder" || static_cast<int>(i) >= lastUser) {
        kept.push_back(std::move(m));
      } else if (m.role == "assistant") {
        m.reasoning.reset();
        kept.push_back(std::move(m));
      }
      // Earlier developer turns are dropped.
    }
    messages = std::move(kept);
  }

  std::string prompt = options_.addBos ? kBos : std::string();
  for (size_t i = 0; i < messages.size(); ++i) {
    auto part = render(i, messages, dropThinking);
    if (!part)
      return part.takeStatus();
    prompt += *part;
  }
  return prompt;
}

} // namespace

Expected<ThinkingMode> parseThinkingMode(std::string_view name) {
  if (name == "chat")
    return ThinkingMode::kChat;
  if (name == "thinking")
    return ThinkingMode::kThinking;
  return invalidArgument("unknown thinking mode '" + std::string(name) +
                         "' (chat, thinking)");
}

Expected<ReasoningEffort> parseReasoningEffort(std::string_view name) {
  if (name == "high")
    return ReasoningEffort::kHigh;
  if (name == "max")
    return ReasoningEffort::kMax;
  return invalidArgument("unknown reasoning effort '" + std::string(name) +
                         "' (high, max)");
}

Expected<std::string> encodeChatPrompt(std::string_view json,
                                       const ChatOptions &options,
                                       std::string_view sourceName) {
  // Python's json.loads semantics (a repeated key keeps its last value),
  // with the nesting limit of every Sieve JSON reader.
  detail::JsonParseOptions parse;
  parse.duplicateKeys = detail::DuplicateKeys::kLastWins;
  auto root = detail::parseOrderedJsonStrict(json, std::string(sourceName), parse);
  if (!root)
    return root.takeStatus();
  try {
    return ChatEncoder(options, std::string(sourceName)).encode(*root);
  } catch (const std::exception &e) {
    return Status(StatusCode::kInternal,
                  std::string(sourceName) + ": " + e.what());
  }
}

Expected<std::string> encodeChatPrompt(const std::vector<ChatMessage> &messages,
                                       const ChatOptions &options) {
  OrderedJson list = OrderedJson::array();
  for (const ChatMessage &m : messages) {
    OrderedJson j = {{"role", m.role}, {"content", m.content}};
    if (!m.reasoningContent.empty())
      j["reasoning_content"] = m.reasoningContent;
    list.push_back(std::move(j));
  }
  try {
    return ChatEncoder(options, "messages").encode(list);
  } catch (const std::exception &e) {
    return Status(StatusCode::kInternal, std::string("messages: ") + e.what());
  }
}

} // namespace sieve::io
