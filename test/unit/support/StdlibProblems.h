//===- StdlibProblems.h - stdlib problems compiled for tests ----*- C++ -*-===//
//
// The one source of the reference's example problems in the unit tests and
// benchmarks: `stdlib/arches/<arch>.af` with `stdlib/workloads/<workload>.af`,
// compiled in memory (parse, sema) and lowered as the afc driver lowers
// them, for the model (model::Problem) or for the mapper
// (mapper::MapperProblem). Component figures therefore come from
// afcComponents, exactly as `afc eval` / `afc map` see them.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_SUPPORT_STDLIBPROBLEMS_H
#define AFC_TEST_SUPPORT_STDLIBPROBLEMS_H

#include "Compiled.h"

#include "afc/components/ModelLibrary.h"
#include "afc/lower/ArchEvaluation.h"
#include "afc/mapper/Problem.h"
#include "afc/model/Model.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace afc::test {

/// The component library of stdlib/data (what the afc driver loads).
const components::ModelLibrary &modelLibrary();

/// `-D NAME=VALUE` overrides, e.g. {{"N_EINSUMS", 2}, {"M", 64}}.
using StdlibParams = std::vector<std::pair<std::string, double>>;
ParamOverrides params(const StdlibParams &in);
/// The numeric parameters of a reference key, e.g. "KN=64,M=64,N_EINSUMS=2"
/// ("inf" is infinity).
StdlibParams paramsFromKey(const std::string &text);

/// A compiled stdlib architecture and workload with its lowered problems.
/// A problem is empty on error (see `compiled->errors`). Keep this object
/// alive while the problems are used: lowered callbacks refer to the IR.
struct Lowered {
  std::unique_ptr<Compiled> compiled;
  std::optional<model::Problem> model;
  std::optional<mapper::MapperProblem> problem;
};

/// `arches/<arch>.af` with `workloads/<workload>.af` (e.g. "basic/matmuls")
/// under `overrides`, at design point `point` (may be null). Lowers for the
/// mapper (`problem`, with every tensor kept in the outermost memory when
/// `unfused`, as `afc map --unfused`) or, with `forMapper` false, only for
/// the model (`model`).
Lowered lowerStdlib(const std::string &arch, const std::string &workload,
                    const ParamOverrides &overrides,
                    const lower::PointOverrides *point, bool unfused = true,
                    bool forMapper = true);

/// The model's problem for a stdlib architecture and workload. Compiled
/// once per argument set and kept for the whole run; throws
/// std::runtime_error with the compiler's diagnostics if it does not lower.
const model::Problem &stdlibProblem(const std::string &arch,
                                    const std::string &workload,
                                    const StdlibParams &params = {});

/// The mapper's problem (settings as the stdlib files give them, `unfused`
/// as `afc map --unfused`); cached and throwing like stdlibProblem.
const mapper::MapperProblem &
stdlibMapperProblem(const std::string &arch, const std::string &workload,
                    const StdlibParams &params = {}, bool unfused = true);

} // namespace afc::test

#endif // AFC_TEST_SUPPORT_STDLIBPROBLEMS_H
