//===- Limits.h - resource limits on hostile or mistaken input ----*- C++ -*-===//
//
// Bounds on what one afc invocation may build from its input, so that a
// runaway expression, file or sweep ends in a located error that names the
// limit instead of a crash, a hang or an exhausted machine. The driver sets
// them once from the command line before any work starts; everything else
// only reads them. Each limit has a command-line option of the same name
// (`--max-nesting=N`, ...) that the error message spells out.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SUPPORT_LIMITS_H
#define AFC_SUPPORT_LIMITS_H

#include <cmath>
#include <cstdint>
#include <string>

namespace afc {

struct Limits {
  /// How deep expressions and blocks may nest: every operator, call, index,
  /// member access, bracket and block is one level. The parser, the
  /// evaluator and the printers recurse this deep; the driver sizes its
  /// stack from this number.
  unsigned maxNesting = 256;
  /// The most elements one list may hold, and characters one string.
  uint64_t maxListLength = 1'000'000;
  /// Values that compile-time evaluation may create in one elaboration
  /// (list elements, comprehension and `for` iterations): bounds the time
  /// and memory of nested loops that each stay under maxListLength.
  uint64_t maxEvalSteps = 2'000'000;
  /// The largest .af file read, in bytes.
  uint64_t maxFileSize = 16u << 20;
  /// Design points of one study (the product of its sweeps).
  uint64_t maxSweepPoints = 10'000'000;
  /// The largest rank size the mapper searches: tile shapes are factors
  /// of each rank's size.
  double maxRankSize = 1ull << 40;
};

/// Numbers are doubles: integers are exact up to 2**53 in magnitude. Past
/// that, adding one changes nothing (a loop never ends) and a conversion to
/// a 64-bit integer may be undefined, so integers beyond are errors.
constexpr double kMaxExactInteger = 9007199254740992.0;
inline bool isExactInteger(double x) {
  return x >= -kMaxExactInteger && x <= kMaxExactInteger && x == std::floor(x);
}

/// The process-wide limits; written only by the driver, before any work.
Limits &limits();

/// "--max-nesting=256": how an error message names a limit.
std::string limitFlag(const char *name, uint64_t value);

} // namespace afc

#endif // AFC_SUPPORT_LIMITS_H
