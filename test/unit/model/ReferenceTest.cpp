//===- ReferenceTest.cpp - afcModel against the reference's numbers -------===//
//
// Evaluates the example mappings and compares every reported number with the
// values the reference produced (test/data/model_reference_visible.json and
// test/data/regression_reference_visible.json): total energy and latency,
// energy per (einsum, component, action), latency per (einsum, component),
// actions per (einsum, component, tensor, action) and, where given, resource
// usage. Key sets must match exactly too (e.g. zero-count energies absent,
// leak present for every component).
//
// Inputs are built from the YAML files' content (ModelTestSupport); expected
// values only ever come from the JSON files.
//
//===----------------------------------------------------------------------===//

#include "ModelTestSupport.h"

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <sstream>

using namespace afc::model;
using namespace afc::model::test;

namespace {

// The reference's JSON holds float32 values (rounded to within 2^-24, about
// 6e-8, relative) and afc computes in double: the measured worst error over
// all 1035 entries is 6.0e-8. 1e-6 leaves a 16x margin over that rounding and
// still catches any real change to a count or an energy.
constexpr double kTolerance = 1e-6;

/// Tally over all reference comparisons, printed when the tests end.
struct Tally {
  size_t entries = 0;
  size_t cases = 0;
  double worst = 0;
  std::string worstKey;
};
Tally &tally() {
  static Tally t;
  return t;
}

class TallyPrinter : public ::testing::Environment {
public:
  void TearDown() override {
    const Tally &t = tally();
    std::cout << "[ reference ] " << t.cases << " cases, " << t.entries
              << " entries compared, worst relative error " << t.worst;
    if (!t.worstKey.empty())
      std::cout << " (" << t.worstKey << ")";
    std::cout << "\n";
  }
};
const auto *const kTallyPrinter =
    ::testing::AddGlobalTestEnvironment(new TallyPrinter);

void check(const std::string &what, double actual, double expected) {
  double err = relativeError(actual, expected);
  EXPECT_LE(err, kTolerance)
      << what << ": got " << actual << ", expected " << expected;
  Tally &t = tally();
  ++t.entries;
  if (err > t.worst) {
    t.worst = err;
    t.worstKey = what;
  }
}

std::string join(const std::vector<std::string> &parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    s += (i ? "|" : "") + parts[i];
  return s;
}

/// Compares a map of expected entries (keys as in the JSON) with ours.
void compareTable(const std::string &table, const nlohmann::json &expected,
                  const std::map<std::string, double> &actual) {
  for (auto &[key, value] : expected.items()) {
    std::string k = join(parseKey(key));
    auto it = actual.find(k);
    if (it == actual.end()) {
      ADD_FAILURE() << table << ": missing entry " << k;
      continue;
    }
    check(table + " " + k, it->second, number(value));
  }
  for (auto &[k, v] : actual) {
    bool found = false;
    for (auto &[key, value] : expected.items())
      found |= join(parseKey(key)) == k;
    EXPECT_TRUE(found) << table << ": unexpected entry " << k << " = " << v;
  }
}

void compareResult(const Result &r, const nlohmann::json &expected) {
  ++tally().cases;
  check("energy", r.energy, number(expected.at("energy")));
  check("latency", r.latency, number(expected.at("latency")));

  std::map<std::string, double> energy, latency, actions;
  for (const EnergyEntry &e : r.energyPerComponentAction())
    energy[join({std::string(e.einsum), std::string(e.component),
                 std::string(e.action)})] += e.energy;
  for (const ComponentLatency &l : r.latencies)
    latency[join({std::string(l.einsum), std::string(l.component)})] +=
        l.latency;
  for (const ActionCount &a : r.actions)
    actions[join({std::string(a.einsum), std::string(a.component),
                  std::string(a.tensor), std::string(a.action)})] += a.count;
  compareTable("energy_per_component", expected.at("energy_per_component"),
               energy);
  compareTable("latency_per_component", expected.at("latency_per_component"),
               latency);
  compareTable("actions", expected.at("actions"), actions);

  if (expected.contains("resource_usage"))
    for (auto &[memory, usage] : expected.at("resource_usage").items())
      check("resource_usage " + memory, r.usage(memory), number(usage));
}

std::string testName(const ::testing::TestParamInfo<std::string> &info) {
  std::string name = std::to_string(info.index) + "_";
  for (char c : info.param)
    name += std::isalnum((unsigned char)c) ? c : '_';
  return name;
}

void evaluateAndCompare(const Problem &problem, const Mapping &mapping,
                        const nlohmann::json &expected) {
  Expected<Result> r = evaluate(problem, mapping);
  ASSERT_TRUE(bool(r)) << r.error().message;
  compareResult(*r, expected);
}

//===----------------------------------------------------------------------===//
// model_reference_visible.json: simple|WORKLOAD|MAPPING|PARAMS
//===----------------------------------------------------------------------===//

std::vector<std::string> modelKeys() {
  std::vector<std::string> keys;
  const nlohmann::json data = loadData("model_reference_visible.json");
  for (auto &[key, value] : data.items())
    keys.push_back(key);
  return keys;
}

class ModelReference : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelReference, MatchesEveryEntry) {
  const std::string &key = GetParam();
  std::vector<std::string> parts = split(key, '|');
  ASSERT_EQ(parts.size(), 4u) << key;
  ASSERT_EQ(parts[0], "simple") << "only the simple architecture is modelled";
  Params p = parseParams(parts[3]);

  Problem problem;
  problem.architectures.push_back(makeSimpleArch(
      param(p, "MainMemoryEnergy", 1), param(p, "GlobalBufferSize", kInfinity),
      param(p, "GlobalBufferThroughput", kInfinity)));
  Mapping mapping;
  const std::string &m = parts[2];
  if (parts[1] == "matmuls") {
    int n = int(param(p, "N_EINSUMS", 1));
    problem.workload = makeMatmuls(n, int64_t(param(p, "M", 128)),
                                   int64_t(param(p, "KN", 128)));
    if (m == "unfused_matmuls_to_simple")
      mapping = unfusedMatmulsToSimple(n);
    else if (m == "fused_matmuls_to_simple")
      mapping = fusedMatmulsToSimple(n);
    else
      FAIL() << "unknown mapping " << m;
  } else if (parts[1] == "matvecs") {
    problem.workload = makeMatvecs();
    if (m == "unfused_matvecs_to_simple")
      mapping = unfusedMatvecsToSimple();
    else if (m == "fused_matvecs_to_simple_untiled")
      mapping = fusedMatvecsToSimpleUntiled();
    else if (m == "fused_matvecs_to_simple_tiled")
      mapping = fusedMatvecsToSimpleTiled();
    else if (m == "fused_matvecs_to_simple_tiled_reuse_A")
      mapping = fusedMatvecsToSimpleTiledReuseA();
    else
      FAIL() << "unknown mapping " << m;
  } else {
    FAIL() << "unknown workload " << parts[1];
  }
  evaluateAndCompare(problem, mapping,
                     loadData("model_reference_visible.json").at(key));
}

INSTANTIATE_TEST_SUITE_P(Visible, ModelReference,
                         ::testing::ValuesIn(modelKeys()), testName);

//===----------------------------------------------------------------------===//
// regression_reference_visible.json: ARCH|WORKLOAD|PARAMS|fused-or-unfused,
// with the mappings model.md §13 derives for simple and eyeriss matmuls, and
// tpu_v4i and simba matmul mappings derived the same way from the reference's
// counts (the other cases' mappings cannot be derived from the published
// numbers).
//===----------------------------------------------------------------------===//

bool supportedRegression(const std::string &key) {
  return key.rfind("simple|matmuls|", 0) == 0 ||
         key.rfind("simple|three_matmuls_annotated|", 0) == 0 ||
         key.rfind("eyeriss|matmuls|KN=64,M=64,N_EINSUMS=2|", 0) == 0 ||
         key.rfind("tpu_v4i|matmuls|KN=64,M=64,N_EINSUMS=2|", 0) == 0 ||
         key.rfind("simba|matmuls|KN=64,M=64,N_EINSUMS=2|", 0) == 0;
}

std::vector<std::string> regressionKeys() {
  std::vector<std::string> keys;
  const nlohmann::json data = loadData("regression_reference_visible.json");
  for (auto &[key, value] : data.items())
    if (supportedRegression(key))
      keys.push_back(key);
  return keys;
}

class RegressionReference : public ::testing::TestWithParam<std::string> {};

TEST_P(RegressionReference, MatchesEveryEntry) {
  const std::string &key = GetParam();
  std::vector<std::string> parts = split(key, '|');
  ASSERT_EQ(parts.size(), 4u) << key;
  Params p = parseParams(parts[2]);
  bool fused = parts[3] == "fused";

  Problem problem;
  Mapping mapping;
  if (parts[0] == "simple") {
    problem.architectures.push_back(makeSimpleArch(1, kInfinity, kInfinity));
    std::vector<MatmulNames> names;
    if (parts[1] == "matmuls") {
      int n = int(param(p, "N_EINSUMS", 1));
      problem.workload = makeMatmuls(n, int64_t(param(p, "M", 128)),
                                     int64_t(param(p, "KN", 128)));
      for (int i = 0; i < n; ++i) {
        std::string a = std::to_string(i), b = std::to_string(i + 1);
        names.push_back(
            {"Matmul" + a, "T" + a, "W" + a, "T" + b, "n" + a, "n" + b});
      }
      // Fused and unfused coincide (model.md §13.1).
      mapping = allInMainMemory(names, /*persistentWeights=*/false);
    } else {
      problem.workload = makeThreeMatmulsAnnotated();
      for (int i = 0; i < 3; ++i) {
        std::string a = std::to_string(i), b = std::to_string(i + 1);
        names.push_back(
            {"Matmul" + b, "T" + a, "W" + a, "T" + b, "n" + a, "n" + b});
      }
      mapping = allInMainMemory(names, /*persistentWeights=*/true);
    }
  } else if (parts[0] == "simba") {
    problem.workload = makeMatmuls(2, 64, 64);
    problem.architectures = makeSimbaArchs(
        loadData("hwcomponents_expected.json").at("simba"),
        {{"Matmul0", "W0", "T1"}, {"Matmul1", "W1", "T2"}}, {"T0", "T1"});
    mapping = fused ? simbaFusedMatmuls() : simbaUnfusedMatmuls();
  } else if (parts[0] == "tpu_v4i") {
    problem.workload = makeMatmuls(2, 64, 64);
    problem.architectures = makeTpuV4iArchs(
        loadData("hwcomponents_expected.json").at("tpu_v4i"),
        {{"Matmul0", "W0", "T1"}, {"Matmul1", "W1", "T2"}}, {"T0", "T1"});
    mapping = fused ? tpuV4iFusedMatmuls() : tpuV4iUnfusedMatmuls();
  } else {
    problem.workload = makeMatmuls(2, 64, 64);
    problem.architectures =
        makeEyerissArchs(loadData("hwcomponents_expected.json").at("eyeriss"),
                         {{"Matmul0", "W0", "T1"}, {"Matmul1", "W1", "T2"}});
    mapping = fused ? eyerissFusedMatmuls() : eyerissUnfusedMatmuls();
  }
  evaluateAndCompare(problem, mapping,
                     loadData("regression_reference_visible.json").at(key));
}

INSTANTIATE_TEST_SUITE_P(Visible, RegressionReference,
                         ::testing::ValuesIn(regressionKeys()), testName);

} // namespace
