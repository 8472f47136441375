//===- PlotCanvas.cpp - cairo and SVG canvases for plots ------------------===//
//
// SVG numbers are printed with two decimals and fixed formatting so the same
// plot is the same bytes on every run.
//
//===----------------------------------------------------------------------===//
#include "PlotCanvas.h"
#include "afc/study/Plot.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

using namespace afc::study::detail;

namespace {

const char *kFont = "sans-serif";

void selectFont(cairo_t *cr, double size, bool bold) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD
                              : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

class CairoCanvas : public Canvas {
public:
  CairoCanvas(cairo_surface_t *surface, bool png, std::string file,
              double scale)
      : surface(surface), cr(cairo_create(surface)), png(png),
        file(std::move(file)) {
    cairo_scale(cr, scale, scale);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
  }
  ~CairoCanvas() override {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
  }

  void polyline(const Points &p, Color c, double width, bool dashed) override {
    if (p.size() < 2)
      return;
    path(p);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, width);
    double dash[] = {6, 4};
    cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, dash, 0, 0);
  }
  void polygon(const Points &p, Color c, double opacity) override {
    if (p.size() < 3)
      return;
    path(p);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, c.r, c.g, c.b, opacity);
    cairo_fill(cr);
  }
  void rectangle(double x, double y, double w, double h, Color c,
                 double width) override {
    cairo_rectangle(cr, x, y, w, h);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, width);
    cairo_stroke(cr);
  }
  void circle(double x, double y, double r, Color fill,
              std::optional<Color> ring) override {
    cairo_new_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    cairo_set_source_rgb(cr, fill.r, fill.g, fill.b);
    if (ring) {
      cairo_fill_preserve(cr);
      cairo_set_source_rgb(cr, ring->r, ring->g, ring->b);
      cairo_set_line_width(cr, 1.5);
      cairo_stroke(cr);
    } else {
      cairo_fill(cr);
    }
  }
  void text(double x, double y, const std::string &s, double ax, double ay,
            double size, bool rotate, bool bold) override {
    selectFont(cr, size, bold);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (rotate)
      cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, -e.x_advance * ax, capHeight(size) * ay);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_show_text(cr, s.c_str());
    cairo_restore(cr);
  }
  std::optional<std::string> finish() override {
    std::optional<std::string> error;
    if (png && cairo_surface_write_to_png(surface, file.c_str()) !=
                   CAIRO_STATUS_SUCCESS)
      error = "cannot write the plot";
    cairo_surface_finish(surface);
    if (!error && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
      error = cairo_status_to_string(cairo_surface_status(surface));
    return error;
  }

  static double capHeight(double size) { return 0.72 * size; }

private:
  void path(const Points &p) {
    cairo_new_path(cr);
    cairo_move_to(cr, p[0].first, p[0].second);
    for (size_t i = 1; i < p.size(); ++i)
      cairo_line_to(cr, p[i].first, p[i].second);
  }

  cairo_surface_t *surface;
  cairo_t *cr;
  bool png;
  std::string file;
};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string rgb(Color c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", int(std::lround(c.r * 255)),
                int(std::lround(c.g * 255)), int(std::lround(c.b * 255)));
  return buf;
}

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s)
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  return out;
}

class SvgCanvas : public Canvas {
public:
  SvgCanvas(std::string file, double width, double height)
      : file(std::move(file)) {
    os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width)
       << "pt\" height=\"" << num(height) << "pt\" viewBox=\"0 0 " << num(width)
       << " " << num(height) << "\" font-family=\"" << kFont
       << "\" stroke-linejoin=\"round\">\n"
       << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  }

  void polyline(const Points &p, Color c, double width, bool dashed) override {
    if (p.size() < 2)
      return;
    os << "<polyline fill=\"none\" stroke=\"" << rgb(c) << "\" stroke-width=\""
       << num(width) << "\"" << (dashed ? " stroke-dasharray=\"6 4\"" : "")
       << " points=\"" << points(p) << "\"/>\n";
  }
  void polygon(const Points &p, Color c, double opacity) override {
    if (p.size() < 3)
      return;
    os << "<polygon fill=\"" << rgb(c) << "\" fill-opacity=\"" << num(opacity)
       << "\" points=\"" << points(p) << "\"/>\n";
  }
  void rectangle(double x, double y, double w, double h, Color c,
                 double width) override {
    os << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\""
       << num(w) << "\" height=\"" << num(h) << "\" fill=\"none\" stroke=\""
       << rgb(c) << "\" stroke-width=\"" << num(width) << "\"/>\n";
  }
  void circle(double x, double y, double r, Color fill,
              std::optional<Color> ring) override {
    os << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\""
       << num(r) << "\" fill=\"" << rgb(fill) << "\"";
    if (ring)
      os << " stroke=\"" << rgb(*ring) << "\" stroke-width=\"1.50\"";
    os << "/>\n";
  }
  void text(double x, double y, const std::string &s, double ax, double ay,
            double size, bool rotate, bool bold) override {
    const char *anchor = ax < 0.25 ? "start" : ax > 0.75 ? "end" : "middle";
    os << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" dy=\""
       << num(CairoCanvas::capHeight(size) * ay) << "\" font-size=\""
       << num(size) << "\" text-anchor=\"" << anchor << "\" fill=\"#1a1a1a\"";
    if (bold)
      os << " font-weight=\"bold\"";
    if (rotate)
      os << " transform=\"rotate(-90 " << num(x) << " " << num(y) << ")\"";
    os << ">" << escape(s) << "</text>\n";
  }
  std::optional<std::string> finish() override {
    os << "</svg>\n";
    std::ofstream out(file, std::ios::binary);
    out << os.str();
    out.flush();
    if (!out)
      return std::string("cannot write the plot");
    return std::nullopt;
  }

private:
  static std::string points(const Points &p) {
    std::string s;
    for (size_t i = 0; i < p.size(); ++i)
      s += (i ? " " : "") + num(p[i].first) + "," + num(p[i].second);
    return s;
  }

  std::string file;
  std::ostringstream os;
};

} // namespace

std::string afc::study::detail::rendererVersion() {
  return std::string("cairo ") + cairo_version_string();
}

double afc::study::detail::textWidth(const std::string &s, double size,
                                     bool bold) {
  // A scratch surface: measuring needs a font context, not a drawing.
  static cairo_surface_t *surface =
      cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t *cr = cairo_create(surface);
  selectFont(cr, size, bold);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_destroy(cr);
  return e.x_advance;
}

std::unique_ptr<Canvas> afc::study::detail::makeCanvas(const std::string &ext,
                                                       const std::string &file,
                                                       double width,
                                                       double height,
                                                       std::string &error) {
  if (ext == "svg")
    return std::make_unique<SvgCanvas>(file, width, height);
  cairo_surface_t *surface;
  double scale = 1;
  if (ext == "pdf") {
    surface = cairo_pdf_surface_create(file.c_str(), width, height);
  } else if (ext == "png") {
    scale = kPngScale;
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                         int(std::lround(width * scale)),
                                         int(std::lround(height * scale)));
  } else {
    error = "unsupported plot format '." + ext + "' (use .svg, .png or .pdf)";
    return nullptr;
  }
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    error = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return nullptr;
  }
  return std::make_unique<CairoCanvas>(surface, ext == "png", file, scale);
}
