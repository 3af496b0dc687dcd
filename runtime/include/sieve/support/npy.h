//===- npy.h - Read and write NumPy .npy arrays ------------------*- C++ -*-===//
//
// The NPY format v1.0 (numpy.lib.format): the magic "\x93NUMPY", version
// 1.0, a little-endian uint16 header length, then an ASCII Python dict
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 512), }
// padded with spaces and a final '\n' so the data starts at a multiple of 64
// bytes, then the raw C-order data. Used for logits dumps that Python reads
// with numpy.load() to compare against other implementations, and to read
// known answers that other implementations wrote.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sieve {

/// The complete v1.0 header (magic through the '\n') for a C-order array of
/// `descr` (e.g. "<f4") and `shape`; its size is a multiple of 64.
std::string npyHeader(const std::string &descr, const std::vector<int64_t> &shape);

/// Writes `data` (product(shape) floats, C order) as a '<f4' array to `path`,
/// replacing the file. Errors name the path (io) or the bad shape.
Status writeNpyF32(const std::string &path, const float *data,
                   const std::vector<int64_t> &shape);

/// A float32 array read from a .npy file.
struct NpyArrayF32 {
  std::vector<int64_t> shape;
  std::vector<float> data; // C order, product(shape) values
};

/// Parses a little-endian float32 C-order array ('<f4', fortran_order
/// False) of NPY version 1.0, 2.0 or 3.0 from `bytes`. Everything is checked
/// against the bytes: magic, version, header length, the header dict's three
/// keys and their values, and that the data is exactly product(shape) * 4
/// bytes. Errors are prefixed by `source`.
Expected<NpyArrayF32> parseNpyF32(std::string_view bytes, const std::string &source);

/// Reads a regular file of at most `maxBytes` and parses it (parseNpyF32).
Expected<NpyArrayF32> readNpyF32(const std::string &path,
                                 uint64_t maxBytes = uint64_t(1) << 30);

} // namespace sieve
