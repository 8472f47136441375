//===- ComponentChecks.h - components against the models' declarations -*- C++ -*-===//
//
// Before anything is costed, every component is checked against what the
// component models declare (components::ModelInfo::attributes): its class
// selects a model; each attribute it sets in `attributes { }` is one that
// model reads (an architecture-wide attribute: one that some component's
// model reads); each value has the right kind of unit and lies in the
// declared range. hwcomponents ignores an attribute it does not know with a
// warning; afc rejects it, since a typo would silently change the numbers.
// A plain number for a dimensioned attribute (`tech_node = 65e-9`) is taken
// in the base unit and warned about.
//
// Values that depend on the Einsum are range-checked when the model is
// built (ModelLibrary::createModel), with the same declarations.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_COMPONENTCHECKS_H
#define AFC_LOWER_COMPONENTCHECKS_H

#include "afc/ir/Spec.h"
#include "afc/support/Diagnostics.h"

namespace afc::lower {

/// Checks the components of every architecture of `spec` and of its
/// studies' programs, reporting at the offending text. Returns false after
/// an error.
bool checkComponents(const ir::Spec &spec, DiagnosticEngine &diags);

} // namespace afc::lower

#endif // AFC_LOWER_COMPONENTCHECKS_H
