//===- StudyReport.h - rows, plots and reports of a study -------*- C++ -*-===//
//
// What a study writes, from plain numbers: the fixed result columns, one row
// per evaluated design point, the series of a plot, and the report files.
// The compiler hands over PointFigures (totals and per-component figures),
// so this library needs neither the IR nor the model.
//
// Reports and plots are written to a temporary file next to the target and
// renamed over it once complete: an interrupted or failed run never leaves
// a half-written report behind.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_STUDY_STUDYREPORT_H
#define AFC_STUDY_STUDYREPORT_H

#include "afc/study/Plot.h"
#include "afc/study/ResultTable.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace afc::study {

/// One component's contribution to a design point, for all its instances.
struct ComponentFigures {
  std::string name;
  double area = 0;      ///< m^2
  double leakPower = 0; ///< W
  bool approximate = false;
};

struct EinsumFigures {
  std::string name;
  double energy = 0, latency = 0;
};

/// The figures of one evaluated design point.
struct PointFigures {
  double energy = 0, latency = 0, computes = 0;
  /// Dynamic and leak energy per component name (J).
  std::map<std::string, double> componentEnergy;
  /// Every component in tree order; its area and leak power.
  std::vector<ComponentFigures> components;
  /// Per-Einsum totals; written only when there are several Einsums.
  std::vector<EinsumFigures> einsums;
};

/// Adds the columns every study table starts with, in their fixed order:
/// the point's index, the swept values, the status and the totals.
void addStandardColumns(ResultTable &table,
                        const std::vector<std::string> &axisColumns);

/// Fills a row with an evaluated point's totals and per-component figures.
void fillRow(ResultTable &table, size_t row, const PointFigures &figures);

/// A result a plot can draw besides swept values: its name in `.af`, its
/// column, axis label and the unit of the column's numbers.
struct ResultMetric {
  const char *name, *column, *label, *unit;
};
/// Every result a plot can name, in a fixed order (for "valid choices").
const std::vector<ResultMetric> &resultMetrics();
/// The result named `name` ("energy"), or nullptr.
const ResultMetric *findResultMetric(const std::string &name);

/// Per-component results, written `Component.NAME` in a plot.
const std::vector<ResultMetric> &componentMetrics();
/// The column of a per-component result ("GlobalBuffer", "area" is
/// `A_GlobalBuffer_mm2`); empty for an unknown result.
std::string componentColumn(const std::string &component,
                            const std::string &metric);

/// What a plot draws; `per_component` and `stacked` split `y` into one
/// series per component.
enum class PlotKind { Line, Scatter, PerComponent, Stacked, Pareto };
/// The kinds by their `.af` names, in a fixed order.
const std::vector<std::pair<std::string, PlotKind>> &plotKinds();

/// One axis of a plot request, resolved to a column of the table.
struct PlotColumn {
  std::string column;
  std::string label; ///< without the unit
  std::string unit;  ///< the unit shown; "" for a count
  double scale = 1;  ///< one `unit` in the column's numbers
  bool log = false;
};

/// A plot of one study, resolved against the study's columns.
struct PlotRequest {
  PlotColumn x, y;
  /// x holds names (architectures, workloads): drawn one position per name,
  /// in the order the rows first give them.
  bool xCategorical = false;
  PlotKind kind = PlotKind::Line;
  /// For per-component kinds: the result split by component ("energy",
  /// "energy_per_compute" or "area").
  std::string componentMetric;
  /// One series per value of this column; its label titles the legend.
  std::optional<PlotColumn> series;
  std::string title;
};

/// The metrics a per-component plot can split.
const std::vector<std::string> &splittableMetrics();

/// The plot's series read from the table; an error message if the request
/// does not fit the table.
std::optional<std::string> planPlot(const ResultTable &table,
                                    const PlotRequest &request, PlotSpec &out);

using ReportFormat = TableFormat;

/// The report format of a `report` path's declared format name.
ReportFormat reportFormat(const std::string &name);

/// Writes the table to `path`, all or nothing; an error message on failure.
std::optional<std::string> writeReport(const ResultTable &table,
                                       ReportFormat format,
                                       const std::string &study,
                                       const std::string &path);

/// Hands each row of a table, in order, to `write` (cells in column order);
/// an error message if the rows cannot be read.
using RowSource = std::function<std::optional<std::string>(
    const std::function<void(const std::vector<Cell> &)> &write)>;

/// Writes rows read one at a time (from the result store) to `path`, all
/// or nothing: the same bytes as writeReport of a table holding them.
std::optional<std::string>
writeReport(const std::vector<std::string> &columns, const RowSource &rows,
            ReportFormat format, const std::string &study,
            const std::string &path);

/// The columns of a table with `columns` that planPlot reads for `request`:
/// a table of just these gives the same plot.
std::vector<std::string> plotColumns(const std::vector<std::string> &columns,
                                     const PlotRequest &request);

} // namespace afc::study

#endif // AFC_STUDY_STUDYREPORT_H
