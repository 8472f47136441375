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

#include <cstdint>
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
  Dimension operator*(Dimension o) const {
    return {int8_t(bit + o.bit), int8_t(second + o.second),
            int8_t(joule + o.joule), int8_t(metre + o.metre)};
  }
  Dimension operator/(Dimension o) const {
    return {int8_t(bit - o.bit), int8_t(second - o.second),
            int8_t(joule - o.joule), int8_t(metre - o.metre)};
  }
  Dimension pow(int n) const {
    return {int8_t(bit * n), int8_t(second * n), int8_t(joule * n),
            int8_t(metre * n)};
  }
  bool operator==(const Dimension &o) const {
    return bit == o.bit && second == o.second && joule == o.joule &&
           metre == o.metre;
  }
  bool operator!=(const Dimension &o) const { return !(*this == o); }

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

/// Prints a value with an SI prefix and the dimension's unit, e.g.
/// "1.5 mm^2" is not produced: areas print in m^2 ("1.5e-06 m^2").
/// Numbers are printed with %.6g so that output is stable.
std::string formatQuantity(double value, Dimension d);

/// Formats a double deterministically and round-trippably (shortest form
/// that reads back to the same value, at most 17 significant digits).
std::string formatNumber(double value);

} // namespace afc

#endif // AFC_SUPPORT_UNITS_H
