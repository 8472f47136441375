//===- DseTest.cpp - the seed design-space sweep --------------------------===//
//
// dse_eyeriss_glb_sweep.csv: eyeriss, one 4096^3 matmul, metric energy, the
// GlobalBuffer size swept over 32 log-spaced values. For several points,
// stdlib eyeriss.af with workloads/basic/matmuls.af is compiled and lowered
// with the GlobalBuffer's size overridden as the study's sweep does (its
// figures at that size come from afcComponents); the mapper's optimum must
// reproduce the CSV's energy per compute and its per-component split within
// 1e-6.
//
//===----------------------------------------------------------------------===//

#include "ReferenceData.h"
#include "StdlibProblems.h"

#include "afc/mapper/Mapper.h"
#include "afc/support/Units.h"

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

class GlobalBufferSweep : public ::testing::TestWithParam<int> {};

TEST_P(GlobalBufferSweep, EnergyPerComputeAndSplit) {
  int i = GetParam();
  std::vector<CsvRow> rows = readSweep();
  ASSERT_EQ(rows.size(), 32u);
  const CsvRow &expected = rows[size_t(i)];
  // The walkthrough's sizes, unrounded (the CSV prints 6 decimals).
  double size = 256 * std::pow(33554432.0 / 256, i / 31.0);

  lower::PointOverrides point;
  point.fields["GlobalBuffer"]["size"] = ir::Value::number(size, dim::bits);
  afc::test::Lowered l = afc::test::lowerStdlib(
      "eyeriss", "basic/matmuls",
      afc::test::params({{"N_EINSUMS", 1}, {"M", 4096}, {"KN", 4096}}),
      &point, /*unfused=*/false);
  ASSERT_TRUE(l.problem) << l.compiled->errors;
  MapperProblem &p = *l.problem;
  p.settings.metric = Metric::Energy;
  auto r = map(p);
  ASSERT_TRUE(bool(r)) << r.error().message;

  double computes = r->result.computes;
  ASSERT_GT(computes, 0);
  double worst = 0;
  auto check = [&](const std::string &what, double actual, double want) {
    double err = afc::test::relativeError(actual, want);
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
