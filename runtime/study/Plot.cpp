//===- Plot.cpp - plots of study results ----------------------------------===//
//
// Layout: the margins follow the widest tick label and legend entry, the
// axes are padded so that markers at the extremes are drawn whole, and a
// series with nothing to draw (all zero on a log axis) is left out of the
// legend too.
//
//===----------------------------------------------------------------------===//
#include "afc/study/Plot.h"
#include "PartialFile.h"
#include "PlotCanvas.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace afc::study;
using namespace afc::study::detail;

std::string afc::study::plotLibraryVersion() {
  return detail::rendererVersion();
}

std::vector<size_t> afc::study::paretoFront(const std::vector<double> &x,
                                            const std::vector<double> &y) {
  std::vector<size_t> order;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]))
      order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return x[a] != x[b] ? x[a] < x[b] : y[a] < y[b];
  });
  std::vector<size_t> front;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i : order)
    if (y[i] < best) {
      front.push_back(i);
      best = y[i];
    }
  return front;
}

std::string afc::study::engineeringLabel(double v) {
  if (v == 0)
    return "0";
  static const char *prefixes[] = {"f", "p", "n", "µ", "m", "",
                                   "k", "M", "G", "T", "P"};
  int e3 = (int)std::floor(std::log10(std::fabs(v)) / 3 + 1e-9);
  e3 = std::clamp(e3, -5, 5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%s", v / std::pow(1000.0, e3),
                prefixes[e3 + 5]);
  return buf;
}

namespace {

/// Units that take an SI prefix on a linear axis.
bool takesPrefix(const std::string &unit) {
  return unit == "J" || unit == "s" || unit == "W" || unit == "Hz" ||
         unit == "J s";
}

} // namespace

std::string afc::study::axisTitle(const AxisSpec &axis, double maxAbs,
                                  double &divisor) {
  divisor = 1;
  if (axis.unit.empty())
    return axis.label;
  std::string unit = axis.unit;
  if (!axis.log && takesPrefix(unit) && maxAbs > 0 && std::isfinite(maxAbs)) {
    static const char *prefixes[] = {"f", "p", "n", "µ", "m",
                                     "",  "k", "M", "G"};
    int e3 = std::clamp((int)std::floor(std::log10(maxAbs) / 3 + 1e-9), -5, 3);
    divisor = std::pow(1000.0, e3);
    unit = prefixes[e3 + 5] + unit;
  }
  return axis.label + " (" + unit + ")";
}

namespace {

// A qualitative palette that stays readable in print.
const Color kColors[] = {{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05},
                         {0.17, 0.63, 0.17}, {0.84, 0.15, 0.16},
                         {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
                         {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
                         {0.74, 0.74, 0.13}, {0.09, 0.75, 0.81}};
const Color kInk = {0.1, 0.1, 0.1}, kGrid = {0.88, 0.88, 0.88};

Color colorOf(size_t i) { return kColors[i % std::size(kColors)]; }

struct Axis {
  bool log = false;
  double lo = 0, hi = 1;          // in data units (log axes: positive)
  const std::vector<std::string> *categories = nullptr; // names at 0, 1, ...
  double toUnit(double v) const { // 0..1 along the axis
    if (log)
      return (std::log10(v) - std::log10(lo)) /
             (std::log10(hi) - std::log10(lo));
    return (v - lo) / (hi - lo);
  }
  bool usable(double v) const { return std::isfinite(v) && (!log || v > 0); }
};

std::vector<double> ticks(const Axis &a) {
  std::vector<double> out;
  if (a.categories) {
    for (size_t i = 0; i < a.categories->size(); ++i)
      out.push_back(double(i));
    return out;
  }
  if (a.log) {
    int k0 = (int)std::floor(std::log10(a.lo)),
        k1 = (int)std::ceil(std::log10(a.hi));
    int step = std::max(1, (k1 - k0) / 8);
    for (int k = k0; k <= k1; k += step) {
      double v = std::pow(10.0, k);
      if (v >= a.lo && v <= a.hi)
        out.push_back(v);
    }
    if (out.size() < 2) // less than a decade: add 2x and 5x ticks
      for (int k = k0; k <= k1; ++k)
        for (double m : {2.0, 5.0}) {
          double v = m * std::pow(10.0, k);
          if (v >= a.lo && v <= a.hi)
            out.push_back(v);
        }
    std::sort(out.begin(), out.end());
    return out;
  }
  double raw = (a.hi - a.lo) / 6;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(a.lo / step) * step; v <= a.hi + step * 1e-9;
       v += step)
    out.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/// A linear tick's label in the axis's prefixed unit.
std::string linearLabel(double v, double divisor) {
  double s = v / divisor;
  if (s != 0 && (std::fabs(s) >= 1e5 || std::fabs(s) < 1e-3))
    return engineeringLabel(s);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", s);
  return buf;
}

Axis makeAxis(bool log, const std::vector<const std::vector<double> *> &data,
              bool fromZero) {
  Axis a;
  a.log = log;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto *d : data)
    for (double v : *d)
      if (a.usable(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (!std::isfinite(lo)) {
    lo = log ? 1 : 0;
    hi = log ? 10 : 1;
  }
  if (fromZero && !log)
    lo = std::min(lo, 0.0);
  if (log) {
    if (hi <= lo) {
      lo /= 2;
      hi *= 2;
    }
    // Padding in decades keeps the end markers inside the frame.
    double pad = (std::log10(hi) - std::log10(lo)) * 0.04;
    a.lo = lo / std::pow(10.0, pad);
    a.hi = hi * std::pow(10.0, pad);
  } else {
    if (hi <= lo) {
      lo -= 1;
      hi += 1;
    }
    double pad = (hi - lo) * 0.05;
    a.lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
    a.hi = hi + pad;
  }
  return a;
}

/// A series as drawn: its points in x order, without unusable ones.
struct Drawn {
  std::string name;
  Color color;
  std::vector<double> x, y;
};

std::vector<Drawn> drawable(const PlotSpec &spec, bool logX, bool logY) {
  std::vector<Drawn> out;
  Axis ax{logX}, ay{logY};
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const Series &s = spec.series[i];
    std::vector<size_t> idx;
    for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k)
      if (ax.usable(s.x[k]) &&
          (spec.style == PlotStyle::Stacked || ay.usable(s.y[k])))
        idx.push_back(k);
    if (idx.empty())
      continue;
    if (spec.style != PlotStyle::Stacked &&
        std::none_of(idx.begin(), idx.end(),
                     [&](size_t k) { return ay.usable(s.y[k]); }))
      continue;
    std::stable_sort(idx.begin(), idx.end(),
                     [&](size_t a, size_t b) { return s.x[a] < s.x[b]; });
    Drawn d{s.name, colorOf(i), {}, {}};
    for (size_t k : idx) {
      d.x.push_back(s.x[k]);
      d.y.push_back(s.y[k]);
    }
    out.push_back(std::move(d));
  }
  if (spec.style == PlotStyle::Stacked) // cumulative sums, layer by layer
    for (size_t i = 1; i < out.size(); ++i)
      for (size_t k = 0; k < out[i].y.size() && k < out[i - 1].y.size(); ++k)
        out[i].y[k] += out[i - 1].y[k];
  return out;
}

double maxAbs(const Axis &a) {
  return std::max(std::fabs(a.lo), std::fabs(a.hi));
}

void draw(Canvas &cv, const PlotSpec &spec) {
  const double W = spec.width, H = spec.height;
  std::vector<Drawn> series = drawable(spec, spec.x.log, spec.y.log);
  std::vector<const std::vector<double> *> xs, ys;
  for (const Drawn &d : series) {
    xs.push_back(&d.x);
    ys.push_back(&d.y);
  }
  bool stacked = spec.style == PlotStyle::Stacked;
  Axis ax = makeAxis(spec.x.log, xs, false),
       ay = makeAxis(spec.y.log, ys, stacked);
  if (!spec.xCategories.empty()) { // half a slot of room at either end
    ax.lo = -0.5;
    ax.hi = double(spec.xCategories.size()) - 0.5;
    ax.categories = &spec.xCategories;
  }
  double xDiv, yDiv;
  std::string xTitle = axisTitle(spec.x, maxAbs(ax), xDiv);
  std::string yTitle = axisTitle(spec.y, maxAbs(ay), yDiv);
  auto tickText = [](const Axis &a, double v, double div) {
    if (a.categories)
      return (*a.categories)[size_t(v)];
    // Decimals read better than milli-prefixes next to a unit ("0.1 mm²").
    return !a.log               ? linearLabel(v, div)
           : v >= 1e-3 && v < 1 ? linearLabel(v, 1)
                                : engineeringLabel(v);
  };

  // Margins from what has to fit in them.
  double yTickWidth = 0;
  for (double t : ticks(ay))
    yTickWidth = std::max(yTickWidth, textWidth(tickText(ay, t, yDiv), 11));
  bool pareto = spec.style == PlotStyle::Pareto;
  std::vector<std::string> legend;
  for (const Drawn &d : series)
    legend.push_back(d.name);
  if (pareto)
    legend.push_back("Pareto front");
  bool showLegend = legend.size() > 1 || !spec.legendTitle.empty();
  double legendWidth = textWidth(spec.legendTitle, 12, true);
  for (const std::string &l : legend)
    legendWidth = std::max(legendWidth, 30 + textWidth(l, 12));
  const double left = 46 + yTickWidth, top = 50, bottom = 70;
  const double right = showLegend ? legendWidth + 44 : 30;
  const double pw = W - left - right, ph = H - top - bottom;
  auto px = [&](double v) { return left + ax.toUnit(v) * pw; };
  auto py = [&](double v) { return top + (1 - ay.toUnit(v)) * ph; };

  for (double t : ticks(ax)) {
    cv.polyline({{px(t), top}, {px(t), top + ph}}, kGrid, 1);
    cv.text(px(t), top + ph + 18, tickText(ax, t, xDiv), 0.5, 0, 11);
  }
  for (double t : ticks(ay)) {
    cv.polyline({{left, py(t)}, {left + pw, py(t)}}, kGrid, 1);
    cv.text(left - 8, py(t), tickText(ay, t, yDiv), 1, 0.5, 11);
  }

  for (size_t i = 0; i < series.size(); ++i) {
    const Drawn &d = series[i];
    Points line;
    for (size_t k = 0; k < d.x.size(); ++k)
      if (ay.usable(d.y[k]))
        line.push_back({px(d.x[k]), py(d.y[k])});
    switch (spec.style) {
    case PlotStyle::Line:
      cv.polyline(line, d.color, 2);
      for (auto &[x, y] : line)
        cv.circle(x, y, 3, d.color);
      break;
    case PlotStyle::Scatter:
    case PlotStyle::Pareto:
      for (auto &[x, y] : line)
        cv.circle(x, y, 4, d.color);
      break;
    case PlotStyle::Stacked: {
      Points area = line;
      for (size_t k = d.x.size(); k-- > 0;) {
        double below = i ? series[i - 1].y[k] : ay.lo;
        area.push_back({px(d.x[k]), py(std::max(below, ay.lo))});
      }
      cv.polygon(area, d.color, 0.85);
      cv.polyline(line, d.color, 1.5);
      break;
    }
    }
  }
  if (pareto) {
    std::vector<double> allX, allY;
    std::vector<Color> colors;
    for (const Drawn &d : series)
      for (size_t k = 0; k < d.x.size(); ++k) {
        allX.push_back(d.x[k]);
        allY.push_back(d.y[k]);
        colors.push_back(d.color);
      }
    std::vector<size_t> front = paretoFront(allX, allY);
    Points joined;
    for (size_t i : front)
      joined.push_back({px(allX[i]), py(allY[i])});
    cv.polyline(joined, kInk, 1.5, /*dashed=*/true);
    for (size_t i : front) // ringed, keeping the series' colour
      cv.circle(px(allX[i]), py(allY[i]), 5.5, colors[i], kInk);
  }
  cv.rectangle(left, top, pw, ph, kInk, 1);

  cv.text(left + pw / 2, H - 22, xTitle, 0.5, 0, 13);
  cv.text(22, top + ph / 2, yTitle, 0.5, 1, 13, /*rotate=*/true);
  cv.text(left + pw / 2, 30, spec.title, 0.5, 0, 15, false, /*bold=*/true);
  if (!showLegend)
    return;
  double lx = left + pw + 20, ly = top + 10;
  if (!spec.legendTitle.empty()) {
    cv.text(lx, ly, spec.legendTitle, 0, 0.5, 12, false, /*bold=*/true);
    ly += 22;
  }
  for (size_t i = 0; i < legend.size(); ++i, ly += 20) {
    if (pareto && i + 1 == legend.size()) {
      cv.polyline({{lx, ly}, {lx + 22, ly}}, kInk, 1.5, true);
      cv.circle(lx + 11, ly, 5, {1, 1, 1}, kInk);
    } else if (stacked) {
      cv.polygon(
          {{lx, ly - 6}, {lx + 22, ly - 6}, {lx + 22, ly + 6}, {lx, ly + 6}},
          series[i].color, 0.85);
    } else {
      if (spec.style == PlotStyle::Line)
        cv.polyline({{lx, ly}, {lx + 22, ly}}, series[i].color, 2);
      cv.circle(lx + 11, ly, 4, series[i].color);
    }
    cv.text(lx + 30, ly, legend[i], 0, 0.5, 12);
  }
}

} // namespace

/// Draws the plot into `file`; messages name `path`, where it ends up.
static std::optional<std::string> renderTo(const PlotSpec &spec,
                                           const std::string &file,
                                           const std::string &path) {
  std::string ext = path.substr(path.find_last_of('.') + 1);
  std::string error;
  std::unique_ptr<Canvas> canvas =
      makeCanvas(ext, file, spec.width, spec.height, error);
  if (!canvas)
    return error.rfind("unsupported", 0) == 0
               ? error
               : "cannot create '" + path + "': " + error;
  draw(*canvas, spec);
  if (std::optional<std::string> e = canvas->finish())
    return "cannot write '" + path + "': " + *e;
  return std::nullopt;
}

std::optional<std::string> afc::study::renderPlot(const PlotSpec &spec,
                                                  const std::string &path) {
  std::string partial = detail::partialPath(path);
  if (std::optional<std::string> error = renderTo(spec, partial, path)) {
    detail::discardPartial(partial);
    return error;
  }
  return detail::commitPartial(partial, path);
}
