//===- LowerSupport.h - stdlib problems lowered for the mapper ----*- C++
//-*-===//
//
// Compiles a stdlib architecture and workload in memory and lowers them to
// a mapper::MapperProblem as `afc map --unfused` does; shared by the
// template-kernel tests and benchmarks.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_UNIT_COMPILER_LOWERSUPPORT_H
#define AFC_TEST_UNIT_COMPILER_LOWERSUPPORT_H

#include "TestUtil.h"

#include "afc/components/ModelLibrary.h"
#include "afc/lower/LatencyKernel.h"
#include "afc/lower/LowerToMapper.h"
#include "afc/lower/LowerToModel.h"

#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace afc::test {

inline const components::ModelLibrary &modelLibrary() {
  static components::ModelLibrary library = [] {
    auto lib = components::ModelLibrary::load(AFC_SOURCE_DIR
                                              "/stdlib/data/sram_cacti7.csv");
    if (!lib)
      std::abort(); // the repository's own data file is missing
    return std::move(*lib);
  }();
  return library;
}

/// A compiled stdlib architecture and workload, lowered for the mapper.
/// `problem` is empty on error (see `compiled->errors`).
struct Lowered {
  std::unique_ptr<Compiled> compiled;
  std::optional<mapper::MapperProblem> problem;
};

using Params = std::vector<std::pair<std::string, double>>;

inline ParamOverrides params(const Params &in) {
  ParamOverrides out;
  for (const auto &[name, value] : in)
    out[name] = {ir::Value::number(value), {}};
  return out;
}

/// `arches/<arch>.af` with `workloads/<workload>.af`, every tensor kept in
/// the outermost memory (unfused), at design point `point` (may be null).
inline Lowered lowerStdlib(const std::string &arch, const std::string &workload,
                           const ParamOverrides &overrides,
                           const lower::PointOverrides *point) {
  Lowered l;
  l.compiled = std::make_unique<Compiled>("import \"arches/" + arch +
                                              ".af\";\nimport \"workloads/" +
                                              workload + ".af\";\n",
                                          overrides);
  const std::unique_ptr<ir::Spec> &spec = l.compiled->spec;
  if (!spec || spec->arches.size() != 1 || spec->workloads.size() != 1)
    return l;
  lower::KernelOptions kernels{lower::sharedKernelCompiler()};
  std::optional<model::Problem> p =
      lower::lowerProblem(spec->arches[0], spec->workloads[0], modelLibrary(),
                          l.compiled->diags, point, kernels);
  if (!p)
    return l;
  l.problem = lower::lowerMapperProblem(std::move(*p), spec->arches[0],
                                        spec->workloads[0], {}, true,
                                        l.compiled->diags, point);
  l.compiled->errStream.flush();
  return l;
}

} // namespace afc::test

#endif // AFC_TEST_UNIT_COMPILER_LOWERSUPPORT_H
