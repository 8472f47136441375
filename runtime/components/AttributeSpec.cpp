//===- AttributeSpec.cpp - checking one attribute value -------------------===//

#include "ModelSupport.h"

#include "afc/components/AttributeSpec.h"

#include <cmath>

namespace afc::components {

using K = AttributeKind;

std::string_view AttributeSpec::unit() const {
  switch (kind) {
  case K::Count:
    return "";
  case K::BitWidth:
  case K::Size:
    return "bit";
  case K::Length:
    return "m";
  }
  return "";
}

std::string AttributeSpec::rangeText() const {
  // " bit", " m" or nothing, after each bound.
  std::string u;
  if (!unit().empty()) {
    u = ' ';
    u += unit();
  }
  std::string text;
  if (minExclusive && !std::isfinite(max)) {
    text = "a positive, finite number";
    if (!u.empty())
      text.append(" of").append(u).append("s");
    return text;
  }
  text = integer ? "a whole number" : "a finite number";
  if (!std::isfinite(max))
    return text.append(" of at least ")
        .append(detail::formatNumber(min))
        .append(u);
  return text.append(" of at least ")
      .append(detail::formatNumber(min))
      .append(u)
      .append(" and at most ")
      .append(detail::formatNumber(max))
      .append(u);
}

std::string AttributeSpec::check(double value) const {
  bool ok = std::isfinite(value) && value <= max &&
            (minExclusive ? value > min : value >= min) &&
            (!integer || value == std::floor(value));
  if (ok)
    return {};
  std::string text = "must be ";
  text.append(rangeText()).append("; got ").append(
      detail::formatNumber(value));
  if (!unit().empty())
    text.append(" ").append(unit());
  return text;
}

} // namespace afc::components
