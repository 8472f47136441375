//===- ScalingTest.cpp - technology tables and scale functions ------------===//
//
// Cases derivable by hand from the tables of component-models.md §3, and the
// reference factors that section lists (bit-exact where the document says
// they are).
//
//===----------------------------------------------------------------------===//

#include "afc/components/Scaling.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace afc::components;

TEST(TechNodeIndex, TableNodesAreIntegers) {
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(techNodeIndex(TechNodes[i]), i);
}

TEST(TechNodeIndex, InterpolatesBetweenNeighbours) {
  // 40 nm: between 45 (3) and 32 (4) nm, 8/13 of the way from 32 to 45.
  EXPECT_EQ(techNodeIndex(40e-9), 3.3846153846153846);
  EXPECT_DOUBLE_EQ(techNodeIndex(28e-9), 4 + 1.0 / 3);
  // 22 nm lies between the 32 and 20 nm entries.
  EXPECT_DOUBLE_EQ(techNodeIndex(22e-9), 5 - 1.0 / 6);
}

TEST(TechNodeArea, TableEntriesBetweenTableNodes) {
  // AREA_SCALING[from][to]: 32 -> 16 nm, 65 -> 16 nm, 130 -> 65 nm.
  EXPECT_EQ(techNodeArea(16e-9, 32e-9), 0.41);
  EXPECT_EQ(techNodeArea(16e-9, 65e-9), 0.13);
  EXPECT_EQ(techNodeArea(65e-9, 130e-9), 0.23);
  // Not reciprocal-symmetric.
  EXPECT_EQ(techNodeArea(130e-9, 65e-9), 4.3);
  EXPECT_EQ(techNodeArea(45e-9, 45e-9), 1.0);
}

TEST(TechNodeArea, FromTheAladdinBaseNode) {
  // 40 -> 45 nm: 1 * (1 - 0.3846...) + 2.2 * 0.3846... by hand.
  const double xf = 0.3846153846153846;
  EXPECT_DOUBLE_EQ(techNodeArea(45e-9, 40e-9), 1 * (1 - xf) + 2.2 * xf);
  // 40 -> 65 nm: the two non-zero terms 1.5 * 0.615... and 3.3 * 0.384...
  EXPECT_DOUBLE_EQ(techNodeArea(65e-9, 40e-9),
                   0.9230769230769231 + 1.269230769230769);
  // The reference factors of §3.3, exactly.
  EXPECT_EQ(techNodeArea(65e-9, 40e-9), 2.192307692307692);
  EXPECT_EQ(techNodeArea(16e-9, 40e-9), 0.2746153846153846);
  EXPECT_EQ(techNodeArea(32e-9, 40e-9), 0.6676923076923077);
  EXPECT_EQ(techNodeArea(22e-9, 40e-9), 0.3664102564102562);
  EXPECT_EQ(techNodeArea(7e-9, 40e-9), 0.08630769230769231);
  EXPECT_EQ(techNodeArea(130e-9, 40e-9), 9.323076923076922);
}

TEST(TechNodeArea, OutsideTheTableScalesLinearly) {
  // Clamped to 7 nm, the remaining 5/7 applied linearly.
  EXPECT_DOUBLE_EQ(techNodeArea(5e-9, 7e-9), 5.0 / 7);
  EXPECT_DOUBLE_EQ(techNodeArea(260e-9, 130e-9), 2.0);
  EXPECT_DOUBLE_EQ(techNodeArea(3.5e-9, 40e-9),
                   techNodeArea(7e-9, 40e-9) * 0.5);
}

TEST(TechNodeEnergy, PolynomialRatioBetweenTableNodes) {
  // E = a Vdd^2 + b Vdd + c at 0.8 V, ratio to / from.
  auto poly = [](int i) {
    return EnergyScaling[i][0] * 0.64 + EnergyScaling[i][1] * 0.8 +
           EnergyScaling[i][2];
  };
  EXPECT_DOUBLE_EQ(techNodeEnergy(16e-9, 32e-9), poly(6) / poly(4));
  EXPECT_DOUBLE_EQ(techNodeEnergy(90e-9, 45e-9), poly(1) / poly(3));
  EXPECT_EQ(techNodeEnergy(45e-9, 45e-9), 1.0);
  // Listed pairs of §3.3.
  EXPECT_EQ(techNodeEnergy(16e-9, 32e-9), 0.263214104382233);
  EXPECT_EQ(techNodeEnergy(16e-9, 65e-9), 0.13988369388229813);
  EXPECT_EQ(techNodeEnergy(65e-9, 130e-9), 0.40437579953344904);
}

TEST(TechNodeEnergy, FromTheAladdinBaseNode) {
  // P(3) = 0.69302, P(2) = 0.8598 at 0.8 V; 40 nm interpolates P(3), P(4).
  const double xe = 0.6022184615384616;
  EXPECT_DOUBLE_EQ(techNodeEnergy(45e-9, 40e-9), 0.6930200000000001 / xe);
  EXPECT_DOUBLE_EQ(techNodeEnergy(65e-9, 40e-9), 0.8598000000000008 / xe);
  EXPECT_EQ(techNodeEnergy(65e-9, 40e-9), 1.42772109278003);
  EXPECT_EQ(techNodeEnergy(16e-9, 40e-9), 0.19971490029174185);
  EXPECT_EQ(techNodeEnergy(32e-9, 40e-9), 0.7587545536758957);
  EXPECT_EQ(techNodeEnergy(22e-9, 40e-9), 0.33845303603939597);
  EXPECT_EQ(techNodeEnergy(7e-9, 40e-9), 0.10852872200734723);
  EXPECT_EQ(techNodeEnergy(130e-9, 40e-9), 3.530678874520363);
  // Leak uses the energy law.
  EXPECT_EQ(techNodeLeak(16e-9, 40e-9), techNodeEnergy(16e-9, 40e-9));
}

TEST(TechNodeEnergy, OutsideTheTableScalesWithSquareRoot) {
  EXPECT_DOUBLE_EQ(techNodeEnergy(3.5e-9, 7e-9), std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(techNodeEnergy(260e-9, 130e-9), std::sqrt(2.0));
  // Energy stops scaling at 1 nm.
  EXPECT_EQ(techNodeEnergy(0.5e-9, 7e-9), techNodeEnergy(1e-9, 7e-9));
}

TEST(TechNodeEnergy, OtherSupplyVoltage) {
  auto poly = [](int i, double v) {
    return EnergyScaling[i][0] * v * v + EnergyScaling[i][1] * v +
           EnergyScaling[i][2];
  };
  EXPECT_DOUBLE_EQ(techNodeEnergy(16e-9, 32e-9, 0.9),
                   poly(6, 0.9) / poly(4, 0.9));
}

TEST(TechNodeTiming, LatencyAndThroughputAreLinear) {
  EXPECT_EQ(techNodeLatency(65e-9, 40e-9), 1.625);
  EXPECT_EQ(techNodeThroughput(65e-9, 40e-9), 0.6153846153846154);
  EXPECT_EQ(techNodeThroughput(16e-9, 40e-9), 2.5);
  EXPECT_EQ(techNodeLatency(22e-9, 40e-9), 0.5499999999999999);
  EXPECT_EQ(techNodeThroughput(22e-9, 40e-9), 1.8181818181818183);
}

TEST(TechNodeTable, Range) {
  EXPECT_TRUE(isInTechNodeTable(7e-9));
  EXPECT_TRUE(isInTechNodeTable(130e-9));
  EXPECT_TRUE(isInTechNodeTable(40e-9));
  EXPECT_FALSE(isInTechNodeTable(5e-9));
  EXPECT_FALSE(isInTechNodeTable(180e-9));
}

TEST(PythonSum, MatchesCPythonCompensatedSum) {
  // eyeriss InputScratchpad area (component-models.md §7.3; the register
  // area there is printed rounded to 5.244e-11): the compensated sum
  // differs from the naive one in the last bit.
  const double terms[] = {2.0630343749999996e-10, 5.2439999999999995e-11,
                          5.2439999999999995e-11, 7.618269230769231e-11};
  EXPECT_EQ(pythonSum(terms, 4), 3.8736612980769225e-10);
  EXPECT_EQ(((terms[0] + terms[1]) + terms[2]) + terms[3],
            3.873661298076922e-10);
  EXPECT_EQ(pythonSum({0.1, 0.2, 0.3}), 0.6); // naive: 0.6000000000000001
  EXPECT_EQ(pythonSum({}), 0.0);
  EXPECT_EQ(pythonSum({1e100, 1.0, -1e100}), 1.0);
}

TEST(ScaleFunctions, Values) {
  EXPECT_EQ(scale::linear(8, 32), 0.25);
  EXPECT_EQ(scale::reciprocal(2, 1), 0.5);
  EXPECT_EQ(scale::quadratic(8, 32), 0.0625);
  EXPECT_EQ(scale::powBase(2, 10, 8), 4.0);
  EXPECT_DOUBLE_EQ(scale::nlogBase(2, 8, 4), 3.0);
  EXPECT_DOUBLE_EQ(scale::nlog2n(8, 2), 8.0);
  EXPECT_EQ(scale::cactiDepthEnergy(0.5, 1), 0.5823667932342279);
  EXPECT_EQ(scale::cactiDepthArea(3, 4), 0.75);
  EXPECT_EQ(scale::cactiDepthLeak(3, 4), 0.75);
  EXPECT_EQ(scale::noscale(3, 4), 1.0);
}
