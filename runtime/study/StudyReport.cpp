//===- StudyReport.cpp - rows, plots and reports of a study ---------------===//
//
// Column names carry their unit so that a CSV read without its study still
// says what it holds. Per-component columns are `E_<name>_pJ_per_compute`,
// `A_<name>_m2` and `A_<name>_mm2`; per-component plots find their series by
// these prefixes and suffixes.
//
//===----------------------------------------------------------------------===//
#include "afc/study/StudyReport.h"
#include "PartialFile.h"

#include <fstream>

using namespace afc::study;

void afc::study::addStandardColumns(
    ResultTable &table, const std::vector<std::string> &axisColumns) {
  table.column("point");
  for (const std::string &c : axisColumns)
    table.column(c);
  for (const char *c :
       {"status", "energy_J", "energy_per_compute_pJ", "latency_s", "edp_Js",
        "computes", "area_m2", "area_mm2", "leak_power_W"})
    table.column(c);
}

void afc::study::fillRow(ResultTable &table, size_t i, const PointFigures &r) {
  double n = r.computes ? r.computes : 1;
  table.set(i, "status", std::string("ok"));
  table.set(i, "energy_J", r.energy);
  table.set(i, "energy_per_compute_pJ", r.energy / n * 1e12);
  table.set(i, "latency_s", r.latency);
  table.set(i, "edp_Js", r.energy * r.latency);
  table.set(i, "computes", r.computes);
  double area = 0, leak = 0;
  std::string approximate;
  for (const ComponentFigures &c : r.components) {
    area += c.area;
    leak += c.leakPower;
    if (c.approximate)
      approximate += (approximate.empty() ? "" : " ") + c.name;
  }
  table.set(i, "area_m2", area);
  table.set(i, "area_mm2", area * 1e6);
  table.set(i, "leak_power_W", leak);
  // Per component: energy (dynamic + leak) per compute, and area.
  for (const ComponentFigures &c : r.components) {
    auto e = r.componentEnergy.find(c.name);
    double energy = e == r.componentEnergy.end() ? 0 : e->second;
    table.set(i, "E_" + c.name + "_pJ_per_compute", energy / n * 1e12);
    table.set(i, "A_" + c.name + "_m2", c.area);
    table.set(i, "A_" + c.name + "_mm2", c.area * 1e6);
  }
  if (r.einsums.size() > 1)
    for (const EinsumFigures &e : r.einsums) {
      table.set(i, "E_" + e.name + "_J", e.energy);
      table.set(i, "latency_" + e.name + "_s", e.latency);
    }
  table.set(i, "approximate_components", approximate);
}

namespace {
/// A metric a plot may draw: its name in `.af`, its column and axis label.
struct MetricInfo {
  const char *name, *column, *label;
};
const MetricInfo kMetrics[] = {
    {"energy", "energy_J", "Energy (J)"},
    {"energy_per_compute", "energy_per_compute_pJ", "Energy per compute (pJ)"},
    {"latency", "latency_s", "Latency (s)"},
    {"area", "area_mm2", "Area (mm^2)"},
    {"edp", "edp_Js", "Energy-delay product (J s)"},
    {"leak_power", "leak_power_W", "Leak power (W)"},
};
} // namespace

std::string afc::study::metricColumn(const std::string &y) {
  for (const MetricInfo &m : kMetrics)
    if (y == m.name)
      return m.column;
  return y;
}

std::string afc::study::metricLabel(const std::string &column) {
  for (const MetricInfo &m : kMetrics)
    if (column == m.column)
      return m.label;
  return column;
}

static bool startsWith(const std::string &s, const std::string &prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

static bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The series of a per-component plot: one per component column of `y`.
static std::optional<std::string>
componentSeries(const ResultTable &table, const std::string &y, PlotSpec &spec,
                std::vector<std::pair<std::string, std::string>> &series) {
  std::string prefix, suffix;
  if (y == "energy_per_compute_pJ" || y == "energy_J") {
    prefix = "E_";
    suffix = "_pJ_per_compute";
    spec.yLabel = "Energy per compute (pJ)";
  } else if (y == "area_mm2") {
    prefix = "A_";
    suffix = "_mm2";
  } else {
    return std::string("a per-component plot draws energy_per_compute or "
                       "area");
  }
  for (const std::string &c : table.columns())
    if (startsWith(c, prefix) && endsWith(c, suffix))
      series.push_back(
          {c.substr(prefix.size(), c.size() - prefix.size() - suffix.size()),
           c});
  return std::nullopt;
}

std::optional<std::string> afc::study::planPlot(const ResultTable &table,
                                                const PlotRequest &request,
                                                PlotSpec &spec) {
  std::string y = metricColumn(request.metric);
  spec.logX = request.logX;
  spec.logY = request.logY;
  spec.xLabel = request.xLabelOverride.value_or(request.xLabel);
  spec.yLabel = request.yLabelOverride.value_or(metricLabel(y));
  spec.title = request.title;
  std::vector<std::pair<std::string, std::string>> series; // name, column
  if (request.kind == "per_component") {
    if (auto error = componentSeries(table, y, spec, series))
      return error;
  } else if (!request.kind.empty()) {
    return "unknown plot kind '" + request.kind +
           "' (use per_component, or leave it out)";
  } else {
    if (!table.hasColumn(y))
      return "no result column '" + y + "' to plot";
    series.push_back({spec.yLabel, y});
  }
  for (auto &[name, column] : series) {
    Series sr;
    sr.name = name;
    for (size_t i = 0; i < table.numRows(); ++i) {
      auto xv = table.number(i, request.xColumn), yv = table.number(i, column);
      if (xv && yv) {
        sr.x.push_back(*xv);
        sr.y.push_back(*yv);
      }
    }
    spec.series.push_back(std::move(sr));
  }
  return std::nullopt;
}

ReportFormat afc::study::reportFormat(const std::string &name) {
  if (name == "csv")
    return ReportFormat::CSV;
  if (name == "json")
    return ReportFormat::JSON;
  return ReportFormat::Markdown;
}

std::optional<std::string> afc::study::writeReport(const ResultTable &table,
                                                   ReportFormat format,
                                                   const std::string &study,
                                                   const std::string &path) {
  std::string partial = detail::partialPath(path);
  {
    std::ofstream out(partial);
    if (!out)
      return "cannot write '" + path + "'";
    switch (format) {
    case ReportFormat::CSV:
      table.writeCSV(out);
      break;
    case ReportFormat::JSON:
      table.writeJSON(out, study);
      break;
    case ReportFormat::Markdown:
      table.writeMarkdown(out);
      break;
    }
    out.flush();
    if (!out) {
      detail::discardPartial(partial);
      return "cannot write '" + path + "'";
    }
  }
  return detail::commitPartial(partial, path);
}
