//===- StudyReportTest.cpp - rows, plot series and report files -----------===//
//
// The study library is fed plain figures, so its column naming, plot
// planning and all-or-nothing report writing can be tested without the
// compiler or the model.
//
//===----------------------------------------------------------------------===//
#include "afc/study/StudyReport.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace afc::study;
namespace fs = std::filesystem;

namespace {

ResultTable twoPoints() {
  ResultTable t;
  t.resize(2);
  addStandardColumns(t, {"GlobalBuffer.size_bits"});
  for (size_t i = 0; i < 2; ++i) {
    t.set(i, "point", double(i));
    t.set(i, "GlobalBuffer.size_bits", 256.0 * (i + 1));
    PointFigures f;
    f.energy = 2e-9 * (i + 1);
    f.latency = 1e-6;
    f.computes = 1000;
    f.componentEnergy = {{"MainMemory", 1e-9}, {"GlobalBuffer", 5e-10}};
    f.components = {{"MainMemory", 0, 0, false},
                    {"GlobalBuffer", 2e-6, 1e-3, true}};
    fillRow(t, i, f);
  }
  return t;
}

TEST(StudyReport, ColumnsCarryTheirUnits) {
  ResultTable t = twoPoints();
  const std::vector<std::string> &c = t.columns();
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(c[0], "point");
  EXPECT_EQ(c[1], "GlobalBuffer.size_bits");
  EXPECT_EQ(c[2], "status");
  EXPECT_DOUBLE_EQ(*t.number(1, "energy_per_compute_pJ"), 4.0);
  EXPECT_DOUBLE_EQ(*t.number(0, "E_MainMemory_pJ_per_compute"), 1.0);
  EXPECT_DOUBLE_EQ(*t.number(0, "A_GlobalBuffer_mm2"), 2.0);
  EXPECT_DOUBLE_EQ(*t.number(0, "edp_Js"), 2e-15);
}

TEST(StudyReport, MetricNamesAndLabels) {
  EXPECT_EQ(metricColumn("energy_per_compute"), "energy_per_compute_pJ");
  EXPECT_EQ(metricColumn("my_column"), "my_column");
  EXPECT_EQ(metricLabel("area_mm2"), "Area (mm^2)");
  EXPECT_EQ(metricLabel("my_column"), "my_column");
}

TEST(StudyReport, PerComponentPlotHasASeriesPerComponent) {
  ResultTable t = twoPoints();
  PlotRequest r;
  r.xColumn = "GlobalBuffer.size_bits";
  r.metric = "energy_per_compute";
  r.kind = "per_component";
  PlotSpec spec;
  ASSERT_FALSE(planPlot(t, r, spec));
  ASSERT_EQ(spec.series.size(), 2u);
  EXPECT_EQ(spec.series[0].name, "MainMemory");
  EXPECT_EQ(spec.series[1].x, (std::vector<double>{256, 512}));
  EXPECT_EQ(spec.yLabel, "Energy per compute (pJ)");
}

TEST(StudyReport, PlotErrorsSayWhatIsWrong) {
  ResultTable t = twoPoints();
  PlotRequest r;
  r.xColumn = "GlobalBuffer.size_bits";
  r.metric = "latency";
  r.kind = "per_component";
  PlotSpec spec;
  EXPECT_EQ(planPlot(t, r, spec).value_or(""),
            "a per-component plot draws energy_per_compute or area");
  r.kind = "stacked";
  EXPECT_EQ(planPlot(t, r, spec).value_or(""),
            "unknown plot kind 'stacked' (use per_component, or leave it out)");
  r.kind = "";
  r.metric = "nothing";
  EXPECT_EQ(planPlot(t, r, spec).value_or(""),
            "no result column 'nothing' to plot");
}

TEST(StudyReport, ReportsReplaceTheTargetWhole) {
  fs::path dir = fs::temp_directory_path() / "afc-study-report-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "r.csv").string();
  std::ofstream(path) << "old\n";
  ResultTable t = twoPoints();
  ASSERT_FALSE(writeReport(t, ReportFormat::CSV, "s", path));
  std::ostringstream expected;
  t.writeCSV(expected);
  std::ifstream in(path);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), expected.str());
  // Nothing but the report is left in the folder.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), {}), 1);
  fs::remove_all(dir);
}

TEST(StudyReport, AFailedReportLeavesNothingBehind) {
  std::string path = "/nonexistent-afc-folder/r.csv";
  EXPECT_EQ(
      writeReport(ResultTable(), ReportFormat::JSON, "s", path).value_or(""),
      "cannot write '" + path + "'");
}

} // namespace
