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

struct FieldSpec {
  const char *name;
  FieldType type;
  Dimension dimension = dim::none;
  FieldTime time = FieldTime::Now;
  bool nonNegative = true;
};

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
