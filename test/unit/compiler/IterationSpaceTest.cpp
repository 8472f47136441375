//===- IterationSpaceTest.cpp - exact point counts ------------------------===//
//
// Expected counts are derived by hand (each case's comment shows how).
//
//===----------------------------------------------------------------------===//
#include "afc/ir/IterationSpace.h"

#include <gtest/gtest.h>

using namespace afc::ir;

namespace {

AffineConstraint window(std::vector<std::pair<size_t, int64_t>> terms,
                        int64_t size, int64_t constant = 0) {
  AffineConstraint c;
  c.terms = std::move(terms);
  c.constant = constant;
  c.lower = 0;
  c.upper = size - 1;
  return c;
}

TEST(IterationSpace, BoxWithoutConstraintsIsTheProductOfExtents) {
  EXPECT_EQ(*countIterationSpace({{0, 2}, {0, 3}}, {}, 100), 12);
}

TEST(IterationSpace, SlidingWindowDropsTheHalo) {
  // 0 <= p < 28, 0 <= r < 3, 0 <= p + r < 28: 28 * 3 less the pairs past
  // the edge, (26, 2), (27, 1), (27, 2): 81.
  EXPECT_EQ(*countIterationSpace({{0, 27}, {0, 2}}, {window({{0, 1}, {1, 1}}, 28)},
                                 100),
            81);
  // Two such windows and an unconstrained rank of 192: 81 * 81 * 192, the
  // MobileNet depthwise Einsum's 1,259,712.
  EXPECT_EQ(*countIterationSpace({{0, 27}, {0, 2}, {0, 27}, {0, 2}, {0, 191}},
                                 {window({{0, 1}, {1, 1}}, 28),
                                  window({{2, 1}, {3, 1}}, 28)},
                                 1000),
            1259712);
}

TEST(IterationSpace, StridesAndNegativeCoefficients) {
  // 0 <= 2p + r < 7 with p < 4, r < 3: p = 0, 1, 2 take every r, p = 3
  // only r = 0: 10.
  EXPECT_EQ(*countIterationSpace({{0, 3}, {0, 2}}, {window({{0, 2}, {1, 1}}, 7)},
                                 100),
            10);
  // 0 <= p - r < 4 with p, r < 4: the pairs p >= r, 4 + 3 + 2 + 1.
  EXPECT_EQ(*countIterationSpace({{0, 3}, {0, 3}}, {window({{0, 1}, {1, -1}}, 4)},
                                 100),
            10);
}

TEST(IterationSpace, ThreeLinkedVariables) {
  // p + r + s <= 2 over non-negative integers: C(2 + 3, 3) = 10.
  EXPECT_EQ(*countIterationSpace({{0, 2}, {0, 2}, {0, 2}},
                                 {window({{0, 1}, {1, 1}, {2, 1}}, 3)}, 100),
            10);
}

TEST(IterationSpace, ConstantOutsideItsRankIsEmpty) {
  // X[5] with a rank of size 3.
  EXPECT_EQ(*countIterationSpace({{0, 3}}, {window({}, 3, 5)}, 100), 0);
}

TEST(IterationSpace, StopsAtTheStepBudget) {
  // The narrower of two 1000-wide variables is enumerated: 1000 steps.
  EXPECT_FALSE(countIterationSpace({{0, 999}, {0, 999}},
                                   {window({{0, 1}, {1, 1}}, 1000)}, 10)
                   .has_value());
  EXPECT_EQ(*countIterationSpace({{0, 999}, {0, 999}},
                                 {window({{0, 1}, {1, 1}}, 1000)}, 2000),
            500500);
}

} // namespace
