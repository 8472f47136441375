//===- DseTest.cpp - the seed design-space sweep ---------------------------===//
//
// dse_eyeriss_glb_sweep.csv: eyeriss, one 4096^3 matmul, metric energy, the
// GlobalBuffer size swept over 32 log-spaced values. For several points, the
// GlobalBuffer's figures at that size come from afcComponents
// (SmartBufferSRAM, 32 banks, 65 nm, 64 bits per action; the components
// suite checks the sweep's areas against the CSV), the other components from
// hwcomponents_expected.json; the mapper's optimum must reproduce the CSV's
// energy per compute and its per-component split within 1e-6.
//
//===----------------------------------------------------------------------===//

#include "MapperTestSupport.h"

#include "afc/components/ModelLibrary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace afc;
using namespace afc::mapper;

namespace {

// The CSV's figures are float32 printed to 9 significant digits (exact to
// about 6e-8 relative); the measured worst error over the five points is
// 3.7e-8, so 1e-6 passes with a 16x margin and fails on any real change.
constexpr double kTolerance = 1e-6;

struct CsvRow {
  std::map<std::string, double> fields;
};

std::vector<CsvRow> readSweep() {
  std::ifstream in(std::string(AFC_SOURCE_DIR) +
                   "/test/data/dse_eyeriss_glb_sweep.csv");
  std::vector<CsvRow> rows;
  std::string line;
  // The CSV has CRLF line ends.
  auto chomp = [](std::string &l) {
    if (!l.empty() && l.back() == '\r')
      l.pop_back();
  };
  if (!std::getline(in, line))
    return rows;
  chomp(line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string f; std::getline(hs, f, ',');)
    header.push_back(f);
  while (std::getline(in, line)) {
    chomp(line);
    CsvRow row;
    std::stringstream ss(line);
    size_t i = 0;
    for (std::string f; std::getline(ss, f, ',') && i < header.size(); ++i)
      row.fields[header[i]] = std::stod(f);
    rows.push_back(row);
  }
  return rows;
}

const components::ModelLibrary &library() {
  static const components::ModelLibrary lib = [] {
    auto loaded = components::ModelLibrary::load(
        std::string(AFC_SOURCE_DIR) + "/stdlib/data/sram_cacti7.csv");
    if (!loaded) {
      ADD_FAILURE() << loaded.error().message;
      return components::ModelLibrary();
    }
    return std::move(*loaded);
  }();
  return lib;
}

class GlobalBufferSweep : public ::testing::TestWithParam<int> {};

TEST_P(GlobalBufferSweep, EnergyPerComputeAndSplit) {
  int i = GetParam();
  std::vector<CsvRow> rows = readSweep();
  ASSERT_EQ(rows.size(), 32u);
  const CsvRow &expected = rows[size_t(i)];
  // The walkthrough's sizes, unrounded (the CSV prints 6 decimals).
  double size = 256 * std::pow(33554432.0 / 256, i / 31.0);

  components::ComponentRequest req;
  req.name = "GlobalBuffer";
  req.componentClass = "SmartBufferSRAM";
  req.attributes = {{"size", size}, {"n_banks", 32}, {"tech_node", 65e-9}};
  for (const char *a : {"read", "write"}) {
    components::ActionRequest ar;
    ar.name = a;
    ar.bitsPerAction = 64;
    req.actions.push_back(ar);
  }
  auto costs = library().evaluate(req);
  ASSERT_TRUE(bool(costs)) << costs.error().message;

  MapperProblem p = test::eyerissProblem(
      model::test::makeMatmuls(1, 4096, 4096), test::matmulRoles(1, 0),
      model::test::loadData("hwcomponents_expected.json").at("eyeriss"));
  for (model::FlattenedArch &a : p.problem.architectures)
    for (model::ArchNode &n : a.nodes)
      if (n.name == "GlobalBuffer") {
        n.size = size;
        n.area = costs->area;
        n.leakPower = costs->leakPower;
        for (model::Action &act : n.actions) {
          const components::ActionCosts *c = costs->action(act.name);
          ASSERT_NE(c, nullptr);
          act.energy = c->energy;
          act.throughput = c->throughput;
        }
      }
  p.settings.metric = Metric::Energy;
  auto r = map(p);
  ASSERT_TRUE(bool(r)) << r.error().message;

  double computes = r->result.computes;
  ASSERT_GT(computes, 0);
  double worst = 0;
  auto check = [&](const std::string &what, double actual, double want) {
    double err = model::test::relativeError(actual, want);
    worst = std::max(worst, err);
    EXPECT_LE(err, kTolerance)
        << what << ": got " << actual << ", expected " << want;
  };
  check("energy_per_compute_pJ", r->result.energy / computes * 1e12,
        expected.fields.at("energy_per_compute_pJ"));
  for (const char *c : {"MainMemory", "GlobalBuffer", "InputScratchpad",
                        "WeightScratchpad", "OutputScratchpad", "MAC"}) {
    double e = 0;
    for (const model::EnergyEntry &entry : r->result.energyPerComponent())
      if (entry.component == c)
        e += entry.energy;
    check(std::string("E_") + c, e / computes * 1e12,
          expected.fields.at(std::string("E_") + c + "_pJ_per_compute"));
  }
  check("latency_s", r->result.latency, expected.fields.at("latency_s"));
  std::cout << "[ dse ] size " << size << " bits: "
            << r->result.energy / computes * 1e12 << " pJ/MAC, "
            << r->stats.evaluatedPmappings << " evaluated, "
            << r->stats.seconds << " s (reference "
            << expected.fields.at("map_wall_s") << " s); worst rel. error "
            << worst << "\n    " << r->choices[0].templateDescription
            << "\n";
}

// The smallest and largest buffers, the walkthrough's 1 Mb neighbourhood and
// two points in between.
INSTANTIATE_TEST_SUITE_P(Points, GlobalBufferSweep,
                         ::testing::Values(0, 8, 17, 24, 31));

} // namespace
