//===- TechNodeSweepTest.cpp - eyeriss at other nodes and sizes -----------===//
//
// The eyeriss components re-evaluated at 45, 28 and 90 nm, checked against
// the scaling rules by hand: Aladdin parts follow the Stillmaker & Baas
// tables from 40 nm, the SRAM uses the exact CACTI row at a native node and
// interpolates linearly between 22 and 32 nm at 28 nm, and the DRAM does not
// depend on the node. Then the GlobalBuffer size sweep of the DSE
// walkthrough against the reference's per-size areas.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "afc/components/Scaling.h"

#include <fstream>
#include <sstream>

using namespace afc::components;
using namespace afc::components::test;

namespace {

/// x = index of 40 nm in the tables and its fractional part.
constexpr double X40 = 3.3846153846153846;
constexpr double XF = X40 - 3;
/// a Vdd^2 + b Vdd + c at 0.8 V of one table node.
double poly(int i) {
  return EnergyScaling[i][0] * 0.64 + EnergyScaling[i][1] * 0.8 +
         EnergyScaling[i][2];
}
/// The 40 nm energy polynomial, interpolated between 45 and 32 nm.
double poly40() { return poly(3) * (1 - XF) + poly(4) * XF; }

struct Factors {
  double area, energy, throughput;
};

/// Aladdin factors from 40 nm to a table node (an integer index `to`).
Factors toTableNode(int to, double node) {
  double area = AreaScaling[3][to] * (1 - XF) + AreaScaling[4][to] * XF;
  return {area, poly(to) / poly40(), 40e-9 / node};
}

Attributes at(double node, Attributes a) {
  a.set("tech_node", node);
  return a;
}

const double Tol = 1e-12;

} // namespace

TEST(EyerissAtOtherNodes, MacFollowsTheAladdinTables) {
  // 45 nm (index 3) and 90 nm (index 1): table nodes, so the factor is a
  // two-term interpolation in the `from` index only.
  for (auto [node, index] : {std::pair{45e-9, 3}, std::pair{90e-9, 1}}) {
    Factors f = toTableNode(index, node);
    ComponentCosts mac = evaluateOrFail(
        compute("MAC", "IntMAC",
                at(node, {{"multiplier_width", 8}, {"adder_width", 16}})));
    // Adder linear in 16/32, multiplier quadratic in 8/32.
    EXPECT_TRUE(closeRel(
        mac.area, 278e-12 * f.area * 0.5 + 6350e-12 * f.area * 0.0625, Tol));
    EXPECT_TRUE(closeRel(mac.leakPower,
                         2.4e-6 * f.energy * 0.5 + 8e-5 * f.energy * 0.0625,
                         Tol));
    EXPECT_TRUE(closeRel(mac.actions[0].energy,
                         (0.21e-12 * 0.5 + 12.68e-12 * 0.0625) * f.energy,
                         Tol));
    EXPECT_TRUE(closeRel(mac.actions[0].throughput, 1e9 * f.throughput, Tol));
    EXPECT_FALSE(mac.isApproximate());
  }
  // 28 nm: index 4 1/3, between 32 (4) and 20 (5) nm in both indices.
  const double yf = 1.0 / 3;
  double area = AreaScaling[3][4] * (1 - XF) * (1 - yf) +
                AreaScaling[3][5] * (1 - XF) * yf +
                AreaScaling[4][4] * XF * (1 - yf) + AreaScaling[4][5] * XF * yf;
  double energy = (poly(4) * (1 - yf) + poly(5) * yf) / poly40();
  ComponentCosts mac = evaluateOrFail(
      compute("MAC", "IntMAC",
              at(28e-9, {{"multiplier_width", 8}, {"adder_width", 16}})));
  EXPECT_TRUE(
      closeRel(mac.area, (278e-12 * 0.5 + 6350e-12 * 0.0625) * area, Tol));
  EXPECT_TRUE(closeRel(mac.actions[0].energy,
                       (0.21e-12 * 0.5 + 12.68e-12 * 0.0625) * energy, Tol));
  EXPECT_TRUE(closeRel(mac.actions[0].throughput, 1e9 * 40 / 28, Tol));
}

TEST(EyerissAtOtherNodes, ScratchpadUsesTheNativeCactiRow) {
  // InputScratchpad (192 bits: 16 x 12, padded 32 x 64) at 45 nm uses the
  // 0.045 um row (256 B, 4 B blocks) with widthscale 0.5, depthscale
  // 0.1875; registers and adder are 4 bits wide.
  Factors f = toTableNode(3, 45e-9);
  ComponentCosts c = evaluateOrFail(
      memory("InputScratchpad", "SmartBufferSRAM", at(45e-9, {{"size", 192}})));
  const double ws = 0.5, ds = 0.1875;
  const double energyFit = (ws * 0.7 + 0.3) * std::pow(ds, 0.78);
  double sramArea = 0.00105536e-6 * ws * ds;
  double regArea = 5.98e-12 * f.area * 4;
  double adderArea = 278e-12 * f.area * (4.0 / 32);
  EXPECT_TRUE(closeRel(c.area, sramArea + 2 * regArea + adderArea, Tol));
  double sramLeak = 1.16591e-05 * 1e-3 * ws * ds;
  EXPECT_TRUE(
      closeRel(c.leakPower, sramLeak + 2.4e-6 * f.energy * (4.0 / 32), Tol));
  double regEnergy = 0.009e-12 * f.energy * 4;
  double adderEnergy = 0.21e-12 * f.energy * (4.0 / 32);
  double read16 = 0.000671565e-9 * energyFit + 2 * regEnergy + adderEnergy;
  EXPECT_TRUE(closeRel(c.action("read")->energy, read16 / 16, Tol));
  // The adder (1 GHz x 40/45) is slower than the SRAM (1 / 0.489138 ns).
  EXPECT_TRUE(closeRel(c.action("read")->throughput, 1e9 * 40 / 45 * 16, Tol));
  EXPECT_FALSE(c.isApproximate());
}

TEST(EyerissAtOtherNodes, GlobalBufferAt90nm) {
  // 1 Mibit, 32 banks: 1024 x 1024, depth padded to 2048 (depthscale 0.5);
  // the 0.09 um row; 10-bit address registers and adder.
  Factors f = toTableNode(1, 90e-9);
  ComponentCosts c = evaluateOrFail(
      memory("GlobalBuffer", "SmartBufferSRAM",
             at(90e-9, {{"size", 1024 * 1024}, {"n_banks", 32}}), 64));
  double sramArea = 26.2494e-6 * 0.5;
  EXPECT_TRUE(closeRel(c.area,
                       sramArea + 2 * 5.98e-12 * f.area * 10 +
                           278e-12 * f.area * (10.0 / 32),
                       Tol));
  // Leak per bank times the 32 requested banks.
  EXPECT_TRUE(closeRel(
      c.leakPower, 0.00765616e-3 * 32 * 0.5 + 2.4e-6 * f.energy * (10.0 / 32),
      Tol));
  double read1024 = 4.33375e-9 * std::pow(0.5, 0.78) +
                    2 * 0.009e-12 * f.energy * 10 +
                    0.21e-12 * f.energy * (10.0 / 32);
  EXPECT_TRUE(closeRel(c.action("read")->energy, read1024 * 64 / 1024, Tol));
  // The adder at 1e9 x 40/90 per 1024-bit access, 16 accesses per 64 bits.
  EXPECT_TRUE(closeRel(c.action("read")->throughput, 1e9 * 40 / 90 * 16, Tol));
  EXPECT_FALSE(c.isApproximate());
}

TEST(EyerissAtOtherNodes, SramInterpolatesBetween22And32nmAt28nm) {
  // The SRAM alone: at 28 nm every output is 0.4 x (22 nm) + 0.6 x (32 nm).
  const std::pair<const char *, Attributes> buffers[] = {
      {"GlobalBuffer", {{"size", 1024 * 1024}, {"n_banks", 32}}},
      {"InputScratchpad", {{"size", 192}}},
      {"WeightScratchpad", {{"size", 3072}}},
      {"OutputScratchpad", {{"size", 256}}},
  };
  for (const auto &buffer : buffers) {
    // Clang 14 cannot capture a structured binding.
    const char *name = buffer.first;
    const Attributes &attrs = buffer.second;
    auto eval = [&](double node) {
      return evaluateOrFail(memory(name, "SRAM", at(node, attrs)));
    };
    ComponentCosts c22 = eval(22e-9), c32 = eval(32e-9), c28 = eval(28e-9);
    auto mix = [](double a, double b) { return 0.4 * a + 0.6 * b; };
    EXPECT_TRUE(closeRel(c28.area, mix(c22.area, c32.area), Tol)) << name;
    EXPECT_TRUE(closeRel(c28.leakPower, mix(c22.leakPower, c32.leakPower), Tol))
        << name;
    for (const char *a : {"read", "write"}) {
      EXPECT_TRUE(closeRel(c28.action(a)->energy,
                           mix(c22.action(a)->energy, c32.action(a)->energy),
                           Tol))
          << name << " " << a;
      // Throughput is 1 / cycle time, and the cycle time interpolates.
      EXPECT_TRUE(closeRel(
          1 / c28.action(a)->throughput,
          mix(1 / c22.action(a)->throughput, 1 / c32.action(a)->throughput),
          Tol))
          << name << " " << a;
    }
    EXPECT_FALSE(c28.isApproximate()) << name;
  }
}

TEST(EyerissAtOtherNodes, EveryComponentExactAtEachNode) {
  for (double node : {45e-9, 28e-9, 90e-9}) {
    const ComponentRequest requests[] = {
        memory("MainMemory", "LPDDR4", at(node, {{"size", INFINITY}})),
        memory("GlobalBuffer", "SmartBufferSRAM",
               at(node, {{"size", 1024 * 1024}, {"n_banks", 32}}), 64),
        memory("InputScratchpad", "SmartBufferSRAM", at(node, {{"size", 192}})),
        memory("WeightScratchpad", "SmartBufferSRAM",
               at(node, {{"size", 3072}})),
        memory("OutputScratchpad", "SmartBufferSRAM",
               at(node, {{"size", 256}})),
        compute("MAC", "IntMAC",
                at(node, {{"multiplier_width", 8}, {"adder_width", 16}})),
    };
    for (const ComponentRequest &r : requests) {
      ComponentCosts c = evaluateOrFail(r);
      EXPECT_FALSE(c.isApproximate()) << r.name << " at " << node;
      if (r.componentClass != "LPDDR4") {
        EXPECT_GT(c.leakPower, 0.0) << r.name;
      }
    }
    // The DRAM does not depend on the technology.
    ComponentCosts dram = evaluateOrFail(requests[0]);
    EXPECT_EQ(dram.actions[0].energy, 8e-12);
    EXPECT_EQ(dram.actions[0].throughput, 3355443200.0);
    EXPECT_EQ(dram.area, 0.0);
  }
}

TEST(GlobalBufferSweep, AreasMatchTheReferenceSweep) {
  // dse_eyeriss_glb_sweep.csv: the reference's GlobalBuffer area at each of
  // the 32 sizes (stored as float32, so compared to 2e-7).
  std::ifstream in(sourcePath("test/data/dse_eyeriss_glb_sweep.csv"));
  ASSERT_TRUE(in);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');)
      header.push_back(f);
  }
  size_t areaColumn =
      std::find(header.begin(), header.end(), "A_GlobalBuffer_m2") -
      header.begin();
  ASSERT_LT(areaColumn, header.size());
  int i = 0;
  for (; std::getline(in, line); ++i) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');)
      fields.push_back(f);
    double expectedArea = std::stod(fields[areaColumn]);
    // The sizes as the walkthrough computes them (the CSV prints 6 decimals).
    double size = 256 * std::pow(33554432.0 / 256, i / 31.0);
    ComponentCosts c = evaluateOrFail(
        memory("GlobalBuffer", "SmartBufferSRAM",
               {{"size", size}, {"n_banks", 32}, {"tech_node", 65e-9}}, 64));
    EXPECT_TRUE(closeRel(c.area, expectedArea, 2e-7)) << "size " << size;
    EXPECT_FALSE(c.isApproximate()) << "size " << size;
  }
  EXPECT_EQ(i, 32);
}
