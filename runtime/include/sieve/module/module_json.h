//===- module_json.h - A .sieve module described as JSON ----------*- C++ -*-===//
//
// What sieve-dump prints: a verified module as JSON for people and scripts.
// The default view is everything but the programs' steps; `exports` lists
// each executable's kernel symbols; `program` is one entry point in full
// (inputs, buffers, every step with its registers and buffers).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_MODULE_MODULE_JSON_H
#define SIEVE_MODULE_MODULE_JSON_H

#include "sieve/module/module_file.h"
#include "sieve/support/status.h"

#include <string>

namespace sieve::module {

enum class DumpView { kSummary, kExports, kProgram };

/// The JSON text of `view` (indented by 2). kProgram needs `entryPoint`;
/// naming one the module lacks is an error listing those it has.
Expected<std::string> moduleToJson(const ModuleFile &file, DumpView view,
                                   const std::string &entryPoint = "");

} // namespace sieve::module

#endif // SIEVE_MODULE_MODULE_JSON_H
