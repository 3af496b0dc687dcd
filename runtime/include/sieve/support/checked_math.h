//===- checked_math.h - Overflow-checked size arithmetic ----------*- C++ -*-===//
//
// Sizes derived from outside input (config fields, tensor shapes, command-line
// lengths) are computed with CheckedSize before anything is allocated. A step
// that overflows int64, or a negative operand, poisons the result: the caller
// reports "too large" instead of allocating a wrapped, small buffer and
// writing past it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <initializer_list>

namespace sieve {

class CheckedSize {
public:
  constexpr CheckedSize() = default;
  constexpr CheckedSize(int64_t value) : value_(value), valid_(value >= 0) {}

  /// False once any operand was negative or any step overflowed.
  constexpr bool valid() const { return valid_; }
  /// The value when valid; `fallback` otherwise.
  constexpr int64_t valueOr(int64_t fallback) const {
    return valid_ ? value_ : fallback;
  }
  /// True when valid and at most `limit`.
  constexpr bool fitsIn(int64_t limit) const { return valid_ && value_ <= limit; }

  friend constexpr CheckedSize operator*(CheckedSize a, CheckedSize b) {
    CheckedSize r;
    r.valid_ = a.valid_ && b.valid_ && !__builtin_mul_overflow(a.value_, b.value_, &r.value_);
    return r;
  }
  friend constexpr CheckedSize operator+(CheckedSize a, CheckedSize b) {
    CheckedSize r;
    r.valid_ = a.valid_ && b.valid_ && !__builtin_add_overflow(a.value_, b.value_, &r.value_);
    return r;
  }
  constexpr CheckedSize &operator*=(CheckedSize b) { return *this = *this * b; }
  constexpr CheckedSize &operator+=(CheckedSize b) { return *this = *this + b; }

  /// Rounded-up quotient by a positive divisor (bits to bytes, say).
  constexpr CheckedSize ceilDiv(int64_t divisor) const {
    CheckedSize r;
    r.valid_ = valid_ && divisor > 0;
    r.value_ = r.valid_ ? value_ / divisor + (value_ % divisor != 0) : 0;
    return r;
  }

  /// The product of `factors` (1 for none).
  static constexpr CheckedSize product(std::initializer_list<int64_t> factors) {
    CheckedSize r(1);
    for (int64_t f : factors)
      r *= f;
    return r;
  }

private:
  int64_t value_ = 0;
  bool valid_ = true;
};

} // namespace sieve
