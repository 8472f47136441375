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

/// The column a plot's `y` names ("energy" is `energy_J`).
std::string metricColumn(const std::string &metric);
/// The axis label of a result column.
std::string metricLabel(const std::string &column);

/// A plot of one study, as the study declares it.
struct PlotRequest {
  std::string xColumn; ///< the swept column on the x axis
  std::string xLabel;  ///< its label unless `xLabelOverride` is set
  std::string metric;  ///< `y` as written ("energy_per_compute")
  std::string kind;    ///< "" or "per_component"
  std::string title;
  std::optional<std::string> xLabelOverride, yLabelOverride;
  bool logX = false, logY = false;
};

/// The plot's series read from the table; an error message if the request
/// does not fit the table.
std::optional<std::string> planPlot(const ResultTable &table,
                                    const PlotRequest &request, PlotSpec &out);

enum class ReportFormat { CSV, JSON, Markdown };

/// The report format of a `report` path's declared format name.
ReportFormat reportFormat(const std::string &name);

/// Writes the table to `path`, all or nothing; an error message on failure.
std::optional<std::string> writeReport(const ResultTable &table,
                                       ReportFormat format,
                                       const std::string &study,
                                       const std::string &path);

} // namespace afc::study

#endif // AFC_STUDY_STUDYREPORT_H
