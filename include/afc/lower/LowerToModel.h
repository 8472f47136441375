//===- LowerToModel.h - IR to the model's problem and mappings --*- C++ -*-===//
//
// Lowers an architecture and a workload to a model::Problem: the workload
// with numeric projections, and for every Einsum the flattened architecture
// of each compute path with its component costs evaluated for that Einsum.
// `total_latency` expressions become callbacks that evaluate the user's
// expression with the counted actions in scope.
//
// Mappings lower to model::Mapping; each node's source range is kept in a
// LocationTable so the model's errors can be printed at `file:line:col`.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_LOWERTOMODEL_H
#define AFC_LOWER_LOWERTOMODEL_H

#include "afc/components/ModelLibrary.h"
#include "afc/ir/Spec.h"
#include "afc/lower/ArchEvaluation.h"
#include "afc/lower/LatencyKernel.h"
#include "afc/model/Model.h"

#include <optional>
#include <vector>

namespace afc::lower {

/// Source ranges of lowered nodes, indexed by model::SourceLocation::id.
class LocationTable {
public:
  model::SourceLocation add(llvm::SMRange r) {
    ranges.push_back(r);
    return {uint32_t(ranges.size())};
  }
  llvm::SMRange get(model::SourceLocation l) const {
    return l.id && l.id <= ranges.size() ? ranges[l.id - 1] : llvm::SMRange();
  }

private:
  std::vector<llvm::SMRange> ranges;
};

/// `total_latency` expressions become generated kernels (LatencyKernel.h)
/// run by `kernels`; those outside the kernels' subset are interpreted.
std::optional<model::Problem>
lowerProblem(const ir::Arch &arch, const ir::Workload &workload,
             const components::ModelLibrary &models, DiagnosticEngine &diags,
             const PointOverrides *overrides = nullptr,
             const KernelOptions &kernels = {});

model::Mapping lowerMapping(const ir::Mapping &mapping, LocationTable &table);

/// Checks that every storage node of `mapping` keeps only tensors its
/// memory's `keep`/`may_keep` rules allow, evaluated per Einsum with the
/// placement the mapping makes above it. The model itself never checks
/// placement (the reference's does not either); `afc eval` does so that an
/// impossible dataflow is not silently evaluated.
bool checkPlacement(const ir::Arch &arch, const ir::Workload &workload,
                    const ir::Mapping &mapping, DiagnosticEngine &diags);

/// Lowering builds the model's problem from checked IR, so an inconsistent
/// problem (ErrorKind::InvalidProblem) is afc's fault: an internal error
/// (afc/support/InternalError.h), never a diagnostic for the user.
void checkProblemConsistent(const model::ModelError &error);

/// Energies, latencies, areas and leak powers are non-negative and finite
/// for any input that passed the checks, so a result that is not would be
/// a wrong number with a straight face: an internal error naming the entry,
/// raised before anything is printed or written.
void checkResultSound(const model::Result &result);

/// Prints a model error at the mapping node it names, with the reason
/// (after checkProblemConsistent).
void reportModelError(const model::ModelError &error,
                      const LocationTable &table, DiagnosticEngine &diags);

} // namespace afc::lower

#endif // AFC_LOWER_LOWERTOMODEL_H
