//===- Plot.h - plots of study results -----------------------------*- C++
//-*-===//
//
// Draws one or more series of (x, y) points as lines, markers, stacked areas
// or a Pareto front, with linear or logarithmic axes, to SVG, PNG or PDF
// (chosen by the file's extension). PNG and PDF go through cairo, Debian's
// maintained 2D library. cairo 1.16 writes SVG text as glyph outlines, which
// no editor can change, so SVG has its own small writer that keeps text as
// `<text>`; both backends share the layout code.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_STUDY_PLOT_H
#define AFC_STUDY_PLOT_H

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace afc::study {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

/// How the series are drawn.
enum class PlotStyle {
  Line,    ///< markers joined in x order
  Scatter, ///< markers only
  Stacked, ///< each series filled on top of the ones before it
  Pareto,  ///< markers; the non-dominated points (least x and y) joined
};

struct AxisSpec {
  std::string label; ///< without the unit
  std::string unit;  ///< "" for a count; printed as "label (unit)"
  bool log = false;
};

struct PlotSpec {
  std::string title;
  AxisSpec x, y;
  PlotStyle style = PlotStyle::Line;
  std::string legendTitle; ///< above the legend's entries; may be empty
  /// When not empty, x is categorical: x value i is drawn at position i
  /// and labelled xCategories[i].
  std::vector<std::string> xCategories;
  std::vector<Series> series;
  /// Logical size in points; PNGs are drawn at kPngScale times this.
  int width = 900, height = 560;
};

/// PNG pixels per logical point: 2700 x 1680 for the default size, about
/// 300 dpi at 9 inches wide.
constexpr double kPngScale = 3;

/// Renders the plot to `path`; returns an error message on failure.
std::optional<std::string> renderPlot(const PlotSpec &spec,
                                      const std::string &path);

/// The library that draws PNG and PDF, with its version ("cairo 1.16.0").
std::string plotLibraryVersion();

/// The indices of the points no other point beats in both x and y (less is
/// better), ordered by increasing x. Of equal points the first is kept.
std::vector<size_t> paretoFront(const std::vector<double> &x,
                                const std::vector<double> &y);

/// A tick label in engineering notation: "500", "2k", "10M", "1.5m".
std::string engineeringLabel(double v);

/// The label of an axis with its unit; an SI unit on a linear axis takes the
/// prefix that suits `maxAbs` ("Energy (mJ)"), returned in `divisor`.
std::string axisTitle(const AxisSpec &axis, double maxAbs, double &divisor);

} // namespace afc::study

#endif // AFC_STUDY_PLOT_H
