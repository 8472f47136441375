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

TEST(StudyReport, ResultNamesColumnsAndUnits) {
  const ResultMetric *m = findResultMetric("energy_per_compute");
  ASSERT_TRUE(m);
  EXPECT_STREQ(m->column, "energy_per_compute_pJ");
  EXPECT_STREQ(m->unit, "pJ");
  EXPECT_FALSE(findResultMetric("my_column"));
  EXPECT_EQ(componentColumn("GlobalBuffer", "area"), "A_GlobalBuffer_mm2");
  EXPECT_EQ(componentColumn("Main", "energy_per_compute"),
            "E_Main_pJ_per_compute");
  EXPECT_EQ(componentColumn("Main", "latency"), "");
}

PlotRequest sizeAgainst(const std::string &metric) {
  const ResultMetric *m = findResultMetric(metric);
  PlotRequest r;
  r.x = {"GlobalBuffer.size_bits", "GlobalBuffer.size", "bit", 1, false};
  r.y = {m->column, m->label, m->unit, 1, false};
  return r;
}

TEST(StudyReport, PerComponentPlotHasASeriesPerComponent) {
  ResultTable t = twoPoints();
  PlotRequest r = sizeAgainst("energy_per_compute");
  r.kind = PlotKind::PerComponent;
  r.componentMetric = "energy_per_compute";
  PlotSpec spec;
  ASSERT_FALSE(planPlot(t, r, spec));
  ASSERT_EQ(spec.series.size(), 2u);
  EXPECT_EQ(spec.series[0].name, "MainMemory");
  EXPECT_EQ(spec.series[1].x, (std::vector<double>{256, 512}));
  EXPECT_EQ(spec.y.label, "Energy per compute");
  EXPECT_EQ(spec.y.unit, "pJ");
  EXPECT_EQ(spec.legendTitle, "Component");
}

TEST(StudyReport, PerComponentEnergyIsInJoules) {
  // 1 pJ per compute of MainMemory, 1000 computes: 1 nJ at both points.
  ResultTable t = twoPoints();
  PlotRequest r = sizeAgainst("energy");
  r.kind = PlotKind::Stacked;
  r.componentMetric = "energy";
  PlotSpec spec;
  ASSERT_FALSE(planPlot(t, r, spec));
  ASSERT_EQ(spec.series.size(), 2u);
  EXPECT_EQ(spec.style, PlotStyle::Stacked);
  EXPECT_DOUBLE_EQ(spec.series[0].y[1], 1e-9);
  EXPECT_DOUBLE_EQ(spec.series[1].y[0], 5e-10);
}

TEST(StudyReport, SeriesSplitRowsByASweptValueInItsUnit) {
  // Four points: two sizes (1 and 2 KiB) crossed with two array sizes.
  ResultTable t;
  t.resize(4);
  addStandardColumns(t, {"GlobalBuffer.size_bits", "ROWS"});
  for (size_t i = 0; i < 4; ++i) {
    t.set(i, "GlobalBuffer.size_bits", 8192.0 * (1 + i % 2));
    t.set(i, "ROWS", i < 2 ? 16.0 : 8.0);
    PointFigures f;
    f.energy = double(i);
    f.computes = 1;
    fillRow(t, i, f);
  }
  PlotRequest r = sizeAgainst("energy");
  r.x.unit = "KiB";
  r.x.scale = 8192;
  r.series = PlotColumn{"ROWS", "ROWS", "", 1, false};
  PlotSpec spec;
  ASSERT_FALSE(planPlot(t, r, spec));
  ASSERT_EQ(spec.series.size(), 2u);
  EXPECT_EQ(spec.legendTitle, "ROWS");
  EXPECT_EQ(spec.series[0].name, "8"); // increasing, not sweep order
  EXPECT_EQ(spec.series[0].x, (std::vector<double>{1, 2}));
  EXPECT_EQ(spec.series[0].y, (std::vector<double>{2, 3}));
  EXPECT_EQ(spec.series[1].name, "16");
  EXPECT_EQ(spec.series[1].y, (std::vector<double>{0, 1}));
}

TEST(StudyReport, PlotErrorsSayWhatIsWrong) {
  ResultTable t = twoPoints();
  PlotRequest r = sizeAgainst("latency");
  r.kind = PlotKind::PerComponent;
  r.componentMetric = "latency";
  PlotSpec spec;
  EXPECT_EQ(planPlot(t, r, spec).value_or(""),
            "a per-component plot draws energy, energy_per_compute or area, "
            "not 'latency'");
  r.kind = PlotKind::Line;
  r.y.column = "nothing";
  EXPECT_EQ(planPlot(t, r, spec).value_or(""),
            "no result column 'nothing' to plot");
}

TEST(Plot, ParetoFrontKeepsTheNonDominatedPointsByX) {
  // (1,5) (2,3) (3,4) (4,1) (2,3): (3,4) is beaten by (2,3); the repeated
  // (2,3) is not a second front point.
  std::vector<size_t> front = paretoFront({1, 2, 3, 4, 2}, {5, 3, 4, 1, 3});
  EXPECT_EQ(front, (std::vector<size_t>{0, 1, 3}));
  EXPECT_TRUE(paretoFront({}, {}).empty());
}

TEST(Plot, TickLabelsAreEngineering) {
  EXPECT_EQ(engineeringLabel(1000), "1k");
  EXPECT_EQ(engineeringLabel(100000), "100k");
  EXPECT_EQ(engineeringLabel(2.5e6), "2.5M");
  EXPECT_EQ(engineeringLabel(0.001), "1m");
  EXPECT_EQ(engineeringLabel(5), "5");
  EXPECT_EQ(engineeringLabel(0), "0");
}

TEST(Plot, LinearAxesOfSIUnitsTakeAPrefix) {
  double divisor;
  EXPECT_EQ(axisTitle({"Energy", "J", false}, 3e-3, divisor), "Energy (mJ)");
  EXPECT_DOUBLE_EQ(divisor, 1e-3);
  EXPECT_EQ(axisTitle({"Energy", "J", true}, 3e-3, divisor), "Energy (J)");
  EXPECT_DOUBLE_EQ(divisor, 1);
  EXPECT_EQ(axisTitle({"Size", "KiB", false}, 3e3, divisor), "Size (KiB)");
  EXPECT_EQ(axisTitle({"Computes", "", false}, 3e3, divisor), "Computes");
}

TEST(Plot, SvgKeepsTextAsText) {
  fs::path dir = fs::temp_directory_path() / "afc-plot-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  PlotSpec spec;
  spec.title = "T <1>";
  spec.x = {"Size", "KiB", true};
  spec.y = {"Energy", "J", false};
  spec.series = {{"a", {1, 10, 100}, {1e-3, 2e-3, 3e-3}},
                 {"zero", {1, 10}, {0, 0}}};
  std::string path = (dir / "p.svg").string();
  ASSERT_FALSE(renderPlot(spec, path));
  std::ifstream in(path);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_NE(svg.str().find(">T &lt;1&gt;</text>"), std::string::npos);
  EXPECT_NE(svg.str().find(">Energy (mJ)</text>"), std::string::npos);
  EXPECT_NE(svg.str().find(">Size (KiB)</text>"), std::string::npos);
  // Two series, so a legend; both are drawable on a linear y axis.
  EXPECT_NE(svg.str().find(">zero</text>"), std::string::npos);
  spec.legendTitle = "S";
  spec.y.log = true; // now the all-zero series has nothing to draw
  ASSERT_FALSE(renderPlot(spec, path));
  std::ifstream again(path);
  std::stringstream logSvg;
  logSvg << again.rdbuf();
  EXPECT_NE(logSvg.str().find(">a</text>"), std::string::npos);
  EXPECT_EQ(logSvg.str().find(">zero</text>"), std::string::npos);
  fs::remove_all(dir);
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

/// Rows of two architectures (by name) whose components differ: "a" has
/// Main, Scratch and MAC, "b" has Main, Buffer, Register and MAC.
void fillArch(ResultTable &t, size_t row, const std::string &arch) {
  t.set(row, "point", double(row));
  t.set(row, "arch", arch);
  PointFigures f;
  f.energy = arch == "a" ? 4e-12 : 2e-12;
  f.computes = 1;
  std::vector<std::string> names =
      arch == "a" ? std::vector<std::string>{"Main", "Scratch", "MAC"}
                  : std::vector<std::string>{"Main", "Buffer", "Register",
                                             "MAC"};
  for (const std::string &n : names)
    f.components.push_back({n, 1e-6, 0, false});
  fillRow(t, row, f);
}

std::vector<std::string> archColumns(const std::vector<size_t> &fillOrder) {
  ResultTable t;
  t.resize(2);
  addStandardColumns(t, {"arch"});
  size_t fixed = t.columns().size();
  for (size_t row : fillOrder)
    fillArch(t, row, row == 0 ? "a" : "b");
  t.orderColumnsByUse(fixed);
  std::vector<std::string> out;
  for (const std::string &c : t.columns())
    if (c.rfind("E_", 0) == 0)
      out.push_back(c);
  return out;
}

TEST(ResultTable, ColumnOrderDoesNotDependOnWhichRowFinishedFirst) {
  // Row 0's columns in its order; row 1's new ones each right after the
  // column row 1 set before it (Buffer and Register follow Main).
  std::vector<std::string> expected = {
      "E_Main_pJ_per_compute", "E_Buffer_pJ_per_compute",
      "E_Register_pJ_per_compute", "E_Scratch_pJ_per_compute",
      "E_MAC_pJ_per_compute"};
  EXPECT_EQ(archColumns({0, 1}), expected);
  EXPECT_EQ(archColumns({1, 0}), expected);
}

TEST(ResultTable, ColumnsEveryRowSetsStayWhereTheyWere) {
  // The last columns a row sets stay last, however many components a row
  // of another architecture adds before them.
  ResultTable t;
  t.resize(2);
  addStandardColumns(t, {"arch"});
  size_t fixed = t.columns().size();
  fillArch(t, 1, "b");
  t.set(1, "mapping", std::string("m1"));
  fillArch(t, 0, "a");
  t.set(0, "mapping", std::string("m0"));
  t.orderColumnsByUse(fixed);
  EXPECT_EQ(t.columns().back(), "mapping");
  EXPECT_EQ(t.columns()[t.columns().size() - 2], "approximate_components");
  EXPECT_EQ(t.columns()[fixed], "E_Main_pJ_per_compute");
  // Ordering twice changes nothing.
  std::vector<std::string> once = t.columns();
  t.orderColumnsByUse(fixed);
  EXPECT_EQ(t.columns(), once);
  EXPECT_EQ(std::get<std::string>(t.get(0, t.column("mapping"))), "m0");
}

TEST(ResultTable, OrderingKeepsCellsWithTheirColumns) {
  ResultTable t;
  t.resize(2);
  addStandardColumns(t, {"arch"});
  size_t fixed = t.columns().size();
  fillArch(t, 1, "b");
  fillArch(t, 0, "a");
  std::vector<std::string> before = t.columns();
  t.orderColumnsByUse(fixed);
  EXPECT_NE(t.columns(), before); // row 1's columns came first before
  EXPECT_EQ(std::get<std::string>(t.get(0, t.column("arch"))), "a");
  EXPECT_DOUBLE_EQ(*t.number(0, "energy_per_compute_pJ"), 4.0);
  EXPECT_DOUBLE_EQ(*t.number(1, "energy_per_compute_pJ"), 2.0);
  EXPECT_DOUBLE_EQ(*t.number(1, "A_Register_mm2"), 1.0);
  EXPECT_FALSE(t.number(0, "A_Register_mm2")); // "a" has no Register
  EXPECT_DOUBLE_EQ(*t.number(0, "A_Scratch_mm2"), 1.0);
}

TEST(StudyReport, ArchitecturesAlongXTakeOnePositionEach) {
  // Rows: a, b, a, b (say, crossed with another sweep).
  ResultTable t;
  t.resize(4);
  addStandardColumns(t, {"arch"});
  for (size_t i = 0; i < 4; ++i)
    fillArch(t, i, i % 2 ? "b" : "a");
  PlotRequest r;
  r.x = {"arch", "Architecture", "", 1, false};
  r.xCategorical = true;
  r.y = {"energy_J", "Energy", "J", 1, false};
  PlotSpec spec;
  ASSERT_FALSE(planPlot(t, r, spec));
  EXPECT_EQ(spec.xCategories, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(spec.style, PlotStyle::Scatter); // no line between names
  ASSERT_EQ(spec.series.size(), 1u);
  EXPECT_EQ(spec.series[0].x, (std::vector<double>{0, 1, 0, 1}));
  EXPECT_EQ(spec.series[0].y, (std::vector<double>{4e-12, 2e-12, 4e-12, 2e-12}));
  // Per component, the series sit side by side around each position.
  r.kind = PlotKind::PerComponent;
  r.componentMetric = "energy_per_compute";
  PlotSpec split;
  ASSERT_FALSE(planPlot(t, r, split));
  ASSERT_EQ(split.series.size(), 5u);
  EXPECT_LT(split.series[0].x[0], 0);        // Main, leftmost at "a"
  EXPECT_GT(split.series[4].x[0], 1);        // Register, only at "b"
  EXPECT_LT(split.series[4].x[0], 1.5);      // still within b's slot
}

TEST(Plot, CategoricalAxesAreLabelledWithTheNames) {
  fs::path dir = fs::temp_directory_path() / "afc-plot-categories-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  PlotSpec spec;
  spec.x = {"Architecture", "", false};
  spec.xCategories = {"eyeriss", "simba"};
  spec.y = {"Energy", "J", false};
  spec.style = PlotStyle::Scatter;
  spec.series = {{"e", {0, 1}, {1e-3, 2e-3}}};
  std::string path = (dir / "p.svg").string();
  ASSERT_FALSE(renderPlot(spec, path));
  std::ifstream in(path);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_NE(svg.str().find(">eyeriss</text>"), std::string::npos);
  EXPECT_NE(svg.str().find(">simba</text>"), std::string::npos);
  EXPECT_NE(svg.str().find(">Architecture</text>"), std::string::npos);
  // No numeric ticks along x: the two names are the only x labels.
  EXPECT_EQ(svg.str().find(">0.5</text>"), std::string::npos);
  fs::remove_all(dir);
}

} // namespace
