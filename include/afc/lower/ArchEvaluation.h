//===- ArchEvaluation.h - architecture fields for one Einsum -----*- C++ -*-===//
//
// The IR keeps architecture fields that depend on the Einsum as deferred
// expressions. Lowering evaluates them for one Einsum (or for none, as the
// reference does for area reports) with a design point's overrides applied,
// and hands the runtime plain numbers.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_ARCHEVALUATION_H
#define AFC_LOWER_ARCHEVALUATION_H

#include "afc/ir/Spec.h"
#include "afc/support/Diagnostics.h"

#include <map>
#include <optional>
#include <string>

namespace afc::lower {

/// Values that replace IR fields at one design point of a sweep.
struct PointOverrides {
  /// component -> field or model attribute -> value
  std::map<std::string, std::map<std::string, ir::Value>> fields;
  std::map<std::string, std::map<std::string, ir::Value>> modelAttributes;
  /// component -> action -> field -> value
  std::map<std::string, std::map<std::string, std::map<std::string, ir::Value>>>
      actionFields;
};

/// An Einsum with no tensors: what architecture fields see when no Einsum
/// is selected (every set empty, so `weight` is false).
const ir::Einsum &emptyEinsum();

/// Evaluates fields of one node for one Einsum, applying overrides.
class FieldEvaluator {
public:
  FieldEvaluator(const ir::Arch &arch, const ir::Einsum *einsum,
                 DiagnosticEngine &diags,
                 const PointOverrides *overrides = nullptr)
      : arch(arch), einsum(einsum ? *einsum : emptyEinsum()), diags(diags),
        overrides(overrides) {}

  /// The node's field, or nullopt when unset (or on a reported error).
  std::optional<ir::Value> field(const ir::ArchNode &node,
                                 llvm::StringRef name);
  std::optional<double> number(const ir::ArchNode &node, llvm::StringRef name);
  /// Whether the node's `enabled` is false for the Einsum (unset: enabled).
  bool disabled(const ir::ArchNode &node);
  std::optional<ir::Value> actionField(const ir::ArchNode &node,
                                       const ir::Action &action,
                                       llvm::StringRef name);
  /// Model attributes of the node, with the architecture-wide ones merged
  /// in unless the node sets them.
  std::map<std::string, ir::Value> modelAttributes(const ir::ArchNode &node);
  std::optional<ir::Value> evaluate(const ir::Field &f);

  bool hadError() const { return failed; }
  const ir::Einsum &getEinsum() const { return einsum; }

private:
  const ir::Arch &arch;
  const ir::Einsum &einsum;
  DiagnosticEngine &diags;
  const PointOverrides *overrides;
  bool failed = false;
};

} // namespace afc::lower

#endif // AFC_LOWER_ARCHEVALUATION_H
