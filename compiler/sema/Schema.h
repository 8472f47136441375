//===- Schema.h - which fields each block kind accepts ------------*- C++ -*-===//
//
// The grammar accepts any `name = value;` in any block; the schemas here say
// which names a block of each kind accepts, what each value must be, and
// when it can be evaluated. Field names follow the reference's so that specs
// port over by name.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SEMA_SCHEMA_H
#define AFC_SEMA_SCHEMA_H

#include "afc/support/Units.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace afc::sema {

enum class FieldType {
  Quantity, ///< a number in the given dimension (a plain number is accepted)
  Integer,  ///< a plain whole number
  Fraction, ///< a plain number in [0, 1]
  Bool,
  TensorSet,
  String,
  Any,
};

/// When a field can be evaluated.
enum class FieldTime {
  Now,       ///< at elaboration
  PerEinsum, ///< may use the Einsum's symbols
  Mapper,    ///< may use placement symbols (memory names, `Above`)
  Model,     ///< after action counts are known (`total_latency`)
};

/// Which numbers a numeric field takes. Infinity means "unlimited" where
/// the reference uses it (size, throughput); a zero that would make a
/// figure undefined (a throughput of 0, a value of 0 bits) is rejected.
enum class Bound : uint8_t {
  NonNegative,       ///< >= 0; inf allowed
  Positive,          ///< > 0; inf allowed
  FiniteNonNegative, ///< >= 0 and finite
  FinitePositive,    ///< > 0 and finite
};

struct FieldSpec {
  const char *name;
  FieldType type;
  Dimension dimension = dim::none;
  FieldTime time = FieldTime::Now;
  Bound bound = Bound::NonNegative;
  /// A plain number is a count of the dimension's base unit, as
  /// bits_per_action = 64 is, rather than a quantity missing its unit.
  bool plainIsCount = false;
  /// Also takes a bandwidth (bit/s): an action throughput written as the
  /// bits it moves per second, which lowering divides by bits_per_action.
  bool bandwidthToo = false;

  /// Whether a value of dimension `d` (not a plain number) fits.
  bool accepts(Dimension d) const {
    return d == dimension || (bandwidthToo && d == dim::bandwidth);
  }
  /// What the field takes, for messages: "an energy (J)", "a frequency or
  /// throughput (Hz) or a bandwidth (bit/s)".
  std::string expected() const;
};

/// What is wrong with `x` for `spec` ("must be positive, got 0"), or "".
std::string boundProblem(const FieldSpec &spec, double x);

/// The error for a throughput given as a bandwidth on a compute action,
/// which moves no bits to divide it by; `what` names the field.
std::string bandwidthOnComputeMessage(const std::string &what);

/// Looks up `name` in `fields`; nullptr when absent.
const FieldSpec *findField(const std::vector<FieldSpec> &fields,
                           llvm::StringRef name);
std::vector<std::string> fieldNames(const std::vector<FieldSpec> &fields);

const std::vector<FieldSpec> &componentFields(llvm::StringRef kind);
const std::vector<FieldSpec> &actionFields();
const std::vector<FieldSpec> &spatialFields();
const std::vector<FieldSpec> &mapperFields();

} // namespace afc::sema

#endif // AFC_SEMA_SCHEMA_H
