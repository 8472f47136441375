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

#include <algorithm>
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

const std::vector<ResultMetric> &afc::study::resultMetrics() {
  static const std::vector<ResultMetric> metrics = {
      {"energy", "energy_J", "Energy", "J"},
      {"energy_per_compute", "energy_per_compute_pJ", "Energy per compute",
       "pJ"},
      {"latency", "latency_s", "Latency", "s"},
      {"edp", "edp_Js", "Energy-delay product", "J s"},
      {"area", "area_mm2", "Area", "mm²"},
      {"leak_power", "leak_power_W", "Leak power", "W"},
      {"computes", "computes", "Computes", ""},
  };
  return metrics;
}

const ResultMetric *afc::study::findResultMetric(const std::string &name) {
  for (const ResultMetric &m : resultMetrics())
    if (name == m.name)
      return &m;
  return nullptr;
}

const std::vector<ResultMetric> &afc::study::componentMetrics() {
  // The column is `prefix` + component + `suffix`, the label is the
  // component's name followed by `label`.
  static const std::vector<ResultMetric> metrics = {
      {"energy_per_compute", "E_|_pJ_per_compute", " energy per compute", "pJ"},
      {"area", "A_|_mm2", " area", "mm²"},
  };
  return metrics;
}

std::string afc::study::componentColumn(const std::string &component,
                                        const std::string &metric) {
  for (const ResultMetric &m : componentMetrics())
    if (metric == m.name) {
      std::string pattern = m.column;
      size_t bar = pattern.find('|');
      return pattern.substr(0, bar) + component + pattern.substr(bar + 1);
    }
  return "";
}

const std::vector<std::pair<std::string, PlotKind>> &afc::study::plotKinds() {
  static const std::vector<std::pair<std::string, PlotKind>> kinds = {
      {"line", PlotKind::Line},
      {"scatter", PlotKind::Scatter},
      {"per_component", PlotKind::PerComponent},
      {"stacked", PlotKind::Stacked},
      {"pareto", PlotKind::Pareto},
  };
  return kinds;
}

const std::vector<std::string> &afc::study::splittableMetrics() {
  static const std::vector<std::string> metrics = {
      "energy", "energy_per_compute", "area"};
  return metrics;
}

static bool startsWith(const std::string &s, const std::string &prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

static bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

namespace {

/// A series to read from the table: its name, the column of y, and which
/// rows and what factor apply.
struct SeriesPlan {
  std::string name;
  std::string column;
  bool perComputeToTotal = false; ///< pJ per compute times computes, in J
  std::optional<Cell> only;       ///< rows whose series column holds this
};

/// The series of a per-component plot: one per component column.
std::optional<std::string> componentSeries(const ResultTable &table,
                                           const PlotRequest &request,
                                           std::vector<SeriesPlan> &out) {
  const std::string &metric = request.componentMetric;
  bool total = metric == "energy";
  std::string pattern =
      componentColumn("|", total ? "energy_per_compute" : metric);
  if (pattern.empty())
    return "a per-component plot draws energy, energy_per_compute or area, "
           "not '" +
           metric + "'";
  size_t bar = pattern.find('|');
  std::string prefix = pattern.substr(0, bar), suffix = pattern.substr(bar + 1);
  for (const std::string &c : table.columns())
    if (startsWith(c, prefix) && endsWith(c, suffix) &&
        c.size() > prefix.size() + suffix.size())
      out.push_back(
          {c.substr(prefix.size(), c.size() - prefix.size() - suffix.size()), c,
           total, std::nullopt});
  return std::nullopt;
}

/// The text of a series value in its unit: "16", "64 KiB", "simba".
std::string seriesName(const Cell &v, const PlotColumn &c) {
  if (const double *d = std::get_if<double>(&v))
    return formatCell(*d / c.scale) + (c.unit.empty() ? "" : " " + c.unit);
  if (const std::string *s = std::get_if<std::string>(&v))
    return *s;
  return "";
}

} // namespace

std::optional<std::string> afc::study::planPlot(const ResultTable &table,
                                                const PlotRequest &request,
                                                PlotSpec &spec) {
  spec.title = request.title;
  spec.x = {request.x.label, request.x.unit, request.x.log};
  spec.y = {request.y.label, request.y.unit, request.y.log};
  switch (request.kind) {
  case PlotKind::Line:
  case PlotKind::PerComponent:
    // Lines between names would suggest values between them.
    spec.style =
        request.xCategorical ? PlotStyle::Scatter : PlotStyle::Line;
    break;
  case PlotKind::Scatter:
    spec.style = PlotStyle::Scatter;
    break;
  case PlotKind::Stacked:
    spec.style = PlotStyle::Stacked;
    break;
  case PlotKind::Pareto:
    spec.style = PlotStyle::Pareto;
    break;
  }
  if (!table.hasColumn(request.x.column))
    return "no result column '" + request.x.column + "' to plot";
  size_t xCol =
      std::find(table.columns().begin(), table.columns().end(),
                request.x.column) -
      table.columns().begin();
  std::vector<std::string> &categories = spec.xCategories;
  if (request.xCategorical)
    for (size_t i = 0; i < table.numRows(); ++i)
      if (auto *name = std::get_if<std::string>(&table.get(i, xCol)))
        if (std::find(categories.begin(), categories.end(), *name) ==
            categories.end())
          categories.push_back(*name);
  auto xOf = [&](size_t i) -> std::optional<double> {
    if (!request.xCategorical)
      return table.number(i, request.x.column);
    auto *name = std::get_if<std::string>(&table.get(i, xCol));
    if (!name)
      return std::nullopt;
    return double(std::find(categories.begin(), categories.end(), *name) -
                  categories.begin());
  };
  std::vector<SeriesPlan> plans;
  if (request.kind == PlotKind::PerComponent ||
      request.kind == PlotKind::Stacked) {
    if (auto error = componentSeries(table, request, plans))
      return error;
    spec.legendTitle = "Component";
  } else if (!table.hasColumn(request.y.column)) {
    return "no result column '" + request.y.column + "' to plot";
  } else if (request.series) {
    const PlotColumn &sc = *request.series;
    if (!table.hasColumn(sc.column))
      return "no result column '" + sc.column + "' to plot";
    size_t col =
        std::find(table.columns().begin(), table.columns().end(), sc.column) -
        table.columns().begin();
    std::vector<Cell> values;
    for (size_t i = 0; i < table.numRows(); ++i) {
      const Cell &v = table.get(i, col);
      if (!std::holds_alternative<std::monostate>(v) &&
          std::find(values.begin(), values.end(), v) == values.end())
        values.push_back(v);
    }
    // Numbers in increasing order (the legend reads as a scale); text in
    // the order of the sweep.
    std::stable_sort(values.begin(), values.end(),
                     [](const Cell &a, const Cell &b) {
                       auto *x = std::get_if<double>(&a);
                       auto *y = std::get_if<double>(&b);
                       return x && y && *x < *y;
                     });
    for (const Cell &v : values)
      plans.push_back({seriesName(v, sc), request.y.column, false, v});
    spec.legendTitle = sc.label + (sc.unit.empty() ? "" : " (" + sc.unit + ")");
  } else {
    plans.push_back({request.y.label, request.y.column, false, std::nullopt});
  }
  size_t seriesCol = 0;
  if (request.series)
    seriesCol = std::find(table.columns().begin(), table.columns().end(),
                          request.series->column) -
                table.columns().begin();
  // Along a categorical x, series sit side by side within each name's slot
  // rather than on top of one another.
  double dodge = request.xCategorical && plans.size() > 1
                     ? std::min(0.08, 0.6 / double(plans.size()))
                     : 0;
  for (const SeriesPlan &plan : plans) {
    Series sr;
    sr.name = plan.name;
    double offset =
        dodge * (double(&plan - plans.data()) - (plans.size() - 1) / 2.0);
    for (size_t i = 0; i < table.numRows(); ++i) {
      if (plan.only && table.get(i, seriesCol) != *plan.only)
        continue;
      auto xv = xOf(i), yv = table.number(i, plan.column);
      if (!xv || !yv)
        continue;
      double y = *yv;
      if (plan.perComputeToTotal)
        y *= table.number(i, "computes").value_or(0) * 1e-12;
      sr.x.push_back(*xv / request.x.scale + offset);
      sr.y.push_back(y / request.y.scale);
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

std::optional<std::string>
afc::study::writeReport(const std::vector<std::string> &columns,
                        const RowSource &rows, ReportFormat format,
                        const std::string &study, const std::string &path) {
  std::string partial = detail::partialPath(path);
  {
    std::ofstream out(partial);
    if (!out)
      return "cannot write '" + path + "'";
    RowWriter writer(out, format, columns, study);
    std::optional<std::string> error =
        rows([&](const std::vector<Cell> &cells) { writer.write(cells); });
    writer.finish();
    out.flush();
    if (error || !out) {
      detail::discardPartial(partial);
      return error ? *error : "cannot write '" + path + "'";
    }
  }
  return detail::commitPartial(partial, path);
}

std::optional<std::string> afc::study::writeReport(const ResultTable &table,
                                                   ReportFormat format,
                                                   const std::string &study,
                                                   const std::string &path) {
  std::vector<Cell> cells(table.columns().size());
  return writeReport(
      table.columns(),
      [&](const std::function<void(const std::vector<Cell> &)> &write)
          -> std::optional<std::string> {
        for (size_t r = 0; r < table.numRows(); ++r) {
          for (size_t c = 0; c < cells.size(); ++c)
            cells[c] = table.get(r, c);
          write(cells);
        }
        return std::nullopt;
      },
      format, study, path);
}

std::vector<std::string>
afc::study::plotColumns(const std::vector<std::string> &columns,
                        const PlotRequest &request) {
  std::vector<std::string> wanted = {request.x.column, request.y.column,
                                     "computes"};
  if (request.series)
    wanted.push_back(request.series->column);
  std::vector<std::string> out;
  for (const std::string &c : columns) {
    bool component = false;
    for (const ResultMetric &m : componentMetrics()) {
      std::string pattern = m.column;
      size_t bar = pattern.find('|');
      std::string prefix = pattern.substr(0, bar),
                  suffix = pattern.substr(bar + 1);
      component |= c.size() > prefix.size() + suffix.size() &&
                   startsWith(c, prefix) && endsWith(c, suffix);
    }
    if (component ||
        std::find(wanted.begin(), wanted.end(), c) != wanted.end())
      out.push_back(c);
  }
  return out;
}
