//===- Units.h - physical quantities and their units -------------*- C++ -*-===//
//
// afc computes in un-prefixed SI units (J, s, m, W) with memory sizes in bits.
// A Dimension records the exponents of the base units so the compiler can
// reject `size = 200 MHz`; a unit table maps the suffixes users write
// (`32 B`, `1 Mibit`, `8 pJ`, `65 nm`) to a scale and a dimension.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SUPPORT_UNITS_H
#define AFC_SUPPORT_UNITS_H

#include "llvm/ADT/StringRef.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace afc {

/// Exponents of the base quantities: information (bit), time (s),
/// energy (J) and length (m). Watts are J/s, hertz 1/s, area m^2.
struct Dimension {
  int8_t bit = 0, second = 0, joule = 0, metre = 0;

  constexpr Dimension() = default;
  constexpr Dimension(int8_t b, int8_t s, int8_t j, int8_t m)
      : bit(b), second(s), joule(j), metre(m) {}

  bool isDimensionless() const {
    return bit == 0 && second == 0 && joule == 0 && metre == 0;
  }
  /// The dimension of a product, quotient or integer power. Exponents are
  /// int8_t; a result outside [-127, 127] is nullopt, which callers report,
  /// rather than an exponent that wraps into another dimension.
  std::optional<Dimension> times(Dimension o) const {
    return fromExponents(bit + o.bit, second + o.second, joule + o.joule,
                         metre + o.metre);
  }
  std::optional<Dimension> over(Dimension o) const {
    return fromExponents(bit - o.bit, second - o.second, joule - o.joule,
                         metre - o.metre);
  }
  /// Any power of a plain number is plain; a quantity with a unit takes
  /// whole powers only.
  std::optional<Dimension> raisedTo(double n) const {
    if (isDimensionless())
      return Dimension();
    if (n != std::floor(n) || std::fabs(n) > MaxExponent)
      return std::nullopt;
    return fromExponents(bit * n, second * n, joule * n, metre * n);
  }
  static constexpr int MaxExponent = 127;

  bool operator==(const Dimension &o) const {
    return bit == o.bit && second == o.second && joule == o.joule &&
           metre == o.metre;
  }
  bool operator!=(const Dimension &o) const { return !(*this == o); }

  static std::optional<Dimension> fromExponents(double b, double s, double j,
                                                double m) {
    for (double e : {b, s, j, m})
      if (std::fabs(e) > MaxExponent)
        return std::nullopt;
    return Dimension(int8_t(b), int8_t(s), int8_t(j), int8_t(m));
  }

  /// A readable name: "bit", "J", "W", "Hz", "m^2", or a product such as
  /// "J/bit".
  std::string str() const;
  /// What the dimension measures, for messages: "a size", "an energy", ...
  std::string describe() const;
};

namespace dim {
constexpr Dimension none{};
constexpr Dimension bits{1, 0, 0, 0};
constexpr Dimension time{0, 1, 0, 0};
constexpr Dimension energy{0, 0, 1, 0};
constexpr Dimension power{0, -1, 1, 0};
constexpr Dimension frequency{0, -1, 0, 0};
constexpr Dimension length{0, 0, 0, 1};
constexpr Dimension area{0, 0, 0, 2};
/// bit/s: written `25.6 GB / s` or `204.8 Gbit / s`.
constexpr Dimension bandwidth{1, -1, 0, 0};
} // namespace dim

struct Unit {
  const char *name;
  double scale; ///< value of one unit in SI base units (bits for information)
  Dimension dimension;
};

/// Converts a literal (its digits as written) in `unit` to SI base units.
/// Decimal prefixes fold into the literal's exponent: `65 nm` reads as the
/// literal 65e-9, which is not the same double as 65 * 1e-9, so figures
/// match a reference that was given 65e-9.
double toBaseUnits(llvm::StringRef digits, double value, const Unit &unit);

/// Looks up a unit suffix; nullptr when unknown.
const Unit *lookupUnit(llvm::StringRef name);
/// All unit names, for "did you mean" hints.
std::vector<std::string> unitNames();

/// Advice for a plain number given where a quantity of dimension `d` is
/// meant: how it is read and how to write it with a unit, e.g. "taken as
/// 6.5e-08 m; write it with its unit, e.g. '6.5e-08 m' or '65 nm'".
std::string plainNumberAdvice(double value, Dimension d);

/// Prints a value with an SI prefix and the dimension's unit, e.g.
/// "1.5 mm^2" is not produced: areas print in m^2 ("1.5e-06 m^2").
/// Numbers are printed with %.6g so that output is stable.
std::string formatQuantity(double value, Dimension d);

/// Formats a double deterministically and round-trippably (shortest form
/// that reads back to the same value, at most 17 significant digits).
std::string formatNumber(double value);

} // namespace afc

#endif // AFC_SUPPORT_UNITS_H
