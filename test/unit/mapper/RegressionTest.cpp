//===- RegressionTest.cpp - the mapper against the reference's optima -----===//
//
// Runs the mapper on the cases of regression_reference_visible.json (metric
// EDP, max_fused_loops 1; `unfused`: MainMemory keeps every tensor; `fused`:
// the architecture's own rules, so intermediates may stay on chip) and
// compares the best mapping's evaluation with the reference's: energy,
// latency, energy per (einsum, component, action), latency per (einsum,
// component) and action counts per (einsum, component, tensor, action), all
// within 1e-6. A fused answer must also be the mapping the join chose: the
// model's evaluation of the printed tree equals the join's totals (the
// mapper checks that itself, as an internal error).
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

std::vector<std::string> keysOfMode(const char *mode) {
  return afc::test::referenceKeys(
      "regression_reference_visible.json", [mode](const std::string &key) {
        std::vector<std::string> parts = afc::test::split(key, '|');
        return parts.size() == 4 && parts[3] == mode;
      });
}

/// ARCH|WORKLOAD|PARAMS|MODE: stdlib arches/ARCH.af with
/// workloads/basic/WORKLOAD.af at PARAMS, as `afc map --unfused` or
/// `afc map --max-fused-loops=1`.
MapperProblem buildProblem(const std::string &key) {
  std::vector<std::string> parts = afc::test::split(key, '|');
  bool unfused = parts[3] == "unfused";
  MapperProblem mp = afc::test::stdlibMapperProblem(
      parts[0], "basic/" + parts[1], afc::test::paramsFromKey(parts[2]),
      unfused);
  mp.settings.metric = Metric::EnergyDelayProduct;
  mp.settings.maxFusedLoops = 1;
  mp.settings.unfused = unfused;
  return mp;
}

std::string testName(const ::testing::TestParamInfo<std::string> &info) {
  return afc::test::keyTestName(info.index, info.param);
}

class Regression : public ::testing::TestWithParam<std::string> {};

TEST_P(Regression, MatchesReferenceOptimum) {
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
            << r->stats.seconds << " s, " << r->stats.fusedEinsums
            << " Einsums fused; " << c.entries
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

INSTANTIATE_TEST_SUITE_P(Unfused, Regression,
                         ::testing::ValuesIn(keysOfMode("unfused")), testName);
INSTANTIATE_TEST_SUITE_P(Fused, Regression,
                         ::testing::ValuesIn(keysOfMode("fused")), testName);

} // namespace
