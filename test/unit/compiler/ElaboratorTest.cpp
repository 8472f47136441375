//===- ElaboratorTest.cpp - parameters, workloads, architectures ----------===//
#include "TestUtil.h"

#include "gtest/gtest.h"

using namespace afc;
using namespace afc::ir;
using afc::test::Compiled;

static const char *kMatmuls = R"(
import "workloads/basic/matmuls.af";
)";

TEST(Elaborator, ParametersFromOverrides) {
  ParamOverrides ov;
  ov["N_EINSUMS"] = {Value::number(3), {}};
  ov["M"] = {Value::number(64), {}};
  Compiled c(kMatmuls, ov);
  ASSERT_TRUE(c.spec) << c.errors;
  const Workload &w = c.spec->workloads.at(0);
  EXPECT_EQ(w.einsums.size(), 3u);
  EXPECT_EQ(w.rankVariable("m")->bound(), 64);
  EXPECT_EQ(w.rankVariable("n3")->bound(), 128);
  EXPECT_EQ(w.computes(w.einsums[0]), 64.0 * 128 * 128);
  EXPECT_TRUE(w.tensor("T1")->isIntermediate());
  EXPECT_FALSE(w.tensor("T0")->isIntermediate());
}

TEST(Elaborator, RequiredParameterIsReported) {
  Compiled c(kMatmuls);
  EXPECT_FALSE(c.spec);
  EXPECT_NE(c.errors.find("parameter 'N_EINSUMS' has no default"),
            std::string::npos);
}

TEST(Elaborator, DefaultsMayReferToEarlierParameters) {
  Compiled c("param A = 4; param B = A * 2 B;");
  ASSERT_TRUE(c.spec) << c.errors;
  EXPECT_EQ(c.spec->params[1].value.asNumber(), 64);
}

TEST(Elaborator, ConflictingRedeclaration) {
  Compiled c("param A = 4; param A = 5;");
  EXPECT_NE(c.errors.find("declared again with a different default"),
            std::string::npos);
}

TEST(Elaborator, EyerissFlattensWithFanouts) {
  ParamOverrides ov;
  ov["N_EINSUMS"] = {Value::number(1), {}};
  Compiled c(R"(import "arches/eyeriss.af"; import "workloads/basic/matmuls.af";)",
             ov);
  ASSERT_TRUE(c.spec) << c.errors;
  const Arch &a = c.spec->arches.at(0);
  auto paths = a.paths();
  ASSERT_EQ(paths.size(), 1u);
  ASSERT_EQ(paths[0].nodes.size(), 7u);
  EXPECT_EQ(paths[0].nodes[3].node->name, "InputScratchpad");
  EXPECT_EQ(paths[0].nodes[3].parentFanout, 168);
  EXPECT_EQ(a.find("GlobalBuffer")->field("size")->value->asNumber(),
            1048576);
  // Placement rules wait for the mapper.
  EXPECT_FALSE(a.find("GlobalBuffer")->field("keep")->value);
}

TEST(Elaborator, PerEinsumFieldsEvaluate) {
  // `size` depends on the Einsum's weight; checkArchForWorkload evaluates it
  // for each Einsum and a wrong unit in one Einsum is found.
  Compiled c(R"(
arch a {
  memory Main { size = inf; }
  memory Reg { size = weight.bits_per_value if weight else 1 s; keep = weight; }
  compute C {}
}
workload w {
  iteration_space { 0 <= m < 2; 0 <= k < 2; }
  bits_per_value { All: 8; }
  einsum Z[m] = A[m, k] * B[k] { renames { weight = B; } }
  einsum Y[m] = Z[m] { renames { weight = Nothing; } }
})");
  EXPECT_FALSE(c.spec);
  EXPECT_NE(c.errors.find("'size' must be a size in bits"), std::string::npos)
      << c.errors;
  EXPECT_NE(c.errors.find("for einsum 'Y'"), std::string::npos);
}
