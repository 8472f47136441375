//===- Plot.h - line plots of study results -----------------------*- C++ -*-===//
//
// Draws a metric against a swept value, one line per series (e.g. one per
// component), with linear or logarithmic axes, to SVG, PNG or PDF (chosen by
// the file's extension). Drawing goes through cairo, Debian's maintained 2D
// library, which writes all three formats from the same drawing code.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_STUDY_PLOT_H
#define AFC_STUDY_PLOT_H

#include <optional>
#include <string>
#include <vector>

namespace afc::study {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct PlotSpec {
  std::string title, xLabel, yLabel;
  bool logX = false, logY = false;
  std::vector<Series> series;
  int width = 900, height = 560;
};

/// Renders the plot to `path`; returns an error message on failure.
std::optional<std::string> renderPlot(const PlotSpec &spec,
                                      const std::string &path);

} // namespace afc::study

#endif // AFC_STUDY_PLOT_H
