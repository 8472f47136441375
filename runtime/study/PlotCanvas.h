//===- PlotCanvas.h - the drawing surface of plots -----------------*- C++
//-*-===//
//
// The few primitives a plot needs, behind one interface so the layout code
// draws PNG and PDF through cairo and SVG through a writer that keeps text
// as text. Coordinates are logical points, y growing downwards.
//
//===----------------------------------------------------------------------===//
#ifndef AFC_STUDY_PLOTCANVAS_H
#define AFC_STUDY_PLOTCANVAS_H

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace afc::study::detail {

struct Color {
  double r, g, b;
};

using Points = std::vector<std::pair<double, double>>;

class Canvas {
public:
  virtual ~Canvas() = default;
  virtual void polyline(const Points &p, Color c, double width,
                        bool dashed = false) = 0;
  virtual void polygon(const Points &p, Color c, double opacity) = 0;
  virtual void rectangle(double x, double y, double w, double h, Color stroke,
                         double width) = 0;
  virtual void circle(double x, double y, double r, Color fill,
                      std::optional<Color> ring = std::nullopt) = 0;
  /// `ax`, `ay` place the anchor: (0, 0) is the left end of the baseline,
  /// (0.5, 0.5) the centre, (1, *) the right end.
  virtual void text(double x, double y, const std::string &s, double ax,
                    double ay, double size, bool rotate = false,
                    bool bold = false) = 0;
  /// Writes the file; an error message on failure.
  virtual std::optional<std::string> finish() = 0;
};

/// "cairo VERSION", of the library linked.
std::string rendererVersion();

/// The width of `s` in the plots' font, for layout.
double textWidth(const std::string &s, double size, bool bold = false);

/// A canvas for `file` in the format of `ext` ("svg", "png", "pdf"), of
/// `width` x `height` points; nullptr and `error` set on failure.
std::unique_ptr<Canvas> makeCanvas(const std::string &ext,
                                   const std::string &file, double width,
                                   double height, std::string &error);

} // namespace afc::study::detail

#endif // AFC_STUDY_PLOTCANVAS_H
