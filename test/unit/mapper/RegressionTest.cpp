//===- RegressionTest.cpp - the mapper against the reference's optima ------===//
//
// Runs the mapper on the `unfused` cases of regression_reference_visible.json
// (metric EDP, max_fused_loops 1, MainMemory keeps every tensor) and compares
// the best mapping's evaluation with the reference's: energy, latency, energy
// per (einsum, component, action), latency per (einsum, component) and action
// counts per (einsum, component, tensor, action), all within 1e-6.
//
//===----------------------------------------------------------------------===//

#include "MapperTestSupport.h"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

using namespace afc;
using namespace afc::mapper;
using namespace afc::mapper::test;

namespace {

// The reference stores float32 (exact to about 6e-8 relative); the measured
// worst error over the eight cases is 5.2e-8 (tpu_v4i three matmuls'
// latency), so 1e-6 passes with a 16x margin and fails on any real change.
constexpr double kTolerance = 1e-6;

bool supported(const std::string &arch) {
  return arch == "simple" || arch == "eyeriss" || arch == "simba" ||
         arch == "tpu_v4i";
}

std::vector<std::string> unfusedKeys() {
  std::vector<std::string> keys;
  const nlohmann::json data =
      model::test::loadData("regression_reference_visible.json");
  for (auto &[key, value] : data.items()) {
    std::vector<std::string> parts = model::test::split(key, '|');
    if (parts.size() == 4 && parts[3] == "unfused" && supported(parts[0]))
      keys.push_back(key);
  }
  return keys;
}

MapperProblem buildProblem(const std::string &key) {
  std::vector<std::string> parts = model::test::split(key, '|');
  model::test::Params p = model::test::parseParams(parts[2]);
  model::Workload workload;
  std::vector<Roles> roles;
  if (parts[1] == "matmuls") {
    int n = int(model::test::param(p, "N_EINSUMS", 1));
    workload = model::test::makeMatmuls(
        n, int64_t(model::test::param(p, "M", 128)),
        int64_t(model::test::param(p, "KN", 128)));
    roles = matmulRoles(n, 0);
  } else {
    workload = model::test::makeThreeMatmulsAnnotated();
    roles = matmulRoles(3, 1);
  }
  const nlohmann::json costs =
      model::test::loadData("hwcomponents_expected.json");
  MapperProblem mp;
  if (parts[0] == "simple")
    mp = simpleProblem(workload, 1, model::kInfinity, model::kInfinity);
  else if (parts[0] == "eyeriss")
    mp = eyerissProblem(workload, roles, costs.at("eyeriss"));
  else if (parts[0] == "simba")
    mp = simbaProblem(workload, roles, costs.at("simba"));
  else
    mp = tpuProblem(workload, roles, costs.at("tpu_v4i"));
  mp.settings.metric = Metric::EnergyDelayProduct;
  mp.settings.maxFusedLoops = 1;
  mp.settings.unfused = true;
  return mp;
}

std::string testName(const ::testing::TestParamInfo<std::string> &info) {
  std::string name = std::to_string(info.index) + "_";
  for (char c : info.param)
    name += std::isalnum((unsigned char)c) ? c : '_';
  return name;
}

class UnfusedRegression : public ::testing::TestWithParam<std::string> {};

TEST_P(UnfusedRegression, MatchesReferenceOptimum) {
  const std::string &key = GetParam();
  MapperProblem mp = buildProblem(key);
  auto r = map(mp);
  ASSERT_TRUE(bool(r)) << r.error().message;
  const nlohmann::json expected =
      model::test::loadData("regression_reference_visible.json").at(key);
  ReferenceComparison c = compareWithReference(r->result, expected, kTolerance);
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
