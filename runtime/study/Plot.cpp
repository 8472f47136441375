//===- Plot.cpp - line plots of study results -----------------------------===//
#include "afc/study/Plot.h"
#include "PartialFile.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace afc::study;

namespace {

// A qualitative palette that stays readable in print.
const double kColors[][3] = {
    {0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17},
    {0.84, 0.15, 0.16}, {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
    {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50}, {0.74, 0.74, 0.13},
    {0.09, 0.75, 0.81}};

struct Axis {
  bool log = false;
  double lo = 0, hi = 1; // in data units (log axes: positive)
  double toUnit(double v) const { // 0..1 along the axis
    if (log)
      return (std::log10(v) - std::log10(lo)) /
             (std::log10(hi) - std::log10(lo));
    return (v - lo) / (hi - lo);
  }
  bool usable(double v) const {
    return std::isfinite(v) && (!log || v > 0);
  }
};

std::string tickLabel(double v) {
  char buf[32];
  if (v != 0 && (std::fabs(v) >= 1e5 || std::fabs(v) < 1e-3))
    std::snprintf(buf, sizeof buf, "%.3g", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::vector<double> ticks(const Axis &a) {
  std::vector<double> out;
  if (a.log) {
    int k0 = (int)std::floor(std::log10(a.lo)), k1 = (int)std::ceil(std::log10(a.hi));
    int step = std::max(1, (k1 - k0) / 8);
    for (int k = k0; k <= k1; k += step) {
      double v = std::pow(10.0, k);
      if (v >= a.lo * (1 - 1e-9) && v <= a.hi * (1 + 1e-9))
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
  double span = a.hi - a.lo;
  double raw = span / 6;
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

Axis makeAxis(bool log, const std::vector<const std::vector<double> *> &data) {
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
  if (log) {
    if (hi <= lo) {
      lo /= 2;
      hi *= 2;
    }
    a.lo = lo;
    a.hi = hi;
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

void text(cairo_t *cr, double x, double y, const std::string &s, double ax,
          double ay, double size = 12, bool rotate = false) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  if (rotate)
    cairo_rotate(cr, -M_PI / 2);
  cairo_move_to(cr, -e.width * ax - e.x_bearing, e.height * ay - 0);
  cairo_show_text(cr, s.c_str());
  cairo_restore(cr);
}

void draw(cairo_t *cr, const PlotSpec &spec) {
  const double W = spec.width, H = spec.height;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  const double left = 90, right = 220, top = 50, bottom = 70;
  const double pw = W - left - right, ph = H - top - bottom;
  std::vector<const std::vector<double> *> xs, ys;
  for (const Series &s : spec.series) {
    xs.push_back(&s.x);
    ys.push_back(&s.y);
  }
  Axis ax = makeAxis(spec.logX, xs), ay = makeAxis(spec.logY, ys);
  auto px = [&](double v) { return left + ax.toUnit(v) * pw; };
  auto py = [&](double v) { return top + (1 - ay.toUnit(v)) * ph; };

  // Grid and ticks.
  cairo_set_line_width(cr, 1);
  for (double t : ticks(ax)) {
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, px(t), top);
    cairo_line_to(cr, px(t), top + ph);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, px(t), top + ph + 18, tickLabel(t), 0.5, 0, 11);
  }
  for (double t : ticks(ay)) {
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, left, py(t));
    cairo_line_to(cr, left + pw, py(t));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, left - 8, py(t), tickLabel(t), 1, 0.5, 11);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, left, top, pw, ph);
  cairo_stroke(cr);

  // Series.
  cairo_save(cr);
  cairo_rectangle(cr, left, top, pw, ph);
  cairo_clip(cr);
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const Series &s = spec.series[i];
    const double *c = kColors[i % (sizeof kColors / sizeof *kColors)];
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    cairo_set_line_width(cr, 2);
    bool pen = false;
    for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!ax.usable(s.x[k]) || !ay.usable(s.y[k])) {
        pen = false;
        continue;
      }
      if (pen)
        cairo_line_to(cr, px(s.x[k]), py(s.y[k]));
      else
        cairo_move_to(cr, px(s.x[k]), py(s.y[k]));
      pen = true;
    }
    cairo_stroke(cr);
    for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k)
      if (ax.usable(s.x[k]) && ay.usable(s.y[k])) {
        cairo_arc(cr, px(s.x[k]), py(s.y[k]), 2.5, 0, 2 * M_PI);
        cairo_fill(cr);
      }
  }
  cairo_restore(cr);

  // Labels, title, legend.
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(cr, left + pw / 2, H - 22, spec.xLabel, 0.5, 0, 13);
  text(cr, 24, top + ph / 2, spec.yLabel, 0.5, 0, 13, true);
  text(cr, left + pw / 2, 28, spec.title, 0.5, 0, 15);
  if (spec.series.size() > 1 || !spec.series.empty()) {
    double lx = left + pw + 16, ly = top + 10;
    for (size_t i = 0; i < spec.series.size(); ++i) {
      const double *c = kColors[i % (sizeof kColors / sizeof *kColors)];
      cairo_set_source_rgb(cr, c[0], c[1], c[2]);
      cairo_set_line_width(cr, 3);
      cairo_move_to(cr, lx, ly + i * 20);
      cairo_line_to(cr, lx + 22, ly + i * 20);
      cairo_stroke(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      text(cr, lx + 28, ly + i * 20, spec.series[i].name, 0, 0.35, 12);
    }
  }
}

} // namespace

/// Draws the plot into `file`; messages name `path`, where it ends up.
static std::optional<std::string> renderTo(const PlotSpec &spec,
                                           const std::string &file,
                                           const std::string &path) {
  std::string ext = path.substr(path.find_last_of('.') + 1);
  cairo_surface_t *surface;
  if (ext == "svg")
    surface = cairo_svg_surface_create(file.c_str(), spec.width, spec.height);
  else if (ext == "pdf")
    surface = cairo_pdf_surface_create(file.c_str(), spec.width, spec.height);
  else if (ext == "png")
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, spec.width,
                                         spec.height);
  else
    return "unsupported plot format '." + ext + "' (use .svg, .png or .pdf)";
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    std::string err = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return "cannot create '" + path + "': " + err;
  }
  cairo_t *cr = cairo_create(surface);
  draw(cr, spec);
  cairo_destroy(cr);
  std::optional<std::string> error;
  if (ext == "png" &&
      cairo_surface_write_to_png(surface, file.c_str()) != CAIRO_STATUS_SUCCESS)
    error = "cannot write '" + path + "'";
  cairo_surface_finish(surface);
  if (!error && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
    error = "cannot write '" + path + "': " +
            cairo_status_to_string(cairo_surface_status(surface));
  cairo_surface_destroy(surface);
  return error;
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
