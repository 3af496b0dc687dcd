//===- program_check.h - Consistency of a module's contents -------*- C++ -*-===//
//
// What the FlatBuffers verifier cannot know: that the indices a module's
// host programs, caches and weights hold point at things that exist, that
// enum values are in range, that sizes agree with shapes and that every
// register is written before it is read. The executor relies on it.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_MODULE_PROGRAM_CHECK_H
#define SIEVE_MODULE_PROGRAM_CHECK_H

#include "sieve/module/sieve_module_generated.h"
#include "sieve/support/status.h"

#include <string>

namespace sieve::module {

/// Ok, or invalid-argument naming the module (`name`), the entry point and
/// the step or table entry that is wrong.
Status checkModuleContents(const fb::Module &module, const std::string &name);

} // namespace sieve::module

#endif // SIEVE_MODULE_PROGRAM_CHECK_H
