//===- SramQuery.cpp - from an SRAM request to CACTI queries --------------===//
//
// hwcomponents' `_Memory.__init__` and `_interp_size` geometry rules
// (component-models.md §5.2 steps 1-3, §6.2), with argument checks that name
// the offending attribute instead of failing deep inside the arithmetic.
//
//===----------------------------------------------------------------------===//

#include "afc/components/SramQuery.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace afc::components {

namespace {

std::string show(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

Error invalid(const std::string &message) {
  return Error{ErrorCode::InvalidAttribute, message};
}

/// A positive whole number that fits the CACTI key.
Expected<int64_t> countAttribute(const char *name, double value) {
  if (!std::isfinite(value) || value != std::floor(value) || value < 1 ||
      value > 1e6)
    return invalid(std::string(name) + " must be a positive integer; got " +
                   show(value));
  return int64_t(value);
}

bool isPositiveFinite(std::optional<double> v) {
  return !v || (std::isfinite(*v) && *v > 0);
}

bool isClose(double a, double b, double relTol) {
  return std::fabs(a - b) <= relTol * std::max(std::fabs(a), std::fabs(b));
}

} // namespace

Expected<SramGeometry> resolveSramGeometry(std::optional<double> size,
                                           std::optional<double> width,
                                           std::optional<double> depth,
                                           double nRwPorts, double nBanks) {
  for (auto [name, v] : {std::pair{"size", size}, std::pair{"width", width},
                         std::pair{"depth", depth}})
    if (!isPositiveFinite(v))
      return invalid(std::string(name) +
                     " must be a positive, finite number of " +
                     (std::string(name) == "depth" ? "entries" : "bits") +
                     "; got " + show(*v));

  SramGeometry g;
  if (!width) {
    if (!size)
      return Error{ErrorCode::MissingAttribute,
                   "an SRAM needs attribute 'size' (bits), or 'width' and "
                   "'depth'"};
    // An integer in the reference: ceil() of the square root.
    g.width =
        depth ? *size / *depth : std::max(16.0, std::ceil(std::sqrt(*size)));
  } else {
    g.width = *width;
  }

  if (depth) {
    // The reference insists that depth and size / width agree; allow the
    // rounding of a width that was itself derived as size / depth.
    if (size && !isClose(*depth, *size / g.width, 1e-6))
      return invalid("depth " + show(*depth) + " does not match size / " +
                     "width = " + show(*size) + " / " + show(g.width));
    g.depth = *depth;
  } else if (size) {
    g.depth = *size / g.width;
  } else {
    return Error{ErrorCode::MissingAttribute,
                 "an SRAM with a 'width' needs attribute 'size' or 'depth'"};
  }
  if (size && !isClose(*size, g.depth * g.width, 1e-6))
    return invalid("size " + show(*size) + " != depth " + show(g.depth) +
                   " * width " + show(g.width));
  g.size = g.depth * g.width;

  auto ports = countAttribute("n_rw_ports", nRwPorts);
  if (!ports)
    return ports.takeError();
  auto banks = countAttribute("n_banks", nBanks);
  if (!banks)
    return banks.takeError();
  g.nRwPorts = *ports;
  g.nBanks = *banks;

  g.cactiBanks = int64_t(1) << int(std::ceil(std::log2(double(g.nBanks))));
  g.paddedWidth = std::max(std::ceil(g.width / 8) * 8, 32.0);
  g.widthScale = g.width / g.paddedWidth;
  g.paddedDepth = std::max(g.depth, 64.0 * double(g.nBanks));
  g.depthScale = g.depth / g.paddedDepth;
  double bytes = std::floor(g.paddedWidth * g.paddedDepth / 8);
  if (!(bytes < 9e15) || g.paddedWidth / 8 > 1e9)
    return invalid("SRAM of " + show(g.size) + " bits is too large");
  g.sizeBytes = int64_t(bytes);
  g.blockBytes = int(g.paddedWidth / 8);
  return g;
}

CactiNodePlan planCactiNodes(double techNm) {
  // A node computed as, e.g., 90 * 1e-9 m is 90.00000000000001 nm, which the
  // reference would treat as outside the native range (a different rule,
  // a much different number). Nodes that close to a native node are meant
  // to be that node.
  for (int node : CactiNodesNm)
    if (std::fabs(techNm - node) <= 1e-9 * node)
      techNm = node;
  CactiNodePlan plan;
  const int lowest = CactiNodesNm.front(), highest = CactiNodesNm.back();
  if (techNm < lowest || techNm > highest) {
    plan.lowNm = plan.highNm = lowest;
    plan.outsideNative = true;
    plan.ratio = techNm / lowest;
    return plan;
  }
  for (int node : CactiNodesNm) {
    if (node <= techNm)
      plan.lowNm = node;
    if (node >= techNm) {
      plan.highNm = node;
      break;
    }
  }
  if (plan.lowNm != plan.highNm)
    plan.weight = (techNm - plan.lowNm) / double(plan.highNm - plan.lowNm);
  return plan;
}

} // namespace afc::components
