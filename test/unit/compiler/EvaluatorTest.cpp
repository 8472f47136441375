//===- EvaluatorTest.cpp - expressions and set expressions ----------------===//
#include "TestUtil.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace afc;
using namespace afc::ir;
using afc::test::evalText;

TEST(Evaluator, PythonArithmetic) {
  EXPECT_EQ(evalText("floor(7 / 2)")->asNumber(), 3);
  EXPECT_EQ(evalText("floor(-7 / 2)")->asNumber(), -4);
  EXPECT_EQ(evalText("-7 % 3")->asNumber(), 2);
  EXPECT_EQ(evalText("2 ** 10")->asNumber(), 1024);
  EXPECT_EQ(evalText("-2 ** 2")->asNumber(), -4);
  EXPECT_EQ(evalText("1 if 0 else 2")->asNumber(), 2);
  EXPECT_TRUE(evalText("0 <= 3 < 4")->asBool());
  EXPECT_FALSE(evalText("0 <= 5 < 4")->asBool());
  EXPECT_EQ(evalText("0 or 5")->asNumber(), 5);
  EXPECT_EQ(evalText("sum(x * x for x in range(4))")->asNumber(), 14);
  EXPECT_EQ(evalText("max([3, 9, 2])")->asNumber(), 9);
  EXPECT_EQ(evalText("len([x for x in range(10) if x % 3 == 0])")->asNumber(),
            4);
  EXPECT_TRUE(std::isinf(evalText("inf")->asNumber()));
}

TEST(Evaluator, LogspaceMatchesTheWalkthrough) {
  // size_start * (size_end / size_start) ** (i / (n - 1))
  auto v = evalText("logspace(256, 33554432, 32)");
  ASSERT_TRUE(v);
  ASSERT_EQ(v->asList().size(), 32u);
  // Within 4 ulps, not bit for bit: Clang turns this test's pow of a
  // constant power of two into exp2 (the seed-sweep test checks the bytes).
  for (int i = 0; i < 32; ++i)
    EXPECT_DOUBLE_EQ(v->asList()[i].asNumber(),
                     256 * std::pow(33554432.0 / 256, i / 31.0));
}

TEST(Evaluator, Errors) {
  std::string err;
  EXPECT_FALSE(evalText("lenn([1])", &err));
  EXPECT_NE(err.find("did you mean 'len'"), std::string::npos);
  EXPECT_FALSE(evalText("[1, 2][5]", &err));
  EXPECT_NE(err.find("out of range"), std::string::npos);
  EXPECT_FALSE(evalText("1 % 0", &err));
  EXPECT_FALSE(evalText("range(1, 2, 0)", &err));
}

/// Set expressions in the scope of one Einsum.
class SetExpressions : public ::testing::Test {
protected:
  void SetUp() override {
    ctx.tensors = NameSet::of(NameSet::Tensors, {"A", "B", "Z"});
    ctx.rankVariables = NameSet::of(NameSet::RankVariables, {"k", "m", "n"});
    ctx.bitsPerValue = {{"A", 8}, {"B", 4}, {"Z", 16}};
    ctx.tensorRankVariables["A"] = NameSet::of(NameSet::RankVariables,
                                               {"m", "k"});
    scope = std::make_shared<Scope>(nullptr, &ctx);
    auto set = [](std::vector<std::string> v) {
      return Value::set(NameSet::of(NameSet::Tensors, v));
    };
    scope->define("All", set({"A", "B", "Z"}));
    scope->define("Inputs", set({"A", "B"}));
    scope->define("Outputs", set({"Z"}));
    scope->define("Nothing", set({}));
    scope->define("A", set({"A"}));
    scope->define("B", set({"B"}));
  }
  std::string eval(const std::string &text) {
    std::string errors;
    std::optional<Value> v = afc::test::evalIn(text, *scope, &errors);
    return v ? v->str() : "error: " + errors;
  }
  EinsumContext ctx;
  std::shared_ptr<Scope> scope;
};

TEST_F(SetExpressions, Operators) {
  EXPECT_EQ(eval("~Outputs"), "{A, B}");
  EXPECT_EQ(eval("Inputs | Outputs"), "{A, B, Z}");
  EXPECT_EQ(eval("Inputs & A"), "{A}");
  EXPECT_EQ(eval("All - A"), "{B, Z}");
  EXPECT_EQ(eval("Inputs ^ (A | Outputs)"), "{B, Z}");
  EXPECT_EQ(eval("~Nothing"), "{A, B, Z}");
  EXPECT_EQ(eval("len(All)"), "3");
  EXPECT_EQ(eval("Inputs if len(All) == 3 else All"), "{A, B}");
  EXPECT_EQ(eval("A.bits_per_value"), "8");
  EXPECT_EQ(eval("A.rank_variables"), "{k, m}");
  EXPECT_EQ(eval("\"A\" in Inputs"), "true");
  EXPECT_EQ(eval("sum(t.bits_per_value for t in All)"), "28");
}

TEST_F(SetExpressions, Errors) {
  EXPECT_NE(eval("All.bits_per_value").find("exactly one tensor"),
            std::string::npos);
  EXPECT_NE(eval("All + 1").find("cannot apply '+'"), std::string::npos);
  EXPECT_NE(eval("~3").find("'~' takes a set"), std::string::npos);
}
