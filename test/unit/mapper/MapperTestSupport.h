//===- MapperTestSupport.h - problems for the afcMapper tests -----*- C++ -*-===//
//
// The reference's example architectures as MapperProblems: the model's test
// builders (ModelTestSupport) for the architectures, plus the placement rules
// and spatial constraints of arches/*.yaml written as mapper callbacks, and a
// comparison of a model::Result with a reference entry.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_TEST_MAPPER_SUPPORT_H
#define AFC_TEST_MAPPER_SUPPORT_H

#include "ModelTestSupport.h"
#include "afc/mapper/Mapper.h"

#include <string>
#include <vector>

namespace afc::mapper::test {

/// The role names of arches/*.yaml (`input`, `weight`, `output`) per Einsum.
struct Roles {
  std::string einsum, input, weight, output;
};
/// Matmul roles of workloads/basic/matmuls.yaml (first = 0) or
/// three_matmuls_annotated.yaml (first = 1).
std::vector<Roles> matmulRoles(int nEinsums, int first);

/// arches/simple.yaml (unit energies).
MapperProblem simpleProblem(model::Workload workload, double mainMemoryEnergy,
                            double globalBufferSize,
                            double globalBufferThroughput);
/// arches/eyeriss.yaml with hwcomponents_expected.json figures.
MapperProblem eyerissProblem(model::Workload workload,
                             const std::vector<Roles> &roles,
                             const nlohmann::json &costs);
/// arches/simba.yaml with hwcomponents_expected.json figures.
MapperProblem simbaProblem(model::Workload workload,
                           const std::vector<Roles> &roles,
                           const nlohmann::json &costs);
/// arches/tpu_v4i.yaml (hwcomponents_expected.json repeats its figures).
MapperProblem tpuProblem(model::Workload workload,
                         const std::vector<Roles> &roles,
                         const nlohmann::json &costs);

/// Placement: keep everything but the Einsum's intermediates, may keep All
/// (`keep: ~Intermediates, may_keep: All`).
PlacementFn keepNonIntermediates();
/// `keep: ~<holder>, may_keep: All`.
PlacementFn keepNotIn(const std::string &holder);
/// `keep: <tensors>` (exactly).
PlacementFn keepExactly(TensorSet tensors);

/// Worst relative error and the number of entries compared.
struct ReferenceComparison {
  double worst = 0;
  std::string worstKey;
  size_t entries = 0;
  std::vector<std::string> failures;
};
/// Compares energy, latency, energy per (einsum, component, action), latency
/// per (einsum, component) and actions with a reference entry.
ReferenceComparison compareWithReference(const model::Result &result,
                                const nlohmann::json &expected,
                                double tolerance);

} // namespace afc::mapper::test

#endif // AFC_TEST_MAPPER_SUPPORT_H
