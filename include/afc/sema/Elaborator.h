//===- Elaborator.h - AST to IR: binding, expansion, checks -------*- C++ -*-===//
//
// Elaboration turns parsed modules into the IR. It binds parameters (from
// defaults, `-D` overrides or a study's `params`), expands compile-time
// `let`/`for`/`if`/`assert`, generates names, checks every block against the
// schema of its kind (unknown fields, duplicates, units, ranges), resolves
// Einsums and set expressions, and reports all problems it can find in one
// run through the DiagnosticEngine.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_SEMA_ELABORATOR_H
#define AFC_SEMA_ELABORATOR_H

#include "afc/ast/AST.h"
#include "afc/ir/Spec.h"
#include "afc/support/Diagnostics.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace afc {

/// A parameter value given from outside the program.
struct ParamOverride {
  ir::Value value;
  llvm::SMRange range; ///< where it was written (a `-D` buffer), if anywhere
};
using ParamOverrides = std::map<std::string, ParamOverride>;

/// Elaborates the modules (in dependency order) into one Spec. Returns null
/// if any error was reported. With `checkStudies`, every study is also
/// elaborated with its own parameters to check that it is well formed.
std::unique_ptr<ir::Spec>
elaborate(const std::vector<const ast::Module *> &modules,
          const ParamOverrides &overrides, DiagnosticEngine &diags,
          bool checkStudies = true);

/// Elaborates the program without its studies, for one design point of a
/// parameter sweep: `params` binds every parameter the point needs. The
/// studies stay out so that a point's program does not hold its study's
/// sweep (which would make a sweep's memory quadratic in its length).
std::unique_ptr<ir::Spec>
elaborateProgram(const std::vector<const ast::Module *> &modules,
                 const ParamOverrides &params, DiagnosticEngine &diags);

/// Evaluates the fields of `arch` that depend on the Einsum for every Einsum
/// of `workload`, reporting errors (unknown names, wrong units, bad set
/// expressions) with a note naming the Einsum. Returns false on error.
bool checkArchForWorkload(const ir::Arch &arch, const ir::Workload &workload,
                          DiagnosticEngine &diags);

/// Checks that every Einsum, tensor, rank variable, tensor holder, compute
/// unit and fanout a mapping names exists in the architecture and workload it
/// is used with, so a misspelled name is a located error rather than a node
/// the model rejects later (or a result for the wrong mapping). Returns
/// false on error.
bool checkMappingNames(const ir::Mapping &mapping, const ir::Arch &arch,
                       const ir::Workload &workload, DiagnosticEngine &diags);

/// Builds the scope in which the architecture's Einsum-dependent fields are
/// evaluated for `einsum`: its symbols plus, for placement rules, each
/// tensor holder's name bound to `placements[name]` (empty when absent).
ir::ScopePtr einsumScope(const ir::Deferred &d, const ir::Einsum &einsum,
                         const std::map<std::string, ir::NameSet> &placements =
                             {});

} // namespace afc

#endif // AFC_SEMA_ELABORATOR_H
