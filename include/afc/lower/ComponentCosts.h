//===- ComponentCosts.h - IR components to component models ------*- C++ -*-===//
//
// Builds a component-model request from each component of an architecture
// (fields, model attributes, actions with their bits per action) and asks
// the component models library for area, leak power and per-action energy
// and throughput. Errors from the models are reported at the component.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_COMPONENTCOSTS_H
#define AFC_LOWER_COMPONENTCOSTS_H

#include "afc/components/ModelLibrary.h"
#include "afc/ir/Spec.h"
#include "afc/lower/ArchEvaluation.h"

#include <optional>
#include <vector>

namespace afc::lower {

struct EvaluatedComponent {
  const ir::ArchNode *node;
  /// Instances of this component: the product of its parents' fanouts.
  double instances = 1;
  components::ComponentCosts costs;
};

/// Every component of `arch` in tree order, evaluated for `einsum` (null:
/// no Einsum). Returns nullopt after reporting an error.
std::optional<std::vector<EvaluatedComponent>>
evaluateComponentCosts(const ir::Arch &arch, const ir::Einsum *einsum,
                       const components::ModelLibrary &models,
                       DiagnosticEngine &diags,
                       const PointOverrides *overrides = nullptr,
                       components::CostSelection select = {});

} // namespace afc::lower

#endif // AFC_LOWER_COMPONENTCOSTS_H
