//===- RegressionTest.cpp - the mapper against the reference's optima -----===//
//
// Runs the mapper on the `unfused` cases of regression_reference_visible.json
// (metric EDP, max_fused_loops 1, MainMemory keeps every tensor) and compares
// the best mapping's evaluation with the reference's: energy, latency, energy
// per (einsum, component, action), latency per (einsum, component) and action
// counts per (einsum, component, tensor, action), all within 1e-6.
//
//===----------------------------------------------------------------------===//

#include "ReferenceData.h"
#include "StdlibProblems.h"

#include "afc/mapper/Mapper.h"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

using namespace afc;
using namespace afc::mapper;

namespace {

// The reference stores float32 (exact to about 6e-8 relative); the measured
// worst error over the eight cases is 5.2e-8 (tpu_v4i three matmuls'
// latency), so 1e-6 passes with a 16x margin and fails on any real change.
constexpr double kTolerance = 1e-6;

std::vector<std::string> unfusedKeys() {
  return afc::test::referenceKeys(
      "regression_reference_visible.json", [](const std::string &key) {
        std::vector<std::string> parts = afc::test::split(key, '|');
        return parts.size() == 4 && parts[3] == "unfused";
      });
}

/// ARCH|WORKLOAD|PARAMS|unfused: stdlib arches/ARCH.af with
/// workloads/basic/WORKLOAD.af at PARAMS, as `afc map --unfused`.
MapperProblem buildProblem(const std::string &key) {
  std::vector<std::string> parts = afc::test::split(key, '|');
  MapperProblem mp = afc::test::stdlibMapperProblem(
      parts[0], "basic/" + parts[1], afc::test::paramsFromKey(parts[2]),
      /*unfused=*/true);
  mp.settings.metric = Metric::EnergyDelayProduct;
  mp.settings.maxFusedLoops = 1;
  mp.settings.unfused = true;
  return mp;
}

std::string testName(const ::testing::TestParamInfo<std::string> &info) {
  return afc::test::keyTestName(info.index, info.param);
}

class UnfusedRegression : public ::testing::TestWithParam<std::string> {};

TEST_P(UnfusedRegression, MatchesReferenceOptimum) {
  const std::string &key = GetParam();
  MapperProblem mp = buildProblem(key);
  auto r = map(mp);
  ASSERT_TRUE(bool(r)) << r.error().message;
  const nlohmann::json expected =
      afc::test::loadData("regression_reference_visible.json").at(key);
  // Key sets must match exactly, as in the model's reference test.
  afc::test::ReferenceComparison c =
      afc::test::compareWithReference(r->result, expected, kTolerance);
  std::cout << "[ mapper ] " << key << ": " << r->stats.templates
            << " templates, " << r->stats.evaluatedPmappings
            << " evaluated, " << r->stats.paretoPmappings << " Pareto, "
            << r->stats.seconds << " s; " << c.entries
            << " entries, worst relative error " << c.worst << " ("
            << c.worstKey << ")\n";
  for (const EinsumChoice &ch : r->choices) {
    std::cout << "    " << ch.einsum << ": " << ch.templateDescription
              << " tiles";
    for (int64_t t : ch.row.tileShapes)
      std::cout << " " << t;
    std::cout << "\n";
  }
  for (const std::string &f : c.failures)
    ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(Visible, UnfusedRegression,
                         ::testing::ValuesIn(unfusedKeys()), testName);

} // namespace
