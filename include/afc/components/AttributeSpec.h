//===- AttributeSpec.h - the attributes a component model takes -*- C++ -*-===//
//
// Every model declares the attributes it reads: name, kind of quantity (and
// so the unit it is stored in), default, valid range and a one-line
// description. The declarations are the single source for
//
//  * checking what users write in `attributes { }` blocks (an attribute no
//    model reads is an error, not silently ignored as in hwcomponents);
//  * checking values: ModelLibrary::createModel rejects an out-of-range
//    attribute before the model is built;
//  * documentation: each row is what a component reference lists
//    (`afc describe`, docs/components.md).
//
// ActionSpec does the same for the actions a model prices.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_COMPONENTS_ATTRIBUTESPEC_H
#define AFC_COMPONENTS_ATTRIBUTESPEC_H

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace afc::components {

/// What an attribute measures, which fixes the unit it is stored in and the
/// values a user may write for it.
enum class AttributeKind : uint8_t {
  Count,    ///< a plain number (banks, ports, entries)
  BitWidth, ///< a number of bits: a plain number or a size (`8` or `8 bit`)
  Size,     ///< a capacity in bits, written with a unit (`64 KiB`)
  Length,   ///< metres, written with a unit (`65 nm`)
};

struct AttributeSpec {
  std::string_view name;
  AttributeKind kind;
  double min = 0; ///< smallest valid value, in the stored unit
  double max = std::numeric_limits<double>::infinity();
  bool minExclusive = false; ///< `min` itself is invalid (e.g. > 0)
  bool integer = false;      ///< must be a whole number
  /// As a user would read it: "1", "64", "required", "size / width".
  std::string_view defaultText;
  std::string_view description; ///< one line

  /// The unit values are stored in: "bit", "m", or "" for a plain number.
  std::string_view unit() const;
  /// The valid values in words, e.g. "a whole number from 1 to 1e+06",
  /// "a positive, finite length".
  std::string rangeText() const;
  /// Empty when `value` (in the stored unit) is valid, else what is wrong,
  /// e.g. "must be a whole number from 1 to 1e+06; got 0".
  std::string check(double value) const;
  /// The model cannot be built without it ("required" as default). A
  /// conditional requirement ("required unless width_a") is not: its
  /// default text says when it is needed.
  bool required() const { return defaultText == "required"; }
};

/// One action a model prices.
struct ActionSpec {
  std::string_view name;
  /// The attribute that is the action's nominal width in bits, when the
  /// model prices one access of that many bits and AccelForge's
  /// bits_per_action b scales its energy by b / width and its throughput by
  /// width / b; empty when b does not change the action's cost.
  std::string_view nominalWidth;
  std::string_view description; ///< one line
};

} // namespace afc::components

#endif // AFC_COMPONENTS_ATTRIBUTESPEC_H
