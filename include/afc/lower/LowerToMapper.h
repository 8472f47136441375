//===- LowerToMapper.h - IR to the mapper's problem -------------*- C++ -*-===//
//
// Adds to a lowered model problem what only the mapper needs: each tensor
// holder's placement rules (`keep`, `may_keep`, `back`) as callbacks that
// evaluate the user's set expressions with the placement above bound
// (`~MainMemory`, `Above`), each spatial dimension's `reuse`, `min_usage` and
// loop-bound comparisons, and the mapper settings.
//
// Also prints a mapping back in `.af` syntax, so that `afc map` output can be
// fed to `afc eval`.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_LOWER_LOWERTOMAPPER_H
#define AFC_LOWER_LOWERTOMAPPER_H

#include "afc/ir/Spec.h"
#include "afc/lower/ArchEvaluation.h"
#include "afc/mapper/Problem.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace afc::lower {

/// Builds the mapper's rules and settings around an already lowered
/// `problem`. Reports unsupported settings; nullopt on error.
std::optional<mapper::MapperProblem>
lowerMapperProblem(model::Problem problem, const ir::Arch &arch,
                   const ir::Workload &workload,
                   const ir::MapperSettings &settings, bool forceUnfused,
                   DiagnosticEngine &diags,
                   const PointOverrides *overrides = nullptr);

/// Prints `mapping` as an `.af` mapping declaration named `name`.
void printMapping(const model::Mapping &mapping, const std::string &name,
                  llvm::raw_ostream &os);

} // namespace afc::lower

#endif // AFC_LOWER_LOWERTOMAPPER_H
