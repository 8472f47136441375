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
// Problems are the stdlib .af files compiled through the compiler
// (StdlibProblems), mappings the C++ equivalents of the reference's
// (ModelTestSupport); expected values only ever come from the JSON files.
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

void compareResult(const Result &r, const nlohmann::json &expected) {
  afc::test::ReferenceComparison c =
      afc::test::compareWithReference(r, expected, kTolerance);
  Tally &t = tally();
  ++t.cases;
  t.entries += c.entries;
  if (c.worst > t.worst) {
    t.worst = c.worst;
    t.worstKey = c.worstKey;
  }
  for (const std::string &f : c.failures)
    ADD_FAILURE() << f;
}

std::string testName(const ::testing::TestParamInfo<std::string> &info) {
  return afc::test::keyTestName(info.index, info.param);
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
  return afc::test::referenceKeys("model_reference_visible.json");
}

class ModelReference : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelReference, MatchesEveryEntry) {
  const std::string &key = GetParam();
  std::vector<std::string> parts = split(key, '|');
  ASSERT_EQ(parts.size(), 4u) << key;
  ASSERT_EQ(parts[0], "simple") << "only the simple architecture is modelled";
  KeyParams p = parseParams(parts[3]);

  Problem problem = stdlibProblem("simple", "basic/" + parts[1],
                                  afc::test::paramsFromKey(parts[3]));
  Mapping mapping;
  const std::string &m = parts[2];
  if (parts[1] == "matmuls") {
    int n = int(param(p, "N_EINSUMS", 1));
    if (m == "unfused_matmuls_to_simple")
      mapping = unfusedMatmulsToSimple(n);
    else if (m == "fused_matmuls_to_simple")
      mapping = fusedMatmulsToSimple(n);
    else
      FAIL() << "unknown mapping " << m;
  } else if (parts[1] == "matvecs") {
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
// with the mappings docs/design/model.md §13 derives for simple and eyeriss
// matmuls, and tpu_v4i and simba matmul mappings derived the same way from the
// reference's counts (the other cases' mappings cannot be derived from the
// published numbers).
//===----------------------------------------------------------------------===//

bool supportedRegression(const std::string &key) {
  return key.rfind("simple|matmuls|", 0) == 0 ||
         key.rfind("simple|three_matmuls_annotated|", 0) == 0 ||
         key.rfind("eyeriss|matmuls|KN=64,M=64,N_EINSUMS=2|", 0) == 0 ||
         key.rfind("tpu_v4i|matmuls|KN=64,M=64,N_EINSUMS=2|", 0) == 0 ||
         key.rfind("simba|matmuls|KN=64,M=64,N_EINSUMS=2|", 0) == 0;
}

std::vector<std::string> regressionKeys() {
  return afc::test::referenceKeys("regression_reference_visible.json",
                                  supportedRegression);
}

class RegressionReference : public ::testing::TestWithParam<std::string> {};

TEST_P(RegressionReference, MatchesEveryEntry) {
  const std::string &key = GetParam();
  std::vector<std::string> parts = split(key, '|');
  ASSERT_EQ(parts.size(), 4u) << key;
  KeyParams p = parseParams(parts[2]);
  bool fused = parts[3] == "fused";

  const Problem &problem = stdlibProblem(parts[0], "basic/" + parts[1],
                                         afc::test::paramsFromKey(parts[2]));
  Mapping mapping;
  if (parts[0] == "simple") {
    std::vector<MatmulNames> names;
    if (parts[1] == "matmuls") {
      int n = int(param(p, "N_EINSUMS", 1));
      for (int i = 0; i < n; ++i) {
        std::string a = std::to_string(i), b = std::to_string(i + 1);
        names.push_back(
            {"Matmul" + a, "T" + a, "W" + a, "T" + b, "n" + a, "n" + b});
      }
      // Fused and unfused coincide (docs/design/model.md §13.1).
      mapping = allInMainMemory(names, /*persistentWeights=*/false);
    } else {
      for (int i = 0; i < 3; ++i) {
        std::string a = std::to_string(i), b = std::to_string(i + 1);
        names.push_back(
            {"Matmul" + b, "T" + a, "W" + a, "T" + b, "n" + a, "n" + b});
      }
      mapping = allInMainMemory(names, /*persistentWeights=*/true);
    }
  } else if (parts[0] == "simba") {
    mapping = fused ? simbaFusedMatmuls() : simbaUnfusedMatmuls();
  } else if (parts[0] == "tpu_v4i") {
    mapping = fused ? tpuV4iFusedMatmuls() : tpuV4iUnfusedMatmuls();
  } else {
    mapping = fused ? eyerissFusedMatmuls() : eyerissUnfusedMatmuls();
  }
  evaluateAndCompare(problem, mapping,
                     loadData("regression_reference_visible.json").at(key));
}

INSTANTIATE_TEST_SUITE_P(Visible, RegressionReference,
                         ::testing::ValuesIn(regressionKeys()), testName);

} // namespace
